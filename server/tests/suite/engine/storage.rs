//! Durable storage: a restart on the same data directory serves the same keys, grants,
//! aliases, tables, items and trail; nothing in the directory holds a plaintext marker.

use std::path::Path;

use base64::Engine as _;
use ddbsse_server::engine::EngineConfig;
use serde_json::json;

use super::support::H;

const MARKER: &str = "PLAINTEXT-MARKER-7f3a9c";

fn on_disk(dir: &Path) -> H {
    H::with(EngineConfig {
        data_dir: Some(dir.to_path_buf()),
        ..EngineConfig::default()
    })
}

fn files(dir: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            out.push(std::fs::read(p).unwrap());
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn restart_on_a_data_dir_serves_the_same_state() {
    let dir = tempfile::tempdir().unwrap();
    let (key_id, blob, trail_len);
    {
        let h = on_disk(dir.path());
        let (id, _) = h.create_key();
        h.ok(
            "CreateAlias",
            json!({"AliasName": "alias/keep", "TargetKeyId": id}),
        );
        h.create_table(
            "kept",
            Some(json!({"SSEType": "KMS", "KMSMasterKeyId": "alias/keep"})),
        );
        h.create_table("owned", None);
        h.put("kept", "a", 1, "one");
        h.put("owned", "b", 2, "two");
        let e = h.ok("Encrypt", json!({"KeyId": id, "Plaintext": base64::engine::general_purpose::STANDARD.encode(b"hi")}));
        blob = e["CiphertextBlob"].as_str().unwrap().to_owned();
        key_id = id;
        trail_len = h.engine.trail_records().len();
    }
    let h = on_disk(dir.path());
    assert_eq!(h.engine.trail_records().len(), trail_len);
    assert_eq!(h.get("kept", "a", 1)["Item"]["v"]["S"], "one");
    assert_eq!(h.get("owned", "b", 2)["Item"]["v"]["S"], "two");
    let d = h.ok("Decrypt", json!({"CiphertextBlob": blob}));
    assert_eq!(
        d["Plaintext"],
        base64::engine::general_purpose::STANDARD.encode(b"hi")
    );
    assert_eq!(
        h.ok("ListAliases", json!({"KeyId": key_id}))["Aliases"][0]["AliasName"],
        "alias/keep"
    );
    assert_eq!(
        h.ok("ListGrants", json!({"KeyId": key_id}))["Grants"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let t = h.ok("DescribeTable", json!({"TableName": "kept"}));
    assert_eq!(t["Table"]["ItemCount"], 1);
    // While an engine holds the directory, the database is locked: read_trail refuses.
    assert!(ddbsse_server::storage::read_trail(dir.path()).is_err());
    drop(h);
    let recs = ddbsse_server::storage::read_trail(dir.path()).unwrap();
    assert!(recs.len() >= trail_len);
    let empty = tempfile::tempdir().unwrap();
    assert!(ddbsse_server::storage::read_trail(empty.path()).is_err());
    assert_eq!(recs[0].event_version, "1.11");
}

#[test]
//= spec/key-hierarchy.md#item-nonces
//= type=test
//# Sequence numbers MUST NOT be persisted or restored; a new process makes a new data-key id (section 10).
fn a_restart_seals_under_a_new_data_key_id() {
    let dir = tempfile::tempdir().unwrap();
    let before = {
        let h = on_disk(dir.path());
        h.create_table("dkid", Some(json!({"Enabled": true})));
        h.put("dkid", "a", 1, "x");
        h.engine.at_rest().raw_rows("dkid").unwrap()[0].1[1..17].to_vec()
    };
    let h = on_disk(dir.path());
    h.put("dkid", "b", 2, "y");
    let rows = h.engine.at_rest().raw_rows("dkid").unwrap();
    let ids: Vec<Vec<u8>> = rows.iter().map(|(_, e)| e[1..17].to_vec()).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&before));
    assert!(
        ids.iter().any(|id| id != &before),
        "the new process used a new data-key id"
    );
    assert_eq!(h.get("dkid", "a", 1)["Item"]["v"]["S"], "x");
}

#[test]
fn data_directory_holds_no_plaintext_and_root_key_is_private() {
    let dir = tempfile::tempdir().unwrap();
    {
        let h = on_disk(dir.path());
        h.create_table("secret", Some(json!({"Enabled": true})));
        h.create_table("secret2", None);
        for i in 0..50 {
            h.put(
                "secret",
                &format!("{MARKER}-pk-{i}"),
                i,
                &format!("{MARKER}-value-{i}"),
            );
            h.put("secret2", &format!("{MARKER}-pk-{i}"), i, MARKER);
        }
        h.ok(
            "Query",
            json!({"TableName": "secret", "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": format!("{MARKER}-pk-3")}}}),
        );
        let (id, _) = h.create_key();
        h.ok("Encrypt", json!({"KeyId": id, "Plaintext": base64::engine::general_purpose::STANDARD.encode(MARKER)}));
    }
    let all = files(dir.path());
    assert!(all.len() >= 2, "database and root.key");
    for f in &all {
        assert!(
            !contains(f, MARKER.as_bytes()),
            "plaintext marker found in the data directory"
        );
        let b64 = base64::engine::general_purpose::STANDARD.encode(MARKER);
        assert!(!contains(f, &b64.as_bytes()[..16]));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("root.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Without root.key the KMS key material cannot be opened: the engine refuses to start.
    std::fs::write(dir.path().join("root.key"), [0u8; 32]).unwrap();
    assert!(
        ddbsse_server::engine::Engine::open(EngineConfig {
            data_dir: Some(dir.path().to_path_buf()),
            ..EngineConfig::default()
        })
        .is_err()
    );
}
