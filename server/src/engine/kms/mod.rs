//! The endpoint's KMS: keys and key states ([`keys`]), aliases ([`aliases`]), grants
//! ([`grants`]) and the cryptographic operations ([`crypto_ops`]), for direct callers and for
//! the calls DynamoDB makes on a caller's behalf (`spec/kms.md`).
//!
//! Every direct call appends a trail record with the caller's identity, successful or not.

pub mod aliases;
pub mod crypto_ops;
pub mod grants;
pub mod keys;

use ddbsse_reference::trail::TrailRecord;
use ddbsse_reference::wire::operation::Request;
use ddbsse_reference::wire::{ApiError, ErrorCode};
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
}

impl KmsOutcome {
    pub(crate) fn new(output: impl serde::Serialize, key_arn: Option<String>) -> Self {
        Self {
            output: serde_json::to_value(output).unwrap_or(Value::Null),
            key_arn,
        }
    }
}

/// `NotFoundException` for a key ARN.
pub fn key_not_found(key_arn: &str) -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        format!("Key '{key_arn}' does not exist"),
    )
}

/// `NotFoundException` for an alias ARN.
pub fn alias_not_found(alias_arn: &str) -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        format!("Alias {alias_arn} is not found."),
    )
}

//= spec/kms.md#key-state-effects
//# The disabled error MUST be `DisabledException` with the message `<key arn> is disabled.`.
/// `DisabledException`.
pub fn disabled(key_arn: &str) -> ApiError {
    ApiError::new(ErrorCode::Disabled, format!("{key_arn} is disabled."))
}

//= spec/kms.md#key-state-effects
//# The pending error MUST be `KMSInvalidStateException` with the message `<key arn> is pending deletion.`.
/// `KMSInvalidStateException` for a key pending deletion.
pub fn pending(key_arn: &str) -> ApiError {
    ApiError::new(
        ErrorCode::KmsInvalidState,
        format!("{key_arn} is pending deletion."),
    )
}

//= spec/kms.md#key-state-effects
//# The not-pending error MUST be `KMSInvalidStateException` with the message `<key arn> is not pending deletion.`.
/// `KMSInvalidStateException` for a key not pending deletion.
pub fn not_pending(key_arn: &str) -> ApiError {
    ApiError::new(
        ErrorCode::KmsInvalidState,
        format!("{key_arn} is not pending deletion."),
    )
}

/// KMS's Coral validation error for a missing member.
pub fn null_member(member: &str) -> ApiError {
    ApiError::new(
        ErrorCode::KmsValidation,
        format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
        ),
    )
}

/// KMS's Coral validation error for a constraint.
pub fn constraint(value: &str, member: &str, constraint: &str) -> ApiError {
    ApiError::new(
        ErrorCode::KmsValidation,
        format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"
        ),
    )
}

impl Engine {
    /// Runs one direct KMS request and records it in the trail.
    pub(crate) fn kms_request(&self, call: &Call<'_>, req: Request) -> Result<Value, ApiError> {
        let name = req.operation().name();
        let read_only = matches!(
            name,
            "DescribeKey"
                | "ListKeys"
                | "ListAliases"
                | "ListGrants"
                | "Encrypt"
                | "Decrypt"
                | "GenerateDataKey"
        );
        let mut st = self.write_state();
        let mut purge = st.purge_deleted(call.now);
        let result = self.kms_dispatch(&mut st, call, req);
        purge.extend(self.refresh_usability(&mut st, call.now));
        self.commit(purge)?;
        drop(st);
        let (response_elements, key_arn, error) = match &result {
            Ok(o) => (
                match name {
                    "CreateKey" | "DescribeKey" | "ScheduleKeyDeletion" | "CancelKeyDeletion" => {
                        lower_camel(&o.output)
                    }
                    "CreateGrant" => {
                        serde_json::json!({"grantId": o.output.get("GrantId").cloned().unwrap_or(Value::Null)})
                    }
                    _ => Value::Null,
                },
                o.key_arn.clone(),
                None,
            ),
            Err(e) => (
                Value::Null,
                None,
                Some((e.name().to_owned(), e.message.clone())),
            ),
        };
        let request_parameters = match (name, call.body) {
            ("RetireGrant", _) => Value::Null,
            (_, Value::Object(m)) if m.is_empty() => Value::Null,
            (_, body) => {
                let mut p = lower_camel(body);
                if matches!(name, "Encrypt" | "Decrypt")
                    && let Value::Object(m) = &mut p
                {
                    m.entry("encryptionAlgorithm")
                        .or_insert_with(|| Value::String("SYMMETRIC_DEFAULT".into()));
                }
                p
            }
        };
        let additional = (name == "RetireGrant")
            .then(|| call.body.get("GrantId").cloned())
            .flatten()
            .map(|g| serde_json::json!({"grantId": g}));
        let record = self.record(
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
        self.append_trail(vec![record])?;
        result.map(|o| o.output)
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
            other => Err(ApiError::new(
                ErrorCode::UnknownOperation,
                format!("{} is not a KMS operation", other.operation().name()),
            )),
        }
    }

    /// Builds a trail record with this engine's account and region.
    pub(crate) fn record(
        &self,
        spec: RecordSpec<'_>,
        now: ddbsse_reference::time::Timestamp,
    ) -> TrailRecord {
        super::trail::build(spec, &self.config.account, &self.config.region, now)
    }
}
