//! Key conditions of Query: a condition expression restricted to `partition = value`, optionally
//! `AND` one sort-key condition (`=`, `<`, `<=`, `>`, `>=`, `BETWEEN` or `begins_with`).
//!
//! Does: parse with the condition grammar ([`super::condition`]) and check the restricted shape.
//! Does not: know the table's key schema (the caller matches the names against it).

use super::condition::{Cmp, Condition};
use super::errors::{self, Kind};
use super::parser::Operand;
use super::path::PathElement;
use crate::attribute::AttributeValue;
use crate::error::ApiError;

/// A comparison on the sort key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SortCondition {
    /// `=`.
    Eq(AttributeValue),
    /// `<`.
    Lt(AttributeValue),
    /// `<=`.
    Le(AttributeValue),
    /// `>`.
    Gt(AttributeValue),
    /// `>=`.
    Ge(AttributeValue),
    /// `BETWEEN a AND b`.
    Between(AttributeValue, AttributeValue),
    /// `begins_with(name, v)`.
    BeginsWith(AttributeValue),
}

impl SortCondition {
    /// Whether a sort-key value satisfies the condition.
    pub fn matches(&self, v: &AttributeValue) -> bool {
        use std::cmp::Ordering::*;
        let c = |x: &AttributeValue| v.key_cmp(x);
        match self {
            SortCondition::Eq(x) => c(x) == Some(Equal),
            SortCondition::Lt(x) => c(x) == Some(Less),
            SortCondition::Le(x) => matches!(c(x), Some(Less | Equal)),
            SortCondition::Gt(x) => c(x) == Some(Greater),
            SortCondition::Ge(x) => matches!(c(x), Some(Greater | Equal)),
            SortCondition::Between(a, b) => {
                matches!(c(a), Some(Greater | Equal)) && matches!(c(b), Some(Less | Equal))
            }
            SortCondition::BeginsWith(x) => super::compare::begins_with(v, x),
        }
    }
}

/// A parsed `KeyConditionExpression`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyCondition {
    /// The partition key's name and value.
    pub hash: (String, AttributeValue),
    /// The sort key's name and condition.
    pub range: Option<(String, SortCondition)>,
}

fn operator_error(op: &str) -> ApiError {
    errors::invalid(
        Kind::KeyCondition,
        format!("Invalid operator used in KeyConditionExpression: {op}"),
    )
}

/// The attribute name of a key-condition operand that must be a top-level attribute.
fn key_name(o: &Operand<AttributeValue>) -> Result<String, ApiError> {
    match o {
        Operand::Path(p) => match p.as_slice() {
            [PathElement::Name(n)] => Ok(n.clone()),
            _ => Err(errors::invalid(
                Kind::KeyCondition,
                "KeyConditionExpressions cannot contain nested attributes",
            )),
        },
        _ => Err(errors::invalid(
            Kind::KeyCondition,
            "Conditions can be of length 1 or 2 only",
        )),
    }
}

fn key_value(o: &Operand<AttributeValue>) -> Result<AttributeValue, ApiError> {
    match o {
        Operand::Value(v) => Ok(v.clone()),
        _ => Err(errors::invalid(
            Kind::KeyCondition,
            "Conditions can be of length 1 or 2 only",
        )),
    }
}

fn clauses(
    c: Condition<AttributeValue>,
    out: &mut Vec<(String, SortCondition)>,
) -> Result<(), ApiError> {
    match c {
        Condition::And(a, b) => {
            clauses(*a, out)?;
            clauses(*b, out)
        }
        Condition::Or(..) => Err(operator_error("OR")),
        Condition::Not(..) => Err(operator_error("NOT")),
        Condition::In(..) => Err(operator_error("IN")),
        Condition::Cmp(Cmp::Ne, ..) => Err(operator_error("<>")),
        Condition::Exists(_) => Err(operator_error("attribute_exists")),
        Condition::NotExists(_) => Err(operator_error("attribute_not_exists")),
        Condition::Type(..) => Err(operator_error("attribute_type")),
        Condition::Contains(..) => Err(operator_error("contains")),
        Condition::Cmp(cmp, a, b) => {
            let (n, v) = (key_name(&a)?, key_value(&b)?);
            out.push((
                n,
                match cmp {
                    Cmp::Eq => SortCondition::Eq(v),
                    Cmp::Lt => SortCondition::Lt(v),
                    Cmp::Le => SortCondition::Le(v),
                    Cmp::Gt => SortCondition::Gt(v),
                    _ => SortCondition::Ge(v),
                },
            ));
            Ok(())
        }
        Condition::Between(a, l, h) => {
            let n = key_name(&a)?;
            out.push((n, SortCondition::Between(key_value(&l)?, key_value(&h)?)));
            Ok(())
        }
        Condition::BeginsWith(a, b) => {
            let n = key_name(&a)?;
            out.push((n, SortCondition::BeginsWith(key_value(&b)?)));
            Ok(())
        }
    }
}

//= spec/expressions.md#key-condition
//# A key condition MUST be an equality on the partition key, optionally joined with `AND` to one condition on the sort key (`=`, `<`, `<=`, `>`, `>=`, `BETWEEN` or `begins_with`); `OR`, `NOT`, `IN`, `<>` and the other functions MUST be refused with `Invalid operator used in KeyConditionExpression: <operator>`.
/// The key condition a resolved condition expresses.
pub fn from_condition(c: Condition<AttributeValue>) -> Result<KeyCondition, ApiError> {
    let mut cl = Vec::new();
    clauses(c, &mut cl)?;
    if cl.len() > 2 {
        return Err(errors::invalid(
            Kind::KeyCondition,
            "The expression can only have one or two key conditions",
        ));
    }
    // The partition key condition is the `=` clause; with two `=` clauses the first is the hash.
    let hash_idx = cl
        .iter()
        .position(|(_, c)| matches!(c, SortCondition::Eq(_)))
        .ok_or_else(|| ApiError::validation("Query condition missed key schema element"))?;
    let (hname, SortCondition::Eq(hval)) = cl.remove(hash_idx) else {
        return Err(ApiError::validation(
            "Query condition missed key schema element",
        ));
    };
    Ok(KeyCondition {
        hash: (hname, hval),
        range: cl.pop(),
    })
}
