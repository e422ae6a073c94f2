//! Generated hostile KMS ciphertext blobs through the endpoint: real blobs of the calls the
//! end-to-end script makes (Encrypt without and with an encryption context, GenerateDataKey
//! `AES_256` with `purpose=e2e`), mutated at the byte level (the HTTP hostile-input mutations:
//! flips, insertions, deletions, truncations, duplicated slices), sent to Decrypt (with and
//! without `KeyId`) and ReEncrypt.
//!
//! Invariants: a changed blob never opens: Decrypt answers `InvalidCiphertextException` with no
//! message, ReEncrypt the same (or `NotFoundException` when the damage renamed the key in the
//! blob's header to one that does not exist); no answer carries a seed's plaintext; no 5xx; the
//! server keeps serving.
//!
//! Cases: `PROPTEST_CASES` (default 1500, what CI runs); `scripts/hostile-input.sh` runs a
//! longer campaign. Failing inputs are kept in `server/tests/proptest-regressions/http/`.

use std::net::SocketAddr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use serde_json::{Value, json};

use super::hostile::{apply, aws, exchange, mutation};

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(1500)
}

/// A sealed blob, the context it was sealed under and its plaintext.
struct Seed {
    blob: Vec<u8>,
    context: Option<Value>,
    plaintext: Vec<u8>,
}

struct Shared {
    addr: SocketAddr,
    key_id: String,
    seeds: Vec<Seed>,
    _runtime: tokio::runtime::Runtime,
    _server: super::TestServer,
}

fn kms(addr: SocketAddr, op: &str, body: &Value) -> (u16, Value, String) {
    let (status, text) = aws(addr, &format!("TrentService.{op}"), &body.to_string());
    let v = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, v, text)
}

fn shared() -> Shared {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let server = runtime.block_on(super::TestServer::manual());
    let addr = server.addr;
    let (status, created, text) = kms(addr, "CreateKey", &json!({"Description": "hostile blobs"}));
    assert_eq!(status, 200, "{text}");
    let key_id = created["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    let mut seeds = Vec::new();
    for (plaintext, context) in [
        (b"hi".to_vec(), None),
        (
            b"the end-to-end script's secret".to_vec(),
            Some(json!({"purpose": "e2e"})),
        ),
    ] {
        let mut req = json!({"KeyId": key_id, "Plaintext": STANDARD.encode(&plaintext)});
        if let Some(c) = &context {
            req["EncryptionContext"] = c.clone();
        }
        let (status, v, text) = kms(addr, "Encrypt", &req);
        assert_eq!(status, 200, "{text}");
        let blob = STANDARD
            .decode(v["CiphertextBlob"].as_str().unwrap())
            .unwrap();
        seeds.push(Seed {
            blob,
            context,
            plaintext,
        });
    }
    let (status, v, text) = kms(
        addr,
        "GenerateDataKey",
        &json!({"KeyId": key_id, "KeySpec": "AES_256", "EncryptionContext": {"purpose": "e2e"}}),
    );
    assert_eq!(status, 200, "{text}");
    seeds.push(Seed {
        blob: STANDARD
            .decode(v["CiphertextBlob"].as_str().unwrap())
            .unwrap(),
        context: Some(json!({"purpose": "e2e"})),
        plaintext: STANDARD.decode(v["Plaintext"].as_str().unwrap()).unwrap(),
    });
    // The seeds open as they are: the property below is about the damage, not the setup.
    for s in &seeds {
        let mut req = json!({"CiphertextBlob": STANDARD.encode(&s.blob)});
        if let Some(c) = &s.context {
            req["EncryptionContext"] = c.clone();
        }
        let (status, _, text) = kms(addr, "Decrypt", &req);
        assert_eq!(status, 200, "{text}");
    }
    Shared {
        addr,
        key_id,
        seeds,
        _runtime: runtime,
        _server: server,
    }
}

#[test]
fn mutated_ciphertext_blobs_are_invalid_ciphertext_and_never_plaintext() {
    let server = shared();
    let addr = server.addr;
    let config = ProptestConfig {
        cases: cases(),
        ..ProptestConfig::default()
    };
    proptest!(config, |(
        seed in 0..server.seeds.len(),
        mutations in proptest::collection::vec(mutation(), 1..5),
        op in 0..3usize,
    )| {
        let s = &server.seeds[seed];
        let mut blob = s.blob.clone();
        for m in &mutations {
            apply(&mut blob, m);
        }
        prop_assume!(blob != s.blob && !blob.is_empty() && blob.len() <= 6144);
        let encoded = STANDARD.encode(&blob);
        let (operation, mut req) = match op {
            0 => ("Decrypt", json!({"CiphertextBlob": encoded})),
            1 => ("Decrypt", json!({"CiphertextBlob": encoded, "KeyId": server.key_id})),
            _ => ("ReEncrypt", json!({"CiphertextBlob": encoded, "DestinationKeyId": server.key_id})),
        };
        if let Some(c) = &s.context {
            let member = if operation == "ReEncrypt" { "SourceEncryptionContext" } else { "EncryptionContext" };
            req[member] = c.clone();
        }
        let (status, v, text) = kms(addr, operation, &req);
        prop_assert_eq!(status, 400, "{} of a changed blob answered: {}", operation, text);
        let kind = v["__type"].as_str().unwrap_or_default();
        let opaque = kind.ends_with("InvalidCiphertextException")
            && v.get("message").and_then(Value::as_str).unwrap_or_default().is_empty()
            && v.get("Message").and_then(Value::as_str).unwrap_or_default().is_empty();
        let renamed = operation == "ReEncrypt" && kind.ends_with("NotFoundException");
        prop_assert!(opaque || renamed, "{} refused with: {}", operation, text);
        for seed in &server.seeds {
            prop_assert!(!text.contains(&STANDARD.encode(&seed.plaintext)), "a plaintext in: {}", text);
        }
        let (health, _) = exchange(addr, b"GET /_health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        prop_assert_eq!(health, Some(200), "the server stopped answering");
    });
}
