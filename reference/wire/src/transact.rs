//! TransactWriteItems as far as it does not depend on state (`spec/items.md#transact-write`):
//! the actions parsed and checked (one kind per action, the members each kind needs, their
//! expressions resolved), and the `TransactionCanceledException` with its reasons.
//!
//! Does: parse and check. Does not: read or write items, or decide which conditions hold.

use crate::attribute::AttributeValue;
use crate::attribute::{Item, normalize_item};
use crate::dynamodb::{TransactAction, TransactWriteItemsInput};
use crate::error::{ApiError, ErrorCode};
use crate::expression::{self, Condition, Update};
use crate::validate;
use crate::write_options;

/// The most actions one transaction takes (M-DDB `TransactWriteItemList` length 1 to 100).
pub const MAX_ACTIONS: usize = 100;

/// What an action does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionKind {
    /// `ConditionCheck`: a condition only.
    Check,
    /// `Put`.
    Put,
    /// `Delete`.
    Delete,
    /// `Update`.
    Update,
}

/// One checked action.
#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    /// What it does.
    pub kind: ActionKind,
    /// The table it names.
    pub table: String,
    /// The key (ConditionCheck, Delete, Update) or the whole item (Put), normalised for Put.
    pub item: Item,
    /// Its condition.
    pub condition: Option<Condition<AttributeValue>>,
    /// Its update (Update).
    pub update: Option<Update<AttributeValue>>,
    /// Whether a failed condition returns the item in the reason.
    pub item_on_failure: bool,
}

//= spec/items.md#transact-write
//# TransactWriteItems MUST take 1 to 100 actions, each with exactly one of `ConditionCheck`, `Put`, `Delete` and `Update`, a `ConditionCheck` with a `ConditionExpression` and an `Update` with an `UpdateExpression`, and MUST refuse any other request with `ValidationException` before any table key is fetched.
/// Parses and checks every action of the request, in order.
pub fn actions(input: &TransactWriteItemsInput) -> Result<Vec<Action>, ApiError> {
    let items = input
        .transact_items
        .as_ref()
        .ok_or_else(|| validate::missing_member("transactItems"))?;
    if items.is_empty() || items.len() > MAX_ACTIONS {
        let bound = if items.is_empty() {
            "greater than or equal to 1"
        } else {
            "less than or equal to 100"
        };
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length {bound}"
        )));
    }
    items
        .iter()
        .map(|t| {
            let one = [
                (ActionKind::Check, &t.condition_check),
                (ActionKind::Put, &t.put),
                (ActionKind::Delete, &t.delete),
                (ActionKind::Update, &t.update),
            ];
            let mut present = one.iter().filter_map(|(k, a)| a.as_ref().map(|a| (*k, a)));
            match (present.next(), present.next()) {
                (Some((kind, a)), None) => action(kind, a),
                _ => Err(ApiError::validation(
                    "TransactItems can only contain one of Check, Put, Update or Delete",
                )),
            }
        })
        .collect()
}

fn action(kind: ActionKind, a: &TransactAction) -> Result<Action, ApiError> {
    let table = validate::require_table_name(a.table_name.as_deref())?.to_owned();
    let item = match kind {
        ActionKind::Put => normalize_item(
            a.item
                .as_ref()
                .ok_or_else(|| validate::missing_member("item"))?,
        )?,
        _ => a
            .key
            .clone()
            .ok_or_else(|| validate::missing_member("key"))?,
    };
    if kind == ActionKind::Check && a.condition_expression.is_none() {
        return Err(validate::missing_member("conditionExpression"));
    }
    if kind == ActionKind::Update && a.update_expression.is_none() {
        return Err(validate::missing_member("updateExpression"));
    }
    let item_on_failure = write_options::item_on_condition_failure(
        a.return_values_on_condition_check_failure.as_deref(),
    )?;
    let exprs = expression::write_expressions(
        a.update_expression
            .as_deref()
            .filter(|_| kind == ActionKind::Update),
        a.condition_expression.as_deref(),
        a.expression_attribute_names.as_ref(),
        a.expression_attribute_values.as_ref(),
    )?;
    Ok(Action {
        kind,
        table,
        item,
        condition: exprs.condition,
        update: exprs.update,
        item_on_failure,
    })
}

/// One checked read of TransactGetItems.
#[derive(Clone, Debug, PartialEq)]
pub struct Read {
    /// The table.
    pub table: String,
    /// The key as given.
    pub key: Item,
    /// The projection, if any.
    pub projection: Option<Vec<expression::Path>>,
}

//= spec/items.md#transact-get
//# TransactGetItems MUST take 1 to 100 reads, each a `Get` with a table name and a key, refuse two reads of the same item as TransactWriteItems does, obtain every table's key through the table-key cache before reading, and answer `Responses` with one entry per read in order, holding `Item` (projected when asked) when the item exists.
/// Parses and checks every read of a TransactGetItems request, in order.
pub fn reads(input: &crate::dynamodb::TransactGetItemsInput) -> Result<Vec<Read>, ApiError> {
    let items = input
        .transact_items
        .as_ref()
        .ok_or_else(|| validate::missing_member("transactItems"))?;
    if items.is_empty() || items.len() > MAX_ACTIONS {
        let bound = if items.is_empty() {
            "greater than or equal to 1"
        } else {
            "less than or equal to 100"
        };
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length {bound}"
        )));
    }
    items
        .iter()
        .map(|t| {
            let g = t
                .get
                .as_ref()
                .ok_or_else(|| validate::missing_member("get"))?;
            let table = validate::require_table_name(g.table_name.as_deref())?.to_owned();
            let key = g
                .key
                .clone()
                .ok_or_else(|| validate::missing_member("key"))?;
            let projection = expression::read_expressions(
                None,
                None,
                g.projection_expression.as_deref(),
                g.expression_attribute_names.as_ref(),
                g.expression_attribute_values.as_ref(),
            )?
            .projection;
            Ok(Read {
                table,
                key,
                projection,
            })
        })
        .collect()
}

/// Two actions on one item.
pub fn same_item_twice() -> ApiError {
    ApiError::validation("Transaction request cannot include multiple operations on one item")
}

//= spec/items.md#transact-write
//# When the condition of any action is false, TransactWriteItems MUST write nothing and fail with `TransactionCanceledException`, the message `Transaction cancelled, please refer cancellation reasons for specific reasons [<codes>]` and `CancellationReasons` with one entry per action in order: `{"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}` (with `Item` when that action asked for it and the item exists) for each false condition and `{"Code": "None"}` for the others.
/// The cancellation: `failed[i]` is `None` for an action whose condition held, else the item to
/// return with its reason (`Some(None)` when none is returned).
pub fn canceled(failed: Vec<Option<Option<Item>>>) -> ApiError {
    let codes: Vec<&str> = failed
        .iter()
        .map(|f| {
            if f.is_some() {
                "ConditionalCheckFailed"
            } else {
                "None"
            }
        })
        .collect();
    let reasons = failed
        .into_iter()
        .map(|f| match f {
            None => serde_json::json!({"Code": "None"}),
            Some(item) => {
                let mut r = serde_json::json!({"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"});
                if let (Some(item), Some(obj)) = (item, r.as_object_mut()) {
                    obj.insert(
                        "Item".to_owned(),
                        serde_json::to_value(item).unwrap_or(serde_json::Value::Null),
                    );
                }
                r
            }
        })
        .collect();
    let mut e = ApiError::new(
        ErrorCode::TransactionCanceled,
        format!(
            "Transaction cancelled, please refer cancellation reasons for specific reasons [{}]",
            codes.join(", ")
        ),
    );
    e.cancellation_reasons = Some(reasons);
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    //= spec/items.md#transact-write
    //= type=test
    //# TransactWriteItems MUST take 1 to 100 actions, each with exactly one of `ConditionCheck`, `Put`, `Delete` and `Update`, a `ConditionCheck` with a `ConditionExpression` and an `Update` with an `UpdateExpression`, and MUST refuse any other request with `ValidationException` before any table key is fetched.
    #[test]
    fn actions_are_checked() {
        let parse = |v: serde_json::Value| {
            actions(&serde_json::from_value::<TransactWriteItemsInput>(v).unwrap())
        };
        assert!(parse(serde_json::json!({})).is_err());
        assert!(parse(serde_json::json!({"TransactItems": []})).is_err());
        let two = serde_json::json!({"TransactItems": [{"Put": {"TableName": "ttt", "Item": {"pk": {"S": "a"}}},
            "Delete": {"TableName": "ttt", "Key": {"pk": {"S": "a"}}}}]});
        assert_eq!(
            parse(two).unwrap_err().message,
            "TransactItems can only contain one of Check, Put, Update or Delete"
        );
        let check = serde_json::json!({"TransactItems": [{"ConditionCheck": {"TableName": "ttt", "Key": {"pk": {"S": "a"}}}}]});
        assert!(parse(check).is_err());
        let ok = serde_json::json!({"TransactItems": [
            {"Update": {"TableName": "ttt", "Key": {"pk": {"S": "a"}}, "UpdateExpression": "ADD n :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            {"ConditionCheck": {"TableName": "ttt", "Key": {"pk": {"S": "b"}}, "ConditionExpression": "attribute_exists(pk)"}}]});
        let a = parse(ok).unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].kind, ActionKind::Update);
        assert!(a[0].update.is_some() && a[1].condition.is_some());
    }

    //= spec/items.md#transact-write
    //= type=test
    //# When the condition of any action is false, TransactWriteItems MUST write nothing and fail with `TransactionCanceledException`, the message `Transaction cancelled, please refer cancellation reasons for specific reasons [<codes>]` and `CancellationReasons` with one entry per action in order: `{"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}` (with `Item` when that action asked for it and the item exists) for each false condition and `{"Code": "None"}` for the others.
    #[test]
    fn cancellation_lists_every_action() {
        let e = canceled(vec![None, Some(None)]);
        assert_eq!(e.code, ErrorCode::TransactionCanceled);
        assert_eq!(
            e.message,
            "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]"
        );
        let body = e.body(crate::Service::DynamoDb);
        assert_eq!(
            body["CancellationReasons"],
            serde_json::json!([{"Code": "None"}, {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}])
        );
    }
}
