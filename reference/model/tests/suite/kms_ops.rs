//! KMS on the model (`spec/kms.md`): key metadata, the four id forms, key-state effects for
//! every operation class, aliases, the AWS managed key, grants and the cryptographic operations.

use base64::Engine as _;
use serde_json::{Value, json};

use super::support::{Driver, RATINGS};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn create_key_metadata() {
    //= spec/kms.md#create-key
    //= type=test
    //# CreateKey MUST create an enabled symmetric key with 256 bits of fresh random key material and return its `KeyMetadata`.
    //= spec/kms.md#create-key
    //= type=test
    //# `KeyMetadata` MUST carry exactly the members of the table below with the values shown.
    let mut d = Driver::new();
    let md = d.ok("CreateKey", json!({}))["KeyMetadata"].clone();
    let id = md["KeyId"].as_str().expect("id").to_owned();
    assert_eq!(id.len(), 36);
    assert!(
        id.chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c))
    );
    let expected = json!({
        "AWSAccountId": "123456789012",
        "KeyId": id,
        "Arn": Driver::key_arn(&id),
        "CreationDate": d.now.epoch_seconds(),
        "Enabled": true,
        "Description": "",
        "KeyUsage": "ENCRYPT_DECRYPT",
        "KeyState": "Enabled",
        "Origin": "AWS_KMS",
        "KeyManager": "CUSTOMER",
        "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
        "MultiRegion": false,
        "CurrentKeyMaterialId": md["CurrentKeyMaterialId"]
    });
    assert_eq!(md, expected);
    let material_id = md["CurrentKeyMaterialId"]
        .as_str()
        .expect("CurrentKeyMaterialId")
        .to_owned();
    assert_eq!(material_id.len(), 64);
    assert!(
        material_id
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    );
    d.ok(
        "ScheduleKeyDeletion",
        json!({"KeyId": id, "PendingWindowInDays": 9}),
    );
    //= spec/kms.md#create-key
    //= type=test
    //# `KeyMetadata` MUST NOT carry `PendingDeletionWindowInDays`, in any key state.
    let md = d.ok("DescribeKey", json!({"KeyId": id}))["KeyMetadata"].clone();
    assert_eq!(md["Enabled"], false);
    assert_eq!(md["KeyState"], "PendingDeletion");
    assert!(md.get("PendingDeletionWindowInDays").is_none(), "{md}");
    assert!(md["DeletionDate"].is_f64());
    assert_eq!(md["CurrentKeyMaterialId"], material_id, "fixed for life");
    // Fresh material: two keys seal the same plaintext differently and cannot open each other's blob.
    let other = d.create_key();
    let blob =
        d.ok("Encrypt", json!({"KeyId": other, "Plaintext": b64(b"x")}))["CiphertextBlob"].clone();
    let mut raw = base64::engine::general_purpose::STANDARD
        .decode(blob.as_str().expect("b"))
        .expect("b64");
    // Re-point the blob at the first key: the header is authenticated, so it no longer opens.
    let arn = Driver::key_arn(&other);
    let pos = raw
        .windows(arn.len())
        .position(|w| w == arn.as_bytes())
        .expect("arn in header");
    raw[pos..pos + arn.len()].copy_from_slice(Driver::key_arn(&id).as_bytes());
    d.ok("CancelKeyDeletion", json!({"KeyId": id}));
    d.ok("EnableKey", json!({"KeyId": id}));
    let e = d.err("Decrypt", json!({"CiphertextBlob": b64(&raw)}));
    assert_eq!(e.name(), "InvalidCiphertextException");
    //= spec/kms.md#create-key
    //= type=test
    //# GenerateDataKey and Decrypt answers MUST carry `KeyMaterialId`, equal to the `CurrentKeyMaterialId` of the key that sealed or opened the ciphertext.
    let other_material =
        d.ok("DescribeKey", json!({"KeyId": other}))["KeyMetadata"]["CurrentKeyMaterialId"].clone();
    assert_ne!(other_material, json!(material_id), "one id per key");
    let gdk = d.ok(
        "GenerateDataKey",
        json!({"KeyId": other, "KeySpec": "AES_256"}),
    );
    assert_eq!(gdk["KeyMaterialId"], other_material);
    let back = d.ok("Decrypt", json!({"CiphertextBlob": gdk["CiphertextBlob"]}));
    assert_eq!(back["KeyMaterialId"], other_material);
    let enc = d.ok("Encrypt", json!({"KeyId": id, "Plaintext": b64(b"y")}));
    assert!(
        enc.get("KeyMaterialId").is_none(),
        "Encrypt has none: {enc}"
    );
    let back = d.ok("Decrypt", json!({"CiphertextBlob": enc["CiphertextBlob"]}));
    assert_eq!(back["KeyMaterialId"], json!(material_id));
}

#[test]
fn keys_other_than_symmetric_encrypt_decrypt_are_refused() {
    //= spec/kms.md#create-key
    //= type=test
    //# A CreateKey request for another `KeySpec` or `KeyUsage` is out of scope; a target SHOULD reject it with `UnsupportedOperationException`.
    let mut d = Driver::new();
    for body in [
        json!({"KeySpec": "RSA_2048"}),
        json!({"CustomerMasterKeySpec": "ECC_NIST_P256"}),
        json!({"KeyUsage": "SIGN_VERIFY"}),
        json!({"Origin": "EXTERNAL"}),
    ] {
        let e = d.err("CreateKey", body.clone());
        assert_eq!(e.name(), "UnsupportedOperationException", "{body}");
        assert_eq!(e.http_status(), 400);
    }
    assert!(
        d.ok("ListKeys", json!({}))["Keys"]
            .as_array()
            .is_some_and(|k| k.is_empty()),
        "nothing was created"
    );
    d.ok(
        "CreateKey",
        json!({"KeySpec": "SYMMETRIC_DEFAULT", "KeyUsage": "ENCRYPT_DECRYPT", "Origin": "AWS_KMS"}),
    );
}

#[test]
fn four_forms_and_unknown_keys() {
    //= spec/kms.md#key-ids
    //= type=test
    //# DescribeKey, Encrypt, GenerateDataKey and the optional `KeyId` of Decrypt MUST accept a key id, a key ARN, an alias name and an alias ARN, and every other operation of this file MUST accept a key id and a key ARN.
    let mut d = Driver::new();
    let id = d.create_key();
    let arn = Driver::key_arn(&id);
    d.ok(
        "CreateAlias",
        json!({"AliasName": "alias/app", "TargetKeyId": arn}),
    );
    let forms = [
        id.clone(),
        arn.clone(),
        "alias/app".to_owned(),
        "arn:aws:kms:us-east-1:123456789012:alias/app".to_owned(),
    ];
    for form in &forms {
        assert_eq!(
            d.ok("DescribeKey", json!({"KeyId": form}))["KeyMetadata"]["Arn"],
            arn
        );
        let blob =
            d.ok("Encrypt", json!({"KeyId": form, "Plaintext": b64(b"hi")}))["CiphertextBlob"]
                .clone();
        let back = d.ok("Decrypt", json!({"CiphertextBlob": blob, "KeyId": form}));
        assert_eq!(back["Plaintext"], b64(b"hi"));
        assert_eq!(
            d.ok(
                "GenerateDataKey",
                json!({"KeyId": form, "KeySpec": "AES_256"})
            )["KeyId"],
            arn
        );
    }
    for form in [&id, &arn] {
        d.ok("DisableKey", json!({"KeyId": form}));
        d.ok("EnableKey", json!({"KeyId": form}));
        assert!(d.ok("ListGrants", json!({"KeyId": form}))["Grants"].is_array());
    }
    //= spec/kms.md#key-ids
    //= type=test
    //# An alias given where only a key id or key ARN is accepted SHOULD fail like an unknown key id.
    let e = d.err("DisableKey", json!({"KeyId": "alias/app"}));
    assert_eq!(e.name(), "NotFoundException");
    assert_eq!(
        e.message,
        "Key 'arn:aws:kms:us-east-1:123456789012:key/alias/app' does not exist"
    );
    //= spec/kms.md#key-ids
    //= type=test
    //# A request naming a key that does not exist MUST fail with `NotFoundException` and the message `Key '<key arn>' does not exist`, where a bare key id is completed into a key ARN with the target's region and account.
    let ghost = "99999999-9999-4999-8999-999999999999";
    let e = d.err("DescribeKey", json!({"KeyId": ghost}));
    assert_eq!(
        (e.name(), e.message.as_str()),
        (
            "NotFoundException",
            format!("Key 'arn:aws:kms:us-east-1:123456789012:key/{ghost}' does not exist").as_str()
        )
    );
    let e = d.err(
        "EnableKey",
        json!({"KeyId": format!("arn:aws:kms:us-east-1:123456789012:key/{ghost}")}),
    );
    assert_eq!(
        e.message,
        format!("Key 'arn:aws:kms:us-east-1:123456789012:key/{ghost}' does not exist")
    );
    //= spec/kms.md#key-ids
    //= type=test
    //# A request naming an alias that does not exist MUST fail with `NotFoundException` and the message `Alias <alias arn> is not found.`.
    let e = d.err(
        "Encrypt",
        json!({"KeyId": "alias/none", "Plaintext": b64(b"x")}),
    );
    assert_eq!(
        (e.name(), e.message.as_str()),
        (
            "NotFoundException",
            "Alias arn:aws:kms:us-east-1:123456789012:alias/none is not found."
        )
    );
}

#[test]
fn list_keys_in_creation_order() {
    //= spec/kms.md#list-keys
    //= type=test
    //# ListKeys MUST return one `{"KeyId", "KeyArn"}` entry for every key that is not deleted, including the AWS managed key once it exists, in creation order.
    let mut d = Driver::new();
    let a = d.create_key();
    d.create_ratings(json!({"Enabled": true}));
    let b = d.create_key();
    let managed =
        d.ok("DescribeKey", json!({"KeyId": "alias/aws/dynamodb"}))["KeyMetadata"]["KeyId"].clone();
    let keys = d.ok("ListKeys", json!({}));
    let ids: Vec<Value> = keys["Keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k["KeyId"].clone())
        .collect();
    assert_eq!(ids, vec![json!(a), managed, json!(b)]);
    assert_eq!(
        keys["Keys"][0],
        json!({"KeyId": a, "KeyArn": Driver::key_arn(&a)})
    );
}

/// Drives key `id` into `state` (Enabled, Disabled or PendingDeletion).
fn into_state(d: &mut Driver, id: &str, state: &str) {
    match state {
        "Disabled" => {
            d.ok("DisableKey", json!({"KeyId": id}));
        }
        "PendingDeletion" => {
            d.ok(
                "ScheduleKeyDeletion",
                json!({"KeyId": id, "PendingWindowInDays": 7}),
            );
        }
        _ => {}
    }
}

#[test]
fn key_state_effects_for_every_operation() {
    //= spec/kms.md#key-state-effects
    //= type=test
    //# Each operation MUST succeed or fail in each key state as the table above says.
    //= spec/kms.md#key-state-effects
    //= type=test
    //# The disabled error MUST be `DisabledException` with the message `<key arn> is disabled.`, the pending error `KMSInvalidStateException` with `<key arn> is pending deletion.`, and the not-pending error `KMSInvalidStateException` with `<key arn> is not pending deletion.`.
    let ops: [OpCase; 12] = [
        (
            "Encrypt",
            |k| json!({"KeyId": k, "Plaintext": "eA=="}),
            ["ok", "disabled", "pending"],
        ),
        (
            "GenerateDataKey",
            |k| json!({"KeyId": k, "KeySpec": "AES_256"}),
            ["ok", "disabled", "pending"],
        ),
        (
            "CreateGrant",
            |k| json!({"KeyId": k, "GranteePrincipal": "p", "Operations": ["Decrypt"]}),
            ["ok", "disabled", "pending"],
        ),
        ("DescribeKey", |k| json!({"KeyId": k}), ["ok", "ok", "ok"]),
        ("ListGrants", |k| json!({"KeyId": k}), ["ok", "ok", "ok"]),
        (
            "RevokeGrant",
            |k| json!({"KeyId": k, "GrantId": "GRANT"}),
            ["ok", "ok", "ok"],
        ),
        (
            "RetireGrant",
            |k| json!({"KeyId": k, "GrantId": "GRANT"}),
            ["ok", "ok", "ok"],
        ),
        (
            "EnableKey",
            |k| json!({"KeyId": k}),
            ["ok", "ok", "pending"],
        ),
        (
            "DisableKey",
            |k| json!({"KeyId": k}),
            ["ok", "ok", "pending"],
        ),
        (
            "ScheduleKeyDeletion",
            |k| json!({"KeyId": k}),
            ["ok", "ok", "pending"],
        ),
        (
            "CreateAlias",
            |k| json!({"AliasName": "alias/x", "TargetKeyId": k}),
            ["ok", "ok", "pending"],
        ),
        (
            "CancelKeyDeletion",
            |k| json!({"KeyId": k}),
            ["not-pending", "not-pending", "ok"],
        ),
    ];
    for (op, body, effects) in ops {
        for (state, effect) in ["Enabled", "Disabled", "PendingDeletion"]
            .into_iter()
            .zip(effects)
        {
            let mut d = Driver::new();
            let id = d.create_key();
            let arn = Driver::key_arn(&id);
            // A grant to retire or revoke, made while the key was enabled.
            let grant = d.ok(
                "CreateGrant",
                json!({"KeyId": id, "GranteePrincipal": "p", "Operations": ["Decrypt"]}),
            )["GrantId"]
                .as_str()
                .expect("grant")
                .to_owned();
            // Decrypt: a blob made while the key was enabled.
            let blob = d.ok("Encrypt", json!({"KeyId": id, "Plaintext": "eA=="}))["CiphertextBlob"]
                .clone();
            into_state(&mut d, &id, state);
            let mut request = body(&id);
            if request.get("GrantId").is_some() {
                request["GrantId"] = json!(grant);
            }
            let decrypt = d.call("Decrypt", json!({"CiphertextBlob": blob})).result;
            let result = d.call(op, request).result;
            for (name, result) in [(op, result), ("Decrypt", decrypt)] {
                let effect = if name == "Decrypt" {
                    effects_of_crypto(state)
                } else {
                    effect
                };
                match (effect, result) {
                    ("ok", Ok(_)) => {}
                    ("disabled", Err(e)) => {
                        assert_eq!(
                            (e.name(), e.message),
                            ("DisabledException", format!("{arn} is disabled."))
                        );
                    }
                    ("pending", Err(e)) => {
                        assert_eq!(
                            (e.name(), e.message),
                            (
                                "KMSInvalidStateException",
                                format!("{arn} is pending deletion.")
                            )
                        );
                    }
                    ("not-pending", Err(e)) => {
                        assert_eq!(
                            (e.name(), e.message),
                            (
                                "KMSInvalidStateException",
                                format!("{arn} is not pending deletion.")
                            )
                        );
                    }
                    (effect, other) => {
                        panic!("{name} in {state}: expected {effect}, got {other:?}")
                    }
                }
            }
        }
    }
}

/// An operation, its request for a key id, and its effect in Enabled, Disabled, PendingDeletion.
type OpCase = (&'static str, fn(&str) -> Value, [&'static str; 3]);

fn effects_of_crypto(state: &str) -> &'static str {
    match state {
        "Enabled" => "ok",
        "Disabled" => "disabled",
        _ => "pending",
    }
}

#[test]
fn cancel_key_deletion_leaves_disabled() {
    //= spec/kms.md#deletion
    //= type=test
    //# CancelKeyDeletion MUST leave the key in `Disabled` state, without `DeletionDate`, and return `KeyId` as the key ARN.
    let mut d = Driver::new();
    let id = d.create_key();
    d.ok("ScheduleKeyDeletion", json!({"KeyId": id}));
    let out = d.ok("CancelKeyDeletion", json!({"KeyId": id}));
    assert_eq!(out, json!({"KeyId": Driver::key_arn(&id)}));
    let md = d.ok("DescribeKey", json!({"KeyId": id}))["KeyMetadata"].clone();
    assert_eq!(md["KeyState"], "Disabled");
    assert!(md.get("DeletionDate").is_none());
}

#[test]
fn aliases() {
    //= spec/kms.md#aliases
    //= type=test
    //# CreateAlias MUST reject an `AliasName` that already exists with `AlreadyExistsException` and the message `An alias with the name <alias arn> already exists`.
    let mut d = Driver::new();
    let id = d.create_key();
    d.ok(
        "CreateAlias",
        json!({"AliasName": "alias/one", "TargetKeyId": id}),
    );
    let e = d.err(
        "CreateAlias",
        json!({"AliasName": "alias/one", "TargetKeyId": id}),
    );
    assert_eq!(
        (e.name(), e.message.as_str()),
        (
            "AlreadyExistsException",
            "An alias with the name arn:aws:kms:us-east-1:123456789012:alias/one already exists"
        )
    );
    //= spec/kms.md#aliases
    //= type=test
    //# ListAliases MUST return, for every alias, `AliasName`, `AliasArn` (`arn:aws:kms:<region>:<account>:<AliasName>`), `TargetKeyId` (the key id), `CreationDate` and `LastUpdatedDate`, and MUST NOT list `alias/aws/dynamodb` before the AWS managed key exists.
    let list = d.ok("ListAliases", json!({}));
    assert_eq!(
        list["Aliases"],
        json!([{"AliasName": "alias/one", "AliasArn": "arn:aws:kms:us-east-1:123456789012:alias/one", "TargetKeyId": id, "CreationDate": d.now.epoch_seconds(), "LastUpdatedDate": d.now.epoch_seconds()}])
    );
    d.create_ratings(json!({"Enabled": true}));
    let list = d.ok("ListAliases", json!({}));
    let names: Vec<&str> = list["Aliases"]
        .as_array()
        .expect("a")
        .iter()
        .filter_map(|a| a["AliasName"].as_str())
        .collect();
    assert_eq!(names, ["alias/aws/dynamodb", "alias/one"]);
}

#[test]
fn managed_key_refuses_direct_use() {
    //= spec/kms.md#aws-managed-key
    //= type=test
    //# A direct Encrypt, Decrypt, GenerateDataKey, CreateGrant, EnableKey, DisableKey, ScheduleKeyDeletion or CancelKeyDeletion on the AWS managed key MUST fail with `AccessDeniedException` and the message `User: <caller arn> is not authorized to perform: kms:<Action> on resource: <key arn> because no resource-based policy allows the kms:<Action> action`.
    let mut d = Driver::new();
    d.create_ratings(json!({"Enabled": true}));
    let arn = d.model.table(RATINGS).and_then(|t| t.key_arn).expect("arn");
    // A blob under the managed key, as DynamoDB's table key is.
    let ops = [
        (
            "Encrypt",
            json!({"KeyId": "alias/aws/dynamodb", "Plaintext": "eA=="}),
        ),
        (
            "GenerateDataKey",
            json!({"KeyId": arn, "KeySpec": "AES_256"}),
        ),
        (
            "CreateGrant",
            json!({"KeyId": arn, "GranteePrincipal": "p", "Operations": ["Decrypt"]}),
        ),
        ("EnableKey", json!({"KeyId": arn})),
        ("DisableKey", json!({"KeyId": arn})),
        ("ScheduleKeyDeletion", json!({"KeyId": arn})),
        ("CancelKeyDeletion", json!({"KeyId": arn})),
    ];
    for (op, body) in ops {
        let e = d.err(op, body);
        assert_eq!(e.name(), "AccessDeniedException", "{op}");
        assert_eq!(
            e.message,
            format!(
                "User: arn:aws:iam::123456789012:user/AKIAEXAMPLEUSER01 is not authorized to perform: kms:{op} on resource: {arn} because no resource-based policy allows the kms:{op} action"
            )
        );
    }
    // DynamoDB's own calls on the caller's behalf still work.
    assert!(
        d.call(
            "PutItem",
            json!({"TableName": RATINGS, "Item": super::support::alice()})
        )
        .result
        .is_ok()
    );
    assert!(
        d.ok("ListGrants", json!({"KeyId": arn}))["Grants"]
            .as_array()
            .is_some_and(|g| g.len() == 1)
    );
}

#[test]
fn grants() {
    //= spec/kms.md#create-grant
    //= type=test
    //# CreateGrant MUST require `KeyId` and a non-empty `Operations` list of `GrantOperation` values, and MUST return a `GrantId` of 64 lowercase hex digits and a non-empty `GrantToken`.
    let mut d = Driver::new();
    let id = d.create_key();
    for bad in [
        json!({"GranteePrincipal": "p", "Operations": ["Decrypt"]}),
        json!({"KeyId": id, "GranteePrincipal": "p"}),
        json!({"KeyId": id, "GranteePrincipal": "p", "Operations": []}),
        json!({"KeyId": id, "GranteePrincipal": "p", "Operations": ["Fly"]}),
    ] {
        assert_eq!(d.err("CreateGrant", bad).name(), "ValidationException");
    }
    //= spec/kms.md#create-grant
    //= type=test
    //# CreateGrant MUST require exactly one of `GranteePrincipal` and `GranteeServicePrincipal`, and MUST fail a request with neither or both with `ValidationException` and the message `You must specify either GranteePrincipal or GranteeServicePrincipal, but not both.`.
    for bad in [
        json!({"KeyId": id, "Operations": ["Decrypt"]}),
        json!({"KeyId": id, "GranteePrincipal": "p", "GranteeServicePrincipal": "dynamodb.amazonaws.com", "Operations": ["Decrypt"]}),
    ] {
        let e = d.err("CreateGrant", bad);
        assert_eq!(
            (e.name(), e.message.as_str()),
            (
                "ValidationException",
                "You must specify either GranteePrincipal or GranteeServicePrincipal, but not both."
            )
        );
    }
    let g = d.ok(
        "CreateGrant",
        json!({"KeyId": id, "GranteePrincipal": "arn:aws:iam::123456789012:user/app", "RetiringPrincipal": "arn:aws:iam::123456789012:user/admin", "Operations": ["Encrypt", "Decrypt"], "Name": "app", "Constraints": {"EncryptionContextEquals": {"Purpose": "Test"}}}),
    );
    let grant_id = g["GrantId"].as_str().expect("id").to_owned();
    assert_eq!(grant_id.len(), 64);
    assert!(
        grant_id
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    );
    assert!(!g["GrantToken"].as_str().expect("token").is_empty());
    //= spec/kms.md#list-grants
    //= type=test
    //# ListGrants MUST return the key's grants in creation order, with the values CreateGrant received, as `GrantListEntry` objects with `KeyId` (the key ARN), `GrantId`, `Name`, `CreationDate`, `GranteePrincipal` or `GranteeServicePrincipal` (whichever CreateGrant received), `RetiringPrincipal` (when set), `IssuingAccount`, `Operations` and `Constraints` (when set).
    let list = d.ok("ListGrants", json!({"KeyId": id}));
    assert_eq!(
        list["Grants"][0],
        json!({"KeyId": Driver::key_arn(&id), "GrantId": grant_id, "Name": "app", "CreationDate": d.now.epoch_seconds(), "GranteePrincipal": "arn:aws:iam::123456789012:user/app", "RetiringPrincipal": "arn:aws:iam::123456789012:user/admin", "IssuingAccount": "arn:aws:iam::123456789012:root", "Operations": ["Encrypt", "Decrypt"], "Constraints": {"EncryptionContextEquals": {"Purpose": "Test"}}})
    );
    let service = d.ok(
        "CreateGrant",
        json!({"KeyId": id, "GranteeServicePrincipal": "dynamodb.amazonaws.com", "RetiringPrincipal": "arn:aws:iam::123456789012:user/admin", "Operations": ["Decrypt"]}),
    )["GrantId"]
        .clone();
    let entry = d.ok("ListGrants", json!({"KeyId": id}))["Grants"][1].clone();
    assert_eq!(entry["GrantId"], service);
    assert_eq!(entry["GranteeServicePrincipal"], "dynamodb.amazonaws.com");
    assert!(entry.get("GranteePrincipal").is_none(), "{entry}");
    d.ok("RevokeGrant", json!({"KeyId": id, "GrantId": service}));
    //= spec/kms.md#retire-revoke
    //= type=test
    //# A `GrantId` that is not 64 hex digits MUST fail with `InvalidGrantIdException`, and a well-formed `GrantId` that names no grant of the key MUST fail with `NotFoundException`.
    assert_eq!(
        d.err("RevokeGrant", json!({"KeyId": id, "GrantId": "abc"}))
            .name(),
        "InvalidGrantIdException"
    );
    assert_eq!(
        d.err(
            "RevokeGrant",
            json!({"KeyId": id, "GrantId": "0".repeat(64)})
        )
        .name(),
        "NotFoundException"
    );
    //= spec/kms.md#retire-revoke
    //= type=test
    //# RetireGrant (by `GrantToken`, or by `KeyId` and `GrantId`) and RevokeGrant (by `KeyId` and `GrantId`) MUST delete the grant, so that ListGrants no longer shows it.
    let token = d.ok(
        "CreateGrant",
        json!({"KeyId": id, "GranteePrincipal": "p", "Operations": ["Decrypt"]}),
    )["GrantToken"]
        .clone();
    let third = d.ok(
        "CreateGrant",
        json!({"KeyId": id, "GranteePrincipal": "p", "Operations": ["Decrypt"]}),
    )["GrantId"]
        .clone();
    assert_eq!(
        d.ok("ListGrants", json!({"KeyId": id}))["Grants"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    let out = d.call("RetireGrant", json!({"GrantToken": token}));
    assert!(out.result.is_ok());
    assert_eq!(out.events[0].request_parameters, Value::Null);
    assert!(
        out.events[0]
            .additional_event_data
            .as_ref()
            .is_some_and(|a| a["grantId"].as_str().is_some_and(|g| g.len() == 64))
    );
    d.ok(
        "RetireGrant",
        json!({"KeyId": Driver::key_arn(&id), "GrantId": third}),
    );
    d.ok("RevokeGrant", json!({"KeyId": id, "GrantId": grant_id}));
    assert_eq!(
        d.ok("ListGrants", json!({"KeyId": id}))["Grants"],
        json!([])
    );
}

#[test]
fn the_grant_dynamodb_creates() {
    //= spec/kms.md#dynamodb-grant
    //= type=test
    //# For each KMS table, a target MUST hold exactly one grant on the table's key with `GranteePrincipal` and `RetiringPrincipal` `dynamodb.<region>.amazonaws.com`, `Operations` `["DescribeKey", "GenerateDataKey", "Decrypt", "Encrypt", "ReEncryptFrom", "ReEncryptTo", "RetireGrant"]`, `Constraints` `{"EncryptionContextSubset": <the table's encryption context>}` and a UUID `Name`.
    let mut d = Driver::new();
    let id = d.create_key();
    for table in ["alpha", "bravo"] {
        d.ok(
            "CreateTable",
            super::support::ratings_table(table, json!({"SSEType": "KMS", "KMSMasterKeyId": id})),
        );
    }
    let grants = d.ok("ListGrants", json!({"KeyId": id}))["Grants"].clone();
    assert_eq!(
        grants.as_array().map(Vec::len),
        Some(2),
        "one grant per table"
    );
    for (g, table) in grants.as_array().expect("g").iter().zip(["alpha", "bravo"]) {
        assert_eq!(g["GranteePrincipal"], "dynamodb.us-east-1.amazonaws.com");
        assert_eq!(g["RetiringPrincipal"], "dynamodb.us-east-1.amazonaws.com");
        assert_eq!(
            g["Operations"],
            json!([
                "DescribeKey",
                "GenerateDataKey",
                "Decrypt",
                "Encrypt",
                "ReEncryptFrom",
                "ReEncryptTo",
                "RetireGrant"
            ])
        );
        assert_eq!(
            g["Constraints"],
            json!({"EncryptionContextSubset": {"aws:dynamodb:tableName": table, "aws:dynamodb:subscriberId": "123456789012"}})
        );
        assert_eq!(g["Name"].as_str().map(str::len), Some(36));
    }
}

#[test]
fn context_and_tampering() {
    //= spec/kms.md#encryption-context
    //= type=test
    //# Decrypt MUST fail with `InvalidCiphertextException` unless its `EncryptionContext` equals, key for key and value for value (case-sensitive), the context given when the ciphertext was produced, and a ciphertext that was altered in any byte MUST fail the same way.
    let mut d = Driver::new();
    let id = d.create_key();
    let ctx = json!({"Purpose": "Test", "Team": "a"});
    let out = d.ok(
        "GenerateDataKey",
        json!({"KeyId": id, "NumberOfBytes": 64, "EncryptionContext": ctx}),
    );
    let blob = out["CiphertextBlob"].clone();
    let back = d.ok(
        "Decrypt",
        json!({"CiphertextBlob": blob, "EncryptionContext": ctx}),
    );
    assert_eq!(back["Plaintext"], out["Plaintext"]);
    for wrong in [
        json!({}),
        json!({"Purpose": "test", "Team": "a"}),
        json!({"Purpose": "Test"}),
        json!({"Purpose": "Test", "Team": "a", "x": "y"}),
    ] {
        let e = d.err(
            "Decrypt",
            json!({"CiphertextBlob": blob, "EncryptionContext": wrong}),
        );
        assert_eq!(e.name(), "InvalidCiphertextException");
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(blob.as_str().expect("b"))
        .expect("b64");
    let header = 3 + Driver::key_arn(&id).len();
    for i in [0, header, header + 12, raw.len() - 1] {
        let mut bad = raw.clone();
        bad[i] ^= 1;
        let e = d.err(
            "Decrypt",
            json!({"CiphertextBlob": b64(&bad), "EncryptionContext": ctx}),
        );
        assert_eq!(e.name(), "InvalidCiphertextException", "byte {i}");
    }
    //= spec/kms.md#encrypt-decrypt
    //= type=test
    //# A Decrypt whose `KeyId` names a key other than the one that produced the ciphertext MUST fail with `IncorrectKeyException`.
    let other = d.create_key();
    let e = d.err(
        "Decrypt",
        json!({"CiphertextBlob": blob, "EncryptionContext": ctx, "KeyId": other}),
    );
    assert_eq!(e.name(), "IncorrectKeyException");
    //= spec/kms.md#generate-data-key
    //= type=test
    //# GenerateDataKey MUST return fresh random `Plaintext` of the requested length, a `CiphertextBlob` that Decrypt turns back into that plaintext under the same encryption context, and `KeyId` as the key ARN.
    let a = d.ok(
        "GenerateDataKey",
        json!({"KeyId": id, "KeySpec": "AES_256"}),
    );
    let b = d.ok(
        "GenerateDataKey",
        json!({"KeyId": id, "KeySpec": "AES_256"}),
    );
    assert_ne!(a["Plaintext"], b["Plaintext"]);
    assert_eq!(a["KeyId"], Driver::key_arn(&id));
}

#[test]
fn list_retirable_grants_by_retiring_principal() {
    //= spec/kms.md#retirable-grants
    //= type=test
    //# ListRetirableGrants MUST require `RetiringPrincipal` or `RetiringServicePrincipal` (else `ValidationException`) and return, in key and then grant creation order, every grant of a live key whose retiring principal equals it, paged by `Limit` (1 to 100, default 50).
    let mut d = Driver::new();
    let (a, b) = (d.create_key(), d.create_key());
    let admin = "arn:aws:iam::123456789012:user/admin";
    let grant = |d: &mut Driver, key: &str, retiring: &str| {
        d.ok(
            "CreateGrant",
            json!({"KeyId": key, "GranteePrincipal": "arn:aws:iam::123456789012:user/app", "RetiringPrincipal": retiring, "Operations": ["Decrypt"]}),
        )["GrantId"]
            .clone()
    };
    let first = grant(&mut d, &a, admin);
    grant(&mut d, &a, "arn:aws:iam::123456789012:user/other");
    let second = grant(&mut d, &b, admin);
    let out = d.ok("ListRetirableGrants", json!({"RetiringPrincipal": admin}));
    let ids: Vec<Value> = out["Grants"]
        .as_array()
        .map(|g| g.iter().map(|e| e["GrantId"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(ids, vec![first, second.clone()]);
    assert_eq!(out["Truncated"], false);
    assert_eq!(
        out["Grants"][0]["GranteePrincipal"],
        "arn:aws:iam::123456789012:user/app"
    );
    let page = d.ok(
        "ListRetirableGrants",
        json!({"RetiringPrincipal": admin, "Limit": 1}),
    );
    assert_eq!(page["Grants"].as_array().map(Vec::len), Some(1));
    assert_eq!(page["Truncated"], true);
    let rest = d.ok(
        "ListRetirableGrants",
        json!({"RetiringPrincipal": admin, "Limit": 1, "Marker": page["NextMarker"]}),
    );
    //= spec/kms.md#retirable-grants
    //= type=test
    //# A ListRetirableGrants page MUST carry `Truncated` true, and a `NextMarker` that, passed as `Marker`, continues the listing, exactly when more grants remain after it; a page that ends the listing, even a full one, carries `Truncated` false.
    assert_eq!(rest["Grants"][0]["GrantId"], second);
    assert_eq!(rest["Truncated"], false);
    let full = d.ok(
        "ListRetirableGrants",
        json!({"RetiringPrincipal": admin, "Limit": 2}),
    );
    assert_eq!(full["Grants"].as_array().map(Vec::len), Some(2));
    assert_eq!(full["Truncated"], false);
    assert_eq!(
        d.err("ListRetirableGrants", json!({})).name(),
        "ValidationException"
    );
}

/// The `GrantId` of each entry of a ListGrants answer.
fn grant_ids(list: &Value) -> Vec<Value> {
    list["Grants"]
        .as_array()
        .map(|g| g.iter().map(|e| e["GrantId"].clone()).collect())
        .unwrap_or_default()
}

#[test]
fn list_grants_filters() {
    let mut d = Driver::new();
    let (key, other) = (d.create_key(), d.create_key());
    let (a, b) = (
        "arn:aws:iam::123456789012:user/a",
        "arn:aws:iam::123456789012:user/b",
    );
    let service = "dynamodb.amazonaws.com";
    let grant = |d: &mut Driver, key: &str, member: &str, principal: &str| {
        d.ok(
            "CreateGrant",
            json!({"KeyId": key, member: principal, "Operations": ["Decrypt"]}),
        )["GrantId"]
            .clone()
    };
    let g1 = grant(&mut d, &key, "GranteePrincipal", a);
    let g2 = grant(&mut d, &key, "GranteePrincipal", b);
    let g3 = grant(&mut d, &key, "GranteePrincipal", a);
    let g4 = grant(&mut d, &key, "GranteeServicePrincipal", service);
    let g5 = grant(&mut d, &key, "GranteePrincipal", service);
    let elsewhere = grant(&mut d, &other, "GranteePrincipal", a);
    //= spec/kms.md#list-grants
    //= type=test
    //# A `GrantId` filter MUST limit the listing to the key's grant with that id (no entry when the key has none), a `GranteePrincipal` filter to the key's grants created with that `GranteePrincipal`, and the two given together to the grants that pass both.
    let list = |d: &mut Driver, filter: Value| {
        let mut body = json!({"KeyId": key});
        for (k, v) in filter.as_object().into_iter().flatten() {
            body[k] = v.clone();
        }
        grant_ids(&d.ok("ListGrants", body))
    };
    assert_eq!(list(&mut d, json!({"GrantId": g2})), vec![g2.clone()]);
    assert_eq!(
        list(&mut d, json!({"GrantId": elsewhere})),
        Vec::<Value>::new()
    );
    assert_eq!(
        list(&mut d, json!({"GranteePrincipal": a})),
        [g1.clone(), g3]
    );
    assert_eq!(list(&mut d, json!({"GranteePrincipal": service})), [g5]);
    assert_eq!(
        list(&mut d, json!({"GrantId": g1, "GranteePrincipal": a})),
        vec![g1.clone()]
    );
    assert_eq!(
        list(&mut d, json!({"GrantId": g1, "GranteePrincipal": b})),
        Vec::<Value>::new()
    );
    //= spec/kms.md#list-grants
    //= type=test
    //# A `GranteeServicePrincipal` filter MUST limit the listing to the key's grants created with that `GranteeServicePrincipal`, and a ListGrants with both `GranteePrincipal` and `GranteeServicePrincipal` MUST fail with `ValidationException` and the message `You can specify either GranteePrincipal or GranteeServicePrincipal, but not both.`.
    assert_eq!(
        list(&mut d, json!({"GranteeServicePrincipal": service})),
        vec![g4]
    );
    let e = d.err(
        "ListGrants",
        json!({"KeyId": key, "GranteePrincipal": service, "GranteeServicePrincipal": service}),
    );
    assert_eq!(
        (e.name(), e.message.as_str()),
        (
            "ValidationException",
            "You can specify either GranteePrincipal or GranteeServicePrincipal, but not both."
        )
    );
    //= spec/kms.md#list-grants
    //= type=test
    //# A `GrantId` filter that is not 64 hex digits MUST fail with `InvalidGrantIdException`.
    assert_eq!(
        d.err("ListGrants", json!({"KeyId": key, "GrantId": "abc"}))
            .name(),
        "InvalidGrantIdException"
    );
}

#[test]
fn retire_grant_with_token_and_grant_id() {
    //= spec/kms.md#retire-revoke
    //= type=test
    //# A RetireGrant carrying a `GrantToken` together with `KeyId` and `GrantId` MUST retire that grant only when the token is that grant's token, and otherwise MUST fail with `InvalidGrantTokenException` and the message `Grant token is not valid` and retire nothing.
    let mut d = Driver::new();
    let key = d.create_key();
    let grant = |d: &mut Driver| {
        d.ok(
            "CreateGrant",
            json!({"KeyId": key, "GranteePrincipal": "p", "Operations": ["Decrypt"]}),
        )
    };
    let (first, second) = (grant(&mut d), grant(&mut d));
    for token in [first["GrantToken"].clone(), json!("AQpAnotatoken")] {
        let e = d.err(
            "RetireGrant",
            json!({"GrantToken": token, "KeyId": key, "GrantId": second["GrantId"]}),
        );
        assert_eq!(
            (e.name(), e.message.as_str()),
            ("InvalidGrantTokenException", "Grant token is not valid")
        );
    }
    assert_eq!(
        grant_ids(&d.ok("ListGrants", json!({"KeyId": key}))),
        [first["GrantId"].clone(), second["GrantId"].clone()],
        "nothing retired"
    );
    d.ok(
        "RetireGrant",
        json!({"GrantToken": second["GrantToken"], "KeyId": key, "GrantId": second["GrantId"]}),
    );
    assert_eq!(
        grant_ids(&d.ok("ListGrants", json!({"KeyId": key}))),
        [first["GrantId"].clone()]
    );
}

#[test]
fn list_aliases_by_key() {
    //= spec/kms.md#aliases
    //= type=test
    //# A ListAliases with a `KeyId` MUST list only the aliases whose `TargetKeyId` is that key, and a `KeyId` that names no key MUST fail with `NotFoundException` and the message of section 1.2.
    let mut d = Driver::new();
    let (a, b, bare) = (d.create_key(), d.create_key(), d.create_key());
    for (name, key) in [("alias/a1", &a), ("alias/b1", &b), ("alias/a2", &a)] {
        d.ok(
            "CreateAlias",
            json!({"AliasName": name, "TargetKeyId": key}),
        );
    }
    let names = |d: &mut Driver, key: &str| -> Vec<String> {
        d.ok("ListAliases", json!({"KeyId": key}))["Aliases"]
            .as_array()
            .map(|l| {
                l.iter()
                    .filter_map(|e| e["AliasName"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(names(&mut d, &a), ["alias/a1", "alias/a2"]);
    assert_eq!(names(&mut d, &Driver::key_arn(&b)), ["alias/b1"]);
    assert_eq!(names(&mut d, &bare), Vec::<String>::new());
    let unknown = "00000000-0000-4000-8000-000000000000";
    let e = d.err("ListAliases", json!({"KeyId": unknown}));
    assert_eq!(
        (e.name(), e.message),
        (
            "NotFoundException",
            format!("Key '{}' does not exist", Driver::key_arn(unknown))
        )
    );
}

#[test]
fn retire_grant_that_names_no_grant() {
    //= spec/kms.md#retire-revoke
    //= type=test
    //# A RetireGrant without `GrantToken` that lacks `KeyId` or `GrantId` MUST fail with `ValidationException` and the message `Either GrantToken, or both KeyId and GrantId must be specified`, before any key is looked up.
    let mut d = Driver::new();
    let key = d.create_key();
    let id = d.ok(
        "CreateGrant",
        json!({"KeyId": key, "GranteePrincipal": "p", "Operations": ["Decrypt"]}),
    )["GrantId"]
        .clone();
    let unknown_key = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000";
    for body in [
        json!({}),
        json!({"KeyId": key}),
        json!({"GrantId": id}),
        json!({"KeyId": unknown_key}),
    ] {
        let e = d.err("RetireGrant", body.clone());
        assert_eq!(
            (e.name(), e.message.as_str()),
            (
                "ValidationException",
                "Either GrantToken, or both KeyId and GrantId must be specified"
            ),
            "{body}"
        );
    }
    let listed = d.ok("ListGrants", json!({"KeyId": key}));
    assert_eq!(listed["Grants"].as_array().map(Vec::len), Some(1));
}

#[test]
fn a_full_last_page_is_not_truncated() {
    //= spec/kms.md#list-truncated
    //= type=test
    //# A page of ListKeys, ListAliases, ListGrants or ListResourceTags MUST carry `Truncated` false and no `NextMarker` when no entries remain after it, even when it holds `Limit` entries.
    let mut d = Driver::new();
    let (a, b) = (d.create_key(), d.create_key());
    for alias in ["alias/one", "alias/two"] {
        d.ok("CreateAlias", json!({"AliasName": alias, "TargetKeyId": a}));
    }
    for _ in 0..2 {
        d.ok(
            "CreateGrant",
            json!({"KeyId": b, "GranteePrincipal": "p", "Operations": ["Decrypt"]}),
        );
    }
    d.ok(
        "TagResource",
        json!({"KeyId": a, "Tags": [{"TagKey": "x", "TagValue": "1"}, {"TagKey": "y", "TagValue": "2"}]}),
    );
    for (op, body, list) in [
        ("ListKeys", json!({"Limit": 2}), "Keys"),
        ("ListAliases", json!({"Limit": 2}), "Aliases"),
        ("ListGrants", json!({"KeyId": b, "Limit": 2}), "Grants"),
        ("ListResourceTags", json!({"KeyId": a, "Limit": 2}), "Tags"),
    ] {
        let page = d.ok(op, body);
        assert_eq!(page[list].as_array().map(Vec::len), Some(2), "{op}");
        assert_eq!(page["Truncated"], false, "{op}");
        assert!(page.get("NextMarker").is_none_or(Value::is_null), "{op}");
    }
}
