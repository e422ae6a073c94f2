//! UpdateTable's settings besides `SSESpecification` (`spec/control-plane.md#update-table`): the
//! message of an UpdateTable that changes nothing, the billing-mode rule of UpdateTable, the table
//! classes, and the refusals of the members ddbsse does not implement (streams and replicas).
//! One home for these facts, used by the model and the endpoint alike.
//!
//! It does not look at any table: which stream a table has, its current billing mode and its
//! class are the caller's state, passed in where a rule needs them.

use serde_json::Value;

use crate::dynamodb::ProvisionedThroughput;
use crate::dynamodb_errors::invalid_parameter;
use crate::error::ApiError;
use crate::validate::{self, Billing};

/// The table classes (botocore `TableClass`), in the model's order.
pub const TABLE_CLASSES: [&str; 2] = ["STANDARD", "STANDARD_INFREQUENT_ACCESS"];

/// `ValidationException` for an UpdateTable that carries nothing besides `TableName` (the list
/// AWS names for such a request, [3P-OBS] OBS-ACK DDB-TABLE-442).
pub fn nothing_to_update() -> ApiError {
    ApiError::validation(
        "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required",
    )
}

/// UpdateTable's billing change: `None` when the request carries neither `BillingMode` nor
/// `ProvisionedThroughput`; otherwise the table's billing afterwards, from the requested mode (or
/// the table's `current` mode when absent) and the throughput. `BillingMode` `PROVISIONED`
/// without `ProvisionedThroughput` is refused whatever the current mode.
pub fn update_billing(
    mode: Option<&str>,
    throughput: Option<&ProvisionedThroughput>,
    current: &str,
) -> Result<Option<Billing>, ApiError> {
    if mode.is_none() && throughput.is_none() {
        return Ok(None);
    }
    //= spec/control-plane.md#update-billing
    //# An UpdateTable with `BillingMode` `PROVISIONED` and without `ProvisionedThroughput` MUST fail with `ValidationException` and the message `One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED`, whatever the table's current billing mode.
    if mode == Some("PROVISIONED") && throughput.is_none() {
        return Err(invalid_parameter(
            "ProvisionedThroughput must be specified when BillingMode is PROVISIONED",
        ));
    }
    validate::billing(Some(mode.unwrap_or(current)), throughput).map(Some)
}

/// A `TableClass` of UpdateTable: one of [`TABLE_CLASSES`], or AWS's refusal.
pub fn table_class(class: &str) -> Result<&str, ApiError> {
    //= spec/control-plane.md#update-table-class
    //# An UpdateTable whose `TableClass` is neither `STANDARD` nor `STANDARD_INFREQUENT_ACCESS` MUST fail with `ValidationException` and the message `Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS].`
    if TABLE_CLASSES.contains(&class) {
        Ok(class)
    } else {
        Err(ApiError::validation(format!(
            "Invalid table-class parameter provided. Please try again with a valid table-class value: [{}].",
            TABLE_CLASSES.join(", ")
        )))
    }
}

/// The refusal of an UpdateTable's `StreamSpecification` on `table`: ddbsse implements no
/// DynamoDB Streams, so no table has a stream to disable and none can be enabled.
pub fn stream_change(spec: &Value, table: &str) -> ApiError {
    match spec.get("StreamEnabled").and_then(Value::as_bool) {
        None => validate::missing_member("streamSpecification.streamEnabled"),
        //= spec/control-plane.md#update-streams
        //# An UpdateTable whose `StreamSpecification` has `StreamEnabled` false MUST fail with `ValidationException` and the message `Table has no stream to disable: TableName: <table name>`.
        Some(false) => ApiError::validation(format!(
            "Table has no stream to disable: TableName: {table}"
        )),
        //= spec/control-plane.md#update-streams
        //# An UpdateTable whose `StreamSpecification` has `StreamEnabled` true MUST fail with `ValidationException` and the message `One or more parameter values were invalid: StreamSpecification cannot enable a stream: ddbsse does not implement DynamoDB Streams`.
        Some(true) => invalid_parameter(
            "StreamSpecification cannot enable a stream: ddbsse does not implement DynamoDB Streams",
        ),
    }
}

/// The refusal of an UpdateTable's `ReplicaUpdates`: ddbsse implements no global tables.
pub fn replicas_unsupported() -> ApiError {
    //= spec/control-plane.md#update-replicas
    //# An UpdateTable that carries `ReplicaUpdates` MUST fail with `ValidationException` and the message `One or more parameter values were invalid: ReplicaUpdates cannot be applied: ddbsse does not implement global tables`.
    invalid_parameter("ReplicaUpdates cannot be applied: ddbsse does not implement global tables")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pt(r: i64, w: i64) -> ProvisionedThroughput {
        ProvisionedThroughput {
            read_capacity_units: Some(r),
            write_capacity_units: Some(w),
        }
    }

    //= spec/control-plane.md#update-billing
    //= type=test
    //# An UpdateTable with `BillingMode` `PROVISIONED` and without `ProvisionedThroughput` MUST fail with `ValidationException` and the message `One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED`, whatever the table's current billing mode.
    #[test]
    fn billing_of_update_table() {
        assert_eq!(update_billing(None, None, "PROVISIONED"), Ok(None));
        for current in ["PROVISIONED", "PAY_PER_REQUEST"] {
            let e = update_billing(Some("PROVISIONED"), None, current).expect_err(current);
            assert_eq!(
                e.message,
                "One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED"
            );
        }
        let on_demand = update_billing(Some("PAY_PER_REQUEST"), None, "PROVISIONED")
            .expect("on demand")
            .expect("a change");
        assert_eq!(
            (on_demand.mode.as_str(), on_demand.read, on_demand.write),
            ("PAY_PER_REQUEST", 0, 0)
        );
        let provisioned = update_billing(Some("PROVISIONED"), Some(&pt(3, 4)), "PAY_PER_REQUEST")
            .expect("provisioned")
            .expect("a change");
        assert_eq!(
            (
                provisioned.mode.as_str(),
                provisioned.read,
                provisioned.write
            ),
            ("PROVISIONED", 3, 4)
        );
        let throughput_only = update_billing(None, Some(&pt(5, 6)), "PROVISIONED")
            .expect("throughput")
            .expect("a change");
        assert_eq!((throughput_only.read, throughput_only.write), (5, 6));
        assert!(update_billing(None, Some(&pt(5, 6)), "PAY_PER_REQUEST").is_err());
    }

    //= spec/control-plane.md#update-table-class
    //= type=test
    //# An UpdateTable whose `TableClass` is neither `STANDARD` nor `STANDARD_INFREQUENT_ACCESS` MUST fail with `ValidationException` and the message `Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS].`
    #[test]
    fn table_classes() {
        assert_eq!(table_class("STANDARD"), Ok("STANDARD"));
        assert_eq!(
            table_class("STANDARD_INFREQUENT_ACCESS"),
            Ok("STANDARD_INFREQUENT_ACCESS")
        );
        assert_eq!(
            table_class("standard").map_err(|e| e.message),
            Err("Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS].".to_owned())
        );
    }

    //= spec/control-plane.md#update-streams
    //= type=test
    //# An UpdateTable whose `StreamSpecification` has `StreamEnabled` false MUST fail with `ValidationException` and the message `Table has no stream to disable: TableName: <table name>`.
    //= spec/control-plane.md#update-streams
    //= type=test
    //# An UpdateTable whose `StreamSpecification` has `StreamEnabled` true MUST fail with `ValidationException` and the message `One or more parameter values were invalid: StreamSpecification cannot enable a stream: ddbsse does not implement DynamoDB Streams`.
    #[test]
    fn stream_changes_are_refused() {
        assert_eq!(
            stream_change(&json!({"StreamEnabled": false}), "tab").message,
            "Table has no stream to disable: TableName: tab"
        );
        assert_eq!(
            stream_change(
                &json!({"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"}),
                "tab"
            )
            .message,
            "One or more parameter values were invalid: StreamSpecification cannot enable a stream: ddbsse does not implement DynamoDB Streams"
        );
        assert_eq!(
            stream_change(&json!({}), "tab").message,
            "1 validation error detected: Value null at 'streamSpecification.streamEnabled' failed to satisfy constraint: Member must not be null"
        );
    }
}
