//! The durable store: one redb database file `<data_dir>/ddbsse.redb`, one redb table per
//! [`Space`]. Every commit uses redb's default immediate durability, so a write the engine
//! acknowledges has reached the disk.

use std::cell::Cell;
use std::ops::Bound;
use std::path::Path;
use std::sync::Once;

use redb::{Database, ReadableTable, ReadableTableMetadata, TableDefinition};

use super::{Rows, Space, StorageError, Store, WriteOp, prefix_end};

/// redb's page cache (nine tenths for pages read, one tenth for pages written before a commit),
/// set here instead of left at redb's default of 1 GiB. The cache fills with the pages read and
/// written, up to the size of the database file, so with the default a long-running server's
/// resident memory followed its file for the first gigabyte (docs/serve.md#soak). 32 MiB is
/// decided here: it bounds the cache's share of resident memory, and pages beyond it are read
/// again from the file, through the kernel's page cache. In a 240 s soak (2026-12-07) a 16 MiB
/// cache gave the same latencies as the default, within the machine's noise.
pub const CACHE_BYTES: usize = 32 * 1024 * 1024;

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "ddbsse.redb";

fn def(space: Space) -> TableDefinition<'static, &'static [u8], &'static [u8]> {
    TableDefinition::new(space.name())
}

/// A redb database in a data directory.
pub struct RedbStore {
    db: Database,
}

impl std::fmt::Debug for RedbStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RedbStore")
    }
}

fn err(what: &str) -> impl Fn(redb::Error) -> StorageError + '_ {
    move |e| StorageError::from_display(what, e)
}

thread_local! {
    /// Set while this thread runs a redb call whose panic [`quietly`] turns into an error.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Installs, once per process, a panic hook that stays silent for panics of a thread inside
/// [`quietly`] and hands every other panic to the hook that was there before.
static QUIET_HOOK: Once = Once::new();

/// Runs `f`, catching a panic (redb's `assert!` on a damaged file) as an `Err`, without the
/// panic hook printing `thread '…' panicked at …redb…` to stderr before our own message.
///
/// Why a hook and not a check of the file before opening: the assertion compares the file's
/// length with the layout recorded in redb's header (region counts and page sizes in a private,
/// versioned format); reading that header ourselves would copy redb's file format into this
/// crate and break silently with the next redb release. redb's repair options do not help
/// either: the assertion runs before repair is considered. Only this thread is silenced, only
/// for the call, so panics anywhere else still print.
fn quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    result
}

impl RedbStore {
    /// Opens (or creates) the database in `dir`, creating the directory and every space.
    pub fn open(dir: &Path) -> Result<Self, StorageError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StorageError::from_display("create data dir", e))?;
        let path = dir.join(DB_FILE);
        // redb asserts on some damaged files (a file shorter than its header says) instead of
        // returning an error; such a file is refused like any other damaged database, and the
        // assertion's panic line is not printed (see [`quietly`]).
        let mut db = quietly(|| {
            redb::Builder::new()
                .set_cache_size(CACHE_BYTES)
                .create(&path)
        })
        .map_err(|_| StorageError("the database file is inconsistent with its header".into()))?
        .map_err(|e| StorageError::from_display("open database", e))?;
        // Every page's checksum, once at start: bytes changed outside redb (a flipped bit on disk,
        // an edit) are found here instead of surfacing as a wrong answer later. After a crash
        // redb has already recovered the last durable commit while opening.
        match quietly(|| db.check_integrity()) {
            Ok(Ok(true)) => {}
            Ok(Ok(false)) => tracing::warn!(
                file = %path.display(),
                "the database failed its integrity check and was repaired to its last consistent commit"
            ),
            Ok(Err(e)) => return Err(StorageError::from_display("integrity check", e)),
            Err(_) => {
                return Err(StorageError(
                    "integrity check: the database file is inconsistent".into(),
                ));
            }
        }
        let tx = db
            .begin_write()
            .map_err(|e| StorageError::from_display("begin write", e))?;
        for space in Space::ALL {
            tx.open_table(def(space))
                .map_err(|e| StorageError::from_display("create table", e))?;
        }
        tx.commit()
            .map_err(|e| StorageError::from_display("commit", e))?;
        Ok(Self { db })
    }
}

impl Store for RedbStore {
    fn get(&self, space: Space, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        let tx = self
            .db
            .begin_read()
            .map_err(|e| err("begin read")(e.into()))?;
        let t = tx
            .open_table(def(space))
            .map_err(|e| err("open table")(e.into()))?;
        let v = t.get(key).map_err(|e| err("get")(e.into()))?;
        Ok(v.map(|g| g.value().to_vec()))
    }

    fn range(
        &self,
        space: Space,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Rows, StorageError> {
        let tx = self
            .db
            .begin_read()
            .map_err(|e| err("begin read")(e.into()))?;
        let t = tx
            .open_table(def(space))
            .map_err(|e| err("open table")(e.into()))?;
        let end = prefix_end(prefix);
        if let (Some(a), Some(e)) = (after, &end)
            && a >= e.as_slice()
        {
            // Past the prefix's range (and an inverted range would panic in redb).
            return Ok(Vec::new());
        }
        // Start at `after` itself when it lies in the prefix's range, so that reading a page
        // from the middle of a long range (Query's and Scan's pages, the trail) does not walk
        // over every key before it.
        let lower = match after {
            Some(a) if a >= prefix => Bound::Excluded(a),
            _ => Bound::Included(prefix),
        };
        let upper = match &end {
            Some(end) => Bound::Excluded(end.as_slice()),
            None => Bound::Unbounded,
        };
        let iter = t
            .range::<&[u8]>((lower, upper))
            .map_err(|e| err("range")(e.into()))?;
        let mut out = Vec::new();
        for row in iter {
            if out.len() >= limit {
                break;
            }
            let (k, v) = row.map_err(|e| err("range")(e.into()))?;
            out.push((k.value().to_vec(), v.value().to_vec()));
        }
        Ok(out)
    }

    fn count(&self, space: Space, prefix: &[u8]) -> Result<u64, StorageError> {
        let tx = self
            .db
            .begin_read()
            .map_err(|e| err("begin read")(e.into()))?;
        let t = tx
            .open_table(def(space))
            .map_err(|e| err("open table")(e.into()))?;
        if prefix.is_empty() {
            return t.len().map_err(|e| err("len")(e.into()));
        }
        let end = prefix_end(prefix);
        let iter = match &end {
            Some(end) => t.range::<&[u8]>(prefix..end.as_slice()),
            None => t.range::<&[u8]>(prefix..),
        }
        .map_err(|e| err("range")(e.into()))?;
        Ok(iter.count() as u64)
    }

    fn commit(&self, ops: Vec<WriteOp>) -> Result<(), StorageError> {
        if ops.is_empty() {
            return Ok(());
        }
        let tx = self
            .db
            .begin_write()
            .map_err(|e| err("begin write")(e.into()))?;
        for op in &ops {
            match op {
                WriteOp::Put(s, k, v) => {
                    let mut t = tx
                        .open_table(def(*s))
                        .map_err(|e| err("open table")(e.into()))?;
                    t.insert(k.as_slice(), v.as_slice())
                        .map_err(|e| err("insert")(e.into()))?;
                }
                WriteOp::Delete(s, k) => {
                    let mut t = tx
                        .open_table(def(*s))
                        .map_err(|e| err("open table")(e.into()))?;
                    t.remove(k.as_slice())
                        .map_err(|e| err("remove")(e.into()))?;
                }
                WriteOp::DeletePrefix(s, p) => {
                    let mut t = tx
                        .open_table(def(*s))
                        .map_err(|e| err("open table")(e.into()))?;
                    let end = prefix_end(p);
                    let keys: Vec<Vec<u8>> = {
                        let iter = match &end {
                            Some(end) => t.range::<&[u8]>(p.as_slice()..end.as_slice()),
                            None => t.range::<&[u8]>(p.as_slice()..),
                        }
                        .map_err(|e| err("range")(e.into()))?;
                        let mut keys = Vec::new();
                        for row in iter {
                            let (k, _) = row.map_err(|e| err("range")(e.into()))?;
                            keys.push(k.value().to_vec());
                        }
                        keys
                    };
                    for k in keys {
                        t.remove(k.as_slice())
                            .map_err(|e| err("remove")(e.into()))?;
                    }
                }
            }
        }
        tx.commit().map_err(|e| err("commit")(e.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = RedbStore::open(dir.path()).unwrap();
            s.commit(vec![
                WriteOp::Put(Space::Tables, b"t1".to_vec(), b"meta".to_vec()),
                WriteOp::Put(Space::Items, b"p1".to_vec(), b"e1".to_vec()),
                WriteOp::Put(Space::Items, b"p2".to_vec(), b"e2".to_vec()),
            ])
            .unwrap();
            s.commit(vec![WriteOp::Delete(Space::Items, b"p1".to_vec())])
                .unwrap();
        }
        let s = RedbStore::open(dir.path()).unwrap();
        assert_eq!(s.get(Space::Tables, b"t1").unwrap(), Some(b"meta".to_vec()));
        assert_eq!(s.scan(Space::Items, b"p").unwrap().len(), 1);
        assert_eq!(s.count(Space::Items, b"").unwrap(), 1);
        let r = s.range(Space::Items, b"p", Some(b"p1"), 10).unwrap();
        assert_eq!(r[0].0, b"p2".to_vec());
        assert!(
            s.range(Space::Items, b"p", Some(b"q"), 10)
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            s.range(Space::Items, b"p", Some(b"a"), 10).unwrap().len(),
            1
        );
    }
}
