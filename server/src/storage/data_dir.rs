//! Opening a data directory (`ddbsse serve --data-dir`): the database, its data format version
//! and the root key, checked together so that a damaged, incomplete or foreign folder is refused
//! at start with one message that names the file and says what to do, instead of a panic, a
//! silently fresh database, or a fresh root key that can open nothing.
//!
//! The checks, in order:
//! - `root.key` present but `ddbsse.redb` missing or empty: the database was lost or truncated;
//! - `ddbsse.redb` that redb cannot open (a damaged header, a truncated file, a newer redb file
//!   format): damaged;
//! - a data format record newer than [`FORMAT`]: written by a newer ddbsse;
//! - `ddbsse.redb` holding data but `root.key` missing: the key that seals everything is gone
//!   (a fresh one is created only for a folder without data);
//! - `root.key` not 32 bytes: damaged.
//!
//! A `root.key` of the right length that is not the one the database was sealed with (replaced,
//! or copied from another folder) is found by the engine when it unseals the first key
//! ([`wrong_root_key`] is its message).
//!
//! What it does not do: repair anything. Recovery is a restore of both files from one backup
//! (`docs/serve.md#damaged-data-and-recovery`).

use std::path::Path;

use ddbsse_crypto::KeyMaterial;

use super::redb::{DB_FILE, RedbStore};
use super::root_key::{self, ROOT_KEY_FILE};
use super::{Space, StorageError, Store, WriteOp};

/// The `Meta` record holding the data format version of the folder.
pub const FORMAT_RECORD: &[u8] = b"data-format";

/// The data format this build writes and reads. Folders written before the record existed are
/// format 1.
pub const FORMAT: u32 = 1;

/// What to do when one of the two files is damaged or lost.
const RESTORE: &str = "restore ddbsse.redb and root.key together from one backup (the two files belong together), or move the folder away to start afresh";

/// Opens the database and the root key of `dir`, creating both for a new folder.
pub fn open(dir: &Path) -> Result<(RedbStore, KeyMaterial), StorageError> {
    let db_path = dir.join(DB_FILE);
    let key_path = dir.join(ROOT_KEY_FILE);
    let db_len = std::fs::metadata(&db_path).map_or(0, |m| m.len());
    let key_exists = key_path.exists();
    if key_exists && db_len == 0 {
        return Err(StorageError(format!(
            "{} is missing or empty, but {} exists: the database was lost or truncated; {RESTORE}",
            db_path.display(),
            key_path.display()
        )));
    }
    let store = RedbStore::open(dir).map_err(|e| {
        StorageError(format!(
            "{} cannot be opened ({}): it is damaged (truncated or overwritten) or was written by a newer ddbsse; {RESTORE}",
            db_path.display(),
            e.0
        ))
    })?;
    let mut has_data = false;
    for space in Space::ALL {
        if store.count(space, &[])? > 0 {
            has_data = true;
            break;
        }
    }
    check_format(&store, &db_path)?;
    if !key_exists && has_data {
        return Err(StorageError(format!(
            "{} is missing, but {} holds keys and items sealed under it: without it nothing can be read; {RESTORE}",
            key_path.display(),
            db_path.display()
        )));
    }
    let root = root_key::load_or_create(dir).map_err(|e| {
        StorageError(format!(
            "{} cannot be used ({}); {RESTORE}",
            key_path.display(),
            e.0
        ))
    })?;
    Ok((store, root))
}

/// Reads the folder's data format record, writing [`FORMAT`] when there is none.
fn check_format(store: &RedbStore, db_path: &Path) -> Result<(), StorageError> {
    let Some(bytes) = store.get(Space::Meta, FORMAT_RECORD)? else {
        return store.commit(vec![WriteOp::Put(
            Space::Meta,
            FORMAT_RECORD.to_vec(),
            FORMAT.to_string().into_bytes(),
        )]);
    };
    let found = std::str::from_utf8(&bytes)
        .ok()
        .and_then(|s| s.parse::<u32>().ok())
        .ok_or_else(|| {
            StorageError(format!(
                "{} has a damaged data format record; {RESTORE}",
                db_path.display()
            ))
        })?;
    if found > FORMAT {
        return Err(StorageError(format!(
            "{} was written by a newer ddbsse (data format {found}; this one reads format {FORMAT}): run a ddbsse that reads format {found}, or give another --data-dir",
            db_path.display()
        )));
    }
    Ok(())
}

/// The message for a root key that does not unseal the database's keys.
pub fn wrong_root_key(dir: &Path) -> String {
    format!(
        "{} does not open the keys sealed in {}: it is not the root key this database was written with (replaced, or copied from another folder); restore the root.key that belongs with this database from the same backup",
        dir.join(ROOT_KEY_FILE).display(),
        dir.join(DB_FILE).display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_folder_gets_both_files_and_the_format_record() {
        let dir = tempfile::tempdir().expect("dir");
        let (store, _) = open(dir.path()).expect("opens");
        assert_eq!(
            store.get(Space::Meta, FORMAT_RECORD).expect("read"),
            Some(b"1".to_vec())
        );
        drop(store);
        assert!(dir.path().join(ROOT_KEY_FILE).exists());
        open(dir.path()).expect("opens again");
    }

    #[test]
    fn a_newer_format_is_refused_naming_the_file() {
        let dir = tempfile::tempdir().expect("dir");
        let (store, _) = open(dir.path()).expect("opens");
        store
            .commit(vec![WriteOp::Put(
                Space::Meta,
                FORMAT_RECORD.to_vec(),
                b"2".to_vec(),
            )])
            .expect("commit");
        drop(store);
        let e = open(dir.path()).expect_err("refused");
        assert!(
            e.0.contains("ddbsse.redb") && e.0.contains("data format 2"),
            "{}",
            e.0
        );
    }
}
