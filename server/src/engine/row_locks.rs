//! Striped locks over item rows, so that a write that reads the item first (a condition,
//! `ReturnValues`, UpdateItem) and every other write of the same row happen one after the other:
//! each single-item write is atomic, as DynamoDB's are.
//!
//! Does: map a row key to one of a fixed number of mutexes. Does not: lock tables or metadata
//! (the state lock does), or span requests.

use std::sync::{Mutex, MutexGuard};

/// How many stripes: enough that unrelated rows rarely share one (decided here).
const STRIPES: usize = 256;

/// The stripes.
#[derive(Debug)]
pub struct RowLocks {
    stripes: Vec<Mutex<()>>,
}

impl Default for RowLocks {
    fn default() -> Self {
        Self {
            stripes: (0..STRIPES).map(|_| Mutex::new(())).collect(),
        }
    }
}

impl RowLocks {
    fn stripe(row: &[u8]) -> usize {
        // Row keys end in a keyed hash of the full key, so their last bytes are uniform.
        let tail = row.len().saturating_sub(2);
        let b = &row[tail..];
        let v = b.iter().fold(0usize, |acc, x| (acc << 8) | usize::from(*x));
        v % STRIPES
    }

    /// Holds the lock of `row` until the guard is dropped.
    pub fn lock(&self, row: &[u8]) -> MutexGuard<'_, ()> {
        let m = &self.stripes[Self::stripe(row)];
        // A panic while holding a row lock leaves no half-written row (the store commits
        // whole): keep serving.
        m.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Holds the locks of every row of `rows` (each stripe once, in stripe order, so that two
    /// batches never wait on each other in a cycle).
    pub fn lock_all<'a>(&self, rows: impl Iterator<Item = &'a [u8]>) -> Vec<MutexGuard<'_, ()>> {
        let mut idx: Vec<usize> = rows.map(Self::stripe).collect();
        idx.sort_unstable();
        idx.dedup();
        idx.into_iter()
            .map(|i| self.stripes[i].lock().unwrap_or_else(|p| p.into_inner()))
            .collect()
    }
}
