//! The reference model: a pure, deterministic state machine of one account and region's
//! DynamoDB tables, KMS keys, aliases, grants, table-key cache and CloudTrail events.
//!
//! `Model::handle(now, caller, request)` returns the response (or error) and the trail records
//! the call emitted. No IO, no async, no wall clock, no global randomness: ids come from a seeded
//! generator ([`ddbsse_wire::ids::SeededIds`]), key material and nonces from a seeded ChaCha20, and
//! time only moves when the caller passes a later `now`. It is the oracle the conformance suite
//! checks targets against; it stores item values in plaintext (the table key is real and is
//! really unwrapped on every cache miss, but items are not sealed).
//!
//! Using it: [`Model::new`] with a [`ModelConfig`] (account, region, seed), then
//! [`Model::handle`] per request, [`Model::advance`] when time passes without one (the TTL
//! sweep runs when the clock moves); `Clone` forks a model. Read-only accessors for harnesses and
//! tests: [`Model::events`] (every record, oldest first), [`Model::last_request_id`] (the
//! `x-amzn-RequestId` of the last request), [`Model::now`], [`Model::table_names`],
//! [`Model::table`] / [`Model::table_at`] (a [`TableView`]), [`Model::key_state`] and
//! [`Model::cache_entries`]. The state tables are public constants:
//! [`KEY_STATE_TRANSITIONS`], [`KEY_STATE_EFFECTS`] and [`TABLE_STATUS_TRANSITIONS`].
//!
//! Layout: the key-state and table-status machines are data (`key_state`, `table_status`);
//! `kms*` hold the KMS state and operations; `tables`, `items`, `lifecycle`, `quota` and `cache`
//! the DynamoDB side; `service_calls` the KMS calls DynamoDB makes; `records` and `lookup` the
//! trail.

mod cache;
mod control;
mod index_items;
mod items;
mod key_ref;
pub mod key_state;
mod kms;
mod kms_alias_ops;
mod kms_crypto;
mod kms_crypto_ops;
mod kms_grants;
mod kms_keys;
mod kms_settings_ops;
mod lifecycle;
mod lookup;
mod quota;
mod records;
mod secrets;
mod service_calls;
pub mod table_status;
mod tables;
mod transact_tokens;
mod ttl_sweep;

use std::collections::BTreeMap;

use ddbsse_wire::arn;
use ddbsse_wire::caller::Caller;
use ddbsse_wire::ids::{IdSource, SeededIds};
use ddbsse_wire::time::Timestamp;
use ddbsse_wire::trail::TrailRecord;
use ddbsse_wire::{ApiError, Request, Response};

pub use cache::CACHE_LIFETIME_MS;
pub use key_ref::MANAGED_ALIAS;
pub use key_state::{
    KEY_STATE_EFFECTS, KEY_STATE_TRANSITIONS, KeyEvent, KeyOpClass, KeyState, KeyStateEffect,
};
pub use kms::MANAGED_KEY_DESCRIPTION;
pub use lifecycle::{ARCHIVAL_DELAY_MS, ARCHIVING_DURATION_MS, DETECTION_DELAY_MS};
pub use table_status::{TABLE_STATUS_TRANSITIONS, TableEvent, TableStatus};

/// What the model is configured with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelConfig {
    /// The account id (`123456789012` by default).
    pub account: String,
    /// The region (`us-east-1` by default).
    pub region: String,
    /// Seed of the id generator and of the secret-byte generator.
    pub seed: u64,
    /// The IAM identity of access keys whose caller has one (against AWS, as STS
    /// `GetCallerIdentity` names it), by access key id; any other caller's identity is built
    /// from its access key id (`spec/trail.md#identities`).
    pub identities: std::collections::BTreeMap<String, ddbsse_wire::caller::KnownIdentity>,
}

impl Default for ModelConfig {
    fn default() -> Self {
        Self {
            account: "123456789012".to_owned(),
            region: "us-east-1".to_owned(),
            seed: 0,
            identities: std::collections::BTreeMap::new(),
        }
    }
}

/// The result of one call: the response or error, and the trail records it emitted in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The response or the error.
    pub result: Result<Response, ApiError>,
    /// Trail records emitted by this call, in emission order.
    pub events: Vec<TrailRecord>,
}

/// A read-only view of one table's SSE and lifecycle state, for tests and harnesses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableView {
    /// The table's unique id (changes when a table is created again under the same name).
    pub id: String,
    /// Stored status (as the next request would see it before timed events are applied).
    pub status: TableStatus,
    /// The KMS key ARN, `None` for the AWS owned key.
    pub key_arn: Option<String>,
    /// The grant DynamoDB created for the table.
    pub grant_id: Option<String>,
    /// The table-key generation (bumped by every accepted key switch).
    pub generation: u64,
    /// Start of the current unusable period.
    pub unusable_since: Option<Timestamp>,
    /// Number of items.
    pub item_count: usize,
}

/// The reference state machine. `Clone` forks it (same ids and secrets from here on).
#[derive(Clone, Debug)]
pub struct Model {
    config: ModelConfig,
    ids: SeededIds,
    secrets: secrets::SecretRng,
    now: Timestamp,
    kms: kms::KmsState,
    tables: BTreeMap<String, tables::Table>,
    /// Deleted tables still `DELETING`: the DeleteTable description and when it was made.
    deleting: BTreeMap<String, (ddbsse_wire::dynamodb::TableDescription, Timestamp)>,
    cache: cache::TableKeyCache,
    trail: Vec<TrailRecord>,
    lookup_tokens: BTreeMap<String, lookup::IssuedToken>,
    /// TransactWriteItems' bound `ClientRequestToken`s: fingerprint and time of binding.
    transact_tokens: BTreeMap<String, (String, Timestamp)>,
    pending: Vec<TrailRecord>,
    last_request_id: String,
}

impl Model {
    /// A model with no tables, keys or events.
    pub fn new(config: ModelConfig) -> Self {
        Self {
            ids: SeededIds::new(config.seed),
            secrets: secrets::SecretRng::new(config.seed),
            config,
            now: Timestamp(0),
            kms: kms::KmsState::default(),
            tables: BTreeMap::new(),
            deleting: BTreeMap::new(),
            cache: cache::TableKeyCache::default(),
            trail: Vec::new(),
            lookup_tokens: BTreeMap::new(),
            transact_tokens: BTreeMap::new(),
            pending: Vec::new(),
            last_request_id: String::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// Every trail record made so far, in recording order (oldest first).
    pub fn events(&self) -> &[TrailRecord] {
        &self.trail
    }

    /// The request id of the last handled request (its `x-amzn-RequestId`, and the `requestID`
    /// of its own trail record when it has one).
    pub fn last_request_id(&self) -> &str {
        &self.last_request_id
    }

    /// The latest `now` the model has seen.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// The names of existing tables.
    pub fn table_names(&self) -> Vec<String> {
        self.tables.keys().cloned().collect()
    }

    /// A view of one table's state as stored, without applying timed events.
    pub fn table(&self, name: &str) -> Option<TableView> {
        self.tables.get(name).map(Self::view)
    }

    /// A view of one table's state as a request at `now` would find it (timed status changes
    /// applied), without changing the model.
    pub fn table_at(&self, name: &str, now: Timestamp) -> Option<TableView> {
        let mut t = self.tables.get(name)?.clone();
        lifecycle::advance_status(&mut t, now.max(self.now));
        Some(Self::view(&t))
    }

    fn view(t: &tables::Table) -> TableView {
        {
            TableView {
                id: t.id.clone(),
                status: t.status,
                key_arn: t.sse.as_ref().map(|s| s.key_arn.clone()),
                grant_id: t.sse.as_ref().map(|s| s.grant_id.clone()),
                generation: t.generation,
                unusable_since: t.unusable_since,
                item_count: t.items.len(),
            }
        }
    }

    /// The state of the key with this id or ARN (deleted keys report [`KeyState::Deleted`]).
    pub fn key_state(&self, id_or_arn: &str) -> Option<KeyState> {
        self.kms
            .keys
            .iter()
            .find(|k| k.id == id_or_arn || k.arn == id_or_arn)
            .map(|k| k.state)
    }

    /// Number of live table-key cache entries.
    pub fn cache_entries(&self) -> usize {
        self.cache.entry_count()
    }

    /// Lets time pass to `now` without a request, as a target's clock moves: timed changes are
    /// settled (their records join the trail) and the time-to-live sweep runs
    /// (`spec/control-plane.md#ttl-sweep`). A `now` not later than the model's changes nothing.
    pub fn advance(&mut self, now: Timestamp) {
        if now <= self.now {
            return;
        }
        self.now = now;
        self.pending.clear();
        self.settle(now);
        self.trail.append(&mut self.pending);
        self.sweep_expired(now);
    }

    /// Handles one request at `now` from `caller`.
    ///
    /// `now` earlier than a time already seen is treated as that time: the model's clock never
    /// runs backwards, so trail records stay in non-decreasing time order.
    pub fn handle(&mut self, now: Timestamp, caller: &Caller, request: &Request) -> Outcome {
        let now = now.max(self.now);
        let moved = now > self.now;
        self.now = now;
        self.pending.clear();
        self.settle(now);
        if moved {
            self.sweep_expired(now);
        }
        // Records of what happened before this request (KMS's key deletions) are in the trail
        // before the request is handled, so a LookupEvents at that time already returns them.
        let settled = self.pending.len();
        self.trail.extend(self.pending.iter().cloned());
        let request_id = self.ids.uuid();
        self.last_request_id = request_id.clone();
        // The handlers see table names only: a table ARN is resolved first, and a refused ARN
        // is the request's result (recorded like any other refusal).
        let as_sent = request;
        let scope = ddbsse_wire::table_arn::Scope {
            region: &self.config.region,
            account: &self.config.account,
            access_key_id: &caller.access_key_id,
        };
        let resolution = request.resolve_table_arns(&scope);
        let (request, renamed) = match &resolution {
            Ok(Some((resolved, renamed))) => (resolved, Some(renamed)),
            _ => (request, None),
        };
        let before = self.resources_of(request);
        let mut result = match &resolution {
            Err(e) => Err(e.clone()),
            Ok(_) => self.dispatch(now, caller, request),
        };
        if let (Some(renamed), Ok(response)) = (renamed, result.as_mut()) {
            renamed.restore(response);
        }
        //= spec/trail.md#ddb-kms-calls
        //# The KMS records a DynamoDB control-plane request causes MUST come before that request's own `dynamodb.amazonaws.com` record, and all of them MUST carry the request's time.
        if records::is_recorded(request.operation()) {
            let op = request.operation();
            let mut call = self.direct_call(op.service(), op.name(), caller, &request_id);
            // requestParameters show the request as sent, a table ARN included.
            call.request_parameters = records::direct_request_parameters(as_sent);
            call.response_elements = records::direct_response_elements(&result);
            if let Request::RetireGrant(input) = request {
                let grant_id = input
                    .grant_id
                    .clone()
                    .or_else(|| input.grant_token.as_deref().and_then(|_| before.1.clone()));
                call.additional_event_data = grant_id.map(|g| serde_json::json!({"grantId": g}));
            }
            //= spec/trail.md#key-material-tls
            //# Records of successful GenerateDataKey and Decrypt calls MUST carry `"additionalEventData": {"keyMaterialId": <the key's CurrentKeyMaterialId>}`, whether a caller or DynamoDB made the call.
            call.additional_event_data = match &result {
                Ok(Response::GenerateDataKey(out)) => {
                    Some(serde_json::json!({"keyMaterialId": out.key_material_id}))
                }
                Ok(Response::Decrypt(out)) => {
                    Some(serde_json::json!({"keyMaterialId": out.key_material_id}))
                }
                //= spec/trail.md#key-material-tls
                //# Records of successful GenerateDataKeyWithoutPlaintext calls MUST carry `"additionalEventData": {"keyMaterialId": <the key's CurrentKeyMaterialId>}`, and records of successful ReEncrypt calls `"additionalEventData": {"sourceKeyMaterialId": <source key's>, "destinationKeyMaterialId": <destination key's>}`.
                Ok(Response::GenerateDataKeyWithoutPlaintext(out)) => {
                    Some(serde_json::json!({"keyMaterialId": out.key_material_id}))
                }
                Ok(Response::ReEncrypt(out)) => Some(serde_json::json!({
                    "sourceKeyMaterialId": out.source_key_material_id,
                    "destinationKeyMaterialId": out.destination_key_material_id,
                })),
                _ => call.additional_event_data.take(),
            };
            let after = self.resources_of(request);
            call.resources = if after.0.is_empty() {
                before.0
            } else {
                after.0
            };
            if call.resources.is_empty()
                && let Ok(Response::CreateKey(out)) = &result
            {
                call.resources = vec![self.key_resource(&out.key_metadata.arn)];
            }
            //= spec/trail.md#resources
            //# The record of a successful CreateAlias MUST list the key and then the alias: `[{"ARN": <key ARN>, "accountId": <account>, "type": "AWS::KMS::Key"}, {"ARN": "arn:aws:kms:<region>:<account>:<alias name>", "accountId": <account>, "type": "AWS::KMS::Key"}]`.
            if let (Ok(Response::CreateAlias(_)), Request::CreateAlias(i)) = (&result, request)
                && let Some(alias) = &i.alias_name
            {
                let arn = format!(
                    "arn:aws:kms:{}:{}:{alias}",
                    self.config.region, self.config.account
                );
                call.resources.push(self.key_resource(&arn));
            }
            //= spec/trail.md#response-elements
            //# `responseElements` MUST be `{"keyId": <key ARN>}` for a successful CreateAlias, UpdateAlias or DeleteAlias, naming the key the alias pointed at after the call (CreateAlias, UpdateAlias) or before it (DeleteAlias).
            if matches!(
                &result,
                Ok(Response::CreateAlias(_) | Response::UpdateAlias(_) | Response::DeleteAlias(_))
            ) {
                let key_arn = match request {
                    Request::CreateAlias(_) => call.resources.first(),
                    _ => call.resources.get(1),
                }
                .map(|r| r.arn.clone());
                call.response_elements = serde_json::json!({"keyId": key_arn});
            }
            if let (Ok(Response::CreateGrant(_)), Some(key)) = (&result, call.resources.first())
                && let Some(elements) = call.response_elements.as_object_mut()
            {
                elements.insert("keyId".to_owned(), key.arn.clone().into());
            }
            call.error = result.as_ref().err().cloned();
            self.emit(now, call);
        }
        self.refresh_usability(now);
        let events = std::mem::take(&mut self.pending);
        //= spec/trail.md#ordering
        //# Records are kept in the order the calls were made, which is non-decreasing in time; LookupEvents
        self.trail.extend(events.iter().skip(settled).cloned());
        Outcome { result, events }
    }

    fn dispatch(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        request: &Request,
    ) -> Result<Response, ApiError> {
        use Request as Q;
        use Response as R;
        match request {
            Q::CreateTable(i) => self.create_table(now, caller, i).map(R::CreateTable),
            Q::DescribeTable(i) => self.describe_table(i).map(R::DescribeTable),
            Q::UpdateTable(i) => self.update_table(now, caller, i).map(R::UpdateTable),
            Q::DeleteTable(i) => self.delete_table(now, caller, i).map(R::DeleteTable),
            Q::ListTables(i) => self.list_tables(i).map(R::ListTables),
            Q::PutItem(i) => self.put_item(now, caller, i).map(R::PutItem),
            Q::GetItem(i) => self.get_item(now, caller, i).map(R::GetItem),
            Q::DeleteItem(i) => self.delete_item(now, caller, i).map(R::DeleteItem),
            Q::UpdateItem(i) => self.update_item(now, caller, i).map(R::UpdateItem),
            Q::TransactGetItems(i) => self
                .transact_get_items(now, caller, i)
                .map(R::TransactGetItems),
            Q::TransactWriteItems(i) => self
                .transact_write_items(now, caller, i)
                .map(R::TransactWriteItems),
            Q::Query(i) => self.query(now, caller, i).map(R::Query),
            Q::Scan(i) => self.scan(now, caller, i).map(R::Scan),
            Q::BatchWriteItem(i) => self.batch_write_item(now, caller, i).map(R::BatchWriteItem),
            Q::BatchGetItem(i) => self.batch_get_item(now, caller, i).map(R::BatchGetItem),
            Q::UpdateTimeToLive(i) => self.update_time_to_live(now, i).map(R::UpdateTimeToLive),
            Q::DescribeTimeToLive(i) => self.describe_time_to_live(i).map(R::DescribeTimeToLive),
            Q::TagResource(i) => self.ddb_tag_resource(i).map(R::TagResource),
            Q::UntagResource(i) => self.ddb_untag_resource(i).map(R::UntagResource),
            Q::ListTagsOfResource(i) => {
                self.ddb_list_tags_of_resource(i).map(R::ListTagsOfResource)
            }
            Q::DescribeContinuousBackups(i) => self
                .describe_continuous_backups(now, i)
                .map(R::DescribeContinuousBackups),
            Q::UpdateContinuousBackups(i) => self
                .update_continuous_backups(now, i)
                .map(R::UpdateContinuousBackups),
            Q::DescribeLimits(_) => self.describe_limits().map(R::DescribeLimits),
            Q::CreateKey(i) => self.create_key(now, i).map(R::CreateKey),
            Q::DescribeKey(i) => self.describe_key(now, i).map(R::DescribeKey),
            Q::ListKeys(i) => self.list_keys(i).map(R::ListKeys),
            Q::CreateAlias(i) => self.create_alias(now, i).map(R::CreateAlias),
            Q::ListAliases(i) => self.list_aliases(now, i).map(R::ListAliases),
            Q::EnableKey(i) => self.set_key_enabled(now, caller, i, true).map(R::EnableKey),
            Q::DisableKey(i) => self
                .set_key_enabled(now, caller, i, false)
                .map(R::DisableKey),
            Q::ScheduleKeyDeletion(i) => self
                .schedule_key_deletion(now, caller, i)
                .map(R::ScheduleKeyDeletion),
            Q::CancelKeyDeletion(i) => self
                .cancel_key_deletion(now, caller, i)
                .map(R::CancelKeyDeletion),
            Q::CreateGrant(i) => self.create_grant(now, caller, i).map(R::CreateGrant),
            Q::ListGrants(i) => self.list_grants(now, i).map(R::ListGrants),
            Q::RetireGrant(i) => self.remove_grant(now, i, true).map(R::RetireGrant),
            Q::RevokeGrant(i) => self.remove_grant(now, i, false).map(R::RevokeGrant),
            Q::Encrypt(i) => self.encrypt(now, caller, i).map(R::Encrypt),
            Q::Decrypt(i) => self.decrypt(now, caller, i).map(R::Decrypt),
            Q::GenerateDataKey(i) => self
                .generate_data_key(now, caller, i)
                .map(R::GenerateDataKey),
            Q::GetKeyPolicy(i) => self.get_key_policy(now, i).map(R::GetKeyPolicy),
            Q::PutKeyPolicy(i) => self.put_key_policy(now, caller, i).map(R::PutKeyPolicy),
            Q::GetKeyRotationStatus(i) => self
                .get_key_rotation_status(now, i)
                .map(R::GetKeyRotationStatus),
            Q::EnableKeyRotation(i) => self
                .set_key_rotation(
                    now,
                    caller,
                    i.key_id.as_deref(),
                    Some(i.rotation_period_in_days),
                )
                .map(R::EnableKeyRotation),
            Q::DisableKeyRotation(i) => self
                .set_key_rotation(now, caller, i.key_id.as_deref(), None)
                .map(R::DisableKeyRotation),
            Q::KmsTagResource(i) => self.kms_tag_resource(now, caller, i).map(R::KmsTagResource),
            Q::KmsUntagResource(i) => self
                .kms_untag_resource(now, caller, i)
                .map(R::KmsUntagResource),
            Q::ListResourceTags(i) => self.list_resource_tags(now, i).map(R::ListResourceTags),
            Q::UpdateAlias(i) => self.update_alias(now, caller, i).map(R::UpdateAlias),
            Q::DeleteAlias(i) => self.delete_alias(caller, i).map(R::DeleteAlias),
            Q::UpdateKeyDescription(i) => self
                .update_key_description(now, caller, i)
                .map(R::UpdateKeyDescription),
            Q::GenerateDataKeyWithoutPlaintext(i) => self
                .generate_data_key_without_plaintext(now, caller, i)
                .map(R::GenerateDataKeyWithoutPlaintext),
            Q::ReEncrypt(i) => self.reencrypt(now, caller, i).map(R::ReEncrypt),
            Q::ListRetirableGrants(i) => self.list_retirable_grants(i).map(R::ListRetirableGrants),
            Q::LookupEvents(i) => self.lookup_events(i).map(R::LookupEvents),
        }
    }

    //= spec/trail.md#resources
    //# `resources` MUST be `[{"ARN": <key ARN>, "accountId": <account>, "type": "AWS::KMS::Key"}]` on records of KMS operations that name an existing key, `[{"ARN": <table ARN>, "accountId": <account>, "type": "AWS::DynamoDB::Table"}]` on records of DynamoDB requests that name a table, and `[]` otherwise.
    /// The `resources` of a request's own record, and (RetireGrant by token) the grant id the
    /// token names, computed without side effects.
    fn resources_of(&self, request: &Request) -> (Vec<trail_resource::Resource>, Option<String>) {
        use ddbsse_wire::validate;
        let key = |given: Option<&str>| -> Vec<trail_resource::Resource> {
            given
                .map(|g| key_ref::KeyRef::parse(g, &self.config.region, &self.config.account))
                .and_then(|r| self.kms.resolve(&r))
                .map(|i| vec![self.key_resource(&self.kms.keys[i].arn)])
                .unwrap_or_default()
        };
        // An alias operation's resources: the alias, then the key it points at when asked.
        let alias_and_key = |given: Option<&str>| -> Vec<trail_resource::Resource> {
            let alias = given.unwrap_or_default();
            self.kms
                .aliases
                .get(alias)
                .map(|a| {
                    vec![
                        self.key_resource(&arn::kms_alias(
                            &self.config.region,
                            &self.config.account,
                            alias,
                        )),
                        self.key_resource(&self.key_arn_for(&a.target_key_id)),
                    ]
                })
                .unwrap_or_default()
        };
        let table = |name: Option<&str>| -> Vec<trail_resource::Resource> {
            name.filter(|n| validate::require_table_name(Some(n)).is_ok())
                .map(|n| vec![self.table_resource(n)])
                .unwrap_or_default()
        };
        match request {
            Request::CreateTable(i) => (table(i.table_name.as_deref()), None),
            Request::DescribeTable(i) | Request::DeleteTable(i) => {
                (table(i.table_name.as_deref()), None)
            }
            Request::UpdateTable(i) => (table(i.table_name.as_deref()), None),
            Request::UpdateTimeToLive(i) => (table(i.table_name.as_deref()), None),
            Request::UpdateContinuousBackups(i) => (table(i.table_name.as_deref()), None),
            Request::DescribeTimeToLive(i) | Request::DescribeContinuousBackups(i) => {
                (table(i.table_name.as_deref()), None)
            }
            Request::TagResource(ddbsse_wire::dynamodb_control::TagResourceInput {
                resource_arn,
                ..
            })
            | Request::UntagResource(ddbsse_wire::dynamodb_control::UntagResourceInput {
                resource_arn,
                ..
            })
            | Request::ListTagsOfResource(
                ddbsse_wire::dynamodb_control::ListTagsOfResourceInput { resource_arn, .. },
            ) => (
                ddbsse_wire::validate_control::table_arn_name(
                    resource_arn.as_deref(),
                    &self.config.region,
                    &self.config.account,
                )
                .map(|n| vec![self.table_resource(n)])
                .unwrap_or_default(),
                None,
            ),
            Request::DescribeKey(i)
            | Request::EnableKey(i)
            | Request::DisableKey(i)
            | Request::CancelKeyDeletion(i) => (key(i.key_id.as_deref()), None),
            Request::ScheduleKeyDeletion(i) => (key(i.key_id.as_deref()), None),
            Request::CreateAlias(i) => (key(i.target_key_id.as_deref()), None),
            Request::ListAliases(i) | Request::ListGrants(i) => (key(i.key_id.as_deref()), None),
            Request::CreateGrant(i) => (key(i.key_id.as_deref()), None),
            Request::RevokeGrant(i) => (key(i.key_id.as_deref()), None),
            Request::RetireGrant(i) => match (i.key_id.as_deref(), i.grant_token.as_deref()) {
                (Some(k), _) => (key(Some(k)), None),
                (None, Some(token)) => match self.kms.grant_by_token(token) {
                    Some((ki, gi)) => (
                        vec![self.key_resource(&self.kms.keys[ki].arn)],
                        Some(self.kms.keys[ki].grants[gi].id.clone()),
                    ),
                    None => (Vec::new(), None),
                },
                (None, None) => (Vec::new(), None),
            },
            Request::Encrypt(i) => (key(i.key_id.as_deref()), None),
            Request::GenerateDataKey(i) => (key(i.key_id.as_deref()), None),
            Request::GetKeyPolicy(i) => (key(i.key_id.as_deref()), None),
            Request::PutKeyPolicy(i) => (key(i.key_id.as_deref()), None),
            Request::GetKeyRotationStatus(i) | Request::DisableKeyRotation(i) => {
                (key(i.key_id.as_deref()), None)
            }
            Request::EnableKeyRotation(i) => (key(i.key_id.as_deref()), None),
            Request::KmsTagResource(i) => (key(i.key_id.as_deref()), None),
            Request::KmsUntagResource(i) => (key(i.key_id.as_deref()), None),
            Request::ListResourceTags(i) => (key(i.key_id.as_deref()), None),
            Request::UpdateKeyDescription(i) => (key(i.key_id.as_deref()), None),
            Request::GenerateDataKeyWithoutPlaintext(i) => (key(i.key_id.as_deref()), None),
            //= spec/trail.md#resources
            //# The record of a successful UpdateAlias or DeleteAlias MUST list the alias and then the key it pointed at after the call (UpdateAlias) or before it (DeleteAlias), and the record of a successful ReEncrypt the source key and then the destination key, each entry of the form above.
            Request::UpdateAlias(i) => (alias_and_key(i.alias_name.as_deref()), None),
            Request::DeleteAlias(i) => (alias_and_key(i.alias_name.as_deref()), None),
            Request::ReEncrypt(i) => {
                let mut out: Vec<trail_resource::Resource> = i
                    .ciphertext_blob
                    .as_ref()
                    .and_then(|b| kms_crypto::blob_key_arn(&b.0).ok())
                    .and_then(|arn| self.kms.by_arn(arn))
                    .map(|k| vec![self.key_resource(&self.kms.keys[k].arn)])
                    .unwrap_or_default();
                out.extend(key(i.destination_key_id.as_deref()));
                (out, None)
            }
            Request::Decrypt(i) => {
                let from_blob = i
                    .ciphertext_blob
                    .as_ref()
                    .and_then(|b| kms_crypto::blob_key_arn(&b.0).ok())
                    .and_then(|arn| self.kms.by_arn(arn))
                    .map(|k| vec![self.key_resource(&self.kms.keys[k].arn)])
                    .unwrap_or_default();
                (from_blob, None)
            }
            _ => (Vec::new(), None),
        }
    }
}

/// The resource type records carry.
mod trail_resource {
    pub use ddbsse_wire::trail::TrailResource as Resource;
}
