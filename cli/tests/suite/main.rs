//! Integration tests of the `ddbsse` binary, the one crate that sees the server, the trail
//! analytics and the reference model together.
//!
//! - [`aws_examples`]: AWS's published CloudTrail examples (`fixtures/aws/`) against the model's
//!   and the engine's records of the same scenario, differences only where `spec/trail.md` lists them.
//! - [`command_line`]: `DDBSSE_*` variables, `GET /_health`, completions and the man page.
//! - [`crash`]: `ddbsse serve --data-dir` SIGKILLed under load, during a key switch and during
//!   trail delivery, and started again on the same folders.
//! - [`workload`]: runs one scripted workload against the in-repo engine and the reference model
//!   at the same times with the same callers, and reads the engine's trail back through
//!   LookupEvents.
//! - [`counts`]: counts trail records by event name, table, key, principal and interval,
//!   independently of the trail crate.
//! - [`trail_export`]: `ddbsse trail export` writes a stopped endpoint's stored trail in the
//!   delivery layout.
//! - [`trail_workload`]: issue 6's check: `trail stats` over the exported folder equals
//!   LookupEvents' counts and the model's, and shows the 5-minute Decrypt rhythm.

#![allow(clippy::expect_used, clippy::unwrap_used)] // Tests: a failed expect is a failed test.

mod aws_examples;
mod command_line;
mod counts;
mod crash;
mod trail_export;
mod trail_workload;
mod workload;
