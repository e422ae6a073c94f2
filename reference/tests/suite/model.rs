//! Tests of the reference model (`spec/tables.md`, `spec/kms.md`, `spec/cache.md`,
//! `spec/trail.md`): the blog walkthrough and the state tables as snapshots, explicit boundary
//! tests for every number of the spec, and a proptest state machine over the model alone.

mod boundaries;
mod kms_ops;
mod machine;
mod scenario;
mod snapshots;
mod support;
mod tables_sse;
mod trail;
