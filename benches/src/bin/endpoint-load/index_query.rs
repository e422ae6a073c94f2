//! Query on a global secondary index against GetItem, one keep-alive client, on an SSE-KMS table
//! of `ddbsse serve` whose global index (`byPk`, projection `ALL`) is keyed like the table, so
//! that a Query of the index returns exactly the item a GetItem of the same key returns: the
//! difference is the index read (a partition of sealed entries) against the item read. The two
//! run in alternating one-second rounds on one server, so that both see the same background load.
//! Goal (issue 16): the Query within 1.5x of the GetItem.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::targets::{create_table_body, find, start_ddbsse};
use crate::wire::{Client, KEY_DIGITS, RequestTemplate};
use crate::workload::{Op, POLL_BUDGET, PhaseResult, request_template};

/// The table and its index.
const TABLE: &str = "bench_gsi";
const INDEX: &str = "byPk";
/// Items written before the reads.
const ITEMS: u64 = 2000;
/// The goal: Query on the index within this factor of GetItem.
pub const GOAL: f64 = 1.5;

/// What the phase measured.
#[derive(Debug)]
pub struct IndexQuery {
    /// GetItem of the written keys.
    pub get: PhaseResult,
    /// Query of the index for the written keys (each answering one item).
    pub query: PhaseResult,
}

fn query_body() -> String {
    format!(
        r##"{{"TableName":"{TABLE}","IndexName":"{INDEX}","KeyConditionExpression":"pk = :k","ExpressionAttributeValues":{{":k":{{"S":"k{}"}}}}}}"##,
        "#".repeat(KEY_DIGITS)
    )
}

/// One second of `template` over `client`, cycling over the written keys from `*next`.
fn round(
    client: &mut Client,
    template: &mut RequestTemplate,
    expect: &[u8],
    next: &mut u64,
    into: &mut PhaseResult,
) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(1) {
        match client.call(template.with_key(*next % ITEMS)) {
            Ok(a) if a.status == 200 && find(&a.body, expect) => into.ops += 1,
            Ok(_) | Err(_) => into.errors += 1,
        }
        *next += 1;
    }
    into.seconds += start.elapsed().as_secs_f64();
}

fn run(addr: SocketAddr, seconds: u64) -> Result<IndexQuery, String> {
    let body = format!(
        r#"{{"TableName":"{TABLE}","AttributeDefinitions":[{{"AttributeName":"pk","AttributeType":"S"}}],"KeySchema":[{{"AttributeName":"pk","KeyType":"HASH"}}],"BillingMode":"PAY_PER_REQUEST","GlobalSecondaryIndexes":[{{"IndexName":"{INDEX}","KeySchema":[{{"AttributeName":"pk","KeyType":"HASH"}}],"Projection":{{"ProjectionType":"ALL"}}}}],"SSESpecification":{{"Enabled":true,"SSEType":"KMS"}}}}"#
    );
    create_table_body(addr, TABLE, &body)?;
    let mut client = Client::polling(addr, POLL_BUDGET);
    let mut put = request_template(addr, TABLE, Op::Put);
    for k in 0..ITEMS {
        let a = client
            .call(put.with_key(k))
            .map_err(|e| format!("PutItem: {e}"))?;
        if a.status != 200 {
            return Err(format!("PutItem answered {}", a.status));
        }
    }
    let mut get = request_template(addr, TABLE, Op::Get);
    let mut query = RequestTemplate::dynamodb(addr, "Query", &query_body());
    let mut out = IndexQuery {
        get: PhaseResult::default(),
        query: PhaseResult::default(),
    };
    let (mut next_get, mut next_query) = (0u64, 0u64);
    for _ in 0..seconds {
        round(
            &mut client,
            &mut get,
            b"\"Item\"",
            &mut next_get,
            &mut out.get,
        );
        round(
            &mut client,
            &mut query,
            b"\"Count\":1,",
            &mut next_query,
            &mut out.query,
        );
    }
    out.get.connects = client.connects;
    Ok(out)
}

/// Starts a server, fills the indexed table, measures, stops the server.
pub fn measure(ddbsse: &Path, scratch: &Path, seconds: u64) -> Result<IndexQuery, String> {
    let server = start_ddbsse(ddbsse, &scratch.join("ddbsse-index.log"), "manual")?;
    let outcome = run(server.addr, seconds);
    server.stop();
    outcome
}

/// The lines printed for the phase.
pub fn render(result: &Result<IndexQuery, String>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nQuery on a global index vs GetItem (ddbsse serve, SSE-KMS table, {ITEMS} items of 1 KiB, one client, alternating 1 s rounds):"
    );
    match result {
        Ok(r) => {
            let (g, q) = (r.get.ops_per_sec(), r.query.ops_per_sec());
            let ratio = if q > 0.0 { g / q } else { f64::INFINITY };
            let _ = writeln!(
                out,
                "  GetItem {g:>10.0} ops/s ({} errors)\n  Query   {q:>10.0} ops/s ({} errors)\n  GetItem/Query = {ratio:.2}x (goal <= {GOAL:.1}x): {}",
                r.get.errors,
                r.query.errors,
                if ratio <= GOAL { "met" } else { "MISSED" }
            );
        }
        Err(e) => {
            let _ = writeln!(out, "  skipped: {e}");
        }
    }
    out
}
