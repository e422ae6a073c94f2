//! The table status lifecycle of a KMS table (`spec/tables.md#status`): evaluated from the
//! table's unusable-since time and `now`, with no background task.
//!
//! The engine calls [`note_usability`] whenever something that can change the usability of a
//! table's key happens (key state change, grant created or removed, key switch); [`status`]
//! then answers for any later `now`.

use ddbsse_wire::time::Timestamp;

use super::state::TableMeta;

pub use ddbsse_wire::durations::{
    ARCHIVAL_DELAY_MS as ARCHIVING_AFTER_MS, ARCHIVING_DURATION_MS as ARCHIVED_AFTER_MS,
    DELETING_MS, DETECTION_DELAY_MS as DETECTION_MS, SWITCH_OLD_KEY_MS, SWITCH_UPDATING_MS,
};

/// Whether the table's last key switch is still `UPDATING` at `now`.
pub fn switch_updating(meta: &TableMeta, now: Timestamp) -> bool {
    meta.switch
        .as_ref()
        .is_some_and(|s| now < s.at.plus(SWITCH_UPDATING_MS))
}

/// What a table's status is at some `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lifecycle {
    /// Usable (or not yet detected).
    Active,
    /// `INACCESSIBLE_ENCRYPTION_CREDENTIALS` since `detected`.
    Inaccessible {
        /// Detection time.
        detected: Timestamp,
    },
    /// `ARCHIVING` since `start`.
    Archiving {
        /// Detection time.
        detected: Timestamp,
        /// Start of archiving.
        start: Timestamp,
    },
    /// `ARCHIVED`; archiving started at `start`.
    Archived {
        /// Detection time.
        detected: Timestamp,
        /// Start of archiving.
        start: Timestamp,
    },
}

impl Lifecycle {
    /// The `TableStatus` string.
    pub fn table_status(self) -> &'static str {
        match self {
            Lifecycle::Active => "ACTIVE",
            Lifecycle::Inaccessible { .. } => "INACCESSIBLE_ENCRYPTION_CREDENTIALS",
            Lifecycle::Archiving { .. } => "ARCHIVING",
            Lifecycle::Archived { .. } => "ARCHIVED",
        }
    }

    /// `InaccessibleEncryptionDateTime`, when set.
    pub fn detected(self) -> Option<Timestamp> {
        match self {
            Lifecycle::Active => None,
            Lifecycle::Inaccessible { detected }
            | Lifecycle::Archiving { detected, .. }
            | Lifecycle::Archived { detected, .. } => Some(detected),
        }
    }

    /// True while archiving or archived.
    pub fn archived(self) -> bool {
        matches!(
            self,
            Lifecycle::Archiving { .. } | Lifecycle::Archived { .. }
        )
    }
}

fn from_start(start: Timestamp, now: Timestamp) -> Lifecycle {
    let detected = Timestamp(start.0.saturating_sub(ARCHIVING_AFTER_MS));
    //= spec/tables.md#status-archival
    //# A table that has been `ARCHIVING` for 300 s MUST report `TableStatus` `ARCHIVED` and an `ArchivalSummary` with `ArchivalDateTime` equal to the start of `ARCHIVING` in epoch seconds, `ArchivalReason` `INACCESSIBLE_ENCRYPTION_CREDENTIALS` and an `ArchivalBackupArn`.
    if now.since(start) >= ARCHIVED_AFTER_MS {
        Lifecycle::Archived { detected, start }
    } else {
        Lifecycle::Archiving { detected, start }
    }
}

/// The table's lifecycle at `now`.
pub fn status(meta: &TableMeta, now: Timestamp) -> Lifecycle {
    if let Some(start) = meta.archival_start {
        return from_start(start, now);
    }
    let Some(since) = meta.unusable_since else {
        return Lifecycle::Active;
    };
    //= spec/tables.md#status-inaccessible
    //# A KMS table whose key has been unusable for at least 900 s (15 minutes) MUST report `TableStatus` `INACCESSIBLE_ENCRYPTION_CREDENTIALS`, and one whose key has been unusable for less than 900 s MUST report the status it had before.
    let detected = since.plus(DETECTION_MS);
    let start = detected.plus(ARCHIVING_AFTER_MS);
    //= spec/tables.md#status-archival
    //# A table that has been `INACCESSIBLE_ENCRYPTION_CREDENTIALS` for 7 days (604800 s) MUST report `TableStatus` `ARCHIVING`, whether or not its key has become usable since.
    if now >= start {
        from_start(start, now)
    } else if now >= detected {
        Lifecycle::Inaccessible { detected }
    } else {
        Lifecycle::Active
    }
}

/// Records that the table's key is (un)usable from `now` on; returns whether the record
/// changed.
pub fn note_usability(meta: &mut TableMeta, usable: bool, now: Timestamp) -> bool {
    if meta.archival_start.is_some() {
        // Archival is final.
        return false;
    }
    match (usable, meta.unusable_since) {
        (false, None) => {
            meta.unusable_since = Some(now);
            true
        }
        (true, Some(since)) => {
            let start = since.plus(DETECTION_MS).plus(ARCHIVING_AFTER_MS);
            if now >= start {
                //= spec/tables.md#status-archival
                //# Archival is final: a key that becomes usable again after `ARCHIVING` has started changes nothing.
                meta.archival_start = Some(start);
            } else {
                //= spec/tables.md#status-recovery
                //# When the key of an `INACCESSIBLE_ENCRYPTION_CREDENTIALS` table becomes usable again, the next response describing the table MUST carry `TableStatus` `ACTIVE` and no `InaccessibleEncryptionDateTime`.
                meta.unusable_since = None;
            }
            true
        }
        _ => false,
    }
}
