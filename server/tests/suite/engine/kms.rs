//! KMS: key metadata and states, Encrypt/Decrypt/GenerateDataKey, grants, aliases, the AWS
//! managed key's access rule.

use base64::Engine as _;
use serde_json::json;

use super::support::{ACCOUNT, H, REGION};

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[test]
//= spec/kms.md#create-key
//= type=test
//# `KeyMetadata` MUST carry exactly the members of the table below with the values shown.
fn create_key_metadata() {
    let h = H::new();
    let v = h.ok("CreateKey", json!({}));
    let m = &v["KeyMetadata"];
    let id = m["KeyId"].as_str().unwrap();
    assert_eq!(id.len(), 36);
    assert_eq!(m["Arn"], format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{id}"));
    assert_eq!(m["Enabled"], true);
    assert_eq!(m["KeyState"], "Enabled");
    assert_eq!(m["KeyManager"], "CUSTOMER");
    assert_eq!(m["Description"], "");
    assert_eq!(m["EncryptionAlgorithms"], json!(["SYMMETRIC_DEFAULT"]));
    assert!(m.get("DeletionDate").is_none());
    let material = m["CurrentKeyMaterialId"].as_str().unwrap().to_owned();
    assert_eq!(material.len(), 64);
    assert!(
        material
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    );
    let keys = h.ok("ListKeys", json!({}));
    assert_eq!(keys["Keys"][0]["KeyId"], id);
    //= spec/kms.md#create-key
    //= type=test
    //# `KeyMetadata` MUST NOT carry `PendingDeletionWindowInDays`, in any key state.
    h.ok(
        "ScheduleKeyDeletion",
        json!({"KeyId": id, "PendingWindowInDays": 9}),
    );
    let m = h.ok("DescribeKey", json!({"KeyId": id}))["KeyMetadata"].clone();
    assert_eq!(m["KeyState"], "PendingDeletion");
    assert!(m.get("PendingDeletionWindowInDays").is_none(), "{m}");
    assert_eq!(
        m["CurrentKeyMaterialId"],
        material.as_str(),
        "fixed for life"
    );
}

#[test]
//= spec/kms.md#create-key
//= type=test
//# GenerateDataKey and Decrypt answers MUST carry `KeyMaterialId`, equal to the `CurrentKeyMaterialId` of the key that sealed or opened the ciphertext.
fn key_material_id_in_generate_data_key_and_decrypt() {
    let h = H::new();
    let (a, _) = h.create_key();
    let (b, _) = h.create_key();
    let material = |k: &str| {
        h.ok("DescribeKey", json!({"KeyId": k}))["KeyMetadata"]["CurrentKeyMaterialId"].clone()
    };
    let (ma, mb) = (material(&a), material(&b));
    assert_ne!(ma, mb);
    let g = h.ok("GenerateDataKey", json!({"KeyId": b, "KeySpec": "AES_256"}));
    assert_eq!(g["KeyMaterialId"], mb);
    let d = h.ok("Decrypt", json!({"CiphertextBlob": g["CiphertextBlob"]}));
    assert_eq!(d["KeyMaterialId"], mb);
    let e = h.ok("Encrypt", json!({"KeyId": a, "Plaintext": b64(b"x")}));
    assert!(e.get("KeyMaterialId").is_none(), "{e}");
    let d = h.ok("Decrypt", json!({"CiphertextBlob": e["CiphertextBlob"]}));
    assert_eq!(d["KeyMaterialId"], ma);
}

#[test]
//= spec/kms.md#create-key
//= type=test
//# A CreateKey request for another `KeySpec` or `KeyUsage` is out of scope; a target SHOULD reject it with `UnsupportedOperationException`.
fn keys_other_than_symmetric_encrypt_decrypt_are_refused() {
    let h = H::new();
    for body in [
        json!({"KeySpec": "RSA_2048"}),
        json!({"CustomerMasterKeySpec": "ECC_NIST_P256"}),
        json!({"KeyUsage": "SIGN_VERIFY"}),
        json!({"Origin": "EXTERNAL"}),
    ] {
        let (ty, _) = h.err("CreateKey", body.clone());
        assert_eq!(ty, "UnsupportedOperationException", "{body}");
    }
    let keys = h.ok("ListKeys", json!({}));
    assert_eq!(keys["Keys"], json!([]), "nothing was created");
    h.ok(
        "CreateKey",
        json!({"KeySpec": "SYMMETRIC_DEFAULT", "KeyUsage": "ENCRYPT_DECRYPT", "Origin": "AWS_KMS"}),
    );
}

#[test]
//= spec/kms.md#encryption-context
//= type=test
//# Decrypt MUST fail with `InvalidCiphertextException` unless its `EncryptionContext` equals, key for key and value for value (case-sensitive), the context given when the ciphertext was produced, and a ciphertext that was altered in any byte MUST fail the same way.
fn encrypt_decrypt_and_contexts() {
    let h = H::new();
    let (id, arn) = h.create_key();
    let (other, _) = h.create_key();
    let ctx = json!({"purpose": "test"});
    let e = h.ok(
        "Encrypt",
        json!({"KeyId": id, "Plaintext": b64(b"hello"), "EncryptionContext": ctx}),
    );
    assert_eq!(e["KeyId"], arn.as_str());
    let blob = e["CiphertextBlob"].as_str().unwrap().to_owned();
    let d = h.ok(
        "Decrypt",
        json!({"CiphertextBlob": blob, "EncryptionContext": ctx}),
    );
    assert_eq!(d["Plaintext"], b64(b"hello"));
    assert_eq!(d["KeyId"], arn.as_str());
    for bad_ctx in [
        json!({"purpose": "Test"}),
        json!({}),
        json!({"purpose": "test", "x": "y"}),
    ] {
        let (n, _) = h.err(
            "Decrypt",
            json!({"CiphertextBlob": blob, "EncryptionContext": bad_ctx}),
        );
        assert_eq!(n, "InvalidCiphertextException");
    }
    let mut raw = base64::engine::general_purpose::STANDARD
        .decode(&blob)
        .unwrap();
    let last = raw.len() - 1;
    raw[last] ^= 1;
    assert_eq!(
        h.err(
            "Decrypt",
            json!({"CiphertextBlob": b64(&raw), "EncryptionContext": ctx})
        )
        .0,
        "InvalidCiphertextException"
    );
    assert_eq!(
        h.err(
            "Decrypt",
            json!({"CiphertextBlob": blob, "EncryptionContext": ctx, "KeyId": other})
        )
        .0,
        "IncorrectKeyException"
    );
    // Encrypt records keep no plaintext.
    let rec = &h.events("Encrypt")[0];
    assert!(rec["requestParameters"].get("plaintext").is_none());
    assert_eq!(
        rec["requestParameters"]["encryptionAlgorithm"],
        "SYMMETRIC_DEFAULT"
    );
}

#[test]
//= spec/kms.md#key-state-effects
//= type=test
//# Each operation MUST succeed or fail in each key state as the table above says.
fn key_states_and_their_errors() {
    let h = H::new();
    let (id, arn) = h.create_key();
    h.ok("DisableKey", json!({"KeyId": id}));
    let (n, m) = h.err(
        "GenerateDataKey",
        json!({"KeyId": id, "KeySpec": "AES_256"}),
    );
    assert_eq!(
        (n.as_str(), m),
        ("DisabledException", format!("{arn} is disabled."))
    );
    h.ok("DescribeKey", json!({"KeyId": arn}));
    let (n, m) = h.err("CancelKeyDeletion", json!({"KeyId": id}));
    assert_eq!(
        (n.as_str(), m),
        (
            "KMSInvalidStateException",
            format!("{arn} is not pending deletion.")
        )
    );
    let s = h.ok("ScheduleKeyDeletion", json!({"KeyId": id}));
    assert_eq!(s["PendingWindowInDays"], 30);
    assert_eq!(s["KeyState"], "PendingDeletion");
    let (n, m) = h.err("Encrypt", json!({"KeyId": id, "Plaintext": b64(b"x")}));
    assert_eq!(
        (n.as_str(), m),
        (
            "KMSInvalidStateException",
            format!("{arn} is pending deletion.")
        )
    );
    assert_eq!(
        h.err("EnableKey", json!({"KeyId": id})).0,
        "KMSInvalidStateException"
    );
    h.ok("CancelKeyDeletion", json!({"KeyId": id}));
    let d = h.ok("DescribeKey", json!({"KeyId": id}));
    assert_eq!(d["KeyMetadata"]["KeyState"], "Disabled");
    assert!(d["KeyMetadata"].get("DeletionDate").is_none());
    h.ok("EnableKey", json!({"KeyId": id}));
    //= spec/kms.md#deletion
    //= type=test
    //# A `PendingWindowInDays` from 1 to 6 or from 31 to 365 MUST fail with `ValidationException` and the message `PendingWindowInDays must be between 7 and 30`.
    for days in [1, 6, 31, 365] {
        let (n, m) = h.err(
            "ScheduleKeyDeletion",
            json!({"KeyId": id, "PendingWindowInDays": days}),
        );
        assert_eq!(
            (n.as_str(), m.as_str()),
            (
                "ValidationException",
                "PendingWindowInDays must be between 7 and 30"
            )
        );
    }
    //= spec/kms.md#deletion
    //= type=test
    //# A `PendingWindowInDays` below 1 or above 365 MUST fail with `ValidationException` and the message `1 validation error detected: Value '<n>' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 1` or `1 validation error detected: Value '<n>' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 365` respectively.
    let (_, m) = h.err(
        "ScheduleKeyDeletion",
        json!({"KeyId": id, "PendingWindowInDays": 0}),
    );
    assert_eq!(
        m,
        "1 validation error detected: Value '0' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 1"
    );
    let (_, m) = h.err(
        "ScheduleKeyDeletion",
        json!({"KeyId": id, "PendingWindowInDays": 366}),
    );
    assert_eq!(
        m,
        "1 validation error detected: Value '366' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 365"
    );
    h.ok(
        "ScheduleKeyDeletion",
        json!({"KeyId": id, "PendingWindowInDays": 7}),
    );
    //= spec/kms.md#deletion
    //= type=test
    //# Once the clock reaches `DeletionDate`, the key and its aliases MUST be gone: every request naming the key fails with `NotFoundException` and no key material remains.
    h.advance_secs(7 * 86_400);
    let (n, m) = h.err("DescribeKey", json!({"KeyId": id}));
    assert_eq!(
        (n.as_str(), m),
        ("NotFoundException", format!("Key '{arn}' does not exist"))
    );
    assert_eq!(h.ok("ListKeys", json!({}))["Keys"], json!([]));
}

#[test]
fn generate_data_key_rules() {
    let h = H::new();
    let (id, _) = h.create_key();
    let v = h.ok(
        "GenerateDataKey",
        json!({"KeyId": id, "NumberOfBytes": 64, "EncryptionContext": {"a": "b"}}),
    );
    let plain = base64::engine::general_purpose::STANDARD
        .decode(v["Plaintext"].as_str().unwrap())
        .unwrap();
    assert_eq!(plain.len(), 64);
    let d = h.ok(
        "Decrypt",
        json!({"CiphertextBlob": v["CiphertextBlob"], "EncryptionContext": {"a": "b"}}),
    );
    assert_eq!(d["Plaintext"], v["Plaintext"]);
    let (_, m) = h.err("GenerateDataKey", json!({"KeyId": id}));
    assert_eq!(m, "Please specify either number of bytes or key spec.");
    let (_, m) = h.err(
        "GenerateDataKey",
        json!({"KeyId": id, "NumberOfBytes": 1025}),
    );
    assert!(m.ends_with("Member must have value less than or equal to 1024"));
    assert!(h.events("GenerateDataKey")[0]["responseElements"].is_null());
}

#[test]
fn grants_and_aliases() {
    let h = H::new();
    let (id, arn) = h.create_key();
    let g = h.ok(
        "CreateGrant",
        json!({"KeyId": id, "GranteePrincipal": "arn:aws:iam::123456789012:role/x",
        "Operations": ["Decrypt", "Encrypt"], "Name": "n1"}),
    );
    let gid = g["GrantId"].as_str().unwrap().to_owned();
    assert_eq!(gid.len(), 64);
    assert!(!g["GrantToken"].as_str().unwrap().is_empty());
    let l = h.ok("ListGrants", json!({"KeyId": arn}));
    assert_eq!(l["Grants"][0]["GrantId"], gid.as_str());
    assert_eq!(l["Grants"][0]["Operations"], json!(["Decrypt", "Encrypt"]));
    assert_eq!(l["Grants"][0]["KeyId"], arn.as_str());
    assert_eq!(
        h.err("RevokeGrant", json!({"KeyId": id, "GrantId": "xyz"}))
            .0,
        "InvalidGrantIdException"
    );
    assert_eq!(
        h.err(
            "RevokeGrant",
            json!({"KeyId": id, "GrantId": "0".repeat(64)})
        )
        .0,
        "NotFoundException"
    );
    h.ok("RevokeGrant", json!({"KeyId": id, "GrantId": gid}));
    let g2 = h.ok(
        "CreateGrant",
        json!({"KeyId": id, "GranteePrincipal": "p", "Operations": ["Decrypt"]}),
    );
    h.ok("RetireGrant", json!({"GrantToken": g2["GrantToken"]}));
    assert_eq!(
        h.ok("ListGrants", json!({"KeyId": id}))["Grants"],
        json!([])
    );
    assert_eq!(
        h.err(
            "CreateGrant",
            json!({"KeyId": id, "GranteePrincipal": "p", "Operations": ["Fly"]})
        )
        .0,
        "ValidationException"
    );
    //= spec/kms.md#create-grant
    //= type=test
    //# CreateGrant MUST require exactly one of `GranteePrincipal` and `GranteeServicePrincipal`, and MUST fail a request with neither or both with `ValidationException` and the message `You must specify either GranteePrincipal or GranteeServicePrincipal, but not both.`.
    for bad in [
        json!({"KeyId": id, "Operations": ["Decrypt"]}),
        json!({"KeyId": id, "GranteePrincipal": "p", "GranteeServicePrincipal": "dynamodb.amazonaws.com", "Operations": ["Decrypt"]}),
    ] {
        let (n, m) = h.err("CreateGrant", bad);
        assert_eq!(
            (n.as_str(), m.as_str()),
            (
                "ValidationException",
                "You must specify either GranteePrincipal or GranteeServicePrincipal, but not both."
            )
        );
    }
    //= spec/kms.md#list-grants
    //= type=test
    //# ListGrants MUST return the key's grants in creation order, with the values CreateGrant received, as `GrantListEntry` objects with `KeyId` (the key ARN), `GrantId`, `Name`, `CreationDate`, `GranteePrincipal` or `GranteeServicePrincipal` (whichever CreateGrant received), `RetiringPrincipal` (when set), `IssuingAccount`, `Operations` and `Constraints` (when set).
    let s = h.ok(
        "CreateGrant",
        json!({"KeyId": id, "GranteeServicePrincipal": "dynamodb.amazonaws.com", "RetiringPrincipal": "p", "Operations": ["Decrypt"]}),
    );
    let l = h.ok("ListGrants", json!({"KeyId": id}))["Grants"].clone();
    assert_eq!(l[0]["GrantId"], s["GrantId"]);
    assert_eq!(l[0]["GranteeServicePrincipal"], "dynamodb.amazonaws.com");
    assert!(l[0].get("GranteePrincipal").is_none(), "{l}");
    h.ok("RevokeGrant", json!({"KeyId": id, "GrantId": s["GrantId"]}));
    // Aliases.
    h.ok(
        "CreateAlias",
        json!({"AliasName": "alias/one", "TargetKeyId": id}),
    );
    let (n, m) = h.err(
        "CreateAlias",
        json!({"AliasName": "alias/one", "TargetKeyId": id}),
    );
    assert_eq!(n, "AlreadyExistsException");
    assert_eq!(
        m,
        format!("An alias with the name arn:aws:kms:{REGION}:{ACCOUNT}:alias/one already exists")
    );
    assert_eq!(
        h.err(
            "CreateAlias",
            json!({"AliasName": "alias/aws/mine", "TargetKeyId": id})
        )
        .0,
        "InvalidAliasNameException"
    );
    assert_eq!(
        h.err(
            "CreateAlias",
            json!({"AliasName": "one", "TargetKeyId": id})
        )
        .0,
        "InvalidAliasNameException"
    );
    let a = h.ok("ListAliases", json!({"KeyId": id}));
    assert_eq!(
        a["Aliases"][0]["AliasArn"],
        format!("arn:aws:kms:{REGION}:{ACCOUNT}:alias/one")
    );
    assert_eq!(a["Aliases"][0]["TargetKeyId"], id.as_str());
    let (n, m) = h.err("DescribeKey", json!({"KeyId": "alias/none"}));
    assert_eq!(
        (n.as_str(), m),
        (
            "NotFoundException",
            format!("Alias arn:aws:kms:{REGION}:{ACCOUNT}:alias/none is not found.")
        )
    );
}

#[test]
//= spec/kms.md#aws-managed-key
//= type=test
//# A direct Encrypt, Decrypt, GenerateDataKey, CreateGrant, EnableKey, DisableKey, ScheduleKeyDeletion or CancelKeyDeletion on the AWS managed key MUST fail with `AccessDeniedException` and the message `User: <caller arn> is not authorized to perform: kms:<Action> on resource: <key arn> because no resource-based policy allows the kms:<Action> action`.
fn managed_key_refuses_direct_use() {
    let h = H::new();
    let d = h.ok("DescribeKey", json!({"KeyId": "alias/aws/dynamodb"}));
    let arn = d["KeyMetadata"]["Arn"].as_str().unwrap().to_owned();
    let (n, m) = h.err("DisableKey", json!({"KeyId": arn}));
    assert_eq!(n, "AccessDeniedException");
    assert_eq!(
        m,
        format!(
            "User: arn:aws:iam::{ACCOUNT}:user/AKIDALICE is not authorized to perform: kms:DisableKey on resource: {arn} because no resource-based policy allows the kms:DisableKey action"
        )
    );
    assert_eq!(
        h.err(
            "Encrypt",
            json!({"KeyId": "alias/aws/dynamodb", "Plaintext": b64(b"x")})
        )
        .0,
        "AccessDeniedException"
    );
}

#[test]
//= spec/kms.md#key-ids
//= type=test
//# An alias given where only a key id or key ARN is accepted SHOULD fail like an unknown key id.
fn aliases_only_where_the_operation_accepts_them() {
    let h = H::new();
    let (id, _) = h.create_key();
    h.ok(
        "CreateAlias",
        json!({"AliasName": "alias/only", "TargetKeyId": id}),
    );
    h.ok("DescribeKey", json!({"KeyId": "alias/only"}));
    h.ok(
        "Encrypt",
        json!({"KeyId": "alias/only", "Plaintext": b64(b"x")}),
    );
    let (n, m) = h.err("DisableKey", json!({"KeyId": "alias/only"}));
    assert_eq!(n, "NotFoundException");
    assert_eq!(
        m,
        format!("Key 'arn:aws:kms:{REGION}:{ACCOUNT}:key/alias/only' does not exist")
    );
    assert_eq!(
        h.err("ListGrants", json!({"KeyId": "alias/only"})).0,
        "NotFoundException"
    );
    // Encrypt does not create the AWS managed key; DescribeKey does.
    assert_eq!(
        h.err(
            "Encrypt",
            json!({"KeyId": "alias/aws/dynamodb", "Plaintext": b64(b"x")})
        )
        .0,
        "NotFoundException"
    );
    assert_eq!(
        h.ok("ListKeys", json!({}))["Keys"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
//= spec/key-hierarchy.md#kms-blob-layout
//= type=test
//# `key_id` names the KMS key whose material sealed the blob; ddbsse targets MUST write the key ARN there, so that Decrypt can find the key and return its ARN without a `KeyId` in the request.
fn blobs_name_the_key_arn_and_use_fresh_nonces() {
    let h = H::new();
    let (id, arn) = h.create_key();
    let blob = |_: u8| {
        let e = h.ok("Encrypt", json!({"KeyId": id, "Plaintext": b64(b"same")}));
        base64::engine::general_purpose::STANDARD
            .decode(e["CiphertextBlob"].as_str().unwrap())
            .unwrap()
    };
    let (a, b) = (blob(0), blob(1));
    let len = usize::from(u16::from_be_bytes([a[1], a[2]]));
    assert_eq!(&a[3..3 + len], arn.as_bytes());
    //= spec/key-hierarchy.md#kms-blob-seal
    //= type=test
    //# The nonce of every blob MUST be 12 fresh bytes from a cryptographically secure random generator.
    assert_ne!(&a[3 + len..15 + len], &b[3 + len..15 + len]);
}

/// Every entry of `op`'s `list`, following `NextMarker` until `Truncated` is false, and the
/// number of pages.
fn all_pages(h: &H, op: &str, list: &str, field: &str) -> (Vec<String>, usize) {
    let (mut out, mut pages, mut marker) = (Vec::new(), 0, None::<String>);
    loop {
        let body = match &marker {
            Some(m) => json!({"Marker": m}),
            None => json!({}),
        };
        let page = h.ok(op, body);
        pages += 1;
        for e in page[list].as_array().unwrap() {
            out.push(e[field].as_str().unwrap().to_owned());
        }
        if page["Truncated"] != true {
            return (out, pages);
        }
        marker = Some(page["NextMarker"].as_str().unwrap().to_owned());
    }
}

#[test]
//= spec/kms.md#list-keys
//= type=test
//# ListKeys MUST return at most `Limit` entries (1 to 1000, default 100) and, when more remain, `Truncated` true and a `NextMarker` that, passed as `Marker`, continues the listing.
fn list_keys_pages_at_100_and_list_aliases_at_50() {
    let h = H::new();
    let keys: Vec<String> = (0..101).map(|_| h.create_key().0).collect();
    assert_eq!(
        h.ok("ListKeys", json!({}))["Keys"]
            .as_array()
            .unwrap()
            .len(),
        100
    );
    assert_eq!(
        h.ok("ListKeys", json!({"Limit": 1000}))["Keys"]
            .as_array()
            .unwrap()
            .len(),
        101
    );
    assert_eq!(
        h.err("ListKeys", json!({"Limit": 1001})).0,
        "ValidationException"
    );
    assert_eq!(
        all_pages(&h, "ListKeys", "Keys", "KeyId"),
        (keys.clone(), 2)
    );
    //= spec/kms.md#aliases
    //= type=test
    //# ListAliases MUST return at most `Limit` entries (1 to 100, default 50) and, when more remain, `Truncated` true and a `NextMarker` that, passed as `Marker`, continues the listing.
    let names: Vec<String> = (0..51).map(|n| format!("alias/a{n:03}")).collect();
    for n in &names {
        h.ok(
            "CreateAlias",
            json!({"AliasName": n, "TargetKeyId": keys[0]}),
        );
    }
    assert_eq!(
        h.ok("ListAliases", json!({}))["Aliases"]
            .as_array()
            .unwrap()
            .len(),
        50
    );
    assert_eq!(
        h.err("ListAliases", json!({"Limit": 101})).0,
        "ValidationException"
    );
    let (mut seen, pages) = all_pages(&h, "ListAliases", "Aliases", "AliasName");
    seen.sort();
    assert_eq!((seen, pages), (names, 2));
}
