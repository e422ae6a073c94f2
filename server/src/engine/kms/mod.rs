//! The endpoint's KMS: keys and key states ([`keys`]), key policy, rotation, tags and description
//! ([`settings`]), aliases ([`aliases`]), grants ([`grants`]) and the cryptographic operations
//! ([`crypto_ops`]), for direct callers and for
//! the calls DynamoDB makes on a caller's behalf (`spec/kms.md`).
//!
//! Every direct call appends a trail record with the caller's identity, successful or not.

pub mod aliases;
pub mod crypto_ops;
pub mod grants;
pub mod keys;
pub mod settings;

use ddbsse_wire::operation::Request;
use ddbsse_wire::time::Timestamp;
use ddbsse_wire::trail::TrailRecord;
use ddbsse_wire::{ApiError, ErrorCode};
use serde_json::Value;

use super::state::State;
use super::trail::{Actor, RecordSpec, lower_camel};
use super::{Call, Engine};

/// What a KMS operation produced: its output body and the key it touched.
pub struct KmsOutcome {
    /// The response body.
    pub output: Value,
    /// The key ARN, for the trail's `resources`.
    pub key_arn: Option<String>,
    /// The grant a RetireGrant removed (for `additionalEventData`).
    pub grant_id: Option<String>,
}

impl KmsOutcome {
    pub(crate) fn new(output: impl serde::Serialize, key_arn: Option<String>) -> Self {
        Self {
            output: serde_json::to_value(output).unwrap_or(Value::Null),
            key_arn,
            grant_id: None,
        }
    }
}

pub use ddbsse_wire::kms_errors::{
    alias_not_found, constraint, disabled, key_not_found, not_pending_deletion as not_pending,
    null_member, pending_deletion as pending,
};

impl Engine {
    /// Runs one direct KMS request and records it in the trail.
    pub(crate) fn kms_request(&self, call: &Call<'_>, req: Request) -> Result<Value, ApiError> {
        let name = req.operation().name();
        let read_only = req.operation().read_only();
        let mut st = self.write_state();
        let mut purge = st.purge_deleted(call.now);
        let alias_before = self.alias_resources(&st, call);
        let result = self.kms_dispatch(&mut st, call, req);
        let alias_after = self.alias_resources(&st, call);
        purge.extend(self.refresh_usability(&mut st, call.now));
        self.commit(purge)?;
        drop(st);
        //= spec/trail.md#response-elements
        //# A date inside `responseElements` outside `keyMetadata` and `tableDescription` MUST be a string in CloudTrail's form `<Mon> <d>, <yyyy>, <h>:<mm>:<ss> <AM|PM>` in UTC, such as `Aug 10, 2022, 10:38:27 PM`.
        //= spec/trail.md#response-elements
        //# `responseElements` MUST be `{"grantId": <grant id>, "keyId": <key ARN>}` for a successful CreateGrant (by a caller or by DynamoDB), `{"keyId": <key ARN>, "keyState": "PendingDeletion", "deletionDate": <deletion date>}` for a successful ScheduleKeyDeletion, `{"keyId": <key ARN>}` for a successful CancelKeyDeletion, `{"keyMetadata": <KeyMetadata with lowercased member names>}` for a successful CreateKey, `{"tableDescription": <the response's TableDescription with lowercased member names>}` for a successful CreateTable, UpdateTable or DeleteTable, and `null` for every other record except the alias records of the next sentence.
        let (response_elements, key_arn, error) = match &result {
            Ok(o) => (
                match name {
                    "CreateKey" => lower_camel(&o.output),
                    "CreateGrant" => serde_json::json!({
                        "grantId": o.output.get("GrantId").cloned().unwrap_or(Value::Null),
                        "keyId": o.key_arn,
                    }),
                    "ScheduleKeyDeletion" => serde_json::json!({
                        "keyId": o.output.get("KeyId").cloned().unwrap_or(Value::Null),
                        "keyState": o.output.get("KeyState").cloned().unwrap_or(Value::Null),
                        "deletionDate": o
                            .output
                            .get("DeletionDate")
                            .and_then(Value::as_f64)
                            .and_then(Timestamp::from_epoch_seconds)
                            .map(Timestamp::response_date),
                    }),
                    "CancelKeyDeletion" => {
                        serde_json::json!({"keyId": o.output.get("KeyId").cloned().unwrap_or(Value::Null)})
                    }
                    //= spec/trail.md#response-elements
                    //# `responseElements` MUST be `{"keyId": <key ARN>}` for a successful CreateAlias, UpdateAlias or DeleteAlias, naming the key the alias pointed at after the call (CreateAlias, UpdateAlias) or before it (DeleteAlias).
                    "CreateAlias" | "UpdateAlias" | "DeleteAlias" => {
                        serde_json::json!({"keyId": o.key_arn})
                    }
                    _ => Value::Null,
                },
                o.key_arn.clone(),
                None,
            ),
            //= spec/trail.md#failed-calls
            //# The record of a failed call MUST carry `errorCode` (the error code without namespace, such as `DisabledException`) and `errorMessage` (the error's message), and `responseElements` `null`.
            Err(e) => (
                Value::Null,
                self.named_existing_key(call),
                Some((e.name().to_owned(), e.message.clone())),
            ),
        };
        //= spec/trail.md#request-parameters
        //# The `requestParameters` of every record MUST be those of the table above.
        let request_parameters = match (name, call.body) {
            ("RetireGrant", _) => Value::Null,
            ("Encrypt" | "Decrypt", body) => crypto_parameters(body),
            ("ReEncrypt", body) => reencrypt_parameters(body),
            (_, Value::Object(m)) if m.is_empty() => Value::Null,
            (_, body) => lower_camel(body),
        };
        let retired = match &result {
            Ok(o) => o.grant_id.clone(),
            Err(_) => None,
        }
        .or_else(|| {
            call.body
                .get("GrantId")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
        let additional = match (name, &result) {
            ("RetireGrant", _) => retired.map(|g| serde_json::json!({"grantId": g})),
            //= spec/trail.md#key-material-tls
            //# Records of successful GenerateDataKey and Decrypt calls MUST carry `"additionalEventData": {"keyMaterialId": <the key's CurrentKeyMaterialId>}`, whether a caller or DynamoDB made the call.
            ("GenerateDataKey" | "Decrypt", Ok(o)) => o
                .output
                .get("KeyMaterialId")
                .map(|id| serde_json::json!({"keyMaterialId": id})),
            //= spec/trail.md#key-material-tls
            //# Records of successful GenerateDataKeyWithoutPlaintext calls MUST carry `"additionalEventData": {"keyMaterialId": <the key's CurrentKeyMaterialId>}`, and records of successful ReEncrypt calls `"additionalEventData": {"sourceKeyMaterialId": <source key's>, "destinationKeyMaterialId": <destination key's>}`.
            ("GenerateDataKeyWithoutPlaintext", Ok(o)) => o
                .output
                .get("KeyMaterialId")
                .map(|id| serde_json::json!({"keyMaterialId": id})),
            ("ReEncrypt", Ok(o)) => Some(serde_json::json!({
                "sourceKeyMaterialId": o.output.get("SourceKeyMaterialId"),
                "destinationKeyMaterialId": o.output.get("DestinationKeyMaterialId"),
            })),
            _ => None,
        };
        let mut record = self.record(
            RecordSpec {
                kms: true,
                event_name: name,
                actor: Actor::Caller(call.caller),
                request_parameters,
                response_elements,
                additional,
                request_id: call.request_id.to_owned(),
                read_only,
                resource: key_arn,
                error,
            },
            call.now,
        );
        //= spec/trail.md#resources
        //# The record of a successful CreateAlias MUST list the key and then the alias: `[{"ARN": <key ARN>, "accountId": <account>, "type": "AWS::KMS::Key"}, {"ARN": "arn:aws:kms:<region>:<account>:<alias name>", "accountId": <account>, "type": "AWS::KMS::Key"}]`.
        if name == "CreateAlias"
            && result.is_ok()
            && let Some(alias) = call.body.get("AliasName").and_then(Value::as_str)
            && let Some(key) = record.resources.first()
        {
            let alias = ddbsse_wire::trail::TrailResource {
                arn: self.alias_arn(alias),
                ..key.clone()
            };
            record.resources.push(alias);
        }
        //= spec/trail.md#resources
        //# The record of a successful UpdateAlias or DeleteAlias MUST list the alias and then the key it pointed at after the call (UpdateAlias) or before it (DeleteAlias), and the record of a successful ReEncrypt the source key and then the destination key, each entry of the form above.
        if matches!(name, "UpdateAlias" | "DeleteAlias") {
            let entries = if alias_after.is_empty() {
                alias_before
            } else {
                alias_after
            };
            record.resources = entries
                .into_iter()
                .map(|arn| ddbsse_wire::trail::TrailResource {
                    arn,
                    account_id: self.config.account.clone(),
                    kind: "AWS::KMS::Key".to_owned(),
                })
                .collect();
        }
        if name == "ReEncrypt" {
            let st = self.read_state();
            let source = self.named_existing_key(call);
            let dest = call
                .body
                .get("DestinationKeyId")
                .and_then(Value::as_str)
                .and_then(|k| self.lookup_key(&st, k, call.now).ok())
                .map(|id| self.key_arn(&id));
            record.resources = [source, dest]
                .into_iter()
                .flatten()
                .map(|arn| ddbsse_wire::trail::TrailResource {
                    arn,
                    account_id: self.config.account.clone(),
                    kind: "AWS::KMS::Key".to_owned(),
                })
                .collect();
        }
        self.append_trail(vec![record])?;
        result.map(|o| o.output)
    }

    /// For UpdateAlias and DeleteAlias: the alias ARN and the ARN of the live key the alias
    /// names, when both exist (empty otherwise).
    fn alias_resources(&self, st: &State, call: &Call<'_>) -> Vec<String> {
        let Some(alias) = call.body.get("AliasName").and_then(Value::as_str) else {
            return Vec::new();
        };
        st.aliases
            .get(alias)
            .filter(|a| st.live_key(&a.key_id, call.now).is_some())
            .map(|a| vec![self.alias_arn(alias), self.key_arn(&a.key_id)])
            .unwrap_or_default()
    }

    fn kms_dispatch(
        &self,
        st: &mut State,
        call: &Call<'_>,
        req: Request,
    ) -> Result<KmsOutcome, ApiError> {
        match req {
            Request::CreateKey(i) => self.create_key(st, call, i),
            Request::DescribeKey(i) => self.describe_key(st, call, i),
            Request::ListKeys(i) => self.list_keys(st, call, i),
            Request::EnableKey(i) => self.enable_key(st, call, i, true),
            Request::DisableKey(i) => self.enable_key(st, call, i, false),
            Request::ScheduleKeyDeletion(i) => self.schedule_key_deletion(st, call, i),
            Request::CancelKeyDeletion(i) => self.cancel_key_deletion(st, call, i),
            Request::CreateAlias(i) => self.create_alias(st, call, i),
            Request::ListAliases(i) => self.list_aliases(st, call, i),
            Request::CreateGrant(i) => self.create_grant(st, call, i),
            Request::ListGrants(i) => self.list_grants(st, call, i),
            Request::RetireGrant(i) => self.retire_grant(st, call, i),
            Request::RevokeGrant(i) => self.revoke_grant(st, call, i),
            Request::Encrypt(i) => self.encrypt(st, call, i),
            Request::Decrypt(i) => self.decrypt(st, call, i),
            Request::GenerateDataKey(i) => self.generate_data_key(st, call, i),
            Request::GetKeyPolicy(i) => self.get_key_policy(st, call, i),
            Request::PutKeyPolicy(i) => self.put_key_policy(st, call, i),
            Request::GetKeyRotationStatus(i) => self.get_key_rotation_status(st, call, i),
            Request::EnableKeyRotation(i) => self.enable_key_rotation(st, call, i),
            Request::DisableKeyRotation(i) => self.disable_key_rotation(st, call, i),
            Request::KmsTagResource(i) => self.kms_tag_resource(st, call, i),
            Request::KmsUntagResource(i) => self.kms_untag_resource(st, call, i),
            Request::ListResourceTags(i) => self.list_resource_tags(st, call, i),
            Request::UpdateAlias(i) => self.update_alias(st, call, i),
            Request::DeleteAlias(i) => self.delete_alias(st, call, i),
            Request::UpdateKeyDescription(i) => self.update_key_description(st, call, i),
            Request::GenerateDataKeyWithoutPlaintext(i) => {
                self.generate_data_key_without_plaintext(st, call, i)
            }
            Request::ReEncrypt(i) => self.reencrypt(st, call, i),
            Request::ListRetirableGrants(i) => self.list_retirable_grants(st, call, i),
            other => Err(ApiError::new(
                ErrorCode::UnknownOperation,
                format!("{} is not a KMS operation", other.operation().name()),
            )),
        }
    }

    /// The ARN of the existing key a failed direct request named (its `KeyId`, or the key in
    /// its ciphertext blob), for the record's `resources`.
    fn named_existing_key(&self, call: &Call<'_>) -> Option<String> {
        use base64::Engine as _;
        let st = self.read_state();
        if let Some(k) = call.body.get("KeyId").and_then(Value::as_str) {
            return self
                .lookup_key(&st, k, call.now)
                .ok()
                .map(|id| self.key_arn(&id));
        }
        let blob = call.body.get("CiphertextBlob").and_then(Value::as_str)?;
        let raw = base64::engine::general_purpose::STANDARD
            .decode(blob)
            .ok()?;
        let arn = ddbsse_crypto::kms_blob::key_id(&raw).ok()?;
        let id = arn.strip_prefix(&self.key_arn(""))?;
        st.live_key(id, call.now)
            .map(|k| self.key_arn(&k.rec.key_id))
    }

    /// Removes the keys whose deletion date has arrived at `now` and records KMS's DeleteKey
    /// event for each, at its deletion date, before the request being handled records anything.
    pub(crate) fn record_due_deletions(
        &self,
        now: ddbsse_wire::time::Timestamp,
    ) -> Result<(), ApiError> {
        if self.read_state().due_deletions(now).is_empty() {
            return Ok(());
        }
        let mut st = self.write_state();
        let due = st.due_deletions(now);
        let ops = st.purge_deleted(now);
        self.commit(ops)?;
        drop(st);
        //= spec/trail.md#key-deletion
        //# When a key's deletion date has arrived, a target MUST record, before the records of the first request it handles at or after that date, a record with `eventName` `DeleteKey`, `eventType` `AwsServiceEvent`, `eventTime` the deletion date, `userIdentity` `{"accountId": <account>, "invokedBy": "AWS Internal"}`, `sourceIPAddress` and `userAgent` `AWS Internal`, `requestParameters` `null`, `responseElements` `{"keyId": <key ARN>}`, `readOnly` false, the key in `resources`, and no `requestID`.
        let records = due
            .into_iter()
            .map(|(date, id)| {
                let arn = self.key_arn(&id);
                self.record(
                    RecordSpec {
                        kms: true,
                        event_name: "DeleteKey",
                        actor: Actor::AwsInternal,
                        request_parameters: Value::Null,
                        response_elements: serde_json::json!({"keyId": arn}),
                        additional: None,
                        request_id: String::new(),
                        read_only: false,
                        resource: Some(arn),
                        error: None,
                    },
                    date,
                )
            })
            .collect();
        self.append_trail(records)
    }

    /// Builds a trail record with this engine's account and region.
    pub(crate) fn record(
        &self,
        spec: RecordSpec<'_>,
        now: ddbsse_wire::time::Timestamp,
    ) -> TrailRecord {
        super::trail::build(spec, &self.config.account, &self.config.region, now)
    }
}

//= spec/trail.md#request-parameters
//# The `requestParameters` of a ReEncrypt record MUST be `sourceEncryptionAlgorithm` and `destinationEncryptionAlgorithm` (always, `SYMMETRIC_DEFAULT` when not sent), `sourceKeyId` and `destinationKeyId` as sent, and `sourceEncryptionContext` and `destinationEncryptionContext` when not empty.
/// `requestParameters` of a direct ReEncrypt: keys, algorithms and contexts; never the blob.
fn reencrypt_parameters(body: &Value) -> Value {
    let mut m = serde_json::Map::new();
    let algorithm = |member: &str| {
        body.get(member)
            .cloned()
            .unwrap_or_else(|| Value::String(ddbsse_wire::kms::SYMMETRIC_DEFAULT.into()))
    };
    m.insert(
        "sourceEncryptionAlgorithm".into(),
        algorithm("SourceEncryptionAlgorithm"),
    );
    for (from, to) in [
        ("SourceEncryptionContext", "sourceEncryptionContext"),
        ("SourceKeyId", "sourceKeyId"),
        ("DestinationKeyId", "destinationKeyId"),
    ] {
        if let Some(v) = body
            .get(from)
            .filter(|v| !v.is_null() && v.as_object().is_none_or(|o| !o.is_empty()))
        {
            m.insert(to.into(), v.clone());
        }
    }
    m.insert(
        "destinationEncryptionAlgorithm".into(),
        algorithm("DestinationEncryptionAlgorithm"),
    );
    if let Some(ctx) = body
        .get("DestinationEncryptionContext")
        .filter(|v| v.as_object().is_some_and(|o| !o.is_empty()))
    {
        m.insert("destinationEncryptionContext".into(), ctx.clone());
    }
    Value::Object(m)
}

/// `requestParameters` of a direct Encrypt or Decrypt: `keyId` when named, the context when not
/// empty, and always `encryptionAlgorithm`; never the plaintext or the blob.
fn crypto_parameters(body: &Value) -> Value {
    let mut m = serde_json::Map::new();
    if let Some(k) = body.get("KeyId") {
        m.insert("keyId".into(), k.clone());
    }
    if let Some(ctx) = body.get("EncryptionContext")
        && ctx.as_object().is_some_and(|o| !o.is_empty())
    {
        m.insert("encryptionContext".into(), ctx.clone());
    }
    m.insert(
        "encryptionAlgorithm".into(),
        body.get("EncryptionAlgorithm")
            .cloned()
            .unwrap_or_else(|| Value::String(ddbsse_wire::kms::SYMMETRIC_DEFAULT.into())),
    );
    Value::Object(m)
}
