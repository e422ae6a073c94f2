//! UpdateAlias and DeleteAlias (`spec/kms.md#alias-updates`). CreateAlias and ListAliases are in
//! `kms_keys.rs`.

use ddbsse_wire::caller::Caller;
use ddbsse_wire::kms::{CreateAliasInput, DeleteAliasInput};
use ddbsse_wire::operation::Empty;
use ddbsse_wire::time::Timestamp;
use ddbsse_wire::{ApiError, arn, kms_errors, kms_settings};

use super::Model;
use super::key_state::KeyOpClass;
use super::kms::{Forms, missing};

impl Model {
    /// The index of the live key an existing alias points at, or `NotFoundException`.
    fn alias_target(&self, name: &str) -> Result<usize, ApiError> {
        self.kms
            .aliases
            .get(name)
            .and_then(|a| self.kms.by_id(&a.target_key_id))
            .ok_or_else(|| {
                kms_errors::alias_not_found(&arn::kms_alias(
                    &self.config.region,
                    &self.config.account,
                    name,
                ))
            })
    }

    //= spec/kms.md#alias-updates
    //# UpdateAlias MUST point an existing alias at the key `TargetKeyId` names (a key id or key ARN), keep its `CreationDate` and set its `LastUpdatedDate`; an alias that does not exist MUST fail with `NotFoundException` and the message `Alias <alias arn> is not found.`.
    pub(super) fn update_alias(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &CreateAliasInput,
    ) -> Result<Empty, ApiError> {
        let name = kms_settings::alias_name(input.alias_name.as_deref())?.to_owned();
        if input.target_key_id.is_none() {
            return Err(missing("targetKeyId"));
        }
        let old = self.alias_target(&name)?;
        let new = self.resolve_key(now, input.target_key_id.as_deref(), Forms::IdOrArn, false)?;
        self.deny_managed(old, &caller.access_key_id, "UpdateAlias")?;
        self.deny_managed(new, &caller.access_key_id, "UpdateAlias")?;
        self.check_key_state(new, KeyOpClass::Management)?;
        let target_key_id = self.kms.keys[new].id.clone();
        if let Some(alias) = self.kms.aliases.get_mut(&name) {
            alias.target_key_id = target_key_id;
            alias.updated = now;
        }
        Ok(Empty {})
    }

    //= spec/kms.md#alias-updates
    //# DeleteAlias MUST remove an existing alias in every state of its key, and an alias that does not exist MUST fail with `NotFoundException`.
    pub(super) fn delete_alias(
        &mut self,
        caller: &Caller,
        input: &DeleteAliasInput,
    ) -> Result<Empty, ApiError> {
        let name = kms_settings::alias_name(input.alias_name.as_deref())?.to_owned();
        let i = self.alias_target(&name)?;
        self.deny_managed(i, &caller.access_key_id, "DeleteAlias")?;
        self.check_key_state(i, KeyOpClass::Metadata)?;
        self.kms.aliases.remove(&name);
        Ok(Empty {})
    }
}
