//! The grant DynamoDB creates, checked through ListGrants (`spec/kms.md#dynamodb-grant`), its
//! retirement on DeleteTable (`spec/tables.md#delete`) and what revoking it does
//! (`spec/kms.md#grant-table-access`).

use ddbsse_wire::time::SECOND;
use serde_json::{Value, json};

use super::util::{expect_status, grants, kms_pages, table_grants};
use super::{Case, Need};
use crate::ctx::{CaseResult, Ctx, check, check_eq};
use crate::normalize::short;

/// Cases of this file.
pub const CASES: &[Case] = &[
    Case {
        id: "kms/dynamodb-grant/shape",
        title: "one grant per table: grantee and retiring principal, 7 operations, context constraint",
        needs: &[],
        run: shape,
    },
    Case {
        id: "kms/dynamodb-grant/one-per-table",
        title: "two tables under one key: two grants, each constrained to its table",
        needs: &[],
        run: one_per_table,
    },
    Case {
        id: "kms/list-grants",
        title: "ListGrants shows CreateGrant's values with GrantId, CreationDate and IssuingAccount",
        needs: &[],
        run: list_grants,
    },
    Case {
        id: "tables/delete/retires-grant",
        title: "DeleteTable retires the table's grant",
        needs: &[],
        run: delete_retires,
    },
    Case {
        id: "kms/grant-table-access/revoke-then-recreate",
        title: "revoking the grant makes the table inaccessible after 900 s; a re-created grant heals it",
        needs: &[Need::ManualClock],
        run: revoke_recreate,
    },
    Case {
        id: "kms/grant-table-access/which-grants",
        title: "only a Decrypt grant to DynamoDB on the key, constrained to the table's context, keeps it usable",
        needs: &[Need::ManualClock],
        run: which_grants,
    },
    Case {
        id: "kms/retire-revoke/grant-id",
        title: "RetireGrant and RevokeGrant: a malformed GrantId and an unknown one",
        needs: &[],
        run: grant_ids,
    },
    Case {
        id: "kms/retire-revoke/deletes",
        title: "RetireGrant by token, RetireGrant by id and RevokeGrant each delete exactly their grant",
        needs: &[],
        run: retire_revoke_deletes,
    },
    Case {
        id: "kms/list-grants/paging",
        title: "ListGrants pages at 50 by default and at Limit, in creation order; NextMarker continues",
        needs: &[],
        run: list_grants_paging,
    },
];

const OPERATIONS: [&str; 7] = [
    "DescribeKey",
    "GenerateDataKey",
    "Decrypt",
    "Encrypt",
    "ReEncryptFrom",
    "ReEncryptTo",
    "RetireGrant",
];

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

//= spec/kms.md#dynamodb-grant
//= type=test
//# For each KMS table, a target MUST hold exactly one grant on the table's key with `GranteePrincipal` and `RetiringPrincipal` `dynamodb.<region>.amazonaws.com`, `Operations` `["DescribeKey", "GenerateDataKey", "Decrypt", "Encrypt", "ReEncryptFrom", "ReEncryptTo", "RetireGrant"]`, `Constraints` `{"EncryptionContextSubset": <the table's encryption context>}` and a UUID `Name`.
fn shape(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    let table = ctx.created_table(
        "granted",
        Some(json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key.id})),
    )?;
    let all = grants(ctx, &key.id)?;
    check(
        all.len() == 1,
        "exactly one grant on the key",
        format!(
            "{} grant(s): {}",
            all.len(),
            short(&Value::Array(all.clone()))
        ),
    )?;
    let g = &all[0];
    let principal = format!("dynamodb.{}.amazonaws.com", ctx.region());
    check_eq(
        "grant",
        &json!({"GranteePrincipal": principal, "RetiringPrincipal": principal, "Operations": OPERATIONS,
                "Constraints": {"EncryptionContextSubset": {"aws:dynamodb:tableName": table, "aws:dynamodb:subscriberId": ctx.account()}}}),
        &json!({"GranteePrincipal": g["GranteePrincipal"], "RetiringPrincipal": g["RetiringPrincipal"], "Operations": g["Operations"], "Constraints": g["Constraints"]}),
    )?;
    check(
        is_uuid(g["Name"].as_str().unwrap_or_default()),
        "a UUID Name",
        format!("Name {}", g["Name"]),
    )
}

fn one_per_table(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    let sse = json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key.arn});
    let a = ctx.created_table("a", Some(sse.clone()))?;
    let b = ctx.created_table("b", Some(sse))?;
    let ga = table_grants(ctx, &key.id, &a)?;
    let gb = table_grants(ctx, &key.id, &b)?;
    let all = grants(ctx, &key.id)?;
    check(
        ga.len() == 1 && gb.len() == 1 && all.len() == 2,
        "two grants on the key, one constrained to each table",
        format!(
            "{} grant(s) in all, {} for {a}, {} for {b}",
            all.len(),
            ga.len(),
            gb.len()
        ),
    )
}

//= spec/kms.md#list-grants
//= type=test
//# ListGrants MUST return the key's grants in creation order, with the values CreateGrant received, as `GrantListEntry` objects with `KeyId` (the key ARN), `GrantId`, `Name`, `CreationDate`, `GranteePrincipal` or `GranteeServicePrincipal` (whichever CreateGrant received), `RetiringPrincipal` (when set), `IssuingAccount`, `Operations` and `Constraints` (when set).
fn list_grants(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    let created = ctx.kms(
        "CreateGrant",
        json!({"KeyId": key.id, "GranteePrincipal": "arn:aws:iam::123456789012:user/someone", "Operations": ["Decrypt"], "Name": "by-hand"}),
    )?;
    let grant_id = created.ok()?["GrantId"].clone();
    let id = grant_id.as_str().unwrap_or_default();
    check(
        id.len() == 64
            && id
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "CreateGrant returns a GrantId of 64 lowercase hex digits",
        format!("GrantId {grant_id}"),
    )?;
    let all = grants(ctx, &key.id)?;
    let g = all.first().cloned().unwrap_or(Value::Null);
    check_eq(
        "ListGrants entry",
        &json!({"KeyId": key.arn, "GrantId": grant_id, "Name": "by-hand", "GranteePrincipal": "arn:aws:iam::123456789012:user/someone",
                "IssuingAccount": format!("arn:aws:iam::{}:root", ctx.account()), "Operations": ["Decrypt"], "has CreationDate": true}),
        &json!({"KeyId": g["KeyId"], "GrantId": g["GrantId"], "Name": g["Name"], "GranteePrincipal": g["GranteePrincipal"],
                "IssuingAccount": g["IssuingAccount"], "Operations": g["Operations"], "has CreationDate": g["CreationDate"].is_number()}),
    )
}

//= spec/tables.md#delete
//= type=test
//# DeleteTable on a KMS table whose grant still exists MUST retire that grant, whatever the key state.
fn delete_retires(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    let table = ctx.created_table(
        "granted",
        Some(json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key.id})),
    )?;
    let before = table_grants(ctx, &key.id, &table)?.len();
    check(
        before == 1,
        "one grant before DeleteTable",
        format!("{before}"),
    )?;
    ctx.kms("DisableKey", json!({"KeyId": key.id}))?.ok()?;
    ctx.ddb("DeleteTable", json!({"TableName": table}))?.ok()?;
    let after = table_grants(ctx, &key.id, &table)?.len();
    check(
        after == 0,
        "no grant for the table after DeleteTable (key disabled)",
        format!("{after} grant(s)"),
    )?;
    let retired = ctx
        .trail()?
        .iter()
        .filter(|r| r["eventName"] == "RetireGrant")
        .count();
    check(
        retired == 1,
        "one RetireGrant record",
        format!("{retired} RetireGrant record(s)"),
    )
}

//= spec/kms.md#grant-table-access
//= type=test
//# A target MUST treat a table's key as usable by DynamoDB only while some grant on it has grantee `dynamodb.<region>.amazonaws.com`, includes `Decrypt`, and has an `EncryptionContextSubset` contained in the table's encryption context (or an `EncryptionContextEquals` equal to it, or no constraint).
fn revoke_recreate(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    let table = ctx.created_table(
        "granted",
        Some(json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key.id})),
    )?;
    let g = table_grants(ctx, &key.id, &table)?;
    let id = g
        .first()
        .and_then(|g| g["GrantId"].as_str())
        .unwrap_or_default()
        .to_owned();
    ctx.kms("RevokeGrant", json!({"KeyId": key.id, "GrantId": id}))?
        .ok()?;
    ctx.advance(900 * SECOND)?;
    expect_status(
        ctx,
        &table,
        "INACCESSIBLE_ENCRYPTION_CREDENTIALS",
        "900 s after RevokeGrant",
    )?;
    let principal = format!("dynamodb.{}.amazonaws.com", ctx.region());
    ctx.kms(
        "CreateGrant",
        json!({"KeyId": key.id, "GranteePrincipal": principal, "Operations": ["Decrypt"],
               "Constraints": {"EncryptionContextSubset": {"aws:dynamodb:tableName": table}}}),
    )?
    .ok()?;
    expect_status(ctx, &table, "ACTIVE", "after a Decrypt grant is re-created")
}

/// The grants that do not let DynamoDB use the key, each of them alone (after DynamoDB's own grant
/// is revoked): the table must still become inaccessible. Then one that does, by
/// `EncryptionContextEquals`, heals it.
//= spec/kms.md#grant-table-access
//= type=test
//# A target MUST treat a table's key as usable by DynamoDB only while some grant on it has grantee `dynamodb.<region>.amazonaws.com`, includes `Decrypt`, and has an `EncryptionContextSubset` contained in the table's encryption context (or an `EncryptionContextEquals` equal to it, or no constraint).
fn which_grants(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    let other_key = ctx.create_key()?;
    let table = ctx.created_table(
        "granted",
        Some(json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key.id})),
    )?;
    let own = table_grants(ctx, &key.id, &table)?;
    let id = own
        .first()
        .and_then(|g| g["GrantId"].as_str())
        .unwrap_or_default()
        .to_owned();
    ctx.kms("RevokeGrant", json!({"KeyId": key.id, "GrantId": id}))?
        .ok()?;
    let dynamodb = format!("dynamodb.{}.amazonaws.com", ctx.region());
    let context =
        json!({"aws:dynamodb:tableName": table, "aws:dynamodb:subscriberId": ctx.account()});
    let other_context = json!({"aws:dynamodb:tableName": format!("{table}-other"), "aws:dynamodb:subscriberId": ctx.account()});
    let not_enough = [
        (
            "a Decrypt grant on the key to another principal, unconstrained",
            json!({"KeyId": key.id, "GranteePrincipal": format!("arn:aws:iam::{}:user/someone", ctx.account()),
                   "Operations": ["Decrypt"]}),
        ),
        (
            "a grant on the key to DynamoDB, constrained to the table, without Decrypt",
            json!({"KeyId": key.id, "GranteePrincipal": dynamodb, "Operations": ["Encrypt", "GenerateDataKey"],
                   "Constraints": {"EncryptionContextSubset": context}}),
        ),
        (
            "a Decrypt grant on the key to DynamoDB, constrained to another table's context",
            json!({"KeyId": key.id, "GranteePrincipal": dynamodb, "Operations": ["Decrypt"],
                   "Constraints": {"EncryptionContextSubset": other_context}}),
        ),
        (
            "a Decrypt grant on the key to DynamoDB whose EncryptionContextEquals is part of the context only",
            json!({"KeyId": key.id, "GranteePrincipal": dynamodb, "Operations": ["Decrypt"],
                   "Constraints": {"EncryptionContextEquals": {"aws:dynamodb:tableName": table}}}),
        ),
        (
            "a Decrypt grant to DynamoDB, constrained to the table, on another key",
            json!({"KeyId": other_key.id, "GranteePrincipal": dynamodb, "Operations": ["Decrypt"],
                   "Constraints": {"EncryptionContextSubset": context}}),
        ),
    ];
    let mut made = Vec::new();
    for (what, body) in &not_enough {
        ctx.kms("CreateGrant", body.clone())?.ok()?;
        made.push(*what);
    }
    ctx.advance(900 * SECOND)?;
    expect_status(
        ctx,
        &table,
        "INACCESSIBLE_ENCRYPTION_CREDENTIALS",
        &format!(
            "900 s after its grant was revoked, with only these: {}",
            made.join("; ")
        ),
    )?;
    ctx.kms(
        "CreateGrant",
        json!({"KeyId": key.id, "GranteePrincipal": dynamodb, "Operations": ["Decrypt"],
               "Constraints": {"EncryptionContextEquals": context}}),
    )?
    .ok()?;
    expect_status(
        ctx,
        &table,
        "ACTIVE",
        "after a Decrypt grant to DynamoDB whose EncryptionContextEquals is the table's context",
    )
}

/// A grant id that is not 64 hex digits, of either length or alphabet, and a well-formed one that
/// names no grant.
//= spec/kms.md#retire-revoke
//= type=test
//# A `GrantId` that is not 64 hex digits MUST fail with `InvalidGrantIdException`, and a well-formed `GrantId` that names no grant of the key MUST fail with `NotFoundException`.
fn grant_ids(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    let short_hex = "0123456789abcdef";
    let long_not_hex = "g".repeat(64);
    let unknown = "0".repeat(64);
    for op in ["RevokeGrant", "RetireGrant"] {
        for bad in [short_hex, long_not_hex.as_str()] {
            ctx.kms(op, json!({"KeyId": key.arn, "GrantId": bad}))?
                .expect_error("InvalidGrantIdException", None)?;
        }
        ctx.kms(op, json!({"KeyId": key.arn, "GrantId": unknown}))?
            .expect_error("NotFoundException", None)?;
    }
    retire_names_no_grant(ctx, &key.arn)
}

/// RetireGrant with neither a token nor both `KeyId` and `GrantId`.
//= spec/kms.md#retire-revoke
//= type=test
//# A RetireGrant without `GrantToken` that lacks `KeyId` or `GrantId` MUST fail with `ValidationException` and the message `Either GrantToken, or both KeyId and GrantId must be specified`, before any key is looked up.
fn retire_names_no_grant(ctx: &mut Ctx<'_>, key: &str) -> CaseResult {
    let message = "Either GrantToken, or both KeyId and GrantId must be specified";
    for body in [
        json!({}),
        json!({"KeyId": key}),
        json!({"GrantId": "0".repeat(64)}),
    ] {
        ctx.kms("RetireGrant", body)?
            .expect_error("ValidationException", Some(message))?;
    }
    Ok(())
}

/// Four grants on one key: three retired by their tokens (in an order unlike their creation
/// order, so that a target that mixed tokens up would retire the wrong ones), then the last by
/// KeyId and GrantId with RetireGrant and RevokeGrant; after each removal ListGrants shows
/// exactly the others.
//= spec/kms.md#retire-revoke
//= type=test
//# RetireGrant (by `GrantToken`, or by `KeyId` and `GrantId`) and RevokeGrant (by `KeyId` and `GrantId`) MUST delete the grant, so that ListGrants no longer shows it.
fn retire_revoke_deletes(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    let grantee = format!("arn:aws:iam::{}:user/someone", ctx.account());
    let mut made: Vec<(String, String)> = Vec::new();
    for name in ["g0", "g1", "g2", "g3", "g4"] {
        let r = ctx.kms(
            "CreateGrant",
            json!({"KeyId": key.id, "GranteePrincipal": grantee, "RetiringPrincipal": grantee,
                   "Operations": ["Decrypt"], "Name": name}),
        )?;
        let body = r.ok()?;
        made.push((
            body["GrantId"].as_str().unwrap_or_default().to_owned(),
            body["GrantToken"].as_str().unwrap_or_default().to_owned(),
        ));
    }
    let mut left: Vec<usize> = (0..made.len()).collect();
    let steps: [(usize, &str); 5] = [
        (2, "RetireGrant by GrantToken"),
        (0, "RetireGrant by GrantToken"),
        (4, "RetireGrant by GrantToken"),
        (1, "RetireGrant by KeyId and GrantId"),
        (3, "RevokeGrant"),
    ];
    for (i, how) in steps {
        let (id, token) = &made[i];
        let (op, body) = match how {
            "RetireGrant by GrantToken" => ("RetireGrant", json!({"GrantToken": token})),
            "RetireGrant by KeyId and GrantId" => {
                ("RetireGrant", json!({"KeyId": key.arn, "GrantId": id}))
            }
            _ => ("RevokeGrant", json!({"KeyId": key.id, "GrantId": id})),
        };
        ctx.kms(op, body)?.ok()?;
        left.retain(|&j| j != i);
        let expected: Vec<&String> = left.iter().map(|&j| &made[j].0).collect();
        let listed: Vec<String> = grants(ctx, &key.id)?
            .iter()
            .map(|g| g["GrantId"].as_str().unwrap_or_default().to_owned())
            .collect();
        check_eq(
            &format!("the grants (in creation order) after {how} of grant g{i}"),
            &json!(expected),
            &json!(listed),
        )?;
    }
    Ok(())
}

/// 51 grants: two pages by default (50 + 1), eight of 7; both in creation order.
//= spec/kms.md#list-grants
//= type=test
//# ListGrants MUST return at most `Limit` entries (1 to 100, default 50) and, when more remain, `Truncated` true and a `NextMarker` that, passed as `Marker`, continues the listing.
fn list_grants_paging(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    let grantee = format!("arn:aws:iam::{}:user/someone", ctx.account());
    let mut made = Vec::new();
    for i in 0..51 {
        let r = ctx.kms(
            "CreateGrant",
            json!({"KeyId": key.id, "GranteePrincipal": grantee, "Operations": ["Decrypt"],
                   "Name": format!("grant-{i}")}),
        )?;
        made.push(r.ok()?["GrantId"].as_str().unwrap_or_default().to_owned());
    }
    let (by_default, n) = kms_pages(
        ctx,
        "ListGrants",
        &json!({"KeyId": key.id}),
        "Grants",
        "GrantId",
        None,
        50,
    )?;
    check_eq(
        "pages of ListGrants without Limit (51 grants)",
        &json!({"pages": 2, "grants in creation order": made}),
        &json!({"pages": n, "grants in creation order": by_default}),
    )?;
    let (by_seven, n) = kms_pages(
        ctx,
        "ListGrants",
        &json!({"KeyId": key.id}),
        "Grants",
        "GrantId",
        Some(7),
        7,
    )?;
    check_eq(
        "pages of ListGrants with Limit 7 (51 grants)",
        &json!({"pages": 8, "grants in creation order": made}),
        &json!({"pages": n, "grants in creation order": by_seven}),
    )
}
