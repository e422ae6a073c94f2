//! Shared helpers for ddbsse's benchmarks (criterion benches live in `benches/benches/`, ratio
//! printers in `src/bin/`).
//!
//! [`crypto`] builds the fixed inputs both the criterion crypto bench and `crypto-ratios` use,
//! so the two measure exactly the same calls.

pub mod crypto;
