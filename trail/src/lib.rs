//! CloudTrail delivery layout (writer and streaming reader) and the `ddbsse trail` analytics.
//!
//! - [`writer`]: [`writer::DeliveryWriter`], which the endpoint uses to deliver its trail in
//!   CloudTrail's S3 layout; [`export`]: the same layout from an iterator of stored records.
//! - [`files`], [`decode`], [`record`], [`scan`]: the streaming reader (find files, pruning by
//!   date folders; gunzip and split; check records; fold them on several threads, accounting for
//!   every skipped file and record).
//! - [`filter`], [`query`], [`stats`], [`output`], [`svg`]: the blog's questions.
//! - [`lookup`]: the same questions over a live endpoint's LookupEvents (signed and sent by
//!   `ddbsse-client`).
//! - [`generate`]: realistic DynamoDB-SSE trails for tests, checks and the benchmark.
//! - [`cli`]: `ddbsse trail ...`.

pub mod analyze;
pub mod cli;
pub mod decode;
pub mod export;
pub mod files;
pub mod filter;
pub mod generate;
pub mod layout;
pub mod lookup;
pub mod output;
pub mod query;
pub mod record;
pub mod scan;
pub mod stats;
pub mod svg;
pub mod writer;
