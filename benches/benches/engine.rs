//! Criterion benches of the endpoint's engine on the data plane: PutItem, GetItem and UpdateItem
//! (`ADD n :one`, as `endpoint-load` sends it) of a 1 KiB item through `Engine::handle` (JSON in, JSON out, as the HTTP shell calls it) on an SSE-KMS
//! table and on an AWS owned key table, with a warm table-key cache; and the parts of that path
//! (request parsing, response encoding) on their own, to show where a request's time goes.
//!
//! Run: `cargo bench -p ddbsse-benches --bench engine`. The end-to-end figures over HTTP are
//! `scripts/bench-endpoint.sh`'s.

#![allow(clippy::expect_used)] // A failed set-up stops the bench; no request path here.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ddbsse_server::engine::{Engine, EngineConfig};
use ddbsse_wire::caller::Caller;
use ddbsse_wire::operation::Request;
use ddbsse_wire::time::Timestamp;

/// The allocator of the `ddbsse` binary, so that these figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const PUT: &str = "DynamoDB_20120810.PutItem";
const GET: &str = "DynamoDB_20120810.GetItem";
const UPDATE: &str = "DynamoDB_20120810.UpdateItem";

fn put_body(table: &str, key: u64) -> Vec<u8> {
    // A 1 KiB item as DynamoDB counts it: names plus values.
    let value = "x".repeat(1024 - 2 - 11 - 1);
    format!(
        r#"{{"TableName":"{table}","Item":{{"pk":{{"S":"k{key:010}"}},"v":{{"S":"{value}"}}}}}}"#
    )
    .into_bytes()
}

fn get_body(table: &str, key: u64) -> Vec<u8> {
    format!(r#"{{"TableName":"{table}","Key":{{"pk":{{"S":"k{key:010}"}}}}}}"#).into_bytes()
}

fn update_body(table: &str, key: u64) -> Vec<u8> {
    format!(
        r#"{{"TableName":"{table}","Key":{{"pk":{{"S":"k{key:010}"}}}},"UpdateExpression":"ADD n :one","ExpressionAttributeValues":{{":one":{{"N":"1"}}}}}}"#
    )
    .into_bytes()
}

fn engine_with_tables(now: Timestamp, caller: &Caller) -> Engine {
    let engine = Engine::open(EngineConfig::default()).expect("engine");
    for (table, sse) in [
        (
            "bench_kms",
            r#","SSESpecification":{"Enabled":true,"SSEType":"KMS"}"#,
        ),
        ("bench_owned", ""),
    ] {
        let body = format!(
            r#"{{"TableName":"{table}","AttributeDefinitions":[{{"AttributeName":"pk","AttributeType":"S"}}],"KeySchema":[{{"AttributeName":"pk","KeyType":"HASH"}}],"BillingMode":"PAY_PER_REQUEST"{sse}}}"#
        );
        let r = engine.handle(
            now,
            caller,
            "DynamoDB_20120810.CreateTable",
            body.as_bytes(),
        );
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    }
    engine
}

fn data_plane(c: &mut Criterion) {
    let now = Timestamp::from_millis(1_552_262_400_000);
    let caller = Caller::new("AKIDBENCH", 1);
    let engine = engine_with_tables(now, &caller);
    for table in ["bench_kms", "bench_owned"] {
        let mut group = c.benchmark_group(format!("engine/{table}"));
        let mut key = 0u64;
        group.bench_function("PutItem 1 KiB (fresh keys)", |b| {
            b.iter_batched(
                || {
                    key += 1;
                    put_body(table, key)
                },
                |body| {
                    let r = engine.handle(now, &caller, PUT, &body);
                    assert_eq!(r.status, 200);
                    r
                },
                criterion::BatchSize::SmallInput,
            )
        });
        let written = key.max(1);
        let bodies: Vec<Vec<u8>> = (1..=written.min(10_000))
            .map(|k| get_body(table, k))
            .collect();
        let mut i = 0usize;
        group.bench_function("GetItem 1 KiB (hit)", |b| {
            b.iter(|| {
                i = (i + 1) % bodies.len();
                let r = engine.handle(now, &caller, GET, black_box(&bodies[i]));
                assert_eq!(r.status, 200);
                r
            })
        });
        let updates: Vec<Vec<u8>> = (1..=written.min(10_000))
            .map(|k| update_body(table, k))
            .collect();
        let mut i = 0usize;
        group.bench_function("UpdateItem 1 KiB (ADD n :one)", |b| {
            b.iter(|| {
                i = (i + 1) % updates.len();
                let r = engine.handle(now, &caller, UPDATE, black_box(&updates[i]));
                assert_eq!(r.status, 200);
                r
            })
        });
        group.finish();
    }
    let mut group = c.benchmark_group("engine/parts");
    let put = put_body("bench_kms", 7);
    group.bench_function("Request::parse PutItem 1 KiB", |b| {
        b.iter(|| Request::parse(PUT, black_box(&put)).expect("parse"))
    });
    let get = get_body("bench_kms", 7);
    group.bench_function("Request::parse GetItem", |b| {
        b.iter(|| Request::parse(GET, black_box(&get)).expect("parse"))
    });
    group.bench_function("serde_json::Value of PutItem 1 KiB", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&put)).expect("json"))
    });
    group.finish();
}

criterion_group!(benches, data_plane);
criterion_main!(benches);
