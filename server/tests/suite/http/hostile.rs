//! Generated hostile input over real sockets: the request bodies the end-to-end scripts send
//! (`scripts/e2e-awscli.sh`: the blog's create-table, put/get-item, Query, Scan, the KMS and
//! CloudTrail calls), and whole HTTP requests carrying them, mutated at the byte level by
//! proptest (flips, insertions, deletions, truncations, duplicated slices, header names and
//! values swapped for junk).
//!
//! Invariants after every case: the server answered without a 5xx (or closed a connection it
//! could not frame), it still answers `GET /_health` and a valid ListTables on a fresh
//! connection, and a request answered with an error changed nothing: the tables and the items of
//! the seeded table are as before.
//!
//! Cases per run: `DDBSSE_HOSTILE_CASES` (default 1500 per property, what CI runs);
//! `scripts/hostile-input.sh` runs a longer campaign. Failing inputs are shrunk and kept by
//! proptest in `server/tests/proptest-regressions/http/hostile.txt`, which is committed.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::client::authorization;

const TABLE: &str = "hostile";

/// `(target, body)` pairs as the end-to-end script's clients send them.
fn seeds() -> Vec<(&'static str, String)> {
    let ddb = |op: &str| format!("DynamoDB_20120810.{op}");
    let kms = |op: &str| format!("TrentService.{op}");
    let raw = vec![
        (
            ddb("CreateTable"),
            json!({"TableName": "ratings", "AttributeDefinitions": [{"AttributeName": "player", "AttributeType": "S"}, {"AttributeName": "rating", "AttributeType": "N"}], "KeySchema": [{"AttributeName": "player", "KeyType": "HASH"}, {"AttributeName": "rating", "KeyType": "RANGE"}], "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}, "SSESpecification": {"Enabled": true, "SSEType": "KMS"}}),
        ),
        (ddb("DescribeTable"), json!({"TableName": TABLE})),
        (
            ddb("PutItem"),
            json!({"TableName": TABLE, "Item": {"k": {"S": "p1"}, "n": {"N": "-1.5e3"}, "b": {"B": "AAEC"}, "l": {"L": [{"S": "x"}, {"BOOL": true}, {"NULL": true}]}, "m": {"M": {"ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]}}}}}),
        ),
        (
            ddb("GetItem"),
            json!({"TableName": TABLE, "Key": {"k": {"S": "seed"}}, "ConsistentRead": true}),
        ),
        (
            ddb("Query"),
            json!({"TableName": TABLE, "KeyConditionExpression": "k = :k", "ExpressionAttributeValues": {":k": {"S": "seed"}}}),
        ),
        (ddb("Scan"), json!({"TableName": TABLE, "Limit": 5})),
        (
            ddb("BatchWriteItem"),
            json!({"RequestItems": {TABLE: [{"PutRequest": {"Item": {"k": {"S": "b1"}}}}, {"DeleteRequest": {"Key": {"k": {"S": "b2"}}}}]}}),
        ),
        (
            ddb("BatchGetItem"),
            json!({"RequestItems": {TABLE: {"Keys": [{"k": {"S": "seed"}}]}}}),
        ),
        (
            ddb("DeleteItem"),
            json!({"TableName": TABLE, "Key": {"k": {"S": "gone"}}}),
        ),
        (
            ddb("UpdateTable"),
            json!({"TableName": TABLE, "SSESpecification": {"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": "alias/aws/dynamodb"}}),
        ),
        (
            kms("CreateKey"),
            json!({"Description": "hostile", "KeyUsage": "ENCRYPT_DECRYPT"}),
        ),
        (
            kms("Encrypt"),
            json!({"KeyId": "alias/aws/dynamodb", "Plaintext": "aGk="}),
        ),
        (
            kms("Decrypt"),
            json!({"CiphertextBlob": "AQICAHh4eHh4eHh4eHh4eHh4eHh4eHh4"}),
        ),
        (
            kms("ListGrants"),
            json!({"KeyId": "alias/aws/dynamodb", "Limit": 10}),
        ),
        (kms("ListAliases"), json!({})),
        (
            "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents".to_owned(),
            json!({"LookupAttributes": [{"AttributeKey": "EventSource", "AttributeValue": "kms.amazonaws.com"}], "MaxResults": 5}),
        ),
    ];
    let mut out: Vec<(&'static str, String)> = raw
        .into_iter()
        .map(|(t, b)| (&*Box::leak(t.into_boxed_str()), b.to_string()))
        .collect();
    out.push(("DynamoDB_20120810.ListTables", "{}".to_owned()));
    out
}

/// One byte-level change.
#[derive(Clone, Debug)]
pub(super) enum Mutation {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
    Duplicate(usize, usize),
}

pub(super) fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b.max(1))),
        (
            any::<usize>(),
            prop_oneof![
                any::<u8>(),
                Just(b'"'),
                Just(b'{'),
                Just(b'\\'),
                Just(b'\r'),
                Just(b'\n'),
                Just(0u8)
            ]
        )
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Delete),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
    ]
}

pub(super) fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let len = bytes.len();
    let at = |i: usize| if len == 0 { 0 } else { i % len };
    match *m {
        Mutation::Flip(i, b) if len > 0 => bytes[at(i)] ^= b,
        Mutation::Insert(i, b) => bytes.insert(if len == 0 { 0 } else { i % (len + 1) }, b),
        Mutation::Delete(i) if len > 0 => {
            bytes.remove(at(i));
        }
        Mutation::Truncate(i) => bytes.truncate(if len == 0 { 0 } else { i % (len + 1) }),
        Mutation::Duplicate(i, n) if len > 0 => {
            let start = at(i);
            let end = (start + n).min(len);
            let slice = bytes[start..end].to_vec();
            bytes.splice(end..end, slice);
        }
        _ => {}
    }
}

/// A server shared by every case of a property, on its own runtime thread.
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
    let s = Shared {
        addr,
        _runtime: runtime,
        _server: server,
    };
    let (status, body) = aws(addr, "DynamoDB_20120810.CreateTable", &json!({"TableName": TABLE, "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}], "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}).to_string());
    assert_eq!(status, 200, "{body}");
    let (status, body) = aws(
        addr,
        "DynamoDB_20120810.PutItem",
        &json!({"TableName": TABLE, "Item": {"k": {"S": "seed"}}}).to_string(),
    );
    assert_eq!(status, 200, "{body}");
    s
}

pub(super) fn request_bytes(target: &str, body: &[u8]) -> Vec<u8> {
    let content_type = if target.starts_with("DynamoDB_") {
        "application/x-amz-json-1.0"
    } else {
        "application/x-amz-json-1.1"
    };
    let mut out = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: {target}\r\nContent-Type: {content_type}\r\nAuthorization: {}\r\nX-Amz-Date: 20190311T000000Z\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        authorization("AKIDHOSTILE"),
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// Sends raw bytes on a fresh connection, half-closes, and reads whatever comes back; the
/// status of the first answer, `None` when the server sent none (it may close a connection it
/// cannot frame).
pub(super) fn exchange(addr: SocketAddr, bytes: &[u8]) -> (Option<u16>, String) {
    let mut s = TcpStream::connect(addr).expect("the server accepts connections");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = s.write_all(bytes);
    let _ = s.shutdown(std::net::Shutdown::Write);
    let mut reply = Vec::new();
    let _ = s.read_to_end(&mut reply);
    let text = String::from_utf8_lossy(&reply).into_owned();
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|r| r.get(0..3))
        .and_then(|c| c.parse().ok());
    (status, text)
}

pub(super) fn aws(addr: SocketAddr, target: &str, body: &str) -> (u16, String) {
    let (status, text) = exchange(addr, &request_bytes(target, body.as_bytes()));
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
    (status.unwrap_or(0), body)
}

/// What an error answer must leave unchanged: the table names and the seeded table's items.
fn observable(addr: SocketAddr) -> (Value, Value) {
    let (status, tables) = aws(addr, "DynamoDB_20120810.ListTables", "{}");
    assert_eq!(status, 200, "the server still serves ListTables: {tables}");
    let (_, items) = aws(
        addr,
        "DynamoDB_20120810.Scan",
        &json!({"TableName": TABLE, "ConsistentRead": true}).to_string(),
    );
    let tables: Value = serde_json::from_str(&tables).unwrap_or(Value::Null);
    let items: Value = serde_json::from_str(&items).unwrap_or(Value::Null);
    (tables["TableNames"].clone(), items["Items"].clone())
}

fn check_case(
    addr: SocketAddr,
    bytes: &[u8],
    before: &(Value, Value),
) -> Result<(), TestCaseError> {
    let (status, text) = exchange(addr, bytes);
    if let Some(status) = status {
        prop_assert!(
            status < 500,
            "a 5xx answer: {}",
            &text[..text.len().min(400)]
        );
        if status >= 400 {
            prop_assert_eq!(
                &observable(addr),
                before,
                "an error answer changed state: {}",
                &text[..text.len().min(300)]
            );
        }
    }
    let (health, _) = exchange(
        addr,
        b"GET /_health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    prop_assert_eq!(health, Some(200), "the server stopped answering");
    Ok(())
}

fn cases() -> u32 {
    std::env::var("DDBSSE_HOSTILE_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(1500)
}

#[test]
fn mutated_bodies_never_panic_fail_with_5xx_or_store_what_was_refused() {
    let server = shared();
    let seeds = seeds();
    let config = ProptestConfig {
        cases: cases(),
        ..ProptestConfig::default()
    };
    proptest!(config, |(seed in 0..seeds.len(), mutations in proptest::collection::vec(mutation(), 1..6))| {
        let (target, body) = &seeds[seed];
        let mut bytes = body.clone().into_bytes();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        let before = observable(server.addr);
        check_case(server.addr, &request_bytes(target, &bytes), &before)?;
    });
}

#[test]
fn mutated_http_requests_never_panic_or_fail_with_5xx() {
    let server = shared();
    let seeds = seeds();
    let config = ProptestConfig {
        cases: cases(),
        ..ProptestConfig::default()
    };
    proptest!(config, |(seed in 0..seeds.len(), mutations in proptest::collection::vec(mutation(), 1..6))| {
        let (target, body) = &seeds[seed];
        let mut bytes = request_bytes(target, body.as_bytes());
        for m in &mutations {
            apply(&mut bytes, m);
        }
        let before = observable(server.addr);
        check_case(server.addr, &bytes, &before)?;
    });
}
