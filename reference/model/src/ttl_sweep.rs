//! The time-to-live sweep of the model (`spec/control-plane.md#ttl-expiry`): DynamoDB's own
//! deletion of expired items, run whenever the model's clock moves to a later time.
//!
//! Does: delete the items a sweep at `now` finds due (`ddbsse_wire::ttl`) from every table with
//! TTL enabled, as DeleteItem removes an item; skip archival tables and KMS tables whose key has
//! been unusable for 30 minutes or more. It calls no KMS operation and records nothing.
//! Does not: decide what is due, or sweep when the clock stands still.

use ddbsse_wire::time::Timestamp;
use ddbsse_wire::ttl::{self, Verdict};

use super::Model;

impl Model {
    //= spec/control-plane.md#ttl-sweep
    //# A target with the `clock` capability MUST run the sweep every time its clock moves to a later time, at the new time, before it answers the clock request; a target on a wall clock MUST run it at least once a minute.
    /// Runs the sweep at `now` (the caller runs it only when the clock moved).
    pub(super) fn sweep_expired(&mut self, now: Timestamp) {
        for table in self.tables.values_mut() {
            //= spec/control-plane.md#ttl-expiry
            //# Only the items of tables whose TTL is enabled (`#ttl-describe`) are swept, under the attribute TTL is enabled on; an item of a table whose TTL is disabled MUST NOT be deleted by the sweep.
            let Some(attribute) = table
                .extras
                .ttl
                .as_ref()
                .filter(|t| t.enabled)
                .map(|t| t.attribute.clone())
            else {
                continue;
            };
            //= spec/control-plane.md#ttl-sse
            //# The sweep MUST NOT delete items of an `ARCHIVING` or `ARCHIVED` table.
            if table.status.is_archival() {
                continue;
            }
            //= spec/control-plane.md#ttl-sse
            //# While a KMS table's key is unusable (`tables.md#status-inaccessible`), the sweep MUST go on deleting the table's due items for 30 minutes (1800000 ms) from the start of the unusable period and MUST NOT delete any of its items from then until the key is usable again.
            if table.sse.is_some() && !ttl::key_allows_sweep(table.unusable_since, now) {
                continue;
            }
            //= spec/control-plane.md#ttl-expiry
            //# Deleting an expired item MUST have the effect of a DeleteItem of its key: later reads do not return it and the table's `ItemCount` no longer counts it.
            table
                .items
                .retain(|_, item| ttl::verdict(item, &attribute, now) != Verdict::Due);
        }
    }
}
