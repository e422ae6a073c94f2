//! Direct KMS operations on a key's settings: GetKeyPolicy, PutKeyPolicy, GetKeyRotationStatus,
//! EnableKeyRotation, DisableKeyRotation, TagResource, UntagResource, ListResourceTags and
//! UpdateKeyDescription (`spec/kms.md` sections 8 to 10). Member limits come from
//! `ddbsse_wire::kms_settings`; the key-state effects from `key_state.rs`. Policies are kept,
//! never evaluated; rotation is a setting only (no new key material is made).

use ddbsse_wire::caller::Caller;
use ddbsse_wire::kms::*;
use ddbsse_wire::kms_settings as checks;
use ddbsse_wire::operation::Empty;
use ddbsse_wire::time::Timestamp;
use ddbsse_wire::{ApiError, kms_errors};

use super::Model;
use super::key_state::KeyOpClass;
use super::kms::{Forms, Rotation};

impl Model {
    //= spec/kms.md#key-policy
    //# GetKeyPolicy MUST return the key's policy document as `Policy` and `PolicyName` `default`, in every key state.
    pub(super) fn get_key_policy(
        &mut self,
        now: Timestamp,
        input: &GetKeyPolicyInput,
    ) -> Result<GetKeyPolicyOutput, ApiError> {
        if input.key_id.is_none() {
            return Err(kms_errors::null_member("keyId"));
        }
        checks::policy_name(input.policy_name.as_deref())?;
        let i = self.resolve_key(now, input.key_id.as_deref(), Forms::IdOrArn, false)?;
        self.check_key_state(i, KeyOpClass::Metadata)?;
        let key = &self.kms.keys[i];
        let policy = match (&key.policy, key.managed) {
            (Some(p), _) => p.clone(),
            (None, true) => checks::managed_key_policy(&self.config.account, &self.config.region),
            (None, false) => checks::default_key_policy(&self.config.account),
        };
        Ok(GetKeyPolicyOutput {
            policy,
            policy_name: checks::DEFAULT_POLICY_NAME.to_owned(),
        })
    }

    //= spec/kms.md#key-policy
    //# PutKeyPolicy MUST store the document as sent, so that GetKeyPolicy returns it, in every key state.
    pub(super) fn put_key_policy(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &PutKeyPolicyInput,
    ) -> Result<Empty, ApiError> {
        if input.key_id.is_none() {
            return Err(kms_errors::null_member("keyId"));
        }
        let policy = checks::policy_document(input.policy.as_deref())?.to_owned();
        checks::policy_name(input.policy_name.as_deref())?;
        let i = self.resolve_key(now, input.key_id.as_deref(), Forms::IdOrArn, false)?;
        self.deny_managed(i, &caller.access_key_id, "PutKeyPolicy")?;
        self.check_key_state(i, KeyOpClass::Metadata)?;
        self.kms.keys[i].policy = Some(policy);
        Ok(Empty {})
    }

    //= spec/kms.md#rotation
    //# GetKeyRotationStatus MUST return `KeyId` (the key ARN) and `KeyRotationEnabled`, and, while rotation is enabled, `RotationPeriodInDays` and `NextRotationDate`, in every key state; for the AWS managed key rotation is always enabled with a period of 365 days.
    pub(super) fn get_key_rotation_status(
        &mut self,
        now: Timestamp,
        input: &KeyIdInput,
    ) -> Result<GetKeyRotationStatusOutput, ApiError> {
        let i = self.resolve_key(now, input.key_id.as_deref(), Forms::IdOrArn, false)?;
        self.check_key_state(i, KeyOpClass::Metadata)?;
        let key = &self.kms.keys[i];
        let rotation = if key.managed {
            Some(Rotation {
                period_days: checks::DEFAULT_ROTATION_DAYS,
                since: key.created,
            })
        } else {
            key.rotation
        };
        Ok(GetKeyRotationStatusOutput {
            key_rotation_enabled: rotation.is_some(),
            key_id: key.arn.clone(),
            rotation_period_in_days: rotation.map(|r| r.period_days),
            next_rotation_date: rotation
                .map(|r| checks::next_rotation(r.since, r.period_days, now).epoch_seconds()),
        })
    }

    //= spec/kms.md#rotation
    //# EnableKeyRotation MUST enable rotation with the given period (365 days when absent), changing only the period when rotation is already enabled, and DisableKeyRotation MUST disable it.
    pub(super) fn set_key_rotation(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        key_id: Option<&str>,
        period: Option<Option<i64>>,
    ) -> Result<Empty, ApiError> {
        let days = match period {
            Some(p) => Some(checks::rotation_period(p)?),
            None => None,
        };
        let i = self.resolve_key(now, key_id, Forms::IdOrArn, false)?;
        let action = if days.is_some() {
            "EnableKeyRotation"
        } else {
            "DisableKeyRotation"
        };
        self.deny_managed(i, &caller.access_key_id, action)?;
        self.check_key_state(i, KeyOpClass::Rotation)?;
        let key = &mut self.kms.keys[i];
        key.rotation = days.map(|period_days| Rotation {
            period_days,
            since: key.rotation.map_or(now, |r| r.since),
        });
        Ok(Empty {})
    }

    //= spec/kms.md#tags
    //# TagResource MUST add each tag, replacing the value of a key already present, and UntagResource MUST remove the named keys (a key not present is not an error).
    pub(super) fn kms_tag_resource(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &KmsTagResourceInput,
    ) -> Result<Empty, ApiError> {
        if input.key_id.is_none() {
            return Err(kms_errors::null_member("keyId"));
        }
        let tags = checks::tags(input.tags.as_deref())?;
        let i = self.resolve_key(now, input.key_id.as_deref(), Forms::IdOrArn, false)?;
        self.deny_managed(i, &caller.access_key_id, "TagResource")?;
        self.check_key_state(i, KeyOpClass::Management)?;
        let key = &mut self.kms.keys[i];
        let mut merged = key.tags.clone();
        merged.extend(tags);
        checks::tag_count(merged.len(), &key.arn)?;
        key.tags = merged;
        Ok(Empty {})
    }

    pub(super) fn kms_untag_resource(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &KmsUntagResourceInput,
    ) -> Result<Empty, ApiError> {
        if input.key_id.is_none() {
            return Err(kms_errors::null_member("keyId"));
        }
        let keys = checks::tag_keys(input.tag_keys.as_deref())?.to_vec();
        let i = self.resolve_key(now, input.key_id.as_deref(), Forms::IdOrArn, false)?;
        self.deny_managed(i, &caller.access_key_id, "UntagResource")?;
        self.check_key_state(i, KeyOpClass::Management)?;
        let key = &mut self.kms.keys[i];
        for k in keys {
            key.tags.remove(&k);
        }
        Ok(Empty {})
    }

    //= spec/kms.md#tags
    //# ListResourceTags MUST return the key's tags ordered by `TagKey`, at most `Limit` (1 to 1000, default 50) per page, with `Truncated` and a `NextMarker` that continues the listing, in every key state.
    pub(super) fn list_resource_tags(
        &mut self,
        now: Timestamp,
        input: &ListResourceTagsInput,
    ) -> Result<ListResourceTagsOutput, ApiError> {
        let limit = ddbsse_wire::kms_paging::LIST_RESOURCE_TAGS.check(input.limit)?;
        let i = self.resolve_key(now, input.key_id.as_deref(), Forms::IdOrArn, false)?;
        self.check_key_state(i, KeyOpClass::Metadata)?;
        let start = checks::marker_start(input.marker.as_deref())?;
        let all = &self.kms.keys[i].tags;
        let tags: Vec<KmsTag> = all
            .iter()
            .skip(start)
            .take(limit)
            .map(|(k, v)| KmsTag {
                tag_key: Some(k.clone()),
                tag_value: Some(v.clone()),
            })
            .collect();
        //= spec/kms.md#list-truncated
        //# A page of ListKeys, ListAliases, ListGrants or ListResourceTags MUST carry `Truncated` false and no `NextMarker` when no entries remain after it, even when it holds `Limit` entries.
        let truncated = start.saturating_add(tags.len()) < all.len();
        Ok(ListResourceTagsOutput {
            tags,
            next_marker: truncated.then(|| (start + limit).to_string()),
            truncated,
        })
    }

    pub(super) fn update_key_description(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &UpdateKeyDescriptionInput,
    ) -> Result<Empty, ApiError> {
        if input.key_id.is_none() {
            return Err(kms_errors::null_member("keyId"));
        }
        let description = checks::description(input.description.as_deref())?.to_owned();
        let i = self.resolve_key(now, input.key_id.as_deref(), Forms::IdOrArn, false)?;
        self.deny_managed(i, &caller.access_key_id, "UpdateKeyDescription")?;
        self.check_key_state(i, KeyOpClass::Management)?;
        self.kms.keys[i].description = description;
        Ok(Empty {})
    }
}
