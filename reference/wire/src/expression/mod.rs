//! DynamoDB's expression language, one parser and evaluator for every kind
//! (`spec/expressions.md`): condition and filter expressions ([`condition`]), update expressions
//! ([`update`]), projection expressions ([`projection`]) and key conditions
//! ([`key_condition`]), with `ExpressionAttributeNames` and `ExpressionAttributeValues`
//! substituted ([`names`]) and DynamoDB's errors ([`errors`]).
//!
//! Parsing is in two steps: [`parser`] turns text into a tree whose names and values are still
//! placeholders (printable back to text, which the property tests use), and [`names::Subst`]
//! resolves them for all the expressions of one request together, so that it can tell which
//! entries of the two maps no expression used. The request-level helpers below do both steps
//! in DynamoDB's order: syntax of every expression, then names and values, then unused entries.
//!
//! Does: syntax, substitution, evaluation against an item, computing an updated item. Does not:
//! know tables, keys or stored items (the model and the engine pass the item in).

pub mod compare;
pub mod condition;
pub mod errors;
#[cfg(any(test, feature = "generators"))]
pub mod generate;
pub mod key_condition;
mod lexer;
pub mod names;
mod parser;
pub mod path;
pub mod projection;
pub mod update;

use std::collections::BTreeMap;

pub use condition::Condition;
pub use errors::Kind;
pub use key_condition::{KeyCondition, SortCondition};
pub use names::Subst;
pub use parser::Operand;
pub use path::{Path, PathElement};
pub use projection::project;
pub use update::Update;

use crate::attribute::AttributeValue;
use crate::error::ApiError;

/// Names of one request.
pub type Names = BTreeMap<String, String>;
/// Values of one request.
pub type Values = BTreeMap<String, AttributeValue>;

//= spec/expressions.md#errors
//# An expression given as the empty string MUST be refused with `Invalid <member>: The expression can not be empty;`.
fn nonempty(src: &str, kind: Kind) -> Result<&str, ApiError> {
    if src.trim().is_empty() {
        Err(errors::invalid(kind, "The expression can not be empty;"))
    } else {
        Ok(src)
    }
}

/// The expressions of a read request (GetItem, Query, Scan, BatchGetItem), resolved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadExpressions {
    /// `KeyConditionExpression` (Query).
    pub key: Option<KeyCondition>,
    /// `FilterExpression` (Query, Scan).
    pub filter: Option<Condition<AttributeValue>>,
    /// `ProjectionExpression`.
    pub projection: Option<Vec<Path>>,
}

/// Parses and resolves the expressions of a read request.
pub fn read_expressions(
    key: Option<&str>,
    filter: Option<&str>,
    projection: Option<&str>,
    names: Option<&Names>,
    values: Option<&Values>,
) -> Result<ReadExpressions, ApiError> {
    let key = key
        .map(|s| {
            nonempty(s, Kind::KeyCondition).and_then(|s| condition::parse(s, Kind::KeyCondition))
        })
        .transpose()?;
    let filter = filter
        .map(|s| nonempty(s, Kind::Filter).and_then(|s| condition::parse(s, Kind::Filter)))
        .transpose()?;
    let proj = projection
        .map(|s| nonempty(s, Kind::Projection).and_then(projection::parse))
        .transpose()?;
    let any = key.is_some() || filter.is_some() || proj.is_some();
    let mut s = Subst::new(names, values, any)?;
    let key = key
        .map(|c| {
            condition::resolve(c, &mut s, Kind::KeyCondition)
                .and_then(key_condition::from_condition)
        })
        .transpose()?;
    let filter = filter
        .map(|c| condition::resolve(c, &mut s, Kind::Filter))
        .transpose()?;
    let projection = proj
        .map(|ps| {
            ps.into_iter()
                .map(|p| s.path(Kind::Projection, p))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    s.finish()?;
    Ok(ReadExpressions {
        key,
        filter,
        projection,
    })
}

/// The expressions of a write request (PutItem, DeleteItem, UpdateItem), resolved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteExpressions {
    /// `UpdateExpression` (UpdateItem).
    pub update: Option<Update<AttributeValue>>,
    /// `ConditionExpression`.
    pub condition: Option<Condition<AttributeValue>>,
}

/// Parses and resolves the expressions of a write request.
pub fn write_expressions(
    update: Option<&str>,
    condition: Option<&str>,
    names: Option<&Names>,
    values: Option<&Values>,
) -> Result<WriteExpressions, ApiError> {
    let upd = update
        .map(|s| nonempty(s, Kind::Update).and_then(update::parse))
        .transpose()?;
    let cond = condition
        .map(|s| nonempty(s, Kind::Condition).and_then(|s| condition::parse(s, Kind::Condition)))
        .transpose()?;
    let mut s = Subst::new(names, values, upd.is_some() || cond.is_some())?;
    let update = upd.map(|u| update::resolve(u, &mut s)).transpose()?;
    let condition = cond
        .map(|c| condition::resolve(c, &mut s, Kind::Condition))
        .transpose()?;
    s.finish()?;
    Ok(WriteExpressions { update, condition })
}

/// Parses a `KeyConditionExpression` alone (with its names and values).
pub fn parse_key_condition(
    expr: &str,
    names: Option<&Names>,
    values: Option<&Values>,
) -> Result<KeyCondition, ApiError> {
    read_expressions(Some(expr), None, None, names, values)?
        .key
        .ok_or_else(|| errors::invalid(Kind::KeyCondition, "The expression can not be empty;"))
}

/// Parses a `ProjectionExpression` alone (with its names) into document paths.
pub fn parse_projection(expr: &str, names: Option<&Names>) -> Result<Vec<Path>, ApiError> {
    Ok(read_expressions(None, None, Some(expr), names, None)?
        .projection
        .unwrap_or_default())
}

#[cfg(test)]
mod hostile;
#[cfg(test)]
mod tests;
