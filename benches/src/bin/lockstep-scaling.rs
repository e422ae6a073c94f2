//! Prints the time per sequence of the conformance lockstep case at two (or more) sizes side by
//! side, against the embedded engine, so that a cost growing faster than the number of sequences
//! shows as a per-sequence time that grows with the size.
//!
//! Usage: `cargo run --release -p ddbsse-benches --bin lockstep-scaling -- [--seed N] [SIZE ...]`
//! (default seed 99991, sizes 200 and 800). The last line gives the ratio of the largest size's
//! per-sequence time to the smallest's: near 1 when the case is linear.

// A failed set-up stops the measurement; this binary serves no requests.
#![allow(clippy::expect_used)]

use std::process::ExitCode;
use std::time::Instant;

use ddbsse_conformance::report::Verdict;
use ddbsse_conformance::target::embedded::EmbeddedTarget;
use ddbsse_conformance::{LockstepOptions, Options};

/// Runs the lockstep case with `cases` sequences on a fresh engine; returns the seconds taken.
fn run(seed: u64, cases: u32) -> Result<f64, String> {
    let mut target = EmbeddedTarget::new().map_err(|e| e.to_string())?;
    let options = Options {
        filter: vec!["conformance/normalization/lockstep".to_owned()],
        lockstep: LockstepOptions { seed, cases },
        ..Options::default()
    };
    let t0 = Instant::now();
    let report = ddbsse_conformance::run(&mut target, &options);
    let secs = t0.elapsed().as_secs_f64();
    match report.cases.first() {
        Some(c) if c.outcome == Verdict::Passed => Ok(secs),
        Some(c) => Err(format!(
            "{cases} sequences: {:?} {}",
            c.outcome,
            c.observed.as_deref().or(c.reason.as_deref()).unwrap_or("")
        )),
        None => Err("the lockstep case did not run".to_owned()),
    }
}

fn main() -> ExitCode {
    let mut seed = 99991u64;
    let mut sizes = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--seed" {
            seed = args
                .next()
                .and_then(|s| s.parse().ok())
                .expect("--seed takes a number");
        } else {
            sizes.push(a.parse::<u32>().expect("a size is a number of sequences"));
        }
    }
    if sizes.is_empty() {
        sizes = vec![200, 800];
    }
    println!("lockstep, seed {seed}, embedded engine");
    println!(
        "{:>10} {:>10} {:>14}",
        "sequences", "total s", "ms/sequence"
    );
    let mut per = Vec::new();
    for &n in &sizes {
        match run(seed, n) {
            Ok(secs) => {
                let ms = secs * 1000.0 / f64::from(n.max(1));
                println!("{n:>10} {secs:>10.2} {ms:>14.3}");
                per.push(ms);
            }
            Err(e) => {
                eprintln!("lockstep-scaling: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    if let (Some(first), Some(last)) = (per.first(), per.last()) {
        println!(
            "per-sequence time at {} / at {}: {:.2} (1.0 = linear)",
            sizes.last().copied().unwrap_or_default(),
            sizes.first().copied().unwrap_or_default(),
            last / first
        );
    }
    ExitCode::SUCCESS
}
