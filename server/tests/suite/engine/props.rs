//! Properties: random bodies and targets never panic and always get an AWS-shaped answer.

use ddbsse_server::engine::{Engine, EngineConfig};
use ddbsse_wire::Operation;
use ddbsse_wire::caller::Caller;
use ddbsse_wire::time::MANUAL_CLOCK_START;
use proptest::prelude::*;
use serde_json::Value;

fn engine() -> Engine {
    let e = Engine::open(EngineConfig::default()).unwrap();
    let c = Caller::new("AKIDPROP", 1);
    let t = MANUAL_CLOCK_START;
    let create = br#"{"TableName":"prop","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST","SSESpecification":{"Enabled":true}}"#;
    assert_eq!(
        e.handle(t, &c, "DynamoDB_20120810.CreateTable", create)
            .status,
        200
    );
    e
}

fn check(resp: &ddbsse_server::engine::EngineResponse) {
    let v: Value = serde_json::from_slice(&resp.body).expect("JSON body");
    if resp.status != 200 {
        assert!(
            resp.status == 400,
            "bad input must be a 400, got {} {v}",
            resp.status
        );
        let ty = v["__type"].as_str().expect("__type");
        assert!(!ty.is_empty());
        assert!(v.get("message").is_some());
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(Value::from),
        "[a-zA-Z0-9:#_ =<>.,()-]{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("prop"),
            Just("pk"),
            Just("S"),
            Just("N"),
            Just("alias/aws/dynamodb"),
            Just(":v")
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("TableName".to_owned()),
                    Just("Item".to_owned()),
                    Just("Key".to_owned()),
                    Just("pk".to_owned()),
                    Just("S".to_owned()),
                    Just("N".to_owned()),
                    Just("B".to_owned()),
                    Just("KeyId".to_owned()),
                    Just("Limit".to_owned()),
                    Just("SSESpecification".to_owned()),
                    Just("KeyConditionExpression".to_owned()),
                    Just("ExpressionAttributeValues".to_owned()),
                    Just("Plaintext".to_owned()),
                    Just("CiphertextBlob".to_owned()),
                    Just("LookupAttributes".to_owned()),
                    "[A-Za-z]{1,8}",
                ],
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_json_for_every_operation_never_panics(op in prop::sample::select(Operation::ALL), body in json_value()) {
        let e = engine();
        let c = Caller::new("AKIDPROP", 1);
        let bytes = serde_json::to_vec(&body).unwrap();
        let resp = e.handle(MANUAL_CLOCK_START, &c, &op.target(), &bytes);
        check(&resp);
        // The engine keeps serving afterwards.
        let ok = e.handle(MANUAL_CLOCK_START, &c, "DynamoDB_20120810.ListTables", b"{}");
        prop_assert_eq!(ok.status, 200);
    }

    #[test]
    fn random_bytes_and_targets_get_aws_errors(target in "[A-Za-z0-9_.]{0,40}", body in prop::collection::vec(any::<u8>(), 0..64)) {
        let e = engine();
        let c = Caller::new("AKIDPROP", 1);
        let resp = e.handle(MANUAL_CLOCK_START, &c, &target, &body);
        check(&resp);
    }
}

#[test]
fn malformed_and_unknown_get_the_protocol_errors() {
    let e = engine();
    let c = Caller::new("AKIDPROP", 1);
    let r = e.handle(
        MANUAL_CLOCK_START,
        &c,
        "DynamoDB_20120810.GetItem",
        b"{not json",
    );
    assert_eq!(r.status, 400);
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert!(
        v["__type"]
            .as_str()
            .unwrap()
            .ends_with("SerializationException")
    );
    let r = e.handle(MANUAL_CLOCK_START, &c, "DynamoDB_20120810.Teleport", b"{}");
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert!(
        v["__type"]
            .as_str()
            .unwrap()
            .ends_with("UnknownOperationException")
    );
    let anon = Caller::new("", 1);
    let r = e.handle(
        MANUAL_CLOCK_START,
        &anon,
        "DynamoDB_20120810.ListTables",
        b"{}",
    );
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert!(
        v["__type"]
            .as_str()
            .unwrap()
            .ends_with("MissingAuthenticationTokenException")
    );
}
