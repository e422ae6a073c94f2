//! Shared helpers for ddbsse's benchmarks (criterion benches live in `benches/benches/`, ratio
//! printers in `src/bin/`).
//!
//! [`crypto`] builds the fixed inputs both the criterion crypto bench and `crypto-ratios` use,
//! so the two measure exactly the same calls.
//!
//! Bench code may `expect`: a failed set-up stops the measurement, it is never on a request path.

#![allow(clippy::expect_used)]

pub mod crypto;
