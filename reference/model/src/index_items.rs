//! The model's reads of secondary indexes (`spec/items.md#index-read`): Query and Scan with
//! `IndexName`, and the index figures DescribeTable shows (`spec/control-plane.md#index-describe`).
//!
//! The model keeps no index data: an index is computed from the table's items at each read
//! (`IndexView::entry`), which is what an index is meant to be. What an index holds, its order,
//! its paging key and the checks of an index read come from `ddbsse_wire::index_read`, shared
//! with the endpoint. Does not: maintain anything on writes (there is nothing to maintain).

use std::cmp::Ordering;

use ddbsse_wire::ApiError;
use ddbsse_wire::attribute::{Item, item_size};
use ddbsse_wire::caller::Caller;
use ddbsse_wire::dynamodb::{ItemsOutput, QueryInput, ScanInput};
use ddbsse_wire::dynamodb_errors::table_not_found;
use ddbsse_wire::expression;
use ddbsse_wire::index_keys;
use ddbsse_wire::index_read::{self, IndexSelect, IndexView};
use ddbsse_wire::select::{self, ReadOp};
use ddbsse_wire::time::Timestamp;
use ddbsse_wire::validate;

use super::Model;
use super::items::{KeyPart, page};
use super::tables::Table;

impl Model {
    /// The view of `index` of `table` at `now`.
    fn index_view(&self, now: Timestamp, table: &str, index: &str) -> Result<IndexView, ApiError> {
        let t = self
            .tables
            .get(table)
            .ok_or_else(|| table_not_found(table))?;
        index_read::resolve(
            index,
            t.extras
                .indexes
                .iter()
                .filter_map(|i| i.status(now).map(|s| (&i.def, s))),
            &t.attribute_definitions,
        )
    }

    pub(super) fn index_query(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        name: &str,
        index: &str,
        input: &QueryInput,
    ) -> Result<ItemsOutput, ApiError> {
        let schema = self.table_schema(name)?;
        let view = self.index_view(now, name, index)?;
        let q = index_read::check_query(&view, &schema, input)?;
        self.table_key_gate(now, caller, name)?;
        let table = self.tables.get(name).ok_or_else(|| table_not_found(name))?;
        let hash_name = &view.schema().hash.0;
        let mut rows: Vec<(Item, &Item)> = entries(table, &view)
            .filter(|(e, _)| index_read::same_value(e.get(hash_name), &q.hash))
            .filter(|(e, _)| match &q.key.range {
                None => true,
                Some((rn, c)) => e.get(rn).is_some_and(|v| c.matches(v)),
            })
            .collect();
        rows.sort_by(|a, b| view.cmp(&schema, &a.0, &b.0));
        let forward = input.scan_index_forward.unwrap_or(true);
        if !forward {
            rows.reverse();
        }
        if let Some(s) = &q.start {
            let after = if forward {
                Ordering::Greater
            } else {
                Ordering::Less
            };
            rows.retain(|(e, _)| view.cmp(&schema, e, s) == after);
        }
        Ok(index_page(
            &view,
            &schema,
            &rows,
            q.mode,
            q.limit,
            &q.filter,
            &q.projection,
        ))
    }

    pub(super) fn index_scan(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        name: &str,
        index: &str,
        input: &ScanInput,
    ) -> Result<ItemsOutput, ApiError> {
        let schema = self.table_schema(name)?;
        let view = self.index_view(now, name, index)?;
        let select = select::index_read(
            ReadOp::Scan,
            input.select.as_deref(),
            input.projection_expression.is_some(),
        )?;
        let limit = validate::read_limit(input.limit)?;
        let exprs = expression::read_expressions(
            None,
            input.filter_expression.as_deref(),
            input.projection_expression.as_deref(),
            input.expression_attribute_names.as_ref(),
            input.expression_attribute_values.as_ref(),
        )?;
        let mode = index_read::index_select(
            &view,
            &schema,
            input.consistent_read,
            select,
            exprs.projection.as_deref(),
        )?;
        let segment = ddbsse_wire::scan_segments::check(input.segment, input.total_segments)?;
        let start = input
            .exclusive_start_key
            .as_ref()
            .map(|k| view.start_key(&schema, k))
            .transpose()?;
        self.table_key_gate(now, caller, name)?;
        let table = self.tables.get(name).ok_or_else(|| table_not_found(name))?;
        let hash_name = &view.schema().hash.0;
        //= spec/items.md#index-read
        //# A Scan of an index MUST return the index's entries as a Scan of a table returns its items, paged, filtered and split into segments by the index's partition key.
        let mut rows: Vec<(Item, &Item)> = entries(table, &view)
            .filter(|(e, _)| segment.is_none_or(|g| g.holds(e.get(hash_name))))
            .collect();
        // The model scans an index in (partition value, entry order) order; the endpoint in its
        // own stored order: Scan promises no order.
        let scan_cmp = |a: &Item, b: &Item| {
            let ka = a.get(hash_name).cloned().map(KeyPart);
            let kb = b.get(hash_name).cloned().map(KeyPart);
            ka.cmp(&kb).then_with(|| view.cmp(&schema, a, b))
        };
        rows.sort_by(|a, b| scan_cmp(&a.0, &b.0));
        if let Some(s) = &start {
            rows.retain(|(e, _)| scan_cmp(e, s) == Ordering::Greater);
        }
        Ok(index_page(
            &view,
            &schema,
            &rows,
            mode,
            limit,
            &exprs.filter,
            &exprs.projection,
        ))
    }
}

/// Checks the index key attributes of an item a write would store in `table`
/// (`spec/items.md#index-key-check`): every index that is not being deleted.
pub(super) fn check_index_keys(table: &Table, item: &Item) -> Result<(), ApiError> {
    index_keys::check(
        item,
        table
            .extras
            .indexes
            .iter()
            .filter(|i| i.deleted.is_none())
            .map(|i| &i.def),
        &table.attribute_definitions,
    )
}

/// The index entries of a table's items, each with its item.
fn entries<'t>(table: &'t Table, view: &'t IndexView) -> impl Iterator<Item = (Item, &'t Item)> {
    table
        .items
        .values()
        .filter_map(|it| view.entry(&table.schema, it).map(|e| (e, it)))
}

/// One page of an index read: entries, or the table's items when the read fetches them.
fn index_page(
    view: &IndexView,
    schema: &ddbsse_wire::validate::KeySchema,
    rows: &[(Item, &Item)],
    mode: IndexSelect,
    limit: Option<usize>,
    filter: &Option<expression::Condition<ddbsse_wire::AttributeValue>>,
    paths: &Option<Vec<expression::Path>>,
) -> ItemsOutput {
    let ordered: Vec<(&Item, &Item)> = rows
        .iter()
        .map(|(e, it)| {
            (
                e,
                if mode == IndexSelect::FetchItem {
                    *it
                } else {
                    e
                },
            )
        })
        .collect();
    page(
        ordered,
        |e| view.last_key(schema, e),
        limit,
        mode == IndexSelect::Count,
        filter.as_ref(),
        paths.as_ref(),
    )
}

/// `ItemCount` and `IndexSizeBytes` of `index` of `table`, as DescribeTable shows them.
pub(super) fn index_figures(table: &Table, index: &IndexView) -> (i64, i64) {
    //= spec/control-plane.md#index-figures
    //# A described index's `ItemCount` MUST be the number of the table's items that are in the index at the time of the request (for an index UpdateTable added, from the first read of the index on).
    let (mut count, mut bytes) = (0i64, 0i64);
    for (e, _) in entries(table, index) {
        count += 1;
        bytes += i64::try_from(item_size(&e)).unwrap_or(i64::MAX);
    }
    (count, bytes)
}
