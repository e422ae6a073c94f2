//! KMS grants: CreateGrant, ListGrants, RetireGrant, RevokeGrant, the grant DynamoDB creates
//! for each KMS table, and which grants let DynamoDB use a key for a table
//! (`spec/kms.md#grants`).

use ddbsse_crypto::EncryptionContext;
use ddbsse_wire::kms::{
    CreateGrantInput, CreateGrantOutput, DYNAMODB_GRANT_OPERATIONS, GrantConstraints,
    GrantListEntry, GrantRefInput, ListGrantsOutput, ListInput, ListRetirableGrantsInput,
};
use ddbsse_wire::time::Timestamp;
use ddbsse_wire::{ApiError, arn, kms_errors, kms_paging};

use super::keys::{KeyForms, marker_start};
use super::{KmsOutcome, null_member};
use crate::engine::state::{Grant, KeyStatus, State, put_grant};
use crate::engine::{Call, Engine, random};
use crate::storage::{Space, WriteOp};

/// Whether a key can be used by DynamoDB for one table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DynamoDbAccess {
    /// Usable.
    Usable,
    /// The key is disabled.
    Disabled,
    /// The key is pending deletion.
    PendingDeletion,
    /// The key is deleted, or no grant lets DynamoDB decrypt.
    Denied,
}

impl Engine {
    /// DynamoDB's service principal for grants.
    pub fn dynamodb_principal(&self) -> String {
        arn::dynamodb_principal(&self.config.region)
    }

    //= spec/kms.md#grant-table-access
    //# A target MUST treat a table's key as usable by DynamoDB only while some grant on it has grantee `dynamodb.<region>.amazonaws.com`, includes `Decrypt`, and has an `EncryptionContextSubset` contained in the table's encryption context (or an `EncryptionContextEquals` equal to it, or no constraint).
    /// Whether DynamoDB can use `key_id` for a table with context `ctx` at `now`.
    pub fn dynamodb_access(
        &self,
        st: &State,
        key_id: &str,
        ctx: &EncryptionContext,
        now: Timestamp,
    ) -> DynamoDbAccess {
        self.dynamodb_access_among(st, key_id, ctx, now, st.grants.values())
    }

    /// [`Engine::dynamodb_access`] looking only at `grants`, which must include every grant on
    /// `key_id` (callers that check many tables group the grants by key once, instead of scanning
    /// every grant for every table).
    pub(crate) fn dynamodb_access_among<'g>(
        &self,
        st: &State,
        key_id: &str,
        ctx: &EncryptionContext,
        now: Timestamp,
        grants: impl IntoIterator<Item = &'g Grant>,
    ) -> DynamoDbAccess {
        let Some(k) = st.live_key(key_id, now) else {
            return DynamoDbAccess::Denied;
        };
        match k.rec.status {
            KeyStatus::Disabled => return DynamoDbAccess::Disabled,
            KeyStatus::PendingDeletion { .. } => return DynamoDbAccess::PendingDeletion,
            KeyStatus::Enabled => {}
        }
        let principal = self.dynamodb_principal();
        let pairs = ctx.pairs();
        let granted = grants.into_iter().any(|g| {
            g.key_id == key_id
                && g.grantee == principal
                && g.operations.iter().any(|o| o == "Decrypt")
                && match &g.constraints {
                    None => true,
                    Some(c) => {
                        c.encryption_context_subset
                            .as_ref()
                            .is_none_or(|sub| sub.iter().all(|(k, v)| pairs.get(k) == Some(v)))
                            && c.encryption_context_equals
                                .as_ref()
                                .is_none_or(|eq| eq == pairs)
                    }
                }
        });
        if granted {
            DynamoDbAccess::Usable
        } else {
            DynamoDbAccess::Denied
        }
    }

    //= spec/kms.md#dynamodb-grant
    //# For each KMS table, a target MUST hold exactly one grant on the table's key with `GranteePrincipal` and `RetiringPrincipal` `dynamodb.<region>.amazonaws.com`, `Operations` `["DescribeKey", "GenerateDataKey", "Decrypt", "Encrypt", "ReEncryptFrom", "ReEncryptTo", "RetireGrant"]`, `Constraints` `{"EncryptionContextSubset": <the table's encryption context>}` and a UUID `Name`.
    /// Creates the grant DynamoDB holds for a table; returns it (already stored).
    pub(crate) fn create_table_grant(
        &self,
        st: &mut State,
        key_id: &str,
        ctx: &EncryptionContext,
        now: Timestamp,
    ) -> Result<Grant, ApiError> {
        let principal = self.dynamodb_principal();
        let grant = Grant {
            grant_id: random::grant_id(),
            key_id: key_id.to_owned(),
            name: Some(random::uuid()),
            created: now,
            grantee: principal.clone(),
            service_grantee: false,
            retiring: Some(principal),
            operations: DYNAMODB_GRANT_OPERATIONS
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            constraints: Some(GrantConstraints {
                encryption_context_subset: Some(ctx.pairs().clone()),
                encryption_context_equals: None,
            }),
            token: grant_token()?,
            seq: st.seq(),
        };
        self.commit(vec![put_grant(&grant)])?;
        st.grants.insert(grant.grant_id.clone(), grant.clone());
        Ok(grant)
    }

    /// Deletes a grant (store first).
    pub(crate) fn delete_grant(&self, st: &mut State, grant_id: &str) -> Result<(), ApiError> {
        self.commit(vec![WriteOp::Delete(
            Space::Grants,
            grant_id.as_bytes().to_vec(),
        )])?;
        st.grants.remove(grant_id);
        Ok(())
    }

    //= spec/kms.md#create-grant
    //# CreateGrant MUST require `KeyId` and a non-empty `Operations` list of `GrantOperation` values, and MUST return a `GrantId` of 64 lowercase hex digits and a non-empty `GrantToken`.
    //= spec/kms.md#create-grant
    //# CreateGrant MUST require exactly one of `GranteePrincipal` and `GranteeServicePrincipal`, and MUST fail a request with neither or both with `ValidationException` and the message `You must specify either GranteePrincipal or GranteeServicePrincipal, but not both.`.
    pub(crate) fn create_grant(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: CreateGrantInput,
    ) -> Result<KmsOutcome, ApiError> {
        let checked = i.checked()?;
        let (key_id_in, grantee, service_grantee, ops) = (
            checked.key_id.to_owned(),
            checked.grantee.to_owned(),
            checked.service_grantee,
            checked.operations.to_vec(),
        );
        let k = self.named_key(st, Some(&key_id_in), call.now, KeyForms::IdOrArn)?;
        self.deny_managed(call, k, "CreateGrant")?;
        self.check_crypto_state(k)?;
        let key_id = k.rec.key_id.clone();
        let grant = Grant {
            grant_id: random::grant_id(),
            key_id: key_id.clone(),
            name: i.name,
            created: call.now,
            grantee,
            service_grantee,
            retiring: i.retiring_principal,
            operations: ops,
            constraints: i.constraints,
            token: grant_token()?,
            seq: st.seq(),
        };
        self.commit(vec![put_grant(&grant)])?;
        let out = CreateGrantOutput {
            grant_token: grant.token.clone(),
            grant_id: grant.grant_id.clone(),
        };
        st.grants.insert(grant.grant_id.clone(), grant);
        Ok(KmsOutcome::new(out, Some(self.key_arn(&key_id))))
    }

    /// A grant as ListGrants shows it.
    pub fn grant_entry(&self, g: &Grant) -> GrantListEntry {
        GrantListEntry {
            key_id: self.key_arn(&g.key_id),
            grant_id: g.grant_id.clone(),
            name: g.name.clone(),
            creation_date: g.created.epoch_seconds(),
            grantee_principal: (!g.service_grantee).then(|| g.grantee.clone()),
            grantee_service_principal: g.service_grantee.then(|| g.grantee.clone()),
            retiring_principal: g.retiring.clone(),
            issuing_account: arn::account_root(&self.config.account),
            operations: g.operations.clone(),
            constraints: g.constraints.clone(),
        }
    }

    //= spec/kms.md#list-grants
    //# ListGrants MUST return the key's grants in creation order, with the values CreateGrant received, as `GrantListEntry` objects with `KeyId` (the key ARN), `GrantId`, `Name`, `CreationDate`, `GranteePrincipal` or `GranteeServicePrincipal` (whichever CreateGrant received), `RetiringPrincipal` (when set), `IssuingAccount`, `Operations` and `Constraints` (when set).
    pub(crate) fn list_grants(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: ListInput,
    ) -> Result<KmsOutcome, ApiError> {
        let limit = kms_paging::LIST_GRANTS.check(i.limit)?;
        kms_errors::one_grantee_filter(&i)?;
        let k = self.named_key(st, i.key_id.as_deref(), call.now, KeyForms::IdOrArn)?;
        let key_id = k.rec.key_id.clone();
        //= spec/kms.md#list-grants
        //# A `GrantId` filter that is not 64 hex digits MUST fail with `InvalidGrantIdException`.
        if let Some(g) = i.grant_id.as_deref()
            && !kms_errors::is_grant_id(g)
        {
            return Err(kms_errors::invalid_grant_id(g));
        }
        //= spec/kms.md#list-grants
        //# A `GrantId` filter MUST limit the listing to the key's grant with that id (no entry when the key has none), a `GranteePrincipal` filter to the key's grants created with that `GranteePrincipal`, and the two given together to the grants that pass both.
        //= spec/kms.md#list-grants
        //# A `GranteeServicePrincipal` filter MUST limit the listing to the key's grants created with that `GranteeServicePrincipal`, and a ListGrants with both `GranteePrincipal` and `GranteeServicePrincipal` MUST fail with `ValidationException` and the message `You can specify either GranteePrincipal or GranteeServicePrincipal, but not both.`.
        let mut grants: Vec<&Grant> = st
            .grants
            .values()
            .filter(|g| g.key_id == key_id)
            .filter(|g| i.grant_id.as_ref().is_none_or(|id| &g.grant_id == id))
            .filter(|g| {
                i.grantee_principal
                    .as_ref()
                    .is_none_or(|p| !g.service_grantee && &g.grantee == p)
            })
            .filter(|g| {
                i.grantee_service_principal
                    .as_ref()
                    .is_none_or(|p| g.service_grantee && &g.grantee == p)
            })
            .collect();
        grants.sort_by_key(|g| g.seq);
        let start = marker_start(i.marker.as_deref())?;
        //= spec/kms.md#list-grants
        //# ListGrants MUST return at most `Limit` entries (1 to 100, default 50) and, when more remain, `Truncated` true and a `NextMarker` that, passed as `Marker`, continues the listing.
        let page: Vec<GrantListEntry> = grants
            .iter()
            .skip(start)
            .take(limit)
            .map(|g| self.grant_entry(g))
            .collect();
        //= spec/kms.md#list-truncated
        //# A page of ListKeys, ListAliases, ListGrants or ListResourceTags MUST carry `Truncated` false and no `NextMarker` when no entries remain after it, even when it holds `Limit` entries.
        let truncated = start + page.len() < grants.len();
        Ok(KmsOutcome::new(
            ListGrantsOutput {
                grants: page,
                next_marker: truncated.then(|| (start + limit).to_string()),
                truncated,
            },
            Some(self.key_arn(&key_id)),
        ))
    }

    //= spec/kms.md#retire-revoke
    //# RetireGrant (by `GrantToken`, or by `KeyId` and `GrantId`) and RevokeGrant (by `KeyId` and `GrantId`) MUST delete the grant, so that ListGrants no longer shows it.
    pub(crate) fn retire_grant(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: GrantRefInput,
    ) -> Result<KmsOutcome, ApiError> {
        if let Some(token) = i.grant_token.as_deref()
            && i.grant_id.is_none()
        {
            let g = st
                .grants
                .values()
                .find(|g| g.token == token)
                .map(|g| (g.grant_id.clone(), g.key_id.clone()))
                .ok_or_else(kms_errors::invalid_grant_token)?;
            self.delete_grant(st, &g.0)?;
            let mut out = KmsOutcome::new(serde_json::json!({}), Some(self.key_arn(&g.1)));
            out.grant_id = Some(g.0);
            return Ok(out);
        }
        //= spec/kms.md#retire-revoke
        //# A RetireGrant without `GrantToken` that lacks `KeyId` or `GrantId` MUST fail with `ValidationException` and the message `Either GrantToken, or both KeyId and GrantId must be specified`, before any key is looked up.
        if i.key_id.is_none() || i.grant_id.is_none() {
            return Err(kms_errors::retire_names_no_grant());
        }
        let token = i.grant_token.clone();
        self.remove_named_grant(st, call, i, token.as_deref())
    }

    pub(crate) fn revoke_grant(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: GrantRefInput,
    ) -> Result<KmsOutcome, ApiError> {
        if i.grant_id.is_none() {
            return Err(null_member("grantId"));
        }
        self.remove_named_grant(st, call, i, None)
    }

    //= spec/kms.md#retire-revoke
    //# A `GrantId` that is not 64 hex digits MUST fail with `InvalidGrantIdException`, and a well-formed `GrantId` that names no grant of the key MUST fail with `NotFoundException`.
    /// Removes the grant `KeyId` and `GrantId` name; with `token` (a RetireGrant that also
    /// carries a `GrantToken`) only when it is that grant's token.
    fn remove_named_grant(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: GrantRefInput,
        token: Option<&str>,
    ) -> Result<KmsOutcome, ApiError> {
        let k = self.named_key(st, i.key_id.as_deref(), call.now, KeyForms::IdOrArn)?;
        let key_id = k.rec.key_id.clone();
        let grant_id = i.grant_id.unwrap_or_default();
        if !kms_errors::is_grant_id(&grant_id) {
            return Err(kms_errors::invalid_grant_id(&grant_id));
        }
        let Some(grant) = st.grants.get(&grant_id).filter(|g| g.key_id == key_id) else {
            return Err(kms_errors::grant_not_found(&grant_id));
        };
        //= spec/kms.md#retire-revoke
        //# A RetireGrant carrying a `GrantToken` together with `KeyId` and `GrantId` MUST retire that grant only when the token is that grant's token, and otherwise MUST fail with `InvalidGrantTokenException` and the message `Grant token is not valid` and retire nothing.
        if token.is_some_and(|t| t != grant.token) {
            return Err(kms_errors::invalid_grant_token());
        }
        self.delete_grant(st, &grant_id)?;
        let mut out = KmsOutcome::new(serde_json::json!({}), Some(self.key_arn(&key_id)));
        out.grant_id = Some(grant_id);
        Ok(out)
    }
}

/// A fresh grant token (opaque, base64 of random bytes).
impl Engine {
    //= spec/kms.md#retirable-grants
    //# ListRetirableGrants MUST require `RetiringPrincipal` or `RetiringServicePrincipal` (else `ValidationException`) and return, in key and then grant creation order, every grant of a live key whose retiring principal equals it, paged by `Limit` (1 to 100, default 50).
    pub(crate) fn list_retirable_grants(
        &self,
        st: &mut State,
        call: &Call<'_>,
        i: ListRetirableGrantsInput,
    ) -> Result<KmsOutcome, ApiError> {
        use ddbsse_wire::kms_settings as checks;
        let limit = kms_paging::LIST_RETIRABLE_GRANTS.check(i.limit)?;
        let principal = checks::retiring_principal(&i)?;
        let start = checks::marker_start(i.marker.as_deref())?;
        let mut matching: Vec<&Grant> = st
            .grants
            .values()
            .filter(|g| g.retiring.as_deref() == Some(principal))
            .filter(|g| st.live_key(&g.key_id, call.now).is_some())
            .collect();
        matching.sort_by_key(|g| {
            (
                st.keys.get(&g.key_id).map_or(u64::MAX, |k| k.rec.seq),
                g.seq,
            )
        });
        let page: Vec<GrantListEntry> = matching
            .iter()
            .skip(start)
            .take(limit)
            .map(|g| self.grant_entry(g))
            .collect();
        //= spec/kms.md#retirable-grants
        //# A ListRetirableGrants page MUST carry `Truncated` true, and a `NextMarker` that, passed as `Marker`, continues the listing, exactly when more grants remain after it; a page that ends the listing, even a full one, carries `Truncated` false.
        let truncated = start.saturating_add(page.len()) < matching.len();
        Ok(KmsOutcome::new(
            ListGrantsOutput {
                grants: page,
                next_marker: truncated.then(|| (start + limit).to_string()),
                truncated,
            },
            None,
        ))
    }
}

fn grant_token() -> Result<String, ApiError> {
    use base64::Engine as _;
    let b = random::bytes::<48>()?;
    Ok(base64::engine::general_purpose::STANDARD.encode(b))
}
