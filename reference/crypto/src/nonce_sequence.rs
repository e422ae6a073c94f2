//! The deterministic item nonce: a per-data-key counter (spec section 11).
//!
//! Nonce `i` of a data key is `0x00000000 || u64be(i)` for `i` in `0..2^32`. The counter is
//! atomic, so one sealer can be shared by threads and still never hands out a value twice. It
//! is never persisted: a restart makes a new data-key id instead (spec section 10).

use std::sync::atomic::{AtomicU64, Ordering};

use super::backend::NONCE_LEN;
use super::error::SealError;

//= spec/key-hierarchy.md#item-nonces
//# A sealer MUST NOT seal more than 2^32 items under one data key.
/// How many items one data key may seal.
pub const MAX_SEALS_PER_DATA_KEY: u64 = 1 << 32;

//= spec/key-hierarchy.md#item-nonces
//# The nonce of the item sealed with sequence number `i` MUST be the 12 bytes
//# `0x00 0x00 0x00 0x00 || u64be(i)`.
/// The nonce for sequence number `sequence`.
pub fn item_nonce(sequence: u64) -> [u8; NONCE_LEN] {
    let mut nonce = [0u8; NONCE_LEN];
    nonce[4..].copy_from_slice(&sequence.to_be_bytes());
    nonce
}

//= spec/key-hierarchy.md#item-nonces
//# Sequence numbers MUST NOT be persisted or restored; a new process makes a new data-key id
//# (section 10).
/// Hands out each sequence number below [`MAX_SEALS_PER_DATA_KEY`] at most once.
#[derive(Debug)]
pub(crate) struct NonceSequence(AtomicU64);

impl NonceSequence {
    /// A sequence whose first value is `first`.
    pub(crate) fn starting_at(first: u64) -> Self {
        Self(AtomicU64::new(first.min(MAX_SEALS_PER_DATA_KEY)))
    }

    //= spec/key-hierarchy.md#item-nonces
    //# Each sequence number MUST be used for at most one seal.
    /// Takes the next sequence number, or refuses once all are used.
    #[inline]
    pub(crate) fn next(&self) -> Result<u64, SealError> {
        self.0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |current| {
                (current < MAX_SEALS_PER_DATA_KEY).then_some(current + 1)
            })
            .map_err(|_| SealError::DataKeyExhausted)
    }

    /// Sequence numbers not yet used.
    pub(crate) fn remaining(&self) -> u64 {
        MAX_SEALS_PER_DATA_KEY - self.0.load(Ordering::Relaxed).min(MAX_SEALS_PER_DATA_KEY)
    }
}
