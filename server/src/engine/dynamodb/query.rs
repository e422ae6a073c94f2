//! Query and Scan over encrypted rows. Query reads the rows of one partition (contiguous by
//! their partition hash), opens them, filters and orders them by sort key after decryption;
//! Scan walks the table's rows in row-key (keyed hash) order.

use std::cmp::Ordering;

use ddbsse_wire::attribute::{AttributeValue, Item, item_size};
use ddbsse_wire::dynamodb::{ItemsOutput, QueryInput, ScanInput};
use ddbsse_wire::expression::{Condition, Path, read_expressions};
use ddbsse_wire::select::{self, ReadOp};
use ddbsse_wire::validate::{self, Violations};
use ddbsse_wire::{ApiError, dynamodb_errors};

use super::items::apply;
use crate::engine::table_crypto::{canonical_key, internal};
use crate::engine::{Call, Engine};
use crate::storage::Space;

/// DynamoDB's data limit of one Query or Scan page.
pub use ddbsse_wire::attribute::MAX_PAGE_BYTES as PAGE_BYTES;

impl Engine {
    pub(crate) fn query(&self, call: &Call<'_>, i: QueryInput) -> Result<ItemsOutput, ApiError> {
        let mut v = Violations::default();
        validate::table_name(i.table_name.as_deref(), &mut v);
        v.into_result()?;
        if let Some(index) = &i.index_name {
            return self.index_query(call, &i, index);
        }
        let count_only = select::table_read(
            ReadOp::Query,
            i.select.as_deref(),
            i.projection_expression.is_some(),
        )?;
        let limit = validate::read_limit(i.limit)?;
        let expr = i
            .key_condition_expression
            .as_deref()
            .ok_or_else(dynamodb_errors::no_key_condition)?;
        let exprs = read_expressions(
            Some(expr),
            i.filter_expression.as_deref(),
            i.projection_expression.as_deref(),
            i.expression_attribute_names.as_ref(),
            i.expression_attribute_values.as_ref(),
        )?;
        let cond = exprs.key.ok_or_else(dynamodb_errors::no_key_condition)?;
        let (filter, paths) = (exprs.filter, exprs.projection);
        let st = self.read_state();
        let meta = self.data_table(&st, i.table_name.as_deref())?;
        let schema = meta.schema();
        //= spec/expressions.md#key-condition
        //# A key condition whose equality names an attribute other than the partition key of the table (or of the index read) MUST be refused with `ValidationException` and the message `Query condition missed key schema element: <partition key attribute>`.
        if cond.hash.0 != schema.hash.0 {
            return Err(dynamodb_errors::key_condition_missed(&schema.hash.0));
        }
        let hash_value = cond.hash.1.normalized()?;
        if hash_value.scalar_type() != Some(schema.hash.1) {
            return Err(dynamodb_errors::condition_type_mismatch());
        }
        let range_cond = match (&cond.range, &schema.range) {
            (None, _) => None,
            (Some((n, c)), Some((rn, _))) if n == rn => Some(c.clone()),
            (Some(_), _) => return Err(dynamodb_errors::key_condition_not_supported()),
        };
        let start = match &i.exclusive_start_key {
            None => None,
            Some(k) => Some(
                schema
                    .key_of(k, true)
                    .map_err(|_| dynamodb_errors::invalid_start_key())?,
            ),
        };
        let crypto = self.data_plane_crypto(&st, meta, call)?;
        let uid = meta.uid_bytes();
        let mut hash_key = Item::new();
        hash_key.insert(schema.hash.0.clone(), hash_value);
        let (part, _) = canonical_key(&schema, &hash_key);
        let mut prefix = uid.to_vec();
        prefix.extend_from_slice(&crypto.partition_hash(&part));
        let rows = self
            .store
            .scan(Space::Items, &prefix)
            .map_err(|_| internal("storage read failed"))?;
        let mut items = Vec::with_capacity(rows.len());
        for (row, env) in rows {
            let item = crypto.open(&row, &env, &uid, &schema)?;
            // A partition-hash collision would mix partitions: check the value itself.
            if item.get(&schema.hash.0) != hash_key.get(&schema.hash.0) {
                continue;
            }
            items.push(item);
        }
        let range_name = schema.range.as_ref().map(|(n, _)| n.clone());
        if let (Some(rn), Some(c)) = (&range_name, &range_cond) {
            items.retain(|it| it.get(rn).is_some_and(|v| c.matches(v)));
        }
        let cmp = |a: &Item, b: &Item| -> Ordering {
            match &range_name {
                Some(rn) => match (a.get(rn), b.get(rn)) {
                    (Some(x), Some(y)) => x.key_cmp(y).unwrap_or(Ordering::Equal),
                    _ => Ordering::Equal,
                },
                None => Ordering::Equal,
            }
        };
        items.sort_by(cmp);
        if i.scan_index_forward == Some(false) {
            items.reverse();
        }
        if let Some(start) = &start {
            if start.get(&schema.hash.0) != hash_key.get(&schema.hash.0) {
                return Err(dynamodb_errors::invalid_start_key());
            }
            let pos = items.iter().position(|it| {
                let key = schema.key_of(it, false).unwrap_or_default();
                &key == start
            });
            items = match pos {
                Some(p) => items.split_off(p + 1),
                None => {
                    // Start after the start key's position in sort order.
                    let forward = i.scan_index_forward != Some(false);
                    items
                        .into_iter()
                        .filter(|it| {
                            let o = cmp(it, start);
                            if forward {
                                o == Ordering::Greater
                            } else {
                                o == Ordering::Less
                            }
                        })
                        .collect()
                }
            };
        }
        Ok(self.page(items, limit, &schema, filter.as_ref(), &paths, count_only))
    }

    //= spec/items.md#filter
    //# A FilterExpression MUST be applied after the items of a page are read: `ScannedCount` MUST count the items read (at most `Limit`), `Count` and `Items` only those that pass the filter, and `LastEvaluatedKey` MUST be the key of the last item read when `Limit` items were read.
    /// One page: at most `limit` items and, like DynamoDB, at most 1 MB of item data; a page
    /// cut short by either carries `LastEvaluatedKey` (the key of its last item).
    fn page(
        &self,
        items: Vec<Item>,
        limit: Option<usize>,
        schema: &validate::KeySchema,
        filter: Option<&Condition<AttributeValue>>,
        paths: &Option<Vec<Path>>,
        count_only: bool,
    ) -> ItemsOutput {
        self.page_by(
            items,
            limit,
            |it| schema.key_of(it, false).ok(),
            filter,
            paths,
            count_only,
        )
    }

    /// [`Self::page`] with the page's last key given by `last_key` (an index read's key
    /// carries the index's key attributes too).
    pub(crate) fn page_by(
        &self,
        items: Vec<Item>,
        limit: Option<usize>,
        last_key: impl Fn(&Item) -> Option<Item>,
        filter: Option<&Condition<AttributeValue>>,
        paths: &Option<Vec<Path>>,
        count_only: bool,
    ) -> ItemsOutput {
        let total = items.len();
        let mut page = Vec::new();
        let mut bytes = 0usize;
        let mut cut = false;
        for item in items {
            bytes += item_size(&item);
            page.push(item);
            //= spec/items.md#paging
            //# A Query or Scan page MUST end with the first item that brings the sum of the sizes of the page's items (before filtering and projection) to 1 MB (1048576 bytes) or more, or with the `Limit`-th item, whichever comes first, and MUST then carry `LastEvaluatedKey`, the key of its last item, when more items follow.
            if limit.is_some_and(|l| page.len() >= l) || bytes >= PAGE_BYTES {
                cut = limit.is_some_and(|l| page.len() >= l) || page.len() < total;
                break;
            }
        }
        let last = if cut {
            page.last().and_then(&last_key)
        } else {
            None
        };
        let scanned = page.len() as i64;
        if let Some(f) = filter {
            page.retain(|it| f.eval(it));
        }
        let n = page.len() as i64;
        ItemsOutput {
            items: (!count_only).then(|| page.into_iter().map(|it| apply(it, paths)).collect()),
            count: n,
            scanned_count: scanned,
            last_evaluated_key: last,
        }
    }

    pub(crate) fn scan(&self, call: &Call<'_>, i: ScanInput) -> Result<ItemsOutput, ApiError> {
        let mut v = Violations::default();
        validate::table_name(i.table_name.as_deref(), &mut v);
        v.into_result()?;
        if let Some(index) = &i.index_name {
            return self.index_scan(call, &i, index);
        }
        let count_only = select::table_read(
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
        let (filter, paths) = (exprs.filter, exprs.projection);
        let segment = ddbsse_wire::scan_segments::check(i.segment, i.total_segments)?;
        let st = self.read_state();
        let meta = self.data_table(&st, i.table_name.as_deref())?;
        let schema = meta.schema();
        let start = match &i.exclusive_start_key {
            None => None,
            Some(k) => Some(
                schema
                    .key_of(k, true)
                    .map_err(|_| dynamodb_errors::invalid_start_key())?,
            ),
        };
        let crypto = self.data_plane_crypto(&st, meta, call)?;
        let uid = meta.uid_bytes();
        let mut after = start.map(|k| crypto.row_key(&uid, &schema, &k).to_vec());
        let want = limit.unwrap_or(usize::MAX);
        let mut items = Vec::new();
        let mut bytes = 0usize;
        // Read in batches until the page is full (count or 1 MB), plus one row to know whether
        // more follow.
        while items.len() < want.saturating_add(1) && bytes < PAGE_BYTES {
            let batch = (want.saturating_add(1) - items.len()).min(256);
            let rows = self
                .store
                .range(Space::Items, &uid, after.as_deref(), batch)
                .map_err(|_| internal("storage read failed"))?;
            let Some((last_row, _)) = rows.last() else {
                break;
            };
            after = Some(last_row.clone());
            let n = rows.len();
            for (row, env) in rows {
                let item = crypto.open(&row, &env, &uid, &schema)?;
                //= spec/items.md#scan-segments
                //# A Scan with `Segment` MUST return only the items of that segment, paged and filtered as a Scan without it.
                if segment.is_some_and(|g| !g.holds(item.get(&schema.hash.0))) {
                    continue;
                }
                bytes += item_size(&item);
                items.push(item);
            }
            if n < batch {
                break;
            }
        }
        if bytes >= PAGE_BYTES && items.len() <= want {
            // The page is full by size: one more row tells whether more follow.
            let rows = self
                .store
                .range(Space::Items, &uid, after.as_deref(), 1)
                .map_err(|_| internal("storage read failed"))?;
            for (row, env) in rows {
                let item = crypto.open(&row, &env, &uid, &schema)?;
                if segment.is_none_or(|g| g.holds(item.get(&schema.hash.0))) {
                    items.push(item);
                }
            }
        }
        Ok(self.page(items, limit, &schema, filter.as_ref(), &paths, count_only))
    }
}
