//! The RustCrypto backend: `aes-gcm` 0.11 + `hkdf` 0.13 + `sha2` 0.11, pure Rust.
//!
//! Always compiled (tests cross-check it against aws-lc-rs); the endpoint uses it by default
//! when the `backend-rustcrypto` feature is on. `aes`, `polyval` and `sha2` detect AES-NI,
//! CLMUL and SHA-NI at run time, so no RUSTFLAGS are needed. With the `zeroize` feature the
//! expanded key schedule is cleared on drop.

use aes_gcm::aead::inout::InOutBuf;
use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce, Tag};

use super::{Aes256GcmBackend, HkdfLengthError, NONCE_LEN, TAG_LEN};
use crate::error::{DecryptError, SealError};
use crate::key_material::KeyMaterial;

/// Marker type for the RustCrypto implementation.
pub(super) struct RustCrypto;

impl Aes256GcmBackend for RustCrypto {
    type Key = Aes256Gcm;

    fn key(material: &KeyMaterial) -> Self::Key {
        let mut key = Key::<Aes256Gcm>::from(*material.expose_secret());
        let cipher = Aes256Gcm::new(&key);
        zeroize::Zeroize::zeroize(key.as_mut_slice());
        cipher
    }

    #[inline]
    fn seal_in_place(
        key: &Self::Key,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; TAG_LEN], SealError> {
        let tag = key
            .encrypt_inout_detached(&Nonce::from(*nonce), aad, InOutBuf::from(buf))
            .map_err(|_| SealError::Backend)?;
        Ok(tag.into())
    }

    #[inline]
    fn seal_to(
        key: &Self::Key,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        plaintext: &[u8],
        out: &mut [u8],
    ) -> Result<[u8; TAG_LEN], SealError> {
        let buf = InOutBuf::new(plaintext, out).map_err(|_| SealError::Backend)?;
        let tag = key
            .encrypt_inout_detached(&Nonce::from(*nonce), aad, buf)
            .map_err(|_| SealError::Backend)?;
        Ok(tag.into())
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
        let buf = InOutBuf::new(ciphertext, out).map_err(|_| DecryptError)?;
        key.decrypt_inout_detached(&Nonce::from(*nonce), aad, buf, &Tag::from(*tag))
            .map_err(|_| DecryptError)
    }

    fn hkdf_sha256(
        salt: &[u8],
        ikm: &[u8],
        info: &[u8],
        okm: &mut [u8],
    ) -> Result<(), HkdfLengthError> {
        hkdf::Hkdf::<sha2::Sha256>::new(Some(salt), ikm)
            .expand(info, okm)
            .map_err(|_| HkdfLengthError)
    }
}
