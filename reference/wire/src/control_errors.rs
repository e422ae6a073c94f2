//! The errors and fixed numbers of the DynamoDB control plane beyond the table (indexes, time to
//! live, tags, continuous backups, limits), built in one place for the model and the endpoint
//! (`spec/control-plane.md`).
//!
//! Does: build each refusal's `ApiError` (code and text) and name each number the spec fixes.
//! Does not: decide when a refusal applies; the model and the endpoint implement that
//! separately.

use crate::dynamodb_errors::invalid_parameter;
use crate::error::{ApiError, ErrorCode};
use crate::time::{HOUR, MINUTE, SECOND};

/// How long a global index added by UpdateTable stays `CREATING` (`spec/control-plane.md#index-status`).
pub const INDEX_CREATING_MS: u64 = 5 * SECOND;
/// How long a deleted global index stays `DELETING` before it is gone (`spec/control-plane.md#index-status`).
pub const INDEX_DELETING_MS: u64 = 5 * SECOND;
/// After an accepted UpdateTimeToLive, a further one within this time is refused
/// (`spec/control-plane.md#ttl-update`).
pub const TTL_UPDATE_INTERVAL_MS: u64 = HOUR;
/// How long after its expiry time an item is deleted (`spec/control-plane.md#ttl-expiry`).
pub const TTL_DELETION_DELAY_MS: u64 = 24 * HOUR;
/// How far `LatestRestorableDateTime` trails `now` (`spec/control-plane.md#pitr`).
pub const PITR_LATEST_LAG_MS: u64 = 5 * MINUTE;
/// The default and largest `RecoveryPeriodInDays` (`spec/control-plane.md#pitr`).
pub const PITR_MAX_RECOVERY_DAYS: i64 = 35;
/// At most this many tags on one table (`spec/control-plane.md#tags`).
pub const MAX_TAGS: usize = 50;
/// `DescribeLimits`: account maximum read and write capacity units (`spec/control-plane.md#limits`).
pub const ACCOUNT_MAX_CAPACITY_UNITS: i64 = 80_000;
/// `DescribeLimits`: table maximum read and write capacity units (`spec/control-plane.md#limits`).
pub const TABLE_MAX_CAPACITY_UNITS: i64 = 40_000;

/// `ResourceNotFoundException` of a tag operation naming no existing table (AWS's own spelling,
/// `ResourcArn`, observed).
pub fn tag_resource_not_found(arn: &str) -> ApiError {
    ApiError::new(
        ErrorCode::ResourceNotFound,
        format!("Requested resource not found: ResourcArn: {arn} not found"),
    )
}

/// `ValidationException` of a tag operation whose ARN is not a table ARN of this account and
/// region (text decided here).
pub fn invalid_table_arn(arn: &str) -> ApiError {
    ApiError::validation(format!("Invalid TableArn: {arn}"))
}

/// A tag operation that would leave more than [`MAX_TAGS`] tags on the table.
pub fn too_many_tags() -> ApiError {
    invalid_parameter(&format!(
        "The number of tags on the resource would exceed the limit of {MAX_TAGS}"
    ))
}

/// A tag key starting with the reserved prefix `aws:`.
pub fn reserved_tag_key(key: &str) -> ApiError {
    invalid_parameter(&format!(
        "Tag keys starting with 'aws:' are reserved for system use: {key}"
    ))
}

/// `TableNotFoundException` of DescribeContinuousBackups and UpdateContinuousBackups (observed).
pub fn continuous_backups_table_not_found(name: &str) -> ApiError {
    ApiError::new(ErrorCode::TableNotFound, format!("Table not found: {name}"))
}

/// UpdateTimeToLive enabling TTL that is already enabled on the same attribute.
pub fn ttl_already_enabled() -> ApiError {
    ApiError::validation("TimeToLive is already enabled")
}

/// UpdateTimeToLive disabling TTL that is not enabled.
pub fn ttl_already_disabled() -> ApiError {
    ApiError::validation("TimeToLive is already disabled")
}

/// UpdateTimeToLive enabling TTL on another attribute while it is enabled.
pub fn ttl_other_attribute(current: &str) -> ApiError {
    ApiError::validation(format!(
        "TimeToLive is active on a different AttributeName: current AttributeName is {current}"
    ))
}

/// UpdateTimeToLive within [`TTL_UPDATE_INTERVAL_MS`] of the last accepted one.
pub fn ttl_modified_too_often() -> ApiError {
    ApiError::validation("Time to live has been modified multiple times within a fixed interval")
}

/// An UpdateTable whose index update names an index the table does not have.
pub fn index_not_found(table: &str, index: &str) -> ApiError {
    ApiError::new(
        ErrorCode::ResourceNotFound,
        format!("Requested resource not found: Table: {table} Index: {index} not found"),
    )
}

/// An UpdateTable creating an index whose name the table already uses.
pub fn index_exists(index: &str) -> ApiError {
    invalid_parameter(&format!(
        "Attempting to create an index which already exists: {index}"
    ))
}

/// An UpdateTable with more than one index creation or deletion, or one while another index is
/// being created or deleted.
pub fn one_index_change_at_a_time(table: &str) -> ApiError {
    ApiError::new(
        ErrorCode::LimitExceeded,
        format!(
            "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table: {table}"
        ),
    )
}

/// An index update that holds not exactly one of `Create`, `Update` and `Delete`.
pub fn index_update_shape() -> ApiError {
    invalid_parameter(
        "One of GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Update or GlobalSecondaryIndexUpdate.Delete must be specified",
    )
}
