//! Data keys: AES-256-GCM keys derived from a table key and a random 128-bit data-key id with
//! HKDF-SHA256 (spec section 9).
//!
//! A [`DataKey`] is the ready cipher for one (table key, data-key id); sealers own one and
//! openers cache them. The id is drawn by the caller (this crate has no randomness).

use std::fmt;

use zeroize::Zeroizing;

use super::backend::{AeadKey, Backend};
use super::key_material::KeyMaterial;
use super::table_key::TableKey;

/// Length of a data-key id in bytes.
pub const DATA_KEY_ID_LEN: usize = 16;

//= spec/key-hierarchy.md#data-key-derivation
//# `info` MUST be the 23 ASCII bytes `ddbsse:item-data-key:v1`.
/// The HKDF `info` for item data keys.
pub const DATA_KEY_INFO: &[u8; 23] = b"ddbsse:item-data-key:v1";

/// Names one data key of a table key: 16 random bytes, stored in every envelope it seals.
/// Not secret; `Debug` shows hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DataKeyId([u8; DATA_KEY_ID_LEN]);

impl DataKeyId {
    /// Wraps 16 bytes, which MUST come from a CSPRNG (spec section 10).
    pub fn from_bytes(bytes: [u8; DATA_KEY_ID_LEN]) -> Self {
        Self(bytes)
    }

    /// The id bytes.
    pub fn as_bytes(&self) -> &[u8; DATA_KEY_ID_LEN] {
        &self.0
    }
}

impl fmt::Debug for DataKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DataKeyId({})", hex::encode(self.0))
    }
}

//= spec/key-hierarchy.md#data-key-derivation
//# The data key MUST be `HKDF-SHA256(salt = data_key_id, IKM = table_key, info, L = 32)`.
/// Derives the 32-byte data key bytes (exposed for test vectors and cross-checks).
pub fn derive_data_key_material(
    backend: Backend,
    table_key: &TableKey,
    id: &DataKeyId,
) -> KeyMaterial {
    let mut okm = Zeroizing::new([0u8; 32]);
    //= spec/key-hierarchy.md#primitives
    //# Every key derivation in this file MUST use HKDF-SHA256.
    //= spec/key-hierarchy.md#table-key
    //# The table key MUST NOT be used as an AES key; it is only the input keying material of section
    //# 9.
    // 32 bytes of output is far below HKDF-SHA256's limit (8160 bytes), the only failure either
    // backend has.
    #[allow(clippy::expect_used)]
    backend
        .hkdf_sha256(
            id.as_bytes(),
            table_key.material().expose_secret(),
            DATA_KEY_INFO,
            okm.as_mut(),
        )
        .expect("HKDF-SHA256 always yields 32 bytes");
    KeyMaterial::from_bytes(*okm)
}

/// A ready AES-256-GCM data key and the id it was derived from.
#[derive(Debug)]
pub struct DataKey {
    id: DataKeyId,
    key: AeadKey,
}

impl DataKey {
    /// Derives the data key for `id` under `table_key` (one HKDF extract + expand and one key
    /// schedule).
    pub fn derive(backend: Backend, table_key: &TableKey, id: DataKeyId) -> Self {
        let material = derive_data_key_material(backend, table_key, &id);
        Self {
            id,
            key: backend.aead_key(&material),
        }
    }

    /// The id stored in the envelopes this key seals.
    pub fn id(&self) -> DataKeyId {
        self.id
    }

    /// The ready cipher.
    pub fn aead(&self) -> &AeadKey {
        &self.key
    }
}
