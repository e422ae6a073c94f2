//! The KMS calls DynamoDB makes on a table's behalf (`spec/trail.md#ddb-kms-calls`): DescribeKey
//! of the chosen key, CreateGrant for the table, GenerateDataKey of a new table key, Decrypt of
//! the table key on a cache miss, RetireGrant of the table's grant.
//!
//! Each one changes the KMS state exactly as the direct operation would, records its CloudTrail
//! record, and (on failure) returns the error DynamoDB wraps around KMS's
//! (`spec/tables.md#sse-key-unusable`, `#data-plane-errors`).

use ddbsse_wire::kms::{SUBSCRIBER_ID_CONTEXT_KEY, TABLE_NAME_CONTEXT_KEY};
use serde_json::json;

use ddbsse_crypto::{EncryptionContext, TableKey};
use ddbsse_wire::caller::Caller;
use ddbsse_wire::kms::{DYNAMODB_GRANT_OPERATIONS, GrantConstraints};
use ddbsse_wire::kms_errors::{self, wrapped_by_dynamodb};
use ddbsse_wire::time::Timestamp;
use ddbsse_wire::{ApiError, ErrorCode};

use super::Model;
use super::key_ref::{KeyRef, MANAGED_ALIAS};
use super::key_state::{KeyOpClass, KeyState};
use super::kms_crypto;
use super::kms_grants::GrantSpec;

impl Model {
    /// The table's encryption context (`spec/tables.md#terms`).
    pub(super) fn table_context(
        &self,
        table_name: &str,
    ) -> serde_json::Map<String, serde_json::Value> {
        let mut m = serde_json::Map::new();
        m.insert(TABLE_NAME_CONTEXT_KEY.into(), table_name.into());
        m.insert(
            SUBSCRIBER_ID_CONTEXT_KEY.into(),
            self.config.account.clone().into(),
        );
        m
    }

    fn table_context_map(&self, table_name: &str) -> std::collections::BTreeMap<String, String> {
        std::collections::BTreeMap::from([
            (TABLE_NAME_CONTEXT_KEY.to_owned(), table_name.to_owned()),
            (
                SUBSCRIBER_ID_CONTEXT_KEY.to_owned(),
                self.config.account.clone(),
            ),
        ])
    }

    /// DescribeKey by DynamoDB of `given` (`KMSMasterKeyId` as sent, or `alias/aws/dynamodb`),
    /// creating the AWS managed key on first use. Returns the key, or DynamoDB's error.
    pub(super) fn ddb_describe_key(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        given: &str,
    ) -> Result<usize, ApiError> {
        let r = KeyRef::parse(given, &self.config.region, &self.config.account);
        let found = if r.is_managed_alias() {
            Some(self.ensure_managed_key(now))
        } else {
            self.kms.resolve(&r)
        };
        let mut call = self.service_call("DescribeKey", caller, false);
        call.request_parameters = json!({"keyId": given});
        let request_id = call.request_id.clone();
        match found {
            Some(i) => {
                call.resources = vec![self.key_resource(&self.kms.keys[i].arn)];
                self.emit(now, call);
                Ok(i)
            }
            None => {
                let e = ApiError::new(
                    ErrorCode::NotFound,
                    r.not_found_message(&self.config.region, &self.config.account),
                );
                call.error = Some(e.clone());
                self.emit(now, call);
                Err(wrapped_by_dynamodb(&e, &request_id))
            }
        }
    }

    /// The error DynamoDB reports when the key it described is disabled or pending deletion.
    pub(super) fn ddb_key_state_error(&self, i: usize) -> Option<ApiError> {
        let request_id = self
            .pending
            .last()
            .map(|r| r.request_id.clone())
            .unwrap_or_default();
        self.check_key_state(i, KeyOpClass::Cryptographic)
            .err()
            .map(|e| wrapped_by_dynamodb(&e, &request_id))
    }

    /// DescribeKey of `given` then the state check: what CreateTable and UpdateTable do before
    /// they create anything.
    pub(super) fn ddb_select_key(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        given: Option<&str>,
    ) -> Result<usize, ApiError> {
        let i = self.ddb_describe_key(now, caller, given.unwrap_or(MANAGED_ALIAS))?;
        match self.ddb_key_state_error(i) {
            Some(e) => Err(e),
            None => Ok(i),
        }
    }

    /// CreateGrant by DynamoDB for `table_name` on key `i`; returns the grant id.
    pub(super) fn ddb_create_grant(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        i: usize,
        table_name: &str,
    ) -> String {
        let principal = self.dynamodb_principal();
        let context = self.table_context_map(table_name);
        let name = ddbsse_wire::ids::IdSource::uuid(&mut self.ids);
        let (grant_id, _token) = self.add_grant(
            now,
            i,
            GrantSpec {
                name: Some(name),
                grantee: principal.clone(),
                service_grantee: false,
                retiring: Some(principal.clone()),
                operations: DYNAMODB_GRANT_OPERATIONS
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect(),
                constraints: Some(GrantConstraints {
                    encryption_context_subset: Some(context),
                    encryption_context_equals: None,
                }),
            },
        );
        let arn = self.kms.keys[i].arn.clone();
        let mut call = self.service_call("CreateGrant", caller, false);
        //= spec/trail.md#request-parameters
        //# | CreateGrant by DynamoDB | `{"keyId": <key ARN>, "retiringPrincipal": "dynamodb.<region>.amazonaws.com", "constraints": {"encryptionContextSubset": <context>}, "granteePrincipal": "dynamodb.<region>.amazonaws.com", "operations": [the seven operations of spec/kms.md#dynamodb-grant]}` |
        call.request_parameters = json!({
            "keyId": arn,
            "retiringPrincipal": principal,
            "constraints": {"encryptionContextSubset": self.table_context(table_name)},
            "granteePrincipal": principal,
            "operations": DYNAMODB_GRANT_OPERATIONS,
        });
        call.response_elements = json!({"grantId": grant_id, "keyId": arn});
        call.resources = vec![self.key_resource(&arn)];
        self.emit(now, call);
        grant_id
    }

    /// GenerateDataKey (`AES_256`) by DynamoDB's service account: a new table key under key `i`,
    /// returned wrapped.
    pub(super) fn ddb_generate_table_key(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        i: usize,
        table_name: &str,
    ) -> Result<Vec<u8>, ApiError> {
        let mut material = zeroize::Zeroizing::new([0u8; 32]);
        self.secrets.fill(&mut material[..]);
        let context = self.table_context_map(table_name);
        let blob = self.seal_under(i, &material[..], Some(&context))?;
        let arn = self.kms.keys[i].arn.clone();
        let mut call = self.service_call("GenerateDataKey", caller, true);
        //= spec/trail.md#request-parameters
        //# | GenerateDataKey by DynamoDB | `{"encryptionContext": <context>, "keySpec": "AES_256", "keyId": <key ARN>}` |
        call.request_parameters = json!({
            "encryptionContext": self.table_context(table_name),
            "keySpec": "AES_256",
            "keyId": arn,
        });
        call.resources = vec![self.key_resource(&arn)];
        //= spec/trail.md#key-material-tls
        //# Records of successful GenerateDataKey and Decrypt calls MUST carry `"additionalEventData": {"keyMaterialId": <the key's CurrentKeyMaterialId>}`, whether a caller or DynamoDB made the call.
        call.additional_event_data =
            Some(json!({"keyMaterialId": self.kms.keys[i].material_id.clone()}));
        self.emit(now, call);
        Ok(blob)
    }

    /// Whether DynamoDB may use key `arn` for `table_name` right now (`spec/tables.md#status-inaccessible`).
    pub(super) fn key_usable_for(&self, arn: &str, table_name: &str) -> bool {
        self.ddb_decrypt_check(arn, table_name).is_ok()
    }

    /// KMS's answer to a Decrypt DynamoDB makes for `table_name` under key `arn`, without the
    /// cryptography: unknown key, key state, grant.
    fn ddb_decrypt_check(&self, arn: &str, table_name: &str) -> Result<usize, ApiError> {
        let denied = || kms_errors::access_denied();
        let i = self.kms.by_arn(arn).ok_or_else(denied)?;
        self.check_key_state(i, KeyOpClass::Cryptographic)?;
        let principal = self.dynamodb_principal();
        let context = self.table_context_map(table_name);
        if !self.kms.keys[i]
            .grants
            .iter()
            .any(|g| g.allows(&principal, "Decrypt", &context))
        {
            return Err(denied());
        }
        Ok(i)
    }

    //= spec/cache.md#refresh
    //# Each fetch and each refresh MUST be exactly one KMS Decrypt of the table's wrapped table key, made as the calling principal with `invokedBy` `dynamodb.amazonaws.com` and the table's encryption context, and recorded as `spec/trail.md#ddb-kms-calls` says.
    /// Decrypt of a table's wrapped table key by DynamoDB as the caller. On failure, returns
    /// DynamoDB's data-plane error (`spec/tables.md#data-plane-errors`).
    pub(super) fn ddb_decrypt_table_key(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        arn: &str,
        table_name: &str,
        wrapped: &[u8],
    ) -> Result<TableKey, ApiError> {
        let checked = self.ddb_decrypt_check(arn, table_name);
        let opened = checked.clone().and_then(|i| {
            let ctx = EncryptionContext::for_table(table_name, &self.config.account)
                .map_err(|_| ApiError::new(ErrorCode::InvalidCiphertext, ""))?;
            let material = self.kms.keys[i]
                .material
                .as_ref()
                .ok_or_else(|| ApiError::new(ErrorCode::InvalidCiphertext, ""))?;
            let plaintext = kms_crypto::open(material, wrapped, &ctx)
                .map_err(|_| ApiError::new(ErrorCode::InvalidCiphertext, ""))?;
            TableKey::from_plaintext(&plaintext)
                .map_err(|_| ApiError::new(ErrorCode::InvalidCiphertext, ""))
        });
        let mut call = self.service_call("Decrypt", caller, false);
        //= spec/trail.md#request-parameters
        //# | Decrypt (by DynamoDB or a caller) | `{"encryptionContext": <context, when not empty>, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}` plus `keyId` when the request named one |
        call.request_parameters = json!({
            "encryptionContext": self.table_context(table_name),
            "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
        });
        if self.kms.by_arn(arn).is_some() {
            call.resources = vec![self.key_resource(arn)];
        }
        let request_id = call.request_id.clone();
        match opened {
            Ok(table_key) => {
                if let Ok(i) = checked {
                    call.additional_event_data =
                        Some(json!({"keyMaterialId": self.kms.keys[i].material_id.clone()}));
                }
                self.emit(now, call);
                Ok(table_key)
            }
            Err(e) => {
                call.error = Some(e.clone());
                self.emit(now, call);
                Err(data_plane_error(&e, &request_id))
            }
        }
    }

    /// RetireGrant by DynamoDB of the table's grant on key `arn`, when both still exist.
    pub(super) fn ddb_retire_grant(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        arn: &str,
        grant_id: &str,
    ) {
        let Some(i) = self.kms.by_arn(arn) else {
            return;
        };
        let Some(gi) = self.kms.keys[i]
            .grants
            .iter()
            .position(|g| g.id == grant_id)
        else {
            return;
        };
        if self.kms.keys[i].state == KeyState::Deleted {
            return;
        }
        self.kms.keys[i].grants.remove(gi);
        let mut call = self.service_call("RetireGrant", caller, false);
        //= spec/trail.md#request-parameters
        //# | RetireGrant (by DynamoDB or a caller) | `null` |
        call.request_parameters = serde_json::Value::Null;
        call.additional_event_data = Some(json!({"grantId": grant_id}));
        call.resources = vec![self.key_resource(arn)];
        self.emit(now, call);
    }
}

/// DynamoDB's data-plane error for a failed Decrypt of the table key.
pub fn data_plane_error(kms: &ApiError, request_id: &str) -> ApiError {
    //= spec/tables.md#data-plane-errors
    //# When the table's key is disabled, the request MUST fail with `ValidationException` and the message below:
    //= spec/tables.md#data-plane-errors
    //# When the table's key is pending deletion, the request MUST fail with `ValidationException` and the message below:
    //= spec/tables.md#data-plane-errors
    //# When the table's grant is missing or the key is deleted, the request MUST fail with `AccessDeniedException` and the message below:
    wrapped_by_dynamodb(kms, request_id)
}
