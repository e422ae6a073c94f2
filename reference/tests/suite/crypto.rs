//! Tests of the crypto core (`spec/key-hierarchy.md`): behaviour of the public API, the
//! Wycheproof suites, the committed known-answer vectors (and their drift check) and property
//! tests. Every test runs on every compiled backend.

mod api;
mod common;
mod properties;
mod vectors;
mod wycheproof;
