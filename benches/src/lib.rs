//! Shared helpers for ddbsse's benchmarks (criterion benches live in `benches/benches/`).
