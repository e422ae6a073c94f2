//! KMS aliases: CreateAlias and ListAliases (`spec/kms.md#aliases`), UpdateAlias and DeleteAlias
//! (`spec/kms.md#alias-updates`).

use ddbsse_wire::kms::{
    AliasListEntry, CreateAliasInput, DeleteAliasInput, ListAliasesOutput, ListInput,
};
use ddbsse_wire::{ApiError, ErrorCode, kms_errors};

use super::keys::marker_start;
use super::{KmsOutcome, null_member, pending};
use crate::engine::state::{Alias, KeyStatus, State, put_alias};
use crate::engine::{Call, Engine};
use crate::storage::{Space, WriteOp};

fn invalid_alias(m: &str) -> ApiError {
    ApiError::new(ErrorCode::InvalidAliasName, m.to_owned())
}

impl Engine {
    //= spec/kms.md#aliases
    //# CreateAlias MUST reject an `AliasName` that does not begin with `alias/`, does not match `^[a-zA-Z0-9:/_-]+$`, is longer than 256 characters, or begins with `alias/aws/`, with `InvalidAliasNameException`.
    pub(crate) fn create_alias(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: CreateAliasInput,
    ) -> Result<KmsOutcome, ApiError> {
        let name = i.alias_name.ok_or_else(|| null_member("aliasName"))?;
        let target = i.target_key_id.ok_or_else(|| null_member("targetKeyId"))?;
        if !name.starts_with("alias/") {
            return Err(invalid_alias(kms_errors::ALIAS_PREFIX_TEXT));
        }
        if name.len() > 256
            || name.len() <= "alias/".len()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b":/_-".contains(&b))
        {
            return Err(invalid_alias(&format!(
                "Alias name {name} must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$ and be at most 256 characters long"
            )));
        }
        if name.starts_with("alias/aws/") {
            return Err(invalid_alias(
                "Alias names cannot begin with alias/aws/: that prefix is reserved for AWS managed keys.",
            ));
        }
        //= spec/kms.md#aliases
        //# CreateAlias MUST reject an `AliasName` that already exists with `AlreadyExistsException` and the message `An alias with the name <alias arn> already exists`.
        if st.aliases.contains_key(&name) {
            return Err(ApiError::new(
                ErrorCode::AlreadyExists,
                format!(
                    "An alias with the name {} already exists",
                    self.alias_arn(&name)
                ),
            ));
        }
        let key_id = self
            .lookup_key_id(st, &target, call.now)
            .map_err(|u| u.to_kms_error())?;
        let arn = self.key_arn(&key_id);
        if let Some(k) = st.keys.get(&key_id)
            && matches!(k.rec.status, KeyStatus::PendingDeletion { .. })
        {
            return Err(pending(&arn));
        }
        let alias = Alias {
            name: name.clone(),
            key_id,
            created: call.now,
            updated: call.now,
        };
        self.commit(vec![put_alias(&alias)])?;
        st.aliases.insert(name, alias);
        Ok(KmsOutcome::new(serde_json::json!({}), Some(arn)))
    }

    //= spec/kms.md#aliases
    //# ListAliases MUST return, for every alias, `AliasName`, `AliasArn` (`arn:aws:kms:<region>:<account>:<AliasName>`), `TargetKeyId` (the key id), `CreationDate` and `LastUpdatedDate`, and MUST NOT list `alias/aws/dynamodb` before the AWS managed key exists.
    pub(crate) fn list_aliases(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: ListInput,
    ) -> Result<KmsOutcome, ApiError> {
        //= spec/kms.md#aliases
        //# ListAliases MUST return at most `Limit` entries (1 to 100, default 50) and, when more remain, `Truncated` true and a `NextMarker` that, passed as `Marker`, continues the listing.
        let limit = ddbsse_wire::kms_paging::LIST_ALIASES.check(i.limit)?;
        //= spec/kms.md#aliases
        //# A ListAliases with a `KeyId` MUST list only the aliases whose `TargetKeyId` is that key, and a `KeyId` that names no key MUST fail with `NotFoundException` and the message of section 1.2.
        let filter = match i.key_id.as_deref() {
            None => None,
            Some(k) => Some(
                self.lookup_key_id(st, k, call.now)
                    .map_err(|u| u.to_kms_error())?,
            ),
        };
        let all: Vec<&Alias> = st
            .aliases
            .values()
            .filter(|a| st.live_key(&a.key_id, call.now).is_some())
            .filter(|a| filter.as_ref().is_none_or(|f| &a.key_id == f))
            .collect();
        let start = marker_start(i.marker.as_deref())?;
        let page: Vec<AliasListEntry> = all
            .iter()
            .skip(start)
            .take(limit)
            .map(|a| AliasListEntry {
                alias_name: a.name.clone(),
                alias_arn: self.alias_arn(&a.name),
                target_key_id: Some(a.key_id.clone()),
                creation_date: Some(a.created.epoch_seconds()),
                last_updated_date: Some(a.updated.epoch_seconds()),
            })
            .collect();
        //= spec/kms.md#list-truncated
        //# A page of ListKeys, ListAliases, ListGrants or ListResourceTags MUST carry `Truncated` false and no `NextMarker` when no entries remain after it, even when it holds `Limit` entries.
        let truncated = start + page.len() < all.len();
        Ok(KmsOutcome::new(
            ListAliasesOutput {
                aliases: page,
                next_marker: truncated.then(|| (start + limit).to_string()),
                truncated,
            },
            None,
        ))
    }
}

impl Engine {
    /// The id of the live key an existing alias points at, or `NotFoundException`.
    fn alias_key(&self, st: &State, name: &str, call: &Call<'_>) -> Result<String, ApiError> {
        st.aliases
            .get(name)
            .filter(|a| st.live_key(&a.key_id, call.now).is_some())
            .map(|a| a.key_id.clone())
            .ok_or_else(|| kms_errors::alias_not_found(&self.alias_arn(name)))
    }

    //= spec/kms.md#alias-updates
    //# UpdateAlias MUST point an existing alias at the key `TargetKeyId` names (a key id or key ARN), keep its `CreationDate` and set its `LastUpdatedDate`; an alias that does not exist MUST fail with `NotFoundException` and the message `Alias <alias arn> is not found.`.
    pub(crate) fn update_alias(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: CreateAliasInput,
    ) -> Result<KmsOutcome, ApiError> {
        let name = ddbsse_wire::kms_settings::alias_name(i.alias_name.as_deref())?.to_owned();
        let target = i.target_key_id.ok_or_else(|| null_member("targetKeyId"))?;
        let old = self.alias_key(st, &name, call)?;
        let new = self
            .lookup_key_id(st, &target, call.now)
            .map_err(|u| u.to_kms_error())?;
        for id in [&old, &new] {
            if let Some(k) = st.keys.get(id.as_str()) {
                self.deny_managed(call, k, "UpdateAlias")?;
            }
        }
        if let Some(k) = st.keys.get(&new) {
            self.check_not_pending(k)?;
        }
        let Some(alias) = st.aliases.get_mut(&name) else {
            return Err(kms_errors::alias_not_found(&self.alias_arn(&name)));
        };
        alias.key_id = new.clone();
        alias.updated = call.now;
        self.commit(vec![put_alias(alias)])?;
        Ok(KmsOutcome::new(
            serde_json::json!({}),
            Some(self.key_arn(&new)),
        ))
    }

    //= spec/kms.md#alias-updates
    //# DeleteAlias MUST remove an existing alias in every state of its key, and an alias that does not exist MUST fail with `NotFoundException`.
    pub(crate) fn delete_alias(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: DeleteAliasInput,
    ) -> Result<KmsOutcome, ApiError> {
        let name = ddbsse_wire::kms_settings::alias_name(i.alias_name.as_deref())?.to_owned();
        let key_id = self.alias_key(st, &name, call)?;
        if let Some(k) = st.keys.get(&key_id) {
            self.deny_managed(call, k, "DeleteAlias")?;
        }
        self.commit(vec![WriteOp::Delete(
            Space::Aliases,
            name.as_bytes().to_vec(),
        )])?;
        st.aliases.remove(&name);
        Ok(KmsOutcome::new(
            serde_json::json!({}),
            Some(self.key_arn(&key_id)),
        ))
    }
}
