//! Opening item envelopes: the cold [`open_item`] (derive, then open) and the warm
//! [`ItemOpener`], which caches derived data keys per table.
//!
//! The opener inserts a data key into its cache only after an envelope sealed under it opened,
//! so forged envelopes with random data-key ids cannot flood or evict the cache. It holds a
//! copy of the table key (zeroized on drop).

use std::collections::HashMap;
use std::sync::Arc;

use super::backend::Backend;
use super::data_key::{DataKey, DataKeyId};
use super::envelope::{self, EnvelopeParts, TableAad};
use super::error::{DecryptError, SealError};
use super::item_sealer::ItemSealer;
use super::table_key::TableKey;

/// How many data keys an [`ItemOpener`] keeps by default.
pub const DEFAULT_CACHE_CAPACITY: usize = 256;

/// Opens one envelope with a freshly derived data key (default backend). Every failure is the
/// same [`DecryptError`].
pub fn open_item(
    table_key: &TableKey,
    table_arn: &str,
    primary_key: &[u8],
    envelope: &[u8],
) -> Result<Vec<u8>, DecryptError> {
    open_item_with(
        Backend::DEFAULT,
        table_key,
        table_arn,
        primary_key,
        envelope,
    )
}

/// [`open_item`] with an explicit backend.
pub fn open_item_with(
    backend: Backend,
    table_key: &TableKey,
    table_arn: &str,
    primary_key: &[u8],
    envelope: &[u8],
) -> Result<Vec<u8>, DecryptError> {
    let table = TableAad::new(table_arn).ok_or(DecryptError)?;
    let parts = envelope::parse(envelope)?;
    let key = DataKey::derive(backend, table_key, parts.data_key_id);
    let mut out = Vec::new();
    open_parts(&key, &table, primary_key, &parts, &mut out)?;
    Ok(out)
}

//= spec/key-hierarchy.md#item-open
//# The opener MUST derive the data key from the envelope's data-key id (section 9), rebuild the
//# AAD from the header, the table ARN and the primary key it expects (section 13), and return
//# the plaintext only if AES-256-GCM verification succeeds.
fn open_parts(
    key: &DataKey,
    table: &TableAad,
    primary_key: &[u8],
    parts: &EnvelopeParts<'_>,
    out: &mut Vec<u8>,
) -> Result<(), DecryptError> {
    //= spec/key-hierarchy.md#item-nonces
    //# An opener MUST accept any 12-byte nonce; the construction above is an obligation of the sealer
    //# only.
    envelope::size_buffer(out, parts.ciphertext.len());
    let opened = envelope::with_item_aad(parts.header, table, primary_key, |aad| {
        key.aead()
            .open_to(&parts.nonce, aad, parts.ciphertext, &parts.tag, out)
    });
    match opened {
        Some(Ok(())) => Ok(()),
        _ => {
            out.clear();
            Err(DecryptError)
        }
    }
}

/// Opens items of one table, caching data keys by id (the warm read path).
#[derive(Debug)]
pub struct ItemOpener {
    backend: Backend,
    table_key: TableKey,
    table: TableAad,
    cache: HashMap<DataKeyId, Arc<DataKey>>,
    /// The key used last, checked before the map (one data key per sealer means runs of items
    /// under the same key are the common case).
    recent: Option<Arc<DataKey>>,
    capacity: usize,
}

impl ItemOpener {
    /// An opener for `table_arn` (default backend). Fails only if the ARN is empty or longer
    /// than 2048 bytes.
    pub fn new(table_key: &TableKey, table_arn: &str) -> Result<Self, SealError> {
        Self::with_backend(Backend::DEFAULT, table_key, table_arn)
    }

    /// [`ItemOpener::new`] with an explicit backend.
    pub fn with_backend(
        backend: Backend,
        table_key: &TableKey,
        table_arn: &str,
    ) -> Result<Self, SealError> {
        Ok(Self {
            backend,
            table_key: table_key.clone(),
            table: TableAad::new(table_arn).ok_or(SealError::InputTooLong)?,
            cache: HashMap::new(),
            recent: None,
            capacity: DEFAULT_CACHE_CAPACITY,
        })
    }

    /// Sets how many data keys are kept (at least 1).
    pub fn with_capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity.max(1);
        self
    }

    /// Pre-derives the data key of `sealer`, so items it just sealed open warm.
    pub fn prime(&mut self, sealer: &ItemSealer) {
        let id = sealer.data_key_id();
        if !self.cache.contains_key(&id) {
            let key = DataKey::derive(self.backend, &self.table_key, id);
            self.insert(key);
        }
    }

    /// Number of data keys in the cache.
    pub fn cached_data_keys(&self) -> usize {
        self.cache.len()
    }

    /// Opens one envelope into a new buffer.
    pub fn open(&mut self, primary_key: &[u8], envelope: &[u8]) -> Result<Vec<u8>, DecryptError> {
        let mut out = Vec::new();
        self.open_into(primary_key, envelope, &mut out)?;
        Ok(out)
    }

    /// Opens one envelope into `out`, replacing its contents and reusing its capacity (no
    /// allocation on a warm key and a reused buffer). On error `out` is left empty.
    pub fn open_into(
        &mut self,
        primary_key: &[u8],
        envelope: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), DecryptError> {
        let parts = match envelope::parse(envelope) {
            Ok(parts) => parts,
            Err(e) => {
                out.clear();
                return Err(e);
            }
        };
        if let Some(key) = &self.recent
            && key.id() == parts.data_key_id
        {
            return open_parts(key, &self.table, primary_key, &parts, out);
        }
        if let Some(key) = self.cache.get(&parts.data_key_id) {
            let key = Arc::clone(key);
            let opened = open_parts(&key, &self.table, primary_key, &parts, out);
            self.recent = Some(key);
            return opened;
        }
        let key = DataKey::derive(self.backend, &self.table_key, parts.data_key_id);
        open_parts(&key, &self.table, primary_key, &parts, out)?;
        self.insert(key);
        Ok(())
    }

    fn insert(&mut self, key: DataKey) {
        if self.cache.len() >= self.capacity
            && let Some(evict) = self.cache.keys().next().copied()
        {
            self.cache.remove(&evict);
        }
        let key = Arc::new(key);
        self.cache.insert(key.id(), Arc::clone(&key));
        self.recent = Some(key);
    }
}
