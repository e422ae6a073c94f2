//! The recursive-descent parser shared by every expression kind: a cursor over the tokens,
//! document paths, and operands (paths, `:values`, `size`, `if_not_exists`, `list_append`, `+`
//! and `-`).
//!
//! Does: syntax only; names and values stay placeholders (`#n`, `:v`) until
//! [`super::names::Subst`] resolves them. Does not: evaluate.

use super::errors::{self, Kind};
use super::lexer::{Tok, Token, lex};
use super::path::{Path, PathElement};
use crate::error::ApiError;

/// How deep parentheses, `NOT`s and nested functions may go before the parser refuses (decided
/// here, so that no input can exhaust the stack).
pub const MAX_DEPTH: usize = 64;

/// An operand. `V` is a value placeholder (`String`, as parsed) or its value (after
/// substitution).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operand<V> {
    /// A document path.
    Path(Path),
    /// An expression attribute value.
    Value(V),
    /// `size(path)` (conditions only).
    Size(Path),
    /// `if_not_exists(path, operand)` (update SET only).
    IfNotExists(Path, Box<Operand<V>>),
    /// `list_append(a, b)` (update SET only).
    ListAppend(Box<Operand<V>>, Box<Operand<V>>),
    /// `a + b` (update SET only).
    Plus(Box<Operand<V>>, Box<Operand<V>>),
    /// `a - b` (update SET only).
    Minus(Box<Operand<V>>, Box<Operand<V>>),
}

/// A cursor over one expression's tokens.
pub(crate) struct Parser<'s> {
    pub src: &'s str,
    pub toks: Vec<Token>,
    pub pos: usize,
    pub kind: Kind,
    pub depth: usize,
}

impl<'s> Parser<'s> {
    pub fn new(src: &'s str, kind: Kind) -> Result<Self, ApiError> {
        Ok(Self {
            src,
            toks: lex(src, kind)?,
            pos: 0,
            kind,
            depth: 0,
        })
    }

    pub fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    pub fn peek_at(&self, n: usize) -> Option<&Tok> {
        self.toks.get(self.pos + n).map(|t| &t.tok)
    }

    //= spec/expressions.md#syntax
    //# An expression that does not follow the grammar MUST be refused with `Invalid <member>: Syntax error; token: "<token>", near: "<text>"`, where `<token>` is the first token that cannot continue the expression, or `<EOF>` when the text ends too early.
    /// The syntax error at the current token (or at the end).
    pub fn error(&self) -> ApiError {
        match self.toks.get(self.pos) {
            Some(t) => errors::syntax_error_at(
                self.kind,
                self.src,
                &self.toks[..self.pos],
                t.start,
                t.end,
                t.tok.text(),
            ),
            None => errors::syntax_error_eof(self.kind, self.src, &self.toks),
        }
    }

    pub fn expect(&mut self, tok: &Tok) -> Result<(), ApiError> {
        if self.peek() == Some(tok) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error())
        }
    }

    /// Whether the current token is the keyword `kw` (case-insensitive).
    pub fn at_keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(kw))
    }

    /// Fails unless every token was read.
    pub fn end(&self) -> Result<(), ApiError> {
        if self.pos == self.toks.len() {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    //= spec/expressions.md#syntax
    //# A target MUST NOT fail in any other way than with a `ValidationException` on any expression text, however long or deeply nested.
    pub fn enter(&mut self) -> Result<(), ApiError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(errors::too_deep(self.kind));
        }
        Ok(())
    }

    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Whether the current token starts a function call (`word(`).
    pub fn at_function(&self) -> Option<String> {
        match (self.peek(), self.peek_at(1)) {
            (Some(Tok::Word(w)), Some(Tok::LParen)) => Some(w.clone()),
            _ => None,
        }
    }

    /// A document path: `name` or `#name`, then `.name`, `.#name` or `[index]` elements.
    pub fn path(&mut self) -> Result<Path, ApiError> {
        let mut out = Vec::new();
        match self.peek() {
            Some(Tok::Word(w)) => out.push(PathElement::Name(w.clone())),
            Some(Tok::Name(n)) => out.push(PathElement::Name(n.clone())),
            _ => return Err(self.error()),
        }
        self.pos += 1;
        loop {
            match self.peek() {
                Some(Tok::Dot) => {
                    self.pos += 1;
                    match self.peek() {
                        Some(Tok::Word(w) | Tok::Name(w)) => {
                            out.push(PathElement::Name(w.clone()));
                            self.pos += 1;
                        }
                        _ => return Err(self.error()),
                    }
                }
                Some(Tok::LBracket) => {
                    self.pos += 1;
                    let idx = match self.peek() {
                        Some(Tok::Int(i)) => i.parse::<usize>().map_err(|_| self.error())?,
                        _ => return Err(self.error()),
                    };
                    self.pos += 1;
                    self.expect(&Tok::RBracket)?;
                    out.push(PathElement::Index(idx));
                }
                _ => return Ok(out),
            }
        }
    }

    /// An operand of a condition: a path, a `:value` or `size(path)`.
    pub fn condition_operand(&mut self) -> Result<Operand<String>, ApiError> {
        if let Some(f) = self.at_function() {
            return match f.as_str() {
                "size" => {
                    self.pos += 2;
                    let p = self.path_argument("size")?;
                    self.expect(&Tok::RParen)?;
                    Ok(Operand::Size(p))
                }
                "if_not_exists" | "list_append" => Err(errors::function_not_allowed(self.kind, &f)),
                "attribute_exists"
                | "attribute_not_exists"
                | "attribute_type"
                | "begins_with"
                | "contains" => Err(self.error()),
                _ => Err(errors::unknown_function(self.kind, &f)),
            };
        }
        self.simple_operand()
    }

    /// A path or a `:value`.
    pub fn simple_operand(&mut self) -> Result<Operand<String>, ApiError> {
        match self.peek() {
            Some(Tok::Value(v)) => {
                let v = v.clone();
                self.pos += 1;
                Ok(Operand::Value(v))
            }
            Some(Tok::Word(_) | Tok::Name(_)) => Ok(Operand::Path(self.path()?)),
            _ => Err(self.error()),
        }
    }

    /// A function argument that must be a document path.
    pub fn path_argument(&mut self, function: &str) -> Result<Path, ApiError> {
        match self.peek() {
            Some(Tok::Word(_) | Tok::Name(_)) if self.at_function().is_none() => self.path(),
            Some(Tok::Value(_) | Tok::Word(_)) => Err(errors::needs_path(self.kind, function)),
            _ => Err(self.error()),
        }
    }

    /// The value of a SET action: an update operand, optionally `+` or `-` another.
    pub fn set_value(&mut self) -> Result<Operand<String>, ApiError> {
        let left = self.update_operand()?;
        match self.peek() {
            Some(Tok::Plus) => {
                self.pos += 1;
                let right = self.update_operand()?;
                Ok(Operand::Plus(Box::new(left), Box::new(right)))
            }
            Some(Tok::Minus) => {
                self.pos += 1;
                let right = self.update_operand()?;
                Ok(Operand::Minus(Box::new(left), Box::new(right)))
            }
            _ => Ok(left),
        }
    }

    /// An operand of a SET value: a path, a `:value`, `if_not_exists(path, operand)` or
    /// `list_append(operand, operand)`.
    pub fn update_operand(&mut self) -> Result<Operand<String>, ApiError> {
        let Some(f) = self.at_function() else {
            return self.simple_operand();
        };
        self.enter()?;
        self.pos += 2;
        let out = match f.as_str() {
            "if_not_exists" => {
                let p = self.path_argument("if_not_exists")?;
                self.expect(&Tok::Comma)?;
                let v = self.update_operand()?;
                Operand::IfNotExists(p, Box::new(v))
            }
            "list_append" => {
                let a = self.update_operand()?;
                self.expect(&Tok::Comma)?;
                let b = self.update_operand()?;
                Operand::ListAppend(Box::new(a), Box::new(b))
            }
            "size"
            | "attribute_exists"
            | "attribute_not_exists"
            | "attribute_type"
            | "begins_with"
            | "contains" => return Err(errors::function_not_allowed(self.kind, &f)),
            _ => return Err(errors::unknown_function(self.kind, &f)),
        };
        self.expect(&Tok::RParen)?;
        self.leave();
        Ok(out)
    }
}

/// Prints an operand as written.
pub fn print_operand(o: &Operand<String>) -> String {
    use super::path::print;
    match o {
        Operand::Path(p) => print(p),
        Operand::Value(v) => v.clone(),
        Operand::Size(p) => format!("size({})", print(p)),
        Operand::IfNotExists(p, v) => format!("if_not_exists({}, {})", print(p), print_operand(v)),
        Operand::ListAppend(a, b) => {
            format!("list_append({}, {})", print_operand(a), print_operand(b))
        }
        Operand::Plus(a, b) => format!("{} + {}", print_operand(a), print_operand(b)),
        Operand::Minus(a, b) => format!("{} - {}", print_operand(a), print_operand(b)),
    }
}

/// Resolves an operand's names and values.
pub(crate) fn resolve_operand(
    o: Operand<String>,
    s: &mut super::names::Subst<'_>,
    kind: Kind,
) -> Result<Operand<crate::attribute::AttributeValue>, ApiError> {
    Ok(match o {
        Operand::Path(p) => Operand::Path(s_path(s, kind, p)?),
        Operand::Value(v) => Operand::Value(s.value(kind, &v)?),
        Operand::Size(p) => Operand::Size(s_path(s, kind, p)?),
        Operand::IfNotExists(p, v) => {
            let p = s_path(s, kind, p)?;
            Operand::IfNotExists(p, Box::new(resolve_operand(*v, s, kind)?))
        }
        Operand::ListAppend(a, b) => {
            let a = resolve_operand(*a, s, kind)?;
            Operand::ListAppend(Box::new(a), Box::new(resolve_operand(*b, s, kind)?))
        }
        Operand::Plus(a, b) => {
            let a = resolve_operand(*a, s, kind)?;
            Operand::Plus(Box::new(a), Box::new(resolve_operand(*b, s, kind)?))
        }
        Operand::Minus(a, b) => {
            let a = resolve_operand(*a, s, kind)?;
            Operand::Minus(Box::new(a), Box::new(resolve_operand(*b, s, kind)?))
        }
    })
}

fn s_path(s: &mut super::names::Subst<'_>, kind: Kind, p: Path) -> Result<Path, ApiError> {
    s.path(kind, p)
}
