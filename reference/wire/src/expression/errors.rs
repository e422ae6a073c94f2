//! The errors of expressions, with DynamoDB's texts (`spec/expressions.md`): every one is a
//! `ValidationException` whose message starts `Invalid <ExpressionKind>: ` when it concerns one
//! expression, and the request-wide ones (unused or empty maps, a key attribute updated, a
//! condition that failed).
//!
//! Does: build the errors. Does not: decide when one applies.

use super::lexer::Token;
use crate::attribute::Item;
use crate::error::{ApiError, ErrorCode};

/// Which expression member a text came from (it names the member in messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `ConditionExpression`.
    Condition,
    /// `FilterExpression`.
    Filter,
    /// `KeyConditionExpression`.
    KeyCondition,
    /// `UpdateExpression`.
    Update,
    /// `ProjectionExpression`.
    Projection,
}

impl Kind {
    /// The request member's name.
    pub fn member(self) -> &'static str {
        match self {
            Kind::Condition => "ConditionExpression",
            Kind::Filter => "FilterExpression",
            Kind::KeyCondition => "KeyConditionExpression",
            Kind::Update => "UpdateExpression",
            Kind::Projection => "ProjectionExpression",
        }
    }
}

//= spec/expressions.md#errors
//# Every error an expression causes MUST be a `ValidationException`, and an error that concerns one expression MUST have a message that starts with `Invalid <member>: ` where `<member>` is the request member that holds the expression (`ConditionExpression`, `FilterExpression`, `KeyConditionExpression`, `UpdateExpression` or `ProjectionExpression`).
/// `Invalid <member>: <detail>`.
pub fn invalid(kind: Kind, detail: impl std::fmt::Display) -> ApiError {
    ApiError::validation(format!("Invalid {}: {detail}", kind.member()))
}

/// A syntax error at the token spanning `start..end` of `src` (`text` as written), given the
/// tokens before it: `Syntax error; token: "<text>", near: "<previous token to the next one>"`.
pub(crate) fn syntax_error_at(
    kind: Kind,
    src: &str,
    before: &[Token],
    start: usize,
    end: usize,
    text: &str,
) -> ApiError {
    let from = before.last().map_or(start, |t| t.start);
    // The text runs on to the end of the next token (a word, or one other character).
    let rest = src.get(end..).unwrap_or("");
    let skipped = rest.len() - rest.trim_start().len();
    let after = &rest[skipped..];
    let word = after
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '#' || c == ':'))
        .unwrap_or(after.len());
    let next = if word > 0 {
        word
    } else {
        after.chars().next().map_or(0, char::len_utf8)
    };
    let near = src.get(from..end + skipped + next).unwrap_or(text);
    invalid(
        kind,
        format!("Syntax error; token: \"{text}\", near: \"{near}\""),
    )
}

/// A syntax error at the end of the expression.
pub(crate) fn syntax_error_eof(kind: Kind, src: &str, toks: &[Token]) -> ApiError {
    let from = match toks.len() {
        0 => 0,
        1 => toks[0].start,
        n => toks[n - 2].start,
    };
    let near = src.get(from..).unwrap_or("").trim_end();
    invalid(
        kind,
        format!("Syntax error; token: \"<EOF>\", near: \"{near}\""),
    )
}

/// A plain attribute name that is a reserved word.
pub fn reserved(kind: Kind, word: &str) -> ApiError {
    invalid(
        kind,
        format!("Attribute name is a reserved keyword; reserved keyword: {word}"),
    )
}

/// A `#name` with no entry in `ExpressionAttributeNames`.
pub fn undefined_name(kind: Kind, name: &str) -> ApiError {
    invalid(
        kind,
        format!(
            "An expression attribute name used in the document path is not defined; attribute name: {name}"
        ),
    )
}

/// A `:value` with no entry in `ExpressionAttributeValues`.
pub fn undefined_value(kind: Kind, value: &str) -> ApiError {
    invalid(
        kind,
        format!(
            "An expression attribute value used in expression is not defined; attribute value: {value}"
        ),
    )
}

/// Entries of `ExpressionAttributeNames` (`names` true) or `ExpressionAttributeValues` that no
/// expression of the request uses.
pub fn unused(names: bool, keys: &[&str]) -> ApiError {
    let member = if names {
        "ExpressionAttributeNames"
    } else {
        "ExpressionAttributeValues"
    };
    ApiError::validation(format!(
        "Value provided in {member} unused in expressions: keys: {{{}}}",
        keys.join(", ")
    ))
}

/// An empty `ExpressionAttributeNames` (`names` true) or `ExpressionAttributeValues`.
pub fn empty_map(names: bool) -> ApiError {
    ApiError::validation(if names {
        "ExpressionAttributeNames must not be empty"
    } else {
        "ExpressionAttributeValues must not be empty"
    })
}

/// `ExpressionAttributeNames` (`names` true) or `ExpressionAttributeValues` in a request that
/// has no expression.
pub fn map_without_expression(names: bool) -> ApiError {
    ApiError::validation(if names {
        "ExpressionAttributeNames can only be specified when using expressions"
    } else {
        "ExpressionAttributeValues can only be specified when using expressions"
    })
}

/// A value of `ExpressionAttributeValues` that is not a valid attribute value.
pub fn invalid_value(key: &str, why: &ApiError) -> ApiError {
    ApiError::validation(format!(
        "ExpressionAttributeValues contains invalid value: {} for key {key}",
        why.message
    ))
}

/// A function name the expression kind does not know.
pub fn unknown_function(kind: Kind, name: &str) -> ApiError {
    invalid(kind, format!("Invalid function name; function: {name}"))
}

/// A function that exists but not in this kind of expression.
pub fn function_not_allowed(kind: Kind, name: &str) -> ApiError {
    let what = if kind == Kind::Update {
        "an update expression"
    } else {
        "a condition expression"
    };
    invalid(
        kind,
        format!("The function is not allowed in {what}; function: {name}"),
    )
}

/// A function or operator whose operand must be a document path.
pub fn needs_path(kind: Kind, name: &str) -> ApiError {
    invalid(
        kind,
        format!("Operator or function requires a document path; operator or function: {name}"),
    )
}

/// A literal operand of the wrong type for an operator or function (`short` is the type
/// descriptor, as in `operand type: M`).
pub fn operand_type(kind: Kind, op: &str, short: &str) -> ApiError {
    invalid(
        kind,
        format!(
            "Incorrect operand type for operator or function; operator or function: {op}, operand type: {short}"
        ),
    )
}

/// A literal operand of ADD or DELETE of the wrong type (`long` as in `operand type: LIST`).
pub fn action_operand_type(action: &str, long: &str) -> ApiError {
    invalid(
        Kind::Update,
        format!(
            "Incorrect operand type for operator or function; operator: {action}, operand type: {long}"
        ),
    )
}

/// Two document paths of one update expression overlap.
pub fn overlap(one: &str, two: &str) -> ApiError {
    invalid(
        Kind::Update,
        format!(
            "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: {one}, path two: {two}"
        ),
    )
}

/// A clause keyword (SET, REMOVE, ADD, DELETE) used twice.
pub fn clause_twice(clause: &str) -> ApiError {
    invalid(
        Kind::Update,
        format!("The \"{clause}\" section can only be used once in an update expression;"),
    )
}

/// An update whose operand has the wrong type in the item.
pub fn incorrect_data_type() -> ApiError {
    ApiError::validation("An operand in the update expression has an incorrect data type")
}

/// An update operand that names an attribute the item lacks.
pub fn missing_attribute() -> ApiError {
    ApiError::validation(
        "The provided expression refers to an attribute that does not exist in the item",
    )
}

/// An update that writes below an attribute that is missing or not a map or list.
pub fn invalid_document_path() -> ApiError {
    ApiError::validation(
        "The document path provided in the update expression is invalid for update",
    )
}

/// An update that writes a key attribute.
pub fn key_attribute_updated(name: &str) -> ApiError {
    ApiError::validation(format!(
        "One or more parameter values were invalid: Cannot update attribute {name}. This attribute is part of the key"
    ))
}

/// An update whose result exceeds the item size limit.
pub fn updated_item_too_large() -> ApiError {
    ApiError::validation("Item size to update has exceeded the maximum allowed size")
}

/// An `attribute_type` whose type is not a DynamoDB type descriptor.
pub fn invalid_type_name(kind: Kind, name: &str) -> ApiError {
    invalid(
        kind,
        format!(
            "Invalid attribute type name found; type: {name}, valid types: {{B,NULL,SS,BOOL,L,BS,N,NS,S,M}}"
        ),
    )
}

/// An expression nested deeper than ddbsse parses.
pub fn too_deep(kind: Kind) -> ApiError {
    invalid(kind, "The expression is nested too deeply")
}

//= spec/expressions.md#condition-failed
//# A write whose condition evaluates to false MUST fail with `ConditionalCheckFailedException` and the message `The conditional request failed`, and MUST change nothing.
/// The error of a write whose condition is false; with `item`, the error carries the item as it
/// is (`ReturnValuesOnConditionCheckFailure` `ALL_OLD`).
pub fn condition_failed(item: Option<Item>) -> ApiError {
    let mut e = ApiError::new(
        ErrorCode::ConditionalCheckFailed,
        "The conditional request failed",
    );
    e.item = item.map(Box::new);
    e
}
