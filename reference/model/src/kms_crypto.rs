//! The one seam between the model's KMS and the crypto core (`ddbsse_crypto`): sealing and
//! opening KMS ciphertext blobs (`spec/key-hierarchy.md#kms-blob-layout`).
//!
//! Everything the model encrypts goes through these three functions, so a change of the crypto
//! core's API is an edit of this file only. Failures are mapped to KMS's opaque
//! `InvalidCiphertextException` by the caller; nothing here sees an AWS error.

use zeroize::Zeroizing;

use ddbsse_crypto::{DecryptError, EncryptionContext, KeyMaterial, SealError, kms_blob};
use ddbsse_wire::kms::ContextMap;

/// The crypto core's context for a wire context map; `None` when it cannot be encoded.
pub fn context(map: Option<&ContextMap>) -> Option<EncryptionContext> {
    match map {
        None => Some(EncryptionContext::new()),
        Some(map) => EncryptionContext::try_from(map.clone()).ok(),
    }
}

/// Seals `plaintext` into a KMS blob naming `key_arn`.
pub fn seal(
    key_arn: &str,
    material: &KeyMaterial,
    plaintext: &[u8],
    ctx: &EncryptionContext,
    nonce: [u8; 12],
) -> Result<Vec<u8>, SealError> {
    kms_blob::seal(key_arn, material, plaintext, ctx, nonce)
}

/// The key ARN a blob names (not authenticated until it opens).
pub fn blob_key_arn(blob: &[u8]) -> Result<&str, DecryptError> {
    kms_blob::key_id(blob)
}

/// Opens a KMS blob.
pub fn open(
    material: &KeyMaterial,
    blob: &[u8],
    ctx: &EncryptionContext,
) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
    kms_blob::open(material, blob, ctx)
}
