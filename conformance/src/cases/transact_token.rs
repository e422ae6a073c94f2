//! TransactWriteItems' `ClientRequestToken` (`spec/items.md#transact-token`): a repeat inside 10
//! minutes writes nothing, other parameters are refused, a failure binds nothing, the window
//! ends at 600000 ms, and a repeat still needs the table key. Every answer is compared with the
//! model's.

use serde_json::{Value, json};

use super::{Case, Need};
use crate::ctx::{CaseResult, Ctx, Failure, Reply, check_eq};

/// Cases of this file.
pub const CASES: &[Case] = &[Case {
    id: "items/transact-token",
    title: "ClientRequestToken: repeats write nothing for 10 minutes, other parameters are refused",
    needs: &[Need::ManualClock],
    run: transact_token,
}];

/// TransactWriteItems with `token`, compared with the model.
fn transact(ctx: &mut Ctx<'_>, items: &Value, token: &str, extra: Value) -> Result<Reply, Failure> {
    let mut body = json!({"TransactItems": items, "ClientRequestToken": token});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let r = ctx.ddb("TransactWriteItems", body)?;
    r.same_as_model()?;
    Ok(r)
}

/// An Update adding `by` to `n` of item `pk`.
fn add(table: &str, pk: &str, by: u32) -> Value {
    json!([{"Update": {"TableName": table, "Key": {"pk": {"S": pk}}, "UpdateExpression": "ADD n :by",
                       "ExpressionAttributeValues": {":by": {"N": by.to_string()}}}}])
}

/// The `n` of item `pk`, compared with the model.
fn counter(ctx: &mut Ctx<'_>, table: &str, pk: &str) -> Result<Value, Failure> {
    let r = ctx.get(table, pk)?;
    r.same_as_model()?;
    Ok(r.ok()?["Item"]["n"].clone())
}

//= spec/items.md#transact-token
//= type=test
//# A `ClientRequestToken` that is empty or longer than 36 characters MUST be refused with `ValidationException` and DynamoDB's constraint message, before any table key is fetched.
//# A token is bound to the parameters of the first successful TransactWriteItems that carried it, from that request's time `t0` until `t0` + 10 minutes (600000 ms); at and after `t0` + 600000 ms a request with the token MUST be handled as a new request, and a success then binds the token again.
//# A TransactWriteItems whose token is bound to the same parameters MUST obtain its table keys as any transaction does and then answer success without evaluating a condition or writing anything.
//# A request whose token is bound to other parameters MUST fail with `IdempotentParameterMismatchException` and the message `Request with the same ClientRequestToken was already made with different parameters within the last 10 minutes`, and write nothing.
fn transact_token(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    let table = ctx.created_table(
        "tx-token",
        Some(json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key.id})),
    )?;
    let once = add(&table, "x", 1);
    transact(ctx, &once, "token-1", json!({}))?.ok()?;
    check_eq(
        "n after the first call",
        &json!({"N": "1"}),
        &counter(ctx, &table, "x")?,
    )?;
    transact(ctx, &once, "token-1", json!({}))?.ok()?;
    transact(
        ctx,
        &once,
        "token-1",
        json!({"ReturnConsumedCapacity": "TOTAL"}),
    )?
    .ok()?;
    check_eq(
        "n after two repeats (one asking for consumed capacity)",
        &json!({"N": "1"}),
        &counter(ctx, &table, "x")?,
    )?;
    let mismatch = "Request with the same ClientRequestToken was already made with different parameters within the last 10 minutes";
    let twice = add(&table, "x", 2);
    transact(ctx, &twice, "token-1", json!({}))?
        .expect_error("IdempotentParameterMismatchException", Some(mismatch))?;
    let r = transact(ctx, &once, &"t".repeat(37), json!({}))?;
    r.expect_error(
        "ValidationException",
        Some(&format!(
            "1 validation error detected: Value '{}' at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36",
            "t".repeat(37)
        )),
    )?;
    // A cancelled transaction binds nothing: the token then runs other parameters.
    let failing = json!([{"ConditionCheck": {"TableName": table, "Key": {"pk": {"S": "x"}},
                                              "ConditionExpression": "attribute_not_exists(pk)"}}]);
    transact(ctx, &failing, "token-2", json!({}))?
        .expect_error("TransactionCanceledException", None)?;
    transact(ctx, &twice, "token-2", json!({}))?.ok()?;
    check_eq(
        "n after token-2's second, different, request",
        &json!({"N": "3"}),
        &counter(ctx, &table, "x")?,
    )?;
    // 1 ms before the end of token-1's window: still bound.
    ctx.advance(599_999)?;
    transact(ctx, &twice, "token-1", json!({}))?
        .expect_error("IdempotentParameterMismatchException", Some(mismatch))?;
    transact(ctx, &once, "token-1", json!({}))?.ok()?;
    check_eq(
        "n inside the window",
        &json!({"N": "3"}),
        &counter(ctx, &table, "x")?,
    )?;
    // At t0 + 600000 ms the token is free: other parameters run and bind it again.
    ctx.advance(1)?;
    transact(ctx, &twice, "token-1", json!({}))?.ok()?;
    transact(ctx, &twice, "token-1", json!({}))?.ok()?;
    check_eq(
        "n after the token ran again once its window ended",
        &json!({"N": "5"}),
        &counter(ctx, &table, "x")?,
    )?;
    // A repeat still needs the table key: with the key disabled and the cache entry aged out, it
    // fails as any transaction does.
    ctx.kms("DisableKey", json!({"KeyId": key.id}))?.ok()?;
    ctx.advance(300_000)?;
    let r = transact(ctx, &twice, "token-1", json!({}))?;
    r.expect_error("ValidationException", None)?;
    ctx.kms("EnableKey", json!({"KeyId": key.id}))?.ok()?;
    check_eq(
        "n after a repeat refused for the disabled key",
        &json!({"N": "5"}),
        &counter(ctx, &table, "x")?,
    )?;
    ctx.trail_matches_model()
}
