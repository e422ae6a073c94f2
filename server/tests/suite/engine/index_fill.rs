//! The fill of an index UpdateTable added, racing a key switch (`spec/items.md#index-at-rest`):
//! whichever runs first, every index entry opens under the table key in force afterwards.

use std::sync::Barrier;

use ddbsse_server::engine::Engine;
use ddbsse_wire::caller::Caller;
use ddbsse_wire::time::Timestamp;
use serde_json::{Value, json};

use super::support::{H, full_target};

const ITEMS: usize = 60;
const ROUNDS: usize = 12;

fn call(e: &Engine, caller: &Caller, now: Timestamp, op: &str, body: &Value) -> (u16, Value) {
    let r = e.handle(now, caller, &full_target(op), body.to_string().as_bytes());
    (
        r.status,
        serde_json::from_slice(&r.body).unwrap_or(Value::Null),
    )
}

#[test]
//= spec/items.md#index-at-rest
//= type=test
//# The fill of an index UpdateTable added MUST NOT interleave with a key switch: every entry it stores is sealed under the table key that is current when the entry is committed.
fn fill_racing_a_key_switch_leaves_every_entry_readable() {
    let h = H::new();
    let (k1, _) = h.create_key();
    let (k2, _) = h.create_key();
    for round in 0..ROUNDS {
        let table = format!("fill{round}");
        h.ok(
            "CreateTable",
            json!({"TableName": table,
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "BillingMode": "PAY_PER_REQUEST",
                "SSESpecification": {"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": k1}}),
        );
        h.advance_secs(10);
        for i in 0..ITEMS {
            h.ok(
                "PutItem",
                json!({"TableName": table, "Item": {"pk": {"S": format!("p{i}")}, "city": {"S": "Oslo"}}}),
            );
        }
        h.ok(
            "UpdateTable",
            json!({"TableName": table,
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "city", "AttributeType": "S"}],
                "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "byCity",
                    "KeySchema": [{"AttributeName": "city", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"}}}]}),
        );
        h.advance_secs(10);
        let now = h.now.get();
        let e = &h.engine;
        let query = json!({"TableName": table, "IndexName": "byCity",
            "KeyConditionExpression": "city = :c", "ExpressionAttributeValues": {":c": {"S": "Oslo"}}});
        let switch = json!({"TableName": table,
            "SSESpecification": {"SSEType": "KMS", "KMSMasterKeyId": k2}});
        // Two callers on their own connections: the first read (the fill) and the switch start
        // together; alternate which is spawned first.
        let reader = Caller::new("AKIDALICE", 1000 + round as u64 * 2);
        let switcher = Caller::new("AKIDALICE", 1001 + round as u64 * 2);
        let barrier = Barrier::new(2);
        let (read, switched) = std::thread::scope(|s| {
            let r = s.spawn(|| {
                barrier.wait();
                call(e, &reader, now, "Query", &query)
            });
            let w = s.spawn(|| {
                barrier.wait();
                call(e, &switcher, now, "UpdateTable", &switch)
            });
            (r.join().unwrap(), w.join().unwrap())
        });
        assert_eq!(switched.0, 200, "round {round}: the switch: {}", switched.1);
        assert_eq!(read.0, 200, "round {round}: the racing read: {}", read.1);
        // Afterwards (a new connection: the new table key), the whole index opens.
        let after = Caller::new("AKIDALICE", 5000 + round as u64);
        let (status, v) = call(e, &after, now, "Query", &query);
        assert_eq!(status, 200, "round {round}: the index after the race: {v}");
        assert_eq!(
            v["Count"], ITEMS,
            "round {round}: every item is in the index"
        );
        let (status, v) = call(
            e,
            &after,
            now,
            "Scan",
            &json!({"TableName": table, "IndexName": "byCity"}),
        );
        assert_eq!(status, 200, "round {round}: Scan of the index: {v}");
        assert_eq!(v["Count"], ITEMS);
    }
}
