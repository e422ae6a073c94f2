//! The integration tests of `ddbsse-server` (one binary): engine-level tests in [`engine`]
//! drive `Engine::handle` directly with a manual `now`; [`http`] drives the HTTP shell.

#![allow(clippy::expect_used, clippy::unwrap_used)] // Tests: a failed expect is a failed test.

mod engine;
mod http;
