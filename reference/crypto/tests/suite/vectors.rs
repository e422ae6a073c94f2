//! The known-answer vectors of `fixtures/vectors/`: generated here from fixed inputs, checked
//! against the committed files (drift fails), and verified through the public API on every
//! backend. `fixtures/vectors/verify.py` checks the same files with an independent
//! implementation (Python `cryptography`).
//!
//! To regenerate after an intended format change:
//! `DDBSSE_WRITE_VECTORS=1 cargo test -p ddbsse-crypto --test suite vectors::`.

use ddbsse_crypto::{
    Backend, DecryptError, EncryptionContext, ItemOpener, ItemSealer, KeyMaterial, TableKey,
    data_key, item_nonce, kms_blob, open_item_with,
};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::common::*;

const SPEC: &str = "spec/key-hierarchy.md";

/// (description, key id, key label, context, nonce label, plaintext).
type KmsValidCase<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a [(&'a str, &'a str)],
    &'a str,
    &'a [u8],
);
/// (description, KMS key label, table, account, blob, reason).
type TableKeyInvalidCase<'a> = (&'a str, &'a str, &'a str, &'a str, Vec<u8>, &'a str);
/// (description, table key label, table ARN, primary key, envelope, reason).
type ItemInvalidCase<'a> = (&'a str, &'a str, &'a str, Vec<u8>, Vec<u8>, &'a str);

fn anchor(section: &str) -> String {
    format!("{SPEC}#{section}")
}

/// A context as a JSON object in the order given (deliberately not canonical) and as the type.
fn ctx(pairs: &[(&str, &str)]) -> (Value, EncryptionContext) {
    let mut map = Map::new();
    for (k, v) in pairs {
        map.insert((*k).to_string(), Value::String((*v).to_string()));
    }
    let typed = EncryptionContext::try_from(pairs).expect("short pairs");
    (Value::Object(map), typed)
}

fn flip(bytes: &[u8], index: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[index] ^= 0x01;
    out
}

/// Collects tests and numbers them from 1.
#[derive(Default)]
struct Tests(Vec<Value>);

impl Tests {
    fn push(&mut self, mut test: Value) {
        let id = self.0.len() + 1;
        let obj = test.as_object_mut().expect("tests are objects");
        let mut ordered = Map::new();
        ordered.insert("id".into(), json!(id));
        for (k, v) in std::mem::take(obj) {
            ordered.insert(k, v);
        }
        self.0.push(Value::Object(ordered));
    }

    fn file(self, kind: &str, description: &str) -> Value {
        json!({
            "manifest": {"type": kind, "version": 1},
            "description": description,
            "tests": self.0,
        })
    }
}

const FILES: [&str; 5] = [
    "encryption_context.json",
    "kms_blob.json",
    "table_key.json",
    "data_key.json",
    "item_envelope.json",
];

fn generate(backend: Backend) -> Vec<(&'static str, Value)> {
    vec![
        (FILES[0], encryption_context_vectors()),
        (FILES[1], kms_blob_vectors(backend)),
        (FILES[2], table_key_vectors(backend)),
        (FILES[3], data_key_vectors(backend)),
        (FILES[4], item_envelope_vectors(backend)),
    ]
}

fn encryption_context_vectors() -> Value {
    let cases: &[(&str, &[(&str, &str)])] = &[
        ("empty context", &[]),
        (
            "the spec example, listed out of order",
            &[("b", "2"), ("a", "1")],
        ),
        (
            "DynamoDB's table context in the order AWS documents it",
            &[
                ("aws:dynamodb:tableName", "Books"),
                ("aws:dynamodb:subscriberId", "111122223333"),
            ],
        ),
        (
            "a key that is a prefix of another sorts first",
            &[("ab", "2"), ("b", "3"), ("a", "1")],
        ),
        (
            "byte-wise order: upper case, lower case, then multi-byte UTF-8",
            &[
                ("z", "1"),
                ("\u{e9}", "2"),
                ("Z", "3"),
                ("\u{65e5}\u{672c}", "\u{8a9e}"),
            ],
        ),
        ("empty value and empty key", &[("k", ""), ("", "v")]),
    ];
    let mut tests = Tests::default();
    for (description, pairs) in cases {
        let (json_ctx, typed) = ctx(pairs);
        tests.push(json!({
            "description": description,
            "spec": anchor("context-encoding"),
            "result": "valid",
            "context": json_ctx,
            "encoded": hex::encode(typed.canonical_bytes()),
        }));
    }
    tests.file(
        "ddbsse-encryption-context",
        "Canonical encryption-context encoding (AAD of KMS blobs).",
    )
}

fn kms_blob_vectors(backend: Backend) -> Value {
    let mut tests = Tests::default();
    let table_ctx = [
        ("aws:dynamodb:tableName", "Books"),
        ("aws:dynamodb:subscriberId", "111122223333"),
    ];
    let big: Vec<u8> = pattern(4096);
    let valid: [KmsValidCase<'_>; 5] = [
        (
            "short plaintext, empty context",
            KMS_KEY_ARN_A,
            "kms-a",
            &[],
            "nonce-1",
            b"hello",
        ),
        (
            "32-byte plaintext, DynamoDB table context",
            KMS_KEY_ARN_A,
            "kms-a",
            &table_ctx,
            "nonce-2",
            &[0x42; 32],
        ),
        (
            "4096-byte plaintext (KMS Encrypt maximum), three pairs",
            KMS_KEY_ARN_A,
            "kms-a",
            &[
                ("purpose", "test"),
                ("Department", "10"),
                ("aws:dynamodb:tableName", "Books"),
            ],
            "nonce-3",
            &big,
        ),
        (
            "another key, one byte",
            KMS_KEY_ARN_B,
            "kms-b",
            &[("k", "v")],
            "nonce-4",
            &[0x00],
        ),
        (
            "empty plaintext (the format allows it; KMS requests never send it)",
            KMS_KEY_ARN_B,
            "kms-b",
            &[],
            "nonce-5",
            &[],
        ),
    ];
    for (description, arn, key_label, pairs, nonce_label, plaintext) in valid {
        let (json_ctx, typed) = ctx(pairs);
        let nonce: [u8; 12] = fixed(nonce_label);
        let material = kms_material(key_label);
        let blob = kms_blob::seal_with(backend, arn, &material, plaintext, &typed, nonce)
            .expect("valid key id");
        tests.push(json!({
            "description": description,
            "spec": anchor("kms-blob-seal"),
            "result": "valid",
            "key_id": arn,
            "key_material": hex::encode(material.expose_secret()),
            "context": json_ctx,
            "nonce": hex::encode(nonce),
            "plaintext": hex::encode(plaintext),
            "blob": hex::encode(&blob),
        }));
    }

    // Negative vectors, all derived from one good blob.
    let material = kms_material("kms-a");
    let (good_ctx_json, good_ctx) = ctx(&table_ctx);
    let good = kms_blob::seal_with(
        backend,
        KMS_KEY_ARN_A,
        &material,
        b"base plaintext for negative vectors",
        &good_ctx,
        fixed("nonce-neg"),
    )
    .expect("valid");
    let header_len = 3 + KMS_KEY_ARN_A.len() + 12;
    let mut zero_len = good.clone();
    zero_len[1] = 0;
    zero_len[2] = 0;
    let mut long_len = good.clone();
    long_len[1..3].copy_from_slice(&2049u16.to_be_bytes());
    let mut version2 = good.clone();
    version2[0] = 0x02;
    let blob_cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "a ciphertext byte flipped",
            flip(&good, header_len),
            "tampered-ciphertext",
        ),
        (
            "the last tag byte flipped",
            flip(&good, good.len() - 1),
            "tampered-tag",
        ),
        (
            "a nonce byte flipped",
            flip(&good, header_len - 1),
            "tampered-nonce",
        ),
        (
            "a key-id byte flipped (header names another key)",
            flip(&good, 3 + 10),
            "tampered-key-id",
        ),
        ("unknown version 0x02", version2, "unknown-version"),
        ("key id length 0", zero_len, "bad-key-id-length"),
        ("key id length 2049", long_len, "bad-key-id-length"),
        (
            "last byte removed",
            good[..good.len() - 1].to_vec(),
            "truncated",
        ),
        ("31 bytes", good[..31].to_vec(), "truncated"),
        ("empty", Vec::new(), "truncated"),
        ("header only", good[..header_len].to_vec(), "truncated"),
    ];
    for (description, blob, reason) in blob_cases {
        tests.push(json!({
            "description": description,
            "spec": anchor("kms-blob-open"),
            "result": "invalid",
            "error": "DecryptError",
            "aws_error": "InvalidCiphertextException",
            "reason": reason,
            "key_material": hex::encode(material.expose_secret()),
            "context": good_ctx_json.clone(),
            "blob": hex::encode(&blob),
        }));
    }
    let context_cases: [(&str, &[(&str, &str)]); 5] = [
        (
            "another table name",
            &[
                ("aws:dynamodb:tableName", "Music"),
                ("aws:dynamodb:subscriberId", "111122223333"),
            ],
        ),
        (
            "table name differs in case only",
            &[
                ("aws:dynamodb:tableName", "books"),
                ("aws:dynamodb:subscriberId", "111122223333"),
            ],
        ),
        (
            "an extra pair",
            &[
                ("aws:dynamodb:tableName", "Books"),
                ("aws:dynamodb:subscriberId", "111122223333"),
                ("x", "y"),
            ],
        ),
        ("a missing pair", &[("aws:dynamodb:tableName", "Books")]),
        ("empty context", &[]),
    ];
    for (description, pairs) in context_cases {
        tests.push(json!({
            "description": format!("wrong context: {description}"),
            "spec": anchor("kms-blob-open"),
            "result": "invalid",
            "error": "DecryptError",
            "aws_error": "InvalidCiphertextException",
            "reason": "wrong-context",
            "key_material": hex::encode(material.expose_secret()),
            "context": ctx(pairs).0,
            "blob": hex::encode(&good),
        }));
    }
    tests.push(json!({
        "description": "wrong key material",
        "spec": anchor("kms-blob-open"),
        "result": "invalid",
        "error": "DecryptError",
        "aws_error": "InvalidCiphertextException",
        "reason": "wrong-key",
        "key_material": hex::encode(kms_material("kms-b").expose_secret()),
        "context": good_ctx_json,
        "blob": hex::encode(&good),
    }));
    tests.file(
        "ddbsse-kms-blob",
        "KMS ciphertext blobs: seal/open with contexts, and rejections.",
    )
}

fn table_key_vectors(backend: Backend) -> Value {
    let mut tests = Tests::default();
    let valid = [
        (
            KMS_KEY_ARN_A,
            "kms-a",
            "Books",
            "111122223333",
            "table-key-books",
            "nonce-tk-1",
        ),
        (
            KMS_KEY_ARN_B,
            "kms-b",
            "Music",
            "123456789012",
            "table-key-music",
            "nonce-tk-2",
        ),
    ];
    for (arn, kms_label, table, account, tk_label, nonce_label) in valid {
        let kms = kms_material(kms_label);
        let tk = table_key(tk_label);
        let nonce: [u8; 12] = fixed(nonce_label);
        let context = EncryptionContext::for_table(table, account).expect("short");
        let blob = tk
            .wrap_with(backend, arn, &kms, &context, nonce)
            .expect("valid");
        tests.push(json!({
            "description": format!("table key of {table} wrapped under its KMS key"),
            "spec": anchor("table-key"),
            "result": "valid",
            "kms_key_id": arn,
            "kms_key_material": hex::encode(kms.expose_secret()),
            "table_name": table,
            "account_id": account,
            "nonce": hex::encode(nonce),
            "table_key": hex::encode(tk.material().expose_secret()),
            "blob": hex::encode(&blob),
        }));
    }
    let kms = kms_material("kms-a");
    let books = EncryptionContext::for_table("Books", "111122223333").expect("short");
    let good = table_key("table-key-books")
        .wrap_with(backend, KMS_KEY_ARN_A, &kms, &books, fixed("nonce-tk-1"))
        .expect("valid");
    let seal_len = |n: usize| {
        kms_blob::seal_with(
            backend,
            KMS_KEY_ARN_A,
            &kms,
            &vec![0x24; n],
            &books,
            fixed("nonce-tk-3"),
        )
        .expect("valid")
    };
    let cases: Vec<TableKeyInvalidCase<'_>> = vec![
        (
            "unwrapped for another table",
            "kms-a",
            "Music",
            "111122223333",
            good.clone(),
            "wrong-table",
        ),
        (
            "unwrapped for another account",
            "kms-a",
            "Books",
            "123456789012",
            good.clone(),
            "wrong-account",
        ),
        (
            "unwrapped with another KMS key",
            "kms-b",
            "Books",
            "111122223333",
            good.clone(),
            "wrong-key",
        ),
        (
            "a tag byte flipped",
            "kms-a",
            "Books",
            "111122223333",
            flip(&good, good.len() - 5),
            "tampered-tag",
        ),
        (
            "a blob that opens but holds 31 bytes",
            "kms-a",
            "Books",
            "111122223333",
            seal_len(31),
            "wrong-plaintext-length",
        ),
        (
            "a blob that opens but holds 33 bytes",
            "kms-a",
            "Books",
            "111122223333",
            seal_len(33),
            "wrong-plaintext-length",
        ),
    ];
    for (description, kms_label, table, account, blob, reason) in cases {
        tests.push(json!({
            "description": description,
            "spec": anchor("table-key"),
            "result": "invalid",
            "error": "DecryptError",
            "aws_error": "InvalidCiphertextException",
            "reason": reason,
            "kms_key_material": hex::encode(kms_material(kms_label).expose_secret()),
            "table_name": table,
            "account_id": account,
            "blob": hex::encode(&blob),
        }));
    }
    tests.file(
        "ddbsse-table-key",
        "Table-key wrap (GenerateDataKey) and unwrap (Decrypt).",
    )
}

fn data_key_vectors(backend: Backend) -> Value {
    let mut tests = Tests::default();
    let cases = [
        ("table-key-books", DataKeyIdInput::Label("data-key-1")),
        ("table-key-books", DataKeyIdInput::Label("data-key-2")),
        ("table-key-music", DataKeyIdInput::Label("data-key-1")),
        ("table-key-books", DataKeyIdInput::Bytes([0u8; 16])),
        ("table-key-books", DataKeyIdInput::Bytes([0xff; 16])),
    ];
    for (tk_label, id) in cases {
        let tk = table_key(tk_label);
        let id = id.id();
        let dk = data_key::derive_data_key_material(backend, &tk, &id);
        tests.push(json!({
            "description": "HKDF-SHA256(salt = data_key_id, IKM = table_key, info = ddbsse:item-data-key:v1, L = 32)",
            "spec": anchor("data-key-derivation"),
            "result": "valid",
            "table_key": hex::encode(tk.material().expose_secret()),
            "data_key_id": hex::encode(id.as_bytes()),
            "data_key": hex::encode(dk.expose_secret()),
        }));
    }
    tests.file(
        "ddbsse-data-key",
        "Data-key derivation from a table key and a data-key id.",
    )
}

enum DataKeyIdInput {
    Label(&'static str),
    Bytes([u8; 16]),
}

impl DataKeyIdInput {
    fn id(&self) -> ddbsse_crypto::DataKeyId {
        match self {
            Self::Label(l) => data_key_id(l),
            Self::Bytes(b) => ddbsse_crypto::DataKeyId::from_bytes(*b),
        }
    }
}

/// Plaintexts that look like serialised DynamoDB items (the crypto layer treats them, and the
/// primary-key bytes, as opaque; the server's storage spec defines the real serialisation).
const ITEM_ALL_TYPES: &str = r#"{"pk":{"S":"user#1"},"sk":{"N":"42"},"name":{"S":"Zo\u00eb"},"age":{"N":"-3.5e2"},"photo":{"B":"AAEC/w=="},"active":{"BOOL":true},"gone":{"NULL":true},"tags":{"SS":["a","b"]},"scores":{"NS":["1","2.5"]},"blobs":{"BS":["AA==","/w=="]},"list":{"L":[{"S":"x"},{"N":"1"}]},"map":{"M":{"k":{"S":"v"}}}}"#;

fn item_envelope_vectors(backend: Backend) -> Value {
    let mut tests = Tests::default();
    let binary: Vec<u8> = (0..=255u8).collect();
    let large_limit = 4096;
    struct Case {
        description: &'static str,
        table_key: &'static str,
        table_arn: &'static str,
        data_key_id: &'static str,
        sequence: u64,
        primary_key: Vec<u8>,
        plaintext: Vec<u8>,
    }
    let case = |description, sequence, primary_key: &[u8], plaintext: Vec<u8>| Case {
        description,
        table_key: "table-key-books",
        table_arn: TABLE_ARN_BOOKS,
        data_key_id: "data-key-1",
        sequence,
        primary_key: primary_key.to_vec(),
        plaintext,
    };
    let cases = vec![
        case("empty item", 0, b"S:user#0", Vec::new()),
        case("1 byte", 1, b"S:user#1", vec![0x7a]),
        case(
            "15 bytes (one byte short of a block)",
            2,
            b"S:user#2",
            pattern(15),
        ),
        case("16 bytes (one block)", 3, b"S:user#3", pattern(16)),
        case(
            "17 bytes (one byte into the second block)",
            4,
            b"S:user#4",
            pattern(17),
        ),
        case(
            "an item with every attribute type; composite key (S hash, N range)",
            5,
            b"S:user#1|N:42",
            ITEM_ALL_TYPES.as_bytes().to_vec(),
        ),
        case(
            "binary key (B hash), every byte value as plaintext",
            6,
            &[0x00, 0xff, 0x10, 0x80],
            binary,
        ),
        case("1 KiB", 7, b"S:k1024", pattern(1024)),
        case("4 KiB", 8, b"S:k4096", pattern(4096)),
        case(
            "64 KiB (pattern plaintext, digest envelope)",
            9,
            b"S:k65536",
            pattern(65536),
        ),
        case(
            "400 KB item limit (pattern plaintext, digest envelope)",
            10,
            b"S:kmax",
            pattern(409_600),
        ),
        case(
            "the last sequence number a data key may use",
            (1 << 32) - 1,
            b"S:last",
            pattern(33),
        ),
        Case {
            description: "another table, table key and data key",
            table_key: "table-key-music",
            table_arn: TABLE_ARN_MUSIC,
            data_key_id: "data-key-2",
            sequence: 0,
            primary_key: b"S:song#9".to_vec(),
            plaintext: pattern(100),
        },
    ];
    for c in cases {
        let tk = table_key(c.table_key);
        let id = data_key_id(c.data_key_id);
        let sealer =
            ItemSealer::starting_at(backend, &tk, c.table_arn, id, c.sequence).expect("valid ARN");
        let envelope = sealer.seal(&c.primary_key, &c.plaintext).expect("seal");
        let mut test = json!({
            "description": c.description,
            "spec": anchor("item-seal"),
            "result": "valid",
            "table_key": hex::encode(tk.material().expose_secret()),
            "table_arn": c.table_arn,
            "data_key_id": hex::encode(id.as_bytes()),
            "sequence": c.sequence,
            "nonce": hex::encode(item_nonce(c.sequence)),
            "primary_key": hex::encode(&c.primary_key),
        });
        let obj = test.as_object_mut().expect("object");
        if c.plaintext.len() > large_limit {
            obj.insert(
                "plaintext_pattern".into(),
                json!({"length": c.plaintext.len()}),
            );
            obj.insert(
                "envelope_sha256".into(),
                json!(hex::encode(Sha256::digest(&envelope))),
            );
        } else {
            obj.insert("plaintext".into(), json!(hex::encode(&c.plaintext)));
            obj.insert("envelope".into(), json!(hex::encode(&envelope)));
        }
        tests.push(test);
    }

    // Negative vectors from one good 100-byte envelope.
    let tk = table_key("table-key-books");
    let pk: &[u8] = b"S:user#1";
    let sealer =
        ItemSealer::starting_at(backend, &tk, TABLE_ARN_BOOKS, data_key_id("data-key-1"), 77)
            .expect("valid");
    let good = sealer.seal(pk, &pattern(100)).expect("seal");
    let mut version2 = good.clone();
    version2[0] = 0x02;
    let other_sealer =
        ItemSealer::starting_at(backend, &tk, TABLE_ARN_BOOKS, data_key_id("data-key-2"), 77)
            .expect("valid");
    let other = other_sealer.seal(pk, &pattern(100)).expect("seal");
    let mut spliced = good.clone();
    spliced[1..17].copy_from_slice(&other[1..17]);
    let swap_arn = "S:user#1";
    let swap_pk = TABLE_ARN_BOOKS.as_bytes();
    let swapped = ItemSealer::starting_at(backend, &tk, swap_arn, data_key_id("data-key-1"), 78)
        .expect("valid")
        .seal(swap_pk, b"swapped")
        .expect("seal");
    // Moving bytes between table ARN and primary key: "...table/Books" + "S:user#1" sealed as
    // "...table/Book" + "sS:user#1" must not open with the original split.
    let moved = ItemSealer::starting_at(
        backend,
        &tk,
        &TABLE_ARN_BOOKS[..TABLE_ARN_BOOKS.len() - 1],
        data_key_id("data-key-1"),
        79,
    )
    .expect("valid")
    .seal(b"sS:user#1", b"moved")
    .expect("seal");
    let cases: Vec<ItemInvalidCase<'_>> = vec![
        (
            "a ciphertext byte flipped",
            "table-key-books",
            TABLE_ARN_BOOKS,
            pk.to_vec(),
            flip(&good, 29),
            "tampered-ciphertext",
        ),
        (
            "the last tag byte flipped",
            "table-key-books",
            TABLE_ARN_BOOKS,
            pk.to_vec(),
            flip(&good, good.len() - 1),
            "tampered-tag",
        ),
        (
            "a data-key-id byte flipped",
            "table-key-books",
            TABLE_ARN_BOOKS,
            pk.to_vec(),
            flip(&good, 5),
            "tampered-header",
        ),
        (
            "a nonce byte flipped",
            "table-key-books",
            TABLE_ARN_BOOKS,
            pk.to_vec(),
            flip(&good, 28),
            "tampered-header",
        ),
        (
            "header's data-key id replaced by another valid id",
            "table-key-books",
            TABLE_ARN_BOOKS,
            pk.to_vec(),
            spliced,
            "tampered-header",
        ),
        (
            "unknown version 0x02",
            "table-key-books",
            TABLE_ARN_BOOKS,
            pk.to_vec(),
            version2,
            "unknown-version",
        ),
        (
            "opened as another table",
            "table-key-books",
            TABLE_ARN_MUSIC,
            pk.to_vec(),
            good.clone(),
            "wrong-table",
        ),
        (
            "opened with another table key",
            "table-key-music",
            TABLE_ARN_BOOKS,
            pk.to_vec(),
            good.clone(),
            "wrong-table-key",
        ),
        (
            "copied to another item",
            "table-key-books",
            TABLE_ARN_BOOKS,
            b"S:user#2".to_vec(),
            good.clone(),
            "wrong-primary-key",
        ),
        (
            "primary key with one byte more",
            "table-key-books",
            TABLE_ARN_BOOKS,
            b"S:user#1 ".to_vec(),
            good.clone(),
            "wrong-primary-key",
        ),
        (
            "last byte removed",
            "table-key-books",
            TABLE_ARN_BOOKS,
            pk.to_vec(),
            good[..good.len() - 1].to_vec(),
            "truncated",
        ),
        (
            "44 bytes",
            "table-key-books",
            TABLE_ARN_BOOKS,
            pk.to_vec(),
            good[..44].to_vec(),
            "truncated",
        ),
        (
            "empty",
            "table-key-books",
            TABLE_ARN_BOOKS,
            pk.to_vec(),
            Vec::new(),
            "truncated",
        ),
        (
            "table ARN and primary key swapped",
            "table-key-books",
            TABLE_ARN_BOOKS,
            pk.to_vec(),
            swapped,
            "aad-components-swapped",
        ),
        (
            "a byte moved from the table ARN to the primary key",
            "table-key-books",
            TABLE_ARN_BOOKS,
            pk.to_vec(),
            moved,
            "aad-components-moved",
        ),
    ];
    for (description, tk_label, arn, primary_key, envelope, reason) in cases {
        tests.push(json!({
            "description": description,
            "spec": anchor("item-open"),
            "result": "invalid",
            "error": "DecryptError",
            "reason": reason,
            "table_key": hex::encode(table_key(tk_label).material().expose_secret()),
            "table_arn": arn,
            "primary_key": hex::encode(&primary_key),
            "envelope": hex::encode(&envelope),
        }));
    }
    tests.file(
        "ddbsse-item-envelope",
        "Item envelopes: seal/open for several sizes and key shapes, and rejections.",
    )
}

fn render(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("JSON renders");
    text.push('\n');
    text
}

#[test]
fn committed_vectors_equal_what_the_code_produces() {
    //= spec/key-hierarchy.md#backends
    //= type=test
    //# Every backend MUST produce byte-identical output for identical inputs.
    let dir = repo_root().join("fixtures/vectors");
    let per_backend: Vec<_> = Backend::ALL.iter().map(|b| generate(*b)).collect();
    for pair in per_backend.windows(2) {
        for ((name, a), (_, b)) in pair[0].iter().zip(&pair[1]) {
            assert!(a == b, "backends disagree on {name}");
        }
    }
    let write = std::env::var_os("DDBSSE_WRITE_VECTORS").is_some();
    for (name, value) in &per_backend[0] {
        let path = dir.join(name);
        let fresh = render(value);
        if write {
            std::fs::write(&path, &fresh).expect("write vectors");
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "fixtures/vectors/{name} differs from what the code produces; if the change is \
             intended run DDBSSE_WRITE_VECTORS=1 cargo test -p ddbsse-crypto --test suite \
             vectors:: and commit the files"
        );
    }
}

fn load(name: &str) -> Value {
    let path = repo_root().join("fixtures/vectors").join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).expect("committed vectors"))
        .expect("vectors are JSON")
}

fn field_bytes(test: &Value, field: &str) -> Vec<u8> {
    hex::decode(
        test[field]
            .as_str()
            .unwrap_or_else(|| panic!("field {field}")),
    )
    .expect("hex")
}

fn field_str<'a>(test: &'a Value, field: &str) -> &'a str {
    test[field]
        .as_str()
        .unwrap_or_else(|| panic!("field {field}"))
}

fn json_ctx(value: &Value) -> EncryptionContext {
    let mut ctx = EncryptionContext::new();
    for (k, v) in value.as_object().expect("context object") {
        ctx.insert(k.clone(), v.as_str().expect("string value"))
            .expect("short");
    }
    ctx
}

fn key(test: &Value, field: &str) -> KeyMaterial {
    KeyMaterial::from_slice(&field_bytes(test, field)).expect("32-byte key")
}

/// Checks one file's manifest and that every test cites a section of the spec that exists.
fn tests_of(name: &str, kind: &str) -> Vec<Value> {
    let file = load(name);
    assert_eq!(file["manifest"]["type"], kind, "{name}");
    assert_eq!(file["manifest"]["version"], 1, "{name}");
    let spec = std::fs::read_to_string(repo_root().join(SPEC)).expect("spec");
    let tests = file["tests"].as_array().expect("tests").clone();
    assert!(!tests.is_empty());
    for test in &tests {
        let section = field_str(test, "spec");
        let anchor = section
            .strip_prefix(&format!("{SPEC}#"))
            .expect("cites the spec");
        assert!(
            spec.contains(&format!("{{#{anchor}}}")),
            "{name}: no section {anchor}"
        );
        if test["result"] == "invalid" {
            assert_eq!(test["error"], "DecryptError", "{name} {}", test["id"]);
        }
    }
    tests
}

#[test]
fn committed_vectors_verify_on_every_backend() {
    //= spec/key-hierarchy.md#test-vectors
    //= type=test
    //# Every test has an integer `id`, a `description`, a `spec` string naming the section it checks (`spec/key-hierarchy.md#<anchor>`), and a `result` of `valid` or `invalid`.
    for test in tests_of(FILES[0], "ddbsse-encryption-context") {
        assert_eq!(
            json_ctx(&test["context"]).canonical_bytes(),
            field_bytes(&test, "encoded")
        );
    }
    for backend in Backend::ALL {
        let backend = *backend;
        //= spec/key-hierarchy.md#kms-blob-seal
        //= type=test
        //# The AAD MUST be `header || encode(context)`, where `header` is every byte of the blob before
        //# the ciphertext.
        //= spec/key-hierarchy.md#kms-blob-seal
        //= type=test
        //# The ciphertext and tag MUST be `AES-256-GCM-Seal(kms_key_material, nonce, header ||
        //# encode(context), plaintext)`.
        //= spec/key-hierarchy.md#kms-blob-open
        //= type=test
        //# A blob MUST be rejected if it is shorter than 32 bytes, if its version byte is not `0x01`, if
        //# its key id length is 0 or greater than 2048, if it is shorter than `3 + key_id_len + 12 + 16`
        //# bytes, or if its key id is not valid UTF-8.
        //= spec/key-hierarchy.md#kms-blob-open
        //= type=test
        //# The opener MUST compute `AES-256-GCM-Open(kms_key_material, nonce, header || encode(context),
        //# ciphertext, tag)` with the context of the Decrypt request and return the plaintext only if it
        //# succeeds.
        //= spec/key-hierarchy.md#kms-blob-layout
        //= type=test
        //# The version byte MUST be `0x01`.
        for test in tests_of(FILES[1], "ddbsse-kms-blob") {
            let material = key(&test, "key_material");
            let context = json_ctx(&test["context"]);
            let blob = field_bytes(&test, "blob");
            let opened = kms_blob::open_with(backend, &material, &blob, &context);
            if test["result"] == "valid" {
                let nonce: [u8; 12] = field_bytes(&test, "nonce").try_into().expect("12 bytes");
                let plaintext = field_bytes(&test, "plaintext");
                let key_id = field_str(&test, "key_id");
                let sealed =
                    kms_blob::seal_with(backend, key_id, &material, &plaintext, &context, nonce);
                assert_eq!(sealed.expect("seal"), blob);
                assert_eq!(kms_blob::key_id(&blob), Ok(key_id));
                assert_eq!(opened.expect("opens").as_slice(), plaintext.as_slice());
            } else {
                assert_eq!(opened.err(), Some(DecryptError), "kms_blob {}", test["id"]);
            }
        }
        for test in tests_of(FILES[2], "ddbsse-table-key") {
            let kms = key(&test, "kms_key_material");
            let context = EncryptionContext::for_table(
                field_str(&test, "table_name"),
                field_str(&test, "account_id"),
            )
            .expect("short");
            let blob = field_bytes(&test, "blob");
            let unwrapped = TableKey::unwrap_with(backend, &kms, &blob, &context);
            if test["result"] == "valid" {
                let tk = TableKey::from_plaintext(&field_bytes(&test, "table_key")).expect("32");
                let nonce: [u8; 12] = field_bytes(&test, "nonce").try_into().expect("12 bytes");
                let wrapped = tk
                    .wrap_with(
                        backend,
                        field_str(&test, "kms_key_id"),
                        &kms,
                        &context,
                        nonce,
                    )
                    .expect("wrap");
                assert_eq!(wrapped, blob);
                let got = unwrapped.expect("unwraps");
                assert_eq!(
                    got.material().expose_secret(),
                    tk.material().expose_secret()
                );
            } else {
                assert_eq!(
                    unwrapped.err(),
                    Some(DecryptError),
                    "table_key {}",
                    test["id"]
                );
            }
        }
        //= spec/key-hierarchy.md#data-key-derivation
        //= type=test
        //# The data key MUST be `HKDF-SHA256(salt = data_key_id, IKM = table_key, info, L = 32)`.
        //= spec/key-hierarchy.md#data-key-derivation
        //= type=test
        //# `info` MUST be the 23 ASCII bytes `ddbsse:item-data-key:v1`.
        for test in tests_of(FILES[3], "ddbsse-data-key") {
            let tk = TableKey::from_plaintext(&field_bytes(&test, "table_key")).expect("32");
            let id_bytes: [u8; 16] = field_bytes(&test, "data_key_id").try_into().expect("16");
            let id = ddbsse_crypto::DataKeyId::from_bytes(id_bytes);
            let dk = data_key::derive_data_key_material(backend, &tk, &id);
            assert_eq!(
                dk.expose_secret().as_slice(),
                field_bytes(&test, "data_key").as_slice()
            );
        }
        //= spec/key-hierarchy.md#item-seal
        //= type=test
        //# The ciphertext and tag MUST be AES-256-GCM of the plaintext under the data key with the nonce
        //# from the header and the AAD of section 13.
        //= spec/key-hierarchy.md#item-open
        //= type=test
        //# An envelope shorter than 45 bytes, or whose version byte is not `0x01`, MUST be rejected.
        //= spec/key-hierarchy.md#envelope-layout
        //= type=test
        //# The version byte MUST be `0x01`.
        for test in tests_of(FILES[4], "ddbsse-item-envelope") {
            verify_item(backend, &test);
        }
    }
}

fn verify_item(backend: Backend, test: &Value) {
    let tk = TableKey::from_plaintext(&field_bytes(test, "table_key")).expect("32");
    let arn = field_str(test, "table_arn");
    let pk = field_bytes(test, "primary_key");
    if test["result"] == "invalid" {
        let envelope = field_bytes(test, "envelope");
        let got = open_item_with(backend, &tk, arn, &pk, &envelope);
        assert_eq!(got.err(), Some(DecryptError), "item {}", test["id"]);
        let mut opener = ItemOpener::with_backend(backend, &tk, arn).expect("valid ARN");
        assert_eq!(opener.open(&pk, &envelope).err(), Some(DecryptError));
        return;
    }
    let plaintext = match test.get("plaintext") {
        Some(_) => field_bytes(test, "plaintext"),
        None => pattern(
            test["plaintext_pattern"]["length"]
                .as_u64()
                .expect("length") as usize,
        ),
    };
    let sequence = test["sequence"].as_u64().expect("sequence");
    assert_eq!(item_nonce(sequence).to_vec(), field_bytes(test, "nonce"));
    let id_bytes: [u8; 16] = field_bytes(test, "data_key_id").try_into().expect("16");
    let id = ddbsse_crypto::DataKeyId::from_bytes(id_bytes);
    let sealer = ItemSealer::starting_at(backend, &tk, arn, id, sequence).expect("valid");
    let envelope = sealer.seal(&pk, &plaintext).expect("seal");
    match test.get("envelope") {
        Some(_) => assert_eq!(
            envelope,
            field_bytes(test, "envelope"),
            "item {}",
            test["id"]
        ),
        None => assert_eq!(
            hex::encode(Sha256::digest(&envelope)),
            field_str(test, "envelope_sha256"),
            "item {}",
            test["id"]
        ),
    }
    let opened = open_item_with(backend, &tk, arn, &pk, &envelope).expect("opens");
    assert_eq!(opened, plaintext);
}
