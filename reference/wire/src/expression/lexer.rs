//! The tokens of DynamoDB's expression language, with their byte offsets in the source (for the
//! `near` text of syntax errors).
//!
//! Does: split an expression into words, `#name` and `:value` placeholders, list indexes and
//! punctuation. Does not: know keywords, functions or grammar ([`super::parser`]).

use super::errors::{Kind, syntax_error_at};
use crate::error::ApiError;

/// One token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    /// A bare word: an attribute name, keyword or function name.
    Word(String),
    /// `#name`, an expression attribute name placeholder (with its `#`).
    Name(String),
    /// `:value`, an expression attribute value placeholder (with its `:`).
    Value(String),
    /// Decimal digits (list indexes).
    Int(String),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Plus,
    Minus,
}

/// A token and where it is in the source.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

fn word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Splits `src` into tokens, or fails with a syntax error naming the first character that starts
/// no token.
pub(crate) fn lex(src: &str, kind: Kind) -> Result<Vec<Token>, ApiError> {
    let mut out: Vec<Token> = Vec::new();
    let mut it = src.char_indices().peekable();
    while let Some(&(start, c)) = it.peek() {
        if c.is_whitespace() {
            it.next();
            continue;
        }
        let single = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            '[' => Some(Tok::LBracket),
            ']' => Some(Tok::RBracket),
            ',' => Some(Tok::Comma),
            '.' => Some(Tok::Dot),
            '=' => Some(Tok::Eq),
            '+' => Some(Tok::Plus),
            '-' => Some(Tok::Minus),
            _ => None,
        };
        if let Some(tok) = single {
            it.next();
            out.push(Token {
                tok,
                start,
                end: start + 1,
            });
            continue;
        }
        if c == '<' || c == '>' {
            it.next();
            let next = it.peek().map(|&(_, n)| n);
            let (tok, len) = match (c, next) {
                ('<', Some('=')) => (Tok::Le, 2),
                ('<', Some('>')) => (Tok::Ne, 2),
                ('>', Some('=')) => (Tok::Ge, 2),
                ('<', _) => (Tok::Lt, 1),
                _ => (Tok::Gt, 1),
            };
            if len == 2 {
                it.next();
            }
            out.push(Token {
                tok,
                start,
                end: start + len,
            });
            continue;
        }
        if c == '#' || c == ':' || word_char(c) {
            it.next();
            let mut end = start + c.len_utf8();
            while let Some(&(i, n)) = it.peek() {
                if !word_char(n) {
                    break;
                }
                end = i + n.len_utf8();
                it.next();
            }
            let text = src[start..end].to_owned();
            let tok = match c {
                '#' | ':' if text.len() == 1 => {
                    return Err(syntax_error_at(kind, src, &out, start, end, &text));
                }
                '#' => Tok::Name(text),
                ':' => Tok::Value(text),
                _ if c.is_ascii_digit() && text.bytes().all(|b| b.is_ascii_digit()) => {
                    Tok::Int(text)
                }
                _ if c.is_ascii_digit() => {
                    return Err(syntax_error_at(kind, src, &out, start, end, &text));
                }
                _ => Tok::Word(text),
            };
            out.push(Token { tok, start, end });
            continue;
        }
        let end = start + c.len_utf8();
        return Err(syntax_error_at(
            kind,
            src,
            &out,
            start,
            end,
            &src[start..end],
        ));
    }
    Ok(out)
}

impl Tok {
    /// The token as written (for messages and printing).
    pub(crate) fn text(&self) -> &str {
        match self {
            Tok::Word(s) | Tok::Name(s) | Tok::Value(s) | Tok::Int(s) => s,
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::Comma => ",",
            Tok::Dot => ".",
            Tok::Eq => "=",
            Tok::Ne => "<>",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            Tok::Plus => "+",
            Tok::Minus => "-",
        }
    }
}
