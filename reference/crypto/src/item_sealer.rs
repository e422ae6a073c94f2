//! [`ItemSealer`]: seals items for one table under one data key with counter nonces.
//!
//! The per-item path is: take the next sequence number (one atomic), build the header and AAD
//! on the stack, AES-256-GCM seal. No HKDF, no key schedule, no system call and, with
//! [`ItemSealer::seal_into`] on a reused buffer, no allocation. The data-key id is drawn by the
//! caller from a CSPRNG; a sealer refuses after 2^32 seals and the caller makes a new one.

use super::backend::{Backend, TAG_LEN};
use super::data_key::{DataKey, DataKeyId};
use super::envelope::{self, HEADER_LEN, TableAad};
use super::error::SealError;
use super::nonce_sequence::{NonceSequence, item_nonce};
use super::table_key::TableKey;

/// Seals items of one table. Shareable between threads (`&self` methods).
#[derive(Debug)]
pub struct ItemSealer {
    key: DataKey,
    table: TableAad,
    sequence: NonceSequence,
}

impl ItemSealer {
    //= spec/key-hierarchy.md#data-key-unit
    //# A sealer MUST be created with a data-key id drawn from a CSPRNG, and every process start
    //# MUST create new sealers with new ids rather than continue an old sequence.
    /// A sealer for `table_arn` under a new data key `data_key_id` (default backend).
    /// Fails only if the ARN is empty or longer than 2048 bytes.
    pub fn new(
        table_key: &TableKey,
        table_arn: &str,
        data_key_id: DataKeyId,
    ) -> Result<Self, SealError> {
        Self::with_backend(Backend::DEFAULT, table_key, table_arn, data_key_id)
    }

    /// [`ItemSealer::new`] with an explicit backend.
    pub fn with_backend(
        backend: Backend,
        table_key: &TableKey,
        table_arn: &str,
        data_key_id: DataKeyId,
    ) -> Result<Self, SealError> {
        Self::starting_at(backend, table_key, table_arn, data_key_id, 0)
    }

    /// A sealer whose first sequence number is `first_sequence` instead of 0. For test vectors
    /// and the exhaustion test only: production sealers start at 0 with a fresh id.
    pub fn starting_at(
        backend: Backend,
        table_key: &TableKey,
        table_arn: &str,
        data_key_id: DataKeyId,
        first_sequence: u64,
    ) -> Result<Self, SealError> {
        let table = TableAad::new(table_arn).ok_or(SealError::InputTooLong)?;
        Ok(Self {
            key: DataKey::derive(backend, table_key, data_key_id),
            table,
            sequence: NonceSequence::starting_at(first_sequence),
        })
    }

    /// The id written into every envelope this sealer makes.
    pub fn data_key_id(&self) -> DataKeyId {
        self.key.id()
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.key.aead().backend()
    }

    /// Seals this sealer can still make before it refuses.
    pub fn seals_remaining(&self) -> u64 {
        self.sequence.remaining()
    }

    /// Seals one item into a new envelope.
    pub fn seal(&self, primary_key: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut out = Vec::new();
        self.seal_into(primary_key, plaintext, &mut out)?;
        Ok(out)
    }

    //= spec/key-hierarchy.md#item-seal
    //# The ciphertext and tag MUST be AES-256-GCM of the plaintext under the data key with the
    //# nonce from the header and the AAD of section 13.
    /// Seals one item into `out`, replacing its contents and reusing its capacity. This is the
    /// hot path: with a reused `out` it allocates nothing. On error `out` is left empty.
    pub fn seal_into(
        &self,
        primary_key: &[u8],
        plaintext: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), SealError> {
        // `out` is not cleared up front: keeping its length lets `size_buffer` skip the memset.
        if u32::try_from(primary_key.len()).is_err() {
            out.clear();
            return Err(SealError::InputTooLong);
        }
        let sequence = match self.sequence.next() {
            Ok(sequence) => sequence,
            Err(e) => {
                out.clear();
                return Err(e);
            }
        };
        let nonce = item_nonce(sequence);
        let header = envelope::header(&self.key.id(), &nonce);
        envelope::size_buffer(out, HEADER_LEN + plaintext.len() + TAG_LEN);
        let (head, body) = out.split_at_mut(HEADER_LEN);
        head.copy_from_slice(&header);
        let (ciphertext, tag_slot) = body.split_at_mut(plaintext.len());
        let sealed = envelope::with_item_aad(&header, &self.table, primary_key, |aad| {
            self.key.aead().seal_to(&nonce, aad, plaintext, ciphertext)
        });
        match sealed {
            Some(Ok(tag)) => {
                tag_slot.copy_from_slice(&tag);
                Ok(())
            }
            Some(Err(e)) => {
                out.clear();
                Err(e)
            }
            None => {
                out.clear();
                Err(SealError::InputTooLong)
            }
        }
    }
}
