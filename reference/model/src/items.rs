//! The DynamoDB data plane: PutItem, GetItem, DeleteItem, UpdateItem, Query, Scan,
//! BatchWriteItem and BatchGetItem over plaintext items, with condition, filter, update and
//! projection expressions (evaluated by `ddbsse_wire::expression`), each gated by the table's key (`spec/cache.md`,
//! `spec/tables.md#data-plane`).
//!
//! Protocol-level checks (names, item values, key schema, expressions) come from `wire`, shared
//! with every target; this file adds what depends on state: which table, which items, the order
//! of sort keys, pages, and the cache/KMS gate, which runs after the request is known to be valid
//! and before any item is read or written.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use ddbsse_wire::ApiError;
use ddbsse_wire::attribute::{AttributeValue, Item, MAX_PAGE_BYTES, item_size, normalize_item};
use ddbsse_wire::caller::Caller;
use ddbsse_wire::dynamodb::*;
use ddbsse_wire::expression::{self, Condition, Path};
use ddbsse_wire::select::{self, ReadOp};
use ddbsse_wire::time::Timestamp;
use ddbsse_wire::validate::{self, KeySchema, Violations};
use ddbsse_wire::write_options::{self, ReturnValues};

use super::Model;
use super::cache::CacheKey;
use super::index_items::check_index_keys;
use ddbsse_wire::dynamodb_errors::{self, table_not_found};

/// One key attribute value, ordered as DynamoDB orders keys (numbers numerically, strings and
/// binaries by bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyPart(pub AttributeValue);

impl Ord for KeyPart {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .key_cmp(&other.0)
            .unwrap_or_else(|| self.0.type_name().cmp(other.0.type_name()))
    }
}

impl PartialOrd for KeyPart {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A primary key: partition key, then sort key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PrimaryKey {
    pub hash: KeyPart,
    pub range: Option<KeyPart>,
}

impl PrimaryKey {
    /// From the key attributes [`KeySchema::key_of`] returned.
    pub fn of(schema: &KeySchema, key: &Item) -> Option<Self> {
        Some(Self {
            hash: KeyPart(key.get(&schema.hash.0)?.clone()),
            range: match &schema.range {
                Some((name, _)) => Some(KeyPart(key.get(name)?.clone())),
                None => None,
            },
        })
    }

    /// Back to key attributes (for `LastEvaluatedKey`).
    pub fn item(&self, schema: &KeySchema) -> Item {
        let mut out = Item::new();
        out.insert(schema.hash.0.clone(), self.hash.0.clone());
        if let (Some((name, _)), Some(v)) = (&schema.range, &self.range) {
            out.insert(name.clone(), v.0.clone());
        }
        out
    }
}

/// The table name and the one required member (`key` or `item`), every violation together.
fn members(table: Option<&str>, member: &str, present: bool) -> Result<(), ApiError> {
    let mut v = Violations::default();
    validate::table_name(table, &mut v);
    if !present {
        v.null(member);
    }
    v.into_result()
}

/// Whether an item passes a filter (no filter passes everything).
pub(super) fn passes(filter: Option<&Condition<AttributeValue>>, item: &Item) -> bool {
    filter.is_none_or(|c| c.eval(item))
}

pub(super) fn project(item: &Item, paths: Option<&Vec<Path>>) -> Item {
    match paths {
        Some(p) => expression::project(item, p),
        None => item.clone(),
    }
}

impl Model {
    //= spec/cache.md#scope
    //# The first data-plane request of a KMS table by a given principal on a given connection MUST call KMS Decrypt once and cache the plaintext table key for that principal, connection, table and table-key generation.
    //= spec/cache.md#serve-while-unusable
    //# An entry that is still fresh (`now - t0 < 300 s`) MUST keep serving data-plane requests after the table's key is disabled, scheduled for deletion or loses its grant, and the first request at `now - t0 >= 300 s` MUST fail as section 5 says.
    /// The gate every data-plane request passes before touching items: archival, then the
    /// table-key cache, then (on a miss) Decrypt as the caller.
    pub(super) fn table_key_gate(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        name: &str,
    ) -> Result<(), ApiError> {
        let table = self.tables.get(name).ok_or_else(|| table_not_found(name))?;
        //= spec/tables.md#status-archival
        //# Data-plane requests on an `ARCHIVING` or `ARCHIVED` table MUST fail with `ValidationException` and the message `Table <table name> is archived`.
        if table.status.is_archival() {
            return Err(dynamodb_errors::table_archived(name));
        }
        let Some(sse) = &table.sse else {
            return Ok(());
        };
        let key = CacheKey {
            principal: caller.access_key_id.clone(),
            connection: caller.connection,
            table_id: table.id.clone(),
            generation: table.generation,
        };
        if self.cache.fresh(&key, now).is_some() {
            return Ok(());
        }
        let (arn, wrapped) = (sse.key_arn.clone(), sse.wrapped_table_key.clone());
        match self.ddb_decrypt_table_key(now, caller, &arn, name, &wrapped) {
            Ok(table_key) => {
                self.cache.store(key, now, table_key);
                Ok(())
            }
            Err(e) => {
                //= spec/cache.md#failure
                //# When the Decrypt of a fetch or refresh fails, the request MUST fail with the error of `spec/tables.md#data-plane-errors`, the entry MUST be dropped, and the next data-plane request of the same principal, connection and table MUST call Decrypt again.
                self.cache.drop_entry(&key);
                Err(e)
            }
        }
    }

    pub(super) fn table_schema(&self, name: &str) -> Result<KeySchema, ApiError> {
        self.tables
            .get(name)
            .map(|t| t.schema.clone())
            .ok_or_else(|| table_not_found(name))
    }

    pub(super) fn put_item(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &PutItemInput,
    ) -> Result<WriteItemOutput, ApiError> {
        let mut v = Violations::default();
        let name = validate::table_name(input.table_name.as_deref(), &mut v);
        if input.item.is_none() {
            v.null("item");
        }
        v.into_result()?;
        let name = name.unwrap_or_default().to_owned();
        write_options::refuse_legacy(input.expected.as_ref(), None)?;
        let rv = write_options::return_values(input.return_values.as_deref(), false)?;
        let item_on_failure = write_options::item_on_condition_failure(
            input.return_values_on_condition_check_failure.as_deref(),
        )?;
        let exprs = expression::write_expressions(
            None,
            input.condition_expression.as_deref(),
            input.expression_attribute_names.as_ref(),
            input.expression_attribute_values.as_ref(),
        )?;
        let item = normalize_item(input.item.as_ref().unwrap_or(&Item::new()))?;
        let schema = self.table_schema(&name)?;
        let key = schema.key_of(&item, false)?;
        let pk = PrimaryKey::of(&schema, &key).ok_or_else(|| {
            ApiError::validation("The provided key element does not match the schema")
        })?;
        check_index_keys(
            self.tables
                .get(&name)
                .ok_or_else(|| table_not_found(&name))?,
            &item,
        )?;
        self.table_key_gate(now, caller, &name)?;
        let table = self
            .tables
            .get_mut(&name)
            .ok_or_else(|| table_not_found(&name))?;
        check_condition(
            exprs.condition.as_ref(),
            table.items.get(&pk),
            item_on_failure,
        )?;
        //= spec/tables.md#data-plane-durable
        //# Every item a target acknowledged while the table was accessible MUST read back unchanged once the table's key is usable again, as long as the table is not `ARCHIVING` or `ARCHIVED`.
        let old = table.items.insert(pk, item);
        Ok(WriteItemOutput {
            attributes: if rv == ReturnValues::AllOld {
                old
            } else {
                None
            },
        })
    }

    pub(super) fn update_item(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &UpdateItemInput,
    ) -> Result<WriteItemOutput, ApiError> {
        members(input.table_name.as_deref(), "key", input.key.is_some())?;
        write_options::refuse_legacy(input.expected.as_ref(), input.attribute_updates.as_ref())?;
        let rv = write_options::return_values(input.return_values.as_deref(), true)?;
        let item_on_failure = write_options::item_on_condition_failure(
            input.return_values_on_condition_check_failure.as_deref(),
        )?;
        let exprs = expression::write_expressions(
            input.update_expression.as_deref(),
            input.condition_expression.as_deref(),
            input.expression_attribute_names.as_ref(),
            input.expression_attribute_values.as_ref(),
        )?;
        let (name, pk, key) =
            self.keyed_request(input.table_name.as_deref(), input.key.as_ref())?;
        //= spec/items.md#update-key
        //# An UpdateItem whose update expression writes a key attribute (the path's first name is the partition or sort key's name) MUST be refused with `One or more parameter values were invalid: Cannot update attribute <name>. This attribute is part of the key`, before the table key is fetched.
        let schema = self.table_schema(&name)?;
        if let Some(u) = &exprs.update
            && let Some(k) = u.writes_any(&schema.names())
        {
            return Err(expression::errors::key_attribute_updated(k));
        }
        self.table_key_gate(now, caller, &name)?;
        let table = self
            .tables
            .get_mut(&name)
            .ok_or_else(|| table_not_found(&name))?;
        let old = table.items.get(&pk);
        check_condition(exprs.condition.as_ref(), old, item_on_failure)?;
        //= spec/items.md#update-item
        //# UpdateItem MUST apply its update expression to the item with the given key, or, when there is none, to an item of just the key attributes, and store the result; without an update expression it MUST store that item unchanged (creating it with the key alone when absent).
        let base = old.cloned().unwrap_or(key);
        let new = match &exprs.update {
            Some(u) => u.apply(&base)?,
            None => base,
        };
        check_index_keys(table, &new)?;
        let attributes = write_options::updated_attributes(rv, old, &new, exprs.update.as_ref());
        table.items.insert(pk, new);
        Ok(WriteItemOutput { attributes })
    }

    pub(super) fn transact_write_items(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &TransactWriteItemsInput,
    ) -> Result<TransactWriteItemsOutput, ApiError> {
        use ddbsse_wire::transact::{self, ActionKind};
        let actions = transact::actions(input)?;
        let (token_use, binding) = self.token_use(input, now)?;
        let mut plan: Vec<(String, PrimaryKey, Item)> = Vec::with_capacity(actions.len());
        for a in &actions {
            let schema = self.table_schema(&a.table)?;
            let key = schema.key_of(&a.item, a.kind != ActionKind::Put)?;
            if a.kind == ActionKind::Put {
                check_index_keys(
                    self.tables
                        .get(&a.table)
                        .ok_or_else(|| table_not_found(&a.table))?,
                    &a.item,
                )?;
            }
            let pk = PrimaryKey::of(&schema, &key).ok_or_else(|| {
                ApiError::validation("The provided key element does not match the schema")
            })?;
            if let Some(u) = &a.update
                && let Some(k) = u.writes_any(&schema.names())
            {
                return Err(expression::errors::key_attribute_updated(k));
            }
            //= spec/items.md#transact-write
            //# Two actions on the same item MUST be refused with `Transaction request cannot include multiple operations on one item`.
            if plan.iter().any(|(t, k, _)| *t == a.table && *k == pk) {
                return Err(transact::same_item_twice());
            }
            plan.push((a.table.clone(), pk, key));
        }
        //= spec/items.md#transact-write
        //# A transaction MUST obtain the table key of every table it names through the table-key cache, one entry per table, before it reads any item, and MUST fail whole, writing nothing, when one of them cannot be obtained.
        let mut gated: Vec<&str> = Vec::new();
        for a in &actions {
            if !gated.contains(&a.table.as_str()) {
                self.table_key_gate(now, caller, &a.table)?;
                gated.push(&a.table);
            }
        }
        //= spec/items.md#transact-token
        //# A TransactWriteItems whose token is bound to the same parameters MUST obtain its table keys as any transaction does and then answer success without evaluating a condition or writing anything.
        if token_use == ddbsse_wire::transact_token::TokenUse::Repeat {
            return Ok(TransactWriteItemsOutput {});
        }
        let mut failed = Vec::with_capacity(actions.len());
        let mut any_failed = false;
        let mut writes: Vec<(String, PrimaryKey, Option<Item>)> = Vec::new();
        for (a, (table, pk, key)) in actions.iter().zip(plan) {
            let t = self
                .tables
                .get(&table)
                .ok_or_else(|| table_not_found(&table))?;
            let old = t.items.get(&pk);
            let empty = Item::new();
            let holds = a
                .condition
                .as_ref()
                .is_none_or(|c| c.eval(old.unwrap_or(&empty)));
            if !holds {
                any_failed = true;
                failed.push(Some(old.filter(|_| a.item_on_failure).cloned()));
                continue;
            }
            failed.push(None);
            let new = match a.kind {
                ActionKind::Check => continue,
                ActionKind::Put => Some(a.item.clone()),
                ActionKind::Delete => None,
                ActionKind::Update => {
                    let base = old.cloned().unwrap_or(key);
                    let new = match &a.update {
                        Some(u) => u.apply(&base)?,
                        None => base,
                    };
                    check_index_keys(t, &new)?;
                    Some(new)
                }
            };
            writes.push((table, pk, new));
        }
        if any_failed {
            return Err(transact::canceled(failed));
        }
        //= spec/items.md#transact-write
        //# When every condition holds, TransactWriteItems MUST make every put, delete and update of the request, each as the single-item operation of the same name would.
        for (table, pk, new) in writes {
            let t = self
                .tables
                .get_mut(&table)
                .ok_or_else(|| table_not_found(&table))?;
            match new {
                Some(item) => {
                    t.items.insert(pk, item);
                }
                None => {
                    t.items.remove(&pk);
                }
            }
        }
        self.bind_token(binding, now);
        Ok(TransactWriteItemsOutput {})
    }

    pub(super) fn transact_get_items(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &TransactGetItemsInput,
    ) -> Result<TransactGetItemsOutput, ApiError> {
        use ddbsse_wire::transact;
        let reads = transact::reads(input)?;
        let mut pks: Vec<(String, PrimaryKey)> = Vec::with_capacity(reads.len());
        for r in &reads {
            let schema = self.table_schema(&r.table)?;
            let key = schema.key_of(&r.key, true)?;
            let pk = PrimaryKey::of(&schema, &key).ok_or_else(|| {
                ApiError::validation("The provided key element does not match the schema")
            })?;
            if pks.iter().any(|(t, k)| *t == r.table && *k == pk) {
                return Err(transact::same_item_twice());
            }
            pks.push((r.table.clone(), pk));
        }
        let mut gated: Vec<&str> = Vec::new();
        for r in &reads {
            if !gated.contains(&r.table.as_str()) {
                self.table_key_gate(now, caller, &r.table)?;
                gated.push(&r.table);
            }
        }
        //= spec/items.md#transact-get
        //# TransactGetItems MUST take 1 to 100 reads, each a `Get` with a table name and a key, refuse two reads of the same item as TransactWriteItems does, obtain every table's key through the table-key cache before reading, and answer `Responses` with one entry per read in order, holding `Item` (projected when asked) when the item exists.
        let mut responses = Vec::with_capacity(reads.len());
        for (r, (table, pk)) in reads.iter().zip(pks) {
            let t = self
                .tables
                .get(&table)
                .ok_or_else(|| table_not_found(&table))?;
            responses.push(ItemResponse {
                item: t.items.get(&pk).map(|i| project(i, r.projection.as_ref())),
            });
        }
        Ok(TransactGetItemsOutput { responses })
    }

    /// Name, key and schema checks shared by GetItem and DeleteItem.
    fn keyed_request(
        &self,
        table: Option<&str>,
        key: Option<&Item>,
    ) -> Result<(String, PrimaryKey, Item), ApiError> {
        let mut v = Violations::default();
        let name = validate::table_name(table, &mut v);
        if key.is_none() {
            v.null("key");
        }
        v.into_result()?;
        let name = name.unwrap_or_default().to_owned();
        let schema = self.table_schema(&name)?;
        let key = schema.key_of(key.unwrap_or(&Item::new()), true)?;
        let pk = PrimaryKey::of(&schema, &key).ok_or_else(|| {
            ApiError::validation("The provided key element does not match the schema")
        })?;
        Ok((name, pk, key))
    }

    pub(super) fn get_item(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &GetItemInput,
    ) -> Result<GetItemOutput, ApiError> {
        let (name, pk, _) = self.keyed_request(input.table_name.as_deref(), input.key.as_ref())?;
        let paths = expression::read_expressions(
            None,
            None,
            input.projection_expression.as_deref(),
            input.expression_attribute_names.as_ref(),
            None,
        )?
        .projection;
        self.table_key_gate(now, caller, &name)?;
        let table = self
            .tables
            .get(&name)
            .ok_or_else(|| table_not_found(&name))?;
        Ok(GetItemOutput {
            item: table.items.get(&pk).map(|i| project(i, paths.as_ref())),
        })
    }

    pub(super) fn delete_item(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &DeleteItemInput,
    ) -> Result<WriteItemOutput, ApiError> {
        members(input.table_name.as_deref(), "key", input.key.is_some())?;
        write_options::refuse_legacy(input.expected.as_ref(), None)?;
        let rv = write_options::return_values(input.return_values.as_deref(), false)?;
        let item_on_failure = write_options::item_on_condition_failure(
            input.return_values_on_condition_check_failure.as_deref(),
        )?;
        let exprs = expression::write_expressions(
            None,
            input.condition_expression.as_deref(),
            input.expression_attribute_names.as_ref(),
            input.expression_attribute_values.as_ref(),
        )?;
        let (name, pk, _) = self.keyed_request(input.table_name.as_deref(), input.key.as_ref())?;
        self.table_key_gate(now, caller, &name)?;
        let table = self
            .tables
            .get_mut(&name)
            .ok_or_else(|| table_not_found(&name))?;
        check_condition(
            exprs.condition.as_ref(),
            table.items.get(&pk),
            item_on_failure,
        )?;
        let old = table.items.remove(&pk);
        Ok(WriteItemOutput {
            attributes: if rv == ReturnValues::AllOld {
                old
            } else {
                None
            },
        })
    }

    pub(super) fn query(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &QueryInput,
    ) -> Result<ItemsOutput, ApiError> {
        let mut v = Violations::default();
        let name = validate::table_name(input.table_name.as_deref(), &mut v);
        v.into_result()?;
        let name = name.unwrap_or_default().to_owned();
        if let Some(index) = &input.index_name {
            return self.index_query(now, caller, &name, index, input);
        }
        let count_only = select::table_read(
            ReadOp::Query,
            input.select.as_deref(),
            input.projection_expression.is_some(),
        )?;
        let limit = validate::read_limit(input.limit)?;
        let expr = input
            .key_condition_expression
            .as_deref()
            .ok_or_else(dynamodb_errors::no_key_condition)?;
        let schema = self.table_schema(&name)?;
        let exprs = expression::read_expressions(
            Some(expr),
            input.filter_expression.as_deref(),
            input.projection_expression.as_deref(),
            input.expression_attribute_names.as_ref(),
            input.expression_attribute_values.as_ref(),
        )?;
        let cond = exprs.key.ok_or_else(dynamodb_errors::no_key_condition)?;
        //= spec/expressions.md#key-condition
        //# A key condition whose equality names an attribute other than the partition key of the table (or of the index read) MUST be refused with `ValidationException` and the message `Query condition missed key schema element: <partition key attribute>`.
        if cond.hash.0 != schema.hash.0 {
            return Err(dynamodb_errors::key_condition_missed(&schema.hash.0));
        }
        if cond.hash.1.scalar_type() != Some(schema.hash.1) {
            return Err(dynamodb_errors::condition_type_mismatch());
        }
        let hash = KeyPart(cond.hash.1.normalized()?);
        if let Some((rname, _)) = &cond.range {
            match &schema.range {
                Some((sname, _)) if sname == rname => {}
                _ => return Err(dynamodb_errors::key_condition_not_supported()),
            }
        }
        let paths = exprs.projection;
        let filter = exprs.filter;
        let start = self.start_key(&schema, input.exclusive_start_key.as_ref())?;
        self.table_key_gate(now, caller, &name)?;
        let table = self
            .tables
            .get(&name)
            .ok_or_else(|| table_not_found(&name))?;
        let forward = input.scan_index_forward.unwrap_or(true);
        let matching = table.items.iter().filter(|(pk, _)| {
            pk.hash == hash
                && match (&cond.range, &pk.range) {
                    (None, _) => true,
                    (Some((_, c)), Some(r)) => c.matches(&r.0),
                    (Some(_), None) => false,
                }
        });
        let ordered: Vec<(&PrimaryKey, &Item)> = if forward {
            matching
                .filter(|(pk, _)| start.as_ref().is_none_or(|s| *pk > s))
                .collect()
        } else {
            matching
                .rev()
                .filter(|(pk, _)| start.as_ref().is_none_or(|s| *pk < s))
                .collect()
        };
        Ok(page(
            ordered,
            |pk| pk.item(&schema),
            limit,
            count_only,
            filter.as_ref(),
            paths.as_ref(),
        ))
    }

    pub(super) fn scan(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &ScanInput,
    ) -> Result<ItemsOutput, ApiError> {
        let mut v = Violations::default();
        let name = validate::table_name(input.table_name.as_deref(), &mut v);
        v.into_result()?;
        let name = name.unwrap_or_default().to_owned();
        if let Some(index) = &input.index_name {
            return self.index_scan(now, caller, &name, index, input);
        }
        let count_only = select::table_read(
            ReadOp::Scan,
            input.select.as_deref(),
            input.projection_expression.is_some(),
        )?;
        let limit = validate::read_limit(input.limit)?;
        let schema = self.table_schema(&name)?;
        let exprs = expression::read_expressions(
            None,
            input.filter_expression.as_deref(),
            input.projection_expression.as_deref(),
            input.expression_attribute_names.as_ref(),
            input.expression_attribute_values.as_ref(),
        )?;
        let (filter, paths) = (exprs.filter, exprs.projection);
        let segment = ddbsse_wire::scan_segments::check(input.segment, input.total_segments)?;
        let start = self.start_key(&schema, input.exclusive_start_key.as_ref())?;
        self.table_key_gate(now, caller, &name)?;
        let table = self
            .tables
            .get(&name)
            .ok_or_else(|| table_not_found(&name))?;
        //= spec/items.md#scan-segments
        //# A Scan with `Segment` MUST return only the items of that segment, paged and filtered as a Scan without it.
        let ordered: Vec<(&PrimaryKey, &Item)> = table
            .items
            .iter()
            .filter(|(pk, _)| start.as_ref().is_none_or(|s| *pk > s))
            .filter(|(pk, _)| segment.is_none_or(|g| g.holds(Some(&pk.hash.0))))
            .collect();
        Ok(page(
            ordered,
            |pk| pk.item(&schema),
            limit,
            count_only,
            filter.as_ref(),
            paths.as_ref(),
        ))
    }

    fn start_key(
        &self,
        schema: &KeySchema,
        esk: Option<&Item>,
    ) -> Result<Option<PrimaryKey>, ApiError> {
        match esk {
            None => Ok(None),
            Some(k) => {
                let key = schema
                    .key_of(k, true)
                    .map_err(|_| dynamodb_errors::invalid_start_key())?;
                Ok(PrimaryKey::of(schema, &key))
            }
        }
    }

    pub(super) fn batch_write_item(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &BatchWriteItemInput,
    ) -> Result<BatchWriteItemOutput, ApiError> {
        let requests = input
            .request_items
            .as_ref()
            .ok_or_else(|| validate::missing_member("requestItems"))?;
        let total: usize = requests.values().map(Vec::len).sum();
        if total == 0 || total > 25 {
            return Err(if total == 0 {
                dynamodb_errors::no_request_items()
            } else {
                dynamodb_errors::too_many_items("BatchWriteItem")
            });
        }
        let mut plan: Vec<(String, PrimaryKey, Option<Item>)> = Vec::new();
        for (name, writes) in requests {
            validate::require_table_name(Some(name))?;
            let schema = self.table_schema(name)?;
            for w in writes {
                let (pk, item) = match (&w.put_request, &w.delete_request) {
                    (Some(p), None) => {
                        let item = normalize_item(&p.item)?;
                        let key = schema.key_of(&item, false)?;
                        check_index_keys(
                            self.tables.get(name).ok_or_else(|| table_not_found(name))?,
                            &item,
                        )?;
                        (PrimaryKey::of(&schema, &key), Some(item))
                    }
                    (None, Some(d)) => {
                        (PrimaryKey::of(&schema, &schema.key_of(&d.key, true)?), None)
                    }
                    _ => {
                        return Err(dynamodb_errors::more_than_one_datatype());
                    }
                };
                let pk = pk.ok_or_else(|| {
                    ApiError::validation("The provided key element does not match the schema")
                })?;
                if plan.iter().any(|(n, k, _)| n == name && *k == pk) {
                    return Err(dynamodb_errors::duplicate_keys());
                }
                plan.push((name.clone(), pk, item));
            }
        }
        //= spec/cache.md#scope
        //# A BatchWriteItem or BatchGetItem that names several tables uses one
        //# entry per table.
        for name in requests.keys() {
            self.table_key_gate(now, caller, name)?;
        }
        for (name, pk, item) in plan {
            let table = self
                .tables
                .get_mut(&name)
                .ok_or_else(|| table_not_found(&name))?;
            match item {
                Some(item) => {
                    table.items.insert(pk, item);
                }
                None => {
                    table.items.remove(&pk);
                }
            }
        }
        Ok(BatchWriteItemOutput::default())
    }

    pub(super) fn batch_get_item(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &BatchGetItemInput,
    ) -> Result<BatchGetItemOutput, ApiError> {
        let requests = input
            .request_items
            .as_ref()
            .ok_or_else(|| validate::missing_member("requestItems"))?;
        let total: usize = requests.values().map(|k| k.keys.len()).sum();
        if total == 0 || total > 100 {
            return Err(if total == 0 {
                dynamodb_errors::no_request_items()
            } else {
                dynamodb_errors::too_many_items("BatchGetItem")
            });
        }
        let mut plan = Vec::new();
        for (name, ka) in requests {
            validate::require_table_name(Some(name))?;
            let schema = self.table_schema(name)?;
            let paths = expression::read_expressions(
                None,
                None,
                ka.projection_expression.as_deref(),
                ka.expression_attribute_names.as_ref(),
                None,
            )?
            .projection;
            let mut keys = Vec::new();
            for k in &ka.keys {
                let key = schema.key_of(k, true)?;
                let pk = PrimaryKey::of(&schema, &key).ok_or_else(|| {
                    ApiError::validation("The provided key element does not match the schema")
                })?;
                if keys.contains(&pk) {
                    return Err(dynamodb_errors::duplicate_keys());
                }
                keys.push(pk);
            }
            plan.push((name.clone(), keys, paths));
        }
        for name in requests.keys() {
            self.table_key_gate(now, caller, name)?;
        }
        let mut responses = BTreeMap::new();
        for (name, keys, paths) in plan {
            let table = self
                .tables
                .get(&name)
                .ok_or_else(|| table_not_found(&name))?;
            let items = keys
                .iter()
                .filter_map(|k| table.items.get(k))
                .map(|i| project(i, paths.as_ref()))
                .collect();
            responses.insert(name, items);
        }
        Ok(BatchGetItemOutput {
            responses,
            unprocessed_keys: BTreeMap::new(),
        })
    }
}

//= spec/items.md#filter
//# A FilterExpression MUST be applied after the items of a page are read: `ScannedCount` MUST count the items read (at most `Limit`), `Count` and `Items` only those that pass the filter, and `LastEvaluatedKey` MUST be the key of the last item read when `Limit` items were read.
/// One page of Query or Scan results.
pub(super) fn page<K>(
    ordered: Vec<(K, &Item)>,
    last_key: impl Fn(&K) -> Item,
    limit: Option<usize>,
    count_only: bool,
    filter: Option<&Condition<AttributeValue>>,
    paths: Option<&Vec<Path>>,
) -> ItemsOutput {
    //= spec/items.md#paging
    //# A Query or Scan page MUST end with the first item that brings the sum of the sizes of the page's items (before filtering and projection) to 1 MB (1048576 bytes) or more, or with the `Limit`-th item, whichever comes first, and MUST then carry `LastEvaluatedKey`, the key of its last item, when more items follow.
    let mut take = limit.unwrap_or(usize::MAX).min(ordered.len());
    let mut bytes = 0usize;
    for (n, (_, item)) in ordered.iter().enumerate().take(take) {
        bytes += item_size(item);
        if bytes >= MAX_PAGE_BYTES {
            take = n + 1;
            break;
        }
    }
    let page = &ordered[..take];
    let full = limit.is_some_and(|l| take == l);
    let last_evaluated_key = if full || take < ordered.len() {
        page.last().map(|(k, _)| last_key(k))
    } else {
        None
    };
    let kept: Vec<&Item> = page
        .iter()
        .map(|(_, i)| *i)
        .filter(|i| passes(filter, i))
        .collect();
    let count = i64::try_from(kept.len()).unwrap_or(i64::MAX);
    ItemsOutput {
        items: (!count_only).then(|| kept.iter().map(|i| project(i, paths)).collect()),
        count,
        scanned_count: i64::try_from(page.len()).unwrap_or(i64::MAX),
        last_evaluated_key,
    }
}

//= spec/items.md#condition
//# A PutItem, DeleteItem or UpdateItem with a ConditionExpression MUST evaluate it against the item with the request's key as it is before the request (an absent item having no attributes), after the table key has been obtained, and MUST fail as `spec/expressions.md#condition-failed` says when it is false.
/// Fails with `ConditionalCheckFailedException` when the condition does not hold for the
/// existing item (carrying the item when asked and it exists).
fn check_condition(
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
