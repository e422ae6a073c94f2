//! Direct KMS key operations: CreateKey, DescribeKey, ListKeys, EnableKey, DisableKey,
//! ScheduleKeyDeletion, CancelKeyDeletion, CreateAlias and ListAliases (`spec/kms.md` sections
//! 1 to 5). Every state change is a lookup in the key-state table (`key_state.rs`).

use ddbsse_wire::caller::Caller;
use ddbsse_wire::kms::*;
use ddbsse_wire::operation::Empty;
use ddbsse_wire::time::{DAY, Timestamp};
use ddbsse_wire::{ApiError, ErrorCode, arn, kms_errors, kms_paging};

use super::Model;
use super::key_state::{KeyEvent, KeyOpClass, KeyState};
use super::kms::{Alias, Forms, missing};

/// One page of `all`: at most `limit` entries from the one whose `name` is `marker` (the first
/// when absent), and the `NextMarker` (the name of the first entry left) when more remain. A
/// marker that names no entry is `InvalidMarkerException`.
fn page<T>(
    mut all: Vec<T>,
    marker: Option<&str>,
    limit: usize,
    name: impl Fn(&T) -> &String,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let start = match marker {
        None => 0,
        Some(m) => all.iter().position(|e| name(e) == m).ok_or_else(|| {
            ApiError::new(ErrorCode::InvalidMarker, format!("Invalid marker {m}"))
        })?,
    };
    let end = start.saturating_add(limit).min(all.len());
    //= spec/kms.md#list-truncated
    //# A page of ListKeys, ListAliases, ListGrants or ListResourceTags MUST carry `Truncated` false and no `NextMarker` when no entries remain after it, even when it holds `Limit` entries.
    let next = all.get(end).map(|e| name(e).clone());
    all.truncate(end);
    all.drain(..start);
    Ok((all, next))
}

impl Model {
    pub(super) fn create_key(
        &mut self,
        now: Timestamp,
        input: &CreateKeyInput,
    ) -> Result<KeyMetadataOutput, ApiError> {
        //= spec/kms.md#create-key
        //# A CreateKey request for another `KeySpec` or `KeyUsage` is out of scope; a target SHOULD reject it with `UnsupportedOperationException`.
        let unsupported = |what: &str, value: &str| {
            ApiError::new(
                ErrorCode::UnsupportedOperation,
                format!(
                    "{what} {value} is not supported by this target: only symmetric ENCRYPT_DECRYPT keys are modelled"
                ),
            )
        };
        if let Some(spec) = input
            .key_spec
            .as_deref()
            .or(input.customer_master_key_spec.as_deref())
            && spec != SYMMETRIC_DEFAULT
        {
            return Err(unsupported("KeySpec", spec));
        }
        if let Some(usage) = input.key_usage.as_deref()
            && usage != "ENCRYPT_DECRYPT"
        {
            return Err(unsupported("KeyUsage", usage));
        }
        if let Some(origin) = input.origin.as_deref()
            && origin != "AWS_KMS"
        {
            return Err(unsupported("Origin", origin));
        }
        if input.multi_region == Some(true) {
            return Err(unsupported("MultiRegion", "true"));
        }
        let description = match input.description.as_deref() {
            Some(d) => ddbsse_wire::kms_settings::description(Some(d))?.to_owned(),
            None => String::new(),
        };
        //= spec/kms.md#key-policy
        //# CreateKey MUST check and keep a `Policy` it is given as PutKeyPolicy does.
        let policy = match input.policy.as_deref() {
            Some(p) => Some(ddbsse_wire::kms_settings::policy_document(Some(p))?.to_owned()),
            None => None,
        };
        //= spec/kms.md#tags
        //# CreateKey MUST check and keep the `Tags` it is given as TagResource does.
        let tags = match input.tags.as_deref() {
            Some(t) => ddbsse_wire::kms_settings::tags(Some(t))?,
            None => Default::default(),
        };
        ddbsse_wire::kms_settings::tag_count(tags.len(), "The new key")?;
        let i = self.create_key_record(now, description, false);
        self.kms.keys[i].policy = policy;
        self.kms.keys[i].tags = tags;
        Ok(KeyMetadataOutput {
            key_metadata: self.key_metadata(i),
        })
    }

    pub(super) fn describe_key(
        &mut self,
        now: Timestamp,
        input: &KeyIdInput,
    ) -> Result<KeyMetadataOutput, ApiError> {
        let i = self.resolve_key(now, input.key_id.as_deref(), Forms::All, true)?;
        self.check_key_state(i, KeyOpClass::Metadata)?;
        Ok(KeyMetadataOutput {
            key_metadata: self.key_metadata(i),
        })
    }

    //= spec/kms.md#list-keys
    //# ListKeys MUST return one `{"KeyId", "KeyArn"}` entry for every key that is not deleted, including the AWS managed key once it exists, in creation order.
    pub(super) fn list_keys(&self, input: &ListInput) -> Result<ListKeysOutput, ApiError> {
        //= spec/kms.md#list-keys
        //# ListKeys MUST return at most `Limit` entries (1 to 1000, default 100) and, when more remain, `Truncated` true and a `NextMarker` that, passed as `Marker`, continues the listing.
        let limit = kms_paging::LIST_KEYS.check(input.limit)?;
        let all: Vec<KeyListEntry> = self
            .kms
            .keys
            .iter()
            .filter(|k| k.state != KeyState::Deleted)
            .map(|k| KeyListEntry {
                key_id: k.id.clone(),
                key_arn: k.arn.clone(),
            })
            .collect();
        let (keys, next_marker) = page(all, input.marker.as_deref(), limit, |k| &k.key_id)?;
        Ok(ListKeysOutput {
            keys,
            truncated: next_marker.is_some(),
            next_marker,
        })
    }

    /// EnableKey or DisableKey.
    pub(super) fn set_key_enabled(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &KeyIdInput,
        enable: bool,
    ) -> Result<Empty, ApiError> {
        let i = self.resolve_key(now, input.key_id.as_deref(), Forms::IdOrArn, false)?;
        let (action, event) = if enable {
            ("EnableKey", KeyEvent::EnableKey)
        } else {
            ("DisableKey", KeyEvent::DisableKey)
        };
        self.deny_managed(i, &caller.access_key_id, action)?;
        self.check_key_state(i, KeyOpClass::Management)?;
        self.transition_key(i, event)
            .ok_or_else(|| self.state_error(i))?;
        Ok(Empty {})
    }

    /// The error for a pair that is not a transition (should be unreachable after the effect
    /// check; kept so a gap in the tables is an AWS-shaped error, not a panic).
    fn state_error(&self, i: usize) -> ApiError {
        ApiError::new(
            ErrorCode::KmsInvalidState,
            format!(
                "{} is {}.",
                self.kms.keys[i].arn,
                self.kms.keys[i].state.wire_name()
            ),
        )
    }

    pub(super) fn schedule_key_deletion(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &ScheduleKeyDeletionInput,
    ) -> Result<ScheduleKeyDeletionOutput, ApiError> {
        let days = input.pending_window_in_days.unwrap_or(30);
        //= spec/kms.md#deletion
        //# A `PendingWindowInDays` below 1 or above 365 MUST fail with `ValidationException` and the message `1 validation error detected: Value '<n>' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 1` or `1 validation error detected: Value '<n>' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 365` respectively.
        let shape_bound = if days < 1 {
            Some("greater than or equal to 1")
        } else if days > 365 {
            Some("less than or equal to 365")
        } else {
            None
        };
        if let Some(bound) = shape_bound {
            return Err(ApiError::new(
                ErrorCode::KmsValidation,
                format!(
                    "1 validation error detected: Value '{days}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value {bound}"
                ),
            ));
        }
        //= spec/kms.md#deletion
        //# A `PendingWindowInDays` from 1 to 6 or from 31 to 365 MUST fail with `ValidationException` and the message `PendingWindowInDays must be between 7 and 30`.
        if !(7..=30).contains(&days) {
            return Err(ApiError::new(
                ErrorCode::KmsValidation,
                kms_errors::PENDING_WINDOW_TEXT,
            ));
        }
        let i = self.resolve_key(now, input.key_id.as_deref(), Forms::IdOrArn, false)?;
        self.deny_managed(i, &caller.access_key_id, "ScheduleKeyDeletion")?;
        self.check_key_state(i, KeyOpClass::Management)?;
        self.transition_key(i, KeyEvent::ScheduleKeyDeletion)
            .ok_or_else(|| self.state_error(i))?;
        //= spec/kms.md#deletion
        //# ScheduleKeyDeletion MUST accept a `PendingWindowInDays` from 7 to 30 inclusive, use 30 when it is absent, and return `KeyId` (the key ARN), `DeletionDate` (now plus the window in days, epoch seconds), `KeyState` `PendingDeletion` and `PendingWindowInDays`.
        let deletion_date = now.plus(u64::try_from(days).unwrap_or(30) * DAY);
        let key = &mut self.kms.keys[i];
        key.deletion_date = Some(deletion_date);
        key.pending_window_days = Some(days);
        Ok(ScheduleKeyDeletionOutput {
            key_id: key.arn.clone(),
            deletion_date: deletion_date.epoch_seconds(),
            key_state: key.state.wire_name().to_owned(),
            pending_window_in_days: days,
        })
    }

    pub(super) fn cancel_key_deletion(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &KeyIdInput,
    ) -> Result<KeyIdOutput, ApiError> {
        let i = self.resolve_key(now, input.key_id.as_deref(), Forms::IdOrArn, false)?;
        self.deny_managed(i, &caller.access_key_id, "CancelKeyDeletion")?;
        self.check_key_state(i, KeyOpClass::Cancel)?;
        //= spec/kms.md#deletion
        //# CancelKeyDeletion MUST leave the key in `Disabled` state, without `DeletionDate`, and return `KeyId` as the key ARN.
        self.transition_key(i, KeyEvent::CancelKeyDeletion)
            .ok_or_else(|| self.state_error(i))?;
        let key = &mut self.kms.keys[i];
        key.deletion_date = None;
        key.pending_window_days = None;
        Ok(KeyIdOutput {
            key_id: key.arn.clone(),
        })
    }

    pub(super) fn create_alias(
        &mut self,
        now: Timestamp,
        input: &CreateAliasInput,
    ) -> Result<Empty, ApiError> {
        let name = input
            .alias_name
            .as_deref()
            .ok_or_else(|| missing("aliasName"))?;
        if input.target_key_id.is_none() {
            return Err(missing("targetKeyId"));
        }
        //= spec/kms.md#aliases
        //# CreateAlias MUST reject an `AliasName` that does not begin with `alias/`, does not match `^[a-zA-Z0-9:/_-]+$`, is longer than 256 characters, or begins with `alias/aws/`, with `InvalidAliasNameException`.
        let invalid = |why: &str| ApiError::new(ErrorCode::InvalidAliasName, why.to_owned());
        if !name.starts_with("alias/") {
            return Err(invalid(kms_errors::ALIAS_PREFIX_TEXT));
        }
        if name.len() > 256
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'/' | b'_' | b'-'))
        {
            return Err(invalid(&format!(
                "Alias {name} must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$ and be at most 256 characters long"
            )));
        }
        if name.starts_with("alias/aws/") {
            return Err(invalid("Cannot create alias with prefix 'alias/aws/'"));
        }
        let alias_arn = arn::kms_alias(&self.config.region, &self.config.account, name);
        //= spec/kms.md#aliases
        //# CreateAlias MUST reject an `AliasName` that already exists with `AlreadyExistsException` and the message `An alias with the name <alias arn> already exists`.
        if self.kms.aliases.contains_key(name) {
            return Err(ApiError::new(
                ErrorCode::AlreadyExists,
                format!("An alias with the name {alias_arn} already exists"),
            ));
        }
        let i = self.resolve_key(now, input.target_key_id.as_deref(), Forms::IdOrArn, false)?;
        self.check_key_state(i, KeyOpClass::Management)?;
        let target_key_id = self.kms.keys[i].id.clone();
        self.kms.aliases.insert(
            name.to_owned(),
            Alias {
                target_key_id,
                created: now,
                updated: now,
            },
        );
        Ok(Empty {})
    }

    //= spec/kms.md#aliases
    //# ListAliases MUST return, for every alias, `AliasName`, `AliasArn` (`arn:aws:kms:<region>:<account>:<AliasName>`), `TargetKeyId` (the key id), `CreationDate` and `LastUpdatedDate`, and MUST NOT list `alias/aws/dynamodb` before the AWS managed key exists.
    pub(super) fn list_aliases(
        &mut self,
        now: Timestamp,
        input: &ListInput,
    ) -> Result<ListAliasesOutput, ApiError> {
        //= spec/kms.md#aliases
        //# ListAliases MUST return at most `Limit` entries (1 to 100, default 50) and, when more remain, `Truncated` true and a `NextMarker` that, passed as `Marker`, continues the listing.
        let limit = kms_paging::LIST_ALIASES.check(input.limit)?;
        //= spec/kms.md#aliases
        //# A ListAliases with a `KeyId` MUST list only the aliases whose `TargetKeyId` is that key, and a `KeyId` that names no key MUST fail with `NotFoundException` and the message of section 1.2.
        let filter = match input.key_id.as_deref() {
            Some(k) => {
                let i = self.resolve_key(now, Some(k), Forms::IdOrArn, false)?;
                Some(self.kms.keys[i].id.clone())
            }
            None => None,
        };
        let all: Vec<AliasListEntry> = self
            .kms
            .aliases
            .iter()
            .filter(|(_, a)| filter.as_ref().is_none_or(|f| *f == a.target_key_id))
            .map(|(name, a)| AliasListEntry {
                alias_name: name.clone(),
                alias_arn: arn::kms_alias(&self.config.region, &self.config.account, name),
                target_key_id: Some(a.target_key_id.clone()),
                creation_date: Some(a.created.epoch_seconds()),
                last_updated_date: Some(a.updated.epoch_seconds()),
            })
            .collect();
        let (aliases, next_marker) = page(all, input.marker.as_deref(), limit, |a| &a.alias_name)?;
        Ok(ListAliasesOutput {
            aliases,
            truncated: next_marker.is_some(),
            next_marker,
        })
    }
}
