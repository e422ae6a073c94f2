//! Condition and filter expressions: their syntax tree, parser (with DynamoDB's precedence:
//! comparisons, `IN`, `BETWEEN` and functions bind tightest, then `NOT`, then `AND`, then `OR`),
//! printer, substitution and evaluation against an item.
//!
//! Does: `=`, `<>`, `<`, `<=`, `>`, `>=`, `BETWEEN`, `IN`, `attribute_exists`,
//! `attribute_not_exists`, `attribute_type`, `begins_with`, `contains`, `size`, `AND`, `OR`,
//! `NOT` and parentheses. Does not: know which item (the caller passes it).

use super::compare;
use super::errors::{self, Kind};
use super::lexer::Tok;
use super::names::Subst;
use super::parser::{Operand, Parser, print_operand, resolve_operand};
use super::path::{self, Path};
use crate::attribute::{AttributeValue, Item};
use crate::error::ApiError;

/// A comparator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    /// `=`.
    Eq,
    /// `<>`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

impl Cmp {
    /// As written.
    pub fn text(self) -> &'static str {
        match self {
            Cmp::Eq => "=",
            Cmp::Ne => "<>",
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
        }
    }
}

/// A condition. `V` is a value placeholder as parsed (`String`) or its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition<V> {
    /// `a <cmp> b`.
    Cmp(Cmp, Operand<V>, Operand<V>),
    /// `a BETWEEN low AND high`.
    Between(Operand<V>, Operand<V>, Operand<V>),
    /// `a IN (b, c, ...)`.
    In(Operand<V>, Vec<Operand<V>>),
    /// `attribute_exists(path)`.
    Exists(Path),
    /// `attribute_not_exists(path)`.
    NotExists(Path),
    /// `attribute_type(path, type)`.
    Type(Path, Operand<V>),
    /// `begins_with(a, prefix)`.
    BeginsWith(Operand<V>, Operand<V>),
    /// `contains(a, b)`.
    Contains(Operand<V>, Operand<V>),
    /// `a AND b`.
    And(Box<Condition<V>>, Box<Condition<V>>),
    /// `a OR b`.
    Or(Box<Condition<V>>, Box<Condition<V>>),
    /// `NOT a`.
    Not(Box<Condition<V>>),
}

/// The most values `IN` takes (DynamoDB Developer Guide, "Comparison operator and function
/// reference": up to 100 values).
pub const MAX_IN_VALUES: usize = 100;

/// Parses a condition (or filter, or key condition) expression, names and values left as
/// placeholders.
pub fn parse(src: &str, kind: Kind) -> Result<Condition<String>, ApiError> {
    let mut p = Parser::new(src, kind)?;
    let c = or_expr(&mut p)?;
    p.end()?;
    Ok(c)
}

//= spec/expressions.md#syntax
//# In a condition, comparisons, `BETWEEN`, `IN` and the functions MUST bind tighter than `NOT`, `NOT` tighter than `AND`, and `AND` tighter than `OR`, and parentheses MUST group.
fn or_expr(p: &mut Parser<'_>) -> Result<Condition<String>, ApiError> {
    let mut left = and_expr(p)?;
    while p.at_keyword("OR") {
        p.pos += 1;
        let right = and_expr(p)?;
        left = Condition::Or(Box::new(left), Box::new(right));
    }
    Ok(left)
}

fn and_expr(p: &mut Parser<'_>) -> Result<Condition<String>, ApiError> {
    let mut left = not_expr(p)?;
    while p.at_keyword("AND") {
        p.pos += 1;
        let right = not_expr(p)?;
        left = Condition::And(Box::new(left), Box::new(right));
    }
    Ok(left)
}

fn not_expr(p: &mut Parser<'_>) -> Result<Condition<String>, ApiError> {
    // `NOT` is always the operator: an attribute named `not` is a reserved word and needs a
    // `#name`.
    if p.at_keyword("NOT") {
        p.pos += 1;
        p.enter()?;
        let inner = not_expr(p)?;
        p.leave();
        return Ok(Condition::Not(Box::new(inner)));
    }
    primary(p)
}

fn primary(p: &mut Parser<'_>) -> Result<Condition<String>, ApiError> {
    if p.peek() == Some(&Tok::LParen) {
        p.pos += 1;
        p.enter()?;
        let c = or_expr(p)?;
        p.expect(&Tok::RParen)?;
        p.leave();
        return Ok(c);
    }
    if let Some(f) = p.at_function() {
        let cond = match f.as_str() {
            "attribute_exists" | "attribute_not_exists" => {
                p.pos += 2;
                let path = p.path_argument(&f)?;
                p.expect(&Tok::RParen)?;
                Some(if f == "attribute_exists" {
                    Condition::Exists(path)
                } else {
                    Condition::NotExists(path)
                })
            }
            "attribute_type" => {
                p.pos += 2;
                let path = p.path_argument(&f)?;
                p.expect(&Tok::Comma)?;
                let t = p.condition_operand()?;
                p.expect(&Tok::RParen)?;
                Some(Condition::Type(path, t))
            }
            "begins_with" | "contains" => {
                p.pos += 2;
                let a = p.condition_operand()?;
                p.expect(&Tok::Comma)?;
                let b = p.condition_operand()?;
                p.expect(&Tok::RParen)?;
                Some(if f == "begins_with" {
                    Condition::BeginsWith(a, b)
                } else {
                    Condition::Contains(a, b)
                })
            }
            _ => None,
        };
        if let Some(c) = cond {
            return Ok(c);
        }
    }
    let left = p.condition_operand()?;
    let cmp = match p.peek() {
        Some(Tok::Eq) => Some(Cmp::Eq),
        Some(Tok::Ne) => Some(Cmp::Ne),
        Some(Tok::Lt) => Some(Cmp::Lt),
        Some(Tok::Le) => Some(Cmp::Le),
        Some(Tok::Gt) => Some(Cmp::Gt),
        Some(Tok::Ge) => Some(Cmp::Ge),
        _ => None,
    };
    if let Some(cmp) = cmp {
        p.pos += 1;
        let right = p.condition_operand()?;
        return Ok(Condition::Cmp(cmp, left, right));
    }
    if p.at_keyword("BETWEEN") {
        p.pos += 1;
        let low = p.condition_operand()?;
        if !p.at_keyword("AND") {
            return Err(p.error());
        }
        p.pos += 1;
        let high = p.condition_operand()?;
        return Ok(Condition::Between(left, low, high));
    }
    if p.at_keyword("IN") {
        p.pos += 1;
        p.expect(&Tok::LParen)?;
        let mut list = vec![p.condition_operand()?];
        while p.peek() == Some(&Tok::Comma) {
            p.pos += 1;
            list.push(p.condition_operand()?);
        }
        p.expect(&Tok::RParen)?;
        if list.len() > MAX_IN_VALUES {
            return Err(errors::invalid(
                p.kind,
                format!(
                    "The IN operator is provided with too many operands; number of operands: {}",
                    list.len()
                ),
            ));
        }
        return Ok(Condition::In(left, list));
    }
    Err(p.error())
}

/// Prints a parsed condition so that it parses back to the same tree (every `AND`, `OR` and
/// `NOT` operand in parentheses).
pub fn print(c: &Condition<String>) -> String {
    let o = print_operand;
    match c {
        Condition::Cmp(cmp, a, b) => format!("{} {} {}", o(a), cmp.text(), o(b)),
        Condition::Between(a, l, h) => format!("{} BETWEEN {} AND {}", o(a), o(l), o(h)),
        Condition::In(a, list) => {
            let items: Vec<String> = list.iter().map(o).collect();
            format!("{} IN ({})", o(a), items.join(", "))
        }
        Condition::Exists(p) => format!("attribute_exists({})", path::print(p)),
        Condition::NotExists(p) => format!("attribute_not_exists({})", path::print(p)),
        Condition::Type(p, t) => format!("attribute_type({}, {})", path::print(p), o(t)),
        Condition::BeginsWith(a, b) => format!("begins_with({}, {})", o(a), o(b)),
        Condition::Contains(a, b) => format!("contains({}, {})", o(a), o(b)),
        // Only the parentheses the tree needs (`AND` and `OR` group to the left, `NOT` binds
        // tighter than `AND`, `AND` than `OR`): every parenthesis counts towards the nesting
        // limit, so a printer that added more would print texts that no longer parse.
        Condition::And(a, b) => format!(
            "{} AND {}",
            grouped(a, |c| matches!(c, Condition::Or(..))),
            grouped(b, |c| matches!(c, Condition::Or(..) | Condition::And(..)))
        ),
        Condition::Or(a, b) => format!(
            "{} OR {}",
            print(a),
            grouped(b, |c| matches!(c, Condition::Or(..)))
        ),
        Condition::Not(a) => format!(
            "NOT {}",
            grouped(a, |c| matches!(c, Condition::Or(..) | Condition::And(..)))
        ),
    }
}

/// `c` printed, in parentheses when `needs` says its place in the tree requires them.
fn grouped(c: &Condition<String>, needs: impl Fn(&Condition<String>) -> bool) -> String {
    if needs(c) {
        format!("({})", print(c))
    } else {
        print(c)
    }
}

/// Substitutes names and values, with the checks [`Subst`] makes.
pub fn resolve(
    c: Condition<String>,
    s: &mut Subst<'_>,
    kind: Kind,
) -> Result<Condition<AttributeValue>, ApiError> {
    let op = |o: Operand<String>, s: &mut Subst<'_>| resolve_operand(o, s, kind);
    Ok(match c {
        Condition::Cmp(cmp, a, b) => {
            let a = op(a, s)?;
            Condition::Cmp(cmp, a, op(b, s)?)
        }
        Condition::Between(a, l, h) => {
            let a = op(a, s)?;
            let l = op(l, s)?;
            Condition::Between(a, l, op(h, s)?)
        }
        Condition::In(a, list) => {
            let a = op(a, s)?;
            let list = list
                .into_iter()
                .map(|x| op(x, s))
                .collect::<Result<_, _>>()?;
            Condition::In(a, list)
        }
        Condition::Exists(p) => Condition::Exists(s.path(kind, p)?),
        Condition::NotExists(p) => Condition::NotExists(s.path(kind, p)?),
        Condition::Type(p, t) => {
            let p = s.path(kind, p)?;
            let t = op(t, s)?;
            //= spec/expressions.md#functions
            //# The type operand of `attribute_type` MUST be one of `S`, `SS`, `N`, `NS`, `B`, `BS`, `BOOL`, `NULL`, `L` and `M` given as a string value; any other value MUST be refused.
            if let Operand::Value(AttributeValue::S(name)) = &t
                && !compare::TYPE_NAMES.contains(&name.as_str())
            {
                return Err(errors::invalid_type_name(kind, name));
            }
            if let Operand::Value(v) = &t
                && !matches!(v, AttributeValue::S(_))
            {
                return Err(errors::operand_type(kind, "attribute_type", v.type_name()));
            }
            Condition::Type(p, t)
        }
        Condition::BeginsWith(a, b) => {
            let a = op(a, s)?;
            Condition::BeginsWith(a, op(b, s)?)
        }
        Condition::Contains(a, b) => {
            let a = op(a, s)?;
            Condition::Contains(a, op(b, s)?)
        }
        Condition::And(a, b) => {
            let a = resolve(*a, s, kind)?;
            Condition::And(Box::new(a), Box::new(resolve(*b, s, kind)?))
        }
        Condition::Or(a, b) => {
            let a = resolve(*a, s, kind)?;
            Condition::Or(Box::new(a), Box::new(resolve(*b, s, kind)?))
        }
        Condition::Not(a) => Condition::Not(Box::new(resolve(*a, s, kind)?)),
    })
}

/// An operand's value in `item` (`None` when a path names nothing, or `size` of a value that
/// has none).
fn value<'i>(
    o: &'i Operand<AttributeValue>,
    item: &'i Item,
) -> Option<std::borrow::Cow<'i, AttributeValue>> {
    use std::borrow::Cow;
    match o {
        Operand::Path(p) => path::get(item, p).map(Cow::Borrowed),
        Operand::Value(v) => Some(Cow::Borrowed(v)),
        Operand::Size(p) => path::get(item, p)
            .and_then(compare::size)
            .map(|n| Cow::Owned(AttributeValue::N(n.to_string()))),
        // Update-only operands never reach a condition (the parser refuses them there).
        _ => None,
    }
}

impl Condition<AttributeValue> {
    //= spec/expressions.md#evaluation
    //# A comparison with an operand that names no attribute MUST be false, except `<>`, which MUST be true; `<`, `<=`, `>`, `>=` and `BETWEEN` MUST be false unless their operands are all numbers, all strings or all binaries.
    /// Whether `item` satisfies the condition (an absent item is the empty item).
    pub fn eval(&self, item: &Item) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Condition::Cmp(cmp, a, b) => {
                let (Some(x), Some(y)) = (value(a, item), value(b, item)) else {
                    return *cmp == Cmp::Ne;
                };
                match cmp {
                    Cmp::Eq => compare::equal(&x, &y),
                    Cmp::Ne => !compare::equal(&x, &y),
                    Cmp::Lt => compare::order(&x, &y) == Some(Less),
                    Cmp::Le => matches!(compare::order(&x, &y), Some(Less | Equal)),
                    Cmp::Gt => compare::order(&x, &y) == Some(Greater),
                    Cmp::Ge => matches!(compare::order(&x, &y), Some(Greater | Equal)),
                }
            }
            Condition::Between(a, l, h) => {
                let (Some(x), Some(lo), Some(hi)) =
                    (value(a, item), value(l, item), value(h, item))
                else {
                    return false;
                };
                matches!(compare::order(&x, &lo), Some(Greater | Equal))
                    && matches!(compare::order(&x, &hi), Some(Less | Equal))
            }
            Condition::In(a, list) => {
                let Some(x) = value(a, item) else {
                    return false;
                };
                list.iter()
                    .any(|o| value(o, item).is_some_and(|y| compare::equal(&x, &y)))
            }
            //= spec/expressions.md#functions
            //# `attribute_exists(path)` MUST be true exactly when the item has a value at the path, and `attribute_not_exists(path)` exactly when it has none.
            Condition::Exists(p) => path::get(item, p).is_some(),
            Condition::NotExists(p) => path::get(item, p).is_none(),
            Condition::Type(p, t) => match (path::get(item, p), value(t, item)) {
                (Some(v), Some(t)) => matches!(&*t, AttributeValue::S(n) if n == v.type_name()),
                _ => false,
            },
            Condition::BeginsWith(a, b) => match (value(a, item), value(b, item)) {
                (Some(x), Some(y)) => compare::begins_with(&x, &y),
                _ => false,
            },
            Condition::Contains(a, b) => match (value(a, item), value(b, item)) {
                (Some(x), Some(y)) => compare::contains(&x, &y),
                _ => false,
            },
            Condition::And(a, b) => a.eval(item) && b.eval(item),
            Condition::Or(a, b) => a.eval(item) || b.eval(item),
            Condition::Not(a) => !a.eval(item),
        }
    }
}
