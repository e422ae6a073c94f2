//! Update expressions: `SET` (with `+`, `-`, `if_not_exists` and `list_append`), `REMOVE`,
//! `ADD` and `DELETE`; their syntax tree, parser, printer, substitution, and application to an
//! item.
//!
//! Does: compute the new item from the old one, every operand read from the old item. Does not:
//! know the table's key (the caller refuses updates of key attributes with [`Update::paths`]).

use super::errors::{self, Kind};
use super::lexer::Tok;
use super::names::Subst;
use super::parser::{Operand, Parser, print_operand, resolve_operand};
use super::path::{self, Path, PathElement};
use crate::attribute::{AttributeValue, Item, MAX_ITEM_BYTES, item_size};
use crate::error::ApiError;
use crate::number::Number;

/// An update expression. `V` is a value placeholder as parsed (`String`) or its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Update<V> {
    /// `SET path = value` actions, in order.
    pub set: Vec<(Path, Operand<V>)>,
    /// `REMOVE path` actions.
    pub remove: Vec<Path>,
    /// `ADD path value` actions.
    pub add: Vec<(Path, Operand<V>)>,
    /// `DELETE path value` actions.
    pub delete: Vec<(Path, Operand<V>)>,
}

impl<V> Default for Update<V> {
    fn default() -> Self {
        Self {
            set: Vec::new(),
            remove: Vec::new(),
            add: Vec::new(),
            delete: Vec::new(),
        }
    }
}

impl<V> Update<V> {
    /// Every path the update writes, in clause order (SET, REMOVE, ADD, DELETE).
    pub fn paths(&self) -> Vec<&Path> {
        self.set
            .iter()
            .map(|(p, _)| p)
            .chain(self.remove.iter())
            .chain(self.add.iter().map(|(p, _)| p))
            .chain(self.delete.iter().map(|(p, _)| p))
            .collect()
    }
}

/// Parses an update expression, names and values left as placeholders.
pub fn parse(src: &str) -> Result<Update<String>, ApiError> {
    let mut p = Parser::new(src, Kind::Update)?;
    let mut u = Update::default();
    let mut seen = [false; 4];
    if p.peek().is_none() {
        return Err(p.error());
    }
    while p.peek().is_some() {
        let clause = ["SET", "REMOVE", "ADD", "DELETE"]
            .iter()
            .position(|k| p.at_keyword(k))
            .ok_or_else(|| p.error())?;
        //= spec/expressions.md#update-syntax
        //# Each of `SET`, `REMOVE`, `ADD` and `DELETE` MUST appear at most once in an update expression.
        if seen[clause] {
            return Err(errors::clause_twice(
                ["SET", "REMOVE", "ADD", "DELETE"][clause],
            ));
        }
        seen[clause] = true;
        p.pos += 1;
        loop {
            match clause {
                0 => {
                    let target = p.path()?;
                    p.expect(&Tok::Eq)?;
                    let v = p.set_value()?;
                    u.set.push((target, v));
                }
                1 => u.remove.push(p.path()?),
                _ => {
                    let target = p.path()?;
                    let v = match p.peek() {
                        Some(Tok::Value(v)) => Operand::Value(v.clone()),
                        _ => return Err(p.error()),
                    };
                    p.pos += 1;
                    if clause == 2 {
                        u.add.push((target, v));
                    } else {
                        u.delete.push((target, v));
                    }
                }
            }
            if p.peek() == Some(&Tok::Comma) {
                p.pos += 1;
            } else {
                break;
            }
        }
    }
    p.end()?;
    Ok(u)
}

/// Prints a parsed update so that it parses back to the same tree.
pub fn print(u: &Update<String>) -> String {
    let mut parts = Vec::new();
    if !u.set.is_empty() {
        let a: Vec<String> = u
            .set
            .iter()
            .map(|(p, v)| format!("{} = {}", path::print(p), print_operand(v)))
            .collect();
        parts.push(format!("SET {}", a.join(", ")));
    }
    if !u.remove.is_empty() {
        let a: Vec<String> = u.remove.iter().map(|p| path::print(p)).collect();
        parts.push(format!("REMOVE {}", a.join(", ")));
    }
    for (kw, list) in [("ADD", &u.add), ("DELETE", &u.delete)] {
        if !list.is_empty() {
            let a: Vec<String> = list
                .iter()
                .map(|(p, v)| format!("{} {}", path::print(p), print_operand(v)))
                .collect();
            parts.push(format!("{kw} {}", a.join(", ")));
        }
    }
    parts.join(" ")
}

fn long_type(v: &AttributeValue) -> &'static str {
    match v {
        AttributeValue::S(_) => "STRING",
        AttributeValue::N(_) => "NUMBER",
        AttributeValue::B(_) => "BINARY",
        AttributeValue::BOOL(_) => "BOOLEAN",
        AttributeValue::NULL(_) => "NULL",
        AttributeValue::M(_) => "MAP",
        AttributeValue::L(_) => "LIST",
        AttributeValue::SS(_) => "STRING_SET",
        AttributeValue::NS(_) => "NUMBER_SET",
        AttributeValue::BS(_) => "BINARY_SET",
    }
}

fn is_set(v: &AttributeValue) -> bool {
    matches!(
        v,
        AttributeValue::SS(_) | AttributeValue::NS(_) | AttributeValue::BS(_)
    )
}

/// Checks the literal operands of `+`, `-` and `list_append` in a SET value.
fn check_literals(o: &Operand<AttributeValue>) -> Result<(), ApiError> {
    match o {
        Operand::Plus(a, b) | Operand::Minus(a, b) => {
            let op = if matches!(o, Operand::Plus(..)) {
                "+"
            } else {
                "-"
            };
            for x in [a, b] {
                if let Operand::Value(v) = &**x
                    && !matches!(v, AttributeValue::N(_))
                {
                    return Err(errors::operand_type(Kind::Update, op, v.type_name()));
                }
                check_literals(x)?;
            }
            Ok(())
        }
        Operand::ListAppend(a, b) => {
            for x in [a, b] {
                if let Operand::Value(v) = &**x
                    && !matches!(v, AttributeValue::L(_))
                {
                    return Err(errors::operand_type(
                        Kind::Update,
                        "list_append",
                        v.type_name(),
                    ));
                }
                check_literals(x)?;
            }
            Ok(())
        }
        Operand::IfNotExists(_, v) => check_literals(v),
        _ => Ok(()),
    }
}

/// Substitutes names and values, with the checks [`Subst`] makes, the literal operand types of
/// `+`, `-`, `list_append`, `ADD` and `DELETE`, and the overlap of the paths.
pub fn resolve(u: Update<String>, s: &mut Subst<'_>) -> Result<Update<AttributeValue>, ApiError> {
    let k = Kind::Update;
    let mut out = Update::default();
    for (p, v) in u.set {
        let p = s.path(k, p)?;
        let v = resolve_operand(v, s, k)?;
        check_literals(&v)?;
        out.set.push((p, v));
    }
    for p in u.remove {
        out.remove.push(s.path(k, p)?);
    }
    //= spec/expressions.md#update-syntax
    //# The value of an `ADD` action MUST be a number or a set, and the value of a `DELETE` action MUST be a set; any other literal MUST be refused with `Incorrect operand type for operator or function; operator: <ADD or DELETE>, operand type: <type>`.
    for (action, list, target) in [
        ("ADD", u.add, &mut out.add),
        ("DELETE", u.delete, &mut out.delete),
    ] {
        for (p, v) in list {
            let p = s.path(k, p)?;
            let v = resolve_operand(v, s, k)?;
            if let Operand::Value(val) = &v {
                let ok = is_set(val) || (action == "ADD" && matches!(val, AttributeValue::N(_)));
                if !ok {
                    return Err(errors::action_operand_type(action, long_type(val)));
                }
            }
            target.push((p, v));
        }
    }
    //= spec/expressions.md#update-syntax
    //# Two paths of one update expression where one is the other or a prefix of it MUST be refused with `Two document paths overlap with each other; must remove or rewrite one of these paths; path one: <path>, path two: <path>`.
    let paths = out.paths();
    for (i, a) in paths.iter().enumerate() {
        for b in &paths[i + 1..] {
            if path::overlaps(a, b) {
                return Err(errors::overlap(&path::print_list(a), &path::print_list(b)));
            }
        }
    }
    Ok(out)
}

fn number(v: &AttributeValue) -> Result<Number, ApiError> {
    match v {
        AttributeValue::N(n) => Number::parse(n),
        _ => Err(errors::incorrect_data_type()),
    }
}

/// The value of a SET operand, read from the old item.
fn eval(o: &Operand<AttributeValue>, old: &Item) -> Result<AttributeValue, ApiError> {
    Ok(match o {
        //= spec/expressions.md#update-semantics
        //# A SET operand that names an attribute the item lacks (outside `if_not_exists`) MUST fail the request with `The provided expression refers to an attribute that does not exist in the item`.
        Operand::Path(p) => path::get(old, p)
            .cloned()
            .ok_or_else(errors::missing_attribute)?,
        Operand::Value(v) => v.clone(),
        Operand::IfNotExists(p, v) => match path::get(old, p) {
            Some(x) => x.clone(),
            None => eval(v, old)?,
        },
        Operand::ListAppend(a, b) => {
            let (x, y) = (eval(a, old)?, eval(b, old)?);
            match (x, y) {
                (AttributeValue::L(mut x), AttributeValue::L(y)) => {
                    x.extend(y);
                    AttributeValue::L(x)
                }
                (AttributeValue::L(_), other) | (other, _) => {
                    return Err(errors::operand_type(
                        Kind::Update,
                        "list_append",
                        other.type_name(),
                    ));
                }
            }
        }
        //= spec/expressions.md#update-semantics
        //# `a + b` and `a - b` MUST compute the exact decimal sum or difference of two numbers, and MUST fail with `An operand in the update expression has an incorrect data type` when an operand is not a number.
        Operand::Plus(a, b) => {
            let (x, y) = (number(&eval(a, old)?)?, number(&eval(b, old)?)?);
            AttributeValue::N(x.add(&y)?.canonical())
        }
        Operand::Minus(a, b) => {
            let (x, y) = (number(&eval(a, old)?)?, number(&eval(b, old)?)?);
            AttributeValue::N(x.add(&y.negated())?.canonical())
        }
        Operand::Size(_) => return Err(errors::function_not_allowed(Kind::Update, "size")),
    })
}

fn value_of(o: &Operand<AttributeValue>) -> Result<&AttributeValue, ApiError> {
    match o {
        Operand::Value(v) => Ok(v),
        _ => Err(errors::incorrect_data_type()),
    }
}

fn union<T: Clone + PartialEq>(a: &mut Vec<T>, b: &[T]) {
    for x in b {
        if !a.contains(x) {
            a.push(x.clone());
        }
    }
}

impl Update<AttributeValue> {
    //= spec/expressions.md#update-semantics
    //# Every operand of an update MUST be read from the item as it was before the request, and the actions MUST apply together: the request either makes all of them or none.
    /// The item after the update (`old` is the empty item, key attributes included, when the
    /// item did not exist).
    pub fn apply(&self, old: &Item) -> Result<Item, ApiError> {
        let mut new = old.clone();
        let values: Vec<AttributeValue> = self
            .set
            .iter()
            .map(|(_, v)| eval(v, old))
            .collect::<Result<_, _>>()?;
        for ((p, _), v) in self.set.iter().zip(values) {
            path::set(&mut new, p, v)?;
        }
        // Removing list elements from the highest index down keeps the indexes of the old item.
        let mut removes: Vec<&Path> = self.remove.iter().collect();
        removes.sort_by(|a, b| b.cmp(a));
        for p in removes {
            path::remove(&mut new, p)?;
        }
        //= spec/expressions.md#update-semantics
        //# `ADD` MUST add a number to a number attribute (a missing attribute counting as 0) or add the elements of a set to a set attribute of the same type (a missing attribute counting as the empty set); `DELETE` MUST remove the elements of a set from a set attribute of the same type, removing the attribute when it becomes empty, and do nothing when the attribute is missing; any other combination of types MUST fail with `An operand in the update expression has an incorrect data type`.
        for (p, v) in &self.add {
            let v = value_of(v)?;
            let next = match (path::get(&new, p), v) {
                (None, v) => v.clone(),
                (Some(AttributeValue::N(a)), AttributeValue::N(b)) => {
                    AttributeValue::N(Number::parse(a)?.add(&Number::parse(b)?)?.canonical())
                }
                (Some(AttributeValue::SS(a)), AttributeValue::SS(b)) => {
                    let mut a = a.clone();
                    union(&mut a, b);
                    AttributeValue::SS(a)
                }
                (Some(AttributeValue::NS(a)), AttributeValue::NS(b)) => {
                    let mut a = a.clone();
                    for n in b {
                        if !a.iter().any(|x| {
                            super::compare::equal(
                                &AttributeValue::N(x.clone()),
                                &AttributeValue::N(n.clone()),
                            )
                        }) {
                            a.push(n.clone());
                        }
                    }
                    AttributeValue::NS(a)
                }
                (Some(AttributeValue::BS(a)), AttributeValue::BS(b)) => {
                    let mut a = a.clone();
                    union(&mut a, b);
                    AttributeValue::BS(a)
                }
                _ => return Err(errors::incorrect_data_type()),
            };
            path::set(&mut new, p, next)?;
        }
        for (p, v) in &self.delete {
            let v = value_of(v)?;
            let next = match (path::get(&new, p), v) {
                (None, _) => continue,
                (Some(AttributeValue::SS(a)), AttributeValue::SS(b)) => {
                    AttributeValue::SS(a.iter().filter(|x| !b.contains(x)).cloned().collect())
                }
                (Some(AttributeValue::NS(a)), AttributeValue::NS(b)) => AttributeValue::NS(
                    a.iter()
                        .filter(|x| {
                            !b.iter().any(|y| {
                                super::compare::equal(
                                    &AttributeValue::N((*x).clone()),
                                    &AttributeValue::N(y.clone()),
                                )
                            })
                        })
                        .cloned()
                        .collect(),
                ),
                (Some(AttributeValue::BS(a)), AttributeValue::BS(b)) => {
                    AttributeValue::BS(a.iter().filter(|x| !b.contains(x)).cloned().collect())
                }
                _ => return Err(errors::incorrect_data_type()),
            };
            let empty = matches!(&next, AttributeValue::SS(s) if s.is_empty())
                || matches!(&next, AttributeValue::NS(s) if s.is_empty())
                || matches!(&next, AttributeValue::BS(s) if s.is_empty());
            if empty {
                path::remove(&mut new, p)?;
            } else {
                path::set(&mut new, p, next)?;
            }
        }
        //= spec/expressions.md#update-semantics
        //# An update whose resulting item is larger than 400 KB MUST fail with `Item size to update has exceeded the maximum allowed size`.
        if item_size(&new) > MAX_ITEM_BYTES {
            return Err(errors::updated_item_too_large());
        }
        Ok(new)
    }

    /// The first top-level attribute of `names` that the update writes, if any.
    pub fn writes_any<'n>(&self, names: &[&'n str]) -> Option<&'n str> {
        self.paths().into_iter().find_map(|p| match p.first() {
            Some(PathElement::Name(n)) => names.iter().find(|k| **k == n.as_str()).copied(),
            _ => None,
        })
    }
}
