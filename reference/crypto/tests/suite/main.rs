//! The single integration-test binary of `ddbsse-crypto`: tests of the crypto core
//! (`spec/key-hierarchy.md`): behaviour of the public API, the Wycheproof suites, the committed
//! known-answer vectors (and their drift check) and property tests. Every test runs on every
//! compiled backend.

#![allow(clippy::expect_used, clippy::unwrap_used)] // Tests: a failed expect is a failed test.

mod api;
mod common;
mod hostile;
mod properties;
mod vectors;
mod wycheproof;
