//! DynamoDB item operations: PutItem, GetItem, DeleteItem, BatchWriteItem and BatchGetItem over
//! encrypted rows. Every item is sealed into an envelope before it reaches the store, and
//! opened only after it leaves it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use ddbsse_wire::attribute::{Item, into_normalized_item, normalize_item};
use ddbsse_wire::dynamodb::{
    BatchGetItemInput, BatchGetItemOutput, BatchWriteItemInput, BatchWriteItemOutput,
    DeleteItemInput, GetItemInput, GetItemOutput, NameMap, PutItemInput, WriteItemOutput,
};
use ddbsse_wire::expression::{PathElement, parse_projection, project};
use ddbsse_wire::validate::{self, Violations};
use ddbsse_wire::{ApiError, dynamodb_errors};

use super::table_not_found;
use crate::engine::state::{State, TableMeta};
use crate::engine::table_crypto::{TableCrypto, internal};
use crate::engine::{Call, Engine};
use crate::storage::{Space, WriteOp};

pub(crate) fn unsupported(what: &str) -> ApiError {
    ApiError::validation(format!("{what} is not supported by this endpoint"))
}

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

/// The options of a write (PutItem, DeleteItem): no ConditionExpression, and whether
/// ReturnValues asks for the old item.
fn write_options(condition: Option<&str>, rv: Option<&str>) -> Result<bool, ApiError> {
    if condition.is_some() {
        return Err(unsupported("ConditionExpression"));
    }
    return_values(rv)
}

fn return_values(rv: Option<&str>) -> Result<bool, ApiError> {
    match rv {
        None | Some("NONE") => Ok(false),
        Some("ALL_OLD") => Ok(true),
        Some(other) => Err(ApiError::validation(format!(
            "ReturnValues can only be ALL_OLD or NONE, got {other}"
        ))),
    }
}

/// Parsed projection paths, if any.
pub(crate) fn projection(
    expr: Option<&str>,
    names: Option<&NameMap>,
) -> Result<Option<Vec<Vec<PathElement>>>, ApiError> {
    expr.map(|e| parse_projection(e, names)).transpose()
}

pub(crate) fn apply(item: Item, paths: &Option<Vec<Vec<PathElement>>>) -> Item {
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

    /// The item a write replaces, when ReturnValues asks for it.
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

    pub(crate) fn put_item(
        &self,
        call: &Call<'_>,
        i: PutItemInput,
    ) -> Result<WriteItemOutput, ApiError> {
        check_members(i.table_name.as_deref(), "item", i.item.is_some())?;
        let want_old = write_options(
            i.condition_expression.as_deref(),
            i.return_values.as_deref(),
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
        let crypto = self.data_plane_crypto(&st, meta, call)?;
        let row = crypto.row_key(&meta.uid_bytes(), &schema, &key);
        let old = self.old_item(want_old, &crypto, meta, &row)?;
        let envelope = crypto.seal(&row, &item)?;
        self.commit(vec![WriteOp::Put(Space::Items, row.to_vec(), envelope)])?;
        Ok(WriteItemOutput { attributes: old })
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
        let want_old = write_options(
            i.condition_expression.as_deref(),
            i.return_values.as_deref(),
        )?;
        let st = self.read_state();
        let meta = self.data_table(&st, i.table_name.as_deref())?;
        let schema = meta.schema();
        let key = schema.key_of(&i.key.unwrap_or_default(), true)?;
        let crypto = self.data_plane_crypto(&st, meta, call)?;
        let row = crypto.row_key(&meta.uid_bytes(), &schema, &key);
        let old = self.old_item(want_old, &crypto, meta, &row)?;
        self.commit(vec![WriteOp::Delete(Space::Items, row.to_vec())])?;
        Ok(WriteItemOutput { attributes: old })
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
        for (table, writes) in &request_items {
            let meta = self.data_table(&st, Some(table))?;
            let schema = meta.schema();
            let mut checked = Vec::with_capacity(writes.len());
            for w in writes {
                match (&w.put_request, &w.delete_request) {
                    (Some(p), None) => {
                        let item = normalize_item(&p.item)?;
                        let key = schema.key_of(&item, false)?;
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
                match item {
                    Some(item) => ops.push(WriteOp::Put(
                        Space::Items,
                        row.to_vec(),
                        crypto.seal(&row, &item)?,
                    )),
                    None => ops.push(WriteOp::Delete(Space::Items, row.to_vec())),
                }
            }
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
