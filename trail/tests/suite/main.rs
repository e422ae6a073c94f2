//! Integration tests of ddbsse-trail: writer layout and atomicity, reader robustness, the blog's
//! queries, statistics, LookupEvents and export.

mod export;
mod lookup;
mod query;
mod reader;
mod stats;
mod support;
mod writer;
