//! [`TableKeyCache`]: the plaintext table keys DynamoDB keeps in memory (`spec/cache.md`).
//!
//! One entry per (principal, connection, table, table-key generation), fetched at `t0` and
//! served while `now - t0 < 300 s`. The cache holds each plaintext table key only inside a
//! [`TableCrypto`] (whose key material zeroizes on drop), so replacing, removing or evicting
//! an entry zeroizes it once no request is still using it. The cache does not call KMS: the
//! engine fetches and inserts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ddbsse_wire::caller::ConnectionId;
use ddbsse_wire::time::Timestamp;

use super::table_crypto::TableCrypto;

/// How long an entry serves requests: 300 s.
pub use ddbsse_wire::durations::TABLE_KEY_CACHE_LIFETIME_MS as ENTRY_LIFETIME_MS;
/// The bound `ddbsse serve` uses: the spec's floor (`spec/cache.md#bound`). At this many
/// entries, a fetch of a new entry first drops the expired ones and, only if none was expired,
/// the one fetched earliest.
pub const DEFAULT_MAX_ENTRIES: usize = ddbsse_wire::table_key_cache::MIN_BOUND;

/// What identifies an entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CacheKey {
    /// The access key id.
    pub principal: String,
    /// The client connection.
    pub connection: ConnectionId,
    /// The table's storage uid (a re-created table has a new one).
    pub table_uid: [u8; 16],
    /// The table-key generation.
    pub generation: u64,
}

struct Entry {
    fetched_at: Timestamp,
    crypto: Arc<TableCrypto>,
}

/// The table-key cache.
pub struct TableKeyCache {
    entries: Mutex<HashMap<CacheKey, Entry>>,
    max_entries: usize,
    never_expires: bool,
}

impl std::fmt::Debug for TableKeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TableKeyCache({} entries)", self.len())
    }
}

impl TableKeyCache {
    /// A cache; `never_expires` is the deliberate defect of `Faults::cache_never_expires`.
    pub fn new(max_entries: usize, never_expires: bool) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            max_entries: max_entries.max(1),
            never_expires,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<CacheKey, Entry>> {
        // A poisoned map holds only complete entries; keep using it.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn fresh(&self, fetched_at: Timestamp, now: Timestamp) -> bool {
        //= spec/cache.md#boundary
        //# An entry fetched at time `t0` MUST serve data-plane requests without any KMS call while `now - t0 < 300 s`, so a request 299 s after the fetch is served from the cache.
        self.never_expires || now.since(fetched_at) < ENTRY_LIFETIME_MS
    }

    /// The entry's crypto if it is fresh at `now`. Serving does not extend its lifetime.
    //= spec/cache.md#boundary
    //# Serving a request from an entry MUST NOT extend its lifetime: under steady traffic the entry is refreshed every 300 s counted from its fetch.
    pub fn get_fresh(&self, key: &CacheKey, now: Timestamp) -> Option<Arc<TableCrypto>> {
        let map = self.lock();
        let e = map.get(key)?;
        self.fresh(e.fetched_at, now).then(|| e.crypto.clone())
    }

    /// Stores (or replaces) an entry fetched at `now`. A new entry that finds the cache at its
    /// bound first drops every expired entry and, only if that made no room, the entry fetched
    /// earliest; a replacement adds no entry and drops none.
    //= spec/cache.md#bound
    //# A fetch that finds the cache at its bound MUST NOT drop a fresh entry while an expired entry can be dropped, and MUST NOT drop any fresh entry other than the one fetched earliest.
    pub fn insert(&self, key: CacheKey, now: Timestamp, crypto: Arc<TableCrypto>) {
        let mut map = self.lock();
        if !map.contains_key(&key) && map.len() >= self.max_entries {
            map.retain(|_, e| now.since(e.fetched_at) < ENTRY_LIFETIME_MS);
            if map.len() >= self.max_entries {
                // Still full of fresh entries: drop the one fetched earliest.
                if let Some(oldest) = map
                    .iter()
                    .min_by_key(|(_, e)| e.fetched_at)
                    .map(|(k, _)| k.clone())
                {
                    map.remove(&oldest);
                }
            }
        }
        map.insert(
            key,
            Entry {
                fetched_at: now,
                crypto,
            },
        );
    }

    /// Drops one entry.
    //= spec/cache.md#failure
    //# When the Decrypt of a fetch or refresh fails, the request MUST fail with the error of `spec/tables.md#data-plane-errors`, the entry MUST be dropped, and the next data-plane request of the same principal, connection and table MUST call Decrypt again.
    pub fn remove(&self, key: &CacheKey) {
        self.lock().remove(key);
    }

    /// Drops every entry of a table (all generations).
    pub fn evict_table(&self, table_uid: &[u8; 16]) {
        self.lock().retain(|k, _| &k.table_uid != table_uid);
    }

    /// Drops every entry of a connection (called by the shell when a connection closes).
    pub fn evict_connection(&self, connection: ConnectionId) {
        self.lock().retain(|k, _| k.connection != connection);
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ddbsse_crypto::{KeyMaterial, TableKey};

    fn crypto() -> Arc<TableCrypto> {
        let tk = TableKey::from_material(KeyMaterial::from_bytes([3; 32]));
        Arc::new(TableCrypto::new(&tk, "arn:aws:dynamodb:us-east-1:1:table/t").unwrap())
    }

    fn key(principal: &str, conn: u64, generation: u64) -> CacheKey {
        CacheKey {
            principal: principal.into(),
            connection: ConnectionId(conn),
            table_uid: [9; 16],
            generation,
        }
    }

    #[test]
    //= spec/cache.md#boundary
    //= type=test
    //# An entry fetched at time `t0` MUST serve data-plane requests without any KMS call while `now - t0 < 300 s`, so a request 299 s after the fetch is served from the cache.
    fn boundary_is_300_seconds_from_the_fetch() {
        let c = TableKeyCache::new(16, false);
        let t0 = Timestamp(1_000_000);
        c.insert(key("a", 1, 0), t0, crypto());
        assert!(c.get_fresh(&key("a", 1, 0), t0.plus(299_999)).is_some());
        assert!(c.get_fresh(&key("a", 1, 0), t0.plus(300_000)).is_none());
        assert!(
            c.get_fresh(&key("b", 1, 0), t0).is_none(),
            "other principal"
        );
        assert!(
            c.get_fresh(&key("a", 2, 0), t0).is_none(),
            "other connection"
        );
        assert!(
            c.get_fresh(&key("a", 1, 1), t0).is_none(),
            "other generation"
        );
    }

    //= spec/cache.md#bound
    //= type=test
    //# A fetch that finds the cache at its bound MUST NOT drop a fresh entry while an expired entry can be dropped, and MUST NOT drop any fresh entry other than the one fetched earliest.
    #[test]
    fn a_full_cache_drops_expired_entries_first_and_then_only_the_earliest() {
        let c = TableKeyCache::new(4, false);
        let t0 = Timestamp(10_000_000);
        // Two entries that are exactly 300 s old at the next fetch (expired), two fresh ones.
        c.insert(key("a", 1, 0), t0, crypto());
        c.insert(key("a", 2, 0), t0, crypto());
        c.insert(key("a", 3, 0), t0.plus(1_000), crypto());
        c.insert(key("a", 4, 0), t0.plus(2_000), crypto());
        let at = t0.plus(ENTRY_LIFETIME_MS);
        c.insert(key("a", 5, 0), at, crypto());
        assert_eq!(c.len(), 3, "the two expired entries made room");
        for conn in 3..=5 {
            assert!(c.get_fresh(&key("a", conn, 0), at).is_some(), "{conn}");
        }
        // Full of fresh entries (3 at t0+1 s is the earliest): a new one drops that one only.
        c.insert(key("a", 6, 0), at, crypto());
        c.insert(key("a", 7, 0), at, crypto());
        assert_eq!(c.len(), 4);
        assert!(c.get_fresh(&key("a", 3, 0), at).is_none(), "the earliest");
        for conn in 4..=7 {
            assert!(c.get_fresh(&key("a", conn, 0), at).is_some(), "{conn}");
        }
        // A refresh replaces an entry: it adds none, so it drops none.
        c.insert(key("a", 4, 0), at.plus(1), crypto());
        assert_eq!(c.len(), 4);
        for conn in 4..=7 {
            assert!(
                c.get_fresh(&key("a", conn, 0), at.plus(1)).is_some(),
                "{conn}"
            );
        }
    }

    #[test]
    fn never_expires_fault_and_eviction_bound() {
        let c = TableKeyCache::new(2, true);
        let t0 = Timestamp(0);
        c.insert(key("a", 1, 0), t0, crypto());
        assert!(c.get_fresh(&key("a", 1, 0), t0.plus(10_000_000)).is_some());
        let bounded = TableKeyCache::new(2, false);
        for i in 0..10 {
            bounded.insert(key("a", i, 0), Timestamp(i * 400_000), crypto());
            assert!(bounded.len() <= 2);
        }
        bounded.evict_connection(ConnectionId(9));
        assert_eq!(bounded.len(), 1);
        bounded.evict_table(&[9; 16]);
        assert!(bounded.is_empty());
    }
}
