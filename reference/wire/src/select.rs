//! The `Select` member of Query and Scan (`spec/items.md#select`): its four values, how they
//! combine with `ProjectionExpression` and `IndexName`, and AWS's messages for the combinations
//! DynamoDB refuses (a Query wraps them in the `1 validation error detected: ` envelope, a Scan
//! does not).
//!
//! Does: the checks that need only the request, shared by the model and the endpoint. Does
//! not: the index-specific checks (`index_read::index_select`: `ALL_ATTRIBUTES` on a global
//! index that does not project everything), nor apply a projection.

use crate::error::ApiError;

/// The read a `Select` belongs to (the two word their refusals differently).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadOp {
    /// Query.
    Query,
    /// Scan.
    Scan,
}

/// A checked `Select`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Select {
    /// No `Select`: every attribute of a table's items, the projected ones of an index's
    /// entries, or what `ProjectionExpression` names.
    Default,
    /// `ALL_ATTRIBUTES`.
    AllAttributes,
    /// `ALL_PROJECTED_ATTRIBUTES` (index reads only).
    AllProjected,
    /// `SPECIFIC_ATTRIBUTES`, with a `ProjectionExpression`: the same as `Default` with it.
    Specific,
    /// `COUNT`.
    Count,
}

fn refusal(op: ReadOp, text: String) -> ApiError {
    ApiError::validation(match op {
        ReadOp::Query => format!("1 validation error detected: {text}"),
        ReadOp::Scan => text,
    })
}

//= spec/items.md#select
//# A Query or Scan MUST refuse a `Select` outside `ALL_ATTRIBUTES`, `ALL_PROJECTED_ATTRIBUTES`, `SPECIFIC_ATTRIBUTES` and `COUNT` with `1 validation error detected: Value '<value>' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]`.
//= spec/items.md#select
//# A `ProjectionExpression` with `Select` `ALL_ATTRIBUTES`, `ALL_PROJECTED_ATTRIBUTES` or `COUNT` MUST be refused with `Cannot specify the ProjectionExpression when choosing to get <ALL_ATTRIBUTES|ALL_PROJECTED_ATTRIBUTES|only the Count>`, `SPECIFIC_ATTRIBUTES` without a `ProjectionExpression` with `Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES`, and `ALL_PROJECTED_ATTRIBUTES` without `IndexName` with `ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName`, each in a `ValidationException` whose message a Query prefixes with `1 validation error detected: ` and a Scan does not.
/// Checks `select` of a Query or Scan that has (or not) a `ProjectionExpression` and reads an
/// index (or the table).
pub fn check(
    op: ReadOp,
    select: Option<&str>,
    has_projection: bool,
    on_index: bool,
) -> Result<Select, ApiError> {
    let chosen = match select {
        None => return Ok(Select::Default),
        Some("ALL_ATTRIBUTES") => Select::AllAttributes,
        Some("ALL_PROJECTED_ATTRIBUTES") => Select::AllProjected,
        Some("SPECIFIC_ATTRIBUTES") => Select::Specific,
        Some("COUNT") => Select::Count,
        Some(other) => {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value '{other}' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]"
            )));
        }
    };
    let what = match chosen {
        Select::AllAttributes => Some("ALL_ATTRIBUTES"),
        Select::AllProjected => Some("ALL_PROJECTED_ATTRIBUTES"),
        Select::Count => Some("only the Count"),
        Select::Default | Select::Specific => None,
    };
    if has_projection && let Some(what) = what {
        return Err(refusal(
            op,
            format!("Cannot specify the ProjectionExpression when choosing to get {what}"),
        ));
    }
    if chosen == Select::Specific && !has_projection {
        return Err(refusal(
            op,
            "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES".to_owned(),
        ));
    }
    if chosen == Select::AllProjected && !on_index {
        return Err(refusal(
            op,
            "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName".to_owned(),
        ));
    }
    Ok(chosen)
}

//= spec/items.md#select
//# A Query or Scan with `Select` `SPECIFIC_ATTRIBUTES` and a `ProjectionExpression` MUST answer as the same request without `Select` does, and one with `COUNT` MUST answer `Count` and `ScannedCount` (and `LastEvaluatedKey` when paged) without `Items`.
/// The `Select` of a table read: whether it counts only (the page then carries no `Items`);
/// `SPECIFIC_ATTRIBUTES` reads as no `Select`.
pub fn table_read(
    op: ReadOp,
    select: Option<&str>,
    has_projection: bool,
) -> Result<bool, ApiError> {
    Ok(check(op, select, has_projection, false)? == Select::Count)
}

/// The `Select` of an index read as `index_read::index_select` takes it: `None` for the
/// default (projected attributes, or what the projection names), else `ALL_ATTRIBUTES` or
/// `COUNT`.
pub fn index_read(
    op: ReadOp,
    select: Option<&str>,
    has_projection: bool,
) -> Result<Option<&'static str>, ApiError> {
    Ok(match check(op, select, has_projection, true)? {
        Select::Default | Select::AllProjected | Select::Specific => None,
        Select::AllAttributes => Some("ALL_ATTRIBUTES"),
        Select::Count => Some("COUNT"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    //= spec/items.md#select
    //= type=test
    //# A `ProjectionExpression` with `Select` `ALL_ATTRIBUTES`, `ALL_PROJECTED_ATTRIBUTES` or `COUNT` MUST be refused with `Cannot specify the ProjectionExpression when choosing to get <ALL_ATTRIBUTES|ALL_PROJECTED_ATTRIBUTES|only the Count>`, `SPECIFIC_ATTRIBUTES` without a `ProjectionExpression` with `Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES`, and `ALL_PROJECTED_ATTRIBUTES` without `IndexName` with `ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName`, each in a `ValidationException` whose message a Query prefixes with `1 validation error detected: ` and a Scan does not.
    #[test]
    fn combinations() {
        let msg = |r: Result<Select, ApiError>| r.map_err(|e| e.message);
        assert_eq!(
            msg(check(
                ReadOp::Query,
                Some("SPECIFIC_ATTRIBUTES"),
                true,
                false
            )),
            Ok(Select::Specific)
        );
        assert_eq!(
            msg(check(ReadOp::Scan, Some("SPECIFIC_ATTRIBUTES"), false, false)),
            Err("Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES".to_owned())
        );
        assert_eq!(
            msg(check(ReadOp::Query, Some("COUNT"), true, true)),
            Err("1 validation error detected: Cannot specify the ProjectionExpression when choosing to get only the Count".to_owned())
        );
        assert_eq!(
            msg(check(ReadOp::Scan, Some("ALL_ATTRIBUTES"), true, false)),
            Err(
                "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES"
                    .to_owned()
            )
        );
        assert_eq!(
            msg(check(ReadOp::Query, Some("ALL_PROJECTED_ATTRIBUTES"), false, false)),
            Err("1 validation error detected: ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName".to_owned())
        );
        assert_eq!(
            msg(check(
                ReadOp::Scan,
                Some("ALL_PROJECTED_ATTRIBUTES"),
                false,
                true
            )),
            Ok(Select::AllProjected)
        );
        assert_eq!(
            msg(check(ReadOp::Scan, None, true, false)),
            Ok(Select::Default)
        );
        assert_eq!(
            table_read(ReadOp::Scan, Some("COUNT"), false).ok(),
            Some(true)
        );
        assert_eq!(
            index_read(ReadOp::Query, Some("SPECIFIC_ATTRIBUTES"), true).ok(),
            Some(None)
        );
    }

    //= spec/items.md#select
    //= type=test
    //# A Query or Scan MUST refuse a `Select` outside `ALL_ATTRIBUTES`, `ALL_PROJECTED_ATTRIBUTES`, `SPECIFIC_ATTRIBUTES` and `COUNT` with `1 validation error detected: Value '<value>' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]`.
    #[test]
    fn unknown_value() {
        let e = check(ReadOp::Scan, Some("count"), false, false).unwrap_err();
        assert!(
            e.message
                .starts_with("1 validation error detected: Value 'count' at 'select'")
        );
    }
}
