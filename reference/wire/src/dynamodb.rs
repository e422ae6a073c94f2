//! DynamoDB request and response shapes (awsJson1_0), as botocore's service model names them.
//!
//! Every input member is optional here so that a missing required member becomes DynamoDB's
//! `ValidationException` ("Value null at 'tableName' failed to satisfy constraint: Member must
//! not be null") from [`super::validate`], not a deserialisation error.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::attribute::{AttributeValue, Item};

/// Expression attribute names (`#n` to name).
pub type NameMap = BTreeMap<String, String>;
/// Expression attribute values (`:v` to value).
pub type ValueMap = BTreeMap<String, AttributeValue>;

/// `AttributeDefinition`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeDefinition {
    /// The attribute's name.
    pub attribute_name: String,
    /// `S`, `N` or `B`.
    pub attribute_type: String,
}

/// `KeySchemaElement`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeySchemaElement {
    /// The attribute's name.
    pub attribute_name: String,
    /// `HASH` or `RANGE`.
    pub key_type: String,
}

/// `ProvisionedThroughput` (input).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProvisionedThroughput {
    /// Read capacity units.
    pub read_capacity_units: Option<i64>,
    /// Write capacity units.
    pub write_capacity_units: Option<i64>,
}

/// `SSESpecification`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SseSpecification {
    /// `Enabled`.
    #[serde(rename = "Enabled", skip_serializing_if = "Option::is_none", default)]
    pub enabled: Option<bool>,
    /// `SSEType` (`AES256` or `KMS`), kept as a string so a bad value gets AWS's enum message.
    #[serde(rename = "SSEType", skip_serializing_if = "Option::is_none", default)]
    pub sse_type: Option<String>,
    /// `KMSMasterKeyId`: key id, key ARN, alias name or alias ARN.
    #[serde(
        rename = "KMSMasterKeyId",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub kms_master_key_id: Option<String>,
}

/// `CreateTable` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateTableInput {
    /// Table name.
    pub table_name: Option<String>,
    /// Attribute definitions.
    pub attribute_definitions: Option<Vec<AttributeDefinition>>,
    /// Key schema.
    pub key_schema: Option<Vec<KeySchemaElement>>,
    /// Provisioned throughput.
    pub provisioned_throughput: Option<ProvisionedThroughput>,
    /// `PROVISIONED` (default) or `PAY_PER_REQUEST`.
    pub billing_mode: Option<String>,
    /// Encryption at rest.
    #[serde(rename = "SSESpecification")]
    pub sse_specification: Option<SseSpecification>,
    /// Tags of the new table.
    pub tags: Option<Vec<super::dynamodb_control::Tag>>,
    /// Global secondary indexes.
    pub global_secondary_indexes: Option<Vec<super::dynamodb_control::GlobalSecondaryIndex>>,
    /// Local secondary indexes.
    pub local_secondary_indexes: Option<Vec<super::dynamodb_control::LocalSecondaryIndex>>,
    /// Streams (accepted, not interpreted).
    pub stream_specification: Option<Value>,
    /// Table class (accepted, not interpreted).
    pub table_class: Option<String>,
    /// Deletion protection.
    pub deletion_protection_enabled: Option<bool>,
}

/// Input naming one table (`DescribeTable`, `DeleteTable`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TableNameInput {
    /// Table name.
    pub table_name: Option<String>,
}

/// `UpdateTable` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateTableInput {
    /// Table name.
    pub table_name: Option<String>,
    /// New encryption settings.
    #[serde(rename = "SSESpecification")]
    pub sse_specification: Option<SseSpecification>,
    /// Attribute definitions (with index updates).
    pub attribute_definitions: Option<Vec<AttributeDefinition>>,
    /// Billing mode change.
    pub billing_mode: Option<String>,
    /// Throughput change.
    pub provisioned_throughput: Option<ProvisionedThroughput>,
    /// Index updates.
    pub global_secondary_index_updates:
        Option<Vec<super::dynamodb_control::GlobalSecondaryIndexUpdate>>,
    /// Streams (accepted, not interpreted).
    pub stream_specification: Option<Value>,
    /// Replicas (accepted, not interpreted).
    pub replica_updates: Option<Value>,
    /// Table class.
    pub table_class: Option<String>,
    /// Deletion protection.
    pub deletion_protection_enabled: Option<bool>,
}

/// `ListTables` input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTablesInput {
    /// Start after this name.
    pub exclusive_start_table_name: Option<String>,
    /// 1-100.
    pub limit: Option<i64>,
}

/// `ListTables` output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTablesOutput {
    /// Names, in order.
    pub table_names: Vec<String>,
    /// Set when more names follow.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_evaluated_table_name: Option<String>,
}

/// `PutItem` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutItemInput {
    /// Table name.
    pub table_name: Option<String>,
    /// The item.
    pub item: Option<Item>,
    /// `NONE` or `ALL_OLD`.
    pub return_values: Option<String>,
    /// A condition the existing item (or its absence) must meet.
    pub condition_expression: Option<String>,
    /// Names for the condition.
    pub expression_attribute_names: Option<NameMap>,
    /// Values for the condition.
    pub expression_attribute_values: Option<ValueMap>,
    /// `NONE` or `ALL_OLD`: whether a failed condition returns the item.
    pub return_values_on_condition_check_failure: Option<String>,
    /// Legacy conditions (refused: use `ConditionExpression`).
    pub expected: Option<Value>,
}

/// `GetItem` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetItemInput {
    /// Table name.
    pub table_name: Option<String>,
    /// The primary key.
    pub key: Option<Item>,
    /// Read consistency (no effect: ddbsse is strongly consistent).
    pub consistent_read: Option<bool>,
    /// Attributes to return.
    pub projection_expression: Option<String>,
    /// Names for the projection.
    pub expression_attribute_names: Option<NameMap>,
}

/// `DeleteItem` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteItemInput {
    /// Table name.
    pub table_name: Option<String>,
    /// The primary key.
    pub key: Option<Item>,
    /// `NONE` or `ALL_OLD`.
    pub return_values: Option<String>,
    /// A condition the existing item (or its absence) must meet.
    pub condition_expression: Option<String>,
    /// Names for the condition.
    pub expression_attribute_names: Option<NameMap>,
    /// Values for the condition.
    pub expression_attribute_values: Option<ValueMap>,
    /// `NONE` or `ALL_OLD`: whether a failed condition returns the item.
    pub return_values_on_condition_check_failure: Option<String>,
    /// Legacy conditions (refused: use `ConditionExpression`).
    pub expected: Option<Value>,
}

/// `UpdateItem` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateItemInput {
    /// Table name.
    pub table_name: Option<String>,
    /// The primary key.
    pub key: Option<Item>,
    /// The update (`SET`, `REMOVE`, `ADD`, `DELETE`).
    pub update_expression: Option<String>,
    /// A condition the existing item (or its absence) must meet.
    pub condition_expression: Option<String>,
    /// Names for the expressions.
    pub expression_attribute_names: Option<NameMap>,
    /// Values for the expressions.
    pub expression_attribute_values: Option<ValueMap>,
    /// `NONE`, `ALL_OLD`, `UPDATED_OLD`, `ALL_NEW` or `UPDATED_NEW`.
    pub return_values: Option<String>,
    /// `NONE` or `ALL_OLD`: whether a failed condition returns the item.
    pub return_values_on_condition_check_failure: Option<String>,
    /// Legacy updates (refused: use `UpdateExpression`).
    pub attribute_updates: Option<Value>,
    /// Legacy conditions (refused: use `ConditionExpression`).
    pub expected: Option<Value>,
    /// Capacity reporting (accepted, not reported).
    pub return_consumed_capacity: Option<String>,
    /// Collection metrics (accepted, not reported).
    pub return_item_collection_metrics: Option<String>,
}

/// One action of `TransactWriteItems`: exactly one of the four members.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransactWriteItem {
    /// A condition on an item that is not written.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub condition_check: Option<TransactAction>,
    /// A put.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub put: Option<TransactAction>,
    /// A delete.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub delete: Option<TransactAction>,
    /// An update.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub update: Option<TransactAction>,
}

/// The members of `ConditionCheck`, `Put`, `Delete` and `Update` (each uses its own subset).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransactAction {
    /// Table name.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub table_name: Option<String>,
    /// The key (ConditionCheck, Delete, Update).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub key: Option<Item>,
    /// The item (Put).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub item: Option<Item>,
    /// The update (Update).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub update_expression: Option<String>,
    /// The projection (TransactGetItems' Get).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub projection_expression: Option<String>,
    /// The condition (required for ConditionCheck).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub condition_expression: Option<String>,
    /// Names for the expressions.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub expression_attribute_names: Option<NameMap>,
    /// Values for the expressions.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub expression_attribute_values: Option<ValueMap>,
    /// `NONE` or `ALL_OLD`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub return_values_on_condition_check_failure: Option<String>,
}

/// `TransactWriteItems` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransactWriteItemsInput {
    /// The actions, 1 to 100.
    pub transact_items: Option<Vec<TransactWriteItem>>,
    /// Idempotency token (`spec/items.md#transact-token`, `crate::transact_token`).
    pub client_request_token: Option<String>,
    /// Capacity reporting (accepted, not reported).
    pub return_consumed_capacity: Option<String>,
    /// Collection metrics (accepted, not reported).
    pub return_item_collection_metrics: Option<String>,
}

/// `TransactWriteItems` output (no member is reported).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactWriteItemsOutput {}

/// One read of `TransactGetItems`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransactGetItem {
    /// The read.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub get: Option<TransactAction>,
}

/// `TransactGetItems` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransactGetItemsInput {
    /// The reads, 1 to 100.
    pub transact_items: Option<Vec<TransactGetItem>>,
    /// Capacity reporting (accepted, not reported).
    pub return_consumed_capacity: Option<String>,
}

/// One answer of `TransactGetItems`: the item, absent when there is none.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ItemResponse {
    /// The item.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub item: Option<Item>,
}

/// `TransactGetItems` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransactGetItemsOutput {
    /// One answer per read, in order.
    pub responses: Vec<ItemResponse>,
}

/// `PutItem` / `DeleteItem` / `UpdateItem` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WriteItemOutput {
    /// The old item when `ReturnValues` is `ALL_OLD` and one existed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub attributes: Option<Item>,
}

/// `GetItem` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetItemOutput {
    /// The item, absent when there is none.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub item: Option<Item>,
}

/// `Query` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueryInput {
    /// Table name.
    pub table_name: Option<String>,
    /// Condition on the key.
    pub key_condition_expression: Option<String>,
    /// Names used by the expressions.
    pub expression_attribute_names: Option<NameMap>,
    /// Values used by the expressions.
    pub expression_attribute_values: Option<ValueMap>,
    /// Attributes to return.
    pub projection_expression: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
    /// Continue after this key.
    pub exclusive_start_key: Option<Item>,
    /// Ascending (default) or descending sort-key order.
    pub scan_index_forward: Option<bool>,
    /// Read consistency (no effect).
    pub consistent_read: Option<bool>,
    /// `ALL_ATTRIBUTES` or `COUNT` (others rejected).
    pub select: Option<String>,
    /// A condition on the items read; those that fail it are not returned.
    pub filter_expression: Option<String>,
    /// Index queries are not supported (ValidationException).
    pub index_name: Option<String>,
}

/// `Scan` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScanInput {
    /// Table name.
    pub table_name: Option<String>,
    /// Names used by the projection.
    pub expression_attribute_names: Option<NameMap>,
    /// Attributes to return.
    pub projection_expression: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
    /// Continue after this key.
    pub exclusive_start_key: Option<Item>,
    /// Read consistency (no effect).
    pub consistent_read: Option<bool>,
    /// `ALL_ATTRIBUTES` or `COUNT`.
    pub select: Option<String>,
    /// A condition on the items read; those that fail it are not returned.
    pub filter_expression: Option<String>,
    /// Values used by the filter.
    pub expression_attribute_values: Option<ValueMap>,
    /// Parallel scan: this request's segment (zero-based).
    pub segment: Option<i64>,
    /// Parallel scan: how many segments.
    pub total_segments: Option<i64>,
    /// Scan this secondary index instead of the table.
    pub index_name: Option<String>,
}

/// `Query` / `Scan` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ItemsOutput {
    /// The items of this page (absent with `Select: COUNT`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub items: Option<Vec<Item>>,
    /// Items returned.
    pub count: i64,
    /// Items examined.
    pub scanned_count: i64,
    /// Where the next page starts.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_evaluated_key: Option<Item>,
}

/// One write of `BatchWriteItem`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WriteRequest {
    /// A put.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub put_request: Option<PutRequest>,
    /// A delete.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub delete_request: Option<DeleteRequest>,
}

/// `PutRequest`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRequest {
    /// The item.
    pub item: Item,
}

/// `DeleteRequest`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteRequest {
    /// The key.
    pub key: Item,
}

/// `BatchWriteItem` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchWriteItemInput {
    /// Table name to writes.
    pub request_items: Option<BTreeMap<String, Vec<WriteRequest>>>,
}

/// `BatchWriteItem` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchWriteItemOutput {
    /// Always empty here: every write is processed or the call fails.
    pub unprocessed_items: BTreeMap<String, Vec<WriteRequest>>,
}

/// Keys of one table in `BatchGetItem`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeysAndAttributes {
    /// The keys.
    pub keys: Vec<Item>,
    /// Attributes to return.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub projection_expression: Option<String>,
    /// Names used by the projection.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub expression_attribute_names: Option<NameMap>,
    /// Read consistency (no effect).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub consistent_read: Option<bool>,
}

/// `BatchGetItem` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchGetItemInput {
    /// Table name to keys.
    pub request_items: Option<BTreeMap<String, KeysAndAttributes>>,
}

/// `BatchGetItem` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchGetItemOutput {
    /// Table name to the items found.
    pub responses: BTreeMap<String, Vec<Item>>,
    /// Always empty here.
    pub unprocessed_keys: BTreeMap<String, KeysAndAttributes>,
}

/// `ProvisionedThroughputDescription`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProvisionedThroughputDescription {
    /// Decreases today.
    pub number_of_decreases_today: i64,
    /// Read capacity units (0 on demand).
    pub read_capacity_units: i64,
    /// Write capacity units (0 on demand).
    pub write_capacity_units: i64,
}

/// `BillingModeSummary`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BillingModeSummary {
    /// `PROVISIONED` or `PAY_PER_REQUEST`.
    pub billing_mode: String,
    /// When `PAY_PER_REQUEST` was last set; omitted (not `null`) when absent.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_update_to_pay_per_request_date_time: Option<f64>,
}

/// `TableClassSummary`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TableClassSummary {
    /// `STANDARD` or `STANDARD_INFREQUENT_ACCESS`.
    pub table_class: String,
    /// When the class was last set by UpdateTable (epoch seconds); omitted when absent.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_update_date_time: Option<f64>,
}

/// `SSEDescription`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SseDescription {
    /// `ENABLED` or `UPDATING`.
    #[serde(rename = "Status", skip_serializing_if = "Option::is_none", default)]
    pub status: Option<String>,
    /// `KMS`.
    #[serde(rename = "SSEType", skip_serializing_if = "Option::is_none", default)]
    pub sse_type: Option<String>,
    /// The key ARN.
    #[serde(
        rename = "KMSMasterKeyArn",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub kms_master_key_arn: Option<String>,
    /// When DynamoDB detected the key was inaccessible (epoch seconds).
    #[serde(
        rename = "InaccessibleEncryptionDateTime",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub inaccessible_encryption_date_time: Option<f64>,
}

/// `ArchivalSummary`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ArchivalSummary {
    /// When archival started (epoch seconds).
    pub archival_date_time: f64,
    /// `INACCESSIBLE_ENCRYPTION_CREDENTIALS`.
    pub archival_reason: String,
    /// The backup made at archival.
    pub archival_backup_arn: String,
}

/// `TableDescription`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TableDescription {
    /// Attribute definitions.
    pub attribute_definitions: Vec<AttributeDefinition>,
    /// Table name.
    pub table_name: String,
    /// Key schema.
    pub key_schema: Vec<KeySchemaElement>,
    /// Status.
    pub table_status: String,
    /// When the table was created (epoch seconds).
    pub creation_date_time: f64,
    /// Throughput.
    pub provisioned_throughput: ProvisionedThroughputDescription,
    /// Size in bytes.
    pub table_size_bytes: i64,
    /// Items.
    pub item_count: i64,
    /// ARN.
    pub table_arn: String,
    /// A UUID.
    pub table_id: String,
    /// Present for tables that are or have been on demand.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub billing_mode_summary: Option<BillingModeSummary>,
    /// Present once UpdateTable set a table class.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub table_class_summary: Option<TableClassSummary>,
    /// Local secondary indexes, when the table has any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub local_secondary_indexes:
        Option<Vec<super::dynamodb_control::LocalSecondaryIndexDescription>>,
    /// Global secondary indexes, when the table has any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub global_secondary_indexes:
        Option<Vec<super::dynamodb_control::GlobalSecondaryIndexDescription>>,
    /// Present for KMS tables only.
    #[serde(
        rename = "SSEDescription",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub sse_description: Option<SseDescription>,
    /// Present once archived.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub archival_summary: Option<ArchivalSummary>,
    /// Deletion protection.
    pub deletion_protection_enabled: bool,
}

/// Output carrying `TableDescription` (`CreateTable`, `UpdateTable`, `DeleteTable`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TableDescriptionOutput {
    /// The table.
    pub table_description: TableDescription,
}

/// `DescribeTable` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeTableOutput {
    /// The table.
    pub table: TableDescription,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn billing_mode_summary_omits_an_absent_date_instead_of_null() {
        let absent = BillingModeSummary {
            billing_mode: "PROVISIONED".to_owned(),
            last_update_to_pay_per_request_date_time: None,
        };
        assert_eq!(
            serde_json::to_value(&absent).unwrap(),
            serde_json::json!({"BillingMode": "PROVISIONED"})
        );
        let present = BillingModeSummary {
            billing_mode: "PAY_PER_REQUEST".to_owned(),
            last_update_to_pay_per_request_date_time: Some(1552262400.0),
        };
        assert_eq!(
            serde_json::to_value(&present).unwrap(),
            serde_json::json!({"BillingMode": "PAY_PER_REQUEST", "LastUpdateToPayPerRequestDateTime": 1552262400.0})
        );
        let read: BillingModeSummary =
            serde_json::from_value(serde_json::json!({"BillingMode": "PROVISIONED"})).unwrap();
        assert_eq!(read, absent);
    }
}
