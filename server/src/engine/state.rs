//! The engine's metadata: KMS keys (with unwrapped material in memory only), aliases, grants and
//! tables, and how each record is written to and read back from the store.
//!
//! Items are not here: they live only in the store, as envelopes. KMS key material is written
//! wrapped under the root key (`storage::root_key`); table keys are written only as the KMS
//! blob GenerateDataKey returned.

use std::collections::BTreeMap;

use ddbsse_crypto::{EncryptionContext, KeyMaterial, kms_blob};
use ddbsse_wire::attribute::ScalarType;
use ddbsse_wire::dynamodb::{AttributeDefinition, KeySchemaElement};
use ddbsse_wire::kms::GrantConstraints;
use ddbsse_wire::time::Timestamp;
use ddbsse_wire::validate::KeySchema;
use serde::{Deserialize, Serialize};

use crate::storage::{Space, StorageError, Store, WriteOp};

/// The state of a KMS key as stored (deletion is evaluated against `now`, see
/// [`State::live_key`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyStatus {
    /// Usable.
    Enabled,
    /// Disabled.
    Disabled,
    /// Scheduled for deletion.
    PendingDeletion {
        /// When the key is deleted.
        deletion_date: Timestamp,
        /// The window asked for.
        window_days: i64,
    },
}

/// A KMS key's stored record.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KeyRecord {
    /// The key id (UUID).
    pub key_id: String,
    /// Creation time.
    pub created: Timestamp,
    /// Description.
    pub description: String,
    /// `AWS` for the AWS managed key, else `CUSTOMER`.
    pub manager: String,
    /// State.
    pub status: KeyStatus,
    /// Creation order.
    pub seq: u64,
    /// The key material sealed under the root key (hex).
    pub wrapped_material: String,
    /// How many KMS blobs this material has sealed (random nonces: at most 2^32).
    #[serde(default)]
    pub blobs_sealed: u64,
    /// The key policy; `None` (and records written before the member existed): the default key
    /// policy (`spec/kms.md#key-policy`).
    #[serde(default)]
    pub policy: Option<String>,
    /// Tags, by key (`spec/kms.md#tags`).
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Automatic rotation, when enabled: `(RotationPeriodInDays, when it was enabled)`
    /// (`spec/kms.md#rotation`).
    #[serde(default)]
    pub rotation: Option<(i64, Timestamp)>,
}

/// A KMS key: its record and its material (in memory only).
#[derive(Debug)]
pub struct KmsKey {
    /// The record.
    pub rec: KeyRecord,
    /// The 256-bit material; `Debug` redacts it.
    pub material: KeyMaterial,
}

impl KmsKey {
    /// `CurrentKeyMaterialId` (`spec/kms.md#create-key`): SHA-256 of a fixed label, the material
    /// and the key id, in lowercase hex. It names this material and no other, stays the same for
    /// the key's life (the material never rotates here) and needs no storage; a hash of 256
    /// uniformly random bits tells nothing usable about them.
    pub fn key_material_id(&self) -> String {
        use sha2::Digest as _;
        let mut h = sha2::Sha256::new();
        h.update(b"ddbsse-server:key-material-id:v1\0");
        h.update(self.material.expose_secret());
        h.update(self.rec.key_id.as_bytes());
        hex::encode(h.finalize())
    }
}

/// An alias.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Alias {
    /// `alias/...`.
    pub name: String,
    /// The target key id.
    pub key_id: String,
    /// Creation time.
    pub created: Timestamp,
    /// Last update.
    pub updated: Timestamp,
}

/// A grant.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Grant {
    /// 64 hex digits.
    pub grant_id: String,
    /// The key id.
    pub key_id: String,
    /// Name.
    pub name: Option<String>,
    /// Creation time.
    pub created: Timestamp,
    /// Grantee principal.
    pub grantee: String,
    /// The grantee came as `GranteeServicePrincipal` (records written before the member
    /// existed read as `GranteePrincipal`).
    #[serde(default)]
    pub service_grantee: bool,
    /// Retiring principal.
    pub retiring: Option<String>,
    /// Operations, in request order.
    pub operations: Vec<String>,
    /// Constraints.
    pub constraints: Option<GrantConstraints>,
    /// The grant token.
    pub token: String,
    /// Creation order.
    pub seq: u64,
}

/// Which key protects a table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TableSse {
    /// The AWS owned key.
    Owned,
    /// A KMS key of the account (AWS managed or customer managed).
    Kms {
        /// Key id.
        key_id: String,
        /// Key ARN.
        key_arn: String,
    },
}

/// A table's metadata.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TableMeta {
    /// Name.
    pub name: String,
    /// Random 16-byte storage prefix of the table's rows (hex); new for every CreateTable.
    pub uid: String,
    /// `TableId` (UUID).
    pub table_id: String,
    /// Creation time.
    pub created: Timestamp,
    /// As sent.
    pub attribute_definitions: Vec<AttributeDefinition>,
    /// As sent.
    pub key_schema: Vec<KeySchemaElement>,
    /// Partition key.
    pub hash: (String, ScalarType),
    /// Sort key.
    pub range: Option<(String, ScalarType)>,
    /// `PROVISIONED` or `PAY_PER_REQUEST`.
    pub billing_mode: String,
    /// Read capacity.
    pub read_capacity: i64,
    /// Write capacity.
    pub write_capacity: i64,
    /// Deletion protection.
    pub deletion_protection: bool,
    /// The table's key.
    pub sse: TableSse,
    /// The grant DynamoDB created on the table's KMS key.
    pub grant_id: Option<String>,
    /// The table key, as the KMS blob GenerateDataKey returned (hex).
    pub wrapped_table_key: String,
    /// Table-key generation: changes on every accepted key switch.
    pub generation: u64,
    /// Times of accepted SSE switches (quota).
    pub changes: Vec<Timestamp>,
    /// Start of the current period during which the table's key is unusable.
    pub unusable_since: Option<Timestamp>,
    /// Fixed start of archiving once archival began (archival is final).
    pub archival_start: Option<Timestamp>,
    /// The last accepted key switch (`spec/tables.md#update-status`).
    #[serde(default)]
    pub switch: Option<KeySwitch>,
    /// Indexes, time to live, tags and point-in-time recovery (`spec/control-plane.md`).
    #[serde(default)]
    pub extras: super::control_state::TableExtras,
}

/// An accepted key switch: when it was handled (`t0`) and the key before it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySwitch {
    /// When the UpdateTable was handled.
    pub at: Timestamp,
    /// The key ARN before the switch; `None`: the AWS owned key.
    pub old_key_arn: Option<String>,
}

impl TableMeta {
    /// The table ARN.
    pub fn arn(&self, region: &str, account: &str) -> String {
        ddbsse_wire::arn::table(region, account, &self.name)
    }

    /// The validated key schema.
    pub fn schema(&self) -> KeySchema {
        KeySchema {
            hash: self.hash.clone(),
            range: self.range.clone(),
        }
    }

    /// The 16-byte row prefix.
    pub fn uid_bytes(&self) -> [u8; 16] {
        let mut out = [0u8; 16];
        if let Ok(v) = hex::decode(&self.uid) {
            let n = v.len().min(16);
            out[..n].copy_from_slice(&v[..n]);
        }
        out
    }

    /// The wrapped table key bytes.
    pub fn wrapped(&self) -> Vec<u8> {
        hex::decode(&self.wrapped_table_key).unwrap_or_default()
    }

    /// The table's encryption context.
    pub fn context(&self, account: &str) -> EncryptionContext {
        EncryptionContext::for_table(&self.name, account).unwrap_or_default()
    }
}

/// All metadata.
#[derive(Debug, Default)]
pub struct State {
    /// Keys by key id.
    pub keys: BTreeMap<String, KmsKey>,
    /// Aliases by name.
    pub aliases: BTreeMap<String, Alias>,
    /// Grants by grant id.
    pub grants: BTreeMap<String, Grant>,
    /// Tables by name.
    pub tables: BTreeMap<String, TableMeta>,
    /// Deleted tables while they are `DELETING`: the DeleteTable description and its time (in
    /// memory only; a restart ends the `DELETING` period early).
    pub deleting: BTreeMap<String, (ddbsse_wire::dynamodb::TableDescription, Timestamp)>,
    /// The next creation sequence number.
    pub next_seq: u64,
}

/// The context under which KMS key material is sealed with the root key.
fn root_context(key_id: &str) -> EncryptionContext {
    let mut ctx = EncryptionContext::new();
    // A key id is a UUID: far below the encoding's limits.
    let _ = ctx.insert("ddbsse:kms-key-id", key_id);
    ctx
}

/// The key id written in the header of root-wrapped blobs.
const ROOT_KEY_ID: &str = "ddbsse-root-key";

/// Seals KMS key material under the root key.
pub fn wrap_material(
    root: &KeyMaterial,
    key_id: &str,
    material: &KeyMaterial,
) -> Result<String, String> {
    let nonce = super::random::bytes::<12>().map_err(|e| e.message)?;
    let blob = kms_blob::seal(
        ROOT_KEY_ID,
        root,
        material.expose_secret(),
        &root_context(key_id),
        nonce,
    )
    .map_err(|e| e.to_string())?;
    Ok(hex::encode(blob))
}

fn unwrap_material(root: &KeyMaterial, key_id: &str, wrapped: &str) -> Result<KeyMaterial, String> {
    let blob = hex::decode(wrapped).map_err(|_| "wrapped key material is not hex".to_owned())?;
    let plain = kms_blob::open(root, &blob, &root_context(key_id))
        .map_err(|_| format!("key material of {key_id} does not open under root.key"))?;
    KeyMaterial::from_slice(&plain).ok_or_else(|| "key material is not 32 bytes".to_owned())
}

impl State {
    /// Takes the next creation sequence number.
    pub fn seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// The key `key_id` unless it does not exist or its deletion date has passed.
    pub fn live_key(&self, key_id: &str, now: Timestamp) -> Option<&KmsKey> {
        self.keys.get(key_id).filter(|k| match k.rec.status {
            KeyStatus::PendingDeletion { deletion_date, .. } => now < deletion_date,
            _ => true,
        })
    }

    /// The keys whose deletion date has arrived at `now` and that are not yet removed, as
    /// (deletion date, key id), earliest first.
    pub fn due_deletions(&self, now: Timestamp) -> Vec<(Timestamp, String)> {
        let mut due: Vec<(Timestamp, String)> = self
            .keys
            .iter()
            .filter_map(|(id, k)| match k.rec.status {
                KeyStatus::PendingDeletion { deletion_date, .. } if now >= deletion_date => {
                    Some((deletion_date, id.clone()))
                }
                _ => None,
            })
            .collect();
        due.sort();
        due
    }

    /// Removes keys whose deletion date has passed, with their aliases and grants; returns the
    /// store writes.
    pub fn purge_deleted(&mut self, now: Timestamp) -> Vec<WriteOp> {
        let dead: Vec<String> = self
            .keys
            .iter()
            .filter(|(_, k)| {
                matches!(k.rec.status, KeyStatus::PendingDeletion { deletion_date, .. } if now >= deletion_date)
            })
            .map(|(id, _)| id.clone())
            .collect();
        let mut ops = Vec::new();
        for id in dead {
            self.keys.remove(&id);
            ops.push(WriteOp::Delete(Space::Keys, id.as_bytes().to_vec()));
            let aliases: Vec<String> = self
                .aliases
                .values()
                .filter(|a| a.key_id == id)
                .map(|a| a.name.clone())
                .collect();
            for a in aliases {
                self.aliases.remove(&a);
                ops.push(WriteOp::Delete(Space::Aliases, a.into_bytes()));
            }
            let grants: Vec<String> = self
                .grants
                .values()
                .filter(|g| g.key_id == id)
                .map(|g| g.grant_id.clone())
                .collect();
            for g in grants {
                self.grants.remove(&g);
                ops.push(WriteOp::Delete(Space::Grants, g.into_bytes()));
            }
        }
        ops
    }

    /// Loads every record from the store, unwrapping key material with `root`.
    pub fn load(store: &dyn Store, root: &KeyMaterial) -> Result<Self, StorageError> {
        let mut st = State::default();
        let bad = |what: &str, e: &dyn std::fmt::Display| StorageError(format!("{what}: {e}"));
        for (_, v) in store.scan(Space::Keys, &[])? {
            let rec: KeyRecord = serde_json::from_slice(&v).map_err(|e| bad("key record", &e))?;
            let material = unwrap_material(root, &rec.key_id, &rec.wrapped_material)
                .map_err(|e| bad("key material", &e))?;
            st.next_seq = st.next_seq.max(rec.seq);
            st.keys.insert(rec.key_id.clone(), KmsKey { rec, material });
        }
        for (_, v) in store.scan(Space::Aliases, &[])? {
            let a: Alias = serde_json::from_slice(&v).map_err(|e| bad("alias record", &e))?;
            st.aliases.insert(a.name.clone(), a);
        }
        for (_, v) in store.scan(Space::Grants, &[])? {
            let g: Grant = serde_json::from_slice(&v).map_err(|e| bad("grant record", &e))?;
            st.next_seq = st.next_seq.max(g.seq);
            st.grants.insert(g.grant_id.clone(), g);
        }
        for (_, v) in store.scan(Space::Tables, &[])? {
            let t: TableMeta = serde_json::from_slice(&v).map_err(|e| bad("table record", &e))?;
            st.tables.insert(t.name.clone(), t);
        }
        Ok(st)
    }
}

/// The store write of a key record.
pub fn put_key(rec: &KeyRecord) -> WriteOp {
    WriteOp::Put(
        Space::Keys,
        rec.key_id.as_bytes().to_vec(),
        serde_json::to_vec(rec).unwrap_or_default(),
    )
}

/// The store write of an alias.
pub fn put_alias(a: &Alias) -> WriteOp {
    WriteOp::Put(
        Space::Aliases,
        a.name.as_bytes().to_vec(),
        serde_json::to_vec(a).unwrap_or_default(),
    )
}

/// The store write of a grant.
pub fn put_grant(g: &Grant) -> WriteOp {
    WriteOp::Put(
        Space::Grants,
        g.grant_id.as_bytes().to_vec(),
        serde_json::to_vec(g).unwrap_or_default(),
    )
}

/// The store write of a table record.
pub fn put_table(t: &TableMeta) -> WriteOp {
    WriteOp::Put(
        Space::Tables,
        t.name.as_bytes().to_vec(),
        serde_json::to_vec(t).unwrap_or_default(),
    )
}

/// The id under which the AWS owned key's material is wrapped by the root key.
pub const OWNED_MATERIAL_ID: &str = "aws-owned-dynamodb";

/// Unwraps the AWS owned key's material.
pub fn unwrap_owned(root: &KeyMaterial, wrapped: &str) -> Result<KeyMaterial, String> {
    unwrap_material(root, OWNED_MATERIAL_ID, wrapped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_shows_no_key_material() {
        let material = KeyMaterial::from_bytes([0xAB; 32]);
        let root = KeyMaterial::from_bytes([0xCD; 32]);
        let wrapped = wrap_material(&root, "k1", &material).unwrap();
        let key = KmsKey {
            rec: KeyRecord {
                key_id: "k1".into(),
                created: Timestamp(0),
                description: String::new(),
                manager: "CUSTOMER".into(),
                status: KeyStatus::Enabled,
                seq: 1,
                wrapped_material: wrapped.clone(),
                blobs_sealed: 0,
                policy: None,
                tags: BTreeMap::new(),
                rotation: None,
            },
            material,
        };
        let debug = format!("{key:?}");
        assert!(!debug.contains(&hex::encode([0xAB; 32])));
        assert!(!debug.contains("171, 171"), "{debug}");
        // The stored form is sealed under the root key and opens only with it.
        assert!(!wrapped.contains(&hex::encode([0xAB; 32])));
        let back = unwrap_material(&root, "k1", &wrapped).unwrap();
        assert_eq!(back.expose_secret(), &[0xAB; 32]);
        assert!(unwrap_material(&KeyMaterial::from_bytes([0; 32]), "k1", &wrapped).is_err());
        assert!(
            unwrap_material(&root, "k2", &wrapped).is_err(),
            "bound to its key id"
        );
    }
}
