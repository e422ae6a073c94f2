//! KMS key settings on the endpoint: GetKeyPolicy, PutKeyPolicy, GetKeyRotationStatus,
//! EnableKeyRotation, DisableKeyRotation, TagResource, UntagResource, ListResourceTags and
//! UpdateKeyDescription (`spec/kms.md` sections 8 to 10).
//!
//! Member limits and the policy documents come from `ddbsse_wire::kms_settings`. Policies are
//! stored and returned, never evaluated; rotation is a stored setting (no new key material is
//! made). Every change is written to the store before it is answered.

use ddbsse_wire::ApiError;
use ddbsse_wire::kms::{
    EnableKeyRotationInput, GetKeyPolicyInput, GetKeyPolicyOutput, GetKeyRotationStatusOutput,
    KeyIdInput, KmsTag, KmsTagResourceInput, KmsUntagResourceInput, ListResourceTagsInput,
    ListResourceTagsOutput, PutKeyPolicyInput, UpdateKeyDescriptionInput,
};
use ddbsse_wire::kms_settings as checks;

use super::keys::KeyForms;
use super::{KmsOutcome, null_member, pending};
use crate::engine::state::{KeyStatus, KmsKey, State, put_key};
use crate::engine::{Call, Engine};

impl Engine {
    /// The state check of the operations that fail only on a key pending deletion (TagResource,
    /// UntagResource, UpdateKeyDescription, UpdateAlias's target).
    pub(crate) fn check_not_pending(&self, k: &KmsKey) -> Result<(), ApiError> {
        match k.rec.status {
            KeyStatus::PendingDeletion { .. } => Err(pending(&self.key_arn(&k.rec.key_id))),
            _ => Ok(()),
        }
    }

    /// Writes a key's record after a settings change and answers `{}` naming the key.
    fn save_key(&self, k: &KmsKey) -> Result<KmsOutcome, ApiError> {
        self.commit(vec![put_key(&k.rec)])?;
        Ok(KmsOutcome::new(
            serde_json::json!({}),
            Some(self.key_arn(&k.rec.key_id)),
        ))
    }

    //= spec/kms.md#key-policy
    //# GetKeyPolicy MUST return the key's policy document as `Policy` and `PolicyName` `default`, in every key state.
    pub(crate) fn get_key_policy(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: GetKeyPolicyInput,
    ) -> Result<KmsOutcome, ApiError> {
        if i.key_id.is_none() {
            return Err(null_member("keyId"));
        }
        checks::policy_name(i.policy_name.as_deref())?;
        let k = self.named_key(st, i.key_id.as_deref(), call.now, KeyForms::IdOrArn)?;
        let policy = match (&k.rec.policy, k.rec.manager == "AWS") {
            (Some(p), _) => p.clone(),
            (None, true) => checks::managed_key_policy(&self.config.account, &self.config.region),
            (None, false) => checks::default_key_policy(&self.config.account),
        };
        Ok(KmsOutcome::new(
            GetKeyPolicyOutput {
                policy,
                policy_name: checks::DEFAULT_POLICY_NAME.to_owned(),
            },
            Some(self.key_arn(&k.rec.key_id)),
        ))
    }

    //= spec/kms.md#key-policy
    //# PutKeyPolicy MUST store the document as sent, so that GetKeyPolicy returns it, in every key state.
    pub(crate) fn put_key_policy(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: PutKeyPolicyInput,
    ) -> Result<KmsOutcome, ApiError> {
        if i.key_id.is_none() {
            return Err(null_member("keyId"));
        }
        let policy = checks::policy_document(i.policy.as_deref())?.to_owned();
        checks::policy_name(i.policy_name.as_deref())?;
        let k = self.named_key(st, i.key_id.as_deref(), call.now, KeyForms::IdOrArn)?;
        self.deny_managed(call, k, "PutKeyPolicy")?;
        k.rec.policy = Some(policy);
        self.save_key(k)
    }

    //= spec/kms.md#rotation
    //# GetKeyRotationStatus MUST return `KeyId` (the key ARN) and `KeyRotationEnabled`, and, while rotation is enabled, `RotationPeriodInDays` and `NextRotationDate`, in every key state; for the AWS managed key rotation is always enabled with a period of 365 days.
    pub(crate) fn get_key_rotation_status(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: KeyIdInput,
    ) -> Result<KmsOutcome, ApiError> {
        let k = self.named_key(st, i.key_id.as_deref(), call.now, KeyForms::IdOrArn)?;
        let rotation = if k.rec.manager == "AWS" {
            Some((checks::DEFAULT_ROTATION_DAYS, k.rec.created))
        } else {
            k.rec.rotation
        };
        let arn = self.key_arn(&k.rec.key_id);
        Ok(KmsOutcome::new(
            GetKeyRotationStatusOutput {
                key_rotation_enabled: rotation.is_some(),
                key_id: arn.clone(),
                rotation_period_in_days: rotation.map(|(days, _)| days),
                next_rotation_date: rotation.map(|(days, since)| {
                    checks::next_rotation(since, days, call.now).epoch_seconds()
                }),
            },
            Some(arn),
        ))
    }

    //= spec/kms.md#rotation
    //# EnableKeyRotation MUST enable rotation with the given period (365 days when absent), changing only the period when rotation is already enabled, and DisableKeyRotation MUST disable it.
    pub(crate) fn enable_key_rotation(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: EnableKeyRotationInput,
    ) -> Result<KmsOutcome, ApiError> {
        let days = checks::rotation_period(i.rotation_period_in_days)?;
        self.set_rotation(st, call, i.key_id.as_deref(), Some(days))
    }

    pub(crate) fn disable_key_rotation(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: KeyIdInput,
    ) -> Result<KmsOutcome, ApiError> {
        self.set_rotation(st, call, i.key_id.as_deref(), None)
    }

    fn set_rotation(
        &self,
        st: &mut State,
        call: &Call<'_>,
        key_id: Option<&str>,
        days: Option<i64>,
    ) -> Result<KmsOutcome, ApiError> {
        let k = self.named_key(st, key_id, call.now, KeyForms::IdOrArn)?;
        let action = if days.is_some() {
            "EnableKeyRotation"
        } else {
            "DisableKeyRotation"
        };
        self.deny_managed(call, k, action)?;
        self.check_crypto_state(k)?;
        let since = k.rec.rotation.map_or(call.now, |(_, since)| since);
        k.rec.rotation = days.map(|d| (d, since));
        self.save_key(k)
    }

    //= spec/kms.md#tags
    //# TagResource MUST add each tag, replacing the value of a key already present, and UntagResource MUST remove the named keys (a key not present is not an error).
    pub(crate) fn kms_tag_resource(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: KmsTagResourceInput,
    ) -> Result<KmsOutcome, ApiError> {
        if i.key_id.is_none() {
            return Err(null_member("keyId"));
        }
        let tags = checks::tags(i.tags.as_deref())?;
        let k = self.named_key(st, i.key_id.as_deref(), call.now, KeyForms::IdOrArn)?;
        self.deny_managed(call, k, "TagResource")?;
        self.check_not_pending(k)?;
        let mut merged = k.rec.tags.clone();
        merged.extend(tags);
        checks::tag_count(merged.len(), &self.key_arn(&k.rec.key_id))?;
        k.rec.tags = merged;
        self.save_key(k)
    }

    pub(crate) fn kms_untag_resource(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: KmsUntagResourceInput,
    ) -> Result<KmsOutcome, ApiError> {
        if i.key_id.is_none() {
            return Err(null_member("keyId"));
        }
        let keys = checks::tag_keys(i.tag_keys.as_deref())?;
        let k = self.named_key(st, i.key_id.as_deref(), call.now, KeyForms::IdOrArn)?;
        self.deny_managed(call, k, "UntagResource")?;
        self.check_not_pending(k)?;
        for key in keys {
            k.rec.tags.remove(key);
        }
        self.save_key(k)
    }

    //= spec/kms.md#tags
    //# ListResourceTags MUST return the key's tags ordered by `TagKey`, at most `Limit` (1 to 1000, default 50) per page, with `Truncated` and a `NextMarker` that continues the listing, in every key state.
    pub(crate) fn list_resource_tags(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: ListResourceTagsInput,
    ) -> Result<KmsOutcome, ApiError> {
        let limit = ddbsse_wire::kms_paging::LIST_RESOURCE_TAGS.check(i.limit)?;
        let k = self.named_key(st, i.key_id.as_deref(), call.now, KeyForms::IdOrArn)?;
        let start = checks::marker_start(i.marker.as_deref())?;
        let tags: Vec<KmsTag> = k
            .rec
            .tags
            .iter()
            .skip(start)
            .take(limit)
            .map(|(key, value)| KmsTag {
                tag_key: Some(key.clone()),
                tag_value: Some(value.clone()),
            })
            .collect();
        //= spec/kms.md#list-truncated
        //# A page of ListKeys, ListAliases, ListGrants or ListResourceTags MUST carry `Truncated` false and no `NextMarker` when no entries remain after it, even when it holds `Limit` entries.
        let truncated = start.saturating_add(tags.len()) < k.rec.tags.len();
        Ok(KmsOutcome::new(
            ListResourceTagsOutput {
                tags,
                next_marker: truncated.then(|| (start + limit).to_string()),
                truncated,
            },
            Some(self.key_arn(&k.rec.key_id)),
        ))
    }

    //= spec/kms.md#update-key-description
    //# UpdateKeyDescription MUST require `KeyId` and `Description` (0 to 8192 characters, else `ValidationException`) and set the key's `Description`.
    pub(crate) fn update_key_description(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: UpdateKeyDescriptionInput,
    ) -> Result<KmsOutcome, ApiError> {
        if i.key_id.is_none() {
            return Err(null_member("keyId"));
        }
        let description = checks::description(i.description.as_deref())?.to_owned();
        let k = self.named_key(st, i.key_id.as_deref(), call.now, KeyForms::IdOrArn)?;
        self.deny_managed(call, k, "UpdateKeyDescription")?;
        self.check_not_pending(k)?;
        k.rec.description = description;
        self.save_key(k)
    }
}
