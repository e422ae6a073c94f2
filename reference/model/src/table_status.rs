//! The table-status machine as data (`spec/tables.md#status-table`): which event moves a table
//! from which `TableStatus` to which.
//!
//! The model keeps each table's status as a value of [`TableStatus`] and changes it only by
//! looking up [`TABLE_STATUS_TRANSITIONS`]; the timed events (900 s of an unusable key, 7 days
//! after detection, 300 s of archiving, 8 s of deleting) are raised lazily when a request arrives, so no
//! background task exists. The table is pinned as a snapshot by the test suite.

use serde::Serialize;

/// A table's status, plus the pseudo-states before creation and after deletion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum TableStatus {
    /// Not created (the spec's "(none)").
    Absent,
    /// `CREATING`: only in the CreateTable response.
    Creating,
    /// `ACTIVE`.
    Active,
    /// `INACCESSIBLE_ENCRYPTION_CREDENTIALS`.
    InaccessibleEncryptionCredentials,
    /// `ARCHIVING`.
    Archiving,
    /// `ARCHIVED`.
    Archived,
    /// `DELETING`: for 8 s after the DeleteTable; the table is gone afterwards.
    Deleting,
}

impl TableStatus {
    /// The `TableStatus` value on the wire.
    pub fn wire_name(self) -> &'static str {
        match self {
            TableStatus::Absent => "(none)",
            TableStatus::Creating => "CREATING",
            TableStatus::Active => "ACTIVE",
            TableStatus::InaccessibleEncryptionCredentials => "INACCESSIBLE_ENCRYPTION_CREDENTIALS",
            TableStatus::Archiving => "ARCHIVING",
            TableStatus::Archived => "ARCHIVED",
            TableStatus::Deleting => "DELETING",
        }
    }

    /// Whether the table is being or has been archived (data plane refused, final).
    pub fn is_archival(self) -> bool {
        matches!(self, TableStatus::Archiving | TableStatus::Archived)
    }
}

/// What moves a table between statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum TableEvent {
    /// CreateTable accepted.
    CreateTableAccepted,
    /// Any request after the CreateTable request.
    LaterRequest,
    /// The table's key has been unusable for 900 s.
    KeyUnusableFor900s,
    /// An SSE switch was accepted (status unchanged; `SSEDescription.Status` is `UPDATING` for
    /// 22 s).
    SseSwitchAccepted,
    /// The table's key is usable again.
    KeyUsableAgain,
    /// 604800 s have passed since detection.
    SevenDaysAfterDetection,
    /// 300 s have passed since archiving started.
    ArchivingFor300s,
    /// DeleteTable (refused while `ARCHIVING` or while `SSEDescription.Status` is `UPDATING`).
    DeleteTable,
    /// 8 s have passed since the first DeleteTable.
    DeletingFor8s,
}

//= spec/tables.md#status-table
//# Source: sections 5.1 to 5.4 and 6, whose requirements this table summarises; the reference model
//# pins it as a snapshot.
/// `(from, event, to)`: every status change a table can make.
pub const TABLE_STATUS_TRANSITIONS: &[(TableStatus, TableEvent, TableStatus)] = &[
    (
        TableStatus::Absent,
        TableEvent::CreateTableAccepted,
        TableStatus::Creating,
    ),
    (
        TableStatus::Creating,
        TableEvent::LaterRequest,
        TableStatus::Active,
    ),
    (
        TableStatus::Active,
        TableEvent::KeyUnusableFor900s,
        TableStatus::InaccessibleEncryptionCredentials,
    ),
    (
        TableStatus::Active,
        TableEvent::SseSwitchAccepted,
        TableStatus::Active,
    ),
    (
        TableStatus::InaccessibleEncryptionCredentials,
        TableEvent::KeyUsableAgain,
        TableStatus::Active,
    ),
    (
        TableStatus::InaccessibleEncryptionCredentials,
        TableEvent::SevenDaysAfterDetection,
        TableStatus::Archiving,
    ),
    (
        TableStatus::Archiving,
        TableEvent::ArchivingFor300s,
        TableStatus::Archived,
    ),
    (
        TableStatus::Active,
        TableEvent::DeleteTable,
        TableStatus::Deleting,
    ),
    (
        TableStatus::InaccessibleEncryptionCredentials,
        TableEvent::DeleteTable,
        TableStatus::Deleting,
    ),
    (
        TableStatus::Archived,
        TableEvent::DeleteTable,
        TableStatus::Deleting,
    ),
    (
        TableStatus::Deleting,
        TableEvent::DeleteTable,
        TableStatus::Deleting,
    ),
    (
        TableStatus::Deleting,
        TableEvent::DeletingFor8s,
        TableStatus::Absent,
    ),
];

/// The status `event` moves a table in `from` to, if the pair is a transition.
pub fn next_table_status(from: TableStatus, event: TableEvent) -> Option<TableStatus> {
    TABLE_STATUS_TRANSITIONS
        .iter()
        .find(|(f, e, _)| *f == from && *e == event)
        .map(|(_, _, to)| *to)
}
