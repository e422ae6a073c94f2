//! Wycheproof's AES-GCM and HKDF-SHA256 suites (`fixtures/wycheproof/`) on every backend.
//!
//! Vectors that do not apply to AES-256-GCM with 96-bit nonces and 128-bit tags are counted
//! and reported as skipped with the reason; none is dropped silently. The counts are asserted
//! against the file's own `numberOfTests`, so a changed file cannot shrink the run unnoticed.

use std::collections::BTreeMap;

use ddbsse_crypto::{Backend, KeyMaterial};
use serde_json::Value;

use super::common::repo_root;

fn load(name: &str) -> Value {
    let path = repo_root().join("fixtures/wycheproof").join(name);
    let text = std::fs::read_to_string(&path).expect("the Wycheproof fixture is committed");
    serde_json::from_str(&text).expect("the Wycheproof fixture is JSON")
}

fn bytes(test: &Value, field: &str) -> Vec<u8> {
    hex::decode(test[field].as_str().expect("hex field")).expect("valid hex")
}

#[derive(Default)]
struct Tally {
    passed: usize,
    skipped: BTreeMap<String, usize>,
}

impl Tally {
    fn skip(&mut self, reason: String) {
        *self.skipped.entry(reason).or_default() += 1;
    }

    fn total(&self) -> usize {
        self.passed + self.skipped.values().sum::<usize>()
    }

    fn report(&self, suite: &str, backend: Backend) {
        eprintln!(
            "wycheproof {suite} [{}]: {} passed, {} skipped",
            backend.name(),
            self.passed,
            self.skipped.values().sum::<usize>()
        );
        for (reason, n) in &self.skipped {
            eprintln!("  skipped {n}: {reason}");
        }
    }
}

#[test]
fn wycheproof_aes_gcm_on_every_backend() {
    //= spec/key-hierarchy.md#backends
    //= type=test
    //# Every vector of `fixtures/vectors/` and of `fixtures/wycheproof/` that applies to AES-256-GCM with a 96-bit nonce, or to HKDF-SHA256, MUST pass on every backend.
    //= spec/key-hierarchy.md#primitives
    //= type=test
    //# Every encryption in this file MUST use AES-256-GCM with a 12-byte nonce and a 16-byte tag.
    let suite = load("aes_gcm_test.json");
    let declared = suite["numberOfTests"].as_u64().expect("count") as usize;
    for backend in Backend::ALL {
        let mut tally = Tally::default();
        for group in suite["testGroups"].as_array().expect("groups") {
            let key_bits = group["keySize"].as_u64().expect("keySize");
            let iv_bits = group["ivSize"].as_u64().expect("ivSize");
            let tag_bits = group["tagSize"].as_u64().expect("tagSize");
            for test in group["tests"].as_array().expect("tests") {
                if key_bits != 256 {
                    tally.skip(format!("{key_bits}-bit key (only AES-256 is used)"));
                    continue;
                }
                if iv_bits != 96 {
                    tally.skip(format!("{iv_bits}-bit nonce (only 96-bit nonces are used)"));
                    continue;
                }
                if tag_bits != 128 {
                    tally.skip(format!("{tag_bits}-bit tag (only 128-bit tags are used)"));
                    continue;
                }
                check_aes_gcm(*backend, test);
                tally.passed += 1;
            }
        }
        tally.report("aes_gcm_test.json", *backend);
        assert_eq!(tally.total(), declared, "every test counted");
        assert!(tally.passed >= 60, "the applicable AES-256 vectors ran");
    }
}

fn check_aes_gcm(backend: Backend, test: &Value) {
    let id = &test["tcId"];
    let key = KeyMaterial::from_slice(&bytes(test, "key")).expect("32-byte key");
    let nonce: [u8; 12] = bytes(test, "iv").try_into().expect("96-bit nonce");
    let (aad, msg, ct) = (bytes(test, "aad"), bytes(test, "msg"), bytes(test, "ct"));
    let tag: [u8; 16] = bytes(test, "tag").try_into().expect("128-bit tag");
    let aead = backend.aead_key(&key);
    let mut out = vec![0u8; ct.len()];
    let opened = aead.open_to(&nonce, &aad, &ct, &tag, &mut out);
    match test["result"].as_str() {
        Some("valid") => {
            assert!(opened.is_ok(), "tcId {id}: valid vector did not open");
            assert_eq!(out, msg, "tcId {id}: plaintext");
            let mut sealed = vec![0u8; msg.len()];
            let got = aead.seal_to(&nonce, &aad, &msg, &mut sealed).expect("seal");
            assert_eq!(sealed, ct, "tcId {id}: ciphertext");
            assert_eq!(got, tag, "tcId {id}: tag");
            let mut in_place = msg.clone();
            let got = aead
                .seal_in_place(&nonce, &aad, &mut in_place)
                .expect("seal");
            assert_eq!((in_place, got), (ct, tag), "tcId {id}: in-place seal");
        }
        Some("invalid") => {
            assert!(opened.is_err(), "tcId {id}: invalid vector opened");
            //= spec/key-hierarchy.md#decrypt-errors
            //= type=test
            //# Plaintext that failed verification MUST NOT be returned, and buffers that held it SHOULD be
            //# cleared.
            assert!(out.iter().all(|b| *b == 0), "tcId {id}: output cleared");
        }
        other => panic!("tcId {id}: unexpected result {other:?}"),
    }
}

#[test]
fn wycheproof_hkdf_sha256_on_every_backend() {
    //= spec/key-hierarchy.md#primitives
    //= type=test
    //# Every key derivation in this file MUST use HKDF-SHA256.
    //= spec/key-hierarchy.md#backends
    //= type=test
    //# Every vector of `fixtures/vectors/` and of `fixtures/wycheproof/` that applies to AES-256-GCM
    //# with a 96-bit nonce, or to HKDF-SHA256, MUST pass on every backend.
    let suite = load("hkdf_sha256_test.json");
    let declared = suite["numberOfTests"].as_u64().expect("count") as usize;
    for backend in Backend::ALL {
        let mut tally = Tally::default();
        for group in suite["testGroups"].as_array().expect("groups") {
            for test in group["tests"].as_array().expect("tests") {
                let id = &test["tcId"];
                let size = test["size"].as_u64().expect("size") as usize;
                let mut okm = vec![0u8; size];
                let got = backend.hkdf_sha256(
                    &bytes(test, "salt"),
                    &bytes(test, "ikm"),
                    &bytes(test, "info"),
                    &mut okm,
                );
                match test["result"].as_str() {
                    Some("valid") => {
                        assert!(got.is_ok(), "tcId {id}: refused");
                        assert_eq!(okm, bytes(test, "okm"), "tcId {id}: okm");
                    }
                    Some("invalid") => assert!(got.is_err(), "tcId {id}: accepted"),
                    other => panic!("tcId {id}: unexpected result {other:?}"),
                }
                tally.passed += 1;
            }
        }
        tally.report("hkdf_sha256_test.json", *backend);
        assert_eq!(tally.total(), declared, "every test counted");
        assert!(tally.skipped.is_empty());
    }
}
