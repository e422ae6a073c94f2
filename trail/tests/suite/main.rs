//! Integration tests of ddbsse-trail: writer layout and atomicity, reader robustness, the blog's
//! queries, statistics, LookupEvents and export.

#![allow(clippy::expect_used, clippy::unwrap_used)] // Tests: a failed expect is a failed test.

mod export;
mod hostile;
mod lookup;
mod query;
mod reader;
mod stats;
mod support;
mod writer;
