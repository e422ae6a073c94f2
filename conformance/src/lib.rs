//! The conformance harness: drives any DynamoDB + KMS + CloudTrail target and reports, per
//! requirement of `spec/`, where it agrees with the spec and the reference model.
//!
//! Library use (a Rust emulator can run the suite in its own `cargo test`):
//!
//! ```no_run
//! use ddbsse_conformance::target::http::{AccessKey, HttpConfig, HttpTarget};
//! use ddbsse_conformance::{Options, run};
//!
//! let mut target = HttpTarget::new(HttpConfig {
//!     endpoint: "http://127.0.0.1:8000".into(),
//!     kms_endpoint: None,
//!     cloudtrail_endpoint: None,
//!     session_token: None,
//!     record: None,
//!     region: "us-east-1".into(),
//!     principals: vec![AccessKey { id: "testing".into(), secret: "testing".into() }],
//!     real_time: false,
//!     timeout: std::time::Duration::from_secs(30),
//!     delivery_dir: None,
//! })
//! .expect("endpoint reachable");
//! let report = run(&mut target, &Options::default());
//! for case in report.cases.iter().filter(|c| c.outcome == ddbsse_conformance::report::Verdict::Failed) {
//!     eprintln!("{}: expected {:?}, observed {:?}", case.id, case.expected, case.observed);
//! }
//! assert!(report.success(), "{}", report.summary_line());
//! ```
//!
//! Any type implementing [`target::Target`] can be checked the same way, in-process, without HTTP
//! (see `conformance/examples/in_process.rs`).
//!
//! Features: `embedded` (off by default) adds `target::embedded`, the in-repo engine in-process
//! with its white-box storage hooks, and makes `ddbsse check` without `--endpoint` check it. It
//! brings in `ddbsse-server` (with redb and the server's tokio runtime); an emulator's own test
//! suite leaves it off.

pub mod aws_target;
pub mod cases;
pub mod cli;
pub mod ctx;
pub mod exchange;
pub mod expect;
pub mod grades;
pub mod normalize;
pub mod profile;
pub mod provenance;
pub mod record;
pub mod replay;
pub mod report;
pub mod reproduce;
pub mod requirements;
pub mod runner;
pub mod target;

pub use report::Report;
pub use runner::{LockstepOptions, Options};

/// Runs the whole suite (or `options.filter`'s part) against `target`.
pub fn run(target: &mut dyn target::Target, options: &Options) -> Report {
    runner::run(target, options)
}
