//! The single integration-test binary of `ddbsse-model`: tests of the reference model
//! (`spec/tables.md`, `spec/kms.md`, `spec/cache.md`, `spec/trail.md`): the blog walkthrough and the state tables as snapshots, explicit boundary
//! tests for every number of the spec, and a proptest state machine over the model alone.

#![allow(clippy::expect_used, clippy::unwrap_used)] // Tests: a failed expect is a failed test.

mod boundaries;
mod indexes_tags;
mod kms_ops;
mod list_tables;
mod machine;
mod scenario;
mod snapshots;
mod support;
mod tables_sse;
mod trail;
mod update_settings;
