//! The in-memory store: one ordered map per space behind a read-write lock. Nothing survives
//! the process.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::RwLock;

use super::{Rows, Space, StorageError, Store, WriteOp, prefix_end};

type Map = BTreeMap<Vec<u8>, Vec<u8>>;

/// Every space in memory.
#[derive(Default)]
pub struct MemoryStore {
    spaces: RwLock<[Map; 7]>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MemoryStore")
    }
}

fn poisoned() -> StorageError {
    StorageError("memory store lock poisoned".to_owned())
}

fn bounds<'a>(prefix: &'a [u8], after: Option<&'a [u8]>) -> (Bound<Vec<u8>>, Bound<Vec<u8>>) {
    let start = match after {
        Some(a) if a >= prefix => Bound::Excluded(a.to_vec()),
        _ => Bound::Included(prefix.to_vec()),
    };
    let end = match prefix_end(prefix) {
        Some(e) => Bound::Excluded(e),
        None => Bound::Unbounded,
    };
    (start, end)
}

impl Store for MemoryStore {
    fn get(&self, space: Space, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        let spaces = self.spaces.read().map_err(|_| poisoned())?;
        Ok(spaces[space.index()].get(key).cloned())
    }

    fn range(
        &self,
        space: Space,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Rows, StorageError> {
        let spaces = self.spaces.read().map_err(|_| poisoned())?;
        Ok(spaces[space.index()]
            .range(bounds(prefix, after))
            .take(limit)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    fn count(&self, space: Space, prefix: &[u8]) -> Result<u64, StorageError> {
        let spaces = self.spaces.read().map_err(|_| poisoned())?;
        Ok(spaces[space.index()].range(bounds(prefix, None)).count() as u64)
    }

    fn commit(&self, ops: Vec<WriteOp>) -> Result<(), StorageError> {
        let mut spaces = self.spaces.write().map_err(|_| poisoned())?;
        for op in ops {
            match op {
                WriteOp::Put(s, k, v) => {
                    spaces[s.index()].insert(k, v);
                }
                WriteOp::Delete(s, k) => {
                    spaces[s.index()].remove(&k);
                }
                WriteOp::DeletePrefix(s, p) => {
                    let keys: Vec<Vec<u8>> = spaces[s.index()]
                        .range(bounds(&p, None))
                        .map(|(k, _)| k.clone())
                        .collect();
                    for k in keys {
                        spaces[s.index()].remove(&k);
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_respects_prefix_after_and_limit() {
        let s = MemoryStore::default();
        s.commit(vec![
            WriteOp::Put(Space::Items, b"a1".to_vec(), b"x".to_vec()),
            WriteOp::Put(Space::Items, b"a2".to_vec(), b"y".to_vec()),
            WriteOp::Put(Space::Items, b"a3".to_vec(), b"z".to_vec()),
            WriteOp::Put(Space::Items, b"b1".to_vec(), b"w".to_vec()),
        ])
        .unwrap();
        let r = s.range(Space::Items, b"a", Some(b"a1"), 1).unwrap();
        assert_eq!(r, vec![(b"a2".to_vec(), b"y".to_vec())]);
        assert_eq!(s.count(Space::Items, b"a").unwrap(), 3);
        s.commit(vec![WriteOp::DeletePrefix(Space::Items, b"a".to_vec())])
            .unwrap();
        assert_eq!(s.count(Space::Items, b"").unwrap(), 1);
        assert_eq!(s.get(Space::Keys, b"b1").unwrap(), None);
    }
}
