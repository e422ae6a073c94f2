//! The aws-lc-rs backend (cargo feature `backend-aws-lc`, the default).
//!
//! aws-lc picks its AES-GCM kernel at run time (AES-NI, or VAES + VPCLMULQDQ with AVX-512 where
//! present); no RUSTFLAGS are needed. Dropping a key frees aws-lc's context with
//! `EVP_AEAD_CTX_free`, whose `OPENSSL_free` overwrites the allocation, so the expanded key
//! schedule does not outlive the key.

use aws_lc_rs::{aead, hkdf};

use super::{Aes256GcmBackend, HkdfLengthError, NONCE_LEN, TAG_LEN};
use crate::error::{DecryptError, SealError};
use crate::key_material::KeyMaterial;

/// Marker type for the aws-lc-rs implementation.
pub(super) struct AwsLc;

/// An HKDF output length for aws-lc-rs's `expand`.
struct OkmLen(usize);

impl hkdf::KeyType for OkmLen {
    fn len(&self) -> usize {
        self.0
    }
}

impl Aes256GcmBackend for AwsLc {
    type Key = aead::LessSafeKey;

    fn key(material: &KeyMaterial) -> Self::Key {
        // AES_256_GCM takes exactly 32 bytes and KeyMaterial is always 32 bytes, so the only
        // failure aws-lc-rs documents (a wrong key length) cannot happen here.
        #[allow(clippy::expect_used)]
        let unbound = aead::UnboundKey::new(&aead::AES_256_GCM, material.expose_secret())
            .expect("a 32-byte key is always valid for AES_256_GCM");
        aead::LessSafeKey::new(unbound)
    }

    #[inline]
    fn seal_in_place(
        key: &Self::Key,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; TAG_LEN], SealError> {
        let tag = key
            .seal_in_place_separate_tag(
                aead::Nonce::assume_unique_for_key(*nonce),
                aead::Aad::from(aad),
                buf,
            )
            .map_err(|_| SealError::Backend)?;
        tag.as_ref().try_into().map_err(|_| SealError::Backend)
    }

    #[inline]
    fn seal_to(
        key: &Self::Key,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        plaintext: &[u8],
        out: &mut [u8],
    ) -> Result<[u8; TAG_LEN], SealError> {
        let mut tag = [0u8; TAG_LEN];
        key.seal_out_of_place_scatter(
            aead::Nonce::assume_unique_for_key(*nonce),
            aead::Aad::from(aad),
            plaintext,
            out,
            &[],
            &mut tag,
        )
        .map_err(|_| SealError::Backend)?;
        Ok(tag)
    }

    #[inline]
    fn open_to(
        key: &Self::Key,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8; TAG_LEN],
        out: &mut [u8],
    ) -> Result<(), DecryptError> {
        key.open_separate_gather(
            aead::Nonce::assume_unique_for_key(*nonce),
            aead::Aad::from(aad),
            ciphertext,
            tag,
            out,
        )
        .map_err(|_| DecryptError)
    }

    fn hkdf_sha256(
        salt: &[u8],
        ikm: &[u8],
        info: &[u8],
        okm: &mut [u8],
    ) -> Result<(), HkdfLengthError> {
        if okm.len() > 255 * 32 {
            return Err(HkdfLengthError);
        }
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(ikm);
        let info = [info];
        prk.expand(&info, OkmLen(okm.len()))
            .and_then(|material| material.fill(okm))
            .map_err(|_| HkdfLengthError)
    }
}
