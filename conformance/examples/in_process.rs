//! Running the conformance suite from another project's tests, in-process.
//!
//! A Rust emulator implements [`Target`] for its own engine (here the in-repo engine stands in
//! for it) and calls [`ddbsse_conformance::run`]; the [`Report`] says, per spec requirement,
//! what passed and what did not. In a `cargo test` the last lines would be an assertion:
//!
//! ```text
//! assert!(report.success(), "{}", report.summary_line());
//! ```
//!
//! Run it with `cargo run -p ddbsse-conformance --features embedded --example in_process`
//! (the example stands the in-repo engine in for an emulator, so it needs the `embedded` feature).

#![allow(clippy::expect_used)] // An example: a failed step ends it with its message.

use ddbsse_conformance::report::Verdict;
use ddbsse_conformance::target::Target;
use ddbsse_conformance::target::embedded::EmbeddedTarget;
use ddbsse_conformance::{LockstepOptions, Options, Report, run};

fn main() {
    let mut target = EmbeddedTarget::new().expect("the in-memory engine opens");
    let options = Options {
        // Only the cache and trail requirements, and a short lockstep run.
        filter: vec!["cache/".into(), "trail/".into(), "conformance/".into()],
        lockstep: LockstepOptions { seed: 42, cases: 8 },
        ..Options::default()
    };
    let report: Report = run(&mut target as &mut dyn Target, &options);
    for case in &report.cases {
        match case.outcome {
            Verdict::Failed => println!(
                "FAIL {} ({}): expected {:?}, observed {:?}",
                case.id, case.requirement, case.expected, case.observed
            ),
            other => println!("{:<14} {}", other.as_str(), case.id),
        }
    }
    println!("{}", report.summary_line());
    assert!(report.success(), "{}", report.summary_line());
}
