//! UpdateItem over encrypted rows: the old item is opened, the update expression (from
//! `ddbsse_wire::expression`) computes the new one, and the new one is sealed under the same
//! table key, through the same table-key cache, as PutItem seals its items.
//!
//! Does: the request's checks, the condition, the update and `ReturnValues`, atomically per row.
//! Does not: parse or evaluate expressions itself.

use ddbsse_wire::ApiError;
use ddbsse_wire::dynamodb::{UpdateItemInput, WriteItemOutput};
use ddbsse_wire::expression::errors::key_attribute_updated;
use ddbsse_wire::validate::{self, Violations};
use ddbsse_wire::write_options::updated_attributes;

use super::index_entries::check_index_keys;
use super::items::{check_condition, write_options};
use crate::engine::{Call, Engine};
use crate::storage::{Space, WriteOp};

impl Engine {
    pub(crate) fn update_item(
        &self,
        call: &Call<'_>,
        i: UpdateItemInput,
    ) -> Result<WriteItemOutput, ApiError> {
        let mut v = Violations::default();
        validate::table_name(i.table_name.as_deref(), &mut v);
        if i.key.is_none() {
            v.null("key");
        }
        v.into_result()?;
        let opts = write_options(
            (i.expected.as_ref(), i.attribute_updates.as_ref()),
            i.return_values.as_deref(),
            i.return_values_on_condition_check_failure.as_deref(),
            Some(i.update_expression.as_deref()),
            i.condition_expression.as_deref(),
            i.expression_attribute_names.as_ref(),
            i.expression_attribute_values.as_ref(),
        )?;
        let st = self.read_state();
        let meta = self.data_table(&st, i.table_name.as_deref())?;
        let schema = meta.schema();
        let key = schema.key_of(&i.key.unwrap_or_default(), true)?;
        //= spec/items.md#update-key
        //# An UpdateItem whose update expression writes a key attribute (the path's first name is the partition or sort key's name) MUST be refused with `One or more parameter values were invalid: Cannot update attribute <name>. This attribute is part of the key`, before the table key is fetched.
        if let Some(u) = &opts.update
            && let Some(k) = u.writes_any(&schema.names())
        {
            return Err(key_attribute_updated(k));
        }
        //= spec/items.md#sse
        //# Every data-plane operation of this file MUST obtain the table key through the table-key cache exactly as PutItem and GetItem do (`spec/cache.md`): one Decrypt on the first request per principal, connection and table, a refresh at 300 s, and the errors of `spec/tables.md#data-plane-errors` when the key is unusable; it MUST NOT read or write any item when the key cannot be obtained.
        let crypto = self.data_plane_crypto(&st, meta, call)?;
        let row = crypto.row_key(&meta.uid_bytes(), &schema, &key);
        let _row = self.lock_row(&row);
        let old = self.read_row(&crypto, meta, &row)?;
        check_condition(opts.condition.as_ref(), old.as_ref(), opts.item_on_failure)?;
        //= spec/items.md#update-item
        //# UpdateItem MUST apply its update expression to the item with the given key, or, when there is none, to an item of just the key attributes, and store the result; without an update expression it MUST store that item unchanged (creating it with the key alone when absent).
        let base = old.clone().unwrap_or(key);
        let new = match &opts.update {
            Some(u) => u.apply(&base)?,
            None => base,
        };
        check_index_keys(meta, &new)?;
        let attributes = updated_attributes(opts.rv, old.as_ref(), &new, opts.update.as_ref());
        //= spec/items.md#update-at-rest
        //# The item an UpdateItem stores MUST be sealed under the table's current table key like an item PutItem stores, so that nothing of it is stored in plaintext.
        let envelope = crypto.seal(&row, &new)?;
        let mut ops = vec![WriteOp::Put(Space::Items, row.to_vec(), envelope)];
        self.index_writes(&crypto, meta, old.as_ref(), Some(&new), &mut ops)?;
        self.commit(ops)?;
        Ok(WriteItemOutput { attributes })
    }
}
