//! TransactWriteItems over encrypted rows: every action's table key through the cache (one
//! entry per table), every row locked, every old item opened and every condition evaluated before
//! anything is written, then all new envelopes committed in one store commit.
//!
//! Does: the all-or-nothing write. Does not: parse actions (`ddbsse_wire::transact`).

use std::sync::Arc;

use ddbsse_wire::ApiError;
use ddbsse_wire::attribute::Item;
use ddbsse_wire::dynamodb::{
    ItemResponse, TransactGetItemsInput, TransactGetItemsOutput, TransactWriteItemsInput,
    TransactWriteItemsOutput,
};
use ddbsse_wire::expression::errors::key_attribute_updated;
use ddbsse_wire::transact::{self, ActionKind};
use ddbsse_wire::transact_token;

use super::index_entries::check_index_keys;
use crate::engine::table_crypto::TableCrypto;
use crate::engine::transact_tokens::Admission;
use crate::engine::{Call, Engine};
use crate::storage::{Space, WriteOp};

impl Engine {
    pub(crate) fn transact_write_items(
        &self,
        call: &Call<'_>,
        i: TransactWriteItemsInput,
    ) -> Result<TransactWriteItemsOutput, ApiError> {
        let actions = transact::actions(&i)?;
        let token = transact_token::token(&i)?;
        let admission =
            self.transact_tokens
                .admit(token, || transact_token::fingerprint(&i), call.now)?;
        let st = self.read_state();
        let mut keys: Vec<Item> = Vec::with_capacity(actions.len());
        for a in &actions {
            let meta = self.data_table(&st, Some(&a.table))?;
            let schema = meta.schema();
            let key = schema.key_of(&a.item, a.kind != ActionKind::Put)?;
            if a.kind == ActionKind::Put {
                check_index_keys(meta, &a.item)?;
            }
            if let Some(u) = &a.update
                && let Some(k) = u.writes_any(&schema.names())
            {
                return Err(key_attribute_updated(k));
            }
            //= spec/items.md#transact-write
            //# Two actions on the same item MUST be refused with `Transaction request cannot include multiple operations on one item`.
            if actions
                .iter()
                .zip(&keys)
                .any(|(b, k)| b.table == a.table && *k == key)
            {
                return Err(transact::same_item_twice());
            }
            keys.push(key);
        }
        //= spec/items.md#transact-write
        //# A transaction MUST obtain the table key of every table it names through the table-key cache, one entry per table, before it reads any item, and MUST fail whole, writing nothing, when one of them cannot be obtained.
        let mut cryptos: Vec<(String, Arc<TableCrypto>)> = Vec::new();
        for a in &actions {
            if !cryptos.iter().any(|(t, _)| *t == a.table) {
                let meta = self.data_table(&st, Some(&a.table))?;
                cryptos.push((a.table.clone(), self.data_plane_crypto(&st, meta, call)?));
            }
        }
        //= spec/items.md#transact-token
        //# A TransactWriteItems whose token is bound to the same parameters MUST obtain its table keys as any transaction does and then answer success without evaluating a condition or writing anything.
        let pending = match admission {
            Admission::Repeat => return Ok(TransactWriteItemsOutput {}),
            Admission::New(p) => Some(p),
            Admission::Untracked => None,
        };
        let mut rows: Vec<Vec<u8>> = Vec::with_capacity(actions.len());
        for (a, key) in actions.iter().zip(&keys) {
            let meta = self.data_table(&st, Some(&a.table))?;
            let crypto = crypto_of(&cryptos, &a.table)?;
            rows.push(
                crypto
                    .row_key(&meta.uid_bytes(), &meta.schema(), key)
                    .to_vec(),
            );
        }
        let _locks = self.row_locks.lock_all(rows.iter().map(Vec::as_slice));
        let mut failed = Vec::with_capacity(actions.len());
        let mut any_failed = false;
        let mut ops = Vec::with_capacity(actions.len());
        for ((a, key), row) in actions.iter().zip(keys).zip(&rows) {
            let meta = self.data_table(&st, Some(&a.table))?;
            let crypto = crypto_of(&cryptos, &a.table)?;
            let old = self.read_row(crypto, meta, row)?;
            let empty = Item::new();
            let holds = a
                .condition
                .as_ref()
                .is_none_or(|c| c.eval(old.as_ref().unwrap_or(&empty)));
            if !holds {
                any_failed = true;
                failed.push(Some(old.filter(|_| a.item_on_failure)));
                continue;
            }
            failed.push(None);
            match a.kind {
                ActionKind::Check => {}
                ActionKind::Put => {
                    ops.push(WriteOp::Put(
                        Space::Items,
                        row.clone(),
                        crypto.seal(row, &a.item)?,
                    ));
                    self.index_writes(crypto, meta, old.as_ref(), Some(&a.item), &mut ops)?;
                }
                ActionKind::Delete => {
                    ops.push(WriteOp::Delete(Space::Items, row.clone()));
                    self.index_writes(crypto, meta, old.as_ref(), None, &mut ops)?;
                }
                ActionKind::Update => {
                    let base = old.clone().unwrap_or(key);
                    let new = match &a.update {
                        Some(u) => u.apply(&base)?,
                        None => base,
                    };
                    check_index_keys(meta, &new)?;
                    ops.push(WriteOp::Put(
                        Space::Items,
                        row.clone(),
                        crypto.seal(row, &new)?,
                    ));
                    self.index_writes(crypto, meta, old.as_ref(), Some(&new), &mut ops)?;
                }
            }
        }
        if any_failed {
            return Err(transact::canceled(failed));
        }
        //= spec/items.md#transact-write
        //# When every condition holds, TransactWriteItems MUST make every put, delete and update of the request, each as the single-item operation of the same name would.
        self.commit(ops)?;
        if let Some(p) = pending {
            p.succeeded(call.now);
        }
        Ok(TransactWriteItemsOutput {})
    }
}

impl Engine {
    pub(crate) fn transact_get_items(
        &self,
        call: &Call<'_>,
        i: TransactGetItemsInput,
    ) -> Result<TransactGetItemsOutput, ApiError> {
        let reads = transact::reads(&i)?;
        let st = self.read_state();
        let mut keys: Vec<Item> = Vec::with_capacity(reads.len());
        for r in &reads {
            let meta = self.data_table(&st, Some(&r.table))?;
            let key = meta.schema().key_of(&r.key, true)?;
            if reads
                .iter()
                .zip(&keys)
                .any(|(b, k)| b.table == r.table && *k == key)
            {
                return Err(transact::same_item_twice());
            }
            keys.push(key);
        }
        let mut cryptos: Vec<(String, Arc<TableCrypto>)> = Vec::new();
        for r in &reads {
            if !cryptos.iter().any(|(t, _)| *t == r.table) {
                let meta = self.data_table(&st, Some(&r.table))?;
                cryptos.push((r.table.clone(), self.data_plane_crypto(&st, meta, call)?));
            }
        }
        let mut rows: Vec<Vec<u8>> = Vec::with_capacity(reads.len());
        for (r, key) in reads.iter().zip(&keys) {
            let meta = self.data_table(&st, Some(&r.table))?;
            rows.push(
                crypto_of(&cryptos, &r.table)?
                    .row_key(&meta.uid_bytes(), &meta.schema(), key)
                    .to_vec(),
            );
        }
        //= spec/items.md#transact-get
        //# TransactGetItems MUST take 1 to 100 reads, each a `Get` with a table name and a key, refuse two reads of the same item as TransactWriteItems does, obtain every table's key through the table-key cache before reading, and answer `Responses` with one entry per read in order, holding `Item` (projected when asked) when the item exists.
        let _locks = self.row_locks.lock_all(rows.iter().map(Vec::as_slice));
        let mut responses = Vec::with_capacity(reads.len());
        for (r, row) in reads.iter().zip(&rows) {
            let meta = self.data_table(&st, Some(&r.table))?;
            let item = self.read_row(crypto_of(&cryptos, &r.table)?, meta, row)?;
            responses.push(ItemResponse {
                item: item.map(|it| super::items::apply(it, &r.projection)),
            });
        }
        Ok(TransactGetItemsOutput { responses })
    }
}

fn crypto_of<'c>(
    cryptos: &'c [(String, Arc<TableCrypto>)],
    table: &str,
) -> Result<&'c TableCrypto, ApiError> {
    cryptos
        .iter()
        .find(|(t, _)| t == table)
        .map(|(_, c)| c.as_ref())
        .ok_or_else(|| {
            crate::engine::table_crypto::internal("no table key for a transaction's table")
        })
}
