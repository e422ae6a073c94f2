//! The model's source of secret bytes: KMS key material, GenerateDataKey plaintexts and the
//! nonces of KMS blobs.
//!
//! It is ChaCha20 seeded from the model's seed, so a model run is reproducible (snapshots need no
//! redaction) while the bytes still come from a cryptographic generator, as
//! `spec/key-hierarchy.md#kms-blob-seal` asks of nonces. It is deliberately separate from the id
//! generator, so drawing ids never shifts key material and the other way round. Its `Debug`
//! prints nothing of its state.

use std::fmt;

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};

use ddbsse_crypto::KeyMaterial;

/// Seeded ChaCha20 for secret bytes.
#[derive(Clone)]
pub struct SecretRng(ChaCha20Rng);

impl fmt::Debug for SecretRng {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretRng(<redacted>)")
    }
}

impl SecretRng {
    /// A generator whose output depends only on `seed` (distinct from the id stream's).
    pub fn new(seed: u64) -> Self {
        Self(ChaCha20Rng::seed_from_u64(seed ^ 0x5EC2_E7B1_7E5D_0001))
    }

    /// Fills `buf` with secret bytes.
    pub fn fill(&mut self, buf: &mut [u8]) {
        self.0.fill_bytes(buf);
    }

    /// 256 bits of fresh key material.
    pub fn key_material(&mut self) -> KeyMaterial {
        let mut bytes = [0u8; 32];
        self.fill(&mut bytes);
        let material = KeyMaterial::from_bytes(bytes);
        zeroize::Zeroize::zeroize(&mut bytes);
        material
    }

    /// A fresh 96-bit nonce.
    pub fn nonce(&mut self) -> [u8; 12] {
        let mut nonce = [0u8; 12];
        self.fill(&mut nonce);
        nonce
    }
}
