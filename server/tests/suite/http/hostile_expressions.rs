//! Generated hostile expressions through the endpoint: UpdateItem, PutItem and DeleteItem with
//! update and condition expressions, Query with key conditions, filters and projections, Scan
//! and GetItem, each carrying generated `ExpressionAttributeNames`/`ExpressionAttributeValues`.
//! The texts come from the wire crate's generators (`ddbsse_wire::expression::generate`: trees
//! printed from the grammar and the end-to-end script's expressions, mutated at the byte and
//! token level), against a seeded table whose attributes the texts name.
//!
//! Invariants after every case: no 5xx; a refusal is a `ValidationException` (or, for a
//! conditional write, `ConditionalCheckFailedException`); a refused write changed nothing stored
//! (the table's items are as before); the server still answers `GET /_health`.
//!
//! Cases: `PROPTEST_CASES` (default 1500, what CI runs); `scripts/hostile-input.sh` runs a
//! longer campaign. Failing inputs are kept in `server/tests/proptest-regressions/http/`.

use std::net::SocketAddr;

use ddbsse_wire::expression::Kind;
use ddbsse_wire::expression::generate::{gexpr, gmaps};
use proptest::prelude::*;
use serde_json::{Value, json};

use super::hostile::{aws, exchange};

const TABLE: &str = "exprs";

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(1500)
}

/// The seeded items: attribute names the generators use (`a`, `b`, `cc`, `status`, `wins`,
/// `plays`, `note`, `tags`) with values of every type.
fn seed_items() -> Vec<Value> {
    vec![
        json!({"pk": {"S": "p1"}, "sk": {"N": "1"}, "a": {"N": "3"}, "b": {"S": "m-1"}, "wins": {"N": "2"},
               "note": {"S": "m-1"}, "status": {"S": "x"}, "tags": {"L": [{"S": "t"}]},
               "cc": {"M": {"a": {"SS": ["a", "b"]}, "b": {"L": [{"N": "1"}, {"BOOL": true}]}}}}),
        json!({"pk": {"S": "p1"}, "sk": {"N": "2"}, "plays": {"N": "1"}, "a": {"NS": ["1", "2"]}, "d_1": {"NULL": true}}),
        json!({"pk": {"S": "p2"}, "sk": {"N": "1"}, "b": {"B": "AAEC"}, "a": {"L": [{"N": "1"}, {"M": {}}]}}),
    ]
}

/// A server in its own runtime, with the seeded table.
struct Shared {
    addr: SocketAddr,
    _runtime: tokio::runtime::Runtime,
    _server: super::TestServer,
}

fn shared() -> Shared {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let server = runtime.block_on(super::TestServer::manual());
    let addr = server.addr;
    let (status, body) = aws(addr, "DynamoDB_20120810.CreateTable", &json!({"TableName": TABLE, "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}], "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}], "BillingMode": "PAY_PER_REQUEST", "SSESpecification": {"Enabled": true, "SSEType": "KMS"}}).to_string());
    assert_eq!(status, 200, "{body}");
    reseed(addr);
    Shared {
        addr,
        _runtime: runtime,
        _server: server,
    }
}

/// Puts the seeded items back (after a write that succeeded), so that every case meets them.
fn reseed(addr: SocketAddr) {
    for item in seed_items() {
        let (status, body) = aws(
            addr,
            "DynamoDB_20120810.PutItem",
            &json!({"TableName": TABLE, "Item": item}).to_string(),
        );
        assert_eq!(status, 200, "{body}");
    }
}

fn stored(addr: SocketAddr) -> Value {
    let (status, body) = aws(
        addr,
        "DynamoDB_20120810.Scan",
        &json!({"TableName": TABLE, "ConsistentRead": true}).to_string(),
    );
    assert_eq!(status, 200, "the server still scans: {body}");
    let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    v["Items"].clone()
}

/// One generated request: (operation, body, whether it writes).
#[derive(Clone, Debug)]
struct Case {
    operation: &'static str,
    body: Value,
}

impl Case {
    fn writes(&self) -> bool {
        matches!(self.operation, "UpdateItem" | "PutItem" | "DeleteItem")
    }
}

fn key() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({"pk": {"S": "p1"}, "sk": {"N": "1"}})),
        Just(json!({"pk": {"S": "p1"}, "sk": {"N": "2"}})),
        Just(json!({"pk": {"S": "absent"}, "sk": {"N": "9"}})),
    ]
}

/// Adds the members that are present.
fn body(base: Value, members: Vec<(&str, Option<Value>)>) -> Value {
    let mut base = base;
    for (name, v) in members {
        if let Some(v) = v {
            base[name] = v;
        }
    }
    base
}

fn text(t: Option<String>) -> Option<Value> {
    t.map(Value::String)
}

fn maps<T: serde::Serialize>(m: Option<T>) -> Option<Value> {
    m.map(|m| serde_json::to_value(m).unwrap())
}

fn case() -> impl Strategy<Value = Case> {
    prop_oneof![
        (
            key(),
            gexpr(Kind::Update),
            gexpr(Kind::Condition),
            any::<bool>()
        )
            .prop_flat_map(|(k, u, c, all_new)| {
                (Just((k, u.clone(), c.clone(), all_new)), gmaps(vec![u, c]))
            })
            .prop_map(|((k, u, c, all_new), (n, v))| Case {
                operation: "UpdateItem",
                body: body(
                    json!({"TableName": TABLE, "Key": k}),
                    vec![
                        ("UpdateExpression", text(u)),
                        ("ConditionExpression", text(c)),
                        ("ExpressionAttributeNames", maps(n)),
                        ("ExpressionAttributeValues", maps(v)),
                        ("ReturnValues", all_new.then(|| json!("ALL_NEW"))),
                    ],
                ),
            }),
        (key(), gexpr(Kind::Condition))
            .prop_flat_map(|(k, c)| (Just((k, c.clone())), gmaps(vec![c])))
            .prop_map(|((k, c), (n, v))| {
                let mut item = k;
                item["status"] = json!({"S": "put"});
                Case {
                    operation: "PutItem",
                    body: body(
                        json!({"TableName": TABLE, "Item": item}),
                        vec![
                            ("ConditionExpression", text(c)),
                            ("ExpressionAttributeNames", maps(n)),
                            ("ExpressionAttributeValues", maps(v)),
                            (
                                "ReturnValuesOnConditionCheckFailure",
                                Some(json!("ALL_OLD")),
                            ),
                        ],
                    ),
                }
            }),
        (key(), gexpr(Kind::Condition))
            .prop_flat_map(|(k, c)| (Just((k, c.clone())), gmaps(vec![c])))
            .prop_map(|((k, c), (n, v))| Case {
                operation: "DeleteItem",
                body: body(
                    json!({"TableName": TABLE, "Key": k}),
                    vec![
                        ("ConditionExpression", text(c)),
                        ("ExpressionAttributeNames", maps(n)),
                        ("ExpressionAttributeValues", maps(v)),
                    ],
                ),
            }),
        (
            gexpr(Kind::KeyCondition),
            gexpr(Kind::Filter),
            gexpr(Kind::Projection)
        )
            .prop_flat_map(|(k, f, p)| {
                (
                    Just((k.clone(), f.clone(), p.clone())),
                    gmaps(vec![k, f, p]),
                )
            })
            .prop_map(|((k, f, p), (n, v))| Case {
                operation: "Query",
                body: body(
                    json!({"TableName": TABLE}),
                    vec![
                        ("KeyConditionExpression", text(k)),
                        ("FilterExpression", text(f)),
                        ("ProjectionExpression", text(p)),
                        ("ExpressionAttributeNames", maps(n)),
                        ("ExpressionAttributeValues", maps(v)),
                    ],
                ),
            }),
        (gexpr(Kind::Filter), gexpr(Kind::Projection))
            .prop_flat_map(|(f, p)| (Just((f.clone(), p.clone())), gmaps(vec![f, p])))
            .prop_map(|((f, p), (n, v))| Case {
                operation: "Scan",
                body: body(
                    json!({"TableName": TABLE}),
                    vec![
                        ("FilterExpression", text(f)),
                        ("ProjectionExpression", text(p)),
                        ("ExpressionAttributeNames", maps(n)),
                        ("ExpressionAttributeValues", maps(v)),
                    ],
                ),
            }),
        (key(), gexpr(Kind::Projection))
            .prop_flat_map(|(k, p)| (Just((k, p.clone())), gmaps(vec![p])))
            .prop_map(|((k, p), (n, _))| Case {
                operation: "GetItem",
                body: body(
                    json!({"TableName": TABLE, "Key": k}),
                    vec![
                        ("ProjectionExpression", text(p)),
                        ("ExpressionAttributeNames", maps(n)),
                    ],
                ),
            }),
    ]
}

/// Runs `body` on a thread with a 64 MiB stack: in unoptimised test builds the composed
/// strategies' `new_tree` frames overflow the test harness's 2 MiB stack.
fn on_big_stack(body: impl FnOnce() + Send + 'static) {
    let thread = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(body)
        .expect("a test thread");
    if let Err(panic) = thread.join() {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn hostile_expressions_through_the_endpoint_never_5xx_or_store_what_was_refused() {
    on_big_stack(run);
}

fn run() {
    let server = shared();
    let addr = server.addr;
    let config = ProptestConfig {
        cases: cases(),
        ..ProptestConfig::default()
    };
    proptest!(config, |(c in case())| {
        let before = if c.writes() { Some(stored(addr)) } else { None };
        let (status, answer) = aws(addr, &format!("DynamoDB_20120810.{}", c.operation), &c.body.to_string());
        prop_assert!(status != 0 && status < 500, "{} answered {}: {}", c.operation, status, answer);
        if status >= 400 {
            let v: Value = serde_json::from_str(&answer).unwrap_or(Value::Null);
            let kind = v["__type"].as_str().unwrap_or_default();
            let allowed = kind.ends_with("#ValidationException")
                || (c.writes() && kind.ends_with("#ConditionalCheckFailedException"));
            prop_assert!(allowed, "{} refused with {}", c.operation, answer);
            if let Some(before) = &before {
                prop_assert_eq!(&stored(addr), before, "a refused {} changed the table: {}", c.operation, answer);
            }
        } else if c.writes() {
            reseed(addr);
        }
        let (health, _) = exchange(addr, b"GET /_health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        prop_assert_eq!(health, Some(200), "the server stopped answering");
    });
}
