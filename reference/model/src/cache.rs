//! The table-key cache (`spec/cache.md`): one entry per (principal, connection, table,
//! table-key generation), fresh while younger than 300 s.
//!
//! It holds plaintext table keys ([`TableKey`], zeroized on drop), so replacing, dropping or
//! evicting an entry clears its key. It decides nothing about KMS: the data plane asks
//! [`TableKeyCache::fresh`] and, on a miss, fetches through Decrypt and calls
//! [`TableKeyCache::store`] or [`TableKeyCache::drop_entry`].

use std::collections::BTreeMap;

use ddbsse_crypto::TableKey;
use ddbsse_wire::caller::ConnectionId;
use ddbsse_wire::time::Timestamp;

/// How long an entry serves requests: 300 s, counted from its fetch.
pub use ddbsse_wire::durations::TABLE_KEY_CACHE_LIFETIME_MS as CACHE_LIFETIME_MS;

/// What identifies an entry.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CacheKey {
    /// The access key id of the request.
    pub principal: String,
    /// The client connection.
    pub connection: ConnectionId,
    /// The table's unique id (a table created again under the same name is a new table).
    pub table_id: String,
    /// The table-key generation (changes on every accepted key switch).
    pub generation: u64,
}

/// One cached plaintext table key.
#[derive(Clone, Debug)]
pub struct CacheEntry {
    /// When the key was fetched (Decrypt).
    pub fetched: Timestamp,
    /// The plaintext table key. The model keeps items in plaintext, so it only holds the key
    /// (really unwrapped by Decrypt) to give it the lifetime and zeroization the spec asks for.
    #[allow(dead_code)]
    pub table_key: TableKey,
}

/// The cache.
#[derive(Clone, Debug, Default)]
pub struct TableKeyCache {
    entries: BTreeMap<CacheKey, CacheEntry>,
}

impl TableKeyCache {
    //= spec/cache.md#scope
    //# A data-plane request MUST NOT use an entry created for another principal, another connection, another table or another table-key generation.
    //= spec/cache.md#boundary
    //# An entry fetched at time `t0` MUST serve data-plane requests without any KMS call while `now - t0 < 300 s`, so a request 299 s after the fetch is served from the cache.
    //= spec/cache.md#boundary
    //# Serving a request from an entry MUST NOT extend its lifetime: under steady traffic the entry is refreshed every 300 s counted from its fetch.
    /// The entry for `key` if it is still fresh at `now` (reading it does not extend it).
    pub fn fresh(&self, key: &CacheKey, now: Timestamp) -> Option<&CacheEntry> {
        self.entries
            .get(key)
            .filter(|e| now.since(e.fetched) < CACHE_LIFETIME_MS)
    }

    //= spec/cache.md#boundary
    //# A data-plane request at `now - t0 >= 300 s` MUST call KMS Decrypt again and, on success, replace the entry with one fetched at `now`, so a request 300 s after the fetch refreshes it.
    /// Stores (or replaces, zeroizing the old key) the entry for `key`, fetched at `now`.
    pub fn store(&mut self, key: CacheKey, now: Timestamp, table_key: TableKey) {
        self.entries.insert(
            key,
            CacheEntry {
                fetched: now,
                table_key,
            },
        );
    }

    /// Drops the entry for `key` (its key is zeroized).
    pub fn drop_entry(&mut self, key: &CacheKey) {
        self.entries.remove(key);
    }

    //= spec/cache.md#zeroize
    //# The memory holding a plaintext table key MUST be overwritten with zeros when its entry is replaced, dropped or evicted, or when the cache itself is dropped.
    /// Evicts every entry of a table (deleted) or of an older generation (switched).
    pub fn evict_table(&mut self, table_id: &str, keep_generation: Option<u64>) {
        self.entries
            .retain(|k, _| k.table_id != table_id || Some(k.generation) == keep_generation);
    }

    /// Number of entries (for tests).
    pub fn entry_count(&self) -> usize {
        self.entries.len()
    }
}
