//! The time-to-live sweep (`spec/control-plane.md#ttl-expiry`): DynamoDB's own deletion of
//! expired items, run by the shell whenever the endpoint's clock moves (the manual clock) or
//! periodically (the system clock).
//!
//! Does: for every table with TTL enabled, open its rows under the table key held by the
//! service itself (no KMS call, no trail record: `spec/control-plane.md#ttl-sse`), and delete the
//! items a sweep at `now` finds due, each through the row deletion DeleteItem uses. Skips
//! archived tables and KMS tables whose key has been unusable for 30 minutes or more.
//! Does not: decide what is due (`ddbsse_wire::ttl`), schedule itself, or touch tables without
//! TTL.

use std::sync::Arc;

use ddbsse_wire::ApiError;
use ddbsse_wire::time::Timestamp;
use ddbsse_wire::ttl::{self, Verdict};

use super::state::{State, TableMeta, TableSse};
use super::table_crypto::{TableCrypto, internal};
use super::{Engine, lifecycle};
use crate::storage::Space;

/// Rows read from the store per batch while sweeping a table.
const BATCH: usize = 256;

impl Engine {
    /// Deletes every item a TTL sweep at `now` finds due, and returns how many it deleted.
    pub fn sweep_expired(&self, now: Timestamp) -> Result<usize, ApiError> {
        let st = self.read_state();
        let mut deleted = 0;
        for meta in st.tables.values() {
            //= spec/control-plane.md#ttl-expiry
            //# Only the items of tables whose TTL is enabled (`#ttl-describe`) are swept, under the attribute TTL is enabled on; an item of a table whose TTL is disabled MUST NOT be deleted by the sweep.
            let Some(ttl) = meta.extras.ttl.as_ref().filter(|t| t.enabled) else {
                continue;
            };
            //= spec/control-plane.md#ttl-sse
            //# The sweep MUST NOT delete items of an `ARCHIVING` or `ARCHIVED` table.
            if lifecycle::status(meta, now).archived() {
                continue;
            }
            if matches!(meta.sse, TableSse::Kms { .. })
                && !ttl::key_allows_sweep(meta.unusable_since, now)
            {
                continue;
            }
            let crypto = self.service_crypto(&st, meta)?;
            deleted += self.sweep_table(meta, &crypto, &ttl.attribute, now)?;
        }
        Ok(deleted)
    }

    //= spec/control-plane.md#ttl-sse
    //# The sweep MUST NOT call KMS and MUST NOT add a record to the trail: it uses the table key DynamoDB holds for the table itself, not a caller's table-key cache entry.
    /// The table's crypto as DynamoDB itself holds it: the owned key's, or the table key
    /// unwrapped without a KMS call or trail record.
    fn service_crypto(&self, st: &State, meta: &TableMeta) -> Result<Arc<TableCrypto>, ApiError> {
        match &meta.sse {
            TableSse::Owned => self.owned_table_crypto(meta),
            TableSse::Kms { key_id, .. } => {
                let ctx = meta.context(&self.config.account);
                let table_key =
                    self.unwrap_table_key_internal(st, key_id, &meta.wrapped(), &ctx)?;
                Ok(Arc::new(TableCrypto::new(
                    &table_key,
                    &meta.arn(&self.config.region, &self.config.account),
                )?))
            }
        }
    }

    fn sweep_table(
        &self,
        meta: &TableMeta,
        crypto: &TableCrypto,
        attribute: &str,
        now: Timestamp,
    ) -> Result<usize, ApiError> {
        let uid = meta.uid_bytes();
        let schema = meta.schema();
        let mut after: Option<Vec<u8>> = None;
        let mut deleted = 0;
        loop {
            let rows = self
                .store
                .range(Space::Items, &uid, after.as_deref(), BATCH)
                .map_err(|_| internal("storage read failed"))?;
            let n = rows.len();
            for (row, envelope) in rows {
                let item = crypto.open(&row, &envelope, &uid, &schema)?;
                if ttl::verdict(&item, attribute, now) == Verdict::Due {
                    // A write since the read wins: look again under the row's lock.
                    let _lock = self.lock_row(&row);
                    let current = self.read_row(crypto, meta, &row)?;
                    if let Some(current) =
                        current.filter(|c| ttl::verdict(c, attribute, now) == Verdict::Due)
                    {
                        //= spec/control-plane.md#ttl-expiry
                        //# Deleting an expired item MUST have the effect of a DeleteItem of its key: later reads do not return it and the table's `ItemCount` no longer counts it.
                        self.delete_item_row(crypto, meta, &row, Some(&current))?;
                        deleted += 1;
                    }
                }
                after = Some(row);
            }
            if n < BATCH {
                return Ok(deleted);
            }
        }
    }
}
