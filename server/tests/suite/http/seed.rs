//! `ddbsse serve --seed FILE`: keys with fixed ids and material, aliases, tables and items exist
//! when the server starts.

use base64::Engine as _;
use ddbsse_crypto::{EncryptionContext, KeyMaterial, kms_blob};
use ddbsse_server::cli::{ServeArgs, build};
use ddbsse_server::clock::ClockKind;

use super::TestServer;
use super::client::Connection;

const KEY_ID: &str = "0b7f3c2e-9d41-4a8e-b5c6-1f2e3d4c5b6a";
const MATERIAL_HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

fn seed_file(name: &str, text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("ddbsse-seed-{name}-{}.json", std::process::id()));
    std::fs::write(&path, text).expect("seed written");
    path
}

fn seed_text() -> String {
    format!(
        r#"{{
  "keys": [{{"KeyId": "{KEY_ID}", "KeyMaterial": "{MATERIAL_HEX}", "Description": "fixture key"}}],
  "aliases": [{{"AliasName": "alias/orders", "TargetKeyId": "{KEY_ID}"}}],
  "tables": [{{
    "TableName": "orders",
    "AttributeDefinitions": [{{"AttributeName": "pk", "AttributeType": "S"}}],
    "KeySchema": [{{"AttributeName": "pk", "KeyType": "HASH"}}],
    "BillingMode": "PAY_PER_REQUEST",
    "SSESpecification": {{"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": "alias/orders"}}
  }}],
  "items": [{{"TableName": "orders", "Item": {{"pk": {{"S": "order-1"}}, "total": {{"N": "42"}}}}}}]
}}"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seeded_server_starts_with_its_keys_aliases_tables_and_items() {
    let path = seed_file("ok", &seed_text());
    let server = TestServer::start(ServeArgs {
        port: 0,
        clock: ClockKind::Manual,
        seed: Some(path.clone()),
        ..ServeArgs::default()
    })
    .await;
    let mut c = Connection::open(server.addr).await;
    let r = c
        .call(
            "AKIDSEED",
            "DynamoDB_20120810.GetItem",
            r#"{"TableName": "orders", "Key": {"pk": {"S": "order-1"}}}"#,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["Item"]["total"]["N"], "42");
    let r = c
        .call(
            "AKIDSEED",
            "DynamoDB_20120810.DescribeTable",
            r#"{"TableName": "orders"}"#,
        )
        .await;
    let arn = format!("arn:aws:kms:us-east-1:123456789012:key/{KEY_ID}");
    assert_eq!(
        r.json()["Table"]["SSEDescription"]["KMSMasterKeyArn"],
        arn.as_str()
    );
    // A ciphertext made outside the server under the fixed material decrypts there.
    let mut material = [0u8; 32];
    hex::decode_to_slice(MATERIAL_HEX, &mut material).expect("hex");
    let mut ctx = EncryptionContext::new();
    ctx.insert("purpose", "fixture").expect("context");
    let blob = kms_blob::seal(
        &arn,
        &KeyMaterial::from_bytes(material),
        b"made elsewhere",
        &ctx,
        [7u8; 12],
    )
    .expect("sealed");
    let b64 = base64::engine::general_purpose::STANDARD;
    let r = c
        .call(
            "AKIDSEED",
            "TrentService.Decrypt",
            &serde_json::json!({
                "CiphertextBlob": b64.encode(&blob),
                "EncryptionContext": {"purpose": "fixture"}
            })
            .to_string(),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json());
    assert_eq!(r.json()["KeyId"], arn.as_str());
    let plaintext = b64
        .decode(r.json()["Plaintext"].as_str().expect("Plaintext"))
        .expect("base64");
    assert_eq!(plaintext, b"made elsewhere");
    let r = c
        .call(
            "AKIDSEED",
            "TrentService.DescribeKey",
            r#"{"KeyId": "alias/orders"}"#,
        )
        .await;
    assert_eq!(r.json()["KeyMetadata"]["KeyId"], KEY_ID);
    assert_eq!(r.json()["KeyMetadata"]["Description"], "fixture key");
    let _ = std::fs::remove_file(&path);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_seed_stops_the_start_without_showing_the_material() {
    let bad_material = seed_text().replace(
        MATERIAL_HEX,
        "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
    );
    let dangling_alias = seed_text().replace(r#""TargetKeyId": "0b7f"#, r#""TargetKeyId": "1b7f"#);
    for (name, text, expect) in [
        ("material", bad_material, "KeyMaterial of key"),
        (
            "alias",
            dangling_alias,
            "CreateAlias of alias/orders refused",
        ),
        (
            "shape",
            r#"{"keys": [], "extra": 1}"#.to_owned(),
            "unknown field",
        ),
    ] {
        let path = seed_file(name, &text);
        let args = ServeArgs {
            port: 0,
            clock: ClockKind::Manual,
            seed: Some(path.clone()),
            ..ServeArgs::default()
        };
        let err = build(&args).await.expect_err("the start is refused");
        let message = err.to_string();
        assert!(message.contains(expect), "{name}: {message}");
        assert!(
            !message.contains("0405060708090a0b"),
            "{name}: material shown: {message}"
        );
        let _ = std::fs::remove_file(&path);
    }
}
