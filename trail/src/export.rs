//! Writes stored trail records in the S3 delivery layout (`ddbsse trail export`).
//!
//! Does: feed records (`ddbsse_wire::trail::TrailRecord`s), in the order given, to a
//! [`DeliveryWriter`], using each record's `eventTime` as the writer's clock, so files roll at the
//! same window boundaries as a live endpoint's; the last window is delivered at its end, like the
//! others.
//! Does not: read the endpoint's durable store. That store belongs to the server crate, which
//! depends on this one: the `ddbsse` binary reads it (`ddbsse_server::storage::read_trail`) and
//! hands the records to [`crate::cli::run_export`]. Records out of time order land in the window
//! open when they arrive (the writer never goes back in time).

use ddbsse_wire::trail::TrailRecord;

use crate::writer::{Delivered, DeliveryConfig, DeliveryWriter, WriteError};

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Files delivered, in order.
    pub files: Vec<Delivered>,
    /// Records written.
    pub records: u64,
}

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A stored record cannot be delivered; `index` is its position in the input.
    #[error("stored record {index}: {source}")]
    Record {
        /// Position of the record in the input, from 0.
        index: usize,
        /// Why the writer refused it.
        source: WriteError,
    },
    /// Delivering a file failed.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Writes `records` under `config.root` in the delivery layout; unique strings come from `rng`.
/// A record that cannot be delivered stops the export with its position.
pub fn export(
    records: impl IntoIterator<Item = TrailRecord>,
    config: DeliveryConfig,
    rng: Box<dyn rand::RngCore + Send>,
) -> Result<ExportSummary, ExportError> {
    let mut writer = DeliveryWriter::new(config, rng);
    let mut summary = ExportSummary::default();
    for (index, record) in records.into_iter().enumerate() {
        let Some(now) = record.time() else {
            let source = WriteError::BadEventTime(record.event_time);
            return Err(ExportError::Record { index, source });
        };
        if let Some(d) = writer.append(now.millis(), &record)? {
            summary.files.push(d);
        }
        summary.records += 1;
    }
    if let Some(d) = writer.tick(u64::MAX)? {
        summary.files.push(d);
    }
    Ok(summary)
}
