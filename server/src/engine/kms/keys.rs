//! KMS keys: naming (key id, key ARN, alias name, alias ARN), the AWS managed key, CreateKey,
//! DescribeKey, ListKeys, EnableKey, DisableKey, ScheduleKeyDeletion and CancelKeyDeletion
//! (`spec/kms.md#keys`, `#key-states`, `#deletion`, `#aws-managed-key`).

use ddbsse_wire::kms::SYMMETRIC_DEFAULT;
use ddbsse_wire::kms::{
    CreateKeyInput, KeyIdInput, KeyIdOutput, KeyListEntry, KeyMetadata, KeyMetadataOutput,
    ListInput, ListKeysOutput, ScheduleKeyDeletionInput, ScheduleKeyDeletionOutput,
};
use ddbsse_wire::time::{DAY, Timestamp};
use ddbsse_wire::{ApiError, ErrorCode, arn};

use super::{KmsOutcome, constraint, disabled, key_not_found, not_pending, null_member, pending};
use crate::engine::state::{
    Alias, KeyRecord, KeyStatus, KmsKey, State, put_alias, put_key, wrap_material,
};
use crate::engine::{Call, Engine, random};

/// The alias of the AWS managed key for DynamoDB.
pub use ddbsse_wire::kms::MANAGED_ALIAS;
/// Description of the AWS managed key.
pub use ddbsse_wire::kms_errors::MANAGED_KEY_DESCRIPTION as MANAGED_DESCRIPTION;

/// Which forms of `KeyId` an operation accepts (`spec/kms.md#key-ids`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyForms {
    /// All four forms; `alias/aws/dynamodb` creates the AWS managed key (DescribeKey).
    AnyCreatingManaged,
    /// All four forms (Encrypt, GenerateDataKey, Decrypt's `KeyId`).
    Any,
    /// Key id or key ARN only.
    IdOrArn,
}

/// What a `KeyId` string names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyName {
    /// A key id (from a bare id or a key ARN).
    Id(String),
    /// An alias name `alias/...` (from an alias name or alias ARN).
    Alias(String),
}

/// Why a name did not resolve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unresolved {
    /// No such key: the key ARN.
    Key(String),
    /// No such alias: the alias ARN.
    Alias(String),
}

impl Unresolved {
    /// KMS's `NotFoundException`.
    pub fn to_kms_error(&self) -> ApiError {
        match self {
            Unresolved::Key(arn) => key_not_found(arn),
            Unresolved::Alias(arn) => super::alias_not_found(arn),
        }
    }
}

impl Engine {
    /// `arn:aws:kms:<region>:<account>:key/<id>`.
    pub fn key_arn(&self, key_id: &str) -> String {
        arn::kms_key(&self.config.region, &self.config.account, key_id)
    }

    /// `arn:aws:kms:<region>:<account>:<alias name>`.
    pub fn alias_arn(&self, alias: &str) -> String {
        arn::kms_alias(&self.config.region, &self.config.account, alias)
    }

    /// The caller's identity ARN.
    pub fn caller_arn(&self, call: &Call<'_>) -> String {
        format!(
            "arn:aws:iam::{}:user/{}",
            self.config.account, call.caller.access_key_id
        )
    }

    /// Reads a `KeyId` string in any of the four forms.
    pub fn parse_key_name(&self, s: &str) -> KeyName {
        let own = arn::kms_prefix(&self.config.region, &self.config.account);
        if let Some(rest) = s.strip_prefix(&own) {
            if let Some(id) = rest.strip_prefix("key/") {
                return KeyName::Id(id.to_owned());
            }
            if rest.starts_with("alias/") {
                return KeyName::Alias(rest.to_owned());
            }
        }
        if s.starts_with("alias/") {
            return KeyName::Alias(s.to_owned());
        }
        // A foreign ARN or a bare id: the key id is everything after the last `key/`, or the
        // whole string; an unknown one is reported with its ARN.
        KeyName::Id(s.rsplit("key/").next().unwrap_or(s).to_owned())
    }

    //= spec/kms.md#key-ids
    //# An alias given where only a key id or key ARN is accepted SHOULD fail like an unknown key id.
    /// Resolves a key id or key ARN (no alias) to a live key id.
    pub fn lookup_key_id(&self, st: &State, s: &str, now: Timestamp) -> Result<String, Unresolved> {
        match self.parse_key_name(s) {
            KeyName::Alias(_) => Err(Unresolved::Key(if s.starts_with("arn:") {
                s.to_owned()
            } else {
                self.key_arn(s)
            })),
            KeyName::Id(_) => self.lookup_key(st, s, now),
        }
    }

    /// Resolves a name to a live key id without creating anything.
    pub fn lookup_key(&self, st: &State, s: &str, now: Timestamp) -> Result<String, Unresolved> {
        match self.parse_key_name(s) {
            KeyName::Id(id) => st
                .live_key(&id, now)
                .map(|k| k.rec.key_id.clone())
                .ok_or_else(|| Unresolved::Key(self.key_arn(&id))),
            KeyName::Alias(a) => st
                .aliases
                .get(&a)
                .and_then(|al| st.live_key(&al.key_id, now))
                .map(|k| k.rec.key_id.clone())
                .ok_or_else(|| Unresolved::Alias(self.alias_arn(&a))),
        }
    }

    //= spec/kms.md#aws-managed-key
    //# The first CreateTable or UpdateTable that selects the AWS managed key, or the first DescribeKey naming `alias/aws/dynamodb` or its alias ARN, MUST create one key with `KeyManager` `AWS` and `Description` `Default key that protects my DynamoDB data when no other key is defined`, and point `alias/aws/dynamodb` at it.
    /// Resolves a name, creating the AWS managed key when the name is its alias.
    pub fn resolve_key(
        &self,
        st: &mut State,
        s: &str,
        now: Timestamp,
    ) -> Result<String, Unresolved> {
        if self.parse_key_name(s) == KeyName::Alias(MANAGED_ALIAS.to_owned())
            && !st.aliases.contains_key(MANAGED_ALIAS)
        {
            return self
                .ensure_managed_key(st, now)
                .map_err(|_| Unresolved::Alias(self.alias_arn(MANAGED_ALIAS)));
        }
        self.lookup_key(st, s, now)
    }

    /// The AWS managed key's id, created on first use.
    pub fn ensure_managed_key(&self, st: &mut State, now: Timestamp) -> Result<String, ApiError> {
        if let Some(a) = st.aliases.get(MANAGED_ALIAS)
            && st.live_key(&a.key_id, now).is_some()
        {
            return Ok(a.key_id.clone());
        }
        let key_id = self.new_key(st, now, MANAGED_DESCRIPTION.to_owned(), "AWS")?;
        let alias = Alias {
            name: MANAGED_ALIAS.to_owned(),
            key_id: key_id.clone(),
            created: now,
            updated: now,
        };
        self.commit(vec![put_alias(&alias)])?;
        st.aliases.insert(alias.name.clone(), alias);
        Ok(key_id)
    }

    //= spec/kms.md#create-key
    //# CreateKey MUST create an enabled symmetric key with 256 bits of fresh random key material and return its `KeyMetadata`.
    fn new_key(
        &self,
        st: &mut State,
        now: Timestamp,
        description: String,
        manager: &str,
    ) -> Result<String, ApiError> {
        let key_id = random::uuid();
        let material = random::key_material()?;
        let wrapped = wrap_material(&self.root, &key_id, &material)
            .map_err(|e| ApiError::new(ErrorCode::KmsInternal, e))?;
        let rec = KeyRecord {
            key_id: key_id.clone(),
            created: now,
            description,
            manager: manager.to_owned(),
            status: KeyStatus::Enabled,
            seq: st.seq(),
            wrapped_material: wrapped,
            blobs_sealed: 0,
            policy: None,
            tags: Default::default(),
            rotation: None,
        };
        self.commit(vec![put_key(&rec)])?;
        st.keys.insert(key_id.clone(), KmsKey { rec, material });
        Ok(key_id)
    }

    /// Creates an enabled customer managed key with a fixed `key_id` and `material`, as
    /// `ddbsse serve --seed` does for deterministic fixtures (no request, no trail record). The
    /// id must be a lower-case UUID not in use; the material never leaves the engine (it is
    /// stored wrapped under the root key, as CreateKey's is). Returns the key ARN.
    pub fn import_key(
        &self,
        now: Timestamp,
        key_id: &str,
        material: ddbsse_crypto::KeyMaterial,
        description: String,
    ) -> Result<String, ApiError> {
        let invalid = |m: String| ApiError::new(ErrorCode::Validation, m);
        if !is_lower_uuid(key_id) {
            return Err(invalid(format!(
                "key id {key_id} is not a lower-case UUID (8-4-4-4-12 hex digits)"
            )));
        }
        let mut st = self.write_state();
        if st.keys.contains_key(key_id) {
            return Err(ApiError::new(
                ErrorCode::AlreadyExists,
                format!("key {} already exists", self.key_arn(key_id)),
            ));
        }
        let wrapped = wrap_material(&self.root, key_id, &material)
            .map_err(|e| ApiError::new(ErrorCode::KmsInternal, e))?;
        let rec = KeyRecord {
            key_id: key_id.to_owned(),
            created: now,
            description,
            manager: "CUSTOMER".to_owned(),
            status: KeyStatus::Enabled,
            seq: st.seq(),
            wrapped_material: wrapped,
            blobs_sealed: 0,
            // A seeded key starts as CreateKey leaves a key made without Policy or Tags.
            policy: None,
            tags: Default::default(),
            rotation: None,
        };
        self.commit(vec![put_key(&rec)])?;
        st.keys.insert(key_id.to_owned(), KmsKey { rec, material });
        Ok(self.key_arn(key_id))
    }

    //= spec/kms.md#create-key
    //# `KeyMetadata` MUST NOT carry `PendingDeletionWindowInDays`, in any key state.
    /// `KeyMetadata` of a key (a pending key's window is kept in its status, not shown).
    pub fn key_metadata(&self, k: &KmsKey) -> KeyMetadata {
        let (state, deletion) = match &k.rec.status {
            KeyStatus::Enabled => ("Enabled", None),
            KeyStatus::Disabled => ("Disabled", None),
            KeyStatus::PendingDeletion { deletion_date, .. } => {
                ("PendingDeletion", Some(deletion_date.epoch_seconds()))
            }
        };
        KeyMetadata {
            aws_account_id: self.config.account.clone(),
            key_id: k.rec.key_id.clone(),
            arn: self.key_arn(&k.rec.key_id),
            creation_date: k.rec.created.epoch_seconds(),
            enabled: state == "Enabled",
            description: k.rec.description.clone(),
            key_usage: "ENCRYPT_DECRYPT".to_owned(),
            key_state: state.to_owned(),
            deletion_date: deletion,
            origin: "AWS_KMS".to_owned(),
            key_manager: k.rec.manager.clone(),
            customer_master_key_spec: SYMMETRIC_DEFAULT.to_owned(),
            key_spec: SYMMETRIC_DEFAULT.to_owned(),
            encryption_algorithms: vec![SYMMETRIC_DEFAULT.to_owned()],
            multi_region: false,
            current_key_material_id: k.key_material_id(),
        }
    }

    /// The live key a request names (any of the four forms), or `NotFoundException`.
    pub(crate) fn named_key<'s>(
        &self,
        st: &'s mut State,
        key_id: Option<&str>,
        now: Timestamp,
        forms: KeyForms,
    ) -> Result<&'s mut KmsKey, ApiError> {
        let name = key_id.ok_or_else(|| null_member("keyId"))?;
        let id = match forms {
            KeyForms::AnyCreatingManaged => self.resolve_key(st, name, now),
            KeyForms::Any => self.lookup_key(st, name, now),
            KeyForms::IdOrArn => self.lookup_key_id(st, name, now),
        }
        .map_err(|u| u.to_kms_error())?;
        st.keys
            .get_mut(&id)
            .ok_or_else(|| key_not_found(&self.key_arn(&id)))
    }

    //= spec/kms.md#aws-managed-key
    //# A direct Encrypt, Decrypt, GenerateDataKey, CreateGrant, EnableKey, DisableKey, ScheduleKeyDeletion or CancelKeyDeletion on the AWS managed key MUST fail with `AccessDeniedException` and the message `User: <caller arn> is not authorized to perform: kms:<Action> on resource: <key arn> because no resource-based policy allows the kms:<Action> action`.
    //= spec/kms.md#aws-managed-key
    //# A direct PutKeyPolicy, EnableKeyRotation, DisableKeyRotation, TagResource, UntagResource, UpdateKeyDescription, GenerateDataKeyWithoutPlaintext, ReEncrypt (as `kms:ReEncryptFrom` on the source key and `kms:ReEncryptTo` on the destination key), UpdateAlias (old or new key) or DeleteAlias on the AWS managed key MUST fail with `AccessDeniedException` and the message `User: <caller arn> is not authorized to perform: kms:<Action> on resource: <key arn> because no resource-based policy allows the kms:<Action> action`, `<Action>` being the operation name (`ReEncryptFrom` or `ReEncryptTo` for ReEncrypt).
    /// Refuses a direct call on the AWS managed key.
    pub(crate) fn deny_managed(
        &self,
        call: &Call<'_>,
        k: &KmsKey,
        action: &str,
    ) -> Result<(), ApiError> {
        if k.rec.manager == "AWS" {
            return Err(ApiError::new(
                ErrorCode::AccessDenied,
                format!(
                    "User: {} is not authorized to perform: kms:{action} on resource: {} because no resource-based policy allows the kms:{action} action",
                    self.caller_arn(call),
                    self.key_arn(&k.rec.key_id)
                ),
            ));
        }
        Ok(())
    }

    /// The state check of Encrypt, Decrypt, GenerateDataKey and CreateGrant.
    pub(crate) fn check_crypto_state(&self, k: &KmsKey) -> Result<(), ApiError> {
        let arn = self.key_arn(&k.rec.key_id);
        match k.rec.status {
            KeyStatus::Enabled => Ok(()),
            KeyStatus::Disabled => Err(disabled(&arn)),
            KeyStatus::PendingDeletion { .. } => Err(pending(&arn)),
        }
    }

    pub(crate) fn create_key(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: CreateKeyInput,
    ) -> Result<KmsOutcome, ApiError> {
        //= spec/kms.md#create-key
        //# A CreateKey request for another `KeySpec` or `KeyUsage` is out of scope; a target SHOULD reject it with `UnsupportedOperationException`.
        let unsupported = |m: &str| ApiError::new(ErrorCode::UnsupportedOperation, m.to_owned());
        if let Some(u) = i.key_usage.as_deref()
            && u != "ENCRYPT_DECRYPT"
        {
            return Err(unsupported(&format!(
                "KeyUsage {u} is not supported by this endpoint: only ENCRYPT_DECRYPT symmetric keys"
            )));
        }
        for spec in [i.key_spec.as_deref(), i.customer_master_key_spec.as_deref()]
            .into_iter()
            .flatten()
        {
            if spec != SYMMETRIC_DEFAULT {
                return Err(unsupported(&format!(
                    "KeySpec {spec} is not supported by this endpoint: only SYMMETRIC_DEFAULT"
                )));
            }
        }
        if let Some(o) = i.origin.as_deref()
            && o != "AWS_KMS"
        {
            return Err(unsupported(&format!(
                "Origin {o} is not supported by this endpoint: only AWS_KMS"
            )));
        }
        if i.multi_region == Some(true) {
            return Err(unsupported(
                "Multi-Region keys are not supported by this endpoint",
            ));
        }
        let description = match i.description.as_deref() {
            Some(d) => ddbsse_wire::kms_settings::description(Some(d))?.to_owned(),
            None => String::new(),
        };
        //= spec/kms.md#key-policy
        //# CreateKey MUST check and keep a `Policy` it is given as PutKeyPolicy does.
        let policy = match i.policy.as_deref() {
            Some(p) => Some(ddbsse_wire::kms_settings::policy_document(Some(p))?.to_owned()),
            None => None,
        };
        //= spec/kms.md#tags
        //# CreateKey MUST check and keep the `Tags` it is given as TagResource does.
        let tags = match i.tags.as_deref() {
            Some(t) => ddbsse_wire::kms_settings::tags(Some(t))?,
            None => Default::default(),
        };
        ddbsse_wire::kms_settings::tag_count(tags.len(), "The new key")?;
        let id = self.new_key(st, call.now, description, "CUSTOMER")?;
        if policy.is_some() || !tags.is_empty() {
            let ops = st
                .keys
                .get_mut(&id)
                .map(|k| {
                    k.rec.policy = policy;
                    k.rec.tags = tags;
                    vec![put_key(&k.rec)]
                })
                .unwrap_or_default();
            self.commit(ops)?;
        }
        let k = st
            .keys
            .get(&id)
            .ok_or_else(|| key_not_found(&self.key_arn(&id)))?;
        Ok(KmsOutcome::new(
            KeyMetadataOutput {
                key_metadata: self.key_metadata(k),
            },
            Some(self.key_arn(&id)),
        ))
    }

    pub(crate) fn describe_key(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: KeyIdInput,
    ) -> Result<KmsOutcome, ApiError> {
        let k = self.named_key(
            st,
            i.key_id.as_deref(),
            call.now,
            KeyForms::AnyCreatingManaged,
        )?;
        let arn = self.key_arn(&k.rec.key_id);
        Ok(KmsOutcome::new(
            KeyMetadataOutput {
                key_metadata: self.key_metadata(k),
            },
            Some(arn),
        ))
    }

    //= spec/kms.md#list-keys
    //# ListKeys MUST return one `{"KeyId", "KeyArn"}` entry for every key that is not deleted, including the AWS managed key once it exists, in creation order.
    pub(crate) fn list_keys(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: ListInput,
    ) -> Result<KmsOutcome, ApiError> {
        //= spec/kms.md#list-keys
        //# ListKeys MUST return at most `Limit` entries (1 to 1000, default 100) and, when more remain, `Truncated` true and a `NextMarker` that, passed as `Marker`, continues the listing.
        let limit = ddbsse_wire::kms_paging::LIST_KEYS.check(i.limit)?;
        let mut keys: Vec<&KmsKey> = st
            .keys
            .values()
            .filter(|k| st.live_key(&k.rec.key_id, call.now).is_some())
            .collect();
        keys.sort_by_key(|k| k.rec.seq);
        let start = marker_start(i.marker.as_deref())?;
        let page: Vec<KeyListEntry> = keys
            .iter()
            .skip(start)
            .take(limit)
            .map(|k| KeyListEntry {
                key_id: k.rec.key_id.clone(),
                key_arn: self.key_arn(&k.rec.key_id),
            })
            .collect();
        //= spec/kms.md#list-truncated
        //# A page of ListKeys, ListAliases, ListGrants or ListResourceTags MUST carry `Truncated` false and no `NextMarker` when no entries remain after it, even when it holds `Limit` entries.
        let truncated = start + page.len() < keys.len();
        Ok(KmsOutcome::new(
            ListKeysOutput {
                keys: page,
                next_marker: truncated.then(|| (start + limit).to_string()),
                truncated,
            },
            None,
        ))
    }

    pub(crate) fn enable_key(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: KeyIdInput,
        enable: bool,
    ) -> Result<KmsOutcome, ApiError> {
        let action = if enable { "EnableKey" } else { "DisableKey" };
        let k = self.named_key(st, i.key_id.as_deref(), call.now, KeyForms::IdOrArn)?;
        self.deny_managed(call, k, action)?;
        let arn = self.key_arn(&k.rec.key_id);
        if matches!(k.rec.status, KeyStatus::PendingDeletion { .. }) {
            return Err(pending(&arn));
        }
        k.rec.status = if enable {
            KeyStatus::Enabled
        } else {
            KeyStatus::Disabled
        };
        let op = put_key(&k.rec);
        self.commit(vec![op])?;
        Ok(KmsOutcome::new(serde_json::json!({}), Some(arn)))
    }

    //= spec/kms.md#deletion
    //# ScheduleKeyDeletion MUST accept a `PendingWindowInDays` from 7 to 30 inclusive, use 30 when it is absent, and return `KeyId` (the key ARN), `DeletionDate` (now plus the window in days, epoch seconds), `KeyState` `PendingDeletion` and `PendingWindowInDays`.
    pub(crate) fn schedule_key_deletion(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: ScheduleKeyDeletionInput,
    ) -> Result<KmsOutcome, ApiError> {
        let window = i.pending_window_in_days.unwrap_or(30);
        //= spec/kms.md#deletion
        //# A `PendingWindowInDays` below 1 or above 365 MUST fail with `ValidationException` and the message `1 validation error detected: Value '<n>' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 1` or `1 validation error detected: Value '<n>' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 365` respectively.
        if window < 1 {
            return Err(constraint(
                &window.to_string(),
                "pendingWindowInDays",
                "Member must have value greater than or equal to 1",
            ));
        }
        if window > 365 {
            return Err(constraint(
                &window.to_string(),
                "pendingWindowInDays",
                "Member must have value less than or equal to 365",
            ));
        }
        //= spec/kms.md#deletion
        //# A `PendingWindowInDays` from 1 to 6 or from 31 to 365 MUST fail with `ValidationException` and the message `PendingWindowInDays must be between 7 and 30`.
        if !(7..=30).contains(&window) {
            return Err(ApiError::new(
                ErrorCode::KmsValidation,
                ddbsse_wire::kms_errors::PENDING_WINDOW_TEXT,
            ));
        }
        let k = self.named_key(st, i.key_id.as_deref(), call.now, KeyForms::IdOrArn)?;
        self.deny_managed(call, k, "ScheduleKeyDeletion")?;
        let arn = self.key_arn(&k.rec.key_id);
        if matches!(k.rec.status, KeyStatus::PendingDeletion { .. }) {
            return Err(pending(&arn));
        }
        let deletion_date = call.now.plus(window as u64 * DAY);
        k.rec.status = KeyStatus::PendingDeletion {
            deletion_date,
            window_days: window,
        };
        let op = put_key(&k.rec);
        self.commit(vec![op])?;
        Ok(KmsOutcome::new(
            ScheduleKeyDeletionOutput {
                key_id: arn.clone(),
                deletion_date: deletion_date.epoch_seconds(),
                key_state: "PendingDeletion".to_owned(),
                pending_window_in_days: window,
            },
            Some(arn),
        ))
    }

    //= spec/kms.md#deletion
    //# CancelKeyDeletion MUST leave the key in `Disabled` state, without `DeletionDate`, and return `KeyId` as the key ARN.
    pub(crate) fn cancel_key_deletion(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: KeyIdInput,
    ) -> Result<KmsOutcome, ApiError> {
        let k = self.named_key(st, i.key_id.as_deref(), call.now, KeyForms::IdOrArn)?;
        self.deny_managed(call, k, "CancelKeyDeletion")?;
        let arn = self.key_arn(&k.rec.key_id);
        if !matches!(k.rec.status, KeyStatus::PendingDeletion { .. }) {
            return Err(not_pending(&arn));
        }
        k.rec.status = KeyStatus::Disabled;
        let op = put_key(&k.rec);
        self.commit(vec![op])?;
        Ok(KmsOutcome::new(
            KeyIdOutput {
                key_id: arn.clone(),
            },
            Some(arn),
        ))
    }
}

/// The start index a `Marker` encodes.
pub fn marker_start(marker: Option<&str>) -> Result<usize, ApiError> {
    match marker {
        None => Ok(0),
        Some(m) => m
            .parse::<usize>()
            .map_err(|_| ApiError::new(ErrorCode::InvalidMarker, "Invalid marker")),
    }
}

/// Whether `s` is a UUID in lower-case hyphenated form (the form of every key id here).
fn is_lower_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_digit() || ('a'..='f').contains(&c)
            }
        })
}
