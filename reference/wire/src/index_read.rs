//! Reads through a secondary index (`spec/items.md#index-read`): which index a Query or Scan
//! with `IndexName` names, the index's key schema and projection, which items an index holds
//! (sparse indexes) and what of them, the order of an index's entries, the key a page of an
//! index ends with, and the checks AWS applies to `ConsistentRead`, `Select` and
//! `ProjectionExpression` on an index, with AWS's messages.
//!
//! Does: everything about an index read that does not depend on stored state, shared by the
//! model and the endpoint. Does not: store or find entries (each implementation keeps its own),
//! nor check the key condition itself (that is the base-table Query's check, run against
//! [`IndexView::schema`]).

use std::cmp::Ordering;

use crate::attribute::{AttributeValue, Item, ScalarType};
use crate::dynamodb::AttributeDefinition;
use crate::dynamodb_errors::invalid_parameter;
use crate::error::ApiError;
use crate::expression::Path;
use crate::expression::key_condition::KeyCondition;
use crate::expression::path::PathElement;
use crate::validate::KeySchema;
use crate::validate_indexes::IndexDef;

/// What an index holds of an item besides the keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Projected {
    /// `KEYS_ONLY`: the table's and the index's key attributes.
    KeysOnly,
    /// `INCLUDE`: the keys and these attributes.
    Include(Vec<String>),
    /// `ALL`: the whole item.
    All,
}

/// One index as a read sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexView {
    /// The index name.
    pub name: String,
    /// Global (`true`) or local.
    pub global: bool,
    /// The index's key schema, with types from the table's attribute definitions.
    pub schema: KeySchema,
    /// The projection.
    pub projected: Projected,
}

//= spec/items.md#index-read
//# A Query or Scan whose `IndexName` names no index of the table (or a global index that is being deleted) MUST fail with `ValidationException` and the message `The table does not have the specified index: <index name>`.
/// The error of an `IndexName` the table does not have.
pub fn no_such_index(name: &str) -> ApiError {
    ApiError::validation(format!(
        "The table does not have the specified index: {name}"
    ))
}

/// The error of `ConsistentRead` `true` on a global index.
pub fn consistent_read_on_global() -> ApiError {
    ApiError::validation("Consistent reads are not supported on global secondary indexes")
}

/// The error of a read of a global index that is still `CREATING` (decided text).
pub fn index_backfilling(name: &str) -> ApiError {
    ApiError::validation(format!(
        "Cannot read from backfilling global secondary index: {name}"
    ))
}

fn scalar(defs: &[AttributeDefinition], name: &str) -> ScalarType {
    match defs
        .iter()
        .find(|d| d.attribute_name == name)
        .map(|d| d.attribute_type.as_str())
    {
        Some("N") => ScalarType::N,
        Some("B") => ScalarType::B,
        _ => ScalarType::S,
    }
}

impl IndexView {
    /// The view of a validated index definition, key types from the table's definitions.
    pub fn of(def: &IndexDef, defs: &[AttributeDefinition]) -> Self {
        let mut hash = None;
        let mut range = None;
        for k in &def.key_schema {
            let entry = (k.attribute_name.clone(), scalar(defs, &k.attribute_name));
            if k.key_type == "RANGE" {
                range = Some(entry);
            } else {
                hash = Some(entry);
            }
        }
        let projected = match def.projection.projection_type.as_deref() {
            Some("ALL") => Projected::All,
            Some("INCLUDE") => Projected::Include(
                def.projection
                    .non_key_attributes
                    .clone()
                    .unwrap_or_default(),
            ),
            _ => Projected::KeysOnly,
        };
        Self {
            name: def.name.clone(),
            global: def.global,
            schema: KeySchema {
                hash: hash.unwrap_or_else(|| (String::new(), ScalarType::S)),
                range,
            },
            projected,
        }
    }

    /// The index's key schema (what a Query's key condition must name).
    pub fn schema(&self) -> &KeySchema {
        &self.schema
    }

    //= spec/items.md#index-sparse
    //# An item MUST be in an index exactly when it has every key attribute of the index with the type of the index's key schema; an item lacking one is not in the index and no read of the index returns it.
    /// The index's entry for `item` of a table keyed by `table`: `None` when the item lacks an
    /// index key attribute (or has it with another type); otherwise the projected attributes.
    pub fn entry(&self, table: &KeySchema, item: &Item) -> Option<Item> {
        let index_key = self.schema.key_of(item, false).ok()?;
        //= spec/items.md#index-projection
        //# An index entry MUST hold the table's and the index's key attributes, and besides them the `NonKeyAttributes` the item has under `INCLUDE`, every attribute under `ALL`, and nothing else under `KEYS_ONLY`.
        if self.projected == Projected::All {
            return Some(item.clone());
        }
        let mut out = index_key;
        for name in table.names() {
            if let Some(v) = item.get(name) {
                out.insert(name.to_owned(), v.clone());
            }
        }
        if let Projected::Include(names) = &self.projected {
            for n in names {
                if let Some(v) = item.get(n) {
                    out.insert(n.clone(), v.clone());
                }
            }
        }
        Some(out)
    }

    /// Whether the index holds the top-level attribute `name`.
    pub fn projects(&self, table: &KeySchema, name: &str) -> bool {
        match &self.projected {
            Projected::All => true,
            Projected::KeysOnly => {
                table.names().contains(&name) || self.schema.names().contains(&name)
            }
            Projected::Include(names) => {
                table.names().contains(&name)
                    || self.schema.names().contains(&name)
                    || names.iter().any(|n| n == name)
            }
        }
    }

    //= spec/items.md#index-order
    //# The entries of an index MUST be ordered by the index's sort key (when it has one), then by the table's partition key, then by the table's sort key, each compared as key values are.
    /// The order of two entries of one index partition (see the section quoted above).
    pub fn cmp(&self, table: &KeySchema, a: &Item, b: &Item) -> Ordering {
        let by = |name: &str| match (a.get(name), b.get(name)) {
            (Some(x), Some(y)) => x
                .key_cmp(y)
                .unwrap_or_else(|| x.type_name().cmp(y.type_name())),
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        let mut order = Vec::with_capacity(3);
        if let Some((r, _)) = &self.schema.range {
            order.push(r.as_str());
        }
        order.extend(table.names());
        order
            .into_iter()
            .map(by)
            .find(|o| *o != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
    }

    //= spec/items.md#index-paging
    //# A page of an index read that carries `LastEvaluatedKey` MUST carry the table's key attributes and the index's key attributes of the page's last entry, and an `ExclusiveStartKey` of an index read MUST carry them all, else the request fails as a base-table read with a bad start key does.
    /// The `LastEvaluatedKey` of a page ending with `entry`.
    pub fn last_key(&self, table: &KeySchema, entry: &Item) -> Item {
        let mut out = Item::new();
        for name in table.names().into_iter().chain(self.schema.names()) {
            if let Some(v) = entry.get(name) {
                out.insert(name.to_owned(), v.clone());
            }
        }
        out
    }

    /// Checks an index read's `ExclusiveStartKey`: the table's and the index's key attributes,
    /// each of its key type, and nothing else; returns it normalized.
    pub fn start_key(&self, table: &KeySchema, esk: &Item) -> Result<Item, ApiError> {
        let bad = crate::dynamodb_errors::invalid_start_key;
        let base = table.key_of(esk, false).map_err(|_| bad())?;
        let idx = self.schema.key_of(esk, false).map_err(|_| bad())?;
        let mut out = base;
        out.extend(idx);
        if out.len() != esk.len() {
            return Err(bad());
        }
        Ok(out)
    }
}

/// The index `name` of a table among its `indexes` (each with its status at the time of the
/// read: `CREATING`, `ACTIVE`, `DELETING`), key types from the table's definitions.
pub fn resolve<'a>(
    name: &str,
    indexes: impl IntoIterator<Item = (&'a IndexDef, &'static str)>,
    defs: &[AttributeDefinition],
) -> Result<IndexView, ApiError> {
    let (def, status) = indexes
        .into_iter()
        .find(|(d, s)| d.name == name && *s != "DELETING")
        .ok_or_else(|| no_such_index(name))?;
    //= spec/items.md#index-read
    //# A read of a global index whose `IndexStatus` is `CREATING` MUST fail with `ValidationException` and the message `Cannot read from backfilling global secondary index: <index name>`.
    if status == "CREATING" {
        return Err(index_backfilling(name));
    }
    Ok(IndexView::of(def, defs))
}

//= spec/items.md#index-read
//# A Query with `IndexName` MUST check its key condition against the index's key schema as a Query of the table checks it against the table's, with the same messages, and MUST return the index's entries of the partition the condition names that satisfy its sort key condition, in the order of section 17 (reversed when `ScanIndexForward` is false).
/// Checks a Query's key condition against an index's key schema as a base-table Query checks
/// it against the table's (`spec/items.md#index-read`), and returns the normalized partition
/// value.
pub fn key_condition_on(
    schema: &KeySchema,
    cond: &KeyCondition,
) -> Result<AttributeValue, ApiError> {
    use crate::dynamodb_errors as e;
    if cond.hash.0 != schema.hash.0 {
        return Err(e::key_condition_missed(&schema.hash.0));
    }
    if cond.hash.1.scalar_type() != Some(schema.hash.1) {
        return Err(e::condition_type_mismatch());
    }
    if let Some((rname, _)) = &cond.range {
        match &schema.range {
            Some((sname, _)) if sname == rname => {}
            _ => return Err(e::key_condition_not_supported()),
        }
    }
    cond.hash.1.normalized()
}

/// Whether `select` is a `Select` an index read accepts and base-table reads refuse here.
pub fn projected_select(select: Option<&str>) -> bool {
    select == Some("ALL_PROJECTED_ATTRIBUTES")
}

/// What a read of an index returns of each entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexSelect {
    /// `COUNT`: no items.
    Count,
    /// The projected attributes (or those of the projection expression, all projected).
    Projected,
    /// The whole table item (a local index whose entry lacks what the read asks for).
    FetchItem,
}

/// An index Query after every check of its members: what the model and the engine read with.
#[derive(Debug)]
pub struct IndexQuery {
    /// `Limit`.
    pub limit: Option<usize>,
    /// The key condition, on the index's key schema.
    pub key: crate::expression::KeyCondition,
    /// The normalized partition value the key condition names.
    pub hash: AttributeValue,
    /// `FilterExpression`, resolved.
    pub filter: Option<crate::expression::Condition<AttributeValue>>,
    /// `ProjectionExpression`, resolved.
    pub projection: Option<Vec<Path>>,
    /// What the read returns of each entry.
    pub mode: IndexSelect,
    /// `ExclusiveStartKey`, checked against the index and the table.
    pub start: Option<Item>,
}

/// Checks an index Query's members in the order DynamoDB applies them, so that the model and
/// the engine refuse a request breaking several rules with the same error: `Select`, `Limit`,
/// the key condition's presence and every expression, the key condition against the index's
/// key schema, `ConsistentRead` and the projection, then `ExclusiveStartKey`.
pub fn check_query(
    view: &IndexView,
    table: &KeySchema,
    input: &crate::dynamodb::QueryInput,
) -> Result<IndexQuery, ApiError> {
    use crate::dynamodb_errors::no_key_condition;
    let select = crate::select::index_read(
        crate::select::ReadOp::Query,
        input.select.as_deref(),
        input.projection_expression.is_some(),
    )?;
    let limit = crate::validate::read_limit(input.limit)?;
    let expr = input
        .key_condition_expression
        .as_deref()
        .ok_or_else(no_key_condition)?;
    let exprs = crate::expression::read_expressions(
        Some(expr),
        input.filter_expression.as_deref(),
        input.projection_expression.as_deref(),
        input.expression_attribute_names.as_ref(),
        input.expression_attribute_values.as_ref(),
    )?;
    let key = exprs.key.ok_or_else(no_key_condition)?;
    let hash = key_condition_on(view.schema(), &key)?;
    let mode = index_select(
        view,
        table,
        input.consistent_read,
        select,
        exprs.projection.as_deref(),
    )?;
    let start = input
        .exclusive_start_key
        .as_ref()
        .map(|k| view.start_key(table, k))
        .transpose()?;
    Ok(IndexQuery {
        limit,
        key,
        hash,
        filter: exprs.filter,
        projection: exprs.projection,
        mode,
        start,
    })
}

//= spec/items.md#index-read
//# On a global index, `ConsistentRead` `true` MUST be refused with `Consistent reads are not supported on global secondary indexes`, `Select` `ALL_ATTRIBUTES` on an index whose projection is not `ALL` with `One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index <index name> because its projection type is not ALL`, and a `ProjectionExpression` naming an attribute the index does not project with `One or more parameter values were invalid: Global secondary index <index name> does not project [<attribute>]`; on a local index these reads MUST fetch the attributes from the table's item.
/// The checks of `ConsistentRead`, `Select` and the projection on an index read, and what it
/// returns. `select` is the request's `Select` (already known to be one of the four values).
pub fn index_select(
    view: &IndexView,
    table: &KeySchema,
    consistent_read: Option<bool>,
    select: Option<&str>,
    paths: Option<&[Path]>,
) -> Result<IndexSelect, ApiError> {
    if view.global && consistent_read == Some(true) {
        return Err(consistent_read_on_global());
    }
    match select {
        Some("COUNT") => return Ok(IndexSelect::Count),
        Some("ALL_ATTRIBUTES") if view.projected != Projected::All => {
            if view.global {
                return Err(invalid_parameter(&format!(
                    "Select type ALL_ATTRIBUTES is not supported for global secondary index {} because its projection type is not ALL",
                    view.name
                )));
            }
            return Ok(IndexSelect::FetchItem);
        }
        _ => {}
    }
    if let Some(paths) = paths {
        let missing = paths.iter().find_map(|p| match p.first() {
            Some(PathElement::Name(n)) if !view.projects(table, n) => Some(n.clone()),
            _ => None,
        });
        if let Some(n) = missing {
            if view.global {
                return Err(invalid_parameter(&format!(
                    "Global secondary index {} does not project [{n}]",
                    view.name
                )));
            }
            return Ok(IndexSelect::FetchItem);
        }
    }
    Ok(IndexSelect::Projected)
}

/// Whether a value is the partition value `hash` (for a Query's partition).
pub fn same_value(a: Option<&AttributeValue>, hash: &AttributeValue) -> bool {
    a.is_some_and(|v| v.key_cmp(hash) == Some(Ordering::Equal))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamodb::KeySchemaElement;
    use crate::dynamodb_control::Projection;

    fn s(v: &str) -> AttributeValue {
        AttributeValue::S(v.to_owned())
    }

    fn view(projection: &str, global: bool) -> (IndexView, KeySchema) {
        let def = IndexDef {
            name: "byCity".to_owned(),
            global,
            key_schema: vec![
                KeySchemaElement {
                    attribute_name: "city".to_owned(),
                    key_type: "HASH".to_owned(),
                },
                KeySchemaElement {
                    attribute_name: "age".to_owned(),
                    key_type: "RANGE".to_owned(),
                },
            ],
            projection: Projection {
                projection_type: Some(projection.to_owned()),
                non_key_attributes: (projection == "INCLUDE").then(|| vec!["name".to_owned()]),
            },
            read: 0,
            write: 0,
        };
        let defs = vec![
            AttributeDefinition {
                attribute_name: "city".to_owned(),
                attribute_type: "S".to_owned(),
            },
            AttributeDefinition {
                attribute_name: "age".to_owned(),
                attribute_type: "N".to_owned(),
            },
        ];
        let table = KeySchema {
            hash: ("pk".to_owned(), ScalarType::S),
            range: None,
        };
        (IndexView::of(&def, &defs), table)
    }

    //= spec/items.md#index-sparse
    //= type=test
    //# An item MUST be in an index exactly when it has every key attribute of the index with the type of the index's key schema; an item lacking one is not in the index and no read of the index returns it.
    #[test]
    fn entries_are_sparse_and_projected() {
        let (v, t) = view("INCLUDE", true);
        let mut item = Item::new();
        item.insert("pk".to_owned(), s("a"));
        item.insert("city".to_owned(), s("Oslo"));
        assert_eq!(v.entry(&t, &item), None, "no sort key: not in the index");
        item.insert("age".to_owned(), s("not a number"));
        assert_eq!(v.entry(&t, &item), None, "wrong type: not in the index");
        item.insert("age".to_owned(), AttributeValue::N("3".to_owned()));
        item.insert("name".to_owned(), s("x"));
        item.insert("other".to_owned(), s("y"));
        let e = v.entry(&t, &item).unwrap();
        assert_eq!(e.len(), 4);
        assert!(!e.contains_key("other"));
    }

    #[test]
    fn global_reads_refuse_what_the_index_lacks() {
        let (v, t) = view("KEYS_ONLY", true);
        assert_eq!(
            index_select(&v, &t, Some(true), None, None)
                .unwrap_err()
                .message,
            "Consistent reads are not supported on global secondary indexes"
        );
        assert!(index_select(&v, &t, None, Some("ALL_ATTRIBUTES"), None).is_err());
        let p = vec![vec![PathElement::Name("other".to_owned())]];
        assert!(
            index_select(&v, &t, None, None, Some(&p))
                .unwrap_err()
                .message
                .ends_with("Global secondary index byCity does not project [other]")
        );
        let (l, t) = view("KEYS_ONLY", false);
        assert_eq!(
            index_select(&l, &t, Some(true), None, Some(&p)).unwrap(),
            IndexSelect::FetchItem
        );
    }
}
