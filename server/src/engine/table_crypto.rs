//! [`TableCrypto`]: what a data-plane request needs from a plaintext table key, built once per
//! table-key cache entry: the item sealer and opener of the crypto core, and the row index key.
//!
//! Storage layout of an item (decided here, `spec/key-hierarchy.md#item-aad` leaves the primary
//! key bytes to the target):
//!
//! - `canonical key bytes`: for each key attribute in schema order, its type letter (`S`, `N`,
//!   `B`), `u32be(len)` and the value bytes (UTF-8 string, canonical number string, raw binary);
//! - `index key` = HKDF-SHA256(salt = empty, IKM = table key, info = `ddbsse:row-index-key:v1`);
//! - row key = `table uid (16) || HMAC(index key, "P" || partition bytes)[..16] ||
//!   HMAC(index key, "K" || canonical key bytes)[..16]`, so a partition's rows are contiguous and
//!   no key value is stored in clear;
//! - the envelope's primary-key AAD is the 32 hash bytes of the row key, so an envelope moved to
//!   another row or table does not open; the item's own key attributes are re-hashed and checked
//!   after opening.

use std::sync::Mutex;

use ddbsse_reference::crypto::{Backend, DataKeyId, ItemOpener, ItemSealer, TableKey};
use ddbsse_reference::wire::attribute::{AttributeValue, Item};
use ddbsse_reference::wire::validate::KeySchema;
use ddbsse_reference::wire::{ApiError, ErrorCode};
use hmac::{KeyInit, Mac};
use zeroize::Zeroizing;

/// Length of a row key: uid, partition hash, key hash.
pub const ROW_KEY_LEN: usize = 48;
/// HKDF info of the row index key.
pub const INDEX_KEY_INFO: &[u8] = b"ddbsse:row-index-key:v1";

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// Sealer, opener and index key of one table key.
pub struct TableCrypto {
    index_key: Zeroizing<[u8; 32]>,
    sealer: ItemSealer,
    opener: Mutex<ItemOpener>,
}

impl std::fmt::Debug for TableCrypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TableCrypto(<redacted>)")
    }
}

pub(crate) fn internal(msg: &str) -> ApiError {
    ApiError::new(ErrorCode::InternalServerError, msg)
}

/// Canonical bytes of one key value.
fn push_value(out: &mut Vec<u8>, v: &AttributeValue) {
    let (tag, bytes): (u8, &[u8]) = match v {
        AttributeValue::S(s) => (b'S', s.as_bytes()),
        AttributeValue::N(n) => (b'N', n.as_bytes()),
        AttributeValue::B(b) => (b'B', &b.0),
        _ => (b'?', &[]),
    };
    out.push(tag);
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// The canonical bytes of a normalized key (partition bytes, full key bytes).
pub fn canonical_key(schema: &KeySchema, key: &Item) -> (Vec<u8>, Vec<u8>) {
    let mut part = Vec::new();
    if let Some(v) = key.get(&schema.hash.0) {
        push_value(&mut part, v);
    }
    let mut full = part.clone();
    if let Some((name, _)) = &schema.range
        && let Some(v) = key.get(name)
    {
        push_value(&mut full, v);
    }
    (part, full)
}

impl TableCrypto {
    /// Builds sealer, opener and index key for `table_key` of the table `table_arn`.
    pub fn new(table_key: &TableKey, table_arn: &str) -> Result<Self, ApiError> {
        let mut index_key = Zeroizing::new([0u8; 32]);
        Backend::DEFAULT
            .hkdf_sha256(
                &[],
                table_key.material().expose_secret(),
                INDEX_KEY_INFO,
                index_key.as_mut(),
            )
            .map_err(|_| internal("index key derivation failed"))?;
        let id = DataKeyId::from_bytes(super::random::bytes::<16>()?);
        let sealer = ItemSealer::new(table_key, table_arn, id)
            .map_err(|_| internal("table ARN too long for the envelope format"))?;
        let mut opener = ItemOpener::new(table_key, table_arn)
            .map_err(|_| internal("table ARN too long for the envelope format"))?;
        opener.prime(&sealer);
        Ok(Self {
            index_key,
            sealer,
            opener: Mutex::new(opener),
        })
    }

    fn prf(&self, domain: u8, data: &[u8]) -> [u8; 16] {
        let mut out = [0u8; 16];
        if let Ok(mut mac) = <HmacSha256 as KeyInit>::new_from_slice(self.index_key.as_ref()) {
            mac.update(&[domain]);
            mac.update(data);
            let tag = mac.finalize().into_bytes();
            out.copy_from_slice(&tag[..16]);
        }
        out
    }

    /// The 16-byte partition hash (row keys of one partition share it).
    pub fn partition_hash(&self, partition_bytes: &[u8]) -> [u8; 16] {
        self.prf(b'P', partition_bytes)
    }

    /// The row key of a normalized key.
    pub fn row_key(&self, uid: &[u8; 16], schema: &KeySchema, key: &Item) -> [u8; ROW_KEY_LEN] {
        let (part, full) = canonical_key(schema, key);
        let mut out = [0u8; ROW_KEY_LEN];
        out[..16].copy_from_slice(uid);
        out[16..32].copy_from_slice(&self.partition_hash(&part));
        out[32..].copy_from_slice(&self.prf(b'K', &full));
        out
    }

    /// Seals an item stored at `row_key`.
    pub fn seal(&self, row_key: &[u8], item: &Item) -> Result<Vec<u8>, ApiError> {
        let plain =
            Zeroizing::new(serde_json::to_vec(item).map_err(|_| internal("item encoding failed"))?);
        self.sealer
            .seal(row_aad(row_key), &plain)
            .map_err(|_| internal("item sealing failed"))
    }

    /// Opens the envelope at `row_key`, and checks that the item's key hashes to that row.
    pub fn open(
        &self,
        row_key: &[u8],
        envelope: &[u8],
        uid: &[u8; 16],
        schema: &KeySchema,
    ) -> Result<Item, ApiError> {
        let plain = {
            let mut opener = self
                .opener
                .lock()
                .map_err(|_| internal("item opener lock poisoned"))?;
            Zeroizing::new(
                opener
                    .open(row_aad(row_key), envelope)
                    .map_err(|_| integrity())?,
            )
        };
        let item: Item = serde_json::from_slice(&plain).map_err(|_| integrity())?;
        let key = schema.key_of(&item, false).map_err(|_| integrity())?;
        if self.row_key(uid, schema, &key).as_slice() != row_key {
            return Err(integrity());
        }
        Ok(item)
    }
}

/// The primary-key AAD of a row: its hash bytes.
fn row_aad(row_key: &[u8]) -> &[u8] {
    row_key.get(16..).unwrap_or(&[])
}

/// A stored envelope failed to open: storage was altered.
pub fn integrity() -> ApiError {
    internal("An item failed its integrity check at rest")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ddbsse_reference::crypto::KeyMaterial;
    use ddbsse_reference::wire::attribute::ScalarType;

    fn schema() -> KeySchema {
        KeySchema {
            hash: ("pk".into(), ScalarType::S),
            range: Some(("sk".into(), ScalarType::N)),
        }
    }

    fn item(pk: &str, sk: &str) -> Item {
        Item::from([
            ("pk".into(), AttributeValue::S(pk.into())),
            ("sk".into(), AttributeValue::N(sk.into())),
            ("v".into(), AttributeValue::S("secret".into())),
        ])
    }

    #[test]
    fn seal_open_round_trip_and_row_binding() {
        let tk = TableKey::from_material(KeyMaterial::from_bytes([7; 32]));
        let c = TableCrypto::new(&tk, "arn:aws:dynamodb:us-east-1:1:table/t").unwrap();
        let uid = [1u8; 16];
        let a = item("a", "1");
        let ka = schema().key_of(&a, false).unwrap();
        let ra = c.row_key(&uid, &schema(), &ka);
        let env = c.seal(&ra, &a).unwrap();
        assert!(!env.windows(6).any(|w| w == b"secret"));
        assert_eq!(c.open(&ra, &env, &uid, &schema()).unwrap(), a);
        let b = item("a", "2");
        let rb = c.row_key(&uid, &schema(), &schema().key_of(&b, false).unwrap());
        assert_eq!(
            ra[16..32],
            rb[16..32],
            "same partition, same partition hash"
        );
        assert_ne!(ra, rb);
        assert!(c.open(&rb, &env, &uid, &schema()).is_err());
        let mut bad = env.clone();
        bad[40] ^= 1;
        assert!(c.open(&ra, &bad, &uid, &schema()).is_err());
    }
}
