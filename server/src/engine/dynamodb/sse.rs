//! The KMS calls DynamoDB makes for a table (`spec/tables.md`, `spec/cache.md`): resolving and
//! checking the key a request selects, DescribeKey + CreateGrant + GenerateDataKey when a table
//! gets a KMS key, RetireGrant when it loses one, and the Decrypt of a data-plane request whose
//! table key is not cached. Each call appends its trail record; DynamoDB's view of a KMS
//! failure is the wrapped `ValidationException` / `AccessDeniedException` text AWS shows.

use std::sync::Arc;

use ddbsse_crypto::TableKey;
use ddbsse_wire::trail::TrailRecord;
use ddbsse_wire::validate::SseChoice;
use ddbsse_wire::{ApiError, dynamodb_errors, kms_errors};
use serde_json::{Value, json};

use crate::engine::cache::CacheKey;
use crate::engine::kms::crypto_ops::TableKeyFailure;
use crate::engine::kms::grants::DynamoDbAccess;
use crate::engine::kms::keys::Unresolved;
use crate::engine::state::{State, TableMeta, TableSse};
use crate::engine::table_crypto::TableCrypto;
use crate::engine::trail::{Actor, RecordSpec};
use crate::engine::{Call, Engine, lifecycle, random};
use ddbsse_wire::kms::DYNAMODB_GRANT_OPERATIONS;

/// A KMS failure as DynamoDB reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KmsFailure {
    /// The key is disabled (key ARN).
    Disabled(String),
    /// The key is pending deletion (key ARN).
    Pending(String),
    /// No such key (key ARN).
    KeyNotFound(String),
    /// No such alias (alias ARN).
    AliasNotFound(String),
    /// Grant missing or key deleted.
    AccessDenied,
}

impl KmsFailure {
    /// The error KMS answered DynamoDB's call with.
    pub fn kms_error(&self) -> ApiError {
        match self {
            KmsFailure::Disabled(arn) => kms_errors::disabled(arn),
            KmsFailure::Pending(arn) => kms_errors::pending_deletion(arn),
            KmsFailure::KeyNotFound(arn) => kms_errors::key_not_found(arn),
            KmsFailure::AliasNotFound(arn) => kms_errors::alias_not_found(arn),
            KmsFailure::AccessDenied => kms_errors::access_denied(),
        }
    }

    /// The DynamoDB error (`spec/tables.md#sse-key-unusable`, `#data-plane-errors`), with a
    /// fresh KMS request id.
    pub fn to_dynamodb_error(&self) -> ApiError {
        self.to_dynamodb_error_with(&random::uuid())
    }

    /// The DynamoDB error naming the failed KMS call's request id.
    //= spec/trail.md#request-id
    //# The `Request ID` inside a wrapped KMS error message (`spec/tables.md#sse-key-unusable`,
    //# `#data-plane-errors`) SHOULD be the `requestID` of the failed KMS record.
    pub fn to_dynamodb_error_with(&self, rid: &str) -> ApiError {
        kms_errors::wrapped_by_dynamodb(&self.kms_error(), rid)
    }

    /// `errorCode` and `errorMessage` of the failed KMS call's trail record.
    pub(crate) fn trail_error(&self) -> (String, String) {
        let e = self.kms_error();
        (e.name().to_owned(), e.message)
    }
}

/// What a table gets when it moves to a KMS key.
pub struct Provisioned {
    /// The key id.
    pub key_id: String,
    /// The key ARN.
    pub key_arn: String,
    /// The grant DynamoDB created.
    pub grant_id: String,
    /// The wrapped table key.
    pub wrapped: Vec<u8>,
    /// The plaintext table key (for re-encryption; dropped, and zeroized, after the request).
    pub table_key: TableKey,
}

impl Engine {
    /// Resolves and checks the key an SSE choice selects (`None` for the AWS owned key),
    /// creating the AWS managed key on first use and recording DynamoDB's DescribeKey.
    pub(crate) fn select_sse_key(
        &self,
        st: &mut State,
        call: &Call<'_>,
        choice: &SseChoice,
        records: &mut Vec<TrailRecord>,
    ) -> Result<Option<String>, ApiError> {
        let now = call.now;
        let (as_sent, resolved) = match choice {
            SseChoice::Owned => return Ok(None),
            //= spec/tables.md#sse-managed-key
            //# A CreateTable request whose `SSESpecification` is `{"Enabled": true}`, `{"Enabled": true, "SSEType": "KMS"}` or `{"SSEType": "KMS"}` MUST encrypt the table under the AWS managed key, creating that key first when it does not exist yet, as `spec/kms.md#aws-managed-key` describes.
            SseChoice::Managed => (
                crate::engine::kms::keys::MANAGED_ALIAS.to_owned(),
                self.ensure_managed_key(st, now).map_err(|_| {
                    Unresolved::Alias(self.alias_arn(crate::engine::kms::keys::MANAGED_ALIAS))
                }),
            ),
            //= spec/tables.md#sse-customer-key
            //# A `KMSMasterKeyId` given as a key id, a key ARN, an alias name (`alias/<name>`) or an alias ARN (`arn:aws:kms:<region>:<account>:alias/<name>`) MUST select the key it names, and all four forms of the same key MUST produce the same `KMSMasterKeyArn`, which is the key ARN `arn:aws:kms:<region>:<account>:key/<key id>`, never an alias ARN.
            SseChoice::Customer(name) => (name.clone(), self.resolve_key(st, name, now)),
        };
        let rid = random::uuid();
        let failure = match &resolved {
            Err(Unresolved::Key(arn)) => Some(KmsFailure::KeyNotFound(arn.clone())),
            Err(Unresolved::Alias(arn)) => Some(KmsFailure::AliasNotFound(arn.clone())),
            Ok(_) => None,
        };
        let key_arn = resolved.as_ref().ok().map(|id| self.key_arn(id));
        //= spec/trail.md#ddb-kms-calls
        //# Each DynamoDB request MUST produce exactly the KMS records the table above lists for it, in the order shown, with the identities shown, and no other KMS record.
        records.push(self.ddb_kms_record(
            call,
            RecordSpec {
                kms: true,
                event_name: "DescribeKey",
                actor: Actor::ViaDynamoDb(call.caller),
                request_parameters: json!({"keyId": as_sent}),
                response_elements: Value::Null,
                additional: None,
                request_id: rid.clone(),
                read_only: true,
                resource: key_arn,
                error: failure.as_ref().map(KmsFailure::trail_error),
            },
        ));
        if let Some(f) = failure {
            return Err(f.to_dynamodb_error_with(&rid));
        }
        let key_id = resolved.map_err(|_| KmsFailure::AccessDenied.to_dynamodb_error())?;
        self.check_key_selectable(st, &key_id, now, &rid)?;
        Ok(Some(key_id))
    }

    /// The state check of a key a CreateTable or UpdateTable selects (or a table's current
    /// key before a switch): disabled and pending deletion are refused.
    pub(crate) fn check_key_selectable(
        &self,
        st: &State,
        key_id: &str,
        now: ddbsse_wire::time::Timestamp,
        rid: &str,
    ) -> Result<(), ApiError> {
        let arn = self.key_arn(key_id);
        let Some(k) = st.live_key(key_id, now) else {
            return Err(KmsFailure::KeyNotFound(arn).to_dynamodb_error_with(rid));
        };
        match k.rec.status {
            crate::engine::state::KeyStatus::Enabled => Ok(()),
            //= spec/tables.md#sse-key-unusable
            //# A CreateTable or UpdateTable that selects a disabled key MUST fail with `ValidationException` and the message below:
            crate::engine::state::KeyStatus::Disabled => {
                Err(KmsFailure::Disabled(arn).to_dynamodb_error_with(rid))
            }
            //= spec/tables.md#sse-key-unusable
            //# A CreateTable or UpdateTable that selects a key pending deletion MUST fail with `ValidationException` and the message below:
            crate::engine::state::KeyStatus::PendingDeletion { .. } => {
                Err(KmsFailure::Pending(arn).to_dynamodb_error_with(rid))
            }
        }
    }

    /// A record of a KMS call DynamoDB made (its own KMS request id).
    fn ddb_kms_record(&self, call: &Call<'_>, spec: RecordSpec<'_>) -> TrailRecord {
        self.record(spec, call.now)
    }

    //= spec/tables.md#update-switch
    //# An accepted switch MUST create a grant on the new key and a new table key under it when the new key is a KMS key, and MUST retire the table's grant on the old key when the table used a KMS key, as `spec/trail.md#ddb-kms-calls` lists.
    /// CreateGrant and GenerateDataKey for a table moving to `key_id` (after its DescribeKey).
    pub(crate) fn provision_kms_table_key(
        &self,
        st: &mut State,
        call: &Call<'_>,
        table_name: &str,
        key_id: &str,
        records: &mut Vec<TrailRecord>,
    ) -> Result<Provisioned, ApiError> {
        let key_arn = self.key_arn(key_id);
        let ctx = ddbsse_crypto::EncryptionContext::for_table(table_name, &self.config.account)
            .map_err(|_| ApiError::validation("Table name too long for an encryption context"))?;
        let grant = self.create_table_grant(st, key_id, &ctx, call.now)?;
        records.push(self.ddb_kms_record(
            call,
            RecordSpec {
                kms: true,
                event_name: "CreateGrant",
                actor: Actor::ViaDynamoDb(call.caller),
                request_parameters: json!({
                    "keyId": key_arn,
                    "retiringPrincipal": self.dynamodb_principal(),
                    "constraints": {"encryptionContextSubset": ctx.pairs()},
                    "granteePrincipal": self.dynamodb_principal(),
                    "operations": DYNAMODB_GRANT_OPERATIONS,
                }),
                response_elements: json!({"grantId": grant.grant_id, "keyId": key_arn}),
                additional: None,
                request_id: random::uuid(),
                read_only: false,
                resource: Some(key_arn.clone()),
                error: None,
            },
        ));
        let (table_key, wrapped) = self.generate_table_key(st, key_id, &ctx)?;
        //= spec/trail.md#key-material-tls
        //# Records of successful GenerateDataKey and Decrypt calls MUST carry `"additionalEventData": {"keyMaterialId": <the key's CurrentKeyMaterialId>}`, whether a caller or DynamoDB made the call.
        let material = st
            .keys
            .get(key_id)
            .map(|k| json!({"keyMaterialId": k.key_material_id()}));
        records.push(self.ddb_kms_record(
            call,
            RecordSpec {
                kms: true,
                event_name: "GenerateDataKey",
                actor: Actor::DynamoDbService,
                request_parameters: json!({"encryptionContext": ctx.pairs(), "keySpec": "AES_256", "keyId": key_arn}),
                response_elements: Value::Null,
                additional: material,
                request_id: random::uuid(),
                read_only: true,
                resource: Some(key_arn.clone()),
                error: None,
            },
        ));
        Ok(Provisioned {
            key_id: key_id.to_owned(),
            key_arn,
            grant_id: grant.grant_id,
            wrapped,
            table_key,
        })
    }

    /// RetireGrant of the table's grant, if it still exists.
    pub(crate) fn retire_table_grant(
        &self,
        st: &mut State,
        call: &Call<'_>,
        meta: &TableMeta,
        records: &mut Vec<TrailRecord>,
    ) -> Result<(), ApiError> {
        let (Some(grant_id), TableSse::Kms { key_arn, .. }) = (&meta.grant_id, &meta.sse) else {
            return Ok(());
        };
        if !st.grants.contains_key(grant_id) {
            return Ok(());
        }
        self.delete_grant(st, grant_id)?;
        records.push(self.ddb_kms_record(
            call,
            RecordSpec {
                kms: true,
                event_name: "RetireGrant",
                actor: Actor::ViaDynamoDb(call.caller),
                request_parameters: Value::Null,
                response_elements: Value::Null,
                additional: Some(json!({"grantId": grant_id})),
                request_id: random::uuid(),
                read_only: false,
                resource: Some(key_arn.to_owned()),
                error: None,
            },
        ));
        Ok(())
    }

    /// The table crypto a data-plane request uses: the owned key's, or the cached entry of
    /// (principal, connection, table, generation), fetched with a KMS Decrypt when missing or
    /// 300 s old.
    pub(crate) fn data_plane_crypto(
        &self,
        st: &State,
        meta: &TableMeta,
        call: &Call<'_>,
    ) -> Result<Arc<TableCrypto>, ApiError> {
        //= spec/tables.md#status-archival
        //# Data-plane requests on an `ARCHIVING` or `ARCHIVED` table MUST fail with `ValidationException` and the message `Table <table name> is archived`.
        if lifecycle::status(meta, call.now).archived() {
            return Err(dynamodb_errors::table_archived(&meta.name));
        }
        let (key_id, key_arn) = match &meta.sse {
            TableSse::Owned => return self.owned_table_crypto(meta),
            TableSse::Kms { key_id, key_arn } => (key_id, key_arn),
        };
        //= spec/cache.md#scope
        //# A data-plane request MUST NOT use an entry created for another principal, another connection, another table or another table-key generation.
        let cache_key = CacheKey {
            principal: call.caller.access_key_id.clone(),
            connection: call.caller.connection,
            table_uid: meta.uid_bytes(),
            generation: meta.generation,
        };
        if let Some(c) = self.cache.get_fresh(&cache_key, call.now) {
            return Ok(c);
        }
        //= spec/cache.md#refresh
        //# Each fetch and each refresh MUST be exactly one KMS Decrypt of the table's wrapped table key, made as the calling principal with `invokedBy` `dynamodb.amazonaws.com` and the table's encryption context, and recorded as `spec/trail.md#ddb-kms-calls` says.
        let ctx = meta.context(&self.config.account);
        let result = self.decrypt_table_key(st, key_id, &meta.wrapped(), &ctx, call.now);
        let failure = result.as_ref().err().map(|f| match f {
            TableKeyFailure::Disabled => KmsFailure::Disabled(key_arn.clone()),
            TableKeyFailure::PendingDeletion => KmsFailure::Pending(key_arn.clone()),
            TableKeyFailure::Denied => KmsFailure::AccessDenied,
        });
        let rid = random::uuid();
        if !self.config.faults.trail_drops_decrypt {
            let resource = st.live_key(key_id, call.now).map(|_| key_arn.clone());
            //= spec/trail.md#key-material-tls
            //# Records of successful GenerateDataKey and Decrypt calls MUST carry `"additionalEventData": {"keyMaterialId": <the key's CurrentKeyMaterialId>}`, whether a caller or DynamoDB made the call.
            let material = result
                .as_ref()
                .ok()
                .and_then(|_| st.keys.get(key_id))
                .map(|k| json!({"keyMaterialId": k.key_material_id()}));
            let record = self.ddb_kms_record(
                call,
                RecordSpec {
                    kms: true,
                    event_name: "Decrypt",
                    actor: Actor::ViaDynamoDb(call.caller),
                    request_parameters: json!({"encryptionContext": ctx.pairs(), "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}),
                    response_elements: Value::Null,
                    additional: material,
                    request_id: rid.clone(),
                    read_only: true,
                    resource,
                    error: failure.as_ref().map(KmsFailure::trail_error),
                },
            );
            self.append_trail(vec![record])?;
        }
        match result {
            Ok(table_key) => {
                let crypto = Arc::new(TableCrypto::new(
                    &table_key,
                    &meta.arn(&self.config.region, &self.config.account),
                )?);
                self.cache.insert(cache_key, call.now, crypto.clone());
                Ok(crypto)
            }
            Err(_) => {
                self.cache.remove(&cache_key);
                Err(failure
                    .unwrap_or(KmsFailure::AccessDenied)
                    .to_dynamodb_error_with(&rid))
            }
        }
    }

    /// Whether DynamoDB can use the table's key now (for a key switch: only disabled and
    /// pending deletion block it, `spec/tables.md#update-old-key-unusable`).
    pub(crate) fn current_key_blocks_switch(
        &self,
        st: &State,
        call: &Call<'_>,
        meta: &TableMeta,
        records: &mut Vec<TrailRecord>,
    ) -> Result<(), ApiError> {
        let TableSse::Kms { key_id, key_arn } = &meta.sse else {
            return Ok(());
        };
        //= spec/tables.md#update-old-key-unusable
        //# While a table's current key is disabled or pending deletion, an UpdateTable with `SSESpecification` MUST fail with the message of section 3.7 that names the current key, whatever key the request selects.
        let failure =
            match self.dynamodb_access(st, key_id, &meta.context(&self.config.account), call.now) {
                DynamoDbAccess::Disabled => KmsFailure::Disabled(key_arn.clone()),
                DynamoDbAccess::PendingDeletion => KmsFailure::Pending(key_arn.clone()),
                DynamoDbAccess::Usable | DynamoDbAccess::Denied => return Ok(()),
            };
        let rid = random::uuid();
        records.push(self.ddb_kms_record(
            call,
            RecordSpec {
                kms: true,
                event_name: "DescribeKey",
                actor: Actor::ViaDynamoDb(call.caller),
                request_parameters: json!({"keyId": key_arn}),
                response_elements: Value::Null,
                additional: None,
                request_id: rid.clone(),
                read_only: true,
                resource: Some(key_arn.clone()),
                error: None,
            },
        ));
        Err(failure.to_dynamodb_error_with(&rid))
    }
}
