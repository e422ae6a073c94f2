//! The durations the specification fixes, in milliseconds on the target's clock: one home for the
//! model and the endpoint.
//!
//! Does: name each number once, beside the section that fixes it. Does not: decide when a duration
//! starts or what happens at its end; that is behaviour, implemented separately by the model and
//! by the endpoint. The conformance cases keep their own literal numbers, taken from the spec, so a
//! wrong number here still fails a case.

use crate::time::{DAY, SECOND};

/// How long a table-key cache entry serves requests, counted from its fetch
/// (`spec/cache.md#boundary`).
pub const TABLE_KEY_CACHE_LIFETIME_MS: u64 = 300 * SECOND;

/// How long a table's key must stay unusable before the table is
/// `INACCESSIBLE_ENCRYPTION_CREDENTIALS` (`spec/tables.md#status-inaccessible`).
pub const DETECTION_DELAY_MS: u64 = 900 * SECOND;

/// From detection to `ARCHIVING` (`spec/tables.md#status-archival`).
pub const ARCHIVAL_DELAY_MS: u64 = 7 * DAY;

/// From `ARCHIVING` to `ARCHIVED` (`spec/tables.md#status-archival`).
pub const ARCHIVING_DURATION_MS: u64 = 300 * SECOND;

/// How long after an accepted key switch `SSEDescription` still shows the old key
/// (`spec/tables.md#update-status`).
pub const SWITCH_OLD_KEY_MS: u64 = 8 * SECOND;

/// How long after an accepted key switch `SSEDescription.Status` is `UPDATING`
/// (`spec/tables.md#update-status`).
pub const SWITCH_UPDATING_MS: u64 = 22 * SECOND;

/// How long a deleted table stays `DELETING` (`spec/tables.md#delete`).
pub const DELETING_MS: u64 = 8 * SECOND;
