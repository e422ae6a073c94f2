//! The error every boundary returns to a client: an error code, a message, the HTTP status AWS
//! uses and the `{"__type": ..., "message": ...}` body of the service's protocol (`spec/errors.md`).
//!
//! Messages are built by whoever detects the error; this module only knows how each code is
//! named and which status it travels with.

use serde_json::json;

/// The AWS service an operation or error belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Service {
    /// DynamoDB, awsJson1_0, `DynamoDB_20120810.<Op>`.
    DynamoDb,
    /// KMS, awsJson1_1, `TrentService.<Op>`.
    Kms,
    /// CloudTrail, awsJson1_1, `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Op>`.
    CloudTrail,
}

impl Service {
    /// The `Content-Type` of the service's protocol.
    pub fn content_type(self) -> &'static str {
        match self {
            Service::DynamoDb => "application/x-amz-json-1.0",
            Service::Kms | Service::CloudTrail => "application/x-amz-json-1.1",
        }
    }

    /// The service's SigV4 signing name, the `<service>` of a credential scope.
    pub fn signing_name(self) -> &'static str {
        match self {
            Service::DynamoDb => "dynamodb",
            Service::Kms => "kms",
            Service::CloudTrail => "cloudtrail",
        }
    }
}

/// Every error code a target or the model returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum ErrorCode {
    // Protocol level, any service.
    Serialization,
    UnknownOperation,
    MissingAuthenticationToken,
    /// The access key id is not known (or its session token is wrong).
    UnrecognizedClient,
    /// The signature does not match, or the request date is too far from the server's clock.
    InvalidSignature,
    /// The `Authorization` header lacks a part SigV4 needs.
    IncompleteSignature,
    // DynamoDB.
    Validation,
    ResourceNotFound,
    TableNotFound,
    ResourceInUse,
    LimitExceeded,
    AccessDenied,
    ConditionalCheckFailed,
    TransactionCanceled,
    /// A `ClientRequestToken` reused with other parameters.
    IdempotentParameterMismatch,
    /// A `ClientRequestToken` whose first transaction is still running.
    TransactionInProgress,
    InternalServerError,
    // KMS.
    KmsValidation,
    NotFound,
    Disabled,
    KmsInvalidState,
    InvalidCiphertext,
    IncorrectKey,
    InvalidKeyUsage,
    InvalidArn,
    InvalidGrantId,
    InvalidGrantToken,
    KmsLimitExceeded,
    AlreadyExists,
    InvalidAliasName,
    InvalidMarker,
    KmsInternal,
    UnsupportedOperation,
    MalformedPolicyDocument,
    Tag,
    DryRunOperation,
    // CloudTrail.
    InvalidLookupAttributes,
    InvalidTimeRange,
    InvalidMaxResults,
    InvalidNextToken,
    InvalidEventCategory,
}

impl ErrorCode {
    /// The error's shape name, as AWS spells it.
    pub fn name(self) -> &'static str {
        use ErrorCode::*;
        match self {
            Serialization => "SerializationException",
            UnknownOperation => "UnknownOperationException",
            MissingAuthenticationToken => "MissingAuthenticationTokenException",
            UnrecognizedClient => "UnrecognizedClientException",
            InvalidSignature => "InvalidSignatureException",
            IncompleteSignature => "IncompleteSignatureException",
            Validation | KmsValidation => "ValidationException",
            ResourceNotFound => "ResourceNotFoundException",
            TableNotFound => "TableNotFoundException",
            ResourceInUse => "ResourceInUseException",
            LimitExceeded | KmsLimitExceeded => "LimitExceededException",
            AccessDenied => "AccessDeniedException",
            ConditionalCheckFailed => "ConditionalCheckFailedException",
            TransactionCanceled => "TransactionCanceledException",
            IdempotentParameterMismatch => "IdempotentParameterMismatchException",
            TransactionInProgress => "TransactionInProgressException",
            InternalServerError => "InternalServerError",
            NotFound => "NotFoundException",
            Disabled => "DisabledException",
            KmsInvalidState => "KMSInvalidStateException",
            InvalidCiphertext => "InvalidCiphertextException",
            IncorrectKey => "IncorrectKeyException",
            InvalidKeyUsage => "InvalidKeyUsageException",
            InvalidArn => "InvalidArnException",
            InvalidGrantId => "InvalidGrantIdException",
            InvalidGrantToken => "InvalidGrantTokenException",
            AlreadyExists => "AlreadyExistsException",
            InvalidAliasName => "InvalidAliasNameException",
            InvalidMarker => "InvalidMarkerException",
            KmsInternal => "KMSInternalException",
            InvalidLookupAttributes => "InvalidLookupAttributesException",
            InvalidTimeRange => "InvalidTimeRangeException",
            InvalidMaxResults => "InvalidMaxResultsException",
            InvalidNextToken => "InvalidNextTokenException",
            InvalidEventCategory => "InvalidEventCategoryException",
            UnsupportedOperation => "UnsupportedOperationException",
            MalformedPolicyDocument => "MalformedPolicyDocumentException",
            Tag => "TagException",
            DryRunOperation => "DryRunOperationException",
        }
    }

    /// The HTTP status the error travels with (`spec/errors.md`): every client error is 400,
    /// internal errors 500.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::InternalServerError | ErrorCode::KmsInternal => 500,
            _ => 400,
        }
    }

    /// The `__type` value for this code when returned by `service`.
    ///
    /// awsJson1_0 (DynamoDB) sends a namespaced shape id; awsJson1_1 (KMS, CloudTrail) the bare
    /// shape name.
    pub fn type_field(self, service: Service) -> String {
        use ErrorCode::*;
        match service {
            Service::DynamoDb => match self {
                Validation | KmsValidation => {
                    "com.amazon.coral.validate#ValidationException".into()
                }
                Serialization
                | UnknownOperation
                | MissingAuthenticationToken
                | UnrecognizedClient
                | InvalidSignature
                | IncompleteSignature
                | AccessDenied => {
                    format!("com.amazon.coral.service#{}", self.name())
                }
                _ => format!("com.amazonaws.dynamodb.v20120810#{}", self.name()),
            },
            Service::Kms | Service::CloudTrail => self.name().to_owned(),
        }
    }
}

/// An error as a client sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// What went wrong.
    pub code: ErrorCode,
    /// AWS's message text.
    pub message: String,
    /// The item a `ConditionalCheckFailedException` carries when the request asked for it
    /// (`ReturnValuesOnConditionCheckFailure` `ALL_OLD`); `None` on every other error.
    pub item: Option<Box<crate::attribute::Item>>,
    /// The `CancellationReasons` of a `TransactionCanceledException`, one per action.
    pub cancellation_reasons: Option<Vec<serde_json::Value>>,
}

impl ApiError {
    /// An error with a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            item: None,
            cancellation_reasons: None,
        }
    }

    /// DynamoDB's `ValidationException`.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Validation, message)
    }

    /// The HTTP status.
    pub fn http_status(&self) -> u16 {
        self.code.http_status()
    }

    /// The JSON body for `service`'s protocol.
    pub fn body(&self, service: Service) -> serde_json::Value {
        let mut body = json!({"__type": self.code.type_field(service), "message": self.message});
        if let (Some(item), Some(obj)) = (&self.item, body.as_object_mut()) {
            obj.insert(
                "Item".to_owned(),
                serde_json::to_value(item).unwrap_or(serde_json::Value::Null),
            );
        }
        if let (Some(reasons), Some(obj)) = (&self.cancellation_reasons, body.as_object_mut()) {
            obj.insert(
                "CancellationReasons".to_owned(),
                serde_json::Value::Array(reasons.clone()),
            );
        }
        body
    }

    /// The bare shape name a client derives from `__type` (the part after `#`).
    pub fn name(&self) -> &'static str {
        self.code.name()
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.name(), self.message)
    }
}

impl std::error::Error for ApiError {}

/// Reads a client-visible error code back from a `__type` value of either protocol form
/// (the part before `:` then after `#`, as the Smithy clients do).
pub fn error_name_from_type(type_field: &str) -> &str {
    let before_colon = type_field.split(':').next().unwrap_or(type_field);
    before_colon.rsplit('#').next().unwrap_or(before_colon)
}
