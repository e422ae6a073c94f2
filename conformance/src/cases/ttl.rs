//! Time to live at work (`spec/control-plane.md#ttl-expiry`, `#ttl-sweep`, `#ttl-sse`): expired
//! items stay readable until the sweep 24 h after expiry deletes them, values that are not
//! Numbers or are very old are left alone, and the sweep's relation to the table's KMS key (no
//! Decrypt, no record, 30 minutes of deletes after the key became unusable). Every answer is
//! compared with the model's, which sweeps whenever its clock moves.

use serde_json::{Value, json};

use super::{Case, Need};
use crate::ctx::{CaseResult, Ctx, Failure, Reply, check, check_eq};

/// Cases of this file.
pub const CASES: &[Case] = &[
    Case {
        id: "control-plane/ttl-expiry",
        title: "an expired item stays readable until 24 h after expiry, then the sweep deletes it; other values stay",
        needs: &[Need::ManualClock],
        run: ttl_expiry,
    },
    Case {
        id: "control-plane/ttl-sse",
        title: "the sweep calls no KMS, and stops deleting 30 minutes after the table's key is disabled",
        needs: &[Need::ManualClock],
        run: ttl_sse,
    },
    Case {
        id: "control-plane/ttl-sse/pending-deletion",
        title: "as ttl-sse, with the key scheduled for deletion: 30 minutes of deletes, then none until it is usable",
        needs: &[Need::ManualClock],
        run: ttl_pending,
    },
    Case {
        id: "control-plane/ttl-sse/archived",
        title: "an archived table's expired items are not swept, even once its key is enabled again",
        needs: &[Need::ManualClock],
        run: ttl_archived,
    },
];

const DAY_MS: u64 = 86_400_000;

/// The harness's clock in whole epoch seconds (the case's times are relative to it).
fn now_s(ctx: &Ctx<'_>) -> u64 {
    ctx.now().0 / 1000
}

fn enable_ttl(ctx: &mut Ctx<'_>, table: &str, attribute: &str) -> CaseResult {
    let r = ctx.ddb(
        "UpdateTimeToLive",
        json!({"TableName": table, "TimeToLiveSpecification": {"Enabled": true, "AttributeName": attribute}}),
    )?;
    r.same_as_model()?;
    r.ok().map(|_| ())
}

/// PutItem `{pk, exp}` (no `exp` when `exp` is null), compared with the model.
fn put_exp(ctx: &mut Ctx<'_>, table: &str, pk: &str, exp: Value) -> CaseResult {
    let mut item = json!({"pk": {"S": pk}});
    if !exp.is_null() {
        item["exp"] = exp;
    }
    let r = ctx.ddb("PutItem", json!({"TableName": table, "Item": item}))?;
    r.same_as_model()?;
    r.ok().map(|_| ())
}

fn read(ctx: &mut Ctx<'_>, table: &str, pk: &str) -> Result<Reply, Failure> {
    let r = ctx.get(table, pk)?;
    r.same_as_model()?;
    Ok(r)
}

/// Whether the item `pk` is there, failing when the target and the model disagree.
fn present(ctx: &mut Ctx<'_>, table: &str, pk: &str) -> Result<bool, Failure> {
    Ok(read(ctx, table, pk)?.ok()?.get("Item").is_some())
}

fn expect_present(ctx: &mut Ctx<'_>, table: &str, pk: &str, want: bool, when: &str) -> CaseResult {
    let there = present(ctx, table, pk)?;
    check(
        there == want,
        format!(
            "item {pk} {} {when}",
            if want { "still there" } else { "deleted" }
        ),
        format!("item {pk} {}", if there { "there" } else { "gone" }),
    )
}

/// The keys of a Scan's items, sorted (a Scan's order is the target's own).
fn keys_of(body: &Value) -> Vec<String> {
    let mut keys: Vec<String> = body["Items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["pk"]["S"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    keys.sort();
    keys
}

/// The keys a consistent Scan returns, sorted, failing when they are not the model's.
fn scanned(ctx: &mut Ctx<'_>, table: &str) -> Result<Vec<String>, Failure> {
    let r = ctx.ddb("Scan", json!({"TableName": table, "ConsistentRead": true}))?;
    let keys = keys_of(r.ok()?);
    check_eq(
        "the keys the model's Scan returns",
        &json!(keys_of(&r.model.body)),
        &json!(keys),
    )?;
    Ok(keys)
}

/// The trail compared with the model's, every member included (`responseElements` of an
/// UpdateTimeToLive record is `null`, `trail.md#response-elements`).
fn trail_as_model(ctx: &mut Ctx<'_>) -> CaseResult {
    ctx.trail_matches_model()
}

//= spec/control-plane.md#ttl-expiry
//= type=test
//# An item whose TTL attribute is absent, is not of type Number, or holds a Number `e` (epoch seconds) more than five years (157680000 s) before the time of the sweep MUST be left alone by the sweep.
//# An item whose TTL attribute is a Number `e` is expired from the first time `t` with `e < t` (in seconds), and a sweep at time `t` MUST delete it when `e + 86400 <= t`.
//# Until a sweep deletes it, an expired item MUST be returned by reads, queries and scans as any other item.
//# Deleting an expired item MUST have the effect of a DeleteItem of its key: later reads do not return it and the table's `ItemCount` no longer counts it.
//# Only the items of tables whose TTL is enabled (`#ttl-describe`) are swept, under the attribute TTL is enabled on; an item of a table whose TTL is disabled MUST NOT be deleted by the sweep.
//= spec/control-plane.md#ttl-sweep
//= type=test
//# A target with the `clock` capability MUST run the sweep every time its clock moves to a later time, at the new time, before it answers the clock request; a target on a wall clock MUST run it at least once a minute.
fn ttl_expiry(ctx: &mut Ctx<'_>) -> CaseResult {
    let table = ctx.created_table("ttl-x", None)?;
    let plain = ctx.created_table("ttl-off", None)?;
    enable_ttl(ctx, &table, "exp")?;
    let t = now_s(ctx);
    let n = |s: u64| json!({"N": s.to_string()});
    put_exp(ctx, &table, "soon", n(t + 60))?;
    put_exp(ctx, &table, "past", n(t - 10))?;
    put_exp(ctx, &table, "text", json!({"S": (t - 10).to_string()}))?;
    put_exp(ctx, &table, "none", Value::Null)?;
    put_exp(ctx, &table, "ancient", n(t - 157_680_000 - 100))?;
    put_exp(ctx, &table, "later", n(t + 10 * 86_400))?;
    put_exp(ctx, &plain, "past", n(t - 10))?;
    // 2 minutes on: "soon" and "past" are expired, and still returned.
    ctx.advance(120_000)?;
    expect_present(ctx, &table, "soon", true, "2 minutes after it expired")?;
    check_eq(
        "Scan of expired and live items before any deletion",
        &json!(["ancient", "later", "none", "past", "soon", "text"]),
        &json!(scanned(ctx, &table)?),
    )?;
    // "past" is due at (t - 10 + 86400) s: one millisecond before, it is still there.
    let due_past = (t - 10 + 86_400) * 1000;
    ctx.advance(due_past - 1 - ctx.now().0)?;
    expect_present(ctx, &table, "past", true, "1 ms before e + 86400 s")?;
    ctx.advance(1)?;
    expect_present(ctx, &table, "past", false, "at e + 86400 s")?;
    expect_present(ctx, &table, "soon", true, "before its own e + 86400 s")?;
    let due_soon = (t + 60 + 86_400) * 1000;
    ctx.advance(due_soon - ctx.now().0)?;
    expect_present(ctx, &table, "soon", false, "at its e + 86400 s")?;
    check_eq(
        "Scan after the sweeps: text, absent, very old and future values stay",
        &json!(["ancient", "later", "none", "text"]),
        &json!(scanned(ctx, &table)?),
    )?;
    let d = ctx.ddb("DescribeTable", json!({"TableName": table}))?;
    check_eq(
        "ItemCount after the sweeps, and the model's",
        &json!([4, 4]),
        &json!([
            d.ok()?["Table"]["ItemCount"],
            d.model.body["Table"]["ItemCount"]
        ]),
    )?;
    expect_present(ctx, &plain, "past", true, "on a table without TTL")?;
    // Enabling TTL later sweeps what expired before, at the next move of the clock.
    enable_ttl(ctx, &plain, "exp")?;
    expect_present(ctx, &plain, "past", true, "until the clock moves")?;
    ctx.advance(1)?;
    expect_present(
        ctx,
        &plain,
        "past",
        false,
        "after TTL was enabled and the clock moved",
    )?;
    let later = (t + 10 * 86_400 + 86_400) * 1000;
    ctx.advance(later - ctx.now().0)?;
    expect_present(
        ctx,
        &table,
        "later",
        false,
        "a day after its expiry 10 days on",
    )
}

//= spec/control-plane.md#ttl-sse
//= type=test
//# The sweep MUST NOT call KMS and MUST NOT add a record to the trail: it uses the table key DynamoDB holds for the table itself, not a caller's table-key cache entry.
//# While a KMS table's key is unusable (`tables.md#status-inaccessible`), the sweep MUST go on deleting the table's due items for 30 minutes (1800000 ms) from the start of the unusable period and MUST NOT delete any of its items from then until the key is usable again.
fn ttl_sse(ctx: &mut Ctx<'_>) -> CaseResult {
    key_grace(ctx, &[("DisableKey", None)], &[("EnableKey", None)])
}

/// As [`ttl_sse`] with the key scheduled for deletion (7 days) instead of disabled.
fn ttl_pending(ctx: &mut Ctx<'_>) -> CaseResult {
    key_grace(
        ctx,
        &[("ScheduleKeyDeletion", Some(("PendingWindowInDays", 7)))],
        &[("CancelKeyDeletion", None), ("EnableKey", None)],
    )
}

/// A KMS key operation: its name and, when it takes one, an integer member.
type KeyOp = (&'static str, Option<(&'static str, u64)>);

fn key_ops(ctx: &mut Ctx<'_>, key: &str, ops: &[KeyOp]) -> CaseResult {
    for (op, extra) in ops {
        let mut body = json!({"KeyId": key});
        if let Some((member, v)) = extra {
            body[*member] = json!(v);
        }
        let r = ctx.kms(op, body)?;
        r.same_as_model()?;
        r.ok()?;
    }
    Ok(())
}

/// Items due 1 and 40 minutes after the key becomes unusable through `unusable`: the first is
/// deleted, the second stays until `usable` makes the key usable again and the clock moves; no
/// sweep calls Decrypt.
fn key_grace(ctx: &mut Ctx<'_>, unusable: &[KeyOp], usable: &[KeyOp]) -> CaseResult {
    let key = ctx.create_key()?;
    let table = ctx.created_table(
        "ttl-kms",
        Some(json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key.id})),
    )?;
    enable_ttl(ctx, &table, "exp")?;
    let t = now_s(ctx);
    let n = |s: u64| json!({"N": s.to_string()});
    // "a" is due 1 minute on, "b" 40 minutes on, "c" never.
    put_exp(ctx, &table, "a", n(t + 60 - 86_400))?;
    put_exp(ctx, &table, "b", n(t + 2400 - 86_400))?;
    put_exp(ctx, &table, "c", Value::Null)?;
    ctx.expect_decrypts(&table, 1, "after the puts of one connection")?;
    key_ops(ctx, &key.id, unusable)?;
    // 2 minutes after the key became unusable: inside the 30 minutes, "a" is deleted.
    ctx.advance(120_000)?;
    // 41 minutes after: "b" is due, but the sweep stopped 30 minutes after the key became unusable.
    ctx.advance(39 * 60_000)?;
    ctx.expect_decrypts(&table, 1, "after sweeps while the key was unusable")?;
    trail_as_model(ctx)?;
    key_ops(ctx, &key.id, usable)?;
    expect_present(
        ctx,
        &table,
        "a",
        false,
        "after a sweep 2 minutes into the unusable key",
    )?;
    expect_present(
        ctx,
        &table,
        "b",
        true,
        "when it fell due more than 30 minutes after the key became unusable",
    )?;
    // The key is usable again: the next sweep deletes "b".
    ctx.advance(1)?;
    expect_present(
        ctx,
        &table,
        "b",
        false,
        "after the key is usable again and the clock moved",
    )?;
    expect_present(ctx, &table, "c", true, "without a TTL value")?;
    ctx.expect_decrypts(
        &table,
        2,
        "the puts' and the reads' after the key is usable again only",
    )?;
    trail_as_model(ctx)
}

//= spec/control-plane.md#ttl-sse
//= type=test
//# The sweep MUST NOT delete items of an `ARCHIVING` or `ARCHIVED` table.
fn ttl_archived(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    let table = ctx.created_table(
        "ttl-arch",
        Some(json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key.id})),
    )?;
    enable_ttl(ctx, &table, "exp")?;
    let t = now_s(ctx);
    // Due 8 days on, after the table is archived (15 minutes + 7 days + 5 minutes).
    put_exp(ctx, &table, "z", json!({"N": (t + 7 * 86_400).to_string()}))?;
    ctx.kms("DisableKey", json!({"KeyId": key.id}))?.ok()?;
    ctx.advance(900_000 + 7 * DAY_MS + 300_000 + 1)?;
    ctx.kms("EnableKey", json!({"KeyId": key.id}))?.ok()?;
    ctx.advance(DAY_MS)?;
    let d = ctx.ddb("DescribeTable", json!({"TableName": table}))?;
    let body = d.ok()?;
    let model = &d.model.body["Table"];
    check_eq(
        "TableStatus and ItemCount of the archived table after the item fell due (and the model's)",
        &json!(["ARCHIVED", 1, "ARCHIVED", 1]),
        &json!([
            body["Table"]["TableStatus"],
            body["Table"]["ItemCount"],
            model["TableStatus"],
            model["ItemCount"]
        ]),
    )
}
