//! The table-key cache (`spec/cache.md`), observed through the trail: one Decrypt per fetch or
//! refresh, per principal, connection and table, at the 300 s boundary on both sides.

use ddbsse_wire::time::SECOND;
use serde_json::{Value, json};

use super::{Case, Need};
use crate::ctx::{CaseResult, Ctx, Failure, Key, check, check_eq};

/// Cases of this file.
pub const CASES: &[Case] = &[
    Case {
        id: "cache/scope/first-access",
        title: "no Decrypt from CreateTable; one on the first data-plane request; none on the next",
        needs: &[],
        run: first_access,
    },
    Case {
        id: "cache/scope/per-connection",
        title: "a second connection of the same principal fetches its own entry",
        needs: &[],
        run: per_connection,
    },
    Case {
        id: "cache/boundary/other-connection-closed",
        title: "closing one connection leaves the other connections' entries serving",
        needs: &[],
        run: connection_closed,
    },
    Case {
        id: "cache/scope/per-principal",
        title: "a second principal on the same connection fetches its own entry",
        needs: &[Need::SecondPrincipal],
        run: per_principal,
    },
    Case {
        id: "cache/scope/per-table",
        title: "a second table under the same key has its own entry",
        needs: &[],
        run: per_table,
    },
    Case {
        id: "cache/boundary/299s",
        title: "a request 299 s after the fetch is served from the cache (no Decrypt)",
        needs: &[Need::Clock],
        run: boundary_299,
    },
    Case {
        id: "cache/boundary/300s",
        title: "a request 300 s after the fetch calls Decrypt again",
        needs: &[Need::Clock],
        run: boundary_300,
    },
    Case {
        id: "cache/boundary/steady-traffic",
        title: "traffic every 60 s does not extend the entry: Decrypts at 0, 300 and 600 s",
        needs: &[Need::Clock],
        run: steady_traffic,
    },
    Case {
        id: "cache/boundary/idle",
        title: "after 10 idle minutes one Decrypt, then the entry serves again",
        needs: &[Need::Clock],
        run: idle,
    },
    Case {
        id: "cache/refresh/record",
        title: "the Decrypt record: caller identity with invokedBy, the table's encryption context",
        needs: &[],
        run: refresh_record,
    },
    Case {
        id: "cache/serve-while-unusable/disabled-key",
        title: "a fresh entry serves after DisableKey; at 300 s the request fails (disabled)",
        needs: &[Need::Clock],
        run: serve_while_disabled,
    },
    Case {
        id: "cache/failure/entry-dropped",
        title: "after a failed refresh each further request calls Decrypt again (and fails)",
        needs: &[Need::Clock],
        run: failure_drops_entry,
    },
    Case {
        id: "cache/failure/recovery-after-enable",
        title: "after EnableKey the next request fetches a fresh entry and succeeds",
        needs: &[Need::Clock],
        run: recovery_after_enable,
    },
];

fn kms_table(ctx: &mut Ctx<'_>) -> Result<(Key, String), Failure> {
    let key = ctx.create_key()?;
    let table = ctx.created_table(
        "cached",
        Some(json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key.id})),
    )?;
    Ok((key, table))
}

//= spec/cache.md#scope
//= type=test
//# The first data-plane request of a KMS table by a given principal on a given connection MUST call KMS Decrypt once and cache the plaintext table key for that principal, connection, table and table-key generation.
//= spec/cache.md#scope
//= type=test
//# CreateTable and UpdateTable MUST NOT create entries, so the first data-plane request after them calls Decrypt.
fn first_access(ctx: &mut Ctx<'_>) -> CaseResult {
    let (_, table) = kms_table(ctx)?;
    ctx.describe(&table)?;
    ctx.expect_decrypts(&table, 0, "after CreateTable and DescribeTable")?;
    ctx.put(&table, "a", "1")?.ok()?;
    ctx.expect_decrypts(&table, 1, "after the first PutItem")?;
    ctx.get(&table, "a")?.ok()?;
    ctx.ddb("Query", json!({"TableName": table, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}}))?
        .ok()?;
    ctx.expect_decrypts(&table, 1, "after GetItem and Query on the same connection")
}

//= spec/cache.md#scope
//= type=test
//# A data-plane request MUST NOT use an entry created for another principal, another connection, another table or another table-key generation.
fn per_connection(ctx: &mut Ctx<'_>) -> CaseResult {
    let (_, table) = kms_table(ctx)?;
    ctx.put(&table, "a", "1")?.ok()?;
    let second = ctx.open_connection()?;
    ctx.get_as(0, second, &table, "a")?.ok()?;
    ctx.expect_decrypts(&table, 2, "after one request on each of two connections")?;
    ctx.get_as(0, second, &table, "a")?.ok()?;
    ctx.get(&table, "a")?.ok()?;
    ctx.expect_decrypts(&table, 2, "after further requests on both connections")
}

//= spec/cache.md#boundary
//= type=test
//# An entry fetched at time `t0` MUST serve data-plane requests without any KMS call while `now - t0 < 300 s`, so a request 299 s after the fetch is served from the cache.
fn connection_closed(ctx: &mut Ctx<'_>) -> CaseResult {
    let (_, table) = kms_table(ctx)?;
    ctx.put(&table, "a", "1")?.ok()?;
    let second = ctx.open_connection()?;
    ctx.get_as(0, second, &table, "a")?.ok()?;
    ctx.expect_decrypts(&table, 2, "after one request on each of two connections")?;
    // The target drops the second connection's entries; the first connection's must stay.
    ctx.close_connection(second)?;
    ctx.get(&table, "a")?.ok()?;
    ctx.expect_decrypts(
        &table,
        2,
        "after the second connection closed and the first one read",
    )?;
    let third = ctx.open_connection()?;
    ctx.get_as(0, third, &table, "a")?.ok()?;
    ctx.expect_decrypts(&table, 3, "after a request on a new connection")
}

fn per_principal(ctx: &mut Ctx<'_>) -> CaseResult {
    let (_, table) = kms_table(ctx)?;
    ctx.put(&table, "a", "1")?.ok()?;
    ctx.get_as(1, 0, &table, "a")?.ok()?;
    let d = ctx.decrypts(&table)?;
    let by: Vec<Value> = d
        .iter()
        .map(|r| r["userIdentity"]["accessKeyId"].clone())
        .collect();
    let expected = json!([ctx.principal(0)?, ctx.principal(1)?]);
    check_eq(
        "Decrypt records' accessKeyId, in order",
        &expected,
        &Value::Array(by),
    )
}

fn per_table(ctx: &mut Ctx<'_>) -> CaseResult {
    let (key, a) = kms_table(ctx)?;
    let b = ctx.created_table(
        "cached-b",
        Some(json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key.arn})),
    )?;
    ctx.put(&a, "x", "1")?.ok()?;
    ctx.put(&b, "x", "1")?.ok()?;
    ctx.expect_decrypts(&a, 1, "for the first table")?;
    ctx.expect_decrypts(&b, 1, "for the second table")
}

//= spec/cache.md#boundary
//= type=test
//# An entry fetched at time `t0` MUST serve data-plane requests without any KMS call while `now - t0 < 300 s`, so a request 299 s after the fetch is served from the cache.
fn boundary_299(ctx: &mut Ctx<'_>) -> CaseResult {
    let (_, table) = kms_table(ctx)?;
    ctx.put(&table, "a", "1")?.ok()?;
    ctx.advance(299 * SECOND)?;
    ctx.get(&table, "a")?.ok()?;
    ctx.expect_decrypts(&table, 1, "after a request 299 s after the fetch")
}

//= spec/cache.md#boundary
//= type=test
//# A data-plane request at `now - t0 >= 300 s` MUST call KMS Decrypt again and, on success, replace the entry with one fetched at `now`, so a request 300 s after the fetch refreshes it.
fn boundary_300(ctx: &mut Ctx<'_>) -> CaseResult {
    let (_, table) = kms_table(ctx)?;
    ctx.put(&table, "a", "1")?.ok()?;
    ctx.advance(300 * SECOND)?;
    ctx.get(&table, "a")?.ok()?;
    ctx.expect_decrypts(&table, 2, "after a request 300 s after the fetch")?;
    ctx.advance(299 * SECOND)?;
    ctx.get(&table, "a")?.ok()?;
    ctx.expect_decrypts(&table, 2, "299 s after the refresh")
}

//= spec/cache.md#boundary
//= type=test
//# Serving a request from an entry MUST NOT extend its lifetime: under steady traffic the entry is refreshed every 300 s counted from its fetch.
fn steady_traffic(ctx: &mut Ctx<'_>) -> CaseResult {
    let (_, table) = kms_table(ctx)?;
    ctx.put(&table, "a", "1")?.ok()?;
    for _ in 0..10 {
        ctx.advance(60 * SECOND)?;
        ctx.get(&table, "a")?.ok()?;
    }
    ctx.expect_decrypts(
        &table,
        3,
        "for requests every 60 s over 600 s (fetches at 0, 300, 600 s)",
    )
}

fn idle(ctx: &mut Ctx<'_>) -> CaseResult {
    let (_, table) = kms_table(ctx)?;
    ctx.put(&table, "a", "1")?.ok()?;
    ctx.advance(600 * SECOND)?;
    ctx.get(&table, "a")?.ok()?;
    ctx.get(&table, "a")?.ok()?;
    ctx.expect_decrypts(&table, 2, "after 10 idle minutes and two requests")
}

//= spec/cache.md#refresh
//= type=test
//# Each fetch and each refresh MUST be exactly one KMS Decrypt of the table's wrapped table key, made as the calling principal with `invokedBy` `dynamodb.amazonaws.com` and the table's encryption context, and recorded as `spec/trail.md#ddb-kms-calls` says.
fn refresh_record(ctx: &mut Ctx<'_>) -> CaseResult {
    let (_, table) = kms_table(ctx)?;
    ctx.put(&table, "a", "1")?.ok()?;
    let d = ctx.decrypts(&table)?;
    let r = d.first().cloned().unwrap_or(Value::Null);
    let p = ctx.principal(0)?.to_owned();
    let account = ctx.account().to_owned();
    check_eq(
        "Decrypt record's identity",
        &json!({"type": "IAMUser", "principalId": p, "arn": format!("arn:aws:iam::{account}:user/{p}"), "accountId": account, "accessKeyId": p, "userName": p, "invokedBy": "dynamodb.amazonaws.com"}),
        &r["userIdentity"],
    )?;
    check_eq(
        "Decrypt record's requestParameters",
        &json!({"encryptionContext": {"aws:dynamodb:tableName": table, "aws:dynamodb:subscriberId": account}, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}),
        &r["requestParameters"],
    )?;
    check_eq(
        "Decrypt record's sourceIPAddress and userAgent",
        &json!(["dynamodb.amazonaws.com", "dynamodb.amazonaws.com"]),
        &json!([r["sourceIPAddress"], r["userAgent"]]),
    )
}

fn disabled_message(arn: &str) -> String {
    format!(
        "KMS key disabled error: com.amazonaws.services.kms.model.DisabledException: {arn} is disabled. (Service: AWSKMS; Status Code: 400; Error Code: DisabledException; Request ID: x; Proxy: null)"
    )
}

//= spec/cache.md#serve-while-unusable
//= type=test
//# An entry that is still fresh (`now - t0 < 300 s`) MUST keep serving data-plane requests after the table's key is disabled, scheduled for deletion or loses its grant, and the first request at `now - t0 >= 300 s` MUST fail as section 5 says.
fn serve_while_disabled(ctx: &mut Ctx<'_>) -> CaseResult {
    let (key, table) = kms_table(ctx)?;
    ctx.put(&table, "a", "1")?.ok()?;
    ctx.advance(10 * SECOND)?;
    ctx.kms("DisableKey", json!({"KeyId": key.id}))?.ok()?;
    ctx.advance(289 * SECOND)?;
    let got = ctx.get(&table, "a")?;
    check_eq(
        "GetItem 299 s after the fetch, key disabled",
        &json!({"S": "1"}),
        &got.ok()?["Item"]["v"],
    )?;
    ctx.advance(SECOND)?;
    ctx.get(&table, "a")?
        .expect_error("ValidationException", Some(&disabled_message(&key.arn)))?;
    let d = ctx.decrypts(&table)?;
    let codes: Vec<Value> = d.iter().map(|r| r["errorCode"].clone()).collect();
    check_eq(
        "errorCode of the Decrypt records (fetch, failed refresh)",
        &json!([null, "DisabledException"]),
        &Value::Array(codes),
    )
}

//= spec/cache.md#failure
//= type=test
//# When the Decrypt of a fetch or refresh fails, the request MUST fail with the error of `spec/tables.md#data-plane-errors`, the entry MUST be dropped, and the next data-plane request of the same principal, connection and table MUST call Decrypt again.
fn failure_drops_entry(ctx: &mut Ctx<'_>) -> CaseResult {
    let (key, table) = kms_table(ctx)?;
    ctx.put(&table, "a", "1")?.ok()?;
    ctx.kms("DisableKey", json!({"KeyId": key.id}))?.ok()?;
    ctx.advance(300 * SECOND)?;
    ctx.get(&table, "a")?
        .expect_error("ValidationException", None)?;
    ctx.advance(SECOND)?;
    ctx.get(&table, "a")?
        .expect_error("ValidationException", None)?;
    ctx.expect_decrypts(&table, 3, "(one fetch, two failed attempts)")
}

fn recovery_after_enable(ctx: &mut Ctx<'_>) -> CaseResult {
    let (key, table) = kms_table(ctx)?;
    ctx.put(&table, "a", "1")?.ok()?;
    ctx.kms("DisableKey", json!({"KeyId": key.id}))?.ok()?;
    ctx.advance(300 * SECOND)?;
    ctx.get(&table, "a")?
        .expect_error("ValidationException", None)?;
    ctx.kms("EnableKey", json!({"KeyId": key.id}))?.ok()?;
    let got = ctx.get(&table, "a")?;
    check_eq(
        "GetItem after EnableKey",
        &json!({"S": "1"}),
        &got.ok()?["Item"]["v"],
    )?;
    let d = ctx.decrypts(&table)?;
    check(
        d.len() == 3 && d[2]["errorCode"].is_null(),
        "3 Decrypt records: fetch, failed refresh, successful fetch after EnableKey",
        format!(
            "{} records, last errorCode {}",
            d.len(),
            d.last()
                .map(|r| r["errorCode"].to_string())
                .unwrap_or_default()
        ),
    )
}
