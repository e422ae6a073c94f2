//! Behaviour of the crypto API that the vectors and properties do not cover: redaction,
//! error opacity, limits, sealer exhaustion, the opener's cache, and backend agreement.

use ddbsse_reference::crypto::{
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
    let tk = table_key("tk");
    let id = data_key_id("id");
    let mut keys = Vec::new();
    let mut envelopes = Vec::new();
    for backend in Backend::ALL {
        keys.push(*data_key::derive_data_key_material(*backend, &tk, &id).expose_secret());
        let sealer = ItemSealer::with_backend(*backend, &tk, TABLE_ARN_BOOKS, id).expect("valid");
        envelopes.push(sealer.seal(b"pk", &pattern(5000)).expect("seal"));
    }
    assert!(keys.windows(2).all(|w| w[0] == w[1]));
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
