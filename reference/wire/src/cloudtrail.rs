//! CloudTrail `LookupEvents` shapes (awsJson1_1).

use serde::{Deserialize, Serialize};

/// One `LookupAttribute`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LookupAttribute {
    /// `EventId`, `EventName`, `ReadOnly`, `Username`, `ResourceType`, `ResourceName`,
    /// `EventSource` or `AccessKeyId`.
    pub attribute_key: Option<String>,
    /// 1-2000 characters.
    pub attribute_value: Option<String>,
}

/// `LookupEvents` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LookupEventsInput {
    /// At most one attribute.
    pub lookup_attributes: Option<Vec<LookupAttribute>>,
    /// Inclusive start (epoch seconds).
    pub start_time: Option<f64>,
    /// Inclusive end (epoch seconds).
    pub end_time: Option<f64>,
    /// Only `insight` (not supported: management events only).
    pub event_category: Option<String>,
    /// 1-50, default 50.
    pub max_results: Option<i64>,
    /// From a previous response.
    pub next_token: Option<String>,
}

/// `Resource` of an `Event`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventResource {
    /// `AWS::KMS::Key`.
    pub resource_type: String,
    /// The ARN.
    pub resource_name: String,
}

/// `Event`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Event {
    /// Event id.
    pub event_id: String,
    /// Event name.
    pub event_name: String,
    /// `"true"` or `"false"`.
    pub read_only: String,
    /// Access key id, when a principal signed the call.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub access_key_id: Option<String>,
    /// Epoch seconds.
    pub event_time: f64,
    /// Event source.
    pub event_source: String,
    /// User name.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub username: Option<String>,
    /// Resources.
    pub resources: Vec<EventResource>,
    /// The full record as a JSON string.
    pub cloud_trail_event: String,
}

/// `LookupEvents` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LookupEventsOutput {
    /// Newest first.
    pub events: Vec<Event>,
    /// Set when more events follow.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub next_token: Option<String>,
}
