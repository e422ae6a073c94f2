//! Generated hostile KMS ciphertext blobs: real blobs (Encrypt/GenerateDataKey plaintexts under
//! the end-to-end script's encryption contexts, and the wrapped table keys DynamoDB stores)
//! mutated at the byte level (flips, insertions, deletions, truncations, duplicated slices,
//! forged key-id lengths and version bytes, blobs grafted onto each other).
//!
//! Invariants: reading the key id, opening and unwrapping never panic; a blob that differs from
//! what was sealed never opens, under any backend, and fails with the one opaque error (whose
//! text carries nothing of the plaintext); a wrapped table key that was changed never unwraps.
//!
//! Cases: `PROPTEST_CASES` (default 3000, what CI runs); `scripts/hostile-input.sh` runs a
//! longer campaign. Failing inputs are kept in `tests/proptest-regressions/hostile.txt`.

use ddbsse_crypto::{Backend, EncryptionContext, KeyMaterial, TableKey, kms_blob};
use proptest::prelude::*;

use crate::common::{KMS_KEY_ARN_A, KMS_KEY_ARN_B, books_context, kms_material};

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(3000)
}

/// One byte-level change to a blob.
#[derive(Clone, Debug)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize, usize),
    Truncate(usize),
    Duplicate(usize, usize),
    /// Overwrites the big-endian key-id length (bytes 1..3).
    KeyIdLength(u16),
    /// Overwrites the version byte.
    Version(u8),
    /// Appends the tail of the other seed blob from an offset.
    Graft(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<usize>(), 1u8..=255).prop_map(|(i, b)| Mutation::Flip(i, b)),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        1 => (any::<usize>(), 1usize..40).prop_map(|(i, n)| Mutation::Delete(i, n)),
        2 => any::<usize>().prop_map(Mutation::Truncate),
        1 => (any::<usize>(), 1usize..64).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
        1 => prop_oneof![Just(0u16), Just(1), Just(2048), Just(2049), Just(u16::MAX), any::<u16>()]
            .prop_map(Mutation::KeyIdLength),
        1 => any::<u8>().prop_map(Mutation::Version),
        1 => any::<usize>().prop_map(Mutation::Graft),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation, other: &[u8]) {
    let len = bytes.len();
    let at = |i: usize| if len == 0 { 0 } else { i % len };
    match *m {
        Mutation::Flip(i, b) if len > 0 => bytes[at(i)] ^= b,
        Mutation::Insert(i, b) => bytes.insert(i % (len + 1), b),
        Mutation::Delete(i, n) if len > 0 => {
            let start = at(i);
            bytes.drain(start..(start + n).min(len));
        }
        Mutation::Truncate(i) => bytes.truncate(i % (len + 1)),
        Mutation::Duplicate(i, n) if len > 0 => {
            let start = at(i);
            let end = (start + n).min(len);
            let slice = bytes[start..end].to_vec();
            bytes.splice(end..end, slice);
        }
        Mutation::KeyIdLength(n) if len >= 3 => bytes[1..3].copy_from_slice(&n.to_be_bytes()),
        Mutation::Version(v) if len >= 1 => bytes[0] = v,
        Mutation::Graft(i) if !other.is_empty() => {
            bytes.extend_from_slice(&other[i % other.len()..]);
        }
        _ => {}
    }
}

/// The encryption contexts of the end-to-end script's KMS calls and of DynamoDB's table keys.
fn context(which: usize) -> EncryptionContext {
    let mut ctx = EncryptionContext::new();
    match which % 3 {
        0 => {}
        1 => {
            ctx.insert("purpose", "e2e").expect("valid pair");
        }
        _ => return books_context(),
    }
    ctx
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    //= spec/key-hierarchy.md#decrypt-errors
    //= type=test
    //# Every failure to open a KMS blob or an item envelope MUST be reported as one and the same
    //# opaque error, whatever the cause.
    #[test]
    fn mutated_kms_blobs_never_open_and_fail_opaquely(
        plaintext in prop::collection::vec(any::<u8>(), 1..96),
        which_ctx in 0usize..3,
        key_b in any::<bool>(),
        nonce in any::<[u8; 12]>(),
        mutations in prop::collection::vec(mutation(), 1..5),
    ) {
        let material = kms_material("hostile");
        let ctx = context(which_ctx);
        let arn = if key_b { KMS_KEY_ARN_B } else { KMS_KEY_ARN_A };
        let original = kms_blob::seal(arn, &material, &plaintext, &ctx, nonce).expect("seals");
        let other = kms_blob::seal(KMS_KEY_ARN_A, &material, b"other", &ctx, [9; 12]).expect("seals");
        let mut blob = original.clone();
        for m in &mutations {
            apply(&mut blob, m, &other);
        }
        // The damage may rebuild the other genuine blob whole (its header, then its tail), which
        // rightly opens: only blobs that were never sealed must fail.
        prop_assume!(blob != original && blob != other);
        let _ = kms_blob::key_id(&blob);
        for backend in Backend::ALL {
            let opened = kms_blob::open_with(*backend, &material, &blob, &ctx);
            prop_assert!(opened.is_err(), "a changed blob opened on {:?}", backend);
            // The one opaque error: a unit value that carries nothing of the blob or plaintext.
            if let Err(e) = opened {
                prop_assert_eq!(e, ddbsse_crypto::DecryptError);
                prop_assert_eq!(e.to_string(), "decryption failed");
            }
        }
    }

    //= spec/key-hierarchy.md#table-key
    //= type=test
    //# An unwrapped table key whose plaintext is not exactly 32 bytes MUST be rejected with the
    //# same opaque error as a blob that fails to open.
    #[test]
    fn mutated_wrapped_table_keys_never_unwrap(
        key in any::<[u8; 32]>(),
        nonce in any::<[u8; 12]>(),
        mutations in prop::collection::vec(mutation(), 1..5),
    ) {
        let kms = kms_material("table keys");
        let ctx = books_context();
        let table_key = TableKey::from_material(KeyMaterial::from_bytes(key));
        let original = table_key.wrap(KMS_KEY_ARN_A, &kms, &ctx, nonce).expect("wraps");
        // A blob sealing 31 or 33 bytes is well formed and authentic, yet no table key.
        let odd = kms_blob::seal(KMS_KEY_ARN_A, &kms, &key[..31], &ctx, nonce).expect("seals");
        prop_assert!(TableKey::unwrap(&kms, &odd, &ctx).is_err());
        let mut blob = original.clone();
        for m in &mutations {
            apply(&mut blob, m, &odd);
        }
        prop_assume!(blob != original);
        for backend in Backend::ALL {
            prop_assert!(TableKey::unwrap_with(*backend, &kms, &blob, &ctx).is_err());
        }
    }
}
