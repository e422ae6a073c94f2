//! [`KeyMaterial`]: 32 secret bytes, zeroized on drop and never printed.
//!
//! This is the only type that holds raw 256-bit keys (KMS key material, table keys, derived data
//! keys before they become a cipher). It does no cryptography itself.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

//= spec/key-hierarchy.md#key-material
//# Key material MUST be overwritten with zeros when it is dropped, and MUST NOT appear in logs,
//# error messages or debug output.
/// 256 bits of secret key material.
///
/// `Debug` prints `KeyMaterial(<redacted>)`. Reading the bytes needs the deliberately loud
/// [`KeyMaterial::expose_secret`]. There is no `Display`, no `Serialize` and no `PartialEq`
/// (compare keys through the cryptography, not with `==`).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct KeyMaterial([u8; 32]);

impl KeyMaterial {
    /// Length of every key in the hierarchy, in bytes.
    pub const LEN: usize = 32;

    /// Wraps 32 bytes. The caller should zeroize its own copy.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Copies a slice that must be exactly 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let array: [u8; 32] = bytes.try_into().ok()?;
        Some(Self(array))
    }

    /// The raw key bytes. Named so that every use is visible in review.
    pub fn expose_secret(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyMaterial(<redacted>)")
    }
}
