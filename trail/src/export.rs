//! Writes stored trail records in the S3 delivery layout (`ddbsse trail export`).
//!
//! Does: feed records, in the order given, to a [`DeliveryWriter`], using each record's
//! `eventTime` as the writer's clock, so files roll at the same window boundaries as a live
//! endpoint's; the last window is delivered at its end, like the others.
//! Does not: read the endpoint's durable store. That store belongs to the server crate, which
//! depends on this one: it exposes `ddbsse_server::storage::read_trail(data_dir)` and the `ddbsse`
//! binary passes it in through [`crate::cli::Hooks`]. Records out of time order land in the window
//! open when they arrive (the writer never goes back in time).

use serde_json::Value;

use crate::record::check_record;
use crate::writer::{Delivered, DeliveryConfig, DeliveryWriter, WriteError};

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Files delivered, in order.
    pub files: Vec<Delivered>,
    /// Records written.
    pub records: u64,
}

/// Writes `records` under `config.root` in the delivery layout; unique strings come from `rng`.
/// A record that is not a valid CloudTrail record stops the export with its position.
pub fn export(
    records: impl IntoIterator<Item = Value>,
    config: DeliveryConfig,
    rng: Box<dyn rand::RngCore + Send>,
) -> Result<ExportSummary, WriteError> {
    let mut writer = DeliveryWriter::new(config, rng);
    let mut summary = ExportSummary::default();
    for (index, record) in records.into_iter().enumerate() {
        let text = record.to_string();
        let now = check_record(&text)
            .map_err(|p| WriteError::InvalidRecord(format!("stored record {index}: {p}")))?
            .time_millis;
        if let Some(d) = writer.append(now, &record)? {
            summary.files.push(d);
        }
        summary.records += 1;
    }
    if let Some(d) = writer.tick(u64::MAX)? {
        summary.files.push(d);
    }
    Ok(summary)
}
