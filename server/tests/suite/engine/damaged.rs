//! Damaged data directories: each kind of damage is refused when the engine opens, with one
//! message that names the damaged file and says what to do; nothing is served from a folder
//! whose database or root key is damaged, lost or newer than this build, so no item that exists
//! can be answered as absent.

use std::path::Path;

use ddbsse_server::engine::{Engine, EngineConfig};
use ddbsse_server::storage::data_dir::FORMAT_RECORD;
use ddbsse_server::storage::redb::{DB_FILE, RedbStore};
use ddbsse_server::storage::root_key::ROOT_KEY_FILE;
use ddbsse_server::storage::{Space, Store, WriteOp};
use serde_json::json;

use super::support::H;

fn config(dir: &Path) -> EngineConfig {
    EngineConfig {
        data_dir: Some(dir.to_path_buf()),
        ..EngineConfig::default()
    }
}

/// A data folder with a customer-managed-key table and an owned-key table holding items.
fn populated() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let h = H::with(config(dir.path()));
    let (id, _) = h.create_key();
    h.create_table(
        "sealed",
        Some(json!({"SSEType": "KMS", "KMSMasterKeyId": id})),
    );
    h.create_table("owned", None);
    for i in 0..40 {
        h.put("sealed", &format!("p{i}"), i, "kept value");
        h.put("owned", &format!("p{i}"), i, "kept value");
    }
    dir
}

/// The message `Engine::open` refuses `dir` with.
fn refusal(dir: &Path) -> String {
    match Engine::open(config(dir)) {
        Ok(_) => panic!("a damaged folder was opened"),
        Err(e) => e.to_string(),
    }
}

fn assert_names(message: &str, file: &str, advice: &str) {
    assert!(
        message.contains(file),
        "the message names {file}: {message}"
    );
    assert!(
        message.contains(advice),
        "the message says {advice:?}: {message}"
    );
}

#[test]
fn a_missing_root_key_is_refused_and_not_recreated() {
    let dir = populated();
    std::fs::remove_file(dir.path().join(ROOT_KEY_FILE)).unwrap();
    let message = refusal(dir.path());
    assert_names(
        &message,
        "root.key is missing",
        "restore ddbsse.redb and root.key together",
    );
    assert!(
        !dir.path().join(ROOT_KEY_FILE).exists(),
        "no fresh root key was written over the lost one's place"
    );
}

#[test]
fn a_replaced_or_shortened_root_key_is_refused() {
    let dir = populated();
    std::fs::write(dir.path().join(ROOT_KEY_FILE), [7u8; 32]).unwrap();
    let message = refusal(dir.path());
    assert_names(
        &message,
        "root.key does not open the keys sealed in",
        "restore the root.key",
    );
    std::fs::write(dir.path().join(ROOT_KEY_FILE), [7u8; 31]).unwrap();
    let message = refusal(dir.path());
    assert_names(&message, "root.key cannot be used", "not 32 bytes");
}

#[test]
fn a_truncated_or_emptied_database_is_refused() {
    let dir = populated();
    let db = dir.path().join(DB_FILE);
    let len = std::fs::metadata(&db).unwrap().len();
    let file = std::fs::OpenOptions::new().write(true).open(&db).unwrap();
    file.set_len(len / 3).unwrap();
    drop(file);
    let message = refusal(dir.path());
    assert_names(
        &message,
        "ddbsse.redb cannot be opened",
        "restore ddbsse.redb and root.key together",
    );
    std::fs::write(&db, b"").unwrap();
    let message = refusal(dir.path());
    assert_names(
        &message,
        "ddbsse.redb is missing or empty",
        "restore ddbsse.redb and root.key together",
    );
}

#[test]
fn flipped_bytes_in_a_stored_item_are_found_at_open() {
    let dir = populated();
    // The stored bytes of one live item envelope, found in the file and flipped in place.
    let envelope = {
        let store = RedbStore::open(dir.path()).unwrap();
        let rows = store.scan(Space::Items, &[]).unwrap();
        rows.into_iter().next().expect("an item row").1
    };
    let db = dir.path().join(DB_FILE);
    let mut bytes = std::fs::read(&db).unwrap();
    let mut flipped = 0;
    let mut at = 0;
    while let Some(i) = bytes[at..]
        .windows(envelope.len())
        .position(|w| w == envelope.as_slice())
    {
        let middle = at + i + envelope.len() / 2;
        bytes[middle] ^= 0x01;
        flipped += 1;
        at = at + i + envelope.len();
    }
    assert!(flipped > 0, "the envelope is in the file");
    std::fs::write(&db, bytes).unwrap();
    let message = refusal(dir.path());
    assert_names(&message, "ddbsse.redb cannot be opened", "integrity check");
}

#[test]
fn a_folder_of_a_newer_format_is_refused() {
    let dir = populated();
    {
        let store = RedbStore::open(dir.path()).unwrap();
        store
            .commit(vec![WriteOp::Put(
                Space::Meta,
                FORMAT_RECORD.to_vec(),
                b"9".to_vec(),
            )])
            .unwrap();
    }
    let message = refusal(dir.path());
    assert_names(
        &message,
        "ddbsse.redb was written by a newer ddbsse",
        "data format 9",
    );
}

#[test]
fn an_intact_folder_still_opens_with_every_item() {
    let dir = populated();
    let h = H::with(config(dir.path()));
    for i in 0..40 {
        let item = h.get("sealed", &format!("p{i}"), i);
        assert!(item.get("Item").is_some(), "p{i}: {item}");
    }
}

/// Cases of the stored-wrapped-key property: each reopens a data folder, so fewer than the
/// parsers' properties (`DDBSSE_HOSTILE_STORE_CASES`; `scripts/hostile-input.sh` runs more).
fn store_cases() -> u32 {
    std::env::var("DDBSSE_HOSTILE_STORE_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(16)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: store_cases(), ..proptest::prelude::ProptestConfig::default() })]

    /// The wrapped table key DynamoDB stores, changed in the table record (flips, truncation,
    /// extension, a forged key-id length): the folder still opens (the record is well formed),
    /// the changed key never unwraps, so the table's items are refused and never served, and the
    /// other table is untouched.
    #[test]
    fn a_changed_stored_table_key_never_unwraps_or_serves_items(
        at in proptest::prelude::any::<usize>(),
        xor in 1u8..=255,
        how in 0usize..4,
    ) {
        let dir = populated_small();
        {
            let store = RedbStore::open(dir.path()).unwrap();
            let row = store.get(Space::Tables, b"sealed").unwrap().expect("the table record");
            let mut meta: serde_json::Value = serde_json::from_slice(&row).unwrap();
            let mut wrapped = hex::decode(meta["wrapped_table_key"].as_str().unwrap()).unwrap();
            let before = wrapped.clone();
            let len = wrapped.len();
            match how {
                0 => wrapped[at % len] ^= xor,
                1 => wrapped.truncate(at % len),
                2 => wrapped.push(xor),
                _ => wrapped[1..3].copy_from_slice(&u16::from(xor).to_be_bytes()),
            }
            proptest::prop_assume!(wrapped != before);
            meta["wrapped_table_key"] = serde_json::Value::String(hex::encode(&wrapped));
            store
                .commit(vec![WriteOp::Put(Space::Tables, b"sealed".to_vec(), serde_json::to_vec(&meta).unwrap())])
                .unwrap();
        }
        let h = H::with(config(dir.path()));
        for i in 0..4 {
            let (status, answer) = h.call(
                "GetItem",
                json!({"TableName": "sealed", "Key": {"pk": {"S": format!("p{i}")}, "sk": {"N": i.to_string()}}}),
            );
            proptest::prop_assert!(status >= 400, "an item was served under a changed key: {}", answer);
            proptest::prop_assert!(!answer.to_string().contains("kept value"), "{}", answer);
            let item = h.get("owned", &format!("p{i}"), i);
            proptest::prop_assert!(item.get("Item").is_some(), "the other table: {}", item);
        }
    }
}

/// [`populated`] with a few items, built once and copied for each case of a property.
fn populated_small() -> tempfile::TempDir {
    static TEMPLATE: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let template = TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let h = H::with(config(dir.path()));
        let (id, _) = h.create_key();
        h.create_table(
            "sealed",
            Some(json!({"SSEType": "KMS", "KMSMasterKeyId": id})),
        );
        h.create_table("owned", None);
        for i in 0..4 {
            h.put("sealed", &format!("p{i}"), i, "kept value");
            h.put("owned", &format!("p{i}"), i, "kept value");
        }
        dir
    });
    let dir = tempfile::tempdir().unwrap();
    for file in [DB_FILE, ROOT_KEY_FILE] {
        std::fs::copy(template.path().join(file), dir.path().join(file)).unwrap();
    }
    dir
}
