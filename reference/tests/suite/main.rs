//! The single integration-test binary of `ddbsse-reference`; each area adds one module.

mod crypto;
mod model;
