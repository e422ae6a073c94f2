//! Building CloudTrail records (`spec/trail.md#record`): the members every record carries, the
//! identities, `requestParameters` and `responseElements` of direct calls, and `resources`.
//!
//! Which call emits which record is decided by the handlers (`service_calls.rs` for the KMS
//! calls DynamoDB makes, `mod.rs` for the record of the request itself); this file only shapes
//! them. Records never carry plaintext, ciphertext, grant tokens or key material.

use serde_json::{Map, Value};

use ddbsse_wire::caller::Caller;
use ddbsse_wire::ids::IdSource;
use ddbsse_wire::time::Timestamp;
use ddbsse_wire::trail::{
    AWS_API_CALL, AWS_INTERNAL, AWS_SERVICE_EVENT, DYNAMODB_EVENT_SOURCE, DYNAMODB_SERVICE,
    EVENT_VERSION, KMS_EVENT_SOURCE, TrailRecord, TrailResource, UserIdentity,
};
use ddbsse_wire::{ApiError, Operation, Request, Response, Service};

use super::Model;

/// One call to record.
pub struct Call {
    pub event_source: &'static str,
    pub event_name: String,
    pub identity: UserIdentity,
    pub source_ip: String,
    pub user_agent: String,
    pub request_id: String,
    pub request_parameters: Value,
    pub response_elements: Value,
    pub additional_event_data: Option<Value>,
    pub error: Option<ApiError>,
    pub resources: Vec<TrailResource>,
    /// True for an event KMS caused on its own (`AwsServiceEvent`), false for an API call.
    pub service_event: bool,
}

/// Lowercases the first letter of every member name, at every level, except inside maps whose
/// keys are the caller's data (encryption contexts).
pub fn lower_camel(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let name = lower_first(k);
                let inner = if matches!(
                    name.as_str(),
                    "encryptionContext" | "encryptionContextSubset" | "encryptionContextEquals"
                ) {
                    v.clone()
                } else {
                    lower_camel(v)
                };
                out.insert(name, inner);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(lower_camel).collect()),
        other => other.clone(),
    }
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Drops `null` members (absent optional members of the typed request) at every level.
fn strip_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), strip_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(strip_nulls).collect()),
        other => other.clone(),
    }
}

//= spec/trail.md#request-parameters
//# The `requestParameters` of every record MUST be those of the table above.
//= spec/trail.md#request-parameters
//# A record MUST NOT contain plaintext, ciphertext, a grant token or key material in any member.
/// `requestParameters` of a request a caller made directly.
pub fn direct_request_parameters(request: &Request) -> Value {
    let body = strip_nulls(&request.body());
    let mut params = match body {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    for secret in ["Plaintext", "CiphertextBlob", "GrantTokens", "GrantToken"] {
        params.remove(secret);
    }
    match request {
        Request::RetireGrant(_) => return Value::Null,
        Request::Decrypt(input) => {
            let mut out = Map::new();
            if let Some(ctx) = input.encryption_context.as_ref().filter(|c| !c.is_empty()) {
                out.insert("encryptionContext".into(), serde_json::json!(ctx));
            }
            out.insert("encryptionAlgorithm".into(), "SYMMETRIC_DEFAULT".into());
            if let Some(k) = &input.key_id {
                out.insert("keyId".into(), k.clone().into());
            }
            return Value::Object(out);
        }
        Request::ReEncrypt(input) => return reencrypt_parameters(input),
        Request::Encrypt(input) => {
            let mut out = Map::new();
            if let Some(k) = &input.key_id {
                out.insert("keyId".into(), k.clone().into());
            }
            if let Some(ctx) = input.encryption_context.as_ref().filter(|c| !c.is_empty()) {
                out.insert("encryptionContext".into(), serde_json::json!(ctx));
            }
            out.insert("encryptionAlgorithm".into(), "SYMMETRIC_DEFAULT".into());
            return Value::Object(out);
        }
        _ => {}
    }
    if params.is_empty() {
        Value::Null
    } else {
        lower_camel(&Value::Object(params))
    }
}

//= spec/trail.md#request-parameters
//# The `requestParameters` of a ReEncrypt record MUST be `sourceEncryptionAlgorithm` and `destinationEncryptionAlgorithm` (always, `SYMMETRIC_DEFAULT` when not sent), `sourceKeyId` and `destinationKeyId` as sent, and `sourceEncryptionContext` and `destinationEncryptionContext` when not empty.
/// `requestParameters` of a ReEncrypt: the keys, algorithms and contexts, never the blob.
pub fn reencrypt_parameters(input: &ddbsse_wire::kms::ReEncryptInput) -> Value {
    let mut out = Map::new();
    let algorithm = |a: &Option<String>| {
        Value::String(
            a.clone()
                .unwrap_or_else(|| ddbsse_wire::kms::SYMMETRIC_DEFAULT.to_owned()),
        )
    };
    out.insert(
        "sourceEncryptionAlgorithm".into(),
        algorithm(&input.source_encryption_algorithm),
    );
    if let Some(ctx) = input
        .source_encryption_context
        .as_ref()
        .filter(|c| !c.is_empty())
    {
        out.insert("sourceEncryptionContext".into(), serde_json::json!(ctx));
    }
    if let Some(k) = &input.source_key_id {
        out.insert("sourceKeyId".into(), k.clone().into());
    }
    if let Some(k) = &input.destination_key_id {
        out.insert("destinationKeyId".into(), k.clone().into());
    }
    out.insert(
        "destinationEncryptionAlgorithm".into(),
        algorithm(&input.destination_encryption_algorithm),
    );
    if let Some(ctx) = input
        .destination_encryption_context
        .as_ref()
        .filter(|c| !c.is_empty())
    {
        out.insert(
            "destinationEncryptionContext".into(),
            serde_json::json!(ctx),
        );
    }
    Value::Object(out)
}

//= spec/trail.md#response-elements
//# `responseElements` MUST be `{"grantId": <grant id>, "keyId": <key ARN>}` for a successful CreateGrant (by a caller or by DynamoDB), `{"keyId": <key ARN>, "keyState": "PendingDeletion", "deletionDate": <deletion date>}` for a successful ScheduleKeyDeletion, `{"keyId": <key ARN>}` for a successful CancelKeyDeletion, `{"keyMetadata": <KeyMetadata with lowercased member names>}` for a successful CreateKey, `{"tableDescription": <the response's TableDescription with lowercased member names>}` for a successful CreateTable, UpdateTable or DeleteTable, and `null` for every other record except the alias records of the next sentence.
/// `responseElements` of a request a caller made directly.
pub fn direct_response_elements(result: &Result<Response, ApiError>) -> Value {
    match result {
        // `keyId` (the key ARN) is added by the caller, which knows the key the grant is on.
        Ok(Response::CreateGrant(out)) => serde_json::json!({"grantId": out.grant_id}),
        //= spec/trail.md#response-elements
        //# A date inside `responseElements` outside `keyMetadata` and `tableDescription` MUST be a string in CloudTrail's form `<Mon> <d>, <yyyy>, <h>:<mm>:<ss> <AM|PM>` in UTC, such as `Aug 10, 2022, 10:38:27 PM`.
        Ok(Response::ScheduleKeyDeletion(out)) => serde_json::json!({
            "keyId": out.key_id,
            "keyState": out.key_state,
            "deletionDate": Timestamp::from_epoch_seconds(out.deletion_date).map(Timestamp::response_date),
        }),
        Ok(Response::CancelKeyDeletion(out)) => serde_json::json!({"keyId": out.key_id}),
        Ok(Response::CreateKey(out)) => {
            serde_json::json!({"keyMetadata": lower_camel(&serde_json::json!(out.key_metadata))})
        }
        Ok(
            Response::CreateTable(out) | Response::UpdateTable(out) | Response::DeleteTable(out),
        ) => {
            serde_json::json!({"tableDescription": lower_camel(&serde_json::json!(out.table_description))})
        }
        _ => Value::Null,
    }
}

/// Whether a request is recorded at all (`spec/trail.md#recorded`).
pub fn is_recorded(op: Operation) -> bool {
    //= spec/trail.md#recorded
    //# A target MUST record every KMS operation of `spec/kms.md` (whether a caller or DynamoDB made it) and every DynamoDB control-plane request, successful or failed, and MUST NOT record data-plane requests or LookupEvents.
    match op.service() {
        Service::Kms => true,
        Service::DynamoDb => op.control_plane(),
        Service::CloudTrail => false,
    }
}

impl Model {
    /// A `resources` entry for a KMS key.
    pub(super) fn key_resource(&self, arn: &str) -> TrailResource {
        TrailResource {
            arn: arn.to_owned(),
            account_id: self.config.account.clone(),
            kind: "AWS::KMS::Key".to_owned(),
        }
    }

    /// A `resources` entry for a table.
    pub(super) fn table_resource(&self, name: &str) -> TrailResource {
        TrailResource {
            arn: self.table_arn(name),
            account_id: self.config.account.clone(),
            kind: "AWS::DynamoDB::Table".to_owned(),
        }
    }

    /// The call a caller made directly, before its parameters and outcome are filled in.
    pub(super) fn direct_call(
        &self,
        service: Service,
        name: &str,
        caller: &Caller,
        request_id: &str,
    ) -> Call {
        //= spec/trail.md#source
        //# Records of KMS calls DynamoDB makes MUST carry `sourceIPAddress` and `userAgent` `dynamodb.amazonaws.com`, and records of requests a caller made directly MUST carry the caller's IP address and the request's `User-Agent` header (an empty string when the header is absent).
        Call {
            event_source: if service == Service::Kms {
                KMS_EVENT_SOURCE
            } else {
                DYNAMODB_EVENT_SOURCE
            },
            event_name: name.to_owned(),
            identity: self.identity_of(caller),
            source_ip: caller.source_ip.clone(),
            user_agent: caller.user_agent.clone(),
            request_id: request_id.to_owned(),
            request_parameters: Value::Null,
            response_elements: Value::Null,
            additional_event_data: None,
            error: None,
            resources: Vec::new(),
            service_event: false,
        }
    }

    /// The `userIdentity` of `caller`: its IAM identity when the configuration names one (a
    /// target with real IAM callers, `spec/conformance.md#principals`), else the one built from
    /// its access key id.
    fn identity_of(&self, caller: &Caller) -> UserIdentity {
        match self.config.identities.get(&caller.access_key_id) {
            Some(known) => UserIdentity::known(known, &caller.access_key_id),
            None => UserIdentity::principal(&self.config.account, &caller.access_key_id),
        }
    }

    /// A KMS call DynamoDB makes, on the caller's behalf or (`service_account`) as itself.
    pub(super) fn service_call(
        &mut self,
        name: &str,
        caller: &Caller,
        service_account: bool,
    ) -> Call {
        //= spec/trail.md#identities
        //# The identity of a caller MUST be `{"type": "IAMUser", "principalId": <access key id>, "arn": "arn:aws:iam::<account>:user/<access key id>", "accountId": <account>, "accessKeyId": <access key id>, "userName": <access key id>}`, with `"invokedBy": "dynamodb.amazonaws.com"` added when DynamoDB made the call on the caller's behalf.
        //= spec/trail.md#identities
        //# The identity of DynamoDB's own service account MUST be exactly `{"type": "AWSService", "invokedBy": "dynamodb.amazonaws.com"}`.
        let identity = if service_account {
            UserIdentity::dynamodb_service()
        } else {
            UserIdentity {
                invoked_by: Some(DYNAMODB_SERVICE.to_owned()),
                ..self.identity_of(caller)
            }
        };
        //= spec/trail.md#request-id
        //# The `requestID` of a record of a direct request MUST equal the `x-amzn-RequestId` header of its response, and each KMS call DynamoDB makes MUST have its own fresh `requestID`.
        let request_id = self.ids.uuid();
        Call {
            event_source: KMS_EVENT_SOURCE,
            event_name: name.to_owned(),
            identity,
            source_ip: DYNAMODB_SERVICE.to_owned(),
            user_agent: DYNAMODB_SERVICE.to_owned(),
            request_id,
            request_parameters: Value::Null,
            response_elements: Value::Null,
            additional_event_data: None,
            error: None,
            resources: Vec::new(),
            service_event: false,
        }
    }

    //= spec/trail.md#key-deletion
    //# When a key's deletion date has arrived, a target MUST record, before the records of the first request it handles at or after that date, a record with `eventName` `DeleteKey`, `eventType` `AwsServiceEvent`, `eventTime` the deletion date, `userIdentity` `{"accountId": <account>, "invokedBy": "AWS Internal"}`, `sourceIPAddress` and `userAgent` `AWS Internal`, `requestParameters` `null`, `responseElements` `{"keyId": <key ARN>}`, `readOnly` false, the key in `resources`, and no `requestID`.
    /// Records KMS's deletion of a key whose deletion date `date` has arrived (`settle` calls
    /// this before the request that found it due).
    pub(super) fn record_key_deletion(&mut self, date: Timestamp, arn: &str) {
        let call = Call {
            event_source: KMS_EVENT_SOURCE,
            event_name: "DeleteKey".to_owned(),
            identity: UserIdentity::aws_internal(&self.config.account),
            source_ip: AWS_INTERNAL.to_owned(),
            user_agent: AWS_INTERNAL.to_owned(),
            request_id: String::new(),
            request_parameters: Value::Null,
            response_elements: serde_json::json!({"keyId": arn}),
            additional_event_data: None,
            error: None,
            resources: vec![self.key_resource(arn)],
            service_event: true,
        };
        self.emit(date, call);
    }

    //= spec/trail.md#record
    //# `eventTime` MUST be the time of the request on the target's clock, in UTC, formatted `YYYY-MM-DDTHH:MM:SSZ` (seconds, no fraction).
    //= spec/trail.md#record
    //# Every record MUST carry the members of the table above, with the values it gives, and no other member, so every record carries `eventVersion` `1.11`, `eventType` `AwsApiCall` (`AwsServiceEvent` on the key deletion record), `managementEvent` true, `eventCategory` `Management` and `recipientAccountId` equal to the account id.
    //= spec/trail.md#aws-examples
    //# For each example in `fixtures/aws/`, the record that the reference model and a target produce for the example's scenario MUST equal the example after the normalisation of `cli/tests/suite/aws_examples.rs`, except at exactly the members the table below lists for that example.
    /// Turns a call into a record and appends it to this request's events.
    pub(super) fn emit(&mut self, now: Timestamp, call: Call) {
        let event_id = self.ids.uuid();
        let shared_event_id = (call.identity.kind == "AWSService").then(|| self.ids.uuid());
        let (error_code, error_message, response_elements) = match &call.error {
            //= spec/trail.md#failed-calls
            //# The record of a failed call MUST carry `errorCode` (the error code without namespace, such as `DisabledException`) and `errorMessage` (the error's message), and `responseElements` `null`.
            Some(e) => (
                Some(e.code.name().to_owned()),
                Some(e.message.clone()),
                Value::Null,
            ),
            None => (None, None, call.response_elements),
        };
        let is_dynamodb = call.event_source == DYNAMODB_EVENT_SOURCE;
        self.pending.push(TrailRecord {
            event_version: EVENT_VERSION.to_owned(),
            read_only: Operation::from_name(&call.event_name).is_some_and(Operation::read_only),
            user_identity: call.identity,
            event_time: now.event_time(),
            event_source: call.event_source.to_owned(),
            event_name: call.event_name,
            aws_region: self.config.region.clone(),
            source_ip_address: call.source_ip,
            user_agent: call.user_agent,
            error_code,
            error_message,
            request_parameters: call.request_parameters,
            response_elements,
            additional_event_data: call.additional_event_data,
            request_id: call.request_id,
            event_id,
            resources: call.resources,
            event_type: if call.service_event {
                AWS_SERVICE_EVENT
            } else {
                AWS_API_CALL
            }
            .to_owned(),
            api_version: is_dynamodb.then(|| "2012-08-10".to_owned()),
            management_event: true,
            recipient_account_id: self.config.account.clone(),
            shared_event_id,
            event_category: "Management".to_owned(),
        });
    }
}
