//! Projection expressions: a comma-separated list of document paths, and applying them to an
//! item.
//!
//! Does: parse, print, project. Does not: substitute names ([`super::names`]).

use std::collections::BTreeMap;

use super::errors::Kind;
use super::lexer::Tok;
use super::parser::Parser;
use super::path::{self, Path, PathElement};
use crate::attribute::{AttributeValue, Item};
use crate::error::ApiError;

/// Parses a projection expression, names left as placeholders.
pub fn parse(src: &str) -> Result<Vec<Path>, ApiError> {
    let mut p = Parser::new(src, Kind::Projection)?;
    let mut out = vec![p.path()?];
    while p.peek() == Some(&Tok::Comma) {
        p.pos += 1;
        out.push(p.path()?);
    }
    p.end()?;
    Ok(out)
}

/// Prints a parsed projection so that it parses back to the same paths.
pub fn print(paths: &[Path]) -> String {
    paths
        .iter()
        .map(|p| path::print(p))
        .collect::<Vec<_>>()
        .join(", ")
}

//= spec/expressions.md#projection
//# A projection MUST return, of each item, exactly the parts its paths name that exist: a top-level attribute whole, a map key inside its enclosing maps, a list element inside its enclosing lists (elements of one list kept in index order), and nothing for a path that names nothing.
/// Applies document paths to an item: the result holds only the projected parts.
pub fn project(item: &Item, paths: &[Path]) -> Item {
    let mut out = Item::new();
    // Sorting puts list indexes of one list in order, so the projected list keeps them in order.
    let mut sorted: Vec<&Path> = paths.iter().collect();
    sorted.sort();
    for path in sorted {
        let Some(PathElement::Name(top)) = path.first() else {
            continue;
        };
        let Some(v) = item.get(top) else { continue };
        if let Some(projected) = project_value(v, &path[1..]) {
            let slot = out.remove(top);
            out.insert(top.clone(), merge(slot, projected));
        }
    }
    out
}

fn project_value(v: &AttributeValue, rest: &[PathElement]) -> Option<AttributeValue> {
    let Some(first) = rest.first() else {
        return Some(v.clone());
    };
    match (first, v) {
        (PathElement::Name(n), AttributeValue::M(m)) => {
            let inner = project_value(m.get(n)?, &rest[1..])?;
            Some(AttributeValue::M(BTreeMap::from([(n.clone(), inner)])))
        }
        (PathElement::Index(i), AttributeValue::L(l)) => {
            let inner = project_value(l.get(*i)?, &rest[1..])?;
            Some(AttributeValue::L(vec![inner]))
        }
        _ => None,
    }
}

fn merge(a: Option<AttributeValue>, b: AttributeValue) -> AttributeValue {
    match (a, b) {
        (Some(AttributeValue::M(mut x)), AttributeValue::M(y)) => {
            for (k, v) in y {
                let prev = x.remove(&k);
                x.insert(k, merge(prev, v));
            }
            AttributeValue::M(x)
        }
        (Some(AttributeValue::L(mut x)), AttributeValue::L(y)) => {
            x.extend(y);
            AttributeValue::L(x)
        }
        (_, b) => b,
    }
}
