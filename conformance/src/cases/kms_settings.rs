//! The KMS operations tools call around a key (`spec/kms.md` sections 8 to 11): key policy,
//! rotation, tags, description, UpdateAlias and DeleteAlias, GenerateDataKeyWithoutPlaintext,
//! ReEncrypt and ListRetirableGrants, their key-state effects, the AWS managed key's refusals,
//! and their trail records (`spec/trail.md`).
//!
//! Every expected text and number below is quoted from the spec, not taken from the model or the
//! shared wire helpers; each case also compares the target's trail with the model's.

use ddbsse_wire::time::DAY;
use serde_json::{Value, json};

use super::Case;
use super::util::managed_key_arn;
use crate::ctx::{CaseResult, Ctx, check, check_eq};
use crate::normalize::short;

/// Cases of this file.
pub const CASES: &[Case] = &[
    Case {
        id: "kms/key-policy/default-and-put",
        title: "a new key has the default key policy; PutKeyPolicy stores a JSON document in any key state",
        needs: &[],
        run: key_policy,
    },
    Case {
        id: "kms/rotation/enable-disable",
        title: "EnableKeyRotation (90..2560, 365 by default), GetKeyRotationStatus, DisableKeyRotation and their key states",
        needs: &[],
        run: rotation,
    },
    Case {
        id: "kms/tags/tag-untag-list",
        title: "TagResource, UntagResource and ListResourceTags: limits, aws: prefix, 50 tags, paging",
        needs: &[],
        run: tags,
    },
    Case {
        id: "kms/update-key-description/set",
        title: "UpdateKeyDescription sets Description (0..8192 characters)",
        needs: &[],
        run: update_description,
    },
    Case {
        id: "kms/alias-updates/update-and-delete",
        title: "UpdateAlias repoints an alias, DeleteAlias removes it; unknown aliases are NotFoundException",
        needs: &[],
        run: alias_updates,
    },
    Case {
        id: "kms/generate-data-key-without-plaintext/no-plaintext",
        title: "GenerateDataKeyWithoutPlaintext answers a blob Decrypt opens, and no Plaintext; DryRun refuses",
        needs: &[],
        run: without_plaintext,
    },
    Case {
        id: "kms/reencrypt/round-trip",
        title: "ReEncrypt moves a blob to another key and context; wrong source key or context refused",
        needs: &[],
        run: reencrypt,
    },
    Case {
        id: "kms/retirable-grants/by-principal",
        title: "ListRetirableGrants lists the grants a principal may retire, across keys",
        needs: &[],
        run: retirable_grants,
    },
    Case {
        id: "kms/aws-managed-key/settings-denied",
        title: "the AWS managed key: its policy and rotation status readable, every change refused",
        needs: &[],
        run: managed_settings,
    },
    Case {
        id: "trail/response-elements/alias-records",
        title: "CreateAlias, UpdateAlias and DeleteAlias records carry responseElements {keyId}",
        needs: &[],
        run: alias_records,
    },
];

fn pending_text(arn: &str) -> String {
    format!("{arn} is pending deletion.")
}

/// Schedules the key's deletion (7 days) so a case can see the pending-deletion effects.
fn make_pending(ctx: &mut Ctx<'_>, key: &str) -> CaseResult {
    ctx.kms(
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 7}),
    )?
    .ok()
    .map(|_| ())
}

/// Cancels a deletion scheduled by [`make_pending`], so that no later case that moves the clock
/// by days sees the key fall due.
fn cancel_pending(ctx: &mut Ctx<'_>, key: &str) -> CaseResult {
    ctx.kms("CancelKeyDeletion", json!({"KeyId": key}))?
        .ok()
        .map(|_| ())
}

//= spec/kms.md#key-policy
//= type=test
//# A key created without a `Policy` MUST have the default key policy: `{"Version": "2012-10-17", "Id": "key-default-1", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::<account>:root"}, "Action": "kms:*", "Resource": "*"}]}`.
//= spec/kms.md#key-policy
//= type=test
//# GetKeyPolicy MUST return the key's policy document as `Policy` and `PolicyName` `default`, in every key state.
//= spec/kms.md#key-policy
//= type=test
//# PutKeyPolicy MUST store the document as sent, so that GetKeyPolicy returns it, in every key state.
//= spec/kms.md#key-policy
//= type=test
//# CreateKey MUST check and keep a `Policy` it is given as PutKeyPolicy does.
//= spec/kms.md#key-policy
//= type=test
//# A `Policy` MUST be 1 to 131072 characters of tab, line feed, carriage return and U+0020 to U+00FF (else `ValidationException`) and MUST parse as a JSON object (else `MalformedPolicyDocumentException`).
//= spec/kms.md#key-policy
//= type=test
//# A `PolicyName` other than `default` MUST fail with `NotFoundException` and the message `Policy <name> is not found.`, and one that breaks `PolicyNameType` (1 to 128 word characters) with `ValidationException`.
fn key_policy(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    let r = ctx.kms("GetKeyPolicy", json!({"KeyId": key.id}))?;
    let body = r.ok()?.clone();
    r.same_as_model()?;
    let policy: Value =
        serde_json::from_str(body["Policy"].as_str().unwrap_or_default()).unwrap_or(Value::Null);
    let expected = json!({"Version": "2012-10-17", "Id": "key-default-1", "Statement": [{
        "Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{}:root", ctx.account())},
        "Action": "kms:*", "Resource": "*"}]});
    check_eq("the default key policy", &expected, &policy)?;
    check_eq("PolicyName", &json!("default"), &body["PolicyName"])?;
    let mine = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Sid\": \"mine\", \"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"*\"}, \"Action\": \"kms:Decrypt\", \"Resource\": \"*\"}]\n}";
    ctx.kms(
        "PutKeyPolicy",
        json!({"KeyId": key.arn, "PolicyName": "default", "Policy": mine}),
    )?
    .ok()?;
    // Disabled, then pending deletion: GetKeyPolicy and PutKeyPolicy still work.
    ctx.kms("DisableKey", json!({"KeyId": key.id}))?.ok()?;
    make_pending(ctx, &key.id)?;
    let r = ctx.kms(
        "GetKeyPolicy",
        json!({"KeyId": key.id, "PolicyName": "default"}),
    )?;
    check_eq(
        "the stored policy, as sent",
        &json!(mine),
        &r.ok()?["Policy"],
    )?;
    ctx.kms("PutKeyPolicy", json!({"KeyId": key.id, "Policy": mine}))?
        .ok()?;
    cancel_pending(ctx, &key.id)?;
    ctx.kms(
        "PutKeyPolicy",
        json!({"KeyId": key.id, "Policy": "not json"}),
    )?
    .expect_error("MalformedPolicyDocumentException", None)?;
    ctx.kms("PutKeyPolicy", json!({"KeyId": key.id, "Policy": "[1, 2]"}))?
        .expect_error("MalformedPolicyDocumentException", None)?;
    ctx.kms("PutKeyPolicy", json!({"KeyId": key.id, "Policy": ""}))?
        .expect_error("ValidationException", None)?;
    ctx.kms("PutKeyPolicy", json!({"KeyId": key.id}))?
        .expect_error("ValidationException", None)?;
    ctx.kms(
        "PutKeyPolicy",
        json!({"KeyId": key.id, "Policy": "{\"a\": \"\u{263a}\"}"}),
    )?
    .expect_error("ValidationException", None)?;
    ctx.kms(
        "GetKeyPolicy",
        json!({"KeyId": key.id, "PolicyName": "other"}),
    )?
    .expect_error("NotFoundException", Some("Policy other is not found."))?;
    ctx.kms(
        "GetKeyPolicy",
        json!({"KeyId": key.id, "PolicyName": "no-dash"}),
    )?
    .expect_error("ValidationException", None)?;
    let r = ctx.kms("GetKeyPolicy", json!({"KeyId": key.id}))?;
    check_eq(
        "the policy after refused puts",
        &json!(mine),
        &r.ok()?["Policy"],
    )?;
    let r = ctx.kms("CreateKey", json!({"Policy": mine}))?;
    let created = r.ok()?["KeyMetadata"]["KeyId"].clone();
    let r = ctx.kms("GetKeyPolicy", json!({"KeyId": created}))?;
    check_eq("CreateKey's Policy", &json!(mine), &r.ok()?["Policy"])?;
    ctx.kms("CreateKey", json!({"Policy": "{"}))?
        .expect_error("MalformedPolicyDocumentException", None)?;
    ctx.trail_matches_model()
}

//= spec/kms.md#rotation
//= type=test
//# `RotationPeriodInDays` MUST be 90 to 2560 (else `ValidationException`) and defaults to 365.
//= spec/kms.md#rotation
//= type=test
//# EnableKeyRotation MUST enable rotation with the given period (365 days when absent), changing only the period when rotation is already enabled, and DisableKeyRotation MUST disable it.
//= spec/kms.md#rotation
//= type=test
//# GetKeyRotationStatus MUST return `KeyId` (the key ARN) and `KeyRotationEnabled`, and, while rotation is enabled, `RotationPeriodInDays` and `NextRotationDate`, in every key state; for the AWS managed key rotation is always enabled with a period of 365 days.
//= spec/kms.md#rotation
//= type=test
//# `NextRotationDate` MUST be the first instant after `now` that is a whole number (at least one) of rotation periods after rotation was enabled (after creation for the AWS managed key).
//= spec/kms.md#key-state-effects
//= type=test
//# Each operation MUST succeed or fail in each key state as the table above says.
fn rotation(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    let status = |ctx: &mut Ctx<'_>| -> Result<Value, crate::ctx::Failure> {
        let r = ctx.kms("GetKeyRotationStatus", json!({"KeyId": key.id}))?;
        r.same_as_model()?;
        Ok(r.ok()?.clone())
    };
    check_eq(
        "a new key's rotation status",
        &json!({"KeyRotationEnabled": false, "KeyId": key.arn}),
        &status(ctx)?,
    )?;
    for days in [89, 2561] {
        ctx.kms(
            "EnableKeyRotation",
            json!({"KeyId": key.id, "RotationPeriodInDays": days}),
        )?
        .expect_error("ValidationException", None)?;
    }
    let enabled_at = ctx.now();
    ctx.kms("EnableKeyRotation", json!({"KeyId": key.id}))?
        .ok()?;
    let s = status(ctx)?;
    check_eq(
        "rotation status after EnableKeyRotation",
        &json!({"KeyRotationEnabled": true, "KeyId": key.arn, "RotationPeriodInDays": 365}),
        &json!({"KeyRotationEnabled": s["KeyRotationEnabled"], "KeyId": s["KeyId"], "RotationPeriodInDays": s["RotationPeriodInDays"]}),
    )?;
    if ctx.clock() == crate::target::ClockControl::Manual {
        check_eq(
            "NextRotationDate one period after enabling",
            &json!(enabled_at.plus(365 * DAY).epoch_seconds()),
            &s["NextRotationDate"],
        )?;
    } else {
        check(
            s["NextRotationDate"].is_number(),
            "NextRotationDate while rotation is enabled",
            short(&s),
        )?;
    }
    ctx.kms(
        "EnableKeyRotation",
        json!({"KeyId": key.arn, "RotationPeriodInDays": 90}),
    )?
    .ok()?;
    let s = status(ctx)?;
    check_eq("the new period", &json!(90), &s["RotationPeriodInDays"])?;
    if ctx.clock() == crate::target::ClockControl::Manual {
        check_eq(
            "NextRotationDate counts from the first EnableKeyRotation",
            &json!(enabled_at.plus(90 * DAY).epoch_seconds()),
            &s["NextRotationDate"],
        )?;
    }
    ctx.kms("DisableKey", json!({"KeyId": key.id}))?.ok()?;
    for op in ["EnableKeyRotation", "DisableKeyRotation"] {
        ctx.kms(op, json!({"KeyId": key.id}))?.expect_error(
            "DisabledException",
            Some(&format!("{} is disabled.", key.arn)),
        )?;
    }
    make_pending(ctx, &key.id)?;
    for op in ["EnableKeyRotation", "DisableKeyRotation"] {
        ctx.kms(op, json!({"KeyId": key.id}))?
            .expect_error("KMSInvalidStateException", Some(&pending_text(&key.arn)))?;
    }
    let s = status(ctx)?;
    check_eq(
        "rotation status of a key pending deletion",
        &json!(true),
        &s["KeyRotationEnabled"],
    )?;
    cancel_pending(ctx, &key.id)?;
    ctx.kms("EnableKey", json!({"KeyId": key.id}))?.ok()?;
    ctx.kms("DisableKeyRotation", json!({"KeyId": key.id}))?
        .ok()?;
    check_eq(
        "rotation status after DisableKeyRotation",
        &json!({"KeyRotationEnabled": false, "KeyId": key.arn}),
        &status(ctx)?,
    )?;
    ctx.trail_matches_model()
}

fn tag(k: &str, v: &str) -> Value {
    json!({"TagKey": k, "TagValue": v})
}

//= spec/kms.md#tags
//= type=test
//# Each `TagKey` MUST be 1 to 128 characters and each `TagValue` 0 to 256 characters (else `ValidationException`), and a `TagKey` beginning with `aws:` MUST fail with `TagException`.
//= spec/kms.md#tags
//= type=test
//# TagResource MUST add each tag, replacing the value of a key already present, and UntagResource MUST remove the named keys (a key not present is not an error).
//= spec/kms.md#tags
//= type=test
//# A TagResource or CreateKey that would leave a key with more than 50 tags MUST fail with `LimitExceededException` and change nothing.
//= spec/kms.md#tags
//= type=test
//# CreateKey MUST check and keep the `Tags` it is given as TagResource does.
//= spec/kms.md#tags
//= type=test
//# ListResourceTags MUST return the key's tags ordered by `TagKey`, at most `Limit` (1 to 1000, default 50) per page, with `Truncated` and a `NextMarker` that continues the listing, in every key state.
fn tags(ctx: &mut Ctx<'_>) -> CaseResult {
    let r = ctx.kms(
        "CreateKey",
        json!({"Tags": [tag("team", "kms"), tag("env", "test")]}),
    )?;
    let id = r.ok()?["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let arn = r.ok()?["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let list = |ctx: &mut Ctx<'_>| -> Result<Value, crate::ctx::Failure> {
        let r = ctx.kms("ListResourceTags", json!({"KeyId": id}))?;
        r.same_as_model()?;
        Ok(r.ok()?["Tags"].clone())
    };
    check_eq(
        "CreateKey's tags, by TagKey",
        &json!([tag("env", "test"), tag("team", "kms")]),
        &list(ctx)?,
    )?;
    ctx.kms(
        "TagResource",
        json!({"KeyId": id, "Tags": [tag("team", "sse"), tag("cost", "")]}),
    )?
    .ok()?;
    check_eq(
        "tags after TagResource",
        &json!([tag("cost", ""), tag("env", "test"), tag("team", "sse")]),
        &list(ctx)?,
    )?;
    ctx.kms(
        "UntagResource",
        json!({"KeyId": arn, "TagKeys": ["env", "absent"]}),
    )?
    .ok()?;
    check_eq(
        "tags after UntagResource",
        &json!([tag("cost", ""), tag("team", "sse")]),
        &list(ctx)?,
    )?;
    for (tags, code) in [
        (json!([tag("aws:owner", "x")]), "TagException"),
        (json!([tag("", "x")]), "ValidationException"),
        (json!([tag(&"k".repeat(129), "x")]), "ValidationException"),
        (json!([tag("k", &"v".repeat(257))]), "ValidationException"),
    ] {
        ctx.kms("TagResource", json!({"KeyId": id, "Tags": tags}))?
            .expect_error(code, None)?;
    }
    ctx.kms("TagResource", json!({"KeyId": id}))?
        .expect_error("ValidationException", None)?;
    let many: Vec<Value> = (0..49).map(|i| tag(&format!("k{i:02}"), "v")).collect();
    ctx.kms("TagResource", json!({"KeyId": id, "Tags": many}))?
        .expect_error("LimitExceededException", None)?;
    check_eq(
        "tags after the refused requests",
        &json!([tag("cost", ""), tag("team", "sse")]),
        &list(ctx)?,
    )?;
    let fifty: Vec<Value> = (0..51).map(|i| tag(&format!("k{i:02}"), "v")).collect();
    ctx.kms("CreateKey", json!({"Tags": fifty}))?
        .expect_error("LimitExceededException", None)?;
    let r = ctx.kms("ListResourceTags", json!({"KeyId": id, "Limit": 1}))?;
    let first = r.ok()?.clone();
    check_eq(
        "the first page of one",
        &json!({"Tags": [tag("cost", "")], "Truncated": true}),
        &json!({"Tags": first["Tags"], "Truncated": first["Truncated"]}),
    )?;
    let r = ctx.kms(
        "ListResourceTags",
        json!({"KeyId": id, "Limit": 1, "Marker": first["NextMarker"]}),
    )?;
    let second = r.ok()?.clone();
    check_eq(
        "the page NextMarker continues with",
        &json!({"Tags": [tag("team", "sse")], "Truncated": false}),
        &json!({"Tags": second["Tags"], "Truncated": second["Truncated"]}),
    )?;
    ctx.kms("ListResourceTags", json!({"KeyId": id, "Limit": 1001}))?
        .expect_error("ValidationException", None)?;
    make_pending(ctx, &id)?;
    for (op, body) in [
        ("TagResource", json!({"KeyId": id, "Tags": [tag("a", "b")]})),
        ("UntagResource", json!({"KeyId": id, "TagKeys": ["cost"]})),
    ] {
        ctx.kms(op, body)?
            .expect_error("KMSInvalidStateException", Some(&pending_text(&arn)))?;
    }
    list(ctx)?;
    cancel_pending(ctx, &id)?;
    ctx.trail_matches_model()
}

//= spec/kms.md#update-key-description
//= type=test
//# UpdateKeyDescription MUST require `KeyId` and `Description` (0 to 8192 characters, else `ValidationException`) and set the key's `Description`.
fn update_description(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    ctx.kms(
        "UpdateKeyDescription",
        json!({"KeyId": key.id, "Description": "orders table key"}),
    )?
    .ok()?;
    let r = ctx.kms("DescribeKey", json!({"KeyId": key.id}))?;
    check_eq(
        "Description after UpdateKeyDescription",
        &json!("orders table key"),
        &r.ok()?["KeyMetadata"]["Description"],
    )?;
    ctx.kms("UpdateKeyDescription", json!({"KeyId": key.id}))?
        .expect_error(
            "ValidationException",
            Some("1 validation error detected: Value null at 'description' failed to satisfy constraint: Member must not be null"),
        )?;
    ctx.kms(
        "UpdateKeyDescription",
        json!({"KeyId": key.id, "Description": "d".repeat(8193)}),
    )?
    .expect_error("ValidationException", None)?;
    ctx.kms(
        "UpdateKeyDescription",
        json!({"KeyId": key.id, "Description": ""}),
    )?
    .ok()?;
    make_pending(ctx, &key.id)?;
    ctx.kms(
        "UpdateKeyDescription",
        json!({"KeyId": key.id, "Description": "x"}),
    )?
    .expect_error("KMSInvalidStateException", Some(&pending_text(&key.arn)))?;
    cancel_pending(ctx, &key.id)?;
    let r = ctx.kms("DescribeKey", json!({"KeyId": key.id}))?;
    check_eq(
        "Description after the refused update",
        &json!(""),
        &r.ok()?["KeyMetadata"]["Description"],
    )?;
    ctx.trail_matches_model()
}

/// The alias entry of `alias` in ListAliases (all pages of 100).
fn alias_entry(ctx: &mut Ctx<'_>, alias: &str) -> Result<Value, crate::ctx::Failure> {
    let mut marker = Value::Null;
    loop {
        let mut body = json!({"Limit": 100});
        if !marker.is_null() {
            body["Marker"] = marker.clone();
        }
        let r = ctx.kms("ListAliases", body)?;
        let page = r.ok()?.clone();
        if let Some(e) = page["Aliases"]
            .as_array()
            .and_then(|a| a.iter().find(|e| e["AliasName"] == json!(alias)))
        {
            return Ok(e.clone());
        }
        if page["Truncated"] != json!(true) {
            return Ok(Value::Null);
        }
        marker = page["NextMarker"].clone();
    }
}

//= spec/kms.md#alias-updates
//= type=test
//# The `AliasName` of UpdateAlias and DeleteAlias MUST be 1 to 256 characters matching `^[a-zA-Z0-9:/_-]+$` (else `ValidationException`).
//= spec/kms.md#alias-updates
//= type=test
//# UpdateAlias MUST point an existing alias at the key `TargetKeyId` names (a key id or key ARN), keep its `CreationDate` and set its `LastUpdatedDate`; an alias that does not exist MUST fail with `NotFoundException` and the message `Alias <alias arn> is not found.`.
//= spec/kms.md#alias-updates
//= type=test
//# DeleteAlias MUST remove an existing alias in every state of its key, and an alias that does not exist MUST fail with `NotFoundException`.
fn alias_updates(ctx: &mut Ctx<'_>) -> CaseResult {
    let a = ctx.create_key()?;
    let b = ctx.create_key()?;
    let alias = ctx.create_alias(&a)?;
    let before = alias_entry(ctx, &alias)?;
    ctx.advance(1000)?;
    ctx.kms(
        "UpdateAlias",
        json!({"AliasName": alias, "TargetKeyId": b.arn}),
    )?
    .ok()?;
    let after = alias_entry(ctx, &alias)?;
    check_eq(
        "the alias after UpdateAlias",
        &json!({"TargetKeyId": b.id, "CreationDate": before["CreationDate"], "moved": true}),
        &json!({"TargetKeyId": after["TargetKeyId"], "CreationDate": after["CreationDate"],
                "moved": after["LastUpdatedDate"].as_f64() > before["LastUpdatedDate"].as_f64()}),
    )?;
    let r = ctx.kms("DescribeKey", json!({"KeyId": alias}))?;
    check_eq(
        "the key the alias names",
        &json!(b.arn),
        &r.ok()?["KeyMetadata"]["Arn"],
    )?;
    let missing = format!("alias/{}", ctx.name("missing"));
    ctx.kms(
        "UpdateAlias",
        json!({"AliasName": missing, "TargetKeyId": a.id}),
    )?
    .expect_error(
        "NotFoundException",
        Some(&format!("Alias {} is not found.", ctx.alias_arn(&missing))),
    )?;
    ctx.kms(
        "UpdateAlias",
        json!({"AliasName": "alias/has space", "TargetKeyId": a.id}),
    )?
    .expect_error("ValidationException", None)?;
    // A destination pending deletion is refused; a source pending deletion is not.
    let second = ctx.create_alias(&a)?;
    make_pending(ctx, &a.id)?;
    ctx.kms(
        "UpdateAlias",
        json!({"AliasName": alias, "TargetKeyId": a.id}),
    )?
    .expect_error("KMSInvalidStateException", Some(&pending_text(&a.arn)))?;
    ctx.kms(
        "UpdateAlias",
        json!({"AliasName": second, "TargetKeyId": b.id}),
    )?
    .ok()?;
    ctx.kms("DeleteAlias", json!({"AliasName": second}))?.ok()?;
    cancel_pending(ctx, &a.id)?;
    ctx.kms("DeleteAlias", json!({"AliasName": alias}))?.ok()?;
    check_eq(
        "the alias after DeleteAlias",
        &Value::Null,
        &alias_entry(ctx, &alias)?,
    )?;
    ctx.kms("DeleteAlias", json!({"AliasName": alias}))?
        .expect_error(
            "NotFoundException",
            Some(&format!("Alias {} is not found.", ctx.alias_arn(&alias))),
        )?;
    ctx.trail_matches_model()
}

//= spec/kms.md#generate-data-key-without-plaintext
//= type=test
//# GenerateDataKeyWithoutPlaintext MUST check its members and the key as GenerateDataKey does and return the same `CiphertextBlob`, `KeyId` and `KeyMaterialId`, without `Plaintext`.
//= spec/kms.md#generate-data-key-without-plaintext
//= type=test
//# A GenerateDataKeyWithoutPlaintext or ReEncrypt with `DryRun` true that passes every check MUST fail with `DryRunOperationException` and change nothing.
fn without_plaintext(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    let context = json!({"purpose": "conformance"});
    let r = ctx.kms(
        "GenerateDataKeyWithoutPlaintext",
        json!({"KeyId": key.id, "KeySpec": "AES_256", "EncryptionContext": context}),
    )?;
    let g = r.ok()?.clone();
    ctx.pair_member(&r, "CiphertextBlob");
    let d = ctx.kms("DescribeKey", json!({"KeyId": key.id}))?;
    let material = d.ok()?["KeyMetadata"]["CurrentKeyMaterialId"].clone();
    check_eq(
        "GenerateDataKeyWithoutPlaintext answer",
        &json!({"KeyId": key.arn, "KeyMaterialId": material, "Plaintext": null, "has CiphertextBlob": true}),
        &json!({"KeyId": g["KeyId"], "KeyMaterialId": g["KeyMaterialId"],
                "Plaintext": g.get("Plaintext").cloned().unwrap_or(Value::Null),
                "has CiphertextBlob": g["CiphertextBlob"].is_string()}),
    )?;
    let r = ctx.kms(
        "Decrypt",
        json!({"CiphertextBlob": g["CiphertextBlob"], "EncryptionContext": context}),
    )?;
    let plain = r.ok()?["Plaintext"].as_str().unwrap_or_default().to_owned();
    // 32 bytes are 44 base64 characters ending in one `=`.
    check_eq(
        "the data key's base64 length (32 bytes)",
        &json!([44, true]),
        &json!([plain.len(), plain.ends_with('=') && !plain.ends_with("==")]),
    )?;
    ctx.kms(
        "GenerateDataKeyWithoutPlaintext",
        json!({"KeyId": key.id, "NumberOfBytes": 16, "KeySpec": "AES_128"}),
    )?
    .expect_error(
        "ValidationException",
        Some("Please specify either number of bytes or key spec."),
    )?;
    ctx.kms(
        "GenerateDataKeyWithoutPlaintext",
        json!({"KeyId": key.id, "NumberOfBytes": 16, "DryRun": true}),
    )?
    .expect_error("DryRunOperationException", None)?;
    ctx.kms("DisableKey", json!({"KeyId": key.id}))?.ok()?;
    ctx.kms(
        "GenerateDataKeyWithoutPlaintext",
        json!({"KeyId": key.id, "NumberOfBytes": 16}),
    )?
    .expect_error(
        "DisabledException",
        Some(&format!("{} is disabled.", key.arn)),
    )?;
    ctx.trail_matches_model()
}

//= spec/kms.md#reencrypt
//= type=test
//# ReEncrypt MUST require `DestinationKeyId` and `CiphertextBlob` (1 to 6144 bytes) and accept only `SYMMETRIC_DEFAULT` as either algorithm, each failing with `ValidationException`.
//= spec/kms.md#reencrypt
//= type=test
//# ReEncrypt MUST open the blob as Decrypt would under `SourceEncryptionContext` (the key the blob names; `SourceKeyId`, when given, MUST name that key, else `IncorrectKeyException`) and seal its plaintext under `DestinationKeyId` and `DestinationEncryptionContext`, returning `CiphertextBlob`, `SourceKeyId` and `KeyId` (key ARNs), both algorithms and both keys' `KeyMaterialId`s; each key is checked as for a cryptographic operation.
//= spec/trail.md#key-material-tls
//= type=test
//# Records of successful GenerateDataKeyWithoutPlaintext calls MUST carry `"additionalEventData": {"keyMaterialId": <the key's CurrentKeyMaterialId>}`, and records of successful ReEncrypt calls `"additionalEventData": {"sourceKeyMaterialId": <source key's>, "destinationKeyMaterialId": <destination key's>}`.
//= spec/trail.md#request-parameters
//= type=test
//# The `requestParameters` of a ReEncrypt record MUST be `sourceEncryptionAlgorithm` and `destinationEncryptionAlgorithm` (always, `SYMMETRIC_DEFAULT` when not sent), `sourceKeyId` and `destinationKeyId` as sent, and `sourceEncryptionContext` and `destinationEncryptionContext` when not empty.
fn reencrypt(ctx: &mut Ctx<'_>) -> CaseResult {
    let a = ctx.create_key()?;
    let b = ctx.create_key()?;
    let source_ctx = json!({"Project": "Alpha"});
    let dest_ctx = json!({"Level": "3A"});
    let r = ctx.kms(
        "Encrypt",
        json!({"KeyId": a.id, "Plaintext": "aGVsbG8=", "EncryptionContext": source_ctx}),
    )?;
    let blob = r.ok()?["CiphertextBlob"].clone();
    ctx.pair_member(&r, "CiphertextBlob");
    let material = |ctx: &mut Ctx<'_>, id: &str| -> Result<Value, crate::ctx::Failure> {
        let r = ctx.kms("DescribeKey", json!({"KeyId": id}))?;
        Ok(r.ok()?["KeyMetadata"]["CurrentKeyMaterialId"].clone())
    };
    let (ma, mb) = (material(ctx, &a.id)?, material(ctx, &b.id)?);
    let r = ctx.kms(
        "ReEncrypt",
        json!({"CiphertextBlob": blob, "SourceEncryptionContext": source_ctx,
               "DestinationKeyId": b.id, "DestinationEncryptionContext": dest_ctx}),
    )?;
    let out = r.ok()?.clone();
    ctx.pair_member(&r, "CiphertextBlob");
    check_eq(
        "ReEncrypt answer",
        &json!({"SourceKeyId": a.arn, "KeyId": b.arn, "SourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
                "DestinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT", "SourceKeyMaterialId": ma,
                "DestinationKeyMaterialId": mb}),
        &json!({"SourceKeyId": out["SourceKeyId"], "KeyId": out["KeyId"],
                "SourceEncryptionAlgorithm": out["SourceEncryptionAlgorithm"],
                "DestinationEncryptionAlgorithm": out["DestinationEncryptionAlgorithm"],
                "SourceKeyMaterialId": out["SourceKeyMaterialId"],
                "DestinationKeyMaterialId": out["DestinationKeyMaterialId"]}),
    )?;
    let r = ctx.kms(
        "Decrypt",
        json!({"CiphertextBlob": out["CiphertextBlob"], "EncryptionContext": dest_ctx}),
    )?;
    let d = r.ok()?.clone();
    check_eq(
        "Decrypt of the new blob",
        &json!({"Plaintext": "aGVsbG8=", "KeyId": b.arn}),
        &json!({"Plaintext": d["Plaintext"], "KeyId": d["KeyId"]}),
    )?;
    ctx.kms(
        "ReEncrypt",
        json!({"CiphertextBlob": blob, "SourceEncryptionContext": source_ctx,
               "SourceKeyId": b.id, "DestinationKeyId": b.id}),
    )?
    .expect_error("IncorrectKeyException", None)?;
    ctx.kms(
        "ReEncrypt",
        json!({"CiphertextBlob": blob, "SourceEncryptionContext": {"Project": "Beta"},
               "DestinationKeyId": b.id}),
    )?
    .expect_error("InvalidCiphertextException", None)?;
    ctx.kms(
        "ReEncrypt",
        json!({"CiphertextBlob": blob, "SourceEncryptionContext": source_ctx}),
    )?
    .expect_error("ValidationException", None)?;
    ctx.kms(
        "ReEncrypt",
        json!({"CiphertextBlob": blob, "SourceEncryptionContext": source_ctx,
               "DestinationKeyId": b.id, "DestinationEncryptionAlgorithm": "RSAES_OAEP_SHA_1"}),
    )?
    .expect_error("ValidationException", None)?;
    ctx.kms(
        "ReEncrypt",
        json!({"CiphertextBlob": blob, "SourceEncryptionContext": source_ctx,
               "SourceKeyId": a.arn, "DestinationKeyId": b.arn, "DryRun": true}),
    )?
    .expect_error("DryRunOperationException", None)?;
    ctx.kms("DisableKey", json!({"KeyId": b.id}))?.ok()?;
    ctx.kms(
        "ReEncrypt",
        json!({"CiphertextBlob": blob, "SourceEncryptionContext": source_ctx,
               "DestinationKeyId": b.id}),
    )?
    .expect_error(
        "DisabledException",
        Some(&format!("{} is disabled.", b.arn)),
    )?;
    ctx.kms("EnableKey", json!({"KeyId": b.id}))?.ok()?;
    make_pending(ctx, &a.id)?;
    ctx.kms(
        "ReEncrypt",
        json!({"CiphertextBlob": blob, "SourceEncryptionContext": source_ctx,
               "DestinationKeyId": b.id}),
    )?
    .expect_error("KMSInvalidStateException", Some(&pending_text(&a.arn)))?;
    cancel_pending(ctx, &a.id)?;
    let records = ctx.trail()?;
    let rec = records
        .iter()
        .find(|r| r["eventName"] == json!("ReEncrypt") && r.get("errorCode").is_none())
        .cloned()
        .unwrap_or(Value::Null);
    check_eq(
        "the ReEncrypt record",
        &json!({"requestParameters": {"sourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
                  "sourceEncryptionContext": source_ctx, "destinationKeyId": b.id,
                  "destinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
                  "destinationEncryptionContext": dest_ctx},
                "responseElements": null, "readOnly": true,
                "additionalEventData": {"sourceKeyMaterialId": ma, "destinationKeyMaterialId": mb},
                "resources": [a.arn, b.arn]}),
        &json!({"requestParameters": rec["requestParameters"], "responseElements": rec["responseElements"],
                "readOnly": rec["readOnly"], "additionalEventData": rec["additionalEventData"],
                "resources": rec["resources"].as_array().map(|rs| rs.iter().map(|r| r["ARN"].clone()).collect::<Vec<_>>())}),
    )?;
    ctx.trail_matches_model()
}

//= spec/kms.md#retirable-grants
//= type=test
//# ListRetirableGrants MUST require `RetiringPrincipal` or `RetiringServicePrincipal` (else `ValidationException`) and return, in key and then grant creation order, every grant of a live key whose retiring principal equals it, paged by `Limit` (1 to 100, default 50).
fn retirable_grants(ctx: &mut Ctx<'_>) -> CaseResult {
    let a = ctx.create_key()?;
    let b = ctx.create_key()?;
    let role = ctx.name("retirer");
    let retiring = format!("arn:aws:iam::{}:role/{role}", ctx.account());
    let grantee = format!("arn:aws:iam::{}:root", ctx.account());
    let mut ids = Vec::new();
    for (key, name) in [(&a, "first"), (&b, "second"), (&a, "third")] {
        let r = ctx.kms(
            "CreateGrant",
            json!({"KeyId": key.id, "GranteePrincipal": grantee, "RetiringPrincipal": retiring,
                   "Operations": ["Decrypt"], "Name": name}),
        )?;
        ids.push((key.arn.clone(), r.ok()?["GrantId"].clone()));
    }
    ctx.kms(
        "CreateGrant",
        json!({"KeyId": a.id, "GranteePrincipal": grantee, "Operations": ["Decrypt"], "Name": "none"}),
    )?
    .ok()?;
    let r = ctx.kms(
        "ListRetirableGrants",
        json!({"RetiringPrincipal": retiring}),
    )?;
    let grants = r.ok()?["Grants"].clone();
    let seen: Vec<Value> = grants
        .as_array()
        .map(|g| {
            g.iter()
                .map(|e| json!([e["KeyId"], e["GrantId"]]))
                .collect()
        })
        .unwrap_or_default();
    let expected: Vec<Value> = [&ids[0], &ids[2], &ids[1]]
        .iter()
        .map(|(k, g)| json!([k, g]))
        .collect();
    check_eq(
        "the retirable grants, by key then grant",
        &json!(expected),
        &json!(seen),
    )?;
    let r = ctx.kms(
        "ListRetirableGrants",
        json!({"RetiringPrincipal": retiring, "Limit": 2}),
    )?;
    let page = r.ok()?.clone();
    check_eq(
        "a first page of 2",
        &json!({"count": 2, "Truncated": true}),
        &json!({"count": page["Grants"].as_array().map_or(0, Vec::len), "Truncated": page["Truncated"]}),
    )?;
    let r = ctx.kms(
        "ListRetirableGrants",
        json!({"RetiringPrincipal": retiring, "Limit": 2, "Marker": page["NextMarker"]}),
    )?;
    let rest = r.ok()?.clone();
    check_eq(
        "the last page, which NextMarker continues with",
        &json!({"grants": [ids[1].1], "Truncated": false}),
        &json!({"grants": rest["Grants"]
                .as_array()
                .map(|g| g.iter().map(|e| e["GrantId"].clone()).collect::<Vec<_>>()),
                "Truncated": rest["Truncated"]}),
    )?;
    // A page that holds exactly the last grants is not truncated either.
    //= spec/kms.md#retirable-grants
    //= type=test
    //# A ListRetirableGrants page MUST carry `Truncated` true, and a `NextMarker` that, passed as `Marker`, continues the listing, exactly when more grants remain after it; a page that ends the listing, even a full one, carries `Truncated` false.
    let r = ctx.kms(
        "ListRetirableGrants",
        json!({"RetiringPrincipal": retiring, "Limit": 3}),
    )?;
    let whole = r.ok()?.clone();
    check_eq(
        "a page of Limit 3 holding all 3 grants",
        &json!({"count": 3, "Truncated": false}),
        &json!({"count": whole["Grants"].as_array().map_or(0, Vec::len), "Truncated": whole["Truncated"]}),
    )?;
    ctx.kms("ListRetirableGrants", json!({}))?
        .expect_error("ValidationException", None)?;
    ctx.kms(
        "ListRetirableGrants",
        json!({"RetiringPrincipal": retiring, "Limit": 0}),
    )?
    .expect_error("ValidationException", None)?;
    ctx.trail_matches_model()
}

//= spec/kms.md#aws-managed-key
//= type=test
//# A direct PutKeyPolicy, EnableKeyRotation, DisableKeyRotation, TagResource, UntagResource, UpdateKeyDescription, GenerateDataKeyWithoutPlaintext, ReEncrypt (as `kms:ReEncryptFrom` on the source key and `kms:ReEncryptTo` on the destination key), UpdateAlias (old or new key) or DeleteAlias on the AWS managed key MUST fail with `AccessDeniedException` and the message `User: <caller arn> is not authorized to perform: kms:<Action> on resource: <key arn> because no resource-based policy allows the kms:<Action> action`, `<Action>` being the operation name (`ReEncryptFrom` or `ReEncryptTo` for ReEncrypt).
fn managed_settings(ctx: &mut Ctx<'_>) -> CaseResult {
    let arn = managed_key_arn(ctx)?;
    let caller = format!("arn:aws:iam::{}:user/{}", ctx.account(), ctx.principal(0)?);
    let r = ctx.kms("GetKeyPolicy", json!({"KeyId": arn}))?;
    let policy: Value =
        serde_json::from_str(r.ok()?["Policy"].as_str().unwrap_or_default()).unwrap_or(Value::Null);
    check_eq(
        "the AWS managed key's policy Id",
        &json!("auto-dynamodb-1"),
        &policy["Id"],
    )?;
    let r = ctx.kms("GetKeyRotationStatus", json!({"KeyId": arn}))?;
    let s = r.ok()?.clone();
    check_eq(
        "the AWS managed key's rotation",
        &json!({"KeyRotationEnabled": true, "RotationPeriodInDays": 365}),
        &json!({"KeyRotationEnabled": s["KeyRotationEnabled"], "RotationPeriodInDays": s["RotationPeriodInDays"]}),
    )?;
    ctx.kms("ListResourceTags", json!({"KeyId": arn}))?.ok()?;
    let own = ctx.create_key()?;
    let alias = ctx.create_alias(&own)?;
    for (op, action, body) in [
        (
            "PutKeyPolicy",
            "PutKeyPolicy",
            json!({"KeyId": arn, "Policy": "{}"}),
        ),
        (
            "EnableKeyRotation",
            "EnableKeyRotation",
            json!({"KeyId": arn}),
        ),
        (
            "DisableKeyRotation",
            "DisableKeyRotation",
            json!({"KeyId": arn}),
        ),
        (
            "TagResource",
            "TagResource",
            json!({"KeyId": arn, "Tags": [tag("a", "b")]}),
        ),
        (
            "UntagResource",
            "UntagResource",
            json!({"KeyId": arn, "TagKeys": ["a"]}),
        ),
        (
            "UpdateKeyDescription",
            "UpdateKeyDescription",
            json!({"KeyId": arn, "Description": "x"}),
        ),
        (
            "GenerateDataKeyWithoutPlaintext",
            "GenerateDataKeyWithoutPlaintext",
            json!({"KeyId": arn, "KeySpec": "AES_256"}),
        ),
        (
            "DeleteAlias",
            "DeleteAlias",
            json!({"AliasName": "alias/aws/dynamodb"}),
        ),
        (
            "UpdateAlias",
            "UpdateAlias",
            json!({"AliasName": "alias/aws/dynamodb", "TargetKeyId": own.id}),
        ),
        (
            "UpdateAlias",
            "UpdateAlias",
            json!({"AliasName": alias, "TargetKeyId": arn}),
        ),
    ] {
        ctx.kms(op, body)?.expect_error(
            "AccessDeniedException",
            Some(&format!("User: {caller} is not authorized to perform: kms:{action} on resource: {arn} because no resource-based policy allows the kms:{action} action")),
        )?;
    }
    let r = ctx.kms("Encrypt", json!({"KeyId": own.id, "Plaintext": "aGVsbG8="}))?;
    let blob = r.ok()?["CiphertextBlob"].clone();
    ctx.pair_member(&r, "CiphertextBlob");
    ctx.kms(
        "ReEncrypt",
        json!({"CiphertextBlob": blob, "DestinationKeyId": arn}),
    )?
    .expect_error(
        "AccessDeniedException",
        Some(&format!("User: {caller} is not authorized to perform: kms:ReEncryptTo on resource: {arn} because no resource-based policy allows the kms:ReEncryptTo action")),
    )?;
    let r = ctx.kms("DescribeKey", json!({"KeyId": "alias/aws/dynamodb"}))?;
    check_eq(
        "alias/aws/dynamodb after the refused requests",
        &json!(arn),
        &r.ok()?["KeyMetadata"]["Arn"],
    )?;
    ctx.trail_matches_model()
}

//= spec/trail.md#response-elements
//= type=test
//# `responseElements` MUST be `{"keyId": <key ARN>}` for a successful CreateAlias, UpdateAlias or DeleteAlias, naming the key the alias pointed at after the call (CreateAlias, UpdateAlias) or before it (DeleteAlias).
//= spec/trail.md#resources
//= type=test
//# The record of a successful UpdateAlias or DeleteAlias MUST list the alias and then the key it pointed at after the call (UpdateAlias) or before it (DeleteAlias), and the record of a successful ReEncrypt the source key and then the destination key, each entry of the form above.
fn alias_records(ctx: &mut Ctx<'_>) -> CaseResult {
    let a = ctx.create_key()?;
    let b = ctx.create_key()?;
    let alias = ctx.create_alias(&a)?;
    let alias_arn = ctx.alias_arn(&alias);
    ctx.kms(
        "UpdateAlias",
        json!({"AliasName": alias, "TargetKeyId": b.id}),
    )?
    .ok()?;
    ctx.kms("DeleteAlias", json!({"AliasName": alias}))?.ok()?;
    let records = ctx.trail()?;
    let of = |name: &str| -> Value {
        records
            .iter()
            .find(|r| r["eventName"] == json!(name))
            .map(|r| {
                json!({"responseElements": r["responseElements"], "readOnly": r["readOnly"],
                       "resources": r["resources"].as_array().map(|rs| rs.iter().map(|x| x["ARN"].clone()).collect::<Vec<_>>())})
            })
            .unwrap_or(Value::Null)
    };
    check_eq(
        "the alias records",
        &json!([
            {"responseElements": {"keyId": a.arn}, "readOnly": false, "resources": [a.arn, alias_arn]},
            {"responseElements": {"keyId": b.arn}, "readOnly": false, "resources": [alias_arn, b.arn]},
            {"responseElements": {"keyId": b.arn}, "readOnly": false, "resources": [alias_arn, b.arn]},
        ]),
        &json!([of("CreateAlias"), of("UpdateAlias"), of("DeleteAlias")]),
    )?;
    ctx.trail_matches_model()
}
