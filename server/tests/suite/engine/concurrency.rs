//! 16 concurrent clients (threads, each its own connection) on an SSE-KMS table and an
//! owned-key table see zero errors and read back what they wrote.

use std::sync::Arc;

use ddbsse_server::engine::{Engine, EngineConfig};
use ddbsse_wire::caller::Caller;
use ddbsse_wire::time::MANUAL_CLOCK_START;
use serde_json::{Value, json};

#[test]
fn sixteen_clients_zero_errors() {
    let e = Arc::new(Engine::open(EngineConfig::default()).unwrap());
    let admin = Caller::new("AKIDADMIN", 0);
    for (t, sse) in [
        ("conc_kms", json!({"Enabled": true})),
        ("conc_owned", json!({})),
    ] {
        let body = json!({"TableName": t, "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST",
            "SSESpecification": sse});
        let r = e.handle(
            MANUAL_CLOCK_START,
            &admin,
            "DynamoDB_20120810.CreateTable",
            body.to_string().as_bytes(),
        );
        assert_eq!(r.status, 200);
    }
    let threads: Vec<_> = (0..16u64)
        .map(|c| {
            let e = Arc::clone(&e);
            std::thread::spawn(move || {
                let caller = Caller::new(format!("AKID{c}"), 100 + c);
                let mut errors = 0;
                for i in 0..100 {
                    for t in ["conc_kms", "conc_owned"] {
                        let pk = format!("c{c}-{i}");
                        let put = json!({"TableName": t, "Item": {"pk": {"S": pk}, "v": {"S": "x".repeat(1000)}}});
                        let r = e.handle(MANUAL_CLOCK_START, &caller, "DynamoDB_20120810.PutItem", put.to_string().as_bytes());
                        errors += usize::from(r.status != 200);
                        let get = json!({"TableName": t, "Key": {"pk": {"S": pk}}});
                        let r = e.handle(MANUAL_CLOCK_START, &caller, "DynamoDB_20120810.GetItem", get.to_string().as_bytes());
                        let v: Value = serde_json::from_slice(&r.body).unwrap();
                        errors += usize::from(r.status != 200 || v["Item"]["pk"]["S"] != pk.as_str());
                    }
                }
                errors
            })
        })
        .collect();
    let errors: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(errors, 0);
    // One Decrypt per client connection on the KMS table, none for the owned table.
    let decrypts = e
        .trail_records()
        .iter()
        .filter(|r| r.event_name == "Decrypt")
        .count();
    assert_eq!(decrypts, 16);
}
