//! Secondary-index entries of the endpoint (`spec/items.md#index-read`,
//! `spec/items.md#index-at-rest`): the writes that keep them in step with the table's items,
//! Query and Scan with `IndexName` over them, filling an index UpdateTable added, and the
//! figures DescribeTable shows.
//!
//! Storage layout (decided here): an entry is the projected item ([`IndexView::entry`]) sealed
//! under the table key like an item, in [`Space::Index`] at
//! [`TableCrypto::index_row_key`]: `table uid || index tag || keyed partition hash || keyed
//! key hash`, so nothing of an entry is in clear. The index tag is an unkeyed hash of the table
//! uid, the index name and when the index was added: it names the index's rows so that
//! UpdateTable and DeleteTable (which have no table key) can drop them.
//!
//! A table without indexes pays nothing: [`Engine::index_writes`] returns before any work, and
//! the single-item writes read the old item only when a condition, `ReturnValues` or an index
//! needs it. Does not: decide what an index holds or how its entries are ordered (the wire's
//! `index_read` does, for the model too).

use std::cmp::Ordering;

use ddbsse_wire::attribute::{Item, item_size};
use ddbsse_wire::dynamodb::{ItemsOutput, QueryInput, ScanInput};
use ddbsse_wire::expression::read_expressions;
use ddbsse_wire::index_keys;
use ddbsse_wire::index_read::{self, IndexSelect, IndexView};
use ddbsse_wire::select::{self, ReadOp};
use ddbsse_wire::{ApiError, validate};
use sha2::{Digest, Sha256};

use super::query::PAGE_BYTES;
use crate::engine::control_state::StoredIndex;
use crate::engine::state::{TableMeta, put_table};
use crate::engine::table_crypto::{TableCrypto, canonical_key, internal};
use crate::engine::{Call, Engine};
use crate::storage::{Space, WriteOp};

/// Domain of the index tag hash.
const TAG_DOMAIN: &[u8] = b"ddbsse:index-tag:v1";

/// The 16-byte tag that prefixes an index's rows (see the module docs).
pub(crate) fn index_tag(uid: &[u8; 16], x: &StoredIndex) -> [u8; 16] {
    let mut h = Sha256::new();
    h.update(TAG_DOMAIN);
    h.update(uid);
    h.update(x.added.map_or(0, |t| t.millis()).to_be_bytes());
    h.update(x.def.name.as_bytes());
    let d = h.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&d[..16]);
    out
}

/// The row prefix of an index's entries.
pub(crate) fn index_prefix(uid: &[u8; 16], x: &StoredIndex) -> Vec<u8> {
    let mut p = uid.to_vec();
    p.extend_from_slice(&index_tag(uid, x));
    p
}

/// Checks the index key attributes of an item a write would store in the table `meta`
/// (`spec/items.md#index-key-check`): every index that is not being deleted. Nothing to do for
/// a table without indexes.
pub(crate) fn check_index_keys(meta: &TableMeta, item: &Item) -> Result<(), ApiError> {
    index_keys::check(
        item,
        meta.extras
            .indexes
            .iter()
            .filter(|x| x.deleted.is_none())
            .map(|x| &x.def),
        &meta.attribute_definitions,
    )
}

/// The index a read names, at `now`.
fn resolve<'m>(
    meta: &'m TableMeta,
    name: &str,
    now: ddbsse_wire::time::Timestamp,
) -> Result<(&'m StoredIndex, IndexView), ApiError> {
    let view = index_read::resolve(
        name,
        meta.extras
            .indexes
            .iter()
            .filter_map(|x| x.status(now).map(|s| (&x.def, s))),
        &meta.attribute_definitions,
    )?;
    let stored = meta
        .extras
        .indexes
        .iter()
        .find(|x| x.def.name == name && x.deleted.is_none())
        .ok_or_else(|| index_read::no_such_index(name))?;
    Ok((stored, view))
}

impl Engine {
    //= spec/items.md#index-consistent
    //# A write that creates, replaces, updates or deletes an item (PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems) MUST add, replace or remove the item's entry in every index of the table in the same atomic commit as the item itself, so that no read sees an index that disagrees with the table.
    /// Appends to `ops` the index writes of replacing `old` by `new` (either absent) in the
    /// table `meta`. Nothing for a table without indexes.
    pub(crate) fn index_writes(
        &self,
        crypto: &TableCrypto,
        meta: &TableMeta,
        old: Option<&Item>,
        new: Option<&Item>,
        ops: &mut Vec<WriteOp>,
    ) -> Result<(), ApiError> {
        if meta.extras.indexes.is_empty() {
            return Ok(());
        }
        let uid = meta.uid_bytes();
        let schema = meta.schema();
        for x in meta.extras.indexes.iter().filter(|x| x.deleted.is_none()) {
            let view = IndexView::of(&x.def, &meta.attribute_definitions);
            let tag = index_tag(&uid, x);
            let old_e = old.and_then(|o| view.entry(&schema, o));
            let new_e = new.and_then(|n| view.entry(&schema, n));
            if old_e.is_some() && old_e == new_e {
                continue;
            }
            let row = |e: &Item| crypto.index_row_key(&uid, &tag, view.schema(), &schema, e);
            let new_row = new_e.as_ref().map(row);
            if let Some(r) = old_e.as_ref().map(row)
                && Some(r) != new_row
            {
                ops.push(WriteOp::Delete(Space::Index, r.to_vec()));
            }
            if let (Some(r), Some(e)) = (new_row, &new_e) {
                //= spec/items.md#index-at-rest
                //# An index entry MUST be stored sealed under the table's current table key like an item, at a row key made of keyed hashes of its key values, so that nothing of an entry (key values included) is stored in plaintext.
                ops.push(WriteOp::Put(Space::Index, r.to_vec(), crypto.seal(&r, e)?));
            }
        }
        Ok(())
    }

    /// Every index entry of `item` sealed by `crypto` (a key switch's re-encryption).
    pub(crate) fn index_entries_of(
        &self,
        crypto: &TableCrypto,
        meta: &TableMeta,
        item: &Item,
        ops: &mut Vec<WriteOp>,
    ) -> Result<(), ApiError> {
        self.index_writes(crypto, meta, None, Some(item), ops)
    }

    /// Fills an index UpdateTable added with the entries of the items already in the table,
    /// once, under each item's row lock; later writes keep it in step.
    ///
    /// Why a concurrent key switch cannot leave an entry sealed under the old table key: the
    /// fill seals and commits every entry while holding the state's read guard (`st` below
    /// lives until the last commit), and a key switch holds the write guard from its scan of
    /// the items to its commit, so the two never interleave: an entry the fill commits was
    /// sealed under the key that is current at its commit, and a switch that runs after
    /// re-encrypts it like every other entry. The flag is then cleared only if the table key
    /// generation is still the one the fill sealed under (a switch in between has already
    /// rebuilt every index and cleared it).
    fn fill_index(&self, call: &Call<'_>, table: &str, index: &str) -> Result<(), ApiError> {
        let generation = {
            //= spec/items.md#index-at-rest
            //# The fill of an index UpdateTable added MUST NOT interleave with a key switch: every entry it stores is sealed under the table key that is current when the entry is committed.
            let st = self.read_state();
            let meta = self.data_table(&st, Some(table))?;
            let Some(x) = meta
                .extras
                .indexes
                .iter()
                .find(|x| x.def.name == index && x.deleted.is_none() && x.unfilled)
            else {
                return Ok(());
            };
            let crypto = self.data_plane_crypto(&st, meta, call)?;
            let uid = meta.uid_bytes();
            let schema = meta.schema();
            let view = IndexView::of(&x.def, &meta.attribute_definitions);
            let tag = index_tag(&uid, x);
            let rows = self
                .store
                .scan(Space::Items, &uid)
                .map_err(|_| internal("storage read failed"))?;
            for (row, _) in rows {
                let _lock = self.lock_row(&row);
                let Some(item) = self.read_row(&crypto, meta, &row)? else {
                    continue;
                };
                if let Some(e) = view.entry(&schema, &item) {
                    let r = crypto.index_row_key(&uid, &tag, view.schema(), &schema, &e);
                    self.commit(vec![WriteOp::Put(
                        Space::Index,
                        r.to_vec(),
                        crypto.seal(&r, &e)?,
                    )])?;
                }
            }
            meta.generation
        };
        let mut st = self.write_state();
        if let Some(meta) = st.tables.get_mut(table)
            && meta.generation == generation
            && let Some(x) = meta
                .extras
                .indexes
                .iter_mut()
                .find(|x| x.def.name == index && x.deleted.is_none() && x.unfilled)
        {
            x.unfilled = false;
            self.commit(vec![put_table(meta)])?;
        }
        Ok(())
    }

    //= spec/items.md#index-read
    //# A Query with `IndexName` MUST check its key condition against the index's key schema as a Query of the table checks it against the table's, with the same messages, and MUST return the index's entries of the partition the condition names that satisfy its sort key condition, in the order of section 17 (reversed when `ScanIndexForward` is false).
    /// Query with `IndexName`.
    pub(crate) fn index_query(
        &self,
        call: &Call<'_>,
        i: &QueryInput,
        index: &str,
    ) -> Result<ItemsOutput, ApiError> {
        let (view, schema) = {
            let st = self.read_state();
            let meta = self.data_table(&st, i.table_name.as_deref())?;
            (resolve(meta, index, call.now)?.1, meta.schema())
        };
        let q = index_read::check_query(&view, &schema, i)?;
        // The request is valid: fill an index UpdateTable added (once), then read it.
        self.fill_index(call, i.table_name.as_deref().unwrap_or_default(), index)?;
        let st = self.read_state();
        let meta = self.data_table(&st, i.table_name.as_deref())?;
        let (stored, view) = resolve(meta, index, call.now)?;
        let crypto = self.data_plane_crypto(&st, meta, call)?;
        let uid = meta.uid_bytes();
        let tag = index_tag(&uid, stored);
        let hash_name = view.schema().hash.0.clone();
        let mut hash_item = Item::new();
        hash_item.insert(hash_name.clone(), q.hash.clone());
        let (part, _) = canonical_key(view.schema(), &hash_item);
        let mut prefix = uid.to_vec();
        prefix.extend_from_slice(&tag);
        prefix.extend_from_slice(&crypto.index_partition_hash(&tag, &part));
        let rows = self
            .store
            .scan(Space::Index, &prefix)
            .map_err(|_| internal("storage read failed"))?;
        let mut entries = Vec::with_capacity(rows.len());
        for (row, env) in rows {
            let e = crypto.open_entry(&row, &env, &uid, &tag, view.schema(), &schema)?;
            // A partition-q.hash collision would mix partitions: check the value itself.
            if !index_read::same_value(e.get(&hash_name), &q.hash) {
                continue;
            }
            if let Some((rn, c)) = &q.key.range
                && !e.get(rn).is_some_and(|v| c.matches(v))
            {
                continue;
            }
            entries.push(e);
        }
        entries.sort_by(|a, b| view.cmp(&schema, a, b));
        let forward = i.scan_index_forward != Some(false);
        if !forward {
            entries.reverse();
        }
        if let Some(s) = &q.start {
            let after = if forward {
                Ordering::Greater
            } else {
                Ordering::Less
            };
            entries.retain(|e| view.cmp(&schema, e, s) == after);
        }
        let items = self.fetch_items(&crypto, meta, entries, q.mode)?;
        Ok(self.page_by(
            items,
            q.limit,
            |it| Some(view.last_key(&schema, it)),
            q.filter.as_ref(),
            &q.projection,
            q.mode == IndexSelect::Count,
        ))
    }

    /// The table's items of `entries` when the read fetches them (a local index's read of
    /// attributes it does not project), else the entries.
    fn fetch_items(
        &self,
        crypto: &TableCrypto,
        meta: &TableMeta,
        entries: Vec<Item>,
        mode: IndexSelect,
    ) -> Result<Vec<Item>, ApiError> {
        if mode != IndexSelect::FetchItem {
            return Ok(entries);
        }
        let schema = meta.schema();
        let uid = meta.uid_bytes();
        let mut out = Vec::with_capacity(entries.len());
        for e in entries {
            let key = schema.key_of(&e, false)?;
            let row = crypto.row_key(&uid, &schema, &key);
            if let Some(item) = self.read_row(crypto, meta, &row)? {
                out.push(item);
            }
        }
        Ok(out)
    }

    //= spec/items.md#index-read
    //# A Scan of an index MUST return the index's entries as a Scan of a table returns its items, paged, filtered and split into segments by the index's partition key.
    /// Scan with `IndexName`: the index's rows in stored order.
    pub(crate) fn index_scan(
        &self,
        call: &Call<'_>,
        i: &ScanInput,
        index: &str,
    ) -> Result<ItemsOutput, ApiError> {
        let (view, schema) = {
            let st = self.read_state();
            let meta = self.data_table(&st, i.table_name.as_deref())?;
            (resolve(meta, index, call.now)?.1, meta.schema())
        };
        let select = select::index_read(
            ReadOp::Scan,
            i.select.as_deref(),
            i.projection_expression.is_some(),
        )?;
        let limit = validate::read_limit(i.limit)?;
        let exprs = read_expressions(
            None,
            i.filter_expression.as_deref(),
            i.projection_expression.as_deref(),
            i.expression_attribute_names.as_ref(),
            i.expression_attribute_values.as_ref(),
        )?;
        let mode = index_read::index_select(
            &view,
            &schema,
            i.consistent_read,
            select,
            exprs.projection.as_deref(),
        )?;
        let segment = ddbsse_wire::scan_segments::check(i.segment, i.total_segments)?;
        let start = i
            .exclusive_start_key
            .as_ref()
            .map(|k| view.start_key(&schema, k))
            .transpose()?;
        self.fill_index(call, i.table_name.as_deref().unwrap_or_default(), index)?;
        let st = self.read_state();
        let meta = self.data_table(&st, i.table_name.as_deref())?;
        let (stored, view) = resolve(meta, index, call.now)?;
        let crypto = self.data_plane_crypto(&st, meta, call)?;
        let uid = meta.uid_bytes();
        let tag = index_tag(&uid, stored);
        let prefix = index_prefix(&uid, stored);
        let mut after = start.map(|s| {
            crypto
                .index_row_key(&uid, &tag, view.schema(), &schema, &s)
                .to_vec()
        });
        let want = limit.unwrap_or(usize::MAX).saturating_add(1);
        let hash_name = &view.schema().hash.0;
        let mut entries = Vec::new();
        let mut bytes = 0usize;
        // Read in batches until the page is full (count or 1 MB) plus one entry, to know
        // whether more follow.
        'read: while entries.len() < want {
            let batch = (want - entries.len()).min(256);
            let rows = self
                .store
                .range(Space::Index, &prefix, after.as_deref(), batch)
                .map_err(|_| internal("storage read failed"))?;
            let Some((last_row, _)) = rows.last() else {
                break;
            };
            after = Some(last_row.clone());
            let n = rows.len();
            for (row, env) in rows {
                let e = crypto.open_entry(&row, &env, &uid, &tag, view.schema(), &schema)?;
                if segment.is_some_and(|g| !g.holds(e.get(hash_name))) {
                    continue;
                }
                let full = bytes >= PAGE_BYTES;
                bytes += item_size(&e);
                entries.push(e);
                if full {
                    break 'read;
                }
            }
            if n < batch {
                break;
            }
        }
        let items = self.fetch_items(&crypto, meta, entries, mode)?;
        Ok(self.page_by(
            items,
            limit,
            |it| Some(view.last_key(&schema, it)),
            exprs.filter.as_ref(),
            &exprs.projection,
            mode == IndexSelect::Count,
        ))
    }

    /// `ItemCount` and `IndexSizeBytes` of an index: its entries and the bytes they occupy at
    /// rest, at the time of the request.
    pub(crate) fn index_figures(&self, meta: &TableMeta, x: &StoredIndex) -> (i64, i64) {
        //= spec/control-plane.md#index-figures
        //# A described index's `ItemCount` MUST be the number of the table's items that are in the index at the time of the request (for an index UpdateTable added, from the first read of the index on).
        let prefix = index_prefix(&meta.uid_bytes(), x);
        match self.store.scan(Space::Index, &prefix) {
            Ok(rows) => (
                i64::try_from(rows.len()).unwrap_or(i64::MAX),
                rows.iter()
                    .map(|(_, v)| i64::try_from(v.len()).unwrap_or(i64::MAX))
                    .sum(),
            ),
            Err(_) => (0, 0),
        }
    }
}
