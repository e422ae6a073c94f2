//! The versioned KMS ciphertext blob that Encrypt and GenerateDataKey return and Decrypt reads.
//!
//! Layout (spec section 5): `version || u16be(len(key_id)) || key_id || nonce || ciphertext ||
//! tag`, sealed with AES-256-GCM under the KMS key's material, with the header and the
//! canonical encryption context as AAD. This module only formats and checks bytes; choosing the
//! key, drawing the nonce and mapping [`DecryptError`] to `InvalidCiphertextException` are the
//! caller's job.

use zeroize::Zeroizing;

use super::backend::{Backend, NONCE_LEN, TAG_LEN};
use super::context::EncryptionContext;
use super::error::{DecryptError, SealError};
use super::key_material::KeyMaterial;

//= spec/key-hierarchy.md#kms-blob-layout
//# The version byte MUST be `0x01`.
/// The only blob version this crate writes and reads.
pub const VERSION: u8 = 0x01;
/// Longest key id the header can name, in bytes (KMS's `KeyId` limit).
pub const MAX_KEY_ID_LEN: usize = 2048;
/// Bytes a blob adds to its plaintext, not counting the key id.
pub const FIXED_OVERHEAD: usize = 1 + 2 + NONCE_LEN + TAG_LEN;

/// The parts of a blob whose header parsed.
struct BlobParts<'a> {
    header: &'a [u8],
    key_id: &'a str,
    nonce: [u8; NONCE_LEN],
    ciphertext: &'a [u8],
    tag: [u8; TAG_LEN],
}

//= spec/key-hierarchy.md#kms-blob-open
//# A blob MUST be rejected if it is shorter than 32 bytes, if its version byte is not `0x01`,
//# if its key id length is 0 or greater than 2048, if it is shorter than
//# `3 + key_id_len + 12 + 16` bytes, or if its key id is not valid UTF-8.
fn parse(blob: &[u8]) -> Result<BlobParts<'_>, DecryptError> {
    if blob.len() < FIXED_OVERHEAD + 1 || blob[0] != VERSION {
        return Err(DecryptError);
    }
    let key_id_len = usize::from(u16::from_be_bytes([blob[1], blob[2]]));
    if key_id_len == 0 || key_id_len > MAX_KEY_ID_LEN || blob.len() < FIXED_OVERHEAD + key_id_len {
        return Err(DecryptError);
    }
    let header_len = 3 + key_id_len + NONCE_LEN;
    let key_id = std::str::from_utf8(&blob[3..3 + key_id_len]).map_err(|_| DecryptError)?;
    let nonce: [u8; NONCE_LEN] = blob[3 + key_id_len..header_len]
        .try_into()
        .map_err(|_| DecryptError)?;
    let tag_start = blob.len() - TAG_LEN;
    let tag: [u8; TAG_LEN] = blob[tag_start..].try_into().map_err(|_| DecryptError)?;
    Ok(BlobParts {
        header: &blob[..header_len],
        key_id,
        nonce,
        ciphertext: &blob[header_len..tag_start],
        tag,
    })
}

//= spec/key-hierarchy.md#kms-blob-seal
//# The AAD MUST be `header || encode(context)`, where `header` is every byte of the blob before
//# the ciphertext.
fn blob_aad(header: &[u8], ctx: &EncryptionContext) -> Vec<u8> {
    let encoded = ctx.canonical_bytes();
    let mut aad = Vec::with_capacity(header.len() + encoded.len());
    aad.extend_from_slice(header);
    aad.extend_from_slice(&encoded);
    aad
}

/// Reads which KMS key a blob names, without authenticating anything (the name is bound by the
/// AAD, so a blob whose header was edited to name another key fails to open under either).
pub fn key_id(blob: &[u8]) -> Result<&str, DecryptError> {
    parse(blob).map(|parts| parts.key_id)
}

/// Seals `plaintext` under `material` with the default backend. `nonce` MUST be fresh random
/// bytes from a CSPRNG, and no key material may seal more than 2^32 blobs (spec section 6):
/// both are the caller's duties, since this crate has no randomness and no state (the server's
/// KMS engine draws the nonce and counts blobs per key).
pub fn seal(
    key_id: &str,
    material: &KeyMaterial,
    plaintext: &[u8],
    ctx: &EncryptionContext,
    nonce: [u8; NONCE_LEN],
) -> Result<Vec<u8>, SealError> {
    seal_with(Backend::DEFAULT, key_id, material, plaintext, ctx, nonce)
}

//= spec/key-hierarchy.md#kms-blob-layout
//# `key_id` names the KMS key whose material sealed the blob; ddbsse targets MUST write the key ARN
//# there, so that Decrypt can find the key and return its ARN without a `KeyId` in the request.
/// [`seal`] with an explicit backend.
pub fn seal_with(
    backend: Backend,
    key_id: &str,
    material: &KeyMaterial,
    plaintext: &[u8],
    ctx: &EncryptionContext,
    nonce: [u8; NONCE_LEN],
) -> Result<Vec<u8>, SealError> {
    //= spec/key-hierarchy.md#kms-blob-layout
    //# `key_id_len` is the length in bytes of `key_id`, from 1 to 2048.
    let key_id_len = match u16::try_from(key_id.len()) {
        Ok(len) if (1..=MAX_KEY_ID_LEN).contains(&key_id.len()) => len,
        _ => return Err(SealError::KeyIdLength(key_id.len())),
    };
    let header_len = 3 + key_id.len() + NONCE_LEN;
    let mut blob = vec![0u8; header_len + plaintext.len() + TAG_LEN];
    blob[0] = VERSION;
    blob[1..3].copy_from_slice(&key_id_len.to_be_bytes());
    blob[3..3 + key_id.len()].copy_from_slice(key_id.as_bytes());
    blob[3 + key_id.len()..header_len].copy_from_slice(&nonce);
    let aad = blob_aad(&blob[..header_len], ctx);
    let (_, body) = blob.split_at_mut(header_len);
    let (ciphertext, tag_slot) = body.split_at_mut(plaintext.len());
    //= spec/key-hierarchy.md#kms-blob-seal
    //# The ciphertext and tag MUST be `AES-256-GCM-Seal(kms_key_material, nonce, header ||
    //# encode(context), plaintext)`.
    let tag = backend
        .aead_key(material)
        .seal_to(&nonce, &aad, plaintext, ciphertext)?;
    tag_slot.copy_from_slice(&tag);
    Ok(blob)
}

/// Opens a blob with the default backend. Any mismatch (key, context, edited byte, truncation,
/// version) is the same [`DecryptError`].
pub fn open(
    material: &KeyMaterial,
    blob: &[u8],
    ctx: &EncryptionContext,
) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
    open_with(Backend::DEFAULT, material, blob, ctx)
}

/// [`open`] with an explicit backend.
pub fn open_with(
    backend: Backend,
    material: &KeyMaterial,
    blob: &[u8],
    ctx: &EncryptionContext,
) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
    let parts = parse(blob)?;
    let aad = blob_aad(parts.header, ctx);
    //= spec/key-hierarchy.md#kms-blob-open
    //# The opener MUST compute `AES-256-GCM-Open(kms_key_material, nonce, header || encode(context),
    //# ciphertext, tag)` with the context of the Decrypt request and return the plaintext only if it
    //# succeeds.
    let mut plaintext = Zeroizing::new(vec![0u8; parts.ciphertext.len()]);
    backend.aead_key(material).open_to(
        &parts.nonce,
        &aad,
        parts.ciphertext,
        &parts.tag,
        &mut plaintext,
    )?;
    Ok(plaintext)
}
