//! The seam between the key hierarchy and the AES-256-GCM / HKDF-SHA256 implementations.
//!
//! Two backends implement [`Aes256GcmBackend`]: aws-lc-rs (`aws_lc`, cargo feature
//! `backend-aws-lc`, the default) and RustCrypto `aes-gcm` 0.11 + `hkdf` 0.13 (`rustcrypto`,
//! always compiled so every test runs on both). [`Backend`] names one at run time and
//! [`AeadKey`] is a ready AES-256-GCM key of either kind. Only 96-bit nonces and 128-bit tags
//! exist here; nothing in this module picks nonces or formats bytes.

#[cfg(feature = "backend-aws-lc")]
mod aws_lc;
mod rustcrypto;

use super::error::{DecryptError, SealError};
use super::key_material::KeyMaterial;

//= spec/key-hierarchy.md#primitives
//# Every encryption in this file MUST use AES-256-GCM with a 12-byte nonce and a 16-byte tag.
/// AES-GCM nonce length (96 bits).
pub const NONCE_LEN: usize = 12;
/// AES-GCM tag length (128 bits).
pub const TAG_LEN: usize = 16;

/// HKDF-SHA256 was asked for more than 255 * 32 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("HKDF-SHA256 output length must be at most 8160 bytes")]
pub struct HkdfLengthError;

/// What one backend provides. Implementations are byte-identical on every input.
//= spec/key-hierarchy.md#backends
//# Every backend MUST produce byte-identical output for identical inputs.
pub trait Aes256GcmBackend {
    /// A ready key (expanded key schedule and GHASH key).
    type Key: Send + Sync;
    /// Expands a 256-bit key.
    fn key(material: &KeyMaterial) -> Self::Key;
    /// Encrypts `buf` in place and returns the tag.
    fn seal_in_place(
        key: &Self::Key,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; TAG_LEN], SealError>;
    /// Encrypts `plaintext` into `out` (same length) and returns the tag.
    fn seal_to(
        key: &Self::Key,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        plaintext: &[u8],
        out: &mut [u8],
    ) -> Result<[u8; TAG_LEN], SealError>;
    /// Decrypts `ciphertext` into `out` (same length) if the tag verifies.
    fn open_to(
        key: &Self::Key,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8; TAG_LEN],
        out: &mut [u8],
    ) -> Result<(), DecryptError>;
    /// HKDF-SHA256 (RFC 5869) extract and expand into `okm`.
    fn hkdf_sha256(
        salt: &[u8],
        ikm: &[u8],
        info: &[u8],
        okm: &mut [u8],
    ) -> Result<(), HkdfLengthError>;
}

//= spec/key-hierarchy.md#backends
//# A build MUST NOT require `target-cpu=native` or any other non-portable code-generation flag.
/// Which implementation runs the primitives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// aws-lc-rs (assembly, run-time CPU dispatch).
    #[cfg(feature = "backend-aws-lc")]
    AwsLc,
    /// RustCrypto `aes-gcm` 0.11 + `hkdf` 0.13 + `sha2` 0.11 (pure Rust).
    RustCrypto,
}

impl Backend {
    /// The backend the endpoint uses: RustCrypto when the `backend-rustcrypto` feature is on,
    /// else aws-lc-rs when `backend-aws-lc` is on, else RustCrypto.
    #[cfg(any(feature = "backend-rustcrypto", not(feature = "backend-aws-lc")))]
    pub const DEFAULT: Backend = Backend::RustCrypto;
    /// The backend the endpoint uses: RustCrypto when the `backend-rustcrypto` feature is on,
    /// else aws-lc-rs when `backend-aws-lc` is on, else RustCrypto.
    #[cfg(all(feature = "backend-aws-lc", not(feature = "backend-rustcrypto")))]
    pub const DEFAULT: Backend = Backend::AwsLc;

    //= spec/key-hierarchy.md#backends
    //# Every vector of `fixtures/vectors/` and of `fixtures/wycheproof/` that applies to AES-256-GCM
    //# with a 96-bit nonce, or to HKDF-SHA256, MUST pass on every backend.
    /// Every backend compiled into this build (tests run each).
    pub const ALL: &'static [Backend] = &[
        #[cfg(feature = "backend-aws-lc")]
        Backend::AwsLc,
        Backend::RustCrypto,
    ];

    /// A short stable name (`aws-lc-rs`, `rustcrypto`) for reports and bench ids.
    pub fn name(self) -> &'static str {
        match self {
            #[cfg(feature = "backend-aws-lc")]
            Backend::AwsLc => "aws-lc-rs",
            Backend::RustCrypto => "rustcrypto",
        }
    }

    /// Expands `material` into a ready AES-256-GCM key of this backend.
    pub fn aead_key(self, material: &KeyMaterial) -> AeadKey {
        match self {
            #[cfg(feature = "backend-aws-lc")]
            Backend::AwsLc => AeadKey(KeyInner::AwsLc(aws_lc::AwsLc::key(material))),
            Backend::RustCrypto => AeadKey(KeyInner::RustCrypto(Box::new(
                rustcrypto::RustCrypto::key(material),
            ))),
        }
    }

    /// HKDF-SHA256 (RFC 5869): extract with `salt` (empty = 32 zero bytes), expand with `info`
    /// into `okm` (at most 8160 bytes).
    pub fn hkdf_sha256(
        self,
        salt: &[u8],
        ikm: &[u8],
        info: &[u8],
        okm: &mut [u8],
    ) -> Result<(), HkdfLengthError> {
        match self {
            #[cfg(feature = "backend-aws-lc")]
            Backend::AwsLc => aws_lc::AwsLc::hkdf_sha256(salt, ikm, info, okm),
            Backend::RustCrypto => rustcrypto::RustCrypto::hkdf_sha256(salt, ikm, info, okm),
        }
    }
}

/// A ready AES-256-GCM key of one backend. Its `Debug` never shows key bytes.
pub struct AeadKey(KeyInner);

enum KeyInner {
    #[cfg(feature = "backend-aws-lc")]
    AwsLc(<aws_lc::AwsLc as Aes256GcmBackend>::Key),
    // Boxed: the expanded RustCrypto key is about 500 bytes, aws-lc-rs's is a handle.
    RustCrypto(Box<<rustcrypto::RustCrypto as Aes256GcmBackend>::Key>),
}

impl std::fmt::Debug for AeadKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AeadKey({}, <redacted>)", self.backend().name())
    }
}

impl AeadKey {
    /// The backend this key belongs to.
    pub fn backend(&self) -> Backend {
        match &self.0 {
            #[cfg(feature = "backend-aws-lc")]
            KeyInner::AwsLc(_) => Backend::AwsLc,
            KeyInner::RustCrypto(_) => Backend::RustCrypto,
        }
    }

    /// Encrypts `buf` in place; returns the tag.
    #[inline]
    pub fn seal_in_place(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; TAG_LEN], SealError> {
        match &self.0 {
            #[cfg(feature = "backend-aws-lc")]
            KeyInner::AwsLc(k) => aws_lc::AwsLc::seal_in_place(k, nonce, aad, buf),
            KeyInner::RustCrypto(k) => rustcrypto::RustCrypto::seal_in_place(k, nonce, aad, buf),
        }
    }

    /// Encrypts `plaintext` into `out` (which must have the same length); returns the tag.
    #[inline]
    pub fn seal_to(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        plaintext: &[u8],
        out: &mut [u8],
    ) -> Result<[u8; TAG_LEN], SealError> {
        match &self.0 {
            #[cfg(feature = "backend-aws-lc")]
            KeyInner::AwsLc(k) => aws_lc::AwsLc::seal_to(k, nonce, aad, plaintext, out),
            KeyInner::RustCrypto(k) => {
                rustcrypto::RustCrypto::seal_to(k, nonce, aad, plaintext, out)
            }
        }
    }

    //= spec/key-hierarchy.md#primitives
    //# Implementations MUST NOT accept other nonce or tag lengths when opening.
    /// Decrypts `ciphertext` into `out` (same length) if `tag` verifies. On failure `out` is
    /// zeroed (it may have held unauthenticated plaintext).
    #[inline]
    pub fn open_to(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8; TAG_LEN],
        out: &mut [u8],
    ) -> Result<(), DecryptError> {
        let result = match &self.0 {
            #[cfg(feature = "backend-aws-lc")]
            KeyInner::AwsLc(k) => aws_lc::AwsLc::open_to(k, nonce, aad, ciphertext, tag, out),
            KeyInner::RustCrypto(k) => {
                rustcrypto::RustCrypto::open_to(k, nonce, aad, ciphertext, tag, out)
            }
        };
        //= spec/key-hierarchy.md#decrypt-errors
        //# Plaintext that failed verification MUST NOT be returned, and buffers that held it SHOULD be
        //# cleared.
        if result.is_err() {
            out.fill(0);
        }
        result
    }
}
