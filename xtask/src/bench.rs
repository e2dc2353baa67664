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
fn timed_cargo(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> Result<f64> {
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
pub fn run_all(root: &Path, quick: bool) -> Result<()> {
    let mut rows: Vec<(String, String, String)> = Vec::new();
    let quick_env: &[(&str, &str)] = if quick {
        &[("DATAPLAT_BENCH_QUICK", "1")]
    } else {
        &[]
    };

    // 1. Request overhead (criterion + interleaved ratio).
    run(root, &["bench", "--bench", "overhead"], quick_env)?;
    for row in read_json(root, "overhead.json")?
        .as_array()
        .into_iter()
        .flatten()
    {
        let ratio = row["ratio"].as_f64().unwrap_or(f64::NAN);
        rows.push((
            format!("request overhead: {}", row["case"].as_str().unwrap_or("?")),
            format!(
                "{:.3}× ({:.0} µs vs {:.0} µs raw reqwest)",
                ratio,
                row["dataplat_us"].as_f64().unwrap_or(0.0),
                row["reqwest_us"].as_f64().unwrap_or(0.0)
            ),
            if ratio <= 1.05 {
                "≤ 1.05× ✓"
            } else {
                "≤ 1.05× ✗"
            }
            .into(),
        ));
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
