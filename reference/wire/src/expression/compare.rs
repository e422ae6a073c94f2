//! How expressions compare attribute values: equality (numbers by value, sets without regard to
//! order, maps and lists deeply), order (numbers, strings and binaries of one type), and the
//! value-level functions `begins_with`, `contains` and `size`.
//!
//! Does: compare two values. Does not: read items or paths.

use std::cmp::Ordering;

use crate::attribute::AttributeValue;
use crate::number::Number;

fn num_eq(a: &str, b: &str) -> bool {
    match (Number::parse(a), Number::parse(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

fn same_set<T: PartialEq>(a: &[T], b: &[T], eq: impl Fn(&T, &T) -> bool) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| eq(x, y)))
}

//= spec/expressions.md#evaluation
//# `=` MUST compare numbers by value, sets without regard to the order of their elements, and lists and maps element by element.
/// Whether two values are equal as DynamoDB compares them.
pub fn equal(a: &AttributeValue, b: &AttributeValue) -> bool {
    use AttributeValue as A;
    match (a, b) {
        (A::N(x), A::N(y)) => num_eq(x, y),
        (A::SS(x), A::SS(y)) => same_set(x, y, |p, q| p == q),
        (A::BS(x), A::BS(y)) => same_set(x, y, |p, q| p == q),
        (A::NS(x), A::NS(y)) => same_set(x, y, |p, q| num_eq(p, q)),
        (A::L(x), A::L(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q)),
        (A::M(x), A::M(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w)))
        }
        _ => a == b,
    }
}

/// The order of two values of one orderable type (`N`, `S`, `B`), `None` otherwise.
pub fn order(a: &AttributeValue, b: &AttributeValue) -> Option<Ordering> {
    a.key_cmp(b)
}

//= spec/expressions.md#functions
//# `begins_with(a, b)` MUST be true when `a` and `b` are both strings or both binaries and `b` is a prefix of `a`; `contains(a, b)` MUST be true when `a` is a string containing the string `b`, a set containing `b`, or a list with an element equal to `b`; `size(path)` MUST be the length of a string (in UTF-8 bytes) or binary, or the number of elements of a set, list or map.
/// `begins_with(a, b)`: a string or binary prefix of the same type.
pub fn begins_with(a: &AttributeValue, b: &AttributeValue) -> bool {
    match (a, b) {
        (AttributeValue::S(s), AttributeValue::S(p)) => s.starts_with(p.as_str()),
        (AttributeValue::B(s), AttributeValue::B(p)) => s.0.starts_with(&p.0),
        _ => false,
    }
}

/// `contains(a, b)`: a substring of a string, a sub-sequence of a binary, a member of a set of
/// `b`'s type, or an element of a list.
pub fn contains(a: &AttributeValue, b: &AttributeValue) -> bool {
    use AttributeValue as A;
    match (a, b) {
        (A::S(s), A::S(p)) => s.contains(p.as_str()),
        (A::B(s), A::B(p)) => p.0.is_empty() || s.0.windows(p.0.len()).any(|w| w == p.0.as_slice()),
        (A::SS(set), A::S(x)) => set.contains(x),
        (A::NS(set), A::N(x)) => set.iter().any(|n| num_eq(n, x)),
        (A::BS(set), A::B(x)) => set.contains(x),
        (A::L(list), x) => list.iter().any(|e| equal(e, x)),
        _ => false,
    }
}

/// `size(a)`: the length of a string (in UTF-8 bytes) or binary, or the number of elements of a
/// set, list or map; `None` for other types.
pub fn size(a: &AttributeValue) -> Option<usize> {
    use AttributeValue as A;
    Some(match a {
        A::S(s) => s.len(),
        A::B(b) => b.0.len(),
        A::SS(v) => v.len(),
        A::NS(v) => v.len(),
        A::BS(v) => v.len(),
        A::L(v) => v.len(),
        A::M(m) => m.len(),
        _ => return None,
    })
}

/// The type descriptors `attribute_type` accepts.
pub const TYPE_NAMES: &[&str] = &["S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"];
