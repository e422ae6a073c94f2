//! DynamoDB control-plane shapes beyond the table itself (awsJson1_0, botocore's member names):
//! secondary indexes, time to live, tags, continuous backups and account limits
//! (`spec/control-plane.md`).
//!
//! Does: the request and response shapes, with every input member optional so that a missing
//! required member becomes DynamoDB's `ValidationException` from the validation, not a
//! deserialisation error. Does not: validate values ([`super::validate_indexes`] and the
//! implementations do) or hold any state.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::dynamodb::{KeySchemaElement, ProvisionedThroughput, ProvisionedThroughputDescription};

/// `Projection`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Projection {
    /// `ALL`, `KEYS_ONLY` or `INCLUDE` (kept as a string so a bad value gets AWS's enum text).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub projection_type: Option<String>,
    /// The attributes `INCLUDE` projects.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub non_key_attributes: Option<Vec<String>>,
}

/// `GlobalSecondaryIndex` (CreateTable) and `CreateGlobalSecondaryIndexAction` (UpdateTable):
/// the two shapes have the same members.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GlobalSecondaryIndex {
    /// 3-255 of `[a-zA-Z0-9_.-]`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub index_name: Option<String>,
    /// The index's key schema.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub key_schema: Option<Vec<KeySchemaElement>>,
    /// What the index holds besides the keys.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub projection: Option<Projection>,
    /// Required under `PROVISIONED` billing, refused under `PAY_PER_REQUEST`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub provisioned_throughput: Option<ProvisionedThroughput>,
    /// Accepted, not interpreted.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub on_demand_throughput: Option<Value>,
    /// Accepted, not interpreted.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub warm_throughput: Option<Value>,
}

/// `LocalSecondaryIndex`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LocalSecondaryIndex {
    /// 3-255 of `[a-zA-Z0-9_.-]`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub index_name: Option<String>,
    /// The index's key schema: the table's partition key and another sort key.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub key_schema: Option<Vec<KeySchemaElement>>,
    /// What the index holds besides the keys.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub projection: Option<Projection>,
}

/// `DeleteGlobalSecondaryIndexAction`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteGlobalSecondaryIndexAction {
    /// The index.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub index_name: Option<String>,
}

/// `UpdateGlobalSecondaryIndexAction`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateGlobalSecondaryIndexAction {
    /// The index.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub index_name: Option<String>,
    /// New throughput.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub provisioned_throughput: Option<ProvisionedThroughput>,
    /// Accepted, not interpreted.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub on_demand_throughput: Option<Value>,
    /// Accepted, not interpreted.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub warm_throughput: Option<Value>,
}

/// `GlobalSecondaryIndexUpdate`: exactly one of the three actions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GlobalSecondaryIndexUpdate {
    /// Change an index's throughput.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub update: Option<UpdateGlobalSecondaryIndexAction>,
    /// Create an index.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub create: Option<GlobalSecondaryIndex>,
    /// Delete an index.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub delete: Option<DeleteGlobalSecondaryIndexAction>,
}

/// `GlobalSecondaryIndexDescription`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GlobalSecondaryIndexDescription {
    /// The index.
    pub index_name: String,
    /// Its key schema, as sent.
    pub key_schema: Vec<KeySchemaElement>,
    /// Its projection, as sent.
    pub projection: Projection,
    /// `CREATING`, `UPDATING`, `DELETING` or `ACTIVE`.
    pub index_status: String,
    /// Present (`true`) while the index is `CREATING`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub backfilling: Option<bool>,
    /// Throughput (zeros under on-demand billing).
    pub provisioned_throughput: ProvisionedThroughputDescription,
    /// Size in bytes.
    pub index_size_bytes: i64,
    /// Items.
    pub item_count: i64,
    /// `<table ARN>/index/<index name>`.
    pub index_arn: String,
}

/// `LocalSecondaryIndexDescription`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LocalSecondaryIndexDescription {
    /// The index.
    pub index_name: String,
    /// Its key schema, as sent.
    pub key_schema: Vec<KeySchemaElement>,
    /// Its projection, as sent.
    pub projection: Projection,
    /// Size in bytes.
    pub index_size_bytes: i64,
    /// Items.
    pub item_count: i64,
    /// `<table ARN>/index/<index name>`.
    pub index_arn: String,
}

/// `TimeToLiveSpecification`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TimeToLiveSpecification {
    /// Enable or disable.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub enabled: Option<bool>,
    /// The attribute holding the expiry time (epoch seconds, a Number).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub attribute_name: Option<String>,
}

/// `UpdateTimeToLive` input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateTimeToLiveInput {
    /// Table name.
    pub table_name: Option<String>,
    /// The change.
    pub time_to_live_specification: Option<TimeToLiveSpecification>,
}

/// `UpdateTimeToLive` output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateTimeToLiveOutput {
    /// The specification as accepted.
    pub time_to_live_specification: TimeToLiveSpecification,
}

/// `TimeToLiveDescription`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TimeToLiveDescription {
    /// `ENABLING`, `DISABLING`, `ENABLED` or `DISABLED`.
    pub time_to_live_status: String,
    /// The attribute, absent when TTL was never enabled.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub attribute_name: Option<String>,
}

/// `DescribeTimeToLive` output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeTimeToLiveOutput {
    /// The table's TTL setting.
    pub time_to_live_description: TimeToLiveDescription,
}

/// `Tag`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// 1-128 characters.
    #[serde(default)]
    pub key: Option<String>,
    /// 0-256 characters.
    #[serde(default)]
    pub value: Option<String>,
}

/// `TagResource` input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagResourceInput {
    /// The table ARN.
    pub resource_arn: Option<String>,
    /// Tags to add or overwrite.
    pub tags: Option<Vec<Tag>>,
}

/// `UntagResource` input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UntagResourceInput {
    /// The table ARN.
    pub resource_arn: Option<String>,
    /// Keys to remove.
    pub tag_keys: Option<Vec<String>>,
}

/// `ListTagsOfResource` input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsOfResourceInput {
    /// The table ARN.
    pub resource_arn: Option<String>,
    /// Where the previous page ended.
    pub next_token: Option<String>,
}

/// `ListTagsOfResource` output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsOfResourceOutput {
    /// The tags, by key.
    pub tags: Vec<Tag>,
    /// Present when more tags follow.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub next_token: Option<String>,
}

/// `PointInTimeRecoverySpecification`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PointInTimeRecoverySpecification {
    /// Enable or disable.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub point_in_time_recovery_enabled: Option<bool>,
    /// 1-35 days.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub recovery_period_in_days: Option<i64>,
}

/// `UpdateContinuousBackups` input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateContinuousBackupsInput {
    /// Table name.
    pub table_name: Option<String>,
    /// The change.
    pub point_in_time_recovery_specification: Option<PointInTimeRecoverySpecification>,
}

/// `PointInTimeRecoveryDescription`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PointInTimeRecoveryDescription {
    /// `ENABLED` or `DISABLED`.
    pub point_in_time_recovery_status: String,
    /// Present while enabled.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub recovery_period_in_days: Option<i64>,
    /// Present while enabled (epoch seconds).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub earliest_restorable_date_time: Option<f64>,
    /// Present while enabled (epoch seconds).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub latest_restorable_date_time: Option<f64>,
}

/// `ContinuousBackupsDescription`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContinuousBackupsDescription {
    /// `ENABLED` for every table.
    pub continuous_backups_status: String,
    /// Point-in-time recovery.
    pub point_in_time_recovery_description: PointInTimeRecoveryDescription,
}

/// `DescribeContinuousBackups` / `UpdateContinuousBackups` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContinuousBackupsOutput {
    /// The table's continuous backups.
    pub continuous_backups_description: ContinuousBackupsDescription,
}

/// `DescribeLimits` output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeLimitsOutput {
    /// Read capacity units the account may provision in the region.
    pub account_max_read_capacity_units: i64,
    /// Write capacity units the account may provision in the region.
    pub account_max_write_capacity_units: i64,
    /// Read capacity units one table (or GSI) may have.
    pub table_max_read_capacity_units: i64,
    /// Write capacity units one table (or GSI) may have.
    pub table_max_write_capacity_units: i64,
}
