//! The endpoint's engine: DynamoDB, KMS and CloudTrail semantics over encrypted storage.
//!
//! It takes `now` and the caller on every call and reads no clock itself, so the shell can drive
//! it with the system clock or the conformance protocol's manual clock. It never calls the
//! reference model: it is a separate implementation checked against it.
//!
//! - [`kms`]: keys, aliases, grants, Encrypt/Decrypt/GenerateDataKey (`spec/kms.md`);
//! - [`dynamodb`]: tables, items, Query/Scan, and the KMS calls DynamoDB makes
//!   (`spec/tables.md`);
//! - [`cache`]: the table-key cache (`spec/cache.md`);
//! - [`lifecycle`]: table status from the key's history and `now`;
//! - [`trail`]: CloudTrail records and LookupEvents;
//! - [`table_crypto`]: item envelopes and row keys under a table key;
//! - [`ttl_sweep`]: DynamoDB's own deletion of expired items;
//! - [`at_rest`]: test-only introspection of what is stored.
//!
//! Locking: metadata (keys, grants, tables) sits behind one `RwLock`. Data-plane requests hold
//! it shared, so they run in parallel (item crypto included); control-plane and KMS requests
//! hold it exclusively. The cache and the trail have their own locks, and every item write holds
//! its row's lock ([`row_locks`]) from reading the old item to committing the new one.

pub mod at_rest;
pub mod cache;
pub mod control_state;
pub mod dynamodb;
pub mod item_json;
pub mod kms;
pub mod lifecycle;
pub mod random;
pub mod row_locks;
pub mod state;
pub mod table_crypto;
pub mod trail;
pub mod transact_tokens;
pub mod ttl_sweep;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use ddbsse_crypto::KeyMaterial;
use ddbsse_wire::caller::{Caller, ConnectionId};
use ddbsse_wire::operation::Request;
use ddbsse_wire::time::Timestamp;
use ddbsse_wire::trail::TrailRecord;
use ddbsse_wire::{ApiError, ErrorCode, Operation, Service};
use serde_json::Value;

use crate::storage::{Space, Store, WriteOp};
use cache::TableKeyCache;
use state::State;
use table_crypto::TableCrypto;
use trail::TrailLog;

/// How an engine is set up.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Account id.
    pub account: String,
    /// Region.
    pub region: String,
    /// Durable storage folder; `None` keeps everything in memory.
    pub data_dir: Option<std::path::PathBuf>,
    /// Deliberate defects, for checking that the conformance suite catches them. Never set in
    /// production use.
    pub faults: Faults,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            account: "123456789012".to_owned(),
            region: "us-east-1".to_owned(),
            data_dir: None,
            faults: Faults::default(),
        }
    }
}

/// Deliberate defects the conformance suite must catch (issue: "the harness catches wrong targets").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    /// The table-key cache never expires.
    pub cache_never_expires: bool,
    /// KMS Decrypt calls made by DynamoDB are not recorded in the trail.
    pub trail_drops_decrypt: bool,
    /// `SSEDescription.KMSMasterKeyArn` names a wrong key.
    pub wrong_sse_key_arn: bool,
}

/// An answer as the shell sends it: status, JSON body and the request id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineResponse {
    /// HTTP status.
    pub status: u16,
    /// The service whose protocol the body follows.
    pub service: Option<Service>,
    /// JSON body bytes.
    pub body: Vec<u8>,
    /// The `x-amzn-RequestId` value.
    pub request_id: String,
}

/// Why the engine could not start.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The data directory could not be opened.
    #[error("cannot open data directory: {0}")]
    Storage(String),
}

impl From<crate::storage::StorageError> for EngineError {
    fn from(e: crate::storage::StorageError) -> Self {
        EngineError::Storage(e.0)
    }
}

/// One request being handled.
#[derive(Clone, Copy, Debug)]
pub struct Call<'a> {
    /// The request's time.
    pub now: Timestamp,
    /// Who calls.
    pub caller: &'a Caller,
    /// The request id.
    pub request_id: &'a str,
    /// The JSON body (for trail parameters).
    pub body: &'a Value,
}

/// Key id written in the header of blobs wrapped by the AWS owned key (never a key of the
/// account, so Decrypt refuses such blobs).
const OWNED_KEY_ID: &str = "arn:aws:kms:aws-owned:dynamodb:key/ddbsse-owned";
/// The store record of the wrapped AWS owned key.
const OWNED_KEY_RECORD: &[u8] = b"aws-owned-key";

/// Table crypto of owned-key tables, by (table uid, generation).
type OwnedCrypto = HashMap<([u8; 16], u64), Arc<TableCrypto>>;

/// The engine. Thread-safe: the shell shares one behind an `Arc`.
pub struct Engine {
    config: EngineConfig,
    store: Box<dyn Store>,
    /// Wraps KMS key material in the store.
    root: KeyMaterial,
    /// The AWS owned key's material (internal, no trail).
    owned: KeyMaterial,
    state: RwLock<State>,
    cache: TableKeyCache,
    /// Table crypto of owned-key tables, by (table uid, generation).
    owned_crypto: Mutex<OwnedCrypto>,
    /// Serialises the writes of one item row ([`row_locks`]).
    row_locks: row_locks::RowLocks,
    /// TransactWriteItems' client request tokens ([`transact_tokens`]).
    transact_tokens: transact_tokens::TokenLedger,
    trail: TrailLog,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("config", &self.config)
            .field("store", &self.store)
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Opens an engine (in memory, or on its data directory).
    pub fn open(config: EngineConfig) -> Result<Self, EngineError> {
        let (store, root) = crate::storage::open_store(config.data_dir.as_deref())?;
        let root = match root {
            Some(root) => root,
            None => random::key_material().map_err(|e| EngineError::Storage(e.message))?,
        };
        let owned = match store.get(Space::Meta, OWNED_KEY_RECORD)? {
            Some(wrapped) => {
                let wrapped = String::from_utf8(wrapped)
                    .map_err(|_| EngineError::Storage("owned key record".into()))?;
                state::unwrap_owned(&root, &wrapped).map_err(|e| match &config.data_dir {
                    Some(dir) => {
                        EngineError::Storage(crate::storage::data_dir::wrong_root_key(dir))
                    }
                    None => EngineError::Storage(e),
                })?
            }
            None => {
                let m = random::key_material().map_err(|e| EngineError::Storage(e.message))?;
                let wrapped = state::wrap_material(&root, state::OWNED_MATERIAL_ID, &m)
                    .map_err(EngineError::Storage)?;
                store.commit(vec![WriteOp::Put(
                    Space::Meta,
                    OWNED_KEY_RECORD.to_vec(),
                    wrapped.into_bytes(),
                )])?;
                m
            }
        };
        let state = State::load(store.as_ref(), &root)?;
        let trail = TrailLog::load(store.as_ref())?;
        let cache = TableKeyCache::new(
            cache::DEFAULT_MAX_ENTRIES,
            config.faults.cache_never_expires,
        );
        Ok(Self {
            config,
            store,
            root,
            owned,
            state: RwLock::new(state),
            cache,
            owned_crypto: Mutex::new(HashMap::new()),
            row_locks: row_locks::RowLocks::default(),
            transact_tokens: transact_tokens::TokenLedger::default(),
            trail,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// The table-key cache (read-only use: size, eviction of closed connections).
    pub fn cache(&self) -> &TableKeyCache {
        &self.cache
    }

    /// Tells the engine a client connection closed: its cache entries are evicted.
    //= spec/cache.md#zeroize
    //# The memory holding a plaintext table key MUST be overwritten with zeros when its entry is replaced, dropped or evicted, or when the cache itself is dropped.
    pub fn connection_closed(&self, connection: ConnectionId) {
        self.cache.evict_connection(connection);
    }

    /// Every trail record, oldest first, read from the store (none, with an error logged, when
    /// the store cannot be read).
    pub fn trail_records(&self) -> Vec<TrailRecord> {
        self.trail
            .snapshot(self.store.as_ref())
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "cannot read the trail");
                Vec::new()
            })
    }

    /// The position after the last trail record.
    pub fn trail_end(&self) -> u64 {
        self.trail.len() as u64
    }

    /// The trail records from position `from` on, and the position after them (none, and
    /// `from` again, with an error logged, when the store cannot be read: a later call retries).
    pub fn trail_since(&self, from: u64) -> (Vec<TrailRecord>, u64) {
        match self.trail.since(
            self.store.as_ref(),
            usize::try_from(from).unwrap_or(usize::MAX),
        ) {
            Ok((tail, end)) => (tail, end as u64),
            Err(e) => {
                tracing::error!(error = %e, "cannot read the trail");
                (Vec::new(), from)
            }
        }
    }

    /// Handles one request: `target` is the `X-Amz-Target` header, `body` the JSON body.
    pub fn handle(
        &self,
        now: Timestamp,
        caller: &Caller,
        target: &str,
        body: &[u8],
    ) -> EngineResponse {
        let request_id = random::uuid();
        let service = Service::from_target(target);
        //= spec/errors.md#no-500
        //# A target MUST answer every malformed or invalid request with a 4xx status and the envelope of section 1, without dropping the connection or stopping, and MUST serve the next well-formed request normally.
        let result = self.dispatch(now, caller, target, body, &request_id);
        let protocol = service.unwrap_or(Service::DynamoDb);
        match result {
            Ok(body) => EngineResponse {
                status: 200,
                service,
                body,
                request_id,
            },
            //= spec/errors.md#type-field
            //# The `__type` of every error MUST be the one the table above gives for its service and code.
            //= spec/errors.md#http-status
            //# Every error code of this specification MUST travel with HTTP status 400, except `InternalServerError` and `KMSInternalException`, which travel with 500 and are never caused by client input.
            //= spec/errors.md#kms-http-status
            //# KMS `DisabledException`, `KMSInvalidStateException` and `NotFoundException` MUST travel with HTTP status 400.
            Err(e) => EngineResponse {
                status: e.http_status(),
                service,
                body: e.body(protocol).to_string().into_bytes(),
                request_id,
            },
        }
    }

    fn dispatch(
        &self,
        now: Timestamp,
        caller: &Caller,
        target: &str,
        body: &[u8],
        request_id: &str,
    ) -> Result<Vec<u8>, ApiError> {
        //= spec/errors.md#protocol-errors
        //# A target MUST check a request in this order, answering the first failure only: the `Authorization` header (section 4.1), the `X-Amz-Target` header (section 4.2), then the JSON body (section 4.3).
        if caller.access_key_id.is_empty() {
            return Err(ApiError::new(
                ErrorCode::MissingAuthenticationToken,
                "Request is missing Authentication Token",
            ));
        }
        //= spec/errors.md#unknown-operation
        //# A request whose `X-Amz-Target` is absent or does not name an operation the target serves (prefixes `DynamoDB_20120810.`, `TrentService.` and `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.`) MUST fail with `UnknownOperationException`.
        let op = Operation::from_target(target)?;
        //= spec/errors.md#serialization
        //# A body that is not a JSON object, or that has a member of the wrong JSON type, MUST fail with `SerializationException` and MUST NOT change any state.
        let req = Request::parse(target, body)?;
        self.record_due_deletions(now)?;
        // The body as JSON is only needed for trail parameters: data-plane requests are not
        // recorded, so they skip the second parse.
        let recorded = !matches!(
            op,
            Operation::PutItem
                | Operation::GetItem
                | Operation::DeleteItem
                | Operation::UpdateItem
                | Operation::TransactWriteItems
                | Operation::TransactGetItems
                | Operation::Query
                | Operation::Scan
                | Operation::BatchWriteItem
                | Operation::BatchGetItem
                | Operation::LookupEvents
        );
        let json: Value = if !recorded {
            Value::Null
        } else if body.iter().all(u8::is_ascii_whitespace) {
            Value::Object(Default::default())
        } else {
            serde_json::from_slice(body).unwrap_or(Value::Null)
        };
        let call = Call {
            now,
            caller,
            request_id,
            body: &json,
        };
        match op.service() {
            Service::DynamoDb => self.dynamodb_request(&call, req),
            Service::Kms => self.kms_request(&call, req).and_then(dynamodb::encode),
            Service::CloudTrail => match req {
                Request::LookupEvents(i) => {
                    dynamodb::encode(self.trail.lookup(self.store.as_ref(), &i)?)
                }
                _ => Err(ApiError::new(ErrorCode::UnknownOperation, "")),
            },
        }
    }

    pub(crate) fn read_state(&self) -> RwLockReadGuard<'_, State> {
        // A panic while holding the lock cannot leave a half-written record: every mutation
        // writes the store first and the map after. Keep serving.
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn write_state(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Commits store writes; a store failure is an internal error.
    pub(crate) fn commit(&self, ops: Vec<WriteOp>) -> Result<(), ApiError> {
        if ops.is_empty() {
            return Ok(());
        }
        self.store.commit(ops).map_err(|_| storage_failed())
    }

    /// Appends trail records durably.
    pub(crate) fn append_trail(&self, records: Vec<TrailRecord>) -> Result<(), ApiError> {
        self.trail
            .append(self.store.as_ref(), records)
            .map_err(|_| storage_failed())
    }

    /// Re-evaluates which KMS tables can use their key at `now` and records the changes in
    /// their lifecycle; returns the store writes.
    pub(crate) fn refresh_usability(&self, st: &mut State, now: Timestamp) -> Vec<WriteOp> {
        let mut updates = Vec::new();
        // Grants grouped by key once: checking every table against every grant made each KMS
        // request cost tables x grants, which grew without bound in long runs.
        let mut grants_of: std::collections::HashMap<&str, Vec<&state::Grant>> =
            std::collections::HashMap::new();
        for g in st.grants.values() {
            grants_of.entry(g.key_id.as_str()).or_default().push(g);
        }
        for (name, meta) in &st.tables {
            if let state::TableSse::Kms { key_id, .. } = &meta.sse {
                let ctx = meta.context(&self.config.account);
                let grants = grants_of
                    .get(key_id.as_str())
                    .into_iter()
                    .flatten()
                    .copied();
                let usable = self.dynamodb_access_among(st, key_id, &ctx, now, grants)
                    == kms::grants::DynamoDbAccess::Usable;
                let mut m = meta.clone();
                if lifecycle::note_usability(&mut m, usable, now) {
                    updates.push((name.clone(), m));
                }
            }
        }
        let mut ops = Vec::new();
        for (name, m) in updates {
            ops.push(state::put_table(&m));
            st.tables.insert(name, m);
        }
        ops
    }

    /// The table crypto of an owned-key table (no KMS call, no trail, no cache entry).
    pub(crate) fn owned_table_crypto(
        &self,
        meta: &state::TableMeta,
    ) -> Result<Arc<TableCrypto>, ApiError> {
        let slot = (meta.uid_bytes(), meta.generation);
        let mut map = self.owned_crypto.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = map.get(&slot) {
            return Ok(c.clone());
        }
        let ctx = meta.context(&self.config.account);
        let tk = ddbsse_crypto::TableKey::unwrap(&self.owned, &meta.wrapped(), &ctx)
            .map_err(|_| table_crypto::integrity())?;
        let c = Arc::new(TableCrypto::new(
            &tk,
            &meta.arn(&self.config.region, &self.config.account),
        )?);
        map.insert(slot, c.clone());
        Ok(c)
    }

    /// A new table key under the AWS owned key (wrapped form and plaintext).
    pub(crate) fn owned_table_key(
        &self,
        ctx: &ddbsse_crypto::EncryptionContext,
    ) -> Result<(ddbsse_crypto::TableKey, Vec<u8>), ApiError> {
        let material = random::key_material()?;
        let tk = ddbsse_crypto::TableKey::from_material(material);
        let blob = tk
            .wrap(OWNED_KEY_ID, &self.owned, ctx, random::bytes::<12>()?)
            .map_err(|_| table_crypto::internal("table key wrap failed"))?;
        Ok((tk, blob))
    }

    /// Forgets the owned-key crypto of a table.
    pub(crate) fn drop_owned_crypto(&self, uid: &[u8; 16]) {
        self.owned_crypto
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|(u, _), _| u != uid);
    }
}

fn storage_failed() -> ApiError {
    ApiError::new(
        ErrorCode::InternalServerError,
        "The server could not write to its storage",
    )
}
