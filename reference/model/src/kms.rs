//! The model's KMS state: keys (with their state, material and grants) and aliases, how a key
//! reference resolves to a key, and the errors shared by every KMS operation (unknown key, key
//! state, direct use of the AWS managed key).
//!
//! The operations themselves are in `kms_keys.rs`, `kms_grants.rs` and `kms_crypto_ops.rs`; the
//! calls DynamoDB makes are in `service_calls.rs`. Key material lives only here, inside
//! [`KeyMaterial`], which is zeroized on drop and never printed.

use std::collections::BTreeMap;

use ddbsse_crypto::KeyMaterial;
use ddbsse_wire::ids::IdSource;
use ddbsse_wire::kms::SYMMETRIC_DEFAULT;
use ddbsse_wire::kms::{GrantConstraints, KeyMetadata};
use ddbsse_wire::time::Timestamp;
use ddbsse_wire::{ApiError, ErrorCode, arn, kms_errors};

use super::Model;
use super::key_ref::{KeyRef, MANAGED_ALIAS};
use super::key_state::{
    KeyEvent, KeyOpClass, KeyState, KeyStateEffect, key_state_effect, next_key_state,
};

pub use ddbsse_wire::kms_errors::MANAGED_KEY_DESCRIPTION;

/// One grant on a key.
#[derive(Clone, Debug)]
pub struct Grant {
    pub id: String,
    pub token: String,
    pub name: Option<String>,
    pub grantee: String,
    /// The grantee came as `GranteeServicePrincipal` (else `GranteePrincipal`).
    pub service_grantee: bool,
    pub retiring: Option<String>,
    pub operations: Vec<String>,
    pub constraints: Option<GrantConstraints>,
    pub created: Timestamp,
}

impl Grant {
    //= spec/kms.md#grant-table-access
    //# A target MUST treat a table's key as usable by DynamoDB only while some grant on it has grantee `dynamodb.<region>.amazonaws.com`, includes `Decrypt`, and has an `EncryptionContextSubset` contained in the table's encryption context (or an `EncryptionContextEquals` equal to it, or no constraint).
    /// Whether this grant lets `grantee` perform `operation` under `context`.
    pub fn allows(
        &self,
        grantee: &str,
        operation: &str,
        context: &BTreeMap<String, String>,
    ) -> bool {
        if self.grantee != grantee || !self.operations.iter().any(|o| o == operation) {
            return false;
        }
        match &self.constraints {
            None => true,
            Some(c) => {
                let subset_ok = c
                    .encryption_context_subset
                    .as_ref()
                    .is_none_or(|subset| subset.iter().all(|(k, v)| context.get(k) == Some(v)));
                let equals_ok = c
                    .encryption_context_equals
                    .as_ref()
                    .is_none_or(|equals| equals == context);
                subset_ok && equals_ok
            }
        }
    }
}

/// One KMS key.
#[derive(Clone, Debug)]
pub struct Key {
    pub id: String,
    pub arn: String,
    pub created: Timestamp,
    pub description: String,
    pub state: KeyState,
    pub deletion_date: Option<Timestamp>,
    pub pending_window_days: Option<i64>,
    /// `CurrentKeyMaterialId`: fixed at creation (no rotation is modelled).
    pub material_id: String,
    /// `KeyManager` `AWS` (the key behind `alias/aws/dynamodb`).
    pub managed: bool,
    /// `None` once deleted.
    pub material: Option<KeyMaterial>,
    /// In creation order.
    pub grants: Vec<Grant>,
    /// The key policy document; `None`: the default key policy (`spec/kms.md#key-policy`).
    pub policy: Option<String>,
    /// Tags, by key (`spec/kms.md#tags`).
    pub tags: BTreeMap<String, String>,
    /// Automatic rotation, when enabled (`spec/kms.md#rotation`).
    pub rotation: Option<Rotation>,
}

/// Automatic rotation of a key's material, as EnableKeyRotation set it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rotation {
    /// `RotationPeriodInDays`.
    pub period_days: i64,
    /// When rotation was enabled (the period counts from here).
    pub since: Timestamp,
}

/// One alias.
#[derive(Clone, Debug)]
pub struct Alias {
    pub target_key_id: String,
    pub created: Timestamp,
    pub updated: Timestamp,
}

/// Keys (in creation order, deleted ones kept as tombstones) and aliases (by name).
#[derive(Clone, Debug, Default)]
pub struct KmsState {
    pub keys: Vec<Key>,
    pub aliases: BTreeMap<String, Alias>,
}

/// Which key-id forms an operation accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forms {
    /// Key id, key ARN, alias name, alias ARN.
    All,
    /// Key id and key ARN only.
    IdOrArn,
}

impl KmsState {
    /// The existing (not deleted) key with this id.
    pub fn by_id(&self, id: &str) -> Option<usize> {
        self.keys
            .iter()
            .position(|k| k.id == id && k.state != KeyState::Deleted)
    }

    /// The existing key with this ARN.
    pub fn by_arn(&self, arn: &str) -> Option<usize> {
        self.keys
            .iter()
            .position(|k| k.arn == arn && k.state != KeyState::Deleted)
    }

    /// The AWS managed key, once created.
    pub fn managed(&self) -> Option<usize> {
        self.keys
            .iter()
            .position(|k| k.managed && k.state != KeyState::Deleted)
    }

    /// Resolves a parsed reference to an existing key, without side effects.
    pub fn resolve(&self, r: &KeyRef) -> Option<usize> {
        if let Some(name) = r.alias_name() {
            let alias = self.aliases.get(name)?;
            return self.by_id(&alias.target_key_id);
        }
        self.by_id(r.key_id()?)
    }

    /// The grant with this token, as (key index, grant index).
    pub fn grant_by_token(&self, token: &str) -> Option<(usize, usize)> {
        self.keys.iter().enumerate().find_map(|(ki, k)| {
            k.grants
                .iter()
                .position(|g| g.token == token)
                .map(|gi| (ki, gi))
        })
    }
}

pub use ddbsse_wire::kms_errors::null_member as missing;

/// The model's key material id of the key `arn`: the lowercase hex SHA-256 of a fixed label and
/// the key ARN. `spec/kms.md#create-key` asks only for 64 lowercase hex digits that stay the same
/// for the key's life; deriving from the ARN keeps the model's id and secret streams untouched and
/// says nothing about the material itself.
pub fn key_material_id(arn: &str) -> String {
    use sha2::Digest as _;
    let mut h = sha2::Sha256::new();
    h.update(b"ddbsse-model:key-material-id:v1\0");
    h.update(arn.as_bytes());
    hex::encode(h.finalize())
}

impl Model {
    /// The ARN of a key id in this account and region.
    pub(super) fn key_arn_for(&self, id: &str) -> String {
        arn::kms_key(&self.config.region, &self.config.account, id)
    }

    /// Creates a key in state `Enabled` (the `Create` transition) and returns its index.
    pub(super) fn create_key_record(
        &mut self,
        now: Timestamp,
        description: String,
        managed: bool,
    ) -> usize {
        let id = self.ids.uuid();
        let arn = self.key_arn_for(&id);
        let material_id = key_material_id(&arn);
        let state = next_key_state(KeyState::Absent, KeyEvent::Create).unwrap_or(KeyState::Enabled);
        //= spec/kms.md#create-key
        //# CreateKey MUST create an enabled symmetric key with 256 bits of fresh random key material and return its `KeyMetadata`.
        let material = self.secrets.key_material();
        self.kms.keys.push(Key {
            id,
            arn,
            created: now,
            description,
            state,
            deletion_date: None,
            pending_window_days: None,
            material_id,
            managed,
            material: Some(material),
            grants: Vec::new(),
            policy: None,
            tags: BTreeMap::new(),
            rotation: None,
        });
        self.kms.keys.len() - 1
    }

    //= spec/kms.md#aws-managed-key
    //# The first CreateTable or UpdateTable that selects the AWS managed key, or the first DescribeKey naming `alias/aws/dynamodb` or its alias ARN, MUST create one key with `KeyManager` `AWS` and `Description` `Default key that protects my DynamoDB data when no other key is defined`, and point `alias/aws/dynamodb` at it.
    /// The AWS managed key, created (with its alias) on first use.
    pub(super) fn ensure_managed_key(&mut self, now: Timestamp) -> usize {
        if let Some(i) = self.kms.managed() {
            return i;
        }
        let i = self.create_key_record(now, MANAGED_KEY_DESCRIPTION.to_owned(), true);
        let target_key_id = self.kms.keys[i].id.clone();
        self.kms.aliases.insert(
            MANAGED_ALIAS.to_owned(),
            Alias {
                target_key_id,
                created: now,
                updated: now,
            },
        );
        i
    }

    /// Resolves a request's `KeyId` for a direct KMS operation. `create_managed` lets a reference
    /// to `alias/aws/dynamodb` create the AWS managed key (DescribeKey).
    pub(super) fn resolve_key(
        &mut self,
        now: Timestamp,
        given: Option<&str>,
        forms: Forms,
        create_managed: bool,
    ) -> Result<usize, ApiError> {
        let given = given.ok_or_else(|| missing("keyId"))?;
        let r = KeyRef::parse(given, &self.config.region, &self.config.account);
        //= spec/kms.md#key-ids
        //# DescribeKey, Encrypt, GenerateDataKey and the optional `KeyId` of Decrypt MUST accept a key id, a key ARN, an alias name and an alias ARN, and every other operation of this file MUST accept a key id and a key ARN.
        //= spec/kms.md#key-ids
        //# An alias given where only a key id or key ARN is accepted SHOULD fail like an unknown key id.
        if r.is_alias() && forms == Forms::IdOrArn {
            let as_key = match r {
                KeyRef::AliasName(name) => KeyRef::Id(name),
                _ => KeyRef::KeyArn {
                    arn: given.to_owned(),
                    local: false,
                    id: String::new(),
                },
            };
            return Err(ApiError::new(
                ErrorCode::NotFound,
                as_key.not_found_message(&self.config.region, &self.config.account),
            ));
        }
        if create_managed && r.is_managed_alias() {
            return Ok(self.ensure_managed_key(now));
        }
        self.kms.resolve(&r).ok_or_else(|| {
            ApiError::new(
                ErrorCode::NotFound,
                r.not_found_message(&self.config.region, &self.config.account),
            )
        })
    }

    /// The key-state error (if any) of an operation of `class` on key `i`.
    pub(super) fn check_key_state(&self, i: usize, class: KeyOpClass) -> Result<(), ApiError> {
        let key = &self.kms.keys[i];
        match key_state_effect(class, key.state) {
            KeyStateEffect::Ok => Ok(()),
            //= spec/kms.md#key-state-effects
            //# The disabled error MUST be `DisabledException` with the message `<key arn> is disabled.`, the pending error `KMSInvalidStateException` with `<key arn> is pending deletion.`, and the not-pending error `KMSInvalidStateException` with `<key arn> is not pending deletion.`.
            KeyStateEffect::DisabledError => Err(kms_errors::disabled(&key.arn)),
            //= spec/kms.md#key-state-effects
            //# The disabled error MUST be `DisabledException` with the message `<key arn> is disabled.`, the pending error `KMSInvalidStateException` with `<key arn> is pending deletion.`, and the not-pending error `KMSInvalidStateException` with `<key arn> is not pending deletion.`.
            KeyStateEffect::PendingError => Err(kms_errors::pending_deletion(&key.arn)),
            //= spec/kms.md#key-state-effects
            //# The disabled error MUST be `DisabledException` with the message `<key arn> is disabled.`, the pending error `KMSInvalidStateException` with `<key arn> is pending deletion.`, and the not-pending error `KMSInvalidStateException` with `<key arn> is not pending deletion.`.
            KeyStateEffect::NotPendingError => Err(kms_errors::not_pending_deletion(&key.arn)),
        }
    }

    //= spec/kms.md#aws-managed-key
    //# A direct Encrypt, Decrypt, GenerateDataKey, CreateGrant, EnableKey, DisableKey, ScheduleKeyDeletion or CancelKeyDeletion on the AWS managed key MUST fail with `AccessDeniedException` and the message `User: <caller arn> is not authorized to perform: kms:<Action> on resource: <key arn> because no resource-based policy allows the kms:<Action> action`.
    //= spec/kms.md#aws-managed-key
    //# A direct PutKeyPolicy, EnableKeyRotation, DisableKeyRotation, TagResource, UntagResource, UpdateKeyDescription, GenerateDataKeyWithoutPlaintext, ReEncrypt (as `kms:ReEncryptFrom` on the source key and `kms:ReEncryptTo` on the destination key), UpdateAlias (old or new key) or DeleteAlias on the AWS managed key MUST fail with `AccessDeniedException` and the message `User: <caller arn> is not authorized to perform: kms:<Action> on resource: <key arn> because no resource-based policy allows the kms:<Action> action`, `<Action>` being the operation name (`ReEncryptFrom` or `ReEncryptTo` for ReEncrypt).
    /// Refuses a direct use of the AWS managed key by a caller.
    pub(super) fn deny_managed(
        &self,
        i: usize,
        access_key_id: &str,
        action: &str,
    ) -> Result<(), ApiError> {
        let key = &self.kms.keys[i];
        if !key.managed {
            return Ok(());
        }
        Err(ApiError::new(
            ErrorCode::AccessDenied,
            format!(
                "User: arn:aws:iam::{}:user/{access_key_id} is not authorized to perform: kms:{action} on resource: {} because no resource-based policy allows the kms:{action} action",
                self.config.account, key.arn
            ),
        ))
    }

    /// Applies a key-state transition from the table; `None` when the pair is not one.
    pub(super) fn transition_key(&mut self, i: usize, event: KeyEvent) -> Option<KeyState> {
        let key = &mut self.kms.keys[i];
        let to = next_key_state(key.state, event)?;
        key.state = to;
        Some(to)
    }

    //= spec/kms.md#create-key
    //# `KeyMetadata` MUST carry exactly the members of the table below with the values shown.
    //= spec/kms.md#create-key
    //# `KeyMetadata` MUST NOT carry `PendingDeletionWindowInDays`, in any key state.
    /// The `KeyMetadata` of key `i` (the window of a key pending deletion stays in
    /// [`Key::pending_window_days`]; it is not a member).
    pub(super) fn key_metadata(&self, i: usize) -> KeyMetadata {
        let key = &self.kms.keys[i];
        let pending = key.state == KeyState::PendingDeletion;
        KeyMetadata {
            aws_account_id: self.config.account.clone(),
            key_id: key.id.clone(),
            arn: key.arn.clone(),
            creation_date: key.created.epoch_seconds(),
            enabled: key.state == KeyState::Enabled,
            description: key.description.clone(),
            key_usage: "ENCRYPT_DECRYPT".to_owned(),
            key_state: key.state.wire_name().to_owned(),
            deletion_date: if pending {
                key.deletion_date.map(Timestamp::epoch_seconds)
            } else {
                None
            },
            origin: "AWS_KMS".to_owned(),
            key_manager: if key.managed { "AWS" } else { "CUSTOMER" }.to_owned(),
            customer_master_key_spec: SYMMETRIC_DEFAULT.to_owned(),
            key_spec: SYMMETRIC_DEFAULT.to_owned(),
            encryption_algorithms: vec![SYMMETRIC_DEFAULT.to_owned()],
            multi_region: false,
            current_key_material_id: key.material_id.clone(),
        }
    }

    /// The grantee DynamoDB uses: `dynamodb.<region>.amazonaws.com`.
    pub(super) fn dynamodb_principal(&self) -> String {
        arn::dynamodb_principal(&self.config.region)
    }

    //= spec/kms.md#deletion
    //# Once the clock reaches `DeletionDate`, the key and its aliases MUST be gone: every request naming the key fails with `NotFoundException` and no key material remains.
    /// Deletes every key whose `DeletionDate` is at or before `now`, with its aliases and grants.
    pub(super) fn delete_due_keys(&mut self, now: Timestamp) {
        let mut deleted = Vec::new();
        for i in 0..self.kms.keys.len() {
            let due = {
                let key = &self.kms.keys[i];
                key.state == KeyState::PendingDeletion
                    && key.deletion_date.is_some_and(|d| d <= now)
            };
            if due
                && self
                    .transition_key(i, KeyEvent::DeletionDateReached)
                    .is_some()
            {
                let key = &mut self.kms.keys[i];
                key.material = None;
                key.grants.clear();
                deleted.push((
                    key.deletion_date.unwrap_or(now),
                    key.id.clone(),
                    key.arn.clone(),
                ));
            }
        }
        self.kms
            .aliases
            .retain(|_, alias| !deleted.iter().any(|(_, id, _)| *id == alias.target_key_id));
        deleted.sort();
        for (date, _, arn) in deleted {
            self.record_key_deletion(date, &arn);
        }
    }
}
