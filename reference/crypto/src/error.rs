//! The crypto core's error types.
//!
//! [`DecryptError`] is deliberately opaque: every reason a KMS blob or an item envelope fails to
//! open (wrong key, wrong context, wrong table, wrong primary key, an edited byte, a truncated
//! input, an unknown version) is the same value, so no caller can learn which check failed.
//! [`SealError`] and [`ContextError`] report caller mistakes on the encrypt side, where there is
//! nothing secret to hide. None of these types carries key material.

use std::fmt;

//= spec/key-hierarchy.md#decrypt-errors
//# Every failure to open a KMS blob or an item envelope MUST be reported as one and the same
//# opaque error, whatever the cause.
//= spec/key-hierarchy.md#decrypt-errors
//# The error MUST NOT carry key material, plaintext, or which of key, context, table, primary key,
//# length or version was wrong.
/// A KMS blob or item envelope did not open. Carries no detail on purpose.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DecryptError;

impl fmt::Debug for DecryptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DecryptError")
    }
}

impl fmt::Display for DecryptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("decryption failed")
    }
}

impl std::error::Error for DecryptError {}

/// Why a seal was refused. Only caller-visible limits, never key material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The KMS key id is empty or longer than the blob header allows (1..=2048 bytes).
    #[error("KMS key id must be 1 to 2048 bytes long, got {0}")]
    KeyIdLength(usize),
    /// The item sealer has used every nonce of its data key; make a new sealer with a fresh
    /// data-key id.
    #[error("data key exhausted after 2^32 seals; a new data-key id is required")]
    DataKeyExhausted,
    /// An input is longer than the format's length prefix can express.
    #[error("input too long for the envelope format")]
    InputTooLong,
    /// The AEAD backend refused the input (only for inputs beyond AES-GCM's length limit).
    #[error("AES-256-GCM refused the input")]
    Backend,
}

/// Why an encryption context could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ContextError {
    /// A key or value is longer than 65535 bytes.
    #[error("encryption context keys and values must be at most 65535 bytes")]
    EntryTooLong,
    /// More than 65535 pairs.
    #[error("encryption context must have at most 65535 pairs")]
    TooManyPairs,
}
