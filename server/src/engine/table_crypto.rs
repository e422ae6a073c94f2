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

use std::sync::{Mutex, RwLock};

use ddbsse_crypto::{Backend, DataKeyId, ItemOpener, ItemSealer, SealError, TableKey};
use ddbsse_wire::attribute::{AttributeValue, Item};
use ddbsse_wire::validate::KeySchema;
use ddbsse_wire::{ApiError, ErrorCode};
use hmac::{KeyInit, Mac};
use zeroize::{Zeroize, Zeroizing};

/// Length of a row key: uid, partition hash, key hash.
pub const ROW_KEY_LEN: usize = 48;
/// Length of an index entry's row key: uid, index tag, partition hash, key hash.
pub const INDEX_ROW_KEY_LEN: usize = 64;
/// HKDF info of the row index key.
pub const INDEX_KEY_INFO: &[u8] = b"ddbsse:row-index-key:v1";

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// Sealer, opener and index key of one table key.
pub struct TableCrypto {
    table_key: TableKey,
    table_arn: String,
    /// HMAC-SHA256 keyed with the row index key, its key blocks already absorbed: each row hash
    /// clones it instead of re-hashing the key (two SHA-256 blocks saved per hash). The
    /// `zeroize` features of `hmac` and `sha2` wipe its state on drop.
    index_mac: HmacSha256,
    sealer: RwLock<ItemSealer>,
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
        //= spec/key-hierarchy.md#table-key
        //# The table key MUST NOT be used as an AES key; it is only the input keying material of section 9.
        let mut index_key = Zeroizing::new([0u8; 32]);
        Backend::DEFAULT
            .hkdf_sha256(
                &[],
                table_key.material().expose_secret(),
                INDEX_KEY_INFO,
                index_key.as_mut(),
            )
            .map_err(|_| internal("index key derivation failed"))?;
        let index_mac = <HmacSha256 as KeyInit>::new_from_slice(index_key.as_ref())
            .map_err(|_| internal("index key derivation failed"))?;
        let sealer = new_sealer(table_key, table_arn, 0)?;
        let mut opener = ItemOpener::new(table_key, table_arn)
            .map_err(|_| internal("table ARN too long for the envelope format"))?;
        opener.prime(&sealer);
        Ok(Self {
            table_key: table_key.clone(),
            table_arn: table_arn.to_owned(),
            index_mac,
            sealer: RwLock::new(sealer),
            opener: Mutex::new(opener),
        })
    }

    /// The data-key id the current sealer writes (for tests of the data-key unit).
    pub fn data_key_id(&self) -> DataKeyId {
        self.sealer
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .data_key_id()
    }

    //= spec/key-hierarchy.md#data-key-unit
    //# A sealer that has sealed 2^32 items MUST be replaced by a new sealer with a new data-key id.
    fn replace_exhausted_sealer(&self) -> Result<(), ApiError> {
        let mut sealer = self.sealer.write().unwrap_or_else(|p| p.into_inner());
        if sealer.seals_remaining() == 0 {
            *sealer = new_sealer(&self.table_key, &self.table_arn, 0)?;
        }
        Ok(())
    }

    fn prf(&self, domain: u8, data: &[u8]) -> [u8; 16] {
        let mut mac = self.index_mac.clone();
        mac.update(&[domain]);
        mac.update(data);
        let tag = mac.finalize().into_bytes();
        let mut out = [0u8; 16];
        out.copy_from_slice(&tag[..16]);
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

    /// The row key of an index entry (`spec/items.md#index-at-rest`): `table uid (16) || index
    /// tag (16) || HMAC(index key, "G" || tag || index partition bytes)[..16] || HMAC(index
    /// key, "E" || tag || index key bytes || table key bytes)[..16]`, so an index partition's
    /// entries are contiguous and no key value is stored in clear.
    pub fn index_row_key(
        &self,
        uid: &[u8; 16],
        tag: &[u8; 16],
        index: &KeySchema,
        table: &KeySchema,
        entry: &Item,
    ) -> [u8; INDEX_ROW_KEY_LEN] {
        let (part, full) = canonical_key(index, entry);
        let (_, base) = canonical_key(table, entry);
        let mut out = [0u8; INDEX_ROW_KEY_LEN];
        out[..16].copy_from_slice(uid);
        out[16..32].copy_from_slice(tag);
        out[32..48].copy_from_slice(&self.index_partition_hash(tag, &part));
        let mut data = Vec::with_capacity(16 + full.len() + base.len());
        data.extend_from_slice(tag);
        data.extend_from_slice(&full);
        data.extend_from_slice(&base);
        out[48..].copy_from_slice(&self.prf(b'E', &data));
        out
    }

    /// The 16-byte hash of an index partition (the entries of one index partition share it).
    pub fn index_partition_hash(&self, tag: &[u8; 16], partition_bytes: &[u8]) -> [u8; 16] {
        let mut data = Vec::with_capacity(16 + partition_bytes.len());
        data.extend_from_slice(tag);
        data.extend_from_slice(partition_bytes);
        self.prf(b'G', &data)
    }

    /// Opens the index entry at `row_key`, and checks that the entry's keys hash to that row.
    pub fn open_entry(
        &self,
        row_key: &[u8],
        envelope: &[u8],
        uid: &[u8; 16],
        tag: &[u8; 16],
        index: &KeySchema,
        table: &KeySchema,
    ) -> Result<Item, ApiError> {
        let plain = self.open_plain(row_key, envelope)?;
        let entry: Item = serde_json::from_slice(&plain).map_err(|_| integrity())?;
        if self
            .index_row_key(uid, tag, index, table, &entry)
            .as_slice()
            != row_key
        {
            return Err(integrity());
        }
        Ok(entry)
    }

    /// Seals an item stored at `row_key`.
    pub fn seal(&self, row_key: &[u8], item: &Item) -> Result<Vec<u8>, ApiError> {
        let plain = Zeroizing::new(super::item_json::item_to_vec(item));
        for _ in 0..2 {
            let sealed = self
                .sealer
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .seal(row_aad(row_key), &plain);
            match sealed {
                Ok(envelope) => return Ok(envelope),
                Err(SealError::DataKeyExhausted) => self.replace_exhausted_sealer()?,
                Err(_) => return Err(internal("item sealing failed")),
            }
        }
        Err(internal("item sealing failed"))
    }

    /// Opens the envelope at `row_key`, and checks that the item's key hashes to that row.
    pub fn open(
        &self,
        row_key: &[u8],
        envelope: &[u8],
        uid: &[u8; 16],
        schema: &KeySchema,
    ) -> Result<Item, ApiError> {
        let plain = self.open_plain(row_key, envelope)?;
        let item: Item = serde_json::from_slice(&plain).map_err(|_| integrity())?;
        self.check_row(row_key, uid, schema, &item)?;
        Ok(item)
    }

    /// The JSON of the item at `row_key`, whose key is `key`, as it was sealed (the `Item`
    /// member of a GetItem answer, byte for byte), into `out`, replacing its contents: for a
    /// caller that sends the JSON on, so that the plaintext is not first copied out of a buffer
    /// of its own. Only the item's key attributes are decoded: they must equal `key`, the key
    /// the row was computed from, which is the row check of [`TableCrypto::open`] without
    /// hashing the key again. On error `out` is left empty.
    pub fn open_json_into(
        &self,
        row_key: &[u8],
        envelope: &[u8],
        key: &Item,
        schema: &KeySchema,
        out: &mut Vec<u8>,
    ) -> Result<(), ApiError> {
        self.opener
            .lock()
            .map_err(|_| internal("item opener lock poisoned"))?
            .open_into(row_aad(row_key), envelope, out)
            .map_err(|_| integrity())?;
        let matches = key_attributes(out, schema).is_ok_and(|found| found == *key);
        if !matches {
            out.zeroize();
            return Err(integrity());
        }
        Ok(())
    }

    fn open_plain(&self, row_key: &[u8], envelope: &[u8]) -> Result<Zeroizing<Vec<u8>>, ApiError> {
        let mut opener = self
            .opener
            .lock()
            .map_err(|_| internal("item opener lock poisoned"))?;
        opener
            .open(row_aad(row_key), envelope)
            .map(Zeroizing::new)
            .map_err(|_| integrity())
    }

    /// The item's key must hash to the row it was read from.
    fn check_row(
        &self,
        row_key: &[u8],
        uid: &[u8; 16],
        schema: &KeySchema,
        item: &Item,
    ) -> Result<(), ApiError> {
        let key = schema.key_of(item, false).map_err(|_| integrity())?;
        if self.row_key(uid, schema, &key).as_slice() != row_key {
            return Err(integrity());
        }
        Ok(())
    }
}

/// The key attributes of an item's JSON, skipping the others without building them.
fn key_attributes(json: &[u8], schema: &KeySchema) -> Result<Item, serde_json::Error> {
    use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};

    struct KeyOnly<'a>(&'a KeySchema);

    impl<'de> Visitor<'de> for KeyOnly<'_> {
        type Value = Item;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an item")
        }

        fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Item, M::Error> {
            let mut key = Item::new();
            while let Some(name) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                let wanted = name == self.0.hash.0.as_str()
                    || self
                        .0
                        .range
                        .as_ref()
                        .is_some_and(|(r, _)| name == r.as_str());
                if wanted {
                    key.insert(name.into_owned(), map.next_value::<AttributeValue>()?);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(key)
        }
    }

    impl<'de> DeserializeSeed<'de> for KeyOnly<'_> {
        type Value = Item;

        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Item, D::Error> {
            d.deserialize_map(self)
        }
    }

    let mut de = serde_json::Deserializer::from_slice(json);
    let key = KeyOnly(schema).deserialize(&mut de)?;
    de.end()?;
    Ok(key)
}

//= spec/key-hierarchy.md#item-aad
//# Two items MUST have different `primary_key` bytes whenever their key attributes differ.
// (Distinct keys have distinct canonical bytes, and two 128-bit HMAC outputs of distinct inputs
// collide with probability 2^-128.)
//= spec/key-hierarchy.md#data-key-unit
//# A sealer MUST be created with a data-key id drawn from a CSPRNG, and every process start MUST create new sealers with new ids rather than continue an old sequence.
//= spec/key-hierarchy.md#item-nonces
//# Sequence numbers MUST NOT be persisted or restored; a new process makes a new data-key id (section 10).
/// A sealer with a fresh random data-key id (first sequence number `first`, 0 outside tests).
fn new_sealer(table_key: &TableKey, table_arn: &str, first: u64) -> Result<ItemSealer, ApiError> {
    let id = DataKeyId::from_bytes(super::random::bytes::<16>()?);
    ItemSealer::starting_at(Backend::DEFAULT, table_key, table_arn, id, first)
        .map_err(|_| internal("table ARN too long for the envelope format"))
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
    use ddbsse_crypto::KeyMaterial;
    use ddbsse_wire::attribute::ScalarType;

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
    //= spec/key-hierarchy.md#data-key-unit
    //= type=test
    //# A sealer that has sealed 2^32 items MUST be replaced by a new sealer with a new data-key id.
    fn an_exhausted_sealer_is_replaced_with_a_new_data_key_id() {
        let tk = TableKey::from_material(KeyMaterial::from_bytes([5; 32]));
        let arn = "arn:aws:dynamodb:us-east-1:1:table/t";
        let c = TableCrypto::new(&tk, arn).unwrap();
        *c.sealer.write().unwrap() =
            new_sealer(&tk, arn, ddbsse_crypto::MAX_SEALS_PER_DATA_KEY - 1).unwrap();
        let first = c.data_key_id();
        let uid = [2u8; 16];
        let a = item("a", "1");
        let row = c.row_key(&uid, &schema(), &schema().key_of(&a, false).unwrap());
        let e1 = c.seal(&row, &a).unwrap();
        assert_eq!(&e1[1..17], first.as_bytes());
        let e2 = c.seal(&row, &a).unwrap();
        assert_ne!(
            &e2[1..17],
            first.as_bytes(),
            "new data-key id after 2^32 seals"
        );
        assert_eq!(c.open(&row, &e2, &uid, &schema()).unwrap(), a);
        assert_eq!(c.open(&row, &e1, &uid, &schema()).unwrap(), a);
    }

    #[test]
    //= spec/key-hierarchy.md#data-key-unit
    //= type=test
    //# A sealer MUST be created with a data-key id drawn from a CSPRNG, and every process start MUST create new sealers with new ids rather than continue an old sequence.
    fn every_table_crypto_has_its_own_data_key_id() {
        let tk = TableKey::from_material(KeyMaterial::from_bytes([6; 32]));
        let arn = "arn:aws:dynamodb:us-east-1:1:table/t";
        let a = TableCrypto::new(&tk, arn).unwrap();
        let b = TableCrypto::new(&tk, arn).unwrap();
        assert_ne!(a.data_key_id(), b.data_key_id());
    }

    #[test]
    fn open_json_gives_the_items_json_and_checks_its_row() {
        let tk = TableKey::from_material(KeyMaterial::from_bytes([8; 32]));
        let c = TableCrypto::new(&tk, "arn:aws:dynamodb:us-east-1:1:table/t").unwrap();
        let uid = [3u8; 16];
        let mut it = item("a\"\u{e9}\\", "1.5");
        it.insert("z\n".into(), AttributeValue::BOOL(true));
        it.insert(
            "l".into(),
            AttributeValue::L(vec![
                AttributeValue::NULL(true),
                AttributeValue::N("-0.1".into()),
            ]),
        );
        let key = schema().key_of(&it, false).unwrap();
        let row = c.row_key(&uid, &schema(), &key);
        let env = c.seal(&row, &it).unwrap();
        let mut json = Vec::new();
        c.open_json_into(&row, &env, &key, &schema(), &mut json)
            .unwrap();
        assert_eq!(json, serde_json::to_vec(&it).unwrap());
        assert_eq!(c.open(&row, &env, &uid, &schema()).unwrap(), it);
        // An item sealed under the row of another key fails the row check, opaquely, and
        // nothing of it is left in the buffer.
        let other = item("b", "1.5");
        let other_key = schema().key_of(&other, false).unwrap();
        let wrong_row = c.row_key(&uid, &schema(), &other_key);
        let moved = c.seal(&wrong_row, &it).unwrap();
        let mut out = b"stale".to_vec();
        let err = c
            .open_json_into(&wrong_row, &moved, &other_key, &schema(), &mut out)
            .unwrap_err();
        assert_eq!(err, integrity());
        assert!(out.is_empty());
        assert_eq!(
            c.open(&wrong_row, &moved, &uid, &schema()).unwrap_err(),
            integrity(),
            "the hashing row check agrees"
        );
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
