//! The parts of a table's metadata that the control plane beyond keys and SSE keeps: secondary
//! indexes with their timed status, time to live, tags and point-in-time recovery
//! (`spec/control-plane.md`).
//!
//! Does: hold and serialise them, and say an index's status at `now`. Does not: handle requests
//! (`dynamodb::control` does) or store index data (`dynamodb::index_entries` does).

use std::collections::BTreeMap;

use ddbsse_wire::control_errors::{INDEX_CREATING_MS, INDEX_DELETING_MS};
use ddbsse_wire::time::Timestamp;
use ddbsse_wire::validate_indexes::IndexDef;
use serde::{Deserialize, Serialize};

/// One secondary index and when its status last changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredIndex {
    /// The validated definition.
    pub def: IndexDef,
    /// When UpdateTable added it (`None`: created with the table, `ACTIVE` at once).
    pub added: Option<Timestamp>,
    /// When UpdateTable deleted it.
    pub deleted: Option<Timestamp>,
    /// Added by UpdateTable and not yet filled with the entries of the items that were in the
    /// table before (the first read of the index fills it, `dynamodb::index_entries`).
    #[serde(default)]
    pub unfilled: bool,
}

impl StoredIndex {
    /// The index's status at `now`, or `None` once a deleted index is gone.
    pub fn status(&self, now: Timestamp) -> Option<&'static str> {
        //= spec/control-plane.md#index-status
        //# A global index deleted by UpdateTable MUST be described with `IndexStatus` `DELETING` from the UpdateTable response until 5 s (5000 ms) later, and MUST NOT be described from then on.
        if let Some(d) = self.deleted {
            return (now < d.plus(INDEX_DELETING_MS)).then_some("DELETING");
        }
        //= spec/control-plane.md#index-status
        //# A global index added by UpdateTable MUST be described with `IndexStatus` `CREATING` and `Backfilling` `true` from the UpdateTable response until 5 s (5000 ms) later, and with `IndexStatus` `ACTIVE` and no `Backfilling` from then on.
        match self.added {
            Some(a) if now < a.plus(INDEX_CREATING_MS) => Some("CREATING"),
            _ => Some("ACTIVE"),
        }
    }
}

/// A table's time-to-live setting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TtlState {
    /// The attribute.
    pub attribute: String,
    /// Enabled or disabled.
    pub enabled: bool,
    /// When the last accepted UpdateTimeToLive was handled.
    pub changed: Timestamp,
}

/// A table's point-in-time recovery while enabled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PitrState {
    /// When it was enabled.
    pub since: Timestamp,
    /// `RecoveryPeriodInDays`.
    pub days: i64,
}

/// The control-plane extras of a table.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableExtras {
    /// Secondary indexes, local ones first, in request order.
    #[serde(default)]
    pub indexes: Vec<StoredIndex>,
    /// Time to live (`None`: never set).
    #[serde(default)]
    pub ttl: Option<TtlState>,
    /// Tags by key.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Point-in-time recovery (`None`: disabled).
    #[serde(default)]
    pub pitr: Option<PitrState>,
    /// When `PAY_PER_REQUEST` was last set, by CreateTable or UpdateTable (`None`: never, or a
    /// table stored before this field, see [`TableExtras::pay_per_request_since`]).
    #[serde(default)]
    pub pay_per_request_at: Option<Timestamp>,
    /// The class UpdateTable last set, and when (`None`: never set).
    #[serde(default)]
    pub table_class: Option<(String, Timestamp)>,
}

impl TableExtras {
    /// Whether an index is `CREATING` or `DELETING` at `now`.
    pub fn index_changing(&self, now: Timestamp) -> bool {
        self.indexes
            .iter()
            .any(|i| matches!(i.status(now), Some("CREATING" | "DELETING")))
    }

    /// When `PAY_PER_REQUEST` was last set on a table created at `created` that is `on_demand`
    /// now: the recorded time, else (a table stored before it was recorded) its creation when it
    /// is on demand.
    pub fn pay_per_request_since(&self, created: Timestamp, on_demand: bool) -> Option<Timestamp> {
        self.pay_per_request_at.or(on_demand.then_some(created))
    }

    /// Drops deleted indexes whose `DELETING` period ended.
    pub fn purge_indexes(&mut self, now: Timestamp) {
        self.indexes.retain(|i| i.status(now).is_some());
    }
}
