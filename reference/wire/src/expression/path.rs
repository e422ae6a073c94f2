//! Document paths (`a.b[2].#c`): their elements, how they print, and reading, writing and
//! removing the value a path names in an item.
//!
//! Does: walk maps and lists. Does not: parse paths ([`super::parser`]) or substitute `#names`
//! ([`super::names`]).

use crate::attribute::{AttributeValue, Item};

use super::errors;
use crate::error::ApiError;

/// One element of a document path.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathElement {
    /// A top-level attribute name or a map key (as written before substitution: a plain name or
    /// a `#placeholder`; the attribute name after it).
    Name(String),
    /// A list index.
    Index(usize),
}

/// A document path: a name, then names and indexes.
pub type Path = Vec<PathElement>;

/// Prints a path as written in an expression (`a.b[2]`).
pub fn print(path: &[PathElement]) -> String {
    let mut out = String::new();
    for (i, e) in path.iter().enumerate() {
        match e {
            PathElement::Name(n) => {
                if i > 0 {
                    out.push('.');
                }
                out.push_str(n);
            }
            PathElement::Index(x) => {
                out.push('[');
                out.push_str(&x.to_string());
                out.push(']');
            }
        }
    }
    out
}

/// Prints a path as DynamoDB's overlap message lists it (`[a, b, [2]]`).
pub fn print_list(path: &[PathElement]) -> String {
    let parts: Vec<String> = path
        .iter()
        .map(|e| match e {
            PathElement::Name(n) => n.clone(),
            PathElement::Index(x) => format!("[{x}]"),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// The value `path` names in `item`, if any.
pub fn get<'i>(item: &'i Item, path: &[PathElement]) -> Option<&'i AttributeValue> {
    let (PathElement::Name(top), rest) = path.split_first()? else {
        return None;
    };
    let mut v = item.get(top)?;
    for e in rest {
        v = match (e, v) {
            (PathElement::Name(n), AttributeValue::M(m)) => m.get(n)?,
            (PathElement::Index(i), AttributeValue::L(l)) => l.get(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

/// The container `path`'s last element lives in, for writing.
fn parent_mut<'i>(item: &'i mut Item, path: &[PathElement]) -> Result<Parent<'i>, ApiError> {
    let Some((PathElement::Name(top), rest)) = path.split_first() else {
        return Err(errors::invalid_document_path());
    };
    if rest.is_empty() {
        return Ok(Parent::Item(item));
    }
    let mut v = item
        .get_mut(top)
        .ok_or_else(errors::invalid_document_path)?;
    for e in &rest[..rest.len() - 1] {
        v = match (e, v) {
            (PathElement::Name(n), AttributeValue::M(m)) => {
                m.get_mut(n).ok_or_else(errors::invalid_document_path)?
            }
            (PathElement::Index(i), AttributeValue::L(l)) => {
                l.get_mut(*i).ok_or_else(errors::invalid_document_path)?
            }
            _ => return Err(errors::invalid_document_path()),
        };
    }
    Ok(Parent::Value(v))
}

enum Parent<'i> {
    Item(&'i mut Item),
    Value(&'i mut AttributeValue),
}

/// Writes `value` at `path`: a top-level attribute, a map key (added or replaced) or a list
/// element (replaced, or appended when the index is past the end). Fails when the path's parent
/// is missing or is not a map (for a name) or a list (for an index).
pub fn set(item: &mut Item, path: &[PathElement], value: AttributeValue) -> Result<(), ApiError> {
    let last = path.last().ok_or_else(errors::invalid_document_path)?;
    match (parent_mut(item, path)?, last) {
        (Parent::Item(it), PathElement::Name(n)) => {
            it.insert(n.clone(), value);
        }
        (Parent::Value(AttributeValue::M(m)), PathElement::Name(n)) => {
            m.insert(n.clone(), value);
        }
        (Parent::Value(AttributeValue::L(l)), PathElement::Index(i)) => {
            if *i < l.len() {
                l[*i] = value;
            } else {
                l.push(value);
            }
        }
        _ => return Err(errors::invalid_document_path()),
    }
    Ok(())
}

/// Removes what `path` names; nothing happens when the last element is absent. Fails as
/// [`set`] does when the parent is missing or of the wrong type.
pub fn remove(item: &mut Item, path: &[PathElement]) -> Result<(), ApiError> {
    let last = path.last().ok_or_else(errors::invalid_document_path)?;
    match (parent_mut(item, path)?, last) {
        (Parent::Item(it), PathElement::Name(n)) => {
            it.remove(n);
        }
        (Parent::Value(AttributeValue::M(m)), PathElement::Name(n)) => {
            m.remove(n);
        }
        (Parent::Value(AttributeValue::L(l)), PathElement::Index(i)) => {
            if *i < l.len() {
                l.remove(*i);
            }
        }
        _ => return Err(errors::invalid_document_path()),
    }
    Ok(())
}

/// Whether one path is a prefix of the other (equal paths included).
pub fn overlaps(a: &[PathElement], b: &[PathElement]) -> bool {
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}
