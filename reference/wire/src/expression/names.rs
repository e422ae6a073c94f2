//! Substitution of `ExpressionAttributeNames` (`#name`) and `ExpressionAttributeValues`
//! (`:value`), the reserved-word check of plain names, and the request-wide checks of both maps
//! (empty, given without an expression, entries no expression uses).
//!
//! Does: resolve placeholders for every expression of one request and remember which were used.
//! Does not: parse ([`super::parser`]).

use std::collections::{BTreeMap, BTreeSet};

use super::errors::{self, Kind};
use super::path::{Path, PathElement};
use crate::attribute::AttributeValue;
use crate::error::ApiError;

/// DynamoDB's reserved words, one a line, upper case (from the DynamoDB Developer Guide,
/// "Reserved words in DynamoDB").
const RESERVED_WORDS: &str = include_str!("reserved_words.txt");

/// Whether `word` is a DynamoDB reserved word (case-insensitive).
pub fn is_reserved(word: &str) -> bool {
    static WORDS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let words = WORDS.get_or_init(|| RESERVED_WORDS.lines().collect());
    let upper = word.to_ascii_uppercase();
    words.binary_search(&upper.as_str()).is_ok()
}

/// The names and values of one request and which of them its expressions used.
#[derive(Debug)]
pub struct Subst<'a> {
    names: Option<&'a BTreeMap<String, String>>,
    values: Option<&'a BTreeMap<String, AttributeValue>>,
    used_names: BTreeSet<&'a str>,
    used_values: BTreeSet<&'a str>,
}

impl<'a> Subst<'a> {
    //= spec/expressions.md#names-values
    //# An empty `ExpressionAttributeNames` or `ExpressionAttributeValues` MUST be refused with the message `ExpressionAttributeNames must not be empty` or `ExpressionAttributeValues must not be empty`, and either map in a request without any expression MUST be refused with `ExpressionAttributeNames can only be specified when using expressions` or `ExpressionAttributeValues can only be specified when using expressions`.
    /// The substitution of one request; `any_expression` says whether the request has an
    /// expression at all.
    pub fn new(
        names: Option<&'a BTreeMap<String, String>>,
        values: Option<&'a BTreeMap<String, AttributeValue>>,
        any_expression: bool,
    ) -> Result<Self, ApiError> {
        if names.is_some_and(BTreeMap::is_empty) {
            return Err(errors::empty_map(true));
        }
        if values.is_some_and(BTreeMap::is_empty) {
            return Err(errors::empty_map(false));
        }
        if !any_expression {
            if names.is_some() {
                return Err(errors::map_without_expression(true));
            }
            if values.is_some() {
                return Err(errors::map_without_expression(false));
            }
        }
        Ok(Self {
            names,
            values,
            used_names: BTreeSet::new(),
            used_values: BTreeSet::new(),
        })
    }

    //= spec/expressions.md#names-values
    //# A `#name` that `ExpressionAttributeNames` does not define MUST be refused with `An expression attribute name used in the document path is not defined; attribute name: <#name>`, and a plain attribute name that is a DynamoDB reserved word (compared without regard to case) MUST be refused with `Attribute name is a reserved keyword; reserved keyword: <word>`.
    /// The path with every `#name` replaced by its attribute name.
    pub fn path(&mut self, kind: Kind, path: Path) -> Result<Path, ApiError> {
        path.into_iter()
            .map(|e| match e {
                PathElement::Name(n) => self.name(kind, &n).map(PathElement::Name),
                other => Ok(other),
            })
            .collect()
    }

    fn name(&mut self, kind: Kind, n: &str) -> Result<String, ApiError> {
        if n.starts_with('#') {
            let (k, v) = self
                .names
                .and_then(|m| m.get_key_value(n))
                .ok_or_else(|| errors::undefined_name(kind, n))?;
            self.used_names.insert(k.as_str());
            Ok(v.clone())
        } else if is_reserved(n) {
            Err(errors::reserved(kind, n))
        } else {
            Ok(n.to_owned())
        }
    }

    //= spec/expressions.md#names-values
    //# A `:value` that `ExpressionAttributeValues` does not define MUST be refused with `An expression attribute value used in expression is not defined; attribute value: <:value>`.
    /// The (normalised) value of a `:value` placeholder.
    pub fn value(&mut self, kind: Kind, v: &str) -> Result<AttributeValue, ApiError> {
        let (k, val) = self
            .values
            .and_then(|m| m.get_key_value(v))
            .ok_or_else(|| errors::undefined_value(kind, v))?;
        self.used_values.insert(k.as_str());
        val.normalized().map_err(|e| errors::invalid_value(v, &e))
    }

    //= spec/expressions.md#names-values
    //# An entry of `ExpressionAttributeNames` or `ExpressionAttributeValues` that none of the request's expressions uses MUST be refused with `Value provided in ExpressionAttributeNames unused in expressions: keys: {<keys>}` or `Value provided in ExpressionAttributeValues unused in expressions: keys: {<keys>}`, the unused keys in order and separated by `, `.
    /// Fails when an entry of either map was not used by any expression.
    pub fn finish(self) -> Result<(), ApiError> {
        let unused = |map: Option<Vec<&'a str>>, used: &BTreeSet<&'a str>| -> Vec<&'a str> {
            map.unwrap_or_default()
                .into_iter()
                .filter(|k| !used.contains(k))
                .collect()
        };
        let names = unused(
            self.names.map(|m| m.keys().map(String::as_str).collect()),
            &self.used_names,
        );
        if !names.is_empty() {
            return Err(errors::unused(true, &names));
        }
        let values = unused(
            self.values.map(|m| m.keys().map(String::as_str).collect()),
            &self.used_values,
        );
        if !values.is_empty() {
            return Err(errors::unused(false, &values));
        }
        Ok(())
    }
}
