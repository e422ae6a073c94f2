//! Property tests of the crypto core, each on every backend: round trips for all sizes and
//! contexts, single-bit flips anywhere are detected, AAD components cannot be swapped or
//! re-split, and nonces never repeat across 10^6 seals.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use ddbsse_crypto::{
    Backend, DataKeyId, EncryptionContext, ItemOpener, ItemSealer, KeyMaterial, TableKey, kms_blob,
    open_item_with,
};
use proptest::prelude::*;

use super::common::*;

/// Cheap deterministic filler for large plaintexts (proptest would generate byte by byte).
fn filled(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

fn item_len() -> impl Strategy<Value = usize> {
    prop_oneof![
        6 => 0usize..2048,
        2 => 2048usize..70_000,
        1 => Just(409_600usize),
    ]
}

fn table_arn() -> impl Strategy<Value = String> {
    (
        "[a-z]{2}-[a-z]{4,9}-[1-9]",
        "[0-9]{12}",
        "[A-Za-z0-9_.-]{3,255}",
    )
        .prop_map(|(region, account, table)| {
            format!("arn:aws:dynamodb:{region}:{account}:table/{table}")
        })
}

fn context() -> impl Strategy<Value = BTreeMap<String, String>> {
    prop::collection::btree_map("\\PC{0,12}", "\\PC{0,24}", 0..5)
}

fn to_ctx(map: &BTreeMap<String, String>) -> EncryptionContext {
    EncryptionContext::try_from(map.clone()).expect("short strings")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn kms_blob_round_trips_for_all_sizes_and_contexts(
        key in any::<[u8; 32]>(),
        nonce in any::<[u8; 12]>(),
        key_id in "[a-z0-9:/-]{1,90}",
        len in 0usize..=4096,
        seed in any::<u64>(),
        ctx in context(),
    ) {
        let material = KeyMaterial::from_bytes(key);
        let plaintext = filled(len, seed);
        let ctx = to_ctx(&ctx);
        let mut blobs = Vec::new();
        for backend in Backend::ALL {
            let blob = kms_blob::seal_with(*backend, &key_id, &material, &plaintext, &ctx, nonce)
                .expect("valid key id");
            prop_assert_eq!(kms_blob::key_id(&blob), Ok(key_id.as_str()));
            let opened = kms_blob::open_with(*backend, &material, &blob, &ctx).expect("opens");
            prop_assert_eq!(opened.as_slice(), plaintext.as_slice());
            blobs.push(blob);
        }
        prop_assert!(blobs.windows(2).all(|w| w[0] == w[1]));
    }

    #[test]
    fn items_round_trip_for_all_sizes(
        tk in any::<[u8; 32]>(),
        id in any::<[u8; 16]>(),
        sequence in 0u64..(1 << 32),
        arn in table_arn(),
        pk in prop::collection::vec(any::<u8>(), 0..96),
        len in item_len(),
        seed in any::<u64>(),
    ) {
        let tk = TableKey::from_material(KeyMaterial::from_bytes(tk));
        let plaintext = filled(len, seed);
        let mut envelopes = Vec::new();
        for backend in Backend::ALL {
            let sealer = ItemSealer::starting_at(*backend, &tk, &arn, DataKeyId::from_bytes(id), sequence)
                .expect("valid ARN");
            let envelope = sealer.seal(&pk, &plaintext).expect("seal");
            prop_assert_eq!(envelope.len(), plaintext.len() + 45);
            let mut opener = ItemOpener::with_backend(*backend, &tk, &arn).expect("valid ARN");
            prop_assert_eq!(opener.open(&pk, &envelope).expect("opens"), plaintext.clone());
            envelopes.push(envelope);
        }
        prop_assert!(envelopes.windows(2).all(|w| w[0] == w[1]));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn a_flipped_bit_anywhere_in_an_envelope_is_detected(
        tk in any::<[u8; 32]>(),
        pk in prop::collection::vec(any::<u8>(), 0..32),
        len in 0usize..300,
        seed in any::<u64>(),
        bit in any::<prop::sample::Index>(),
    ) {
        //= spec/key-hierarchy.md#decrypt-errors
        //= type=test
        //# Every failure to open a KMS blob or an item envelope MUST be reported as one and the same
        //# opaque error, whatever the cause.
        let tk = TableKey::from_material(KeyMaterial::from_bytes(tk));
        for backend in Backend::ALL {
            let sealer = ItemSealer::with_backend(*backend, &tk, TABLE_ARN_BOOKS, data_key_id("p"))
                .expect("valid");
            let mut envelope = sealer.seal(&pk, &filled(len, seed)).expect("seal");
            let bit = bit.index(envelope.len() * 8);
            envelope[bit / 8] ^= 1 << (bit % 8);
            prop_assert!(open_item_with(*backend, &tk, TABLE_ARN_BOOKS, &pk, &envelope).is_err());
        }
    }

    #[test]
    fn a_flipped_bit_anywhere_in_a_kms_blob_is_detected(
        key in any::<[u8; 32]>(),
        len in 0usize..300,
        seed in any::<u64>(),
        ctx in context(),
        bit in any::<prop::sample::Index>(),
    ) {
        let material = KeyMaterial::from_bytes(key);
        let ctx = to_ctx(&ctx);
        for backend in Backend::ALL {
            let mut blob = kms_blob::seal_with(*backend, KMS_KEY_ARN_A, &material, &filled(len, seed), &ctx, [5; 12])
                .expect("valid");
            let bit = bit.index(blob.len() * 8);
            blob[bit / 8] ^= 1 << (bit % 8);
            prop_assert!(kms_blob::open_with(*backend, &material, &blob, &ctx).is_err());
        }
    }

    #[test]
    fn item_aad_components_cannot_be_swapped_or_resplit(
        arn in table_arn(),
        pk in "[ -~]{1,40}",
        shift in 1usize..8,
    ) {
        //= spec/key-hierarchy.md#item-aad
        //= type=test
        //# The AAD MUST be `header || u32be(len(table_arn)) || table_arn || u32be(len(primary_key)) || primary_key`.
        let tk = table_key("swap");
        for backend in Backend::ALL {
            let sealer = ItemSealer::with_backend(*backend, &tk, &arn, data_key_id("swap")).expect("valid");
            let envelope = sealer.seal(pk.as_bytes(), b"item").expect("seal");
            let open = |arn: &str, pk: &[u8]| open_item_with(*backend, &tk, arn, pk, &envelope);
            prop_assert!(open(&arn, pk.as_bytes()).is_ok());
            // Swapped: the primary key used as the ARN and the ARN as the primary key.
            prop_assert!(open(&pk, arn.as_bytes()).is_err());
            // Re-split: move `shift` bytes from the end of the ARN to the front of the key.
            let cut = arn.len() - shift.min(arn.len() - 1);
            let moved_pk = [&arn.as_bytes()[cut..], pk.as_bytes()].concat();
            prop_assert!(open(&arn[..cut], &moved_pk).is_err());
            // And the other way: first bytes of the key appended to the ARN.
            let take = shift.min(pk.len());
            let longer_arn = format!("{arn}{}", &pk[..take]);
            prop_assert!(open(&longer_arn, &pk.as_bytes()[take..]).is_err());
        }
    }

    #[test]
    fn context_components_cannot_be_swapped_or_resplit(
        k in "[a-z]{1,12}",
        v in "[A-Z]{1,12}",
        shift in 1usize..6,
    ) {
        //= spec/key-hierarchy.md#context-encoding
        //= type=test
        //# The encoding is `u16be(n)` followed, for each pair in ascending order of the key's UTF-8
        //# bytes, by `u16be(len(key)) || key || u16be(len(value)) || value`.
        let material = kms_material("swap");
        let original = EncryptionContext::try_from(&[(k.as_str(), v.as_str())][..]).expect("short");
        let swapped = EncryptionContext::try_from(&[(v.as_str(), k.as_str())][..]).expect("short");
        let cut = k.len() - shift.min(k.len());
        let moved_value = format!("{}{v}", &k[cut..]);
        let resplit = EncryptionContext::try_from(&[(&k[..cut], moved_value.as_str())][..]).expect("short");
        for backend in Backend::ALL {
            let blob = kms_blob::seal_with(*backend, KMS_KEY_ARN_A, &material, b"x", &original, [1; 12])
                .expect("valid");
            prop_assert!(kms_blob::open_with(*backend, &material, &blob, &original).is_ok());
            prop_assert!(kms_blob::open_with(*backend, &material, &blob, &swapped).is_err());
            prop_assert!(kms_blob::open_with(*backend, &material, &blob, &resplit).is_err());
        }
    }
}

#[test]
fn every_single_bit_flip_is_detected_exhaustively() {
    let tk = table_key("flip");
    let kms = kms_material("flip");
    let ctx = books_context();
    for backend in Backend::ALL {
        let sealer = ItemSealer::with_backend(*backend, &tk, TABLE_ARN_BOOKS, data_key_id("flip"))
            .expect("valid");
        let envelope = sealer.seal(b"S:user#1", &pattern(64)).expect("seal");
        let mut opener = ItemOpener::with_backend(*backend, &tk, TABLE_ARN_BOOKS).expect("valid");
        for bit in 0..envelope.len() * 8 {
            let mut edited = envelope.clone();
            edited[bit / 8] ^= 1 << (bit % 8);
            assert!(
                opener.open(b"S:user#1", &edited).is_err(),
                "envelope bit {bit}"
            );
        }
        assert!(opener.open(b"S:user#1", &envelope).is_ok());
        let blob = kms_blob::seal_with(*backend, KMS_KEY_ARN_A, &kms, &[7; 32], &ctx, [3; 12])
            .expect("valid");
        for bit in 0..blob.len() * 8 {
            let mut edited = blob.clone();
            edited[bit / 8] ^= 1 << (bit % 8);
            assert!(
                kms_blob::open_with(*backend, &kms, &edited, &ctx).is_err(),
                "blob bit {bit}"
            );
        }
    }
}

#[test]
fn nonces_never_repeat_across_a_million_seals() {
    //= spec/key-hierarchy.md#item-nonces
    //= type=test
    //# Each sequence number MUST be used for at most one seal.
    const THREADS: usize = 2;
    let tk = table_key("nonces");
    for backend in Backend::ALL {
        // 10^6 seals on the default backend. The sequence logic is shared by all backends, and
        // RustCrypto's generic AES-GCM is compiled at this crate's debug opt-level (about 7 us
        // per seal), so other backends seal 10^5 to keep the test at a few seconds.
        let seals: usize = if *backend == Backend::DEFAULT {
            1_000_000
        } else {
            100_000
        };
        // One sealer shared by two threads (the atomic counter is what is under test), then a
        // second sealer: (data-key id, nonce) pairs must all differ.
        let sealer = Arc::new(
            ItemSealer::with_backend(*backend, &tk, TABLE_ARN_BOOKS, data_key_id("n1"))
                .expect("ok"),
        );
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let sealer = Arc::clone(&sealer);
                std::thread::spawn(move || {
                    let mut out = Vec::with_capacity(64);
                    let mut headers = Vec::with_capacity(seals / THREADS);
                    for _ in 0..seals / THREADS {
                        sealer.seal_into(b"pk", b"", &mut out).expect("seal");
                        let header: [u8; 29] = out[..29].try_into().expect("29-byte header");
                        headers.push(header);
                    }
                    headers
                })
            })
            .collect();
        // Sorting the sequence numbers is much cheaper than hashing 10^6 headers in a debug
        // build; every header must name the sealer's id and carry a zero fixed field.
        let id = data_key_id("n1");
        let mut sequences = Vec::with_capacity(seals);
        for handle in handles {
            for header in handle.join().expect("sealing thread") {
                assert_eq!(header[0], 0x01);
                assert_eq!(&header[1..17], id.as_bytes());
                assert_eq!(&header[17..21], &[0, 0, 0, 0]);
                sequences.push(u64::from_be_bytes(
                    header[21..29].try_into().expect("8 bytes"),
                ));
            }
        }
        sequences.sort_unstable();
        sequences.dedup();
        assert_eq!(sequences.len(), seals, "a nonce repeated");
        assert_eq!(
            sequences.last(),
            Some(&(seals as u64 - 1)),
            "sequence numbers skipped"
        );
        let mut seen: HashSet<[u8; 29]> = sequences
            .iter()
            .take(16)
            .map(|s| {
                let mut header = [0u8; 29];
                header[0] = 1;
                header[1..17].copy_from_slice(id.as_bytes());
                header[21..29].copy_from_slice(&s.to_be_bytes());
                header
            })
            .collect();
        let second = ItemSealer::with_backend(*backend, &tk, TABLE_ARN_BOOKS, data_key_id("n2"))
            .expect("ok");
        for _ in 0..16 {
            let env = second.seal(b"pk", b"").expect("seal");
            let header: [u8; 29] = env[..29].try_into().expect("29-byte header");
            assert!(
                seen.insert(header),
                "a second sealer repeated a (data key, nonce) pair"
            );
        }
    }
}
