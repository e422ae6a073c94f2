//! KMS behaviour the SSE cases depend on (`spec/kms.md`): key metadata and key material ids,
//! key-state effects, deletion and its cancellation, CreateGrant's grantee, ListKeys and
//! ListAliases paging, and the AWS managed key refusing direct use.
//!
//! Every expected text and number below is quoted from the spec, not taken from the model or the
//! shared wire helpers.

use ddbsse_wire::time::DAY;
use serde_json::{Value, json};

use super::util::{kms_pages, managed_key_arn};
use super::{Case, Need};
use crate::ctx::{CaseResult, Ctx, check, check_eq};

/// Cases of this file.
pub const CASES: &[Case] = &[
    Case {
        id: "kms/create-key/key-material-id",
        title: "CurrentKeyMaterialId is 64 lowercase hex digits; GenerateDataKey and Decrypt answer it as KeyMaterialId",
        needs: &[],
        run: key_material_id,
    },
    Case {
        id: "kms/create-key/no-pending-window",
        title: "a key pending deletion shows DeletionDate but no PendingDeletionWindowInDays",
        needs: &[],
        run: no_pending_window,
    },
    Case {
        id: "kms/create-key/explicit-defaults",
        title: "CreateKey naming the defaults (KeyUsage, KeySpec, CustomerMasterKeySpec, Origin, MultiRegion) as Terraform does",
        needs: &[],
        run: explicit_defaults,
    },
    Case {
        id: "kms/list-keys/paging",
        title: "ListKeys pages at 100 by default and at Limit; NextMarker continues the listing",
        needs: &[],
        run: list_keys_paging,
    },
    Case {
        id: "kms/aliases/paging",
        title: "ListAliases pages at 50 by default and at Limit; NextMarker continues the listing",
        needs: &[],
        run: list_aliases_paging,
    },
    Case {
        id: "kms/create-grant/one-grantee",
        title: "CreateGrant needs exactly one of GranteePrincipal and GranteeServicePrincipal",
        needs: &[],
        run: one_grantee,
    },
    Case {
        id: "kms/key-state-effects/disabled-and-pending",
        title: "Encrypt on a disabled key and on a key pending deletion: the spec's errors",
        needs: &[],
        run: state_effects,
    },
    Case {
        id: "kms/deletion/window-message",
        title: "PendingWindowInDays 1, 6, 31 or 365: KMS's own message; 0 and 366: the Coral constraints of 1..365",
        needs: &[],
        run: deletion_window_message,
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

/// True for exactly 64 lowercase hex digits (`BackingKeyIdType`).
fn is_material_id(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        s.len() == 64
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

//= spec/kms.md#create-key
//= type=test
//# GenerateDataKey and Decrypt answers MUST carry `KeyMaterialId`, equal to the `CurrentKeyMaterialId` of the key that sealed or opened the ciphertext.
fn key_material_id(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    let other = ctx.create_key()?;
    let r = ctx.kms("DescribeKey", json!({"KeyId": key.id}))?;
    let material = r.ok()?["KeyMetadata"]["CurrentKeyMaterialId"].clone();
    check(
        is_material_id(&material),
        "KeyMetadata.CurrentKeyMaterialId of 64 lowercase hex digits",
        format!("CurrentKeyMaterialId {material}"),
    )?;
    let r = ctx.kms("DescribeKey", json!({"KeyId": other.id}))?;
    let other_material = r.ok()?["KeyMetadata"]["CurrentKeyMaterialId"].clone();
    check(
        other_material != material,
        "two keys have two key material ids",
        format!("both {material}"),
    )?;
    let g = ctx.kms(
        "GenerateDataKey",
        json!({"KeyId": key.id, "KeySpec": "AES_256"}),
    )?;
    let g = g.ok()?.clone();
    let d = ctx.kms("Decrypt", json!({"CiphertextBlob": g["CiphertextBlob"]}))?;
    let d = d.ok()?.clone();
    check_eq(
        "KeyMaterialId of GenerateDataKey and of Decrypt",
        &json!([material, material]),
        &json!([g["KeyMaterialId"], d["KeyMaterialId"]]),
    )
}

//= spec/kms.md#create-key
//= type=test
//# `KeyMetadata` MUST NOT carry `PendingDeletionWindowInDays`, in any key state.
fn no_pending_window(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    ctx.kms(
        "ScheduleKeyDeletion",
        json!({"KeyId": key.id, "PendingWindowInDays": 9}),
    )?
    .ok()?;
    let r = ctx.kms("DescribeKey", json!({"KeyId": key.id}))?;
    let meta = r.ok()?["KeyMetadata"].clone();
    // Cancel, so that no later case that moves the clock by days sees this key fall due.
    ctx.kms("CancelKeyDeletion", json!({"KeyId": key.id}))?
        .ok()?;
    check_eq(
        "KeyMetadata of a key pending deletion",
        &json!({"KeyState": "PendingDeletion", "has DeletionDate": true, "PendingDeletionWindowInDays": null}),
        &json!({"KeyState": meta["KeyState"], "has DeletionDate": meta["DeletionDate"].is_number(),
                "PendingDeletionWindowInDays": meta.get("PendingDeletionWindowInDays").cloned().unwrap_or(Value::Null)}),
    )
}

//= spec/kms.md#deletion
//= type=test
//# A `PendingWindowInDays` from 1 to 6 or from 31 to 365 MUST fail with `ValidationException` and the message `PendingWindowInDays must be between 7 and 30`.
//= spec/kms.md#deletion
//= type=test
//# A `PendingWindowInDays` below 1 or above 365 MUST fail with `ValidationException` and the message `1 validation error detected: Value '<n>' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 1` or `1 validation error detected: Value '<n>' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 365` respectively.
fn deletion_window_message(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    // Both ends of both ranges: 1 and 365 are KMS's own refusal, 0 and 366 the Coral ones.
    for days in [1, 6, 31, 365] {
        ctx.kms(
            "ScheduleKeyDeletion",
            json!({"KeyId": key.id, "PendingWindowInDays": days}),
        )?
        .expect_error(
            "ValidationException",
            Some("PendingWindowInDays must be between 7 and 30"),
        )?;
    }
    ctx.kms("ScheduleKeyDeletion", json!({"KeyId": key.id, "PendingWindowInDays": 0}))?
        .expect_error("ValidationException", Some("1 validation error detected: Value '0' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 1"))?;
    ctx.kms("ScheduleKeyDeletion", json!({"KeyId": key.id, "PendingWindowInDays": 366}))?
        .expect_error("ValidationException", Some("1 validation error detected: Value '366' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 365"))?;
    let r = ctx.kms("DescribeKey", json!({"KeyId": key.id}))?;
    check_eq(
        "KeyState after the refused requests",
        &json!("Enabled"),
        &r.ok()?["KeyMetadata"]["KeyState"],
    )
}

/// Fails unless `paged` holds exactly the entries of `all`, each once.
fn same_entries(what: &str, all: &[String], paged: &[String]) -> CaseResult {
    let mut a = all.to_vec();
    let mut p = paged.to_vec();
    a.sort();
    p.sort();
    check(
        a == p,
        format!("{what}: every entry once ({})", a.len()),
        format!("{what}: {} entries, {} distinct", p.len(), {
            p.dedup();
            p.len()
        }),
    )
}

//= spec/kms.md#list-keys
//= type=test
//# ListKeys MUST return at most `Limit` entries (1 to 1000, default 100) and, when more remain, `Truncated` true and a `NextMarker` that, passed as `Marker`, continues the listing.
fn list_keys_paging(ctx: &mut Ctx<'_>) -> CaseResult {
    let (mut all, _) = kms_pages(
        ctx,
        "ListKeys",
        &json!({}),
        "Keys",
        "KeyId",
        Some(1000),
        1000,
    )?;
    // The default of 100 shows only with more than 100 keys.
    while all.len() < 101 {
        all.push(ctx.create_key()?.id);
    }
    let (by_default, n) = kms_pages(ctx, "ListKeys", &json!({}), "Keys", "KeyId", None, 100)?;
    check(
        n >= 2,
        "101 keys take two default pages",
        format!("{n} page"),
    )?;
    same_entries("ListKeys by default pages", &all, &by_default)?;
    let (by_seven, _) = kms_pages(ctx, "ListKeys", &json!({}), "Keys", "KeyId", Some(7), 7)?;
    same_entries("ListKeys by pages of 7", &all, &by_seven)
}

//= spec/kms.md#aliases
//= type=test
//# ListAliases MUST return at most `Limit` entries (1 to 100, default 50) and, when more remain, `Truncated` true and a `NextMarker` that, passed as `Marker`, continues the listing.
fn list_aliases_paging(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    let (mut all, _) = kms_pages(
        ctx,
        "ListAliases",
        &json!({}),
        "Aliases",
        "AliasName",
        Some(100),
        100,
    )?;
    // The default of 50 shows only with more than 50 aliases.
    while all.len() < 51 {
        all.push(ctx.create_alias(&key)?);
    }
    let (by_default, n) = kms_pages(
        ctx,
        "ListAliases",
        &json!({}),
        "Aliases",
        "AliasName",
        None,
        50,
    )?;
    check(
        n >= 2,
        "51 aliases take two default pages",
        format!("{n} page"),
    )?;
    same_entries("ListAliases by default pages", &all, &by_default)?;
    let (by_seven, _) = kms_pages(
        ctx,
        "ListAliases",
        &json!({}),
        "Aliases",
        "AliasName",
        Some(7),
        7,
    )?;
    same_entries("ListAliases by pages of 7", &all, &by_seven)
}

//= spec/kms.md#create-grant
//= type=test
//# CreateGrant MUST require exactly one of `GranteePrincipal` and `GranteeServicePrincipal`, and MUST fail a request with neither or both with `ValidationException` and the message `You must specify either GranteePrincipal or GranteeServicePrincipal, but not both.`.
fn one_grantee(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    let message =
        "You must specify either GranteePrincipal or GranteeServicePrincipal, but not both.";
    ctx.kms(
        "CreateGrant",
        json!({"KeyId": key.id, "Operations": ["Decrypt"]}),
    )?
    .expect_error("ValidationException", Some(message))?;
    ctx.kms(
        "CreateGrant",
        json!({"KeyId": key.id, "GranteePrincipal": format!("arn:aws:iam::{}:root", ctx.account()),
               "GranteeServicePrincipal": "dynamodb.amazonaws.com", "Operations": ["Decrypt"]}),
    )?
    .expect_error("ValidationException", Some(message))?;
    let r = ctx.kms("ListGrants", json!({"KeyId": key.id}))?;
    check_eq(
        "grants after the refused CreateGrant requests",
        &json!([]),
        &r.ok()?["Grants"],
    )
}

/// CreateKey with every default spelled out, as Terraform's `aws_kms_key` and the CLI send them:
/// the same symmetric key as without them.
//= spec/kms.md#create-key
//= type=test
//# CreateKey MUST create an enabled symmetric key with 256 bits of fresh random key material and return its `KeyMetadata`.
fn explicit_defaults(ctx: &mut Ctx<'_>) -> CaseResult {
    let r = ctx.kms(
        "CreateKey",
        json!({"KeyUsage": "ENCRYPT_DECRYPT", "KeySpec": "SYMMETRIC_DEFAULT",
               "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT", "Origin": "AWS_KMS", "MultiRegion": false,
               "Description": "explicit defaults"}),
    )?;
    let meta = r.ok()?["KeyMetadata"].clone();
    check_eq(
        "KeyMetadata of a key created with the defaults named",
        &json!({"KeyUsage": "ENCRYPT_DECRYPT", "KeySpec": "SYMMETRIC_DEFAULT", "Origin": "AWS_KMS",
                "MultiRegion": false, "KeyState": "Enabled"}),
        &json!({"KeyUsage": meta["KeyUsage"], "KeySpec": meta["KeySpec"], "Origin": meta["Origin"],
                "MultiRegion": meta["MultiRegion"], "KeyState": meta["KeyState"]}),
    )?;
    let key = meta["KeyId"].as_str().unwrap_or_default().to_owned();
    ctx.kms(
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 7}),
    )?
    .ok()?;
    Ok(())
}
