//! The integration tests of `ddbsse-server` (one binary): engine-level tests in [`engine`]
//! drive `Engine::handle` directly with a manual `now`; [`http`] drives the HTTP shell.

mod engine;
mod http;
