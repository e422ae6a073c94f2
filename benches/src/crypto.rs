//! Fixed inputs for the crypto benchmarks, and the raw aws-lc-rs AES-256-GCM baseline.
//!
//! The baseline is what this machine can do at best: aws-lc-rs with a ready key, a reused
//! buffer, and an AAD of the same length as the item AAD (so the ratio measures the item
//! layer's overhead, not a different amount of GHASH work).

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ddbsse_crypto::{
    Backend, DataKeyId, EncryptionContext, ItemOpener, ItemSealer, KeyMaterial, TableKey, envelope,
};

/// Item sizes the issue asks for: 64 B, 1 KiB, 4 KiB, 64 KiB, 400 KiB.
pub const SIZES: [usize; 5] = [64, 1024, 4096, 64 * 1024, 400 * 1024];

/// The table ARN used by every item bench.
pub const TABLE_ARN: &str = "arn:aws:dynamodb:us-east-1:111122223333:table/Books";
/// The KMS key ARN used by the table-key benches.
pub const KMS_KEY_ARN: &str =
    "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
/// A primary key of a typical length (an S hash key and an N range key).
pub const PRIMARY_KEY: &[u8] = b"S:customer#000123|N:1700000000";

/// Length of the item AAD for [`TABLE_ARN`] and [`PRIMARY_KEY`].
pub const fn item_aad_len() -> usize {
    envelope::HEADER_LEN + 4 + TABLE_ARN.len() + 4 + PRIMARY_KEY.len()
}

/// A fixed table key.
pub fn table_key() -> TableKey {
    TableKey::from_material(KeyMaterial::from_bytes([0x11; 32]))
}

/// A fixed KMS key.
pub fn kms_material() -> KeyMaterial {
    KeyMaterial::from_bytes([0x22; 32])
}

/// The table's encryption context.
pub fn table_context() -> EncryptionContext {
    EncryptionContext::for_table("Books", "111122223333").expect("short strings")
}

/// A plaintext of `len` bytes.
pub fn plaintext(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// A fresh sealer for `backend` (data-key id varies with `n` so sealers never share nonces).
pub fn sealer(backend: Backend, n: u64) -> ItemSealer {
    let mut id = [0x33; 16];
    id[..8].copy_from_slice(&n.to_be_bytes());
    ItemSealer::with_backend(backend, &table_key(), TABLE_ARN, DataKeyId::from_bytes(id))
        .expect("valid ARN")
}

/// An opener for `backend` whose cache already holds `sealer`'s data key.
pub fn warm_opener(backend: Backend, sealer: &ItemSealer) -> ItemOpener {
    let mut opener = ItemOpener::with_backend(backend, &table_key(), TABLE_ARN).expect("valid");
    opener.prime(sealer);
    opener
}

/// The raw baseline: an aws-lc-rs key, ready.
pub struct RawAesGcm {
    key: LessSafeKey,
    aad: Vec<u8>,
    nonce: [u8; 12],
}

impl Default for RawAesGcm {
    fn default() -> Self {
        Self::new()
    }
}

impl RawAesGcm {
    /// A ready key and an AAD as long as the item AAD.
    pub fn new() -> Self {
        let unbound = UnboundKey::new(&AES_256_GCM, &[0x44; 32]).expect("32-byte key");
        Self {
            key: LessSafeKey::new(unbound),
            aad: vec![0x55; item_aad_len()],
            nonce: [0x66; 12],
        }
    }

    /// Seals `buf` in place (re-sealing the same buffer is the same work every time).
    #[inline]
    pub fn seal(&self, buf: &mut [u8]) -> [u8; 16] {
        let tag = self
            .key
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(self.nonce),
                Aad::from(&self.aad),
                buf,
            )
            .expect("AES-GCM seal");
        let mut out = [0u8; 16];
        out.copy_from_slice(tag.as_ref());
        out
    }

    /// Seals a copy of `plaintext` and returns (ciphertext, tag) for the open bench.
    pub fn sealed(&self, plaintext: &[u8]) -> (Vec<u8>, [u8; 16]) {
        let mut buf = plaintext.to_vec();
        let tag = self.seal(&mut buf);
        (buf, tag)
    }

    /// Opens `ciphertext` into `out` (same length), out of place.
    #[inline]
    pub fn open(&self, ciphertext: &[u8], tag: &[u8; 16], out: &mut [u8]) {
        self.key
            .open_separate_gather(
                Nonce::assume_unique_for_key(self.nonce),
                Aad::from(&self.aad),
                ciphertext,
                tag,
                out,
            )
            .expect("AES-GCM open");
    }
}
