//! KMS behaviour the SSE cases depend on (`spec/kms.md`): key-state effects, deletion and its
//! cancellation, and the AWS managed key refusing direct use.

use ddbsse_wire::time::DAY;
use serde_json::json;

use super::util::managed_key_arn;
use super::{Case, Need};
use crate::ctx::{CaseResult, Ctx, check_eq};

/// Cases of this file.
pub const CASES: &[Case] = &[
    Case {
        id: "kms/key-state-effects/disabled-and-pending",
        title: "Encrypt on a disabled key and on a key pending deletion: the spec's errors",
        needs: &[],
        run: state_effects,
    },
    Case {
        id: "kms/deletion/window-and-cancel",
        title: "ScheduleKeyDeletion window 7..30 (30 by default); CancelKeyDeletion leaves Disabled",
        needs: &[],
        run: deletion_window,
    },
    Case {
        id: "kms/deletion/key-gone",
        title: "at DeletionDate the key is gone: NotFoundException",
        needs: &[Need::ManualClock],
        run: key_gone,
    },
    Case {
        id: "kms/aws-managed-key/direct-use-denied",
        title: "direct Encrypt and DisableKey on the AWS managed key: AccessDeniedException",
        needs: &[],
        run: managed_direct_use,
    },
];

//= spec/kms.md#key-state-effects
//= type=test
//# Each operation MUST succeed or fail in each key state as the table above says.
//= spec/kms.md#key-state-effects
//= type=test
//# The disabled error MUST be `DisabledException` with the message `<key arn> is disabled.`, the pending error `KMSInvalidStateException` with `<key arn> is pending deletion.`, and the not-pending error `KMSInvalidStateException` with `<key arn> is not pending deletion.`.
fn state_effects(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    let plaintext = json!({"KeyId": key.id, "Plaintext": "aGVsbG8="});
    ctx.kms("Encrypt", plaintext.clone())?.ok()?;
    ctx.kms("CancelKeyDeletion", json!({"KeyId": key.id}))?
        .expect_error(
            "KMSInvalidStateException",
            Some(&format!("{} is not pending deletion.", key.arn)),
        )?;
    ctx.kms("DisableKey", json!({"KeyId": key.id}))?.ok()?;
    ctx.kms("Encrypt", plaintext.clone())?.expect_error(
        "DisabledException",
        Some(&format!("{} is disabled.", key.arn)),
    )?;
    ctx.kms("DescribeKey", json!({"KeyId": key.id}))?.ok()?;
    ctx.kms(
        "ScheduleKeyDeletion",
        json!({"KeyId": key.id, "PendingWindowInDays": 7}),
    )?
    .ok()?;
    ctx.kms("Encrypt", plaintext)?.expect_error(
        "KMSInvalidStateException",
        Some(&format!("{} is pending deletion.", key.arn)),
    )?;
    ctx.kms("EnableKey", json!({"KeyId": key.id}))?
        .expect_error(
            "KMSInvalidStateException",
            Some(&format!("{} is pending deletion.", key.arn)),
        )
}

//= spec/kms.md#deletion
//= type=test
//# ScheduleKeyDeletion MUST accept a `PendingWindowInDays` from 7 to 30 inclusive, use 30 when it is absent, and return `KeyId` (the key ARN), `DeletionDate` (now plus the window in days, epoch seconds), `KeyState` `PendingDeletion` and `PendingWindowInDays`.
//= spec/kms.md#deletion
//= type=test
//# CancelKeyDeletion MUST leave the key in `Disabled` state, without `DeletionDate`, and return `KeyId` as the key ARN.
fn deletion_window(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    ctx.kms("ScheduleKeyDeletion", json!({"KeyId": key.id, "PendingWindowInDays": 6}))?
        .expect_error("ValidationException", Some("1 validation error detected: Value '6' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 7"))?;
    ctx.kms("ScheduleKeyDeletion", json!({"KeyId": key.id, "PendingWindowInDays": 31}))?
        .expect_error("ValidationException", Some("1 validation error detected: Value '31' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 30"))?;
    let now = ctx.now();
    let r = ctx.kms("ScheduleKeyDeletion", json!({"KeyId": key.id}))?;
    let body = r.ok()?.clone();
    let manual = ctx.clock() == crate::target::ClockControl::Manual;
    check_eq(
        "ScheduleKeyDeletion answer",
        &json!({"KeyId": key.arn, "KeyState": "PendingDeletion", "PendingWindowInDays": 30, "DeletionDate": if manual { json!(now.plus(30 * DAY).epoch_seconds()) } else { body["DeletionDate"].clone() }}),
        &json!({"KeyId": body["KeyId"], "KeyState": body["KeyState"], "PendingWindowInDays": body["PendingWindowInDays"], "DeletionDate": body["DeletionDate"]}),
    )?;
    let c = ctx.kms("CancelKeyDeletion", json!({"KeyId": key.id}))?;
    check_eq(
        "CancelKeyDeletion KeyId",
        &json!(key.arn),
        &c.ok()?["KeyId"],
    )?;
    let d = ctx.kms("DescribeKey", json!({"KeyId": key.id}))?;
    let meta = d.ok()?["KeyMetadata"].clone();
    check_eq(
        "KeyMetadata after CancelKeyDeletion",
        &json!({"KeyState": "Disabled", "Enabled": false, "DeletionDate": null}),
        &json!({"KeyState": meta["KeyState"], "Enabled": meta["Enabled"], "DeletionDate": meta.get("DeletionDate").cloned().unwrap_or(serde_json::Value::Null)}),
    )
}

//= spec/kms.md#deletion
//= type=test
//# Once the clock reaches `DeletionDate`, the key and its aliases MUST be gone: every request naming the key fails with `NotFoundException` and no key material remains.
fn key_gone(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    ctx.kms(
        "ScheduleKeyDeletion",
        json!({"KeyId": key.id, "PendingWindowInDays": 7}),
    )?
    .ok()?;
    ctx.advance(7 * DAY - 1000)?;
    ctx.kms("DescribeKey", json!({"KeyId": key.id}))?.ok()?;
    ctx.advance(1000)?;
    ctx.kms("DescribeKey", json!({"KeyId": key.id}))?
        .expect_error(
            "NotFoundException",
            Some(&format!("Key '{}' does not exist", key.arn)),
        )
}

//= spec/kms.md#aws-managed-key
//= type=test
//# A direct Encrypt, Decrypt, GenerateDataKey, CreateGrant, EnableKey, DisableKey, ScheduleKeyDeletion or CancelKeyDeletion on the AWS managed key MUST fail with `AccessDeniedException` and the message `User: <caller arn> is not authorized to perform: kms:<Action> on resource: <key arn> because no resource-based policy allows the kms:<Action> action`.
fn managed_direct_use(ctx: &mut Ctx<'_>) -> CaseResult {
    let arn = managed_key_arn(ctx)?;
    let caller = format!("arn:aws:iam::{}:user/{}", ctx.account(), ctx.principal(0)?);
    for (op, body) in [
        ("Encrypt", json!({"KeyId": arn, "Plaintext": "aGVsbG8="})),
        ("DisableKey", json!({"KeyId": arn})),
    ] {
        ctx.kms(op, body)?.expect_error(
            "AccessDeniedException",
            Some(&format!("User: {caller} is not authorized to perform: kms:{op} on resource: {arn} because no resource-based policy allows the kms:{op} action")),
        )?;
    }
    Ok(())
}
