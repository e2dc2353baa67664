//! The crate's own build against an earlier revision's, measured the same hour.
//!
//! This machine's speed drifts by up to 1.8× within a day, so a build time is only comparable
//! with one taken next to it. Both trees build alternately, each in its own target directory
//! with warm dependencies, the crate alone (`cargo clean -p dataplat`, then `cargo build -p
//! dataplat --lib`, all six APIs, `build.rs` and its generation included); the median of the
//! rounds is reported.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The revision before the build-cost work of "Performance II" (issue 23).
pub const DEFAULT_BASELINE: &str = "fb08780";

/// Median seconds of the crate-alone build at `baseline` and at `root`'s working tree.
pub struct Compared {
    /// At the baseline revision.
    pub baseline: f64,
    /// At the working tree.
    pub current: f64,
    /// How many builds of each the medians are of.
    pub rounds: usize,
}

/// Builds `baseline` (a revision of `root`'s repository, checked out in a temporary worktree)
/// and the working tree alternately, `rounds` times each.
pub fn compare(root: &Path, baseline: &str, rounds: usize) -> Result<Compared> {
    let bench = root.join("target/dataplat-bench");
    std::fs::create_dir_all(&bench)?;
    let tree = tempfile::Builder::new()
        .prefix("dataplat-baseline-")
        .tempdir()?;
    let checkout = tree.path().join("tree");
    git(
        root,
        &[
            "worktree",
            "add",
            "--detach",
            "--quiet",
            path_str(&checkout)?,
            baseline,
        ],
    )
    .with_context(|| format!("checking out the baseline {baseline}"))?;
    let outcome = alternate(
        &[
            (checkout.clone(), bench.join("baseline-target")),
            (root.to_path_buf(), own_target(root)),
        ],
        rounds,
    );
    // The worktree goes whatever happened; its target directory stays for the next run.
    let _ = git(
        root,
        &["worktree", "remove", "--force", path_str(&checkout)?],
    );
    let mut medians = outcome?;
    let current = medians.pop().unwrap_or(f64::NAN);
    let baseline = medians.pop().unwrap_or(f64::NAN);
    Ok(Compared {
        baseline,
        current,
        rounds,
    })
}

/// The median build time of each `(tree, target)`, built in turn `rounds` times.
fn alternate(trees: &[(PathBuf, PathBuf)], rounds: usize) -> Result<Vec<f64>> {
    // Dependencies first, untimed.
    for (tree, target) in trees {
        cargo(tree, target, &["build", "-q", "-p", "dataplat", "--lib"])?;
    }
    let mut times = vec![Vec::new(); trees.len()];
    for _ in 0..rounds {
        for ((tree, target), times) in trees.iter().zip(&mut times) {
            cargo(tree, target, &["clean", "-q", "-p", "dataplat"])?;
            times.push(cargo(
                tree,
                target,
                &["build", "-q", "-p", "dataplat", "--lib"],
            )?);
        }
    }
    Ok(times.into_iter().map(median).collect())
}

/// Where the working tree's own builds go: the caller's `CARGO_TARGET_DIR`, or `target/`.
fn own_target(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// `cargo <args>` in `tree`, building into `target`; seconds taken.
fn cargo(tree: &Path, target: &Path, args: &[&str]) -> Result<f64> {
    crate::bench::timed_cargo(tree, args, &[("CARGO_TARGET_DIR", path_str(target)?)])
}

fn git(root: &Path, args: &[&str]) -> Result<()> {
    let output = Command::new("git").args(args).current_dir(root).output()?;
    if !output.status.success() {
        bail!(
            "`git {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

fn path_str(path: &Path) -> Result<&str> {
    path.to_str()
        .with_context(|| format!("{} is not UTF-8", path.display()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_median_of_odd_and_even_counts() {
        assert_eq!(super::median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(super::median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(super::median(Vec::new()).is_nan());
    }
}
