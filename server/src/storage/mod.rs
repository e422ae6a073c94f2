//! Storage of the endpoint: ordered byte-key spaces with atomic multi-write commits.
//!
//! The engine decides what the bytes mean; this module only keeps them. Two stores implement
//! [`Store`]: [`memory::MemoryStore`] (the default) and [`redb::RedbStore`] (with a data
//! directory), where a commit returns only after redb has made it durable. Neither store ever
//! receives plaintext items, plaintext table keys or unwrapped KMS key material: the engine hands
//! them envelopes, wrapped keys and metadata only.
//!
//! [`root_key`] keeps the key that wraps KMS key material on disk, in its own file;
//! [`data_dir`] opens a data directory's two files together and refuses damaged ones.
//! [`read_trail`] reads the trail of a data directory for `ddbsse trail export`.

pub mod data_dir;
pub mod memory;
pub mod redb;
pub mod root_key;

use std::path::Path;

/// A keyspace of the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Space {
    /// KMS keys (metadata and wrapped material), by key id.
    Keys,
    /// KMS aliases, by alias name.
    Aliases,
    /// KMS grants, by grant id.
    Grants,
    /// Table metadata (with the wrapped table key), by table name.
    Tables,
    /// Item envelopes, by row key (table uid, keyed hashes).
    Items,
    /// Trail records, by `u64be` sequence number.
    Trail,
    /// Secondary-index entry envelopes, by index row key (table uid, index tag, keyed hashes).
    Index,
    /// Engine-wide records (the wrapped AWS owned key).
    Meta,
}

impl Space {
    /// Every space.
    pub const ALL: [Space; 8] = [
        Space::Keys,
        Space::Aliases,
        Space::Grants,
        Space::Tables,
        Space::Items,
        Space::Trail,
        Space::Index,
        Space::Meta,
    ];

    /// The space's name in the redb file.
    pub fn name(self) -> &'static str {
        match self {
            Space::Keys => "kms_keys",
            Space::Aliases => "kms_aliases",
            Space::Grants => "kms_grants",
            Space::Tables => "tables",
            Space::Items => "items",
            Space::Trail => "trail",
            Space::Index => "index_entries",
            Space::Meta => "meta",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One write of a commit.
#[derive(Clone, PartialEq, Eq)]
pub enum WriteOp {
    /// Insert or replace.
    Put(Space, Vec<u8>, Vec<u8>),
    /// Remove one key (absent is fine).
    Delete(Space, Vec<u8>),
    /// Remove every key starting with the prefix.
    DeletePrefix(Space, Vec<u8>),
}

impl std::fmt::Debug for WriteOp {
    // Values are envelopes or wrapped keys; show lengths only, never bytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteOp::Put(s, k, v) => write!(
                f,
                "Put({s:?}, {} key bytes, {} value bytes)",
                k.len(),
                v.len()
            ),
            WriteOp::Delete(s, k) => write!(f, "Delete({s:?}, {} key bytes)", k.len()),
            WriteOp::DeletePrefix(s, p) => write!(f, "DeletePrefix({s:?}, {} bytes)", p.len()),
        }
    }
}

/// A storage failure. Its text names the operation, never stored bytes.
#[derive(Debug, thiserror::Error)]
#[error("storage error: {0}")]
pub struct StorageError(pub String);

impl StorageError {
    pub(crate) fn from_display(what: &str, e: impl std::fmt::Display) -> Self {
        Self(format!("{what}: {e}"))
    }
}

/// Key-value pairs read from a store.
pub type Rows = Vec<(Vec<u8>, Vec<u8>)>;

/// What the engine needs from a store. Implementations are thread-safe.
pub trait Store: Send + Sync + std::fmt::Debug {
    /// One value.
    fn get(&self, space: Space, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError>;
    /// Pairs whose key starts with `prefix` and is greater than `after` (when given), in key
    /// order, at most `limit`.
    fn range(
        &self,
        space: Space,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Rows, StorageError>;
    /// Number of keys starting with `prefix`.
    fn count(&self, space: Space, prefix: &[u8]) -> Result<u64, StorageError>;
    /// Applies every write atomically; returns only once the writes are durable (for a
    /// durable store).
    fn commit(&self, ops: Vec<WriteOp>) -> Result<(), StorageError>;

    /// Every pair starting with `prefix`.
    fn scan(&self, space: Space, prefix: &[u8]) -> Result<Rows, StorageError> {
        self.range(space, prefix, None, usize::MAX)
    }
}

/// Opens the store for a configuration: in memory, or redb in `data_dir` (checked with its root
/// key by [`data_dir::open`]; the root key is returned with it).
pub fn open_store(
    data_dir: Option<&Path>,
) -> Result<(Box<dyn Store>, Option<ddbsse_crypto::KeyMaterial>), StorageError> {
    match data_dir {
        None => Ok((Box::new(memory::MemoryStore::default()), None)),
        Some(dir) => {
            let (store, root) = data_dir::open(dir)?;
            Ok((Box::new(store), Some(root)))
        }
    }
}

/// The trail records kept in a data directory, oldest first (for
/// `ddbsse trail export`). The server using the directory must be stopped: redb holds the
/// database file exclusively while an engine has it open, and this call then fails.
pub fn read_trail(data_dir: &Path) -> Result<Vec<ddbsse_wire::trail::TrailRecord>, StorageError> {
    if !data_dir.join(redb::DB_FILE).is_file() {
        return Err(StorageError(format!(
            "no ddbsse database ({}) in {}",
            redb::DB_FILE,
            data_dir.display()
        )));
    }
    let store = redb::RedbStore::open(data_dir)?;
    store
        .scan(Space::Trail, &[])?
        .into_iter()
        .map(|(_, v)| {
            serde_json::from_slice(&v).map_err(|e| StorageError::from_display("trail record", e))
        })
        .collect()
}

/// The end of the key range of `prefix` (exclusive), or `None` if unbounded.
pub(crate) fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_end_increments_the_last_byte_that_can() {
        assert_eq!(prefix_end(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_end(&[1, 255]), Some(vec![2]));
        assert_eq!(prefix_end(&[255, 255]), None);
        assert_eq!(prefix_end(&[]), None);
    }

    #[test]
    fn write_op_debug_shows_no_bytes() {
        let op = WriteOp::Put(Space::Items, b"key".to_vec(), b"secret-plaintext".to_vec());
        let s = format!("{op:?}");
        assert!(!s.contains("secret"));
        assert!(s.contains("16 value bytes"));
    }
}
