//! `cargo xtask bench`: one table of client overhead, token concurrency, pagination memory and
//! build cost. Ratios are the headline: absolute times on a shared 2-core machine are noisy.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn run(root: &Path, args: &[&str], envs: &[(&str, &str)]) -> Result<()> {
    let status = cargo()
        .args(args)
        .envs(envs.iter().copied())
        .current_dir(root)
        .status()?;
    if !status.success() {
        bail!("`cargo {}` failed ({status})", args.join(" "));
    }
    Ok(())
}

/// Seconds a cargo command takes; its output is hidden unless it fails.
pub(crate) fn timed_cargo(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> Result<f64> {
    let started = Instant::now();
    let output = cargo()
        .args(args)
        .envs(envs.iter().copied())
        .current_dir(dir)
        .output()?;
    if !output.status.success() {
        bail!(
            "`cargo {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(started.elapsed().as_secs_f64())
}

fn read_json(root: &Path, name: &str) -> Result<serde_json::Value> {
    let path = root.join("target/dataplat-bench").join(name);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(serde_json::from_str(&text)?)
}

/// Runs every measurement and prints the table (markdown, ready for the README).
/// `baseline`: the revision whose crate-alone build the working tree's is compared with.
pub fn run_all(root: &Path, quick: bool, baseline: &str) -> Result<()> {
    let mut rows: Vec<(String, String, String)> = Vec::new();
    let quick_env: &[(&str, &str)] = if quick {
        &[("DATAPLAT_BENCH_QUICK", "1")]
    } else {
        &[]
    };

    // 1. Request overhead (criterion + interleaved ratios, instruction counts).
    run(root, &["bench", "--bench", "overhead"], quick_env)?;
    let instructions = instruction_counts(root)?;
    for row in read_json(root, "overhead.json")?
        .as_array()
        .into_iter()
        .flatten()
    {
        let case = row["case"].as_str().unwrap_or("?");
        let timing = |key: &str| {
            let m = &row[key];
            (
                m["ratio"].as_f64().unwrap_or(f64::NAN),
                m["dataplat_us"].as_f64().unwrap_or(0.0),
                m["reqwest_us"].as_f64().unwrap_or(0.0),
            )
        };
        let (one, one_client, one_raw) = timing("one_thread");
        let (many, many_client, many_raw) = timing("concurrent");
        let mut result = format!(
            "time {one:.3}× one caller ({one_client:.1} vs {one_raw:.1} µs), {many:.3}× 8 callers ({many_client:.1} vs {many_raw:.1} µs)"
        );
        let mut worst_instructions: f64 = 0.0;
        for callers in COUNTED_CALLERS {
            let Some((client, raw)) = OVERHEAD_CASES
                .iter()
                .find(|c| **c == case)
                .and_then(|c| instructions.get(&(*c, callers)))
            else {
                continue;
            };
            let ratio = *client as f64 / *raw as f64;
            worst_instructions = worst_instructions.max(ratio);
            result.push_str(&format!(
                "; instructions {ratio:.3}× with {callers} caller{} ({:.1}k vs {:.1}k)",
                if callers == 1 { "" } else { "s" },
                *client as f64 / 1e3,
                *raw as f64 / 1e3
            ));
        }
        let verdict = format!(
            "≤ 1.03× instructions {}, ≤ 1.05× time {}",
            if worst_instructions <= 1.03 {
                "✓"
            } else {
                "✗"
            },
            if one.max(many) <= 1.05 { "✓" } else { "✗" }
        );
        rows.push((format!("request overhead: {case}"), result, verdict));
    }

    // 2. Token concurrency and pagination memory.
    run(root, &["bench", "--bench", "tokens_memory"], &[])?;
    let tm = read_json(root, "tokens_memory.json")?;
    let tokens = tm["token_requests"].as_u64().unwrap_or(0);
    rows.push((
        "1,000 concurrent calls, expired token: token requests".into(),
        tokens.to_string(),
        if tokens == 1 { "1 ✓" } else { "1 ✗" }.into(),
    ));
    rows.push((
        "1,000 concurrent calls: expired vs warm token".into(),
        format!(
            "{:.0} ms vs {:.0} ms",
            tm["expired_token_ms"].as_f64().unwrap_or(0.0),
            tm["warm_token_ms"].as_f64().unwrap_or(0.0)
        ),
        "–".into(),
    ));
    let (stream, collect) = (
        tm["stream_peak_bytes"].as_f64().unwrap_or(0.0),
        tm["collect_peak_bytes"].as_f64().unwrap_or(0.0),
    );
    rows.push((
        "peak heap, 100,000 items in pages of 100: stream vs collect".into(),
        format!(
            "{:.2} MB vs {:.1} MB ({:.0}× less)",
            stream / 1e6,
            collect / 1e6,
            collect / stream.max(1.0)
        ),
        "O(page) ✓".into(),
    ));

    // 3. Generation time per spec, optimised as build.rs runs it.
    let specs: Vec<String> = crate::layout::apis(root)?
        .iter()
        .map(|a| a.effective_path().display().to_string())
        .collect();
    let mut args = vec![
        "run",
        "--quiet",
        "--release",
        "-p",
        "dataplat-codegen",
        "--example",
        "gen_timing",
        "--",
    ];
    args.extend(specs.iter().map(String::as_str));
    let output = cargo().args(&args).current_dir(root).output()?;
    if !output.status.success() {
        bail!(
            "gen_timing failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let mut total = 0.0;
    let mut parts = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if let [path, secs, ops, streams] = f.as_slice() {
            let secs: f64 = secs.parse().unwrap_or(0.0);
            total += secs;
            let api = path.split('/').rev().nth(1).unwrap_or(path);
            parts.push(format!("{api} {secs:.2} s ({ops} ops, {streams} streams)"));
        }
    }
    rows.push((
        "generation, all specs (release)".into(),
        format!("{total:.2} s: {}", parts.join("; ")),
        if total < 2.0 {
            "< 2 s ✓"
        } else {
            "< 2 s ✗"
        }
        .into(),
    ));

    // 4. cargo build of the dataplat crate per feature (dependencies warm).
    let mut features: Vec<String> = crate::layout::apis(root)?
        .iter()
        .map(|a| a.name.clone())
        .collect();
    features.push("all".into());
    for f in &features {
        run(root, &["clean", "-p", "dataplat"], &[])?;
        let args: Vec<String> = if f == "all" {
            vec![
                "build".into(),
                "-p".into(),
                "dataplat".into(),
                "--lib".into(),
            ]
        } else {
            vec![
                "build".into(),
                "-p".into(),
                "dataplat".into(),
                "--lib".into(),
                "--no-default-features".into(),
                "--features".into(),
                format!("{f},tls-ring"),
            ]
        };
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        // Dependencies first, untimed: only dataplat's own build counts.
        timed_cargo(root, &args, &[])?;
        run(root, &["clean", "-p", "dataplat"], &[])?;
        let secs = timed_cargo(root, &args, &[])?;
        rows.push((
            format!("cargo build, dataplat only, feature `{f}`"),
            format!("{secs:.1} s"),
            "–".into(),
        ));
    }

    // 4a. The same build against the baseline revision's, alternately, the same hour.
    let rounds = if quick { 1 } else { 3 };
    let compared = crate::build_baseline::compare(root, baseline, rounds)?;
    let cut = 1.0 - compared.current / compared.baseline;
    rows.push((
        format!(
            "cargo build, dataplat only, `all`: {baseline} vs this tree (alternating, median of {rounds})"
        ),
        format!(
            "{:.1} s vs {:.1} s ({:.0}% less)",
            compared.baseline,
            compared.current,
            cut * 100.0
        ),
        if cut >= 1.0 / 3.0 {
            "≥ 1/3 less ✓"
        } else {
            "≥ 1/3 less ✗"
        }
        .into(),
    ));

    // 4b. A user's first build: a consumer crate from the packaged crates, cold (its own empty
    // target directory, dependencies included), with one API and with all six.
    let scratch = tempfile::Builder::new()
        .prefix("dataplat-cold-")
        .tempdir()?;
    for built in crate::consumer::build_cold(root, &["galaxy", "all"], scratch.path())? {
        rows.push((
            format!(
                "consumer crate, cold build with dependencies: `{}`",
                built.name
            ),
            format!("{:.1} s", built.took.as_secs_f64()),
            "–".into(),
        ));
    }
    drop(scratch);

    // 5. Editing src/ does not re-run build.rs.
    let lib = root.join("src/lib.rs");
    let text = std::fs::read_to_string(&lib)?;
    std::fs::write(&lib, format!("{text}\n"))?;
    let output = cargo()
        .args(["build", "-p", "dataplat", "--lib", "-v"])
        .current_dir(root)
        .output();
    std::fs::write(&lib, &text)?;
    let stderr = String::from_utf8_lossy(&output?.stderr).to_string();
    let reran = stderr.contains("build-script-build`");
    let recompiled = stderr.contains("Running `") && stderr.contains("--crate-name dataplat");
    rows.push((
        "edit src/lib.rs, rebuild: build.rs re-run?".into(),
        format!(
            "{} (dataplat recompiled: {})",
            if reran { "yes" } else { "no" },
            if recompiled { "yes" } else { "no" }
        ),
        if !reran && recompiled {
            "no ✓"
        } else {
            "no ✗"
        }
        .into(),
    ));

    // 6. Clean-build cost of the TLS provider: rustls with ring vs aws-lc-rs, alone.
    let scratch = tempfile::Builder::new().prefix("dataplat-tls-").tempdir()?;
    let mut tls = Vec::new();
    for provider in ["ring", "aws_lc_rs"] {
        let dir = scratch.path().join(provider);
        std::fs::create_dir_all(dir.join("src"))?;
        std::fs::write(dir.join("src/main.rs"), "fn main() {}\n")?;
        std::fs::write(
            dir.join("Cargo.toml"),
            format!(
                "[package]\nname = \"tls-{}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\nrustls = {{ version = \"0.23.35\", default-features = false, features = [\"{provider}\", \"std\", \"tls12\"] }}\n\n[workspace]\n",
                provider.replace('_', "-")
            ),
        )?;
        timed_cargo(&dir, &["fetch", "--quiet"], &[])?;
        let secs = timed_cargo(&dir, &["build", "--quiet"], &[])?;
        tls.push(secs);
    }
    rows.push((
        "clean build of rustls + provider: ring vs aws-lc-rs".into(),
        format!("{:.1} s vs {:.1} s", tls[0], tls[1]),
        "ring (default)".into(),
    ));

    println!("\n| measurement | result | target |\n|---|---|---|");
    for (what, result, target) in &rows {
        println!("| {what} | {result} | {target} |");
    }
    Ok(())
}

/// The overhead cases, as `benches/overhead.rs` names them.
const OVERHEAD_CASES: [&str; 4] = [
    "airflow DAG page (100)",
    "airflow get_variable",
    "galaxy GET",
    "galaxy POST 1 KB",
];

/// Callers counted: one, and the bench's concurrent callers.
const COUNTED_CALLERS: [u64; 2] = [1, 8];

/// Calls per variant counted under callgrind (fewer for the page, ~50× a small call).
fn counted_calls(case: &str) -> u64 {
    if case.contains("page") { 80 } else { 400 }
}

/// Instructions per call, `(dataplat, raw reqwest)`, by case and number of callers.
type Counts = std::collections::BTreeMap<(&'static str, u64), (u64, u64)>;

/// Client-side instructions per call of each case and number of callers, `(dataplat, raw
/// reqwest)`, counted by callgrind inside the bench's `Measured::poll` alone (no setup, no
/// server): a figure that, unlike time, is the same on every run. Empty, with a note, when
/// valgrind is not installed.
fn instruction_counts(root: &Path) -> Result<Counts> {
    let mut out = std::collections::BTreeMap::new();
    if Command::new("valgrind").arg("--version").output().is_err() {
        eprintln!("valgrind not found: no instruction counts");
        return Ok(out);
    }
    let bench = crate::test_cmd::built(root, &["bench", "--bench", "overhead", "--no-run"])?
        .into_iter()
        .find(|(name, _)| name == "overhead")
        .map(|(_, exe)| exe)
        .context("the overhead bench was not built")?;
    for case in OVERHEAD_CASES {
        let calls = counted_calls(case);
        for callers in COUNTED_CALLERS {
            let mut counts = [0u64; 2];
            for (slot, variant) in ["dataplat", "reqwest"].iter().enumerate() {
                let output = Command::new("valgrind")
                    .args([
                        "--tool=callgrind",
                        "--toggle-collect=*Measured*poll*",
                        "--callgrind-out-file=/dev/null",
                    ])
                    .arg(&bench)
                    .env(
                        "DATAPLAT_BENCH_PROFILE",
                        format!("{case}|{variant}|{calls}|{callers}"),
                    )
                    .output()?;
                let log = String::from_utf8_lossy(&output.stderr);
                let total: u64 = log
                    .lines()
                    .find_map(|l| l.split("Collected :").nth(1))
                    .and_then(|n| n.trim().parse().ok())
                    .with_context(|| {
                        format!("callgrind printed no count for {case} {variant}:\n{log}")
                    })?;
                counts[slot] = total / calls;
            }
            out.insert((case, callers), (counts[0], counts[1]));
        }
    }
    Ok(out)
}
