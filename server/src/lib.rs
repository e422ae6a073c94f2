//! The in-repo implementation: a real DynamoDB + KMS + CloudTrail endpoint that encrypts every
//! item at rest with the key hierarchy of `spec/key-hierarchy.md`.
//!
//! It is its own implementation: it depends on the wire layer (`ddbsse-wire`) and the crypto core
//! (`ddbsse-crypto`) only. It does not depend on the reference model (`ddbsse-model`), so Cargo
//! keeps it from asking the oracle what to answer.
//!
//! - [`engine`]: the semantics, driven with `now` and the caller (no clock, no sockets);
//! - [`storage`]: in-memory and redb stores, the root key, and `read_trail`;
//! - [`clock`]: the system clock or the conformance protocol's manual clock;
//! - [`http`]: the HTTP shell (routing, principal, connections, conformance endpoints);
//! - [`trail_delivery`]: `--trail-dir`, CloudTrail log files in the S3 layout;
//! - [`ttl_sweeper`]: the wall-clock schedule of the time-to-live sweep;
//! - [`cli`]: `ddbsse serve`.

pub mod cli;
pub mod clock;
pub mod engine;
pub mod http;
pub mod seed;
pub mod storage;
pub mod trail_delivery;
pub mod ttl_sweeper;
