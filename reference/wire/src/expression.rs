//! The expression syntax ddbsse reads: `KeyConditionExpression` (`=`, `<`, `<=`, `>`, `>=`,
//! `BETWEEN`, `begins_with`) and `ProjectionExpression` (document paths), with
//! `ExpressionAttributeNames` and `ExpressionAttributeValues` substituted.
//!
//! This is syntax and substitution only. It does not know the table's key schema (the caller
//! checks the names against it) and it does not read items, except [`project`], which applies a
//! projection to an item.

use std::collections::BTreeMap;

use super::attribute::{AttributeValue, Item};
use super::error::ApiError;

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
            SortCondition::BeginsWith(x) => match (v, x) {
                (AttributeValue::S(s), AttributeValue::S(p)) => s.starts_with(p.as_str()),
                (AttributeValue::B(s), AttributeValue::B(p)) => s.0.starts_with(&p.0),
                _ => false,
            },
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

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Value(String),
    Op(String),
    LParen,
    RParen,
    Comma,
}

fn invalid(msg: impl std::fmt::Display) -> ApiError {
    ApiError::validation(format!("Invalid KeyConditionExpression: {msg}"))
}

fn lex(s: &str) -> Result<Vec<Tok>, ApiError> {
    let mut out = Vec::new();
    let b: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            out.push(Tok::LParen);
            i += 1;
        } else if c == ')' {
            out.push(Tok::RParen);
            i += 1;
        } else if c == ',' {
            out.push(Tok::Comma);
            i += 1;
        } else if c == '=' {
            out.push(Tok::Op("=".into()));
            i += 1;
        } else if c == '<' || c == '>' {
            if b.get(i + 1) == Some(&'=') {
                out.push(Tok::Op(format!("{c}=")));
                i += 2;
            } else if c == '<' && b.get(i + 1) == Some(&'>') {
                out.push(Tok::Op("<>".into()));
                i += 2;
            } else {
                out.push(Tok::Op(c.to_string()));
                i += 1;
            }
        } else if c == ':' || c == '#' || c.is_alphanumeric() || c == '_' {
            let start = i;
            i += 1;
            while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_' || b[i] == '-') {
                i += 1;
            }
            let word: String = b[start..i].iter().collect();
            if c == ':' {
                out.push(Tok::Value(word));
            } else {
                out.push(Tok::Ident(word));
            }
        } else {
            return Err(invalid(format!(
                "Syntax error; token: \"{c}\", near: \"{s}\""
            )));
        }
    }
    Ok(out)
}

struct Subst<'a> {
    names: Option<&'a BTreeMap<String, String>>,
    values: Option<&'a BTreeMap<String, AttributeValue>>,
}

impl Subst<'_> {
    fn name(&self, ident: &str) -> Result<String, ApiError> {
        if ident.starts_with('#') {
            self.names
                .and_then(|m| m.get(ident))
                .cloned()
                .ok_or_else(|| {
                    ApiError::validation(format!(
                        "Value provided in ExpressionAttributeNames unused in expressions: keys: {{{ident}}}"
                    ))
                    .with_message(format!(
                        "Invalid KeyConditionExpression: An expression attribute name used in the document path is not defined; attribute name: {ident}"
                    ))
                })
        } else {
            Ok(ident.to_owned())
        }
    }

    fn value(&self, v: &str) -> Result<AttributeValue, ApiError> {
        self.values
            .and_then(|m| m.get(v))
            .cloned()
            .ok_or_else(|| {
                invalid(format!(
                    "An expression attribute value used in expression is not defined; attribute value: {v}"
                ))
            })
    }
}

trait WithMessage {
    fn with_message(self, m: String) -> Self;
}

impl WithMessage for ApiError {
    fn with_message(mut self, m: String) -> Self {
        self.message = m;
        self
    }
}

enum Clause {
    Cmp(String, String, AttributeValue),
    Between(String, AttributeValue, AttributeValue),
    BeginsWith(String, AttributeValue),
}

/// Parses a `KeyConditionExpression`.
pub fn parse_key_condition(
    expr: &str,
    names: Option<&BTreeMap<String, String>>,
    values: Option<&BTreeMap<String, AttributeValue>>,
) -> Result<KeyCondition, ApiError> {
    let sub = Subst { names, values };
    let toks = lex(expr)?;
    let mut clauses = Vec::new();
    let mut i = 0;
    let eof = || invalid("Syntax error; token: <EOF>, near: end of expression");
    while i < toks.len() {
        // Skip redundant parentheses around a clause.
        let mut parens = 0;
        while toks.get(i) == Some(&Tok::LParen) {
            parens += 1;
            i += 1;
        }
        match toks.get(i) {
            Some(Tok::Ident(f)) if f.eq_ignore_ascii_case("begins_with") => {
                let (
                    Some(Tok::LParen),
                    Some(Tok::Ident(n)),
                    Some(Tok::Comma),
                    Some(Tok::Value(v)),
                    Some(Tok::RParen),
                ) = (
                    toks.get(i + 1),
                    toks.get(i + 2),
                    toks.get(i + 3),
                    toks.get(i + 4),
                    toks.get(i + 5),
                )
                else {
                    return Err(invalid("Syntax error in begins_with"));
                };
                clauses.push(Clause::BeginsWith(sub.name(n)?, sub.value(v)?));
                i += 6;
            }
            Some(Tok::Ident(n)) => {
                let name = sub.name(n)?;
                match toks.get(i + 1) {
                    Some(Tok::Ident(kw)) if kw.eq_ignore_ascii_case("BETWEEN") => {
                        let (Some(Tok::Value(a)), Some(Tok::Ident(and)), Some(Tok::Value(b))) =
                            (toks.get(i + 2), toks.get(i + 3), toks.get(i + 4))
                        else {
                            return Err(invalid("Syntax error in BETWEEN"));
                        };
                        if !and.eq_ignore_ascii_case("AND") {
                            return Err(invalid("Syntax error in BETWEEN"));
                        }
                        clauses.push(Clause::Between(name, sub.value(a)?, sub.value(b)?));
                        i += 5;
                    }
                    Some(Tok::Op(op)) => {
                        let Some(Tok::Value(v)) = toks.get(i + 2) else {
                            return Err(eof());
                        };
                        if op == "<>" {
                            return Err(invalid(
                                "Invalid operator used in KeyConditionExpression: <>",
                            ));
                        }
                        clauses.push(Clause::Cmp(name, op.clone(), sub.value(v)?));
                        i += 3;
                    }
                    _ => return Err(eof()),
                }
            }
            _ => return Err(eof()),
        }
        while parens > 0 {
            if toks.get(i) != Some(&Tok::RParen) {
                return Err(invalid("Syntax error; unbalanced parentheses"));
            }
            parens -= 1;
            i += 1;
        }
        match toks.get(i) {
            None => break,
            Some(Tok::Ident(and)) if and.eq_ignore_ascii_case("AND") => i += 1,
            Some(t) => {
                return Err(invalid(format!("Syntax error; token: {t:?}")));
            }
        }
    }
    if clauses.is_empty() || clauses.len() > 2 {
        return Err(invalid(
            "The expression can only have one or two key conditions",
        ));
    }
    // The partition key condition is the `=` clause; with two `=` clauses the first is the hash.
    let hash_idx = clauses
        .iter()
        .position(|c| matches!(c, Clause::Cmp(_, op, _) if op == "="))
        .ok_or_else(|| ApiError::validation("Query condition missed key schema element"))?;
    let Clause::Cmp(hname, _, hval) = clauses.remove(hash_idx) else {
        return Err(invalid("internal"));
    };
    let range = clauses.pop().map(|c| match c {
        Clause::Cmp(n, op, v) => (
            n,
            match op.as_str() {
                "=" => SortCondition::Eq(v),
                "<" => SortCondition::Lt(v),
                "<=" => SortCondition::Le(v),
                ">" => SortCondition::Gt(v),
                _ => SortCondition::Ge(v),
            },
        ),
        Clause::Between(n, a, b) => (n, SortCondition::Between(a, b)),
        Clause::BeginsWith(n, v) => (n, SortCondition::BeginsWith(v)),
    });
    Ok(KeyCondition {
        hash: (hname, hval),
        range,
    })
}

/// One element of a document path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathElement {
    /// A map key or top-level attribute name.
    Name(String),
    /// A list index.
    Index(usize),
}

/// Parses a `ProjectionExpression` into document paths.
pub fn parse_projection(
    expr: &str,
    names: Option<&BTreeMap<String, String>>,
) -> Result<Vec<Vec<PathElement>>, ApiError> {
    let bad = |m: &str| ApiError::validation(format!("Invalid ProjectionExpression: {m}"));
    let mut paths = Vec::new();
    for part in expr.split(',') {
        let part = part.trim();
        if part.is_empty() {
            return Err(bad("Syntax error; token: <EOF>"));
        }
        let mut path = Vec::new();
        for seg in part.split('.') {
            let (head, mut rest) = match seg.find('[') {
                Some(i) => (&seg[..i], &seg[i..]),
                None => (seg, ""),
            };
            let head = head.trim();
            if head.is_empty() {
                return Err(bad("Syntax error; empty path element"));
            }
            let name = if head.starts_with('#') {
                names.and_then(|m| m.get(head)).cloned().ok_or_else(|| {
                    bad(&format!(
                        "An expression attribute name used in the document path is not defined; attribute name: {head}"
                    ))
                })?
            } else {
                head.to_owned()
            };
            path.push(PathElement::Name(name));
            while let Some(stripped) = rest.strip_prefix('[') {
                let end = stripped
                    .find(']')
                    .ok_or_else(|| bad("Syntax error; unclosed ["))?;
                let idx: usize = stripped[..end]
                    .trim()
                    .parse()
                    .map_err(|_| bad("Syntax error; bad list index"))?;
                path.push(PathElement::Index(idx));
                rest = &stripped[end + 1..];
            }
            if !rest.trim().is_empty() {
                return Err(bad("Syntax error"));
            }
        }
        paths.push(path);
    }
    Ok(paths)
}

/// Applies document paths to an item: the result holds only the projected parts.
pub fn project(item: &Item, paths: &[Vec<PathElement>]) -> Item {
    let mut out = Item::new();
    for path in paths {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(pairs: &[(&str, AttributeValue)]) -> BTreeMap<String, AttributeValue> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn key_conditions() {
        let v = vals(&[
            (":p", AttributeValue::S("alice".into())),
            (":a", AttributeValue::N("1".into())),
            (":b", AttributeValue::N("5".into())),
        ]);
        let names = BTreeMap::from([("#r".to_owned(), "rating".to_owned())]);
        let k = parse_key_condition(
            "player = :p AND #r BETWEEN :a AND :b",
            Some(&names),
            Some(&v),
        )
        .unwrap();
        assert_eq!(k.hash.0, "player");
        let (n, c) = k.range.unwrap();
        assert_eq!(n, "rating");
        assert!(c.matches(&AttributeValue::N("3".into())));
        assert!(!c.matches(&AttributeValue::N("6".into())));
        let k = parse_key_condition("#r >= :a and player = :p", Some(&names), Some(&v)).unwrap();
        assert_eq!(k.hash.0, "player");
        let k = parse_key_condition("(player = :p)", None, Some(&v)).unwrap();
        assert!(k.range.is_none());
        let v2 = vals(&[
            (":p", AttributeValue::S("a".into())),
            (":s", AttributeValue::S("ab".into())),
        ]);
        let k =
            parse_key_condition("player = :p AND begins_with(sk, :s)", None, Some(&v2)).unwrap();
        assert!(k.range.unwrap().1.matches(&AttributeValue::S("abc".into())));
        assert!(parse_key_condition("player = :missing", None, Some(&v)).is_err());
        assert!(parse_key_condition("player <> :p", None, Some(&v)).is_err());
        assert!(parse_key_condition("", None, Some(&v)).is_err());
    }

    #[test]
    fn projections() {
        let item: Item = serde_json::from_str(
            r#"{"a":{"S":"x"},"m":{"M":{"k":{"N":"1"},"z":{"N":"2"}}},"l":{"L":[{"S":"p"},{"S":"q"}]}}"#,
        )
        .unwrap();
        let names = BTreeMap::from([("#m".to_owned(), "m".to_owned())]);
        let p = parse_projection("a, #m.k, l[1]", Some(&names)).unwrap();
        let out = project(&item, &p);
        assert_eq!(
            serde_json::to_string(&out).unwrap(),
            r#"{"a":{"S":"x"},"l":{"L":[{"S":"q"}]},"m":{"M":{"k":{"N":"1"}}}}"#
        );
        assert!(parse_projection("a,,b", None).is_err());
        assert!(parse_projection("#nope", None).is_err());
    }
}
