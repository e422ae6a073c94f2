//! Behaviour of the crypto API that the vectors and properties do not cover: redaction,
//! error opacity, limits, sealer exhaustion, the opener's cache, and backend agreement.

use ddbsse_crypto::{
    Backend, ContextError, DecryptError, EncryptionContext, ItemOpener, ItemSealer, KeyMaterial,
    MAX_SEALS_PER_DATA_KEY, SealError, TableKey, data_key, envelope, item_nonce, kms_blob,
    open_item_with,
};

use super::common::*;

#[test]
fn key_material_and_keys_never_print_their_bytes() {
    //= spec/key-hierarchy.md#key-material
    //= type=test
    //# Key material MUST be overwritten with zeros when it is dropped, and MUST NOT appear in logs,
    //# error messages or debug output.
    let material = KeyMaterial::from_bytes([0xab; 32]);
    assert_eq!(format!("{material:?}"), "KeyMaterial(<redacted>)");
    assert_eq!(format!("{material:#?}"), "KeyMaterial(<redacted>)");
    let table = TableKey::from_material(material.clone());
    assert_eq!(format!("{table:?}"), "TableKey(<redacted>)");
    for backend in Backend::ALL {
        let aead = backend.aead_key(&material);
        let shown = format!("{aead:?}");
        assert!(!shown.to_lowercase().contains("abab"), "{shown}");
        let sealer = ItemSealer::with_backend(*backend, &table, TABLE_ARN_BOOKS, data_key_id("id"))
            .expect("valid ARN");
        let shown = format!("{sealer:?}");
        assert!(!shown.to_lowercase().contains("abab"), "{shown}");
    }
}

#[test]
fn key_material_zeroizes_in_place() {
    use zeroize::Zeroize;
    let mut material = KeyMaterial::from_bytes([7; 32]);
    material.zeroize();
    assert_eq!(material.expose_secret(), &[0u8; 32]);
}

#[test]
fn decrypt_error_is_one_opaque_value() {
    //= spec/key-hierarchy.md#decrypt-errors
    //= type=test
    //# Every failure to open a KMS blob or an item envelope MUST be reported as one and the same
    //# opaque error, whatever the cause.
    //= spec/key-hierarchy.md#decrypt-errors
    //= type=test
    //# The error MUST NOT carry key material, plaintext, or which of key, context, table, primary key,
    //# length or version was wrong.
    assert_eq!(DecryptError.to_string(), "decryption failed");
    assert_eq!(format!("{DecryptError:?}"), "DecryptError");
    let material = kms_material("kms-a");
    let blob = kms_blob::seal(
        KMS_KEY_ARN_A,
        &material,
        b"secret",
        &books_context(),
        [1; 12],
    )
    .expect("valid key id");
    let wrong_key = kms_blob::open(&kms_material("kms-b"), &blob, &books_context());
    let wrong_ctx = kms_blob::open(&material, &blob, &EncryptionContext::new());
    let truncated = kms_blob::open(&material, &blob[..blob.len() - 1], &books_context());
    assert_eq!(wrong_key.err(), Some(DecryptError));
    assert_eq!(wrong_ctx.err(), Some(DecryptError));
    assert_eq!(truncated.err(), Some(DecryptError));
}

#[test]
fn context_encoding_matches_the_spec_example() {
    //= spec/key-hierarchy.md#context-encoding
    //= type=test
    //# The encoding is `u16be(n)` followed, for each pair in ascending order of the key's UTF-8
    //# bytes, by `u16be(len(key)) || key || u16be(len(value)) || value`.
    let ctx = EncryptionContext::try_from(&[("b", "2"), ("a", "1")][..]).expect("short");
    assert_eq!(
        hex::encode(ctx.canonical_bytes()),
        "00020001610001310001620001 32".replace(' ', "")
    );
    assert_eq!(EncryptionContext::new().canonical_bytes(), vec![0, 0]);
}

#[test]
fn context_refuses_what_the_encoding_cannot_express() {
    //= spec/key-hierarchy.md#context-encoding
    //= type=test
    //# A context MUST have at most 65535 pairs, and each key and each value MUST be at most 65535 bytes long.
    let mut ctx = EncryptionContext::new();
    let long = "x".repeat(65536);
    assert_eq!(
        ctx.insert(long.clone(), "v"),
        Err(ContextError::EntryTooLong)
    );
    assert_eq!(ctx.insert("k", long), Err(ContextError::EntryTooLong));
    assert!(ctx.insert("k", "x".repeat(65535)).is_ok());
}

#[test]
fn kms_blob_key_id_limits() {
    //= spec/key-hierarchy.md#kms-blob-layout
    //= type=test
    //# `key_id_len` is the length in bytes of `key_id`, from 1 to 2048.
    let material = kms_material("kms-a");
    let ctx = EncryptionContext::new();
    assert_eq!(
        kms_blob::seal("", &material, b"x", &ctx, [0; 12]),
        Err(SealError::KeyIdLength(0))
    );
    let long = "k".repeat(2049);
    assert_eq!(
        kms_blob::seal(&long, &material, b"x", &ctx, [0; 12]),
        Err(SealError::KeyIdLength(2049))
    );
    let max = "k".repeat(2048);
    let blob = kms_blob::seal(&max, &material, b"x", &ctx, [0; 12]).expect("2048 is allowed");
    assert_eq!(kms_blob::key_id(&blob), Ok(max.as_str()));
    assert_eq!(blob.len(), kms_blob::FIXED_OVERHEAD + 2048 + 1);
}

#[test]
fn kms_blob_header_names_the_key_and_edits_fail() {
    //= spec/key-hierarchy.md#kms-blob-open
    //= type=test
    //# Reading the key id from the header MAY be done before opening, to choose the key material; that key id is not authenticated until the blob opens.
    //= spec/key-hierarchy.md#kms-blob-layout
    //= type=test
    //# `key_id` names the KMS key whose material sealed the blob; ddbsse targets MUST write the key
    //# ARN there, so that Decrypt can find the key and return its ARN without a `KeyId` in the
    //# request.
    for backend in Backend::ALL {
        let material = kms_material("kms-a");
        let ctx = books_context();
        let blob = kms_blob::seal_with(*backend, KMS_KEY_ARN_A, &material, b"pt", &ctx, [9; 12])
            .expect("valid");
        assert_eq!(kms_blob::key_id(&blob), Ok(KMS_KEY_ARN_A));
        // Edit the key id to name key B (same length): it no longer opens under key A, and
        // key B's material does not open it either.
        let mut edited = blob.clone();
        let at = 3 + KMS_KEY_ARN_A.len() - 1;
        edited[at] ^= 0x01;
        assert_ne!(kms_blob::key_id(&edited), Ok(KMS_KEY_ARN_A));
        assert!(kms_blob::open_with(*backend, &material, &edited, &ctx).is_err());
        assert!(kms_blob::open_with(*backend, &kms_material("kms-b"), &edited, &ctx).is_err());
        // Invalid UTF-8 in the key id is rejected by key_id() as well as open().
        let mut bad_utf8 = blob.clone();
        bad_utf8[3] = 0xff;
        assert_eq!(kms_blob::key_id(&bad_utf8), Err(DecryptError));
    }
}

#[test]
fn table_key_unwrap_requires_32_bytes_and_the_table_context() {
    //= spec/key-hierarchy.md#table-key
    //= type=test
    //# An unwrapped table key whose plaintext is not exactly 32 bytes MUST be rejected with the
    //# same opaque error as a blob that fails to open.
    //= spec/key-hierarchy.md#table-key
    //= type=test
    //# The table key MUST be the 32-byte `Plaintext` of a GenerateDataKey request with `KeySpec`
    //# `AES_256` under the table's KMS key.
    //= spec/key-hierarchy.md#table-key
    //= type=test
    //# The encryption context of every KMS operation on a table key MUST be exactly the two pairs
    //# `aws:dynamodb:tableName` = the table name and `aws:dynamodb:subscriberId` = the account id.
    for backend in Backend::ALL {
        let kms = kms_material("kms-a");
        let ctx = books_context();
        let short = kms_blob::seal_with(*backend, KMS_KEY_ARN_A, &kms, &[1; 31], &ctx, [2; 12])
            .expect("valid");
        assert_eq!(
            TableKey::unwrap_with(*backend, &kms, &short, &ctx).err(),
            Some(DecryptError)
        );
        let tk = table_key("tk");
        let wrapped = tk
            .wrap_with(*backend, KMS_KEY_ARN_A, &kms, &ctx, [3; 12])
            .expect("valid");
        let back = TableKey::unwrap_with(*backend, &kms, &wrapped, &ctx).expect("opens");
        assert_eq!(
            back.material().expose_secret(),
            tk.material().expose_secret()
        );
        let other = EncryptionContext::for_table("Music", "111122223333").expect("short");
        assert!(TableKey::unwrap_with(*backend, &kms, &wrapped, &other).is_err());
    }
}

#[test]
fn sealer_refuses_after_2_pow_32_seals() {
    //= spec/key-hierarchy.md#item-nonces
    //= type=test
    //# A sealer MUST NOT seal more than 2^32 items under one data key.
    for backend in Backend::ALL {
        let tk = table_key("tk");
        let sealer = ItemSealer::starting_at(
            *backend,
            &tk,
            TABLE_ARN_BOOKS,
            data_key_id("id"),
            MAX_SEALS_PER_DATA_KEY - 2,
        )
        .expect("valid ARN");
        assert_eq!(sealer.seals_remaining(), 2);
        let first = sealer.seal(b"pk", b"a").expect("sequence 2^32-2");
        let last = sealer.seal(b"pk", b"b").expect("sequence 2^32-1");
        assert_eq!(&first[17..29], &item_nonce(MAX_SEALS_PER_DATA_KEY - 2));
        assert_eq!(&last[17..29], &item_nonce(MAX_SEALS_PER_DATA_KEY - 1));
        assert_eq!(sealer.seal(b"pk", b"c"), Err(SealError::DataKeyExhausted));
        assert_eq!(sealer.seal(b"pk", b"d"), Err(SealError::DataKeyExhausted));
        assert_eq!(sealer.seals_remaining(), 0);
        // The refused seals left the last good envelope openable.
        assert_eq!(
            open_item_with(*backend, &tk, TABLE_ARN_BOOKS, b"pk", &last).expect("opens"),
            b"b"
        );
    }
}

#[test]
fn sealer_nonces_count_from_zero() {
    //= spec/key-hierarchy.md#item-nonces
    //= type=test
    //# The nonce of the item sealed with sequence number `i` MUST be the 12 bytes
    //# `0x00 0x00 0x00 0x00 || u64be(i)`.
    let sealer =
        ItemSealer::new(&table_key("tk"), TABLE_ARN_BOOKS, data_key_id("id")).expect("valid");
    for i in 0..3u64 {
        let env = sealer.seal(b"pk", b"x").expect("seal");
        let mut expected = [0u8; 12];
        expected[4..].copy_from_slice(&i.to_be_bytes());
        assert_eq!(&env[17..29], &expected);
        assert_eq!(&env[1..17], data_key_id("id").as_bytes());
        assert_eq!(env[0], 0x01);
        assert_eq!(env.len(), envelope::OVERHEAD + 1);
    }
}

#[test]
fn table_arn_limits() {
    let tk = table_key("tk");
    assert!(ItemSealer::new(&tk, "", data_key_id("id")).is_err());
    assert!(ItemSealer::new(&tk, &"a".repeat(2049), data_key_id("id")).is_err());
    assert!(ItemOpener::new(&tk, &"a".repeat(2049)).is_err());
    assert!(ItemSealer::new(&tk, &"a".repeat(2048), data_key_id("id")).is_ok());
}

#[test]
fn opener_caches_only_keys_that_opened_something() {
    //= spec/key-hierarchy.md#item-open
    //= type=test
    //# An opener MAY cache derived data keys by data-key id; it SHOULD add a key to its cache only after an envelope under that key opened, so that forged envelopes cannot fill the cache.
    for backend in Backend::ALL {
        let tk = table_key("tk");
        let sealer = ItemSealer::with_backend(*backend, &tk, TABLE_ARN_BOOKS, data_key_id("one"))
            .expect("valid");
        let env = sealer.seal(b"pk", b"value").expect("seal");
        let mut opener = ItemOpener::with_backend(*backend, &tk, TABLE_ARN_BOOKS)
            .expect("valid")
            .with_capacity(2);
        // A forged envelope with another data-key id fails and is not cached.
        let mut forged = env.clone();
        forged[1] ^= 0x80;
        assert_eq!(opener.open(b"pk", &forged), Err(DecryptError));
        assert_eq!(opener.cached_data_keys(), 0);
        assert_eq!(opener.open(b"pk", &env).expect("opens"), b"value");
        assert_eq!(opener.cached_data_keys(), 1);
        // Warm path, reusing a buffer.
        let mut out = vec![0xee; 1000];
        opener.open_into(b"pk", &env, &mut out).expect("opens");
        assert_eq!(out, b"value");
        //= spec/key-hierarchy.md#decrypt-errors
        //= type=test
        //# Plaintext that failed verification MUST NOT be returned, and buffers that held it SHOULD be
        //# cleared.
        // Wrong primary key on a warm key fails and clears the buffer.
        assert_eq!(
            opener.open_into(b"other", &env, &mut out),
            Err(DecryptError)
        );
        assert!(out.is_empty());
        // Capacity is respected.
        for label in ["two", "three", "four"] {
            let s = ItemSealer::with_backend(*backend, &tk, TABLE_ARN_BOOKS, data_key_id(label))
                .expect("valid");
            opener.prime(&s);
            let e = s.seal(b"pk", label.as_bytes()).expect("seal");
            assert_eq!(opener.open(b"pk", &e).expect("opens"), label.as_bytes());
            assert!(opener.cached_data_keys() <= 2);
        }
    }
}

#[test]
fn seal_into_reuses_the_buffer_and_matches_seal() {
    for backend in Backend::ALL {
        let tk = table_key("tk");
        let a = ItemSealer::starting_at(*backend, &tk, TABLE_ARN_BOOKS, data_key_id("x"), 5)
            .expect("valid");
        let b = ItemSealer::starting_at(*backend, &tk, TABLE_ARN_BOOKS, data_key_id("x"), 5)
            .expect("valid");
        let mut out = vec![0x55; 10_000];
        a.seal_into(b"pk", &pattern(300), &mut out).expect("seal");
        assert_eq!(out, b.seal(b"pk", &pattern(300)).expect("seal"));
    }
}

#[test]
fn backends_agree_on_data_keys_and_envelopes() {
    //= spec/key-hierarchy.md#backends
    //= type=test
    //# Every backend MUST produce byte-identical output for identical inputs.
    //= spec/key-hierarchy.md#table-key
    //= type=test
    //# The table key MUST NOT be used as an AES key; it is only the input keying material of section
    //# 9.
    let tk = table_key("tk");
    let id = data_key_id("id");
    let mut keys = Vec::new();
    let mut envelopes = Vec::new();
    for backend in Backend::ALL {
        keys.push(*data_key::derive_data_key_material(*backend, &tk, &id).expose_secret());
        //= spec/key-hierarchy.md#data-key-derivation
        //= type=test
        //# The data key MUST be `HKDF-SHA256(salt = data_key_id, IKM = table_key, info, L = 32)`.
        let sealer = ItemSealer::with_backend(*backend, &tk, TABLE_ARN_BOOKS, id).expect("valid");
        envelopes.push(sealer.seal(b"pk", &pattern(5000)).expect("seal"));
    }
    assert!(keys.windows(2).all(|w| w[0] == w[1]));
    assert_ne!(
        &keys[0],
        tk.material().expose_secret(),
        "the table key is not the AES key"
    );
    assert!(envelopes.windows(2).all(|w| w[0] == w[1]));
    // And each backend opens what the others sealed.
    for backend in Backend::ALL {
        for env in &envelopes {
            let pt = open_item_with(*backend, &tk, TABLE_ARN_BOOKS, b"pk", env).expect("opens");
            assert_eq!(pt, pattern(5000));
        }
    }
}

#[test]
fn default_backend_follows_the_features() {
    #[cfg(feature = "backend-rustcrypto")]
    assert_eq!(Backend::DEFAULT, Backend::RustCrypto);
    #[cfg(all(feature = "backend-aws-lc", not(feature = "backend-rustcrypto")))]
    assert_eq!(Backend::DEFAULT.name(), "aws-lc-rs");
    assert!(Backend::ALL.contains(&Backend::RustCrypto));
}

#[test]
fn max_item_round_trips() {
    //= spec/key-hierarchy.md#envelope-layout
    //= type=test
    //# An envelope is therefore 45 bytes longer than its plaintext; plaintexts from 0 bytes to the 400 KB DynamoDB item limit (409,600 bytes) MUST be supported.
    for backend in Backend::ALL {
        let tk = table_key("tk");
        let sealer = ItemSealer::with_backend(*backend, &tk, TABLE_ARN_BOOKS, data_key_id("big"))
            .expect("valid");
        let item = pattern(envelope::MAX_ITEM_LEN);
        let env = sealer.seal(b"pk", &item).expect("seal");
        assert_eq!(env.len(), item.len() + 45);
        let mut opener = ItemOpener::with_backend(*backend, &tk, TABLE_ARN_BOOKS).expect("ok");
        assert_eq!(opener.open(b"pk", &env).expect("opens"), item);
        assert_eq!(opener.open(b"pk", &env[..0]), Err(DecryptError));
    }
}

#[test]
fn context_keys_sort_bytewise() {
    //= spec/key-hierarchy.md#context-encoding
    //= type=test
    //# Keys MUST be ordered by unsigned byte-wise lexicographic comparison of their UTF-8 encodings, a
    //# shorter key that is a prefix of a longer one coming first.
    let ctx = EncryptionContext::try_from(
        &[
            ("\u{e9}", "4"),
            ("b", "3"),
            ("ab", "2"),
            ("a", "1"),
            ("Z", "0"),
        ][..],
    )
    .expect("short");
    let encoded = ctx.canonical_bytes();
    // Walk the encoding and collect the keys in the order they appear.
    let mut keys = Vec::new();
    let mut at = 2;
    while at < encoded.len() {
        let klen = usize::from(u16::from_be_bytes([encoded[at], encoded[at + 1]]));
        keys.push(encoded[at + 2..at + 2 + klen].to_vec());
        at += 2 + klen;
        let vlen = usize::from(u16::from_be_bytes([encoded[at], encoded[at + 1]]));
        at += 2 + vlen;
    }
    let expected: Vec<Vec<u8>> = ["Z", "a", "ab", "b", "\u{e9}"]
        .iter()
        .map(|k| k.as_bytes().to_vec())
        .collect();
    assert_eq!(keys, expected);
    assert_eq!(&encoded[..2], &[0, 5]);
}

#[test]
fn opening_refuses_shortened_tags() {
    //= spec/key-hierarchy.md#primitives
    //= type=test
    //# Implementations MUST NOT accept other nonce or tag lengths when opening.
    for backend in Backend::ALL {
        let tk = table_key("tk");
        let sealer = ItemSealer::with_backend(*backend, &tk, TABLE_ARN_BOOKS, data_key_id("id"))
            .expect("valid");
        let env = sealer.seal(b"pk", b"some item").expect("seal");
        // A 12-byte tag (the last 4 bytes cut) is not accepted, nor is a 15-byte one.
        for cut in [1, 4] {
            let short = &env[..env.len() - cut];
            assert_eq!(
                open_item_with(*backend, &tk, TABLE_ARN_BOOKS, b"pk", short),
                Err(DecryptError)
            );
        }
        let kms = kms_material("kms-a");
        let blob = kms_blob::seal_with(
            *backend,
            KMS_KEY_ARN_A,
            &kms,
            b"x",
            &books_context(),
            [1; 12],
        )
        .expect("valid");
        for cut in [1, 4] {
            let short = &blob[..blob.len() - cut];
            assert!(kms_blob::open_with(*backend, &kms, short, &books_context()).is_err());
        }
    }
}

#[test]
fn opener_accepts_any_nonce() {
    //= spec/key-hierarchy.md#item-nonces
    //= type=test
    //# An opener MUST accept any 12-byte nonce; the construction above is an obligation of the sealer
    //# only.
    // An envelope built by hand from the spec's text, with a nonce no sealer would choose.
    for backend in Backend::ALL {
        let tk = table_key("tk");
        let id = data_key_id("by-hand");
        let nonce = [0xa5u8; 12];
        let mut header = vec![0x01];
        header.extend_from_slice(id.as_bytes());
        header.extend_from_slice(&nonce);
        let pk = b"S:any-nonce";
        let mut aad = header.clone();
        aad.extend_from_slice(&(TABLE_ARN_BOOKS.len() as u32).to_be_bytes());
        aad.extend_from_slice(TABLE_ARN_BOOKS.as_bytes());
        aad.extend_from_slice(&(pk.len() as u32).to_be_bytes());
        aad.extend_from_slice(pk);
        let data_key = data_key::derive_data_key_material(*backend, &tk, &id);
        let mut body = b"hand-made".to_vec();
        let tag = backend
            .aead_key(&data_key)
            .seal_in_place(&nonce, &aad, &mut body)
            .expect("seal");
        let envelope = [header, body, tag.to_vec()].concat();
        let opened = open_item_with(*backend, &tk, TABLE_ARN_BOOKS, pk, &envelope);
        assert_eq!(opened.expect("opens"), b"hand-made");
    }
}

#[test]
fn every_new_sealer_starts_its_own_sequence() {
    let tk = table_key("tk");
    //= spec/key-hierarchy.md#item-nonces
    //= type=test
    //# Sequence numbers MUST NOT be persisted or restored; a new process makes a new data-key id
    //# (section 10).
    let first = ItemSealer::new(&tk, TABLE_ARN_BOOKS, data_key_id("a")).expect("valid");
    first.seal(b"pk", b"x").expect("seal");
    first.seal(b"pk", b"x").expect("seal");
    // A second sealer (what a restart makes) restores nothing: it starts at 0, and the caller
    // gives it a new id.
    let second = ItemSealer::new(&tk, TABLE_ARN_BOOKS, data_key_id("b")).expect("valid");
    assert_eq!(second.seals_remaining(), MAX_SEALS_PER_DATA_KEY);
    let env = second.seal(b"pk", b"x").expect("seal");
    assert_eq!(&env[17..29], &item_nonce(0));
    assert_ne!(&env[1..17], first.data_key_id().as_bytes());
}

#[test]
fn test_build_uses_no_non_portable_cpu_flags() {
    //= spec/key-hierarchy.md#backends
    //= type=test
    //# A build MUST NOT require `target-cpu=native` or any other non-portable code-generation flag.
    // A build with target-cpu=native (or x86-64-v4) on this machine would enable AVX-512 at
    // compile time; the crypto backends detect their instructions at run time instead.
    const { assert!(!cfg!(target_feature = "avx512f")) };
    const { assert!(!cfg!(target_feature = "vaes")) };
}
