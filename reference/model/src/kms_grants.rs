//! Direct KMS grant operations: CreateGrant, ListGrants, RetireGrant, RevokeGrant
//! (`spec/kms.md#grants`). The grant DynamoDB creates for a table goes through
//! [`Model::add_grant`] too, so both kinds of grant are the same data.

use ddbsse_wire::caller::Caller;
use ddbsse_wire::ids::IdSource;
use ddbsse_wire::kms::*;
use ddbsse_wire::operation::Empty;
use ddbsse_wire::time::Timestamp;
use ddbsse_wire::{ApiError, ErrorCode, arn, kms_errors, kms_paging};

use super::Model;
use super::key_state::KeyOpClass;
use super::kms::{Forms, Grant, missing};

/// What a new grant allows, as CreateGrant received it.
pub struct GrantSpec {
    pub name: Option<String>,
    pub grantee: String,
    /// The grantee is a `GranteeServicePrincipal`.
    pub service_grantee: bool,
    pub retiring: Option<String>,
    pub operations: Vec<String>,
    pub constraints: Option<GrantConstraints>,
}

impl Model {
    /// Adds a grant to key `i` and returns (grant id, grant token).
    pub(super) fn add_grant(
        &mut self,
        now: Timestamp,
        i: usize,
        spec: GrantSpec,
    ) -> (String, String) {
        let id = self.ids.hex(32);
        let token = format!("AQpA{}", self.ids.hex(48));
        self.kms.keys[i].grants.push(Grant {
            id: id.clone(),
            token: token.clone(),
            name: spec.name,
            grantee: spec.grantee,
            service_grantee: spec.service_grantee,
            retiring: spec.retiring,
            operations: spec.operations,
            constraints: spec.constraints,
            created: now,
        });
        (id, token)
    }

    pub(super) fn create_grant(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &CreateGrantInput,
    ) -> Result<CreateGrantOutput, ApiError> {
        //= spec/kms.md#create-grant
        //# CreateGrant MUST require `KeyId` and a non-empty `Operations` list of `GrantOperation` values, and MUST return a `GrantId` of 64 lowercase hex digits and a non-empty `GrantToken`.
        //= spec/kms.md#create-grant
        //# CreateGrant MUST require exactly one of `GranteePrincipal` and `GranteeServicePrincipal`, and MUST fail a request with neither or both with `ValidationException` and the message `You must specify either GranteePrincipal or GranteeServicePrincipal, but not both.`.
        let checked = input.checked()?;
        let grantee = checked.grantee.to_owned();
        let service_grantee = checked.service_grantee;
        let operations = checked.operations.to_vec();
        let i = self.resolve_key(now, Some(checked.key_id), Forms::IdOrArn, false)?;
        self.deny_managed(i, &caller.access_key_id, "CreateGrant")?;
        self.check_key_state(i, KeyOpClass::Cryptographic)?;
        let (grant_id, grant_token) = self.add_grant(
            now,
            i,
            GrantSpec {
                name: input.name.clone(),
                grantee,
                service_grantee,
                retiring: input.retiring_principal.clone(),
                operations,
                constraints: input.constraints.clone(),
            },
        );
        Ok(CreateGrantOutput {
            grant_token,
            grant_id,
        })
    }

    pub(super) fn list_grants(
        &mut self,
        now: Timestamp,
        input: &ListInput,
    ) -> Result<ListGrantsOutput, ApiError> {
        //= spec/kms.md#list-grants
        //# ListGrants MUST return at most `Limit` entries (1 to 100, default 50) and, when more remain, `Truncated` true and a `NextMarker` that, passed as `Marker`, continues the listing.
        let limit = kms_paging::LIST_GRANTS.check(input.limit)?;
        kms_errors::one_grantee_filter(input)?;
        let i = self.resolve_key(now, input.key_id.as_deref(), Forms::IdOrArn, false)?;
        self.check_key_state(i, KeyOpClass::Metadata)?;
        //= spec/kms.md#list-grants
        //# A `GrantId` filter that is not 64 hex digits MUST fail with `InvalidGrantIdException`.
        if let Some(id) = input.grant_id.as_deref()
            && !kms_errors::is_grant_id(id)
        {
            return Err(kms_errors::invalid_grant_id(id));
        }
        let key = &self.kms.keys[i];
        //= spec/kms.md#list-grants
        //# A `GrantId` filter MUST limit the listing to the key's grant with that id (no entry when the key has none), a `GranteePrincipal` filter to the key's grants created with that `GranteePrincipal`, and the two given together to the grants that pass both.
        //= spec/kms.md#list-grants
        //# A `GranteeServicePrincipal` filter MUST limit the listing to the key's grants created with that `GranteeServicePrincipal`, and a ListGrants with both `GranteePrincipal` and `GranteeServicePrincipal` MUST fail with `ValidationException` and the message `You can specify either GranteePrincipal or GranteeServicePrincipal, but not both.`.
        let matching: Vec<&Grant> = key
            .grants
            .iter()
            .filter(|g| input.grant_id.as_ref().is_none_or(|id| *id == g.id))
            .filter(|g| {
                input
                    .grantee_principal
                    .as_ref()
                    .is_none_or(|p| !g.service_grantee && *p == g.grantee)
            })
            .filter(|g| {
                input
                    .grantee_service_principal
                    .as_ref()
                    .is_none_or(|p| g.service_grantee && *p == g.grantee)
            })
            .collect();
        let start = match input.marker.as_deref() {
            None => 0,
            Some(m) => matching.iter().position(|g| g.id == m).ok_or_else(|| {
                ApiError::new(ErrorCode::InvalidMarker, format!("Invalid marker {m}"))
            })?,
        };
        let end = (start + limit).min(matching.len());
        //= spec/kms.md#list-grants
        //# ListGrants MUST return the key's grants in creation order, with the values CreateGrant received, as `GrantListEntry` objects with `KeyId` (the key ARN), `GrantId`, `Name`, `CreationDate`, `GranteePrincipal` or `GranteeServicePrincipal` (whichever CreateGrant received), `RetiringPrincipal` (when set), `IssuingAccount`, `Operations` and `Constraints` (when set).
        let grants = matching[start..end]
            .iter()
            .map(|g| GrantListEntry {
                key_id: key.arn.clone(),
                grant_id: g.id.clone(),
                name: Some(g.name.clone().unwrap_or_default()),
                creation_date: g.created.epoch_seconds(),
                grantee_principal: (!g.service_grantee).then(|| g.grantee.clone()),
                grantee_service_principal: g.service_grantee.then(|| g.grantee.clone()),
                retiring_principal: g.retiring.clone(),
                issuing_account: arn::account_root(&self.config.account),
                operations: g.operations.clone(),
                constraints: g.constraints.clone(),
            })
            .collect();
        //= spec/kms.md#list-truncated
        //# A page of ListKeys, ListAliases, ListGrants or ListResourceTags MUST carry `Truncated` false and no `NextMarker` when no entries remain after it, even when it holds `Limit` entries.
        let truncated = end < matching.len();
        Ok(ListGrantsOutput {
            grants,
            next_marker: truncated.then(|| matching[end].id.clone()),
            truncated,
        })
    }

    /// RetireGrant (by token, or key and grant id) or RevokeGrant (key and grant id).
    pub(super) fn remove_grant(
        &mut self,
        now: Timestamp,
        input: &GrantRefInput,
        retire: bool,
    ) -> Result<Empty, ApiError> {
        let (ki, gi) = match (retire, input.grant_token.as_deref()) {
            (true, Some(token)) if input.grant_id.is_none() => self
                .kms
                .grant_by_token(token)
                .ok_or_else(kms_errors::invalid_grant_token)?,
            _ => {
                //= spec/kms.md#retire-revoke
                //# A RetireGrant without `GrantToken` that lacks `KeyId` or `GrantId` MUST fail with `ValidationException` and the message `Either GrantToken, or both KeyId and GrantId must be specified`, before any key is looked up.
                if retire && (input.key_id.is_none() || input.grant_id.is_none()) {
                    return Err(kms_errors::retire_names_no_grant());
                }
                let i = self.resolve_key(now, input.key_id.as_deref(), Forms::IdOrArn, false)?;
                let grant_id = input
                    .grant_id
                    .as_deref()
                    .ok_or_else(|| missing("grantId"))?;
                //= spec/kms.md#retire-revoke
                //# A `GrantId` that is not 64 hex digits MUST fail with `InvalidGrantIdException`, and a well-formed `GrantId` that names no grant of the key MUST fail with `NotFoundException`.
                if !kms_errors::is_grant_id(grant_id) {
                    return Err(kms_errors::invalid_grant_id(grant_id));
                }
                let gi = self.kms.keys[i]
                    .grants
                    .iter()
                    .position(|g| g.id == grant_id)
                    .ok_or_else(|| kms_errors::grant_not_found(grant_id))?;
                //= spec/kms.md#retire-revoke
                //# A RetireGrant carrying a `GrantToken` together with `KeyId` and `GrantId` MUST retire that grant only when the token is that grant's token, and otherwise MUST fail with `InvalidGrantTokenException` and the message `Grant token is not valid` and retire nothing.
                if let Some(token) = input.grant_token.as_deref().filter(|_| retire)
                    && self.kms.keys[i].grants[gi].token != token
                {
                    return Err(kms_errors::invalid_grant_token());
                }
                (i, gi)
            }
        };
        self.check_key_state(ki, KeyOpClass::Metadata)?;
        //= spec/kms.md#retire-revoke
        //# RetireGrant (by `GrantToken`, or by `KeyId` and `GrantId`) and RevokeGrant (by `KeyId` and `GrantId`) MUST delete the grant, so that ListGrants no longer shows it.
        self.kms.keys[ki].grants.remove(gi);
        Ok(Empty {})
    }
}

impl Model {
    //= spec/kms.md#retirable-grants
    //# ListRetirableGrants MUST require `RetiringPrincipal` or `RetiringServicePrincipal` (else `ValidationException`) and return, in key and then grant creation order, every grant of a live key whose retiring principal equals it, paged by `Limit` (1 to 100, default 50).
    pub(super) fn list_retirable_grants(
        &mut self,
        input: &ListRetirableGrantsInput,
    ) -> Result<ListGrantsOutput, ApiError> {
        use ddbsse_wire::kms_settings as checks;
        let limit = kms_paging::LIST_RETIRABLE_GRANTS.check(input.limit)?;
        let principal = checks::retiring_principal(input)?;
        let start = checks::marker_start(input.marker.as_deref())?;
        let all: Vec<GrantListEntry> = self
            .kms
            .keys
            .iter()
            .filter(|k| k.state != super::key_state::KeyState::Deleted)
            .flat_map(|k| {
                k.grants
                    .iter()
                    .filter(|g| g.retiring.as_deref() == Some(principal))
                    .map(|g| GrantListEntry {
                        key_id: k.arn.clone(),
                        grant_id: g.id.clone(),
                        name: Some(g.name.clone().unwrap_or_default()),
                        creation_date: g.created.epoch_seconds(),
                        grantee_principal: (!g.service_grantee).then(|| g.grantee.clone()),
                        grantee_service_principal: g.service_grantee.then(|| g.grantee.clone()),
                        retiring_principal: g.retiring.clone(),
                        issuing_account: arn::account_root(&self.config.account),
                        operations: g.operations.clone(),
                        constraints: g.constraints.clone(),
                    })
            })
            .collect();
        let total = all.len();
        let grants: Vec<GrantListEntry> = all.into_iter().skip(start).take(limit).collect();
        //= spec/kms.md#retirable-grants
        //# A ListRetirableGrants page MUST carry `Truncated` true, and a `NextMarker` that, passed as `Marker`, continues the listing, exactly when more grants remain after it; a page that ends the listing, even a full one, carries `Truncated` false.
        let truncated = start.saturating_add(grants.len()) < total;
        Ok(ListGrantsOutput {
            grants,
            next_marker: truncated.then(|| (start + limit).to_string()),
            truncated,
        })
    }
}
