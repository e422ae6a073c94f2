//! Time-driven changes, evaluated lazily when a request arrives (`spec/tables.md#status`):
//! key deletion at `DeletionDate`, `CREATING` to `ACTIVE`, detection of an unusable key after
//! 900 s, `ARCHIVING` 7 days after detection and `ARCHIVED` 300 s later; and, after every
//! request, whether each KMS table's key is usable (which starts or ends an unusable period).
//!
//! Every status change is a lookup in the table-status machine (`table_status.rs`).

use super::tables::Table;
use ddbsse_wire::ids::IdSource;
use ddbsse_wire::time::Timestamp;

use super::Model;
use super::table_status::{TableEvent, TableStatus, next_table_status};

pub use ddbsse_wire::durations::{
    ARCHIVAL_DELAY_MS, ARCHIVING_DURATION_MS, DELETING_MS, DETECTION_DELAY_MS, SWITCH_OLD_KEY_MS,
    SWITCH_UPDATING_MS,
};

impl Model {
    /// Brings every key and table up to `now`, before a request is handled.
    pub(super) fn settle(&mut self, now: Timestamp) {
        self.delete_due_keys(now);
        //= spec/tables.md#delete
        //# From `d` + 8 s on, every request naming the table MUST fail with `ResourceNotFoundException`, ListTables MUST NOT list it, and a CreateTable naming it MUST be accepted.
        self.deleting
            .retain(|_, (_, deleted)| now < deleted.plus(DELETING_MS));
        let names: Vec<String> = self.tables.keys().cloned().collect();
        for name in names {
            self.settle_table(&name, now);
        }
    }

    fn settle_table(&mut self, name: &str, now: Timestamp) {
        let entered_archiving = match self.tables.get_mut(name) {
            Some(t) => advance_status(t, now),
            None => return,
        };
        if entered_archiving {
            let suffix = self.ids.hex(4);
            let (region, account) = (self.config.region.clone(), self.config.account.clone());
            if let Some(t) = self.tables.get_mut(name)
                && let Some(since) = t.archiving_since
            {
                //= spec/tables.md#status-archival
                //# `ArchivalBackupArn` is `arn:aws:dynamodb:<region>:<account>:table/<table name>/backup/<14-digit
                //# zero-padded epoch milliseconds of ArchivalDateTime>-<8 lowercase hex digits>`.
                t.archival_backup_arn = Some(format!(
                    "arn:aws:dynamodb:{region}:{account}:table/{}/backup/{:014}-{suffix}",
                    t.name,
                    since.millis()
                ));
            }
        }
    }

    /// After a request: starts or ends each table's unusable period.
    pub(super) fn refresh_usability(&mut self, now: Timestamp) {
        let names: Vec<String> = self.tables.keys().cloned().collect();
        for name in names {
            self.refresh_table_usability(&name, now);
        }
    }

    /// Starts or ends one table's unusable period at `now`.
    pub(super) fn refresh_table_usability(&mut self, name: &str, now: Timestamp) {
        let Some(t) = self.tables.get(name) else {
            return;
        };
        //= spec/tables.md#status-archival
        //# Archival is final: a key that becomes usable again after `ARCHIVING` has started changes nothing.
        if t.status.is_archival() {
            return;
        }
        //= spec/tables.md#status-inaccessible
        //# A KMS table's key is *unusable* when the key is disabled, pending deletion or deleted, or when no
        //# grant on the key lets `dynamodb.<region>.amazonaws.com` perform `Decrypt` under the table's
        //# encryption context (`spec/kms.md#grant-table-access`).
        let usable = t
            .sse
            .as_ref()
            .is_none_or(|sse| self.key_usable_for(&sse.key_arn, name));
        let Some(t) = self.tables.get_mut(name) else {
            return;
        };
        match (usable, t.unusable_since) {
            (false, None) => t.unusable_since = Some(now),
            (true, Some(_)) => {
                t.unusable_since = None;
                //= spec/tables.md#status-recovery
                //# When the key of an `INACCESSIBLE_ENCRYPTION_CREDENTIALS` table becomes usable again, the next response describing the table MUST carry `TableStatus` `ACTIVE` and no `InaccessibleEncryptionDateTime`.
                if let Some(next) = next_table_status(t.status, TableEvent::KeyUsableAgain) {
                    t.status = next;
                }
            }
            _ => {}
        }
    }
}

/// Applies the timed transitions a table has reached by `now` (`CREATING` to `ACTIVE` on any
/// later request, detection, archiving, archived). Pure: draws no id. Returns whether the table
/// entered `ARCHIVING` now.
pub fn advance_status(t: &mut Table, now: Timestamp) -> bool {
    let apply = |t: &mut Table, event: TableEvent| {
        if let Some(next) = next_table_status(t.status, event) {
            t.status = next;
        }
    };
    let mut entered_archiving = false;
    if t.status == TableStatus::Creating {
        apply(t, TableEvent::LaterRequest);
    }
    if let Some(since) = t.unusable_since {
        let detected = since.plus(DETECTION_DELAY_MS);
        //= spec/tables.md#status-inaccessible
        //# A KMS table whose key has been unusable for at least 900 s (15 minutes) MUST report `TableStatus` `INACCESSIBLE_ENCRYPTION_CREDENTIALS`, and one whose key has been unusable for less than 900 s MUST report the status it had before.
        if t.status == TableStatus::Active && now >= detected {
            apply(t, TableEvent::KeyUnusableFor900s);
        }
        //= spec/tables.md#status-archival
        //# A table that has been `INACCESSIBLE_ENCRYPTION_CREDENTIALS` for 7 days (604800 s) MUST report `TableStatus` `ARCHIVING`, whether or not its key has become usable since.
        let archiving = detected.plus(ARCHIVAL_DELAY_MS);
        if t.status == TableStatus::InaccessibleEncryptionCredentials && now >= archiving {
            apply(t, TableEvent::SevenDaysAfterDetection);
            t.archiving_since = Some(archiving);
            entered_archiving = true;
        }
    }
    //= spec/tables.md#status-archival
    //# A table that has been `ARCHIVING` for 300 s MUST report `TableStatus` `ARCHIVED` and an `ArchivalSummary` with `ArchivalDateTime` equal to the start of `ARCHIVING` in epoch seconds, `ArchivalReason` `INACCESSIBLE_ENCRYPTION_CREDENTIALS` and an `ArchivalBackupArn`.
    if t.status == TableStatus::Archiving
        && t.archiving_since
            .is_some_and(|s| now >= s.plus(ARCHIVING_DURATION_MS))
    {
        apply(t, TableEvent::ArchivingFor300s);
    }
    entered_archiving
}
