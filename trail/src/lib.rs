//! CloudTrail delivery layout (writer and streaming reader) and the `ddbsse trail` analytics.

pub mod cli;
