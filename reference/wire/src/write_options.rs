//! The options of DynamoDB's single-item writes (PutItem, DeleteItem, UpdateItem) that do not
//! depend on state: `ReturnValues`, `ReturnValuesOnConditionCheckFailure`, the legacy members
//! ddbsse refuses, and which attributes a write returns (`spec/items.md`).
//!
//! Does: parse the options and compute the returned attributes from the old and new item. Does
//! not: read or write items.

use crate::attribute::Item;
use crate::error::ApiError;
use crate::expression::{Update, path, project};

/// `ReturnValues`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReturnValues {
    /// Nothing.
    None,
    /// The whole item as it was.
    AllOld,
    /// The updated attributes as they were.
    UpdatedOld,
    /// The whole item as it is now.
    AllNew,
    /// The updated attributes as they are now.
    UpdatedNew,
}

const ENUM: &str = "[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]";

//= spec/items.md#return-values
//# `ReturnValues` MUST be one of `NONE`, `ALL_OLD`, `UPDATED_OLD`, `ALL_NEW` and `UPDATED_NEW`, any other value refused with `1 validation error detected: Value '<value>' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]`; PutItem and DeleteItem MUST refuse every value but `NONE` and `ALL_OLD` with `ReturnValues can only be ALL_OLD or NONE`.
/// Parses `ReturnValues`; `update` says whether the request is an UpdateItem (PutItem and
/// DeleteItem take `NONE` and `ALL_OLD` only).
pub fn return_values(rv: Option<&str>, update: bool) -> Result<ReturnValues, ApiError> {
    let v = match rv {
        None | Some("NONE") => ReturnValues::None,
        Some("ALL_OLD") => ReturnValues::AllOld,
        Some("UPDATED_OLD") => ReturnValues::UpdatedOld,
        Some("ALL_NEW") => ReturnValues::AllNew,
        Some("UPDATED_NEW") => ReturnValues::UpdatedNew,
        Some(other) => {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value '{other}' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: {ENUM}"
            )));
        }
    };
    if !update && !matches!(v, ReturnValues::None | ReturnValues::AllOld) {
        return Err(ApiError::validation(
            "ReturnValues can only be ALL_OLD or NONE",
        ));
    }
    Ok(v)
}

//= spec/items.md#condition-failure-item
//# `ReturnValuesOnConditionCheckFailure` MUST be `NONE` or `ALL_OLD`, any other value refused with `1 validation error detected: Value '<value>' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]`.
/// Parses `ReturnValuesOnConditionCheckFailure`: whether a failed condition returns the item.
pub fn item_on_condition_failure(v: Option<&str>) -> Result<bool, ApiError> {
    match v {
        None | Some("NONE") => Ok(false),
        Some("ALL_OLD") => Ok(true),
        Some(other) => Err(ApiError::validation(format!(
            "1 validation error detected: Value '{other}' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]"
        ))),
    }
}

//= spec/items.md#legacy-members
//# A request with the legacy members `Expected` or `AttributeUpdates` MUST be refused with `ValidationException` and the message `<member> is not supported by ddbsse: use ConditionExpression or UpdateExpression`.
/// Refuses the legacy members ddbsse does not implement.
pub fn refuse_legacy(
    expected: Option<&serde_json::Value>,
    attribute_updates: Option<&serde_json::Value>,
) -> Result<(), ApiError> {
    for (name, v) in [
        ("Expected", expected),
        ("AttributeUpdates", attribute_updates),
    ] {
        if v.is_some() {
            return Err(ApiError::validation(format!(
                "{name} is not supported by ddbsse: use ConditionExpression or UpdateExpression"
            )));
        }
    }
    Ok(())
}

//= spec/items.md#return-values
//# UpdateItem MUST return as `Attributes`: nothing for `NONE`; the whole item before the update for `ALL_OLD` (nothing when there was none); the whole item after it for `ALL_NEW`; and, for `UPDATED_OLD` and `UPDATED_NEW`, the parts of the item before or after the update that the update's paths name; `Attributes` MUST be absent when it would be empty.
/// The `Attributes` an UpdateItem returns.
pub fn updated_attributes<V>(
    rv: ReturnValues,
    old: Option<&Item>,
    new: &Item,
    update: Option<&Update<V>>,
) -> Option<Item> {
    let paths = || -> Vec<path::Path> {
        update
            .map(|u| u.paths().into_iter().cloned().collect())
            .unwrap_or_default()
    };
    let out = match rv {
        ReturnValues::None => return None,
        ReturnValues::AllOld => old?.clone(),
        ReturnValues::AllNew => new.clone(),
        ReturnValues::UpdatedOld => project(old?, &paths()),
        ReturnValues::UpdatedNew => project(new, &paths()),
    };
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    //= spec/items.md#return-values
    //= type=test
    //# `ReturnValues` MUST be one of `NONE`, `ALL_OLD`, `UPDATED_OLD`, `ALL_NEW` and `UPDATED_NEW`, any other value refused with `1 validation error detected: Value '<value>' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]`; PutItem and DeleteItem MUST refuse every value but `NONE` and `ALL_OLD` with `ReturnValues can only be ALL_OLD or NONE`.
    #[test]
    fn return_values_by_operation() {
        assert_eq!(return_values(None, false), Ok(ReturnValues::None));
        assert_eq!(
            return_values(Some("ALL_OLD"), false),
            Ok(ReturnValues::AllOld)
        );
        assert_eq!(
            return_values(Some("UPDATED_NEW"), true),
            Ok(ReturnValues::UpdatedNew)
        );
        assert_eq!(
            return_values(Some("ALL_NEW"), false).unwrap_err().message,
            "ReturnValues can only be ALL_OLD or NONE"
        );
        assert_eq!(
            return_values(Some("SOME"), true).unwrap_err().message,
            "1 validation error detected: Value 'SOME' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"
        );
    }

    //= spec/items.md#condition-failure-item
    //= type=test
    //# `ReturnValuesOnConditionCheckFailure` MUST be `NONE` or `ALL_OLD`, any other value refused with `1 validation error detected: Value '<value>' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]`.
    #[test]
    fn item_on_failure_values() {
        assert_eq!(item_on_condition_failure(Some("ALL_OLD")), Ok(true));
        assert_eq!(item_on_condition_failure(Some("NONE")), Ok(false));
        assert_eq!(
            item_on_condition_failure(Some("ALL_NEW"))
                .unwrap_err()
                .message,
            "1 validation error detected: Value 'ALL_NEW' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]"
        );
    }

    //= spec/items.md#legacy-members
    //= type=test
    //# A request with the legacy members `Expected` or `AttributeUpdates` MUST be refused with `ValidationException` and the message `<member> is not supported by ddbsse: use ConditionExpression or UpdateExpression`.
    #[test]
    fn legacy_members_are_refused() {
        let v = serde_json::json!({});
        assert!(refuse_legacy(None, None).is_ok());
        assert_eq!(
            refuse_legacy(None, Some(&v)).unwrap_err().message,
            "AttributeUpdates is not supported by ddbsse: use ConditionExpression or UpdateExpression"
        );
        assert_eq!(
            refuse_legacy(Some(&v), None).unwrap_err().message,
            "Expected is not supported by ddbsse: use ConditionExpression or UpdateExpression"
        );
    }
}
