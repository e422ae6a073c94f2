//! Operations, the `X-Amz-Target` header that names them, and typed requests and responses.
//!
//! [`Request::parse`] turns a target header and a JSON body into a typed request, or into the
//! error AWS returns for an unknown target (`UnknownOperationException`) or a body that is not
//! the operation's JSON shape (`SerializationException`). It checks shapes only; the meaning of
//! the values is checked by [`super::validate`] and by whoever handles the request.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::cloudtrail::*;
use super::dynamodb::*;
use super::dynamodb_control::{
    ContinuousBackupsOutput, DescribeLimitsOutput, DescribeTimeToLiveOutput,
    ListTagsOfResourceInput, ListTagsOfResourceOutput, UpdateContinuousBackupsInput,
    UpdateTimeToLiveInput, UpdateTimeToLiveOutput,
};
use super::error::{ApiError, ErrorCode, Service};
use super::kms::*;

/// The wire name of an operation: its variant's name, or the literal given after it (for a KMS
/// operation whose name a DynamoDB operation also has, such as `TagResource`).
macro_rules! wire_name {
    ($op:ident) => {
        stringify!($op)
    };
    ($op:ident, $wire:literal) => {
        $wire
    };
}

macro_rules! operations {
    ($( $op:ident $( ( $wire:literal ) )? => $svc:ident, $input:ty, $output:ty; )*) => {
        /// Every operation ddbsse serves.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Operation { $( #[allow(missing_docs)] $op, )* }

        impl Operation {
            /// Every operation, in declaration order.
            pub const ALL: &'static [Operation] = &[ $( Operation::$op, )* ];

            /// The operation's name as it appears after the target prefix.
            pub fn name(self) -> &'static str {
                match self { $( Operation::$op => wire_name!($op $(, $wire)?), )* }
            }

            /// Whether the operation only reads: `readOnly` of its CloudTrail record
            /// (`spec/trail.md#record`).
            pub fn read_only(self) -> bool {
                matches!(
                    self,
                    Operation::DescribeKey
                        | Operation::ListKeys
                        | Operation::ListAliases
                        | Operation::ListGrants
                        | Operation::Encrypt
                        | Operation::Decrypt
                        | Operation::GenerateDataKey
                        | Operation::GetKeyPolicy
                        | Operation::GetKeyRotationStatus
                        | Operation::ListResourceTags
                        | Operation::ListRetirableGrants
                        | Operation::GenerateDataKeyWithoutPlaintext
                        | Operation::ReEncrypt
                        | Operation::DescribeTable
                        | Operation::ListTables
                        | Operation::DescribeTimeToLive
                        | Operation::ListTagsOfResource
                        | Operation::DescribeContinuousBackups
                        | Operation::DescribeLimits
                )
            }

            /// Whether the operation belongs to DynamoDB's control plane, whose requests are
            /// management events in the trail (`spec/trail.md#recorded`).
            pub fn control_plane(self) -> bool {
                matches!(
                    self,
                    Operation::CreateTable
                        | Operation::DescribeTable
                        | Operation::UpdateTable
                        | Operation::DeleteTable
                        | Operation::ListTables
                        | Operation::UpdateTimeToLive
                        | Operation::DescribeTimeToLive
                        | Operation::TagResource
                        | Operation::UntagResource
                        | Operation::ListTagsOfResource
                        | Operation::DescribeContinuousBackups
                        | Operation::UpdateContinuousBackups
                        | Operation::DescribeLimits
                )
            }

            /// The operation of this name (`CreateTable`, `Decrypt`, ...), as a CloudTrail
            /// record's `eventName` spells it; the first declared when two services share the
            /// name (use [`Operation::from_service_name`] then).
            pub fn from_name(name: &str) -> Option<Operation> {
                Operation::ALL.iter().copied().find(|op| op.name() == name)
            }

            /// The operation of this name in `service`.
            pub fn from_service_name(service: Service, name: &str) -> Option<Operation> {
                Operation::ALL
                    .iter()
                    .copied()
                    .find(|op| op.service() == service && op.name() == name)
            }

            /// The service the operation belongs to.
            pub fn service(self) -> Service {
                match self { $( Operation::$op => Service::$svc, )* }
            }
        }

        /// A typed request.
        #[derive(Clone, Debug, PartialEq, Serialize)]
        #[serde(untagged)]
        pub enum Request { $( #[allow(missing_docs)] $op($input), )* }

        /// A typed successful response.
        #[derive(Clone, Debug, PartialEq, Serialize)]
        #[serde(untagged)]
        pub enum Response { $( #[allow(missing_docs)] $op($output), )* }

        impl Request {
            /// The operation.
            pub fn operation(&self) -> Operation {
                match self { $( Request::$op(_) => Operation::$op, )* }
            }

            fn parse_as(op: Operation, body: &[u8]) -> Result<Self, ApiError> {
                Ok(match op { $( Operation::$op => Request::$op(parse_body(body)?), )* })
            }
        }

        impl Response {
            /// The operation.
            pub fn operation(&self) -> Operation {
                match self { $( Response::$op(_) => Operation::$op, )* }
            }

            /// Parses a response body of `op` (used by harnesses reading a target's answer).
            pub fn parse(op: Operation, body: &[u8]) -> Result<Self, serde_json::Error> {
                Ok(match op { $( Operation::$op => Response::$op(serde_json::from_slice(body)?), )* })
            }
        }
    };
}

/// `EmptyOutput` for operations that return `{}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Empty {}

operations! {
    CreateTable => DynamoDb, CreateTableInput, TableDescriptionOutput;
    DescribeTable => DynamoDb, TableNameInput, DescribeTableOutput;
    UpdateTable => DynamoDb, UpdateTableInput, TableDescriptionOutput;
    DeleteTable => DynamoDb, TableNameInput, TableDescriptionOutput;
    ListTables => DynamoDb, ListTablesInput, ListTablesOutput;
    PutItem => DynamoDb, PutItemInput, WriteItemOutput;
    GetItem => DynamoDb, GetItemInput, GetItemOutput;
    DeleteItem => DynamoDb, DeleteItemInput, WriteItemOutput;
    UpdateItem => DynamoDb, UpdateItemInput, WriteItemOutput;
    TransactWriteItems => DynamoDb, TransactWriteItemsInput, TransactWriteItemsOutput;
    TransactGetItems => DynamoDb, TransactGetItemsInput, TransactGetItemsOutput;
    Query => DynamoDb, QueryInput, ItemsOutput;
    Scan => DynamoDb, ScanInput, ItemsOutput;
    BatchWriteItem => DynamoDb, BatchWriteItemInput, BatchWriteItemOutput;
    BatchGetItem => DynamoDb, BatchGetItemInput, BatchGetItemOutput;
    UpdateTimeToLive => DynamoDb, UpdateTimeToLiveInput, UpdateTimeToLiveOutput;
    DescribeTimeToLive => DynamoDb, TableNameInput, DescribeTimeToLiveOutput;
    // Qualified: KMS has shapes of the same names.
    TagResource => DynamoDb, super::dynamodb_control::TagResourceInput, Empty;
    UntagResource => DynamoDb, super::dynamodb_control::UntagResourceInput, Empty;
    ListTagsOfResource => DynamoDb, ListTagsOfResourceInput, ListTagsOfResourceOutput;
    DescribeContinuousBackups => DynamoDb, TableNameInput, ContinuousBackupsOutput;
    UpdateContinuousBackups => DynamoDb, UpdateContinuousBackupsInput, ContinuousBackupsOutput;
    DescribeLimits => DynamoDb, Empty, DescribeLimitsOutput;
    CreateKey => Kms, CreateKeyInput, KeyMetadataOutput;
    DescribeKey => Kms, KeyIdInput, KeyMetadataOutput;
    ListKeys => Kms, ListInput, ListKeysOutput;
    CreateAlias => Kms, CreateAliasInput, Empty;
    ListAliases => Kms, ListInput, ListAliasesOutput;
    EnableKey => Kms, KeyIdInput, Empty;
    DisableKey => Kms, KeyIdInput, Empty;
    ScheduleKeyDeletion => Kms, ScheduleKeyDeletionInput, ScheduleKeyDeletionOutput;
    CancelKeyDeletion => Kms, KeyIdInput, KeyIdOutput;
    CreateGrant => Kms, CreateGrantInput, CreateGrantOutput;
    ListGrants => Kms, ListInput, ListGrantsOutput;
    RetireGrant => Kms, GrantRefInput, Empty;
    RevokeGrant => Kms, GrantRefInput, Empty;
    Encrypt => Kms, EncryptInput, EncryptOutput;
    Decrypt => Kms, DecryptInput, DecryptOutput;
    GenerateDataKey => Kms, GenerateDataKeyInput, GenerateDataKeyOutput;
    // KMS key settings, alias updates and the further data-key operations (issue 15).
    GetKeyPolicy => Kms, GetKeyPolicyInput, GetKeyPolicyOutput;
    PutKeyPolicy => Kms, PutKeyPolicyInput, Empty;
    GetKeyRotationStatus => Kms, KeyIdInput, GetKeyRotationStatusOutput;
    EnableKeyRotation => Kms, EnableKeyRotationInput, Empty;
    DisableKeyRotation => Kms, KeyIdInput, Empty;
    KmsTagResource("TagResource") => Kms, KmsTagResourceInput, Empty;
    KmsUntagResource("UntagResource") => Kms, KmsUntagResourceInput, Empty;
    ListResourceTags => Kms, ListResourceTagsInput, ListResourceTagsOutput;
    UpdateAlias => Kms, CreateAliasInput, Empty;
    DeleteAlias => Kms, DeleteAliasInput, Empty;
    UpdateKeyDescription => Kms, UpdateKeyDescriptionInput, Empty;
    GenerateDataKeyWithoutPlaintext => Kms, GenerateDataKeyWithoutPlaintextInput, GenerateDataKeyWithoutPlaintextOutput;
    ReEncrypt => Kms, ReEncryptInput, ReEncryptOutput;
    ListRetirableGrants => Kms, ListRetirableGrantsInput, ListGrantsOutput;
    LookupEvents => CloudTrail, LookupEventsInput, LookupEventsOutput;
}

/// DynamoDB's target prefix.
pub const DYNAMODB_PREFIX: &str = "DynamoDB_20120810.";
/// KMS's target prefix.
pub const KMS_PREFIX: &str = "TrentService.";
/// CloudTrail's target prefix.
pub const CLOUDTRAIL_PREFIX: &str = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.";

impl Service {
    /// The `X-Amz-Target` prefix.
    pub fn target_prefix(self) -> &'static str {
        match self {
            Service::DynamoDb => DYNAMODB_PREFIX,
            Service::Kms => KMS_PREFIX,
            Service::CloudTrail => CLOUDTRAIL_PREFIX,
        }
    }

    /// The service whose prefix starts `target`, if any.
    pub fn from_target(target: &str) -> Option<Service> {
        [Service::DynamoDb, Service::Kms, Service::CloudTrail]
            .into_iter()
            .find(|s| target.starts_with(s.target_prefix()))
    }
}

impl Operation {
    /// The full `X-Amz-Target` header value.
    pub fn target(self) -> String {
        format!("{}{}", self.service().target_prefix(), self.name())
    }

    /// The operation an `X-Amz-Target` names, or `UnknownOperationException`.
    pub fn from_target(target: &str) -> Result<Operation, ApiError> {
        let unknown = || ApiError::new(ErrorCode::UnknownOperation, "");
        let service = Service::from_target(target).ok_or_else(unknown)?;
        let name = &target[service.target_prefix().len()..];
        Operation::ALL
            .iter()
            .copied()
            .find(|op| op.service() == service && op.name() == name)
            .ok_or_else(unknown)
    }
}

impl Request {
    /// Parses a request from its target header and JSON body.
    pub fn parse(target: &str, body: &[u8]) -> Result<Self, ApiError> {
        let op = Operation::from_target(target)?;
        Self::parse_as(op, body)
    }

    /// The target header for this request.
    pub fn target(&self) -> String {
        self.operation().target()
    }

    /// The JSON body for this request.
    pub fn body(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

impl Response {
    /// The JSON body of this response.
    pub fn body(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

fn parse_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| {
        let msg = if e.is_syntax() || e.is_eof() {
            "Start of structure or map found where not expected.".to_owned()
        } else {
            // serde's text names the field and the expected type; it carries no secret.
            e.to_string()
        };
        ApiError::new(ErrorCode::Serialization, msg)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_round_trip() {
        for op in Operation::ALL {
            assert_eq!(Operation::from_target(&op.target()), Ok(*op));
        }
        assert_eq!(
            Operation::from_target("DynamoDB_20120810.Nope")
                .unwrap_err()
                .code,
            ErrorCode::UnknownOperation
        );
        assert_eq!(
            Operation::from_target("TrentService.CreateTable")
                .unwrap_err()
                .code,
            ErrorCode::UnknownOperation
        );
    }

    #[test]
    fn malformed_json_is_a_serialization_error() {
        let e = Request::parse("DynamoDB_20120810.DescribeTable", b"{not json").unwrap_err();
        assert_eq!(e.code, ErrorCode::Serialization);
        let e =
            Request::parse("DynamoDB_20120810.DescribeTable", br#"{"TableName": 5}"#).unwrap_err();
        assert_eq!(e.code, ErrorCode::Serialization);
        let r = Request::parse("DynamoDB_20120810.ListTables", b"").unwrap();
        assert_eq!(r.operation(), Operation::ListTables);
    }

    #[test]
    fn names_round_trip_and_only_reads_are_read_only() {
        for op in Operation::ALL {
            assert_eq!(
                Operation::from_service_name(op.service(), op.name()),
                Some(*op)
            );
            assert_eq!(
                Operation::from_name(op.name()).map(|o| o.name()),
                Some(op.name())
            );
        }
        assert_eq!(
            Operation::KmsTagResource.target(),
            "TrentService.TagResource"
        );
        assert_eq!(
            Operation::from_target("TrentService.UntagResource"),
            Ok(Operation::KmsUntagResource)
        );
        assert_eq!(Operation::from_name("Nope"), None);
        for op in [
            "DescribeKey",
            "Decrypt",
            "GenerateDataKey",
            "DescribeTable",
            "ListTables",
            "GetKeyPolicy",
            "GetKeyRotationStatus",
            "ListResourceTags",
            "ListRetirableGrants",
            "GenerateDataKeyWithoutPlaintext",
            "ReEncrypt",
        ] {
            assert!(
                Operation::from_name(op).is_some_and(Operation::read_only),
                "{op}"
            );
        }
        for op in [
            "CreateKey",
            "CreateGrant",
            "CreateTable",
            "UpdateTable",
            "DeleteTable",
            "PutKeyPolicy",
            "EnableKeyRotation",
            "TagResource",
            "UpdateAlias",
            "DeleteAlias",
        ] {
            assert!(
                !Operation::from_name(op).is_some_and(Operation::read_only),
                "{op}"
            );
        }
    }
}
