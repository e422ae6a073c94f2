//! [`TableKey`]: the per-table 256-bit key that GenerateDataKey (`AES_256`) makes under the
//! table's KMS key, stored only in wrapped form (a KMS blob with the table's context).
//!
//! The table key never encrypts items itself; it is the HKDF input for data keys
//! ([`super::data_key`]). This module does not call KMS: `wrap`/`unwrap` are the byte
//! operations GenerateDataKey and Decrypt perform.

use std::fmt;

use super::backend::{Backend, NONCE_LEN};
use super::context::EncryptionContext;
use super::error::{DecryptError, SealError};
use super::key_material::KeyMaterial;
use super::kms_blob;

//= spec/key-hierarchy.md#table-key
//# The table key MUST be the 32-byte `Plaintext` of a GenerateDataKey request with `KeySpec`
//# `AES_256` under the table's KMS key.
/// A plaintext table key. Zeroized on drop; `Debug` prints `TableKey(<redacted>)`.
#[derive(Clone)]
pub struct TableKey(KeyMaterial);

impl fmt::Debug for TableKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TableKey(<redacted>)")
    }
}

impl TableKey {
    /// Wraps 32 bytes of key material (GenerateDataKey's plaintext).
    pub fn from_material(material: KeyMaterial) -> Self {
        Self(material)
    }

    //= spec/key-hierarchy.md#table-key
    //# An unwrapped table key whose plaintext is not exactly 32 bytes MUST be rejected with the
    //# same opaque error as a blob that fails to open.
    /// Takes a KMS plaintext that must be exactly 32 bytes.
    pub fn from_plaintext(plaintext: &[u8]) -> Result<Self, DecryptError> {
        KeyMaterial::from_slice(plaintext)
            .map(Self)
            .ok_or(DecryptError)
    }

    /// The key bytes, for HKDF.
    pub fn material(&self) -> &KeyMaterial {
        &self.0
    }

    /// Wraps this key under a KMS key (what GenerateDataKey returns as `CiphertextBlob`), with the
    /// default backend. `ctx` should be [`EncryptionContext::for_table`].
    pub fn wrap(
        &self,
        kms_key_id: &str,
        kms_material: &KeyMaterial,
        ctx: &EncryptionContext,
        nonce: [u8; NONCE_LEN],
    ) -> Result<Vec<u8>, SealError> {
        self.wrap_with(Backend::DEFAULT, kms_key_id, kms_material, ctx, nonce)
    }

    /// [`TableKey::wrap`] with an explicit backend.
    pub fn wrap_with(
        &self,
        backend: Backend,
        kms_key_id: &str,
        kms_material: &KeyMaterial,
        ctx: &EncryptionContext,
        nonce: [u8; NONCE_LEN],
    ) -> Result<Vec<u8>, SealError> {
        kms_blob::seal_with(
            backend,
            kms_key_id,
            kms_material,
            self.0.expose_secret(),
            ctx,
            nonce,
        )
    }

    /// Unwraps a stored table key (what Decrypt does), with the default backend.
    pub fn unwrap(
        kms_material: &KeyMaterial,
        blob: &[u8],
        ctx: &EncryptionContext,
    ) -> Result<Self, DecryptError> {
        Self::unwrap_with(Backend::DEFAULT, kms_material, blob, ctx)
    }

    /// [`TableKey::unwrap`] with an explicit backend.
    pub fn unwrap_with(
        backend: Backend,
        kms_material: &KeyMaterial,
        blob: &[u8],
        ctx: &EncryptionContext,
    ) -> Result<Self, DecryptError> {
        let plaintext = kms_blob::open_with(backend, kms_material, blob, ctx)?;
        Self::from_plaintext(&plaintext)
    }
}
