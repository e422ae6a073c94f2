//! DynamoDB item operations: PutItem, GetItem, DeleteItem, BatchWriteItem and BatchGetItem over
//! encrypted rows, with ConditionExpression on the single-item writes. Every item is sealed into an envelope before it reaches the store, and
//! opened only after it leaves it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use ddbsse_wire::attribute::AttributeValue;
use ddbsse_wire::attribute::{Item, into_normalized_item, normalize_item};
use ddbsse_wire::dynamodb::{
    BatchGetItemInput, BatchGetItemOutput, BatchWriteItemInput, BatchWriteItemOutput,
    DeleteItemInput, GetItemInput, GetItemOutput, NameMap, PutItemInput, WriteItemOutput,
};
use ddbsse_wire::expression::{
    self, Condition, Path, project, read_expressions, write_expressions,
};
use ddbsse_wire::validate::{self, Violations};
use ddbsse_wire::write_options::{self, ReturnValues};
use ddbsse_wire::{ApiError, dynamodb_errors};

use super::index_entries::check_index_keys;
use super::table_not_found;
use crate::engine::state::{State, TableMeta};
use crate::engine::table_crypto::{TableCrypto, internal};
use crate::engine::{Call, Engine};
use crate::storage::{Space, WriteOp};

/// A BatchWriteItem write on a table with indexes: the table, its crypto, the item's row, and
/// the new item (`None`: a delete).
type IndexedWrite<'s> = (&'s TableMeta, Arc<TableCrypto>, Vec<u8>, Option<Item>);

/// The checks of a single-item request before it touches a table: the table name and the
/// request's one required member (`item` or `key`), every violation reported together.
fn check_members(table_name: Option<&str>, member: &str, present: bool) -> Result<(), ApiError> {
    let mut v = Violations::default();
    validate::table_name(table_name, &mut v);
    //= spec/errors.md#missing-member
    //# A request missing a required member MUST fail with `ValidationException` and the message `1 validation error detected: Value null at '<member path>' failed to satisfy constraint: Member must not be null`, or, for several violations, `<n> validation errors detected: ` followed by the violations joined with `; `.
    if !present {
        v.null(member);
    }
    v.into_result()
}

/// The parsed options of a single-item write.
pub(crate) struct WriteOptions {
    /// `ReturnValues`.
    pub rv: ReturnValues,
    /// Whether a failed condition returns the item.
    pub item_on_failure: bool,
    /// The condition, if any.
    pub condition: Option<Condition<AttributeValue>>,
    /// The update, if any (UpdateItem).
    pub update: Option<expression::Update<AttributeValue>>,
}

/// The options of a write: the legacy members refused, `ReturnValues`,
/// `ReturnValuesOnConditionCheckFailure`, then the expressions with their names and values.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_options(
    legacy: (Option<&serde_json::Value>, Option<&serde_json::Value>),
    rv: Option<&str>,
    on_failure: Option<&str>,
    update: Option<Option<&str>>,
    condition: Option<&str>,
    names: Option<&NameMap>,
    values: Option<&ddbsse_wire::dynamodb::ValueMap>,
) -> Result<WriteOptions, ApiError> {
    write_options::refuse_legacy(legacy.0, legacy.1)?;
    let rv = write_options::return_values(rv, update.is_some())?;
    let item_on_failure = write_options::item_on_condition_failure(on_failure)?;
    let exprs = write_expressions(update.flatten(), condition, names, values)?;
    Ok(WriteOptions {
        rv,
        item_on_failure,
        condition: exprs.condition,
        update: exprs.update,
    })
}

//= spec/items.md#condition
//# A PutItem, DeleteItem or UpdateItem with a ConditionExpression MUST evaluate it against the item with the request's key as it is before the request (an absent item having no attributes), after the table key has been obtained, and MUST fail as `spec/expressions.md#condition-failed` says when it is false.
/// Fails with `ConditionalCheckFailedException` when the condition does not hold for the
/// existing item.
pub(crate) fn check_condition(
    cond: Option<&Condition<AttributeValue>>,
    existing: Option<&Item>,
    item_on_failure: bool,
) -> Result<(), ApiError> {
    let Some(c) = cond else { return Ok(()) };
    let empty = Item::new();
    if c.eval(existing.unwrap_or(&empty)) {
        return Ok(());
    }
    //= spec/items.md#condition-failure-item
    //# With `ReturnValuesOnConditionCheckFailure` `ALL_OLD`, a `ConditionalCheckFailedException` MUST carry the existing item as `Item` in its body, and no `Item` when there is none.
    Err(expression::errors::condition_failed(
        existing.filter(|_| item_on_failure).cloned(),
    ))
}

/// Parsed projection paths, if any.
pub(crate) fn projection(
    expr: Option<&str>,
    names: Option<&NameMap>,
) -> Result<Option<Vec<Path>>, ApiError> {
    Ok(read_expressions(None, None, expr, names, None)?.projection)
}

pub(crate) fn apply(item: Item, paths: &Option<Vec<Path>>) -> Item {
    match paths {
        Some(p) => project(&item, p),
        None => item,
    }
}

impl Engine {
    /// The table a data-plane request names.
    pub(crate) fn data_table<'s>(
        &self,
        st: &'s State,
        name: Option<&str>,
    ) -> Result<&'s TableMeta, ApiError> {
        let name = validate::require_table_name(name)?;
        st.tables.get(name).ok_or_else(|| table_not_found(name))
    }

    /// Reads and opens one row, if present.
    pub(crate) fn read_row(
        &self,
        crypto: &TableCrypto,
        meta: &TableMeta,
        row: &[u8],
    ) -> Result<Option<Item>, ApiError> {
        let Some(env) = self
            .store
            .get(Space::Items, row)
            .map_err(|_| internal("storage read failed"))?
        else {
            return Ok(None);
        };
        crypto
            .open(row, &env, &meta.uid_bytes(), &meta.schema())
            .map(Some)
    }

    /// The item a write replaces, when the write needs it (a condition or ReturnValues).
    fn old_item(
        &self,
        wanted: bool,
        crypto: &TableCrypto,
        meta: &TableMeta,
        row: &[u8],
    ) -> Result<Option<Item>, ApiError> {
        if wanted {
            self.read_row(crypto, meta, row)
        } else {
            Ok(None)
        }
    }

    /// Deletes one item's row. The one path a single-item deletion takes, DeleteItem's and the
    /// TTL sweep's ([`crate::engine::ttl_sweep`]), so that whatever a deletion maintains besides
    /// the row is maintained for both. The caller holds the row's lock.
    /// Deletes the item stored at `row` and, when the table has indexes, its index entries
    /// (`old` is the item as stored; needed only when the table has indexes). DeleteItem and
    /// the TTL sweep both delete through here.
    pub(crate) fn delete_item_row(
        &self,
        crypto: &TableCrypto,
        meta: &TableMeta,
        row: &[u8],
        old: Option<&Item>,
    ) -> Result<(), ApiError> {
        let mut ops = vec![WriteOp::Delete(Space::Items, row.to_vec())];
        self.index_writes(crypto, meta, old, None, &mut ops)?;
        self.commit(ops)
    }

    /// The row lock of `row` ([`crate::engine::row_locks`]).
    pub(crate) fn lock_row(&self, row: &[u8]) -> std::sync::MutexGuard<'_, ()> {
        self.row_locks.lock(row)
    }

    pub(crate) fn put_item(
        &self,
        call: &Call<'_>,
        i: PutItemInput,
    ) -> Result<WriteItemOutput, ApiError> {
        check_members(i.table_name.as_deref(), "item", i.item.is_some())?;
        let opts = write_options(
            (i.expected.as_ref(), None),
            i.return_values.as_deref(),
            i.return_values_on_condition_check_failure.as_deref(),
            None,
            i.condition_expression.as_deref(),
            i.expression_attribute_names.as_ref(),
            i.expression_attribute_values.as_ref(),
        )?;
        let st = self.read_state();
        let meta = self.data_table(&st, i.table_name.as_deref())?;
        //= spec/errors.md#item-size
        //# A PutItem or BatchWriteItem put of an item larger than 400 KB (409600 bytes) MUST fail with `ValidationException` and the message `Item size has exceeded the maximum allowed size`, and an item of exactly 409600 bytes MUST be accepted.
        let item = into_normalized_item(i.item.unwrap_or_default())?;
        let schema = meta.schema();
        //= spec/errors.md#key-schema-mismatch
        //# A request whose item or key does not match the table's key schema MUST fail with `ValidationException` and the message of the row of the table above that applies.
        let key = schema.key_of(&item, false)?;
        check_index_keys(meta, &item)?;
        let crypto = self.data_plane_crypto(&st, meta, call)?;
        let row = crypto.row_key(&meta.uid_bytes(), &schema, &key);
        let envelope = crypto.seal(&row, &item)?;
        let _row = self.lock_row(&row);
        let indexed = !meta.extras.indexes.is_empty();
        let need_old = opts.condition.is_some() || opts.rv == ReturnValues::AllOld || indexed;
        let old = self.old_item(need_old, &crypto, meta, &row)?;
        check_condition(opts.condition.as_ref(), old.as_ref(), opts.item_on_failure)?;
        let mut ops = vec![WriteOp::Put(Space::Items, row.to_vec(), envelope)];
        self.index_writes(&crypto, meta, old.as_ref(), Some(&item), &mut ops)?;
        self.commit(ops)?;
        Ok(WriteItemOutput {
            attributes: old.filter(|_| opts.rv == ReturnValues::AllOld),
        })
    }

    /// GetItem, answered as the JSON body. Without a projection the item's JSON is sent as it
    /// was sealed (the same bytes the output would encode to), without decoding and
    /// re-encoding the whole item; only its key is decoded, for the row check.
    pub(crate) fn get_item(&self, call: &Call<'_>, i: GetItemInput) -> Result<Vec<u8>, ApiError> {
        check_members(i.table_name.as_deref(), "key", i.key.is_some())?;
        let paths = projection(
            i.projection_expression.as_deref(),
            i.expression_attribute_names.as_ref(),
        )?;
        let st = self.read_state();
        let meta = self.data_table(&st, i.table_name.as_deref())?;
        let schema = meta.schema();
        let key = schema.key_of(&i.key.unwrap_or_default(), true)?;
        let crypto = self.data_plane_crypto(&st, meta, call)?;
        let row = crypto.row_key(&meta.uid_bytes(), &schema, &key);
        if paths.is_some() {
            let item = self.read_row(&crypto, meta, &row)?;
            return super::encode(GetItemOutput {
                item: item.map(|it| apply(it, &paths)),
            });
        }
        let Some(envelope) = self
            .store
            .get(Space::Items, &row)
            .map_err(|_| internal("storage read failed"))?
        else {
            return super::encode(GetItemOutput { item: None });
        };
        // The answer is the item's JSON wrapped as `{"Item":...}`: decrypted straight into the
        // answer's buffer, then wrapped.
        const HEAD: &[u8] = b"{\"Item\":";
        let mut body = Vec::with_capacity(envelope.len() + HEAD.len() + 1);
        crypto.open_json_into(&row, &envelope, &key, &schema, &mut body)?;
        body.splice(0..0, HEAD.iter().copied());
        body.push(b'}');
        Ok(body)
    }

    pub(crate) fn delete_item(
        &self,
        call: &Call<'_>,
        i: DeleteItemInput,
    ) -> Result<WriteItemOutput, ApiError> {
        check_members(i.table_name.as_deref(), "key", i.key.is_some())?;
        let opts = write_options(
            (i.expected.as_ref(), None),
            i.return_values.as_deref(),
            i.return_values_on_condition_check_failure.as_deref(),
            None,
            i.condition_expression.as_deref(),
            i.expression_attribute_names.as_ref(),
            i.expression_attribute_values.as_ref(),
        )?;
        let st = self.read_state();
        let meta = self.data_table(&st, i.table_name.as_deref())?;
        let schema = meta.schema();
        let key = schema.key_of(&i.key.unwrap_or_default(), true)?;
        let crypto = self.data_plane_crypto(&st, meta, call)?;
        let row = crypto.row_key(&meta.uid_bytes(), &schema, &key);
        let _row = self.lock_row(&row);
        let indexed = !meta.extras.indexes.is_empty();
        let need_old = opts.condition.is_some() || opts.rv == ReturnValues::AllOld || indexed;
        let old = self.old_item(need_old, &crypto, meta, &row)?;
        check_condition(opts.condition.as_ref(), old.as_ref(), opts.item_on_failure)?;
        self.delete_item_row(&crypto, meta, &row, old.as_ref())?;
        Ok(WriteItemOutput {
            attributes: old.filter(|_| opts.rv == ReturnValues::AllOld),
        })
    }

    pub(crate) fn batch_write_item(
        &self,
        call: &Call<'_>,
        i: BatchWriteItemInput,
    ) -> Result<BatchWriteItemOutput, ApiError> {
        let Some(request_items) = i.request_items else {
            return Err(validate::missing_member("requestItems"));
        };
        let total: usize = request_items.values().map(Vec::len).sum();
        if request_items.is_empty() || total == 0 {
            return Err(dynamodb_errors::no_request_items());
        }
        if total > 25 {
            return Err(dynamodb_errors::too_many_items("BatchWriteItem"));
        }
        let st = self.read_state();
        let mut ops = Vec::with_capacity(total);
        // The writes of indexed tables: their index entries follow the old items, read under
        // the row locks.
        let mut indexed: Vec<IndexedWrite<'_>> = Vec::new();
        for (table, writes) in &request_items {
            let meta = self.data_table(&st, Some(table))?;
            let schema = meta.schema();
            let mut checked = Vec::with_capacity(writes.len());
            for w in writes {
                match (&w.put_request, &w.delete_request) {
                    (Some(p), None) => {
                        let item = normalize_item(&p.item)?;
                        let key = schema.key_of(&item, false)?;
                        check_index_keys(meta, &item)?;
                        checked.push((key, Some(item)));
                    }
                    (None, Some(d)) => checked.push((schema.key_of(&d.key, true)?, None)),
                    _ => {
                        return Err(dynamodb_errors::more_than_one_datatype());
                    }
                }
            }
            let mut seen = BTreeSet::new();
            for (key, _) in &checked {
                if !seen.insert(serde_json::to_string(key).unwrap_or_default()) {
                    return Err(dynamodb_errors::duplicate_keys());
                }
            }
            //= spec/cache.md#scope
            //# Requests on a table encrypted under the AWS owned key never call KMS and use no entry; control-plane requests never call Decrypt. A BatchWriteItem or BatchGetItem that names several tables uses one entry per table.
            let crypto: Arc<TableCrypto> = self.data_plane_crypto(&st, meta, call)?;
            let uid = meta.uid_bytes();
            for (key, item) in checked {
                let row = crypto.row_key(&uid, &schema, &key);
                match &item {
                    Some(item) => ops.push(WriteOp::Put(
                        Space::Items,
                        row.to_vec(),
                        crypto.seal(&row, item)?,
                    )),
                    None => ops.push(WriteOp::Delete(Space::Items, row.to_vec())),
                }
                if !meta.extras.indexes.is_empty() {
                    indexed.push((meta, crypto.clone(), row.to_vec(), item));
                }
            }
        }
        let _rows = self
            .row_locks
            .lock_all(ops.iter().filter_map(|op| match op {
                WriteOp::Put(_, row, _) | WriteOp::Delete(_, row) => Some(row.as_slice()),
                WriteOp::DeletePrefix(..) => None,
            }));
        for (meta, crypto, row, item) in &indexed {
            let old = self.read_row(crypto, meta, row)?;
            self.index_writes(crypto, meta, old.as_ref(), item.as_ref(), &mut ops)?;
        }
        self.commit(ops)?;
        Ok(BatchWriteItemOutput {
            unprocessed_items: BTreeMap::new(),
        })
    }

    pub(crate) fn batch_get_item(
        &self,
        call: &Call<'_>,
        i: BatchGetItemInput,
    ) -> Result<BatchGetItemOutput, ApiError> {
        let Some(request_items) = i.request_items else {
            return Err(validate::missing_member("requestItems"));
        };
        let total: usize = request_items.values().map(|k| k.keys.len()).sum();
        if request_items.is_empty() || total == 0 {
            return Err(dynamodb_errors::no_request_items());
        }
        if total > 100 {
            return Err(dynamodb_errors::too_many_items("BatchGetItem"));
        }
        let st = self.read_state();
        let mut responses = BTreeMap::new();
        for (table, ka) in &request_items {
            let meta = self.data_table(&st, Some(table))?;
            let schema = meta.schema();
            let paths = projection(
                ka.projection_expression.as_deref(),
                ka.expression_attribute_names.as_ref(),
            )?;
            let keys: Vec<Item> = ka
                .keys
                .iter()
                .map(|k| schema.key_of(k, true))
                .collect::<Result<_, _>>()?;
            let mut seen = BTreeSet::new();
            for key in &keys {
                if !seen.insert(serde_json::to_string(key).unwrap_or_default()) {
                    return Err(dynamodb_errors::duplicate_keys());
                }
            }
            let crypto = self.data_plane_crypto(&st, meta, call)?;
            let uid = meta.uid_bytes();
            let mut found = Vec::new();
            for key in keys {
                let row = crypto.row_key(&uid, &schema, &key);
                if let Some(item) = self.read_row(&crypto, meta, &row)? {
                    found.push(apply(item, &paths));
                }
            }
            responses.insert(table.clone(), found);
        }
        Ok(BatchGetItemOutput {
            responses,
            unprocessed_keys: BTreeMap::new(),
        })
    }
}
