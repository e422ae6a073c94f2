//! The single integration-test binary of `ddbsse-reference`; each area adds one module.

#![allow(clippy::expect_used, clippy::unwrap_used)] // Tests: a failed expect is a failed test.

mod crypto;
mod model;
