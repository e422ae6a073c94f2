//! The key-switch quota of UpdateTable (`spec/tables.md#update-quota`, D-QUO): consecutive
//! 24-hour windows from the table's creation, 4 changes per window, then one more per 6 hours.
//!
//! Pure arithmetic over the table's creation time and its list of accepted changes; the caller
//! decides what a change is and records it.

use ddbsse_wire::time::{DAY, HOUR, Timestamp};
use ddbsse_wire::{ApiError, ErrorCode};

/// Changes allowed in a window before the 6-hour rule applies.
pub const FREE_CHANGES_PER_WINDOW: usize = 4;
/// Length of a quota window: 24 hours.
pub const WINDOW_MS: u64 = DAY;
/// Spacing required after the free changes: 6 hours (21600 s).
pub const SPACING_MS: u64 = 6 * HOUR;

/// The window `[start, end)` containing `now`, for a table created at `created`.
pub fn window(created: Timestamp, now: Timestamp) -> (Timestamp, Timestamp) {
    let k = now.since(created) / WINDOW_MS;
    let start = created.plus(k * WINDOW_MS);
    (start, start.plus(WINDOW_MS))
}

/// Checks a switch to a KMS key at `now` against the quota.
pub fn check(created: Timestamp, changes: &[Timestamp], now: Timestamp) -> Result<(), ApiError> {
    let (start, end) = window(created, now);
    let in_window = changes.iter().filter(|t| **t >= start && **t < end).count();
    //= spec/tables.md#update-quota
    //# Within one 24-hour window counted from table creation, a target MUST accept the first 4 changes to a KMS key, and after those MUST accept a further change to a KMS key only when at least 6 hours (21600 s) have passed since the most recent change, rejecting it otherwise.
    if in_window < FREE_CHANGES_PER_WINDOW {
        return Ok(());
    }
    let Some(last) = changes.iter().max().copied() else {
        return Ok(());
    };
    //= spec/tables.md#update-quota
    //# Within one 24-hour window counted from table creation, a target MUST accept the first 4 changes to a KMS key, and after those MUST accept a further change to a KMS key only when at least 6 hours (21600 s) have passed since the most recent change, rejecting it otherwise.
    if now.since(last) >= SPACING_MS {
        return Ok(());
    }
    //= spec/tables.md#update-quota
    //# A rejected switch MUST fail with `LimitExceededException` (HTTP 400) and the message below:
    Err(ApiError::new(
        ErrorCode::LimitExceeded,
        format!(
            "Subscriber limit exceeded: Encryption mode changes are limited in the 24h window ending at {}. After the first 4 change, each subsequent change in the same window can be performed at most once every 21600 seconds. Number of updates today: {in_window}. Last change at {}",
            end.iso_millis(),
            last.iso_millis()
        ),
    ))
}
