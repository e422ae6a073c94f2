//! The CloudTrail record shape (`spec/trail.md`) and its LookupEvents view.
//!
//! This module says what a record looks like on the wire and in the S3 delivery files, and how
//! LookupEvents presents and filters one. It does not decide which call emits which record: that
//! is behaviour, owned separately by the model and by each target.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::time::Timestamp;

/// The `eventVersion` every record carries (the CloudTrail user guide's current version).
pub const EVENT_VERSION: &str = "1.11";
/// `invokedBy`, `sourceIPAddress` and `userAgent` of events KMS itself causes (key deletion).
pub const AWS_INTERNAL: &str = "AWS Internal";
/// `eventType` of a record of an API call.
pub const AWS_API_CALL: &str = "AwsApiCall";
/// `eventType` of a record of an event a service caused on its own (key deletion).
pub const AWS_SERVICE_EVENT: &str = "AwsServiceEvent";
/// `invokedBy`, `sourceIPAddress` and `userAgent` of the calls DynamoDB makes to KMS.
pub const DYNAMODB_SERVICE: &str = "dynamodb.amazonaws.com";
/// `eventSource` of KMS records.
pub const KMS_EVENT_SOURCE: &str = "kms.amazonaws.com";
/// `eventSource` of DynamoDB records.
pub const DYNAMODB_EVENT_SOURCE: &str = "dynamodb.amazonaws.com";

/// Top-level fields every record has (CloudTrail marks them "Optional: False" since 1.0); a
/// reader may refuse a record without one of them. [`TrailRecord`] always has them.
pub const REQUIRED_FIELDS: [&str; 7] = [
    "eventVersion",
    "userIdentity",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
];

/// One CloudTrail record. Field order follows AWS's documented examples.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrailRecord {
    /// Always [`EVENT_VERSION`].
    pub event_version: String,
    /// Who made the call.
    pub user_identity: UserIdentity,
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub event_time: String,
    /// `kms.amazonaws.com` or `dynamodb.amazonaws.com`.
    pub event_source: String,
    /// The API action.
    pub event_name: String,
    /// The region of the target.
    pub aws_region: String,
    /// The caller's address, or `dynamodb.amazonaws.com` for calls DynamoDB made.
    #[serde(rename = "sourceIPAddress")]
    pub source_ip_address: String,
    /// The caller's User-Agent, or `dynamodb.amazonaws.com`.
    pub user_agent: String,
    /// Present on failed calls.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error_code: Option<String>,
    /// Present on failed calls.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error_message: Option<String>,
    /// The request's parameters (never plaintext, ciphertext or key material); `null` when none.
    pub request_parameters: Value,
    /// The response's elements; `null` for KMS cryptographic operations.
    pub response_elements: Value,
    /// Extra data (for example RetireGrant's grant id).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub additional_event_data: Option<Value>,
    /// The request id the target returned; empty (and not written) on service events, which
    /// answer no request.
    #[serde(
        rename = "requestID",
        skip_serializing_if = "String::is_empty",
        default
    )]
    pub request_id: String,
    /// Unique per record.
    #[serde(rename = "eventID")]
    pub event_id: String,
    /// Whether the operation only reads.
    pub read_only: bool,
    /// The resources the call touched (KMS key ARNs, table ARNs); written as `[]` when none.
    #[serde(default)]
    pub resources: Vec<TrailResource>,
    /// [`AWS_API_CALL`] or [`AWS_SERVICE_EVENT`].
    pub event_type: String,
    /// DynamoDB's API version on DynamoDB records.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub api_version: Option<String>,
    /// Always true: every record here is a management event.
    pub management_event: bool,
    /// The account.
    pub recipient_account_id: String,
    /// Present on records of calls made by an AWS service account.
    #[serde(
        rename = "sharedEventID",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub shared_event_id: Option<String>,
    /// `Management`.
    pub event_category: String,
}

/// `userIdentity` of a record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserIdentity {
    /// `IAMUser` or `AWSService`; empty (and not written) for KMS's own events.
    #[serde(rename = "type", skip_serializing_if = "String::is_empty", default)]
    pub kind: String,
    /// The principal id.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub principal_id: Option<String>,
    /// The principal's ARN.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub arn: Option<String>,
    /// The principal's account.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub account_id: Option<String>,
    /// The access key id the request was signed with.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub access_key_id: Option<String>,
    /// The IAM user name.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub user_name: Option<String>,
    /// Temporary credentials' session (`attributes`, `sessionIssuer`), for assumed roles.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub session_context: Option<Value>,
    /// The AWS service that made the call on the principal's behalf.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub invoked_by: Option<String>,
}

impl UserIdentity {
    /// The identity of a caller known by its access key id (`docs/design.md`, "Caller").
    pub fn principal(account: &str, access_key_id: &str) -> Self {
        Self {
            kind: "IAMUser".to_owned(),
            principal_id: Some(access_key_id.to_owned()),
            arn: Some(crate::arn::iam_user(account, access_key_id)),
            account_id: Some(account.to_owned()),
            access_key_id: Some(access_key_id.to_owned()),
            user_name: Some(access_key_id.to_owned()),
            session_context: None,
            invoked_by: None,
        }
    }

    /// The identity of a caller whose IAM identity STS named (against AWS): its type, ARN, user id
    /// as `principalId`, account, access key id and, for an IAM user, its name. An assumed
    /// role's `sessionContext` (which holds the session's creation date) is not known in advance
    /// and is left out.
    pub fn known(identity: &crate::caller::KnownIdentity, access_key_id: &str) -> Self {
        Self {
            kind: identity.identity_type().to_owned(),
            principal_id: Some(identity.user_id.clone()),
            arn: Some(identity.arn.clone()),
            account_id: Some(identity.account.clone()),
            access_key_id: Some(access_key_id.to_owned()),
            user_name: identity.user_name().map(str::to_owned),
            session_context: None,
            invoked_by: None,
        }
    }

    /// The same principal, with the call made by DynamoDB on its behalf.
    pub fn principal_via_dynamodb(account: &str, access_key_id: &str) -> Self {
        Self {
            invoked_by: Some(DYNAMODB_SERVICE.to_owned()),
            ..Self::principal(account, access_key_id)
        }
    }

    /// KMS itself, for the events it causes on its own (`{"accountId", "invokedBy": "AWS Internal"}`,
    /// the key deletion record).
    pub fn aws_internal(account: &str) -> Self {
        Self {
            account_id: Some(account.to_owned()),
            invoked_by: Some(AWS_INTERNAL.to_owned()),
            ..Self::default()
        }
    }

    /// DynamoDB's service account (GenerateDataKey of a table key).
    pub fn dynamodb_service() -> Self {
        Self {
            kind: "AWSService".to_owned(),
            invoked_by: Some(DYNAMODB_SERVICE.to_owned()),
            ..Self::default()
        }
    }
}

/// One entry of `resources`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailResource {
    /// The resource ARN.
    #[serde(rename = "ARN")]
    pub arn: String,
    /// The account.
    #[serde(rename = "accountId")]
    pub account_id: String,
    /// `AWS::KMS::Key` or `AWS::DynamoDB::Table`.
    #[serde(rename = "type")]
    pub kind: String,
}

impl TrailRecord {
    /// The record's time, parsed back from `eventTime`.
    pub fn time(&self) -> Option<Timestamp> {
        Timestamp::parse_event_time(&self.event_time)
    }

    /// The `Username` LookupEvents shows: the IAM user name, else the invoking service.
    pub fn username(&self) -> Option<&str> {
        self.user_identity
            .user_name
            .as_deref()
            .or(self.user_identity.invoked_by.as_deref())
    }

    /// Whether this record matches one LookupEvents attribute (`spec/trail.md`).
    pub fn matches(&self, key: LookupAttributeKey, value: &str) -> bool {
        match key {
            LookupAttributeKey::EventId => self.event_id == value,
            LookupAttributeKey::EventName => self.event_name == value,
            LookupAttributeKey::ReadOnly => self.read_only.to_string() == value,
            LookupAttributeKey::Username => self.username() == Some(value),
            LookupAttributeKey::ResourceType => self.resources.iter().any(|r| r.kind == value),
            LookupAttributeKey::ResourceName => self.resources.iter().any(|r| r.arn == value),
            LookupAttributeKey::EventSource => self.event_source == value,
            LookupAttributeKey::AccessKeyId => {
                self.user_identity.access_key_id.as_deref() == Some(value)
            }
        }
    }

    /// The LookupEvents `Event` for this record (`CloudTrailEvent` is the record as a JSON string).
    pub fn lookup_event(&self) -> crate::cloudtrail::Event {
        crate::cloudtrail::Event {
            event_id: self.event_id.clone(),
            event_name: self.event_name.clone(),
            read_only: self.read_only.to_string(),
            access_key_id: self.user_identity.access_key_id.clone(),
            event_time: self
                .time()
                .map(Timestamp::epoch_seconds)
                .unwrap_or_default(),
            event_source: self.event_source.clone(),
            username: self.username().map(str::to_owned),
            resources: self
                .resources
                .iter()
                .map(|r| crate::cloudtrail::EventResource {
                    resource_type: r.kind.clone(),
                    resource_name: r.arn.clone(),
                })
                .collect(),
            cloud_trail_event: serde_json::to_string(self).unwrap_or_default(),
        }
    }
}

/// `LookupAttributeKey` of LookupEvents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LookupAttributeKey {
    /// `EventId`.
    EventId,
    /// `EventName`.
    EventName,
    /// `ReadOnly` (`"true"` / `"false"`).
    ReadOnly,
    /// `Username`.
    Username,
    /// `ResourceType`.
    ResourceType,
    /// `ResourceName`.
    ResourceName,
    /// `EventSource`.
    EventSource,
    /// `AccessKeyId`.
    AccessKeyId,
}

impl LookupAttributeKey {
    /// Every key, in the order of the API's enum.
    pub const ALL: [Self; 8] = [
        Self::EventId,
        Self::EventName,
        Self::ReadOnly,
        Self::Username,
        Self::ResourceType,
        Self::ResourceName,
        Self::EventSource,
        Self::AccessKeyId,
    ];

    /// The key's name on the wire (`EventName`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::EventId => "EventId",
            Self::EventName => "EventName",
            Self::ReadOnly => "ReadOnly",
            Self::Username => "Username",
            Self::ResourceType => "ResourceType",
            Self::ResourceName => "ResourceName",
            Self::EventSource => "EventSource",
            Self::AccessKeyId => "AccessKeyId",
        }
    }

    /// The key of a wire name, exactly (case-sensitive); `None` outside the enum.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}
