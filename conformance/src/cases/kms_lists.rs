//! What KMS's List operations select and how much (`spec/kms.md`): the `Limit` of every List
//! operation, the `GrantId` and `GranteePrincipal` filters of ListGrants, the `KeyId` filter of
//! ListAliases, and which grant a RetireGrant retires when it names one by token and by id.
//!
//! Every expected text below is quoted from the spec, not taken from the model or the shared
//! wire helpers.

use serde_json::{Value, json};

use super::Case;
use crate::ctx::{CaseResult, Ctx, Failure, check_eq};

/// Cases of this file.
pub const CASES: &[Case] = &[
    Case {
        id: "kms/list-limit",
        title: "Limit 0 and 1001: the Coral bounds of LimitType; 101 and 1000 for the operations documented 1..100",
        needs: &[],
        run: list_limit,
    },
    Case {
        id: "kms/list-grants/filters",
        title: "ListGrants by GrantId, GranteePrincipal (never a service grantee), both, and GranteeServicePrincipal",
        needs: &[],
        run: list_grants_filters,
    },
    Case {
        id: "kms/retire-revoke/token-and-grant-id",
        title: "RetireGrant with a token and KeyId+GrantId: retired only when the token is that grant's",
        needs: &[],
        run: retire_token_and_id,
    },
    Case {
        id: "kms/aliases/by-key",
        title: "ListAliases KeyId lists that key's aliases only; an unknown key is NotFoundException",
        needs: &[],
        run: aliases_by_key,
    },
    Case {
        id: "kms/list-truncated/full-last-page",
        title: "a last page holding exactly Limit entries is not truncated: ListKeys, ListAliases, ListGrants, ListResourceTags",
        needs: &[],
        run: full_last_page,
    },
];

/// The spec's text for a `Limit` of `value` breaking `bound`.
fn limit_text(value: i64, bound: &str) -> String {
    format!(
        "1 validation error detected: Value '{value}' at 'limit' failed to satisfy constraint: Member must have value {bound}"
    )
}

//= spec/kms.md#list-limit
//= type=test
//# A `Limit` below 1 MUST fail with `ValidationException` and the message `1 validation error detected: Value '<n>' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`, and a `Limit` above 1000 with `ValidationException` and the message `1 validation error detected: Value '<n>' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000`.
//= spec/kms.md#list-limit
//= type=test
//# A `Limit` from 101 to 1000 given to ListAliases, ListGrants or ListRetirableGrants MUST fail with `ValidationException` and the message `1 validation error detected: Value '<n>' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100`.
fn list_limit(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    let retiring = format!("arn:aws:iam::{}:root", ctx.account());
    let ops = [
        ("ListGrants", json!({"KeyId": key.id}), true),
        ("ListAliases", json!({}), true),
        (
            "ListRetirableGrants",
            json!({"RetiringPrincipal": retiring}),
            true,
        ),
        ("ListKeys", json!({}), false),
    ];
    for (op, body, documented_100) in ops {
        let mut refused = vec![
            (0, limit_text(0, "greater than or equal to 1")),
            (1001, limit_text(1001, "less than or equal to 1000")),
        ];
        if documented_100 {
            refused.push((101, limit_text(101, "less than or equal to 100")));
            refused.push((1000, limit_text(1000, "less than or equal to 100")));
        }
        for (limit, text) in refused {
            let mut b = body.clone();
            b["Limit"] = json!(limit);
            ctx.kms(op, b)?
                .expect_error("ValidationException", Some(&text))?;
        }
        let mut b = body.clone();
        b["Limit"] = json!(1);
        ctx.kms(op, b)?.ok()?;
    }
    Ok(())
}

/// The `GrantId`s a ListGrants of `key` with the members of `filter` answers.
fn listed(ctx: &mut Ctx<'_>, key: &str, filter: Value) -> Result<Value, Failure> {
    let mut body = json!({"KeyId": key});
    for (k, v) in filter.as_object().into_iter().flatten() {
        body[k] = v.clone();
    }
    let r = ctx.kms("ListGrants", body)?;
    let ids: Vec<Value> = r.ok()?["Grants"]
        .as_array()
        .map(|g| g.iter().map(|e| e["GrantId"].clone()).collect())
        .unwrap_or_default();
    Ok(Value::Array(ids))
}

//= spec/kms.md#list-grants
//= type=test
//# A `GrantId` filter MUST limit the listing to the key's grant with that id (no entry when the key has none), a `GranteePrincipal` filter to the key's grants created with that `GranteePrincipal`, and the two given together to the grants that pass both.
//= spec/kms.md#list-grants
//= type=test
//# A `GrantId` filter that is not 64 hex digits MUST fail with `InvalidGrantIdException`.
//= spec/kms.md#list-grants
//= type=test
//# A `GranteeServicePrincipal` filter MUST limit the listing to the key's grants created with that `GranteeServicePrincipal`, and a ListGrants with both `GranteePrincipal` and `GranteeServicePrincipal` MUST fail with `ValidationException` and the message `You can specify either GranteePrincipal or GranteeServicePrincipal, but not both.`.
fn list_grants_filters(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    let other = ctx.create_key()?;
    let a = format!("arn:aws:iam::{}:root", ctx.account());
    let b = format!("dynamodb.{}.amazonaws.com", ctx.region());
    let grant = |ctx: &mut Ctx<'_>, key: &str, member: &str, principal: &str| {
        let r = ctx.kms(
            "CreateGrant",
            json!({"KeyId": key, member: principal, "Operations": ["Decrypt"]}),
        )?;
        Ok::<Value, Failure>(r.ok()?["GrantId"].clone())
    };
    let g1 = grant(ctx, &key.id, "GranteePrincipal", &a)?;
    let g2 = grant(ctx, &key.id, "GranteePrincipal", &b)?;
    let g3 = grant(ctx, &key.id, "GranteePrincipal", &a)?;
    let g4 = grant(ctx, &key.id, "GranteeServicePrincipal", &b)?;
    let elsewhere = grant(ctx, &other.id, "GranteePrincipal", &a)?;
    let observed = json!({
        "GrantId g2": listed(ctx, &key.id, json!({"GrantId": g2}))?,
        "GrantId of another key's grant": listed(ctx, &key.id, json!({"GrantId": elsewhere}))?,
        "GranteePrincipal a": listed(ctx, &key.id, json!({"GranteePrincipal": a}))?,
        "GranteePrincipal b (not the service grantee)": listed(ctx, &key.id, json!({"GranteePrincipal": b}))?,
        "GrantId g1 and GranteePrincipal a": listed(ctx, &key.id, json!({"GrantId": g1, "GranteePrincipal": a}))?,
        "GrantId g1 and GranteePrincipal b": listed(ctx, &key.id, json!({"GrantId": g1, "GranteePrincipal": b}))?,
        "GranteeServicePrincipal b": listed(ctx, &key.id, json!({"GranteeServicePrincipal": b}))?,
    });
    check_eq(
        "ListGrants by filter",
        &json!({
            "GrantId g2": [g2],
            "GrantId of another key's grant": [],
            "GranteePrincipal a": [g1, g3],
            "GranteePrincipal b (not the service grantee)": [g2],
            "GrantId g1 and GranteePrincipal a": [g1],
            "GrantId g1 and GranteePrincipal b": [],
            "GranteeServicePrincipal b": [g4],
        }),
        &observed,
    )?;
    ctx.kms(
        "ListGrants",
        json!({"KeyId": key.id, "GranteePrincipal": b, "GranteeServicePrincipal": b}),
    )?
    .expect_error(
        "ValidationException",
        Some("You can specify either GranteePrincipal or GranteeServicePrincipal, but not both."),
    )?;
    ctx.kms("ListGrants", json!({"KeyId": key.id, "GrantId": "abc"}))?
        .expect_error("InvalidGrantIdException", None)
}

//= spec/kms.md#retire-revoke
//= type=test
//# A RetireGrant carrying a `GrantToken` together with `KeyId` and `GrantId` MUST retire that grant only when the token is that grant's token, and otherwise MUST fail with `InvalidGrantTokenException` and the message `Grant token is not valid` and retire nothing.
fn retire_token_and_id(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    let grantee = format!("arn:aws:iam::{}:root", ctx.account());
    let mut created = Vec::new();
    for _ in 0..2 {
        let r = ctx.kms(
            "CreateGrant",
            json!({"KeyId": key.id, "GranteePrincipal": grantee, "Operations": ["Decrypt"]}),
        )?;
        created.push(r.ok()?.clone());
    }
    let (first, second) = (&created[0], &created[1]);
    ctx.kms(
        "RetireGrant",
        json!({"GrantToken": first["GrantToken"], "KeyId": key.arn, "GrantId": second["GrantId"]}),
    )?
    .expect_error(
        "InvalidGrantTokenException",
        Some("Grant token is not valid"),
    )?;
    check_eq(
        "grants after the refused RetireGrant",
        &json!([first["GrantId"], second["GrantId"]]),
        &listed(ctx, &key.id, json!({}))?,
    )?;
    ctx.kms(
        "RetireGrant",
        json!({"GrantToken": second["GrantToken"], "KeyId": key.arn, "GrantId": second["GrantId"]}),
    )?
    .ok()?;
    check_eq(
        "grants after RetireGrant with the grant's own token",
        &json!([first["GrantId"]]),
        &listed(ctx, &key.id, json!({}))?,
    )
}

/// The alias names a ListAliases with `KeyId` `key` answers.
fn aliases_of(ctx: &mut Ctx<'_>, key: &str) -> Result<Value, Failure> {
    let r = ctx.kms("ListAliases", json!({"KeyId": key, "Limit": 100}))?;
    let mut names: Vec<String> = r.ok()?["Aliases"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter_map(|e| e["AliasName"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    Ok(json!(names))
}

//= spec/kms.md#aliases
//= type=test
//# A ListAliases with a `KeyId` MUST list only the aliases whose `TargetKeyId` is that key, and a `KeyId` that names no key MUST fail with `NotFoundException` and the message of section 1.2.
fn aliases_by_key(ctx: &mut Ctx<'_>) -> CaseResult {
    let a = ctx.create_key()?;
    let b = ctx.create_key()?;
    let bare = ctx.create_key()?;
    let mut of_a = vec![ctx.create_alias(&a)?, ctx.create_alias(&a)?];
    of_a.sort();
    let of_b = ctx.create_alias(&b)?;
    check_eq(
        "ListAliases by KeyId (key id, key ARN, a key without aliases)",
        &json!({"a": of_a, "b": [of_b], "bare": []}),
        &json!({"a": aliases_of(ctx, &a.id)?, "b": aliases_of(ctx, &b.arn)?, "bare": aliases_of(ctx, &bare.id)?}),
    )?;
    let unknown = "00000000-0000-4000-8000-000000000000";
    let arn = format!(
        "arn:aws:kms:{}:{}:key/{unknown}",
        ctx.region(),
        ctx.account()
    );
    ctx.kms("ListAliases", json!({"KeyId": unknown}))?
        .expect_error(
            "NotFoundException",
            Some(&format!("Key '{arn}' does not exist")),
        )
}

/// Asks for the last page of `op` again with `Limit` equal to its length, so that it is full and
/// nothing follows it. `body` holds the operation's other members; `max` is its largest `Limit`.
fn last_page_full(ctx: &mut Ctx<'_>, op: &str, body: &Value, list: &str, max: usize) -> CaseResult {
    // Walk to the last page with the largest Limit, keeping the marker that leads to it.
    let mut marker = None::<Value>;
    let mut len = 0;
    for _ in 0..1000 {
        let mut b = body.clone();
        b["Limit"] = json!(max);
        if let Some(m) = &marker {
            b["Marker"] = m.clone();
        }
        let page = ctx.kms(op, b)?.ok()?.clone();
        len = page[list].as_array().map_or(0, Vec::len);
        if page["Truncated"] != json!(true) {
            break;
        }
        marker = Some(page["NextMarker"].clone());
    }
    if len == 0 {
        return Err(crate::ctx::mismatch(
            format!("{op} lists at least one entry"),
            "an empty last page",
        ));
    }
    let mut b = body.clone();
    b["Limit"] = json!(len);
    if let Some(m) = &marker {
        b["Marker"] = m.clone();
    }
    let page = ctx.kms(op, b)?.ok()?.clone();
    check_eq(
        &format!("{op}'s last page asked with Limit {len}, its length"),
        &json!({"entries": len, "Truncated": false, "NextMarker": null}),
        &json!({"entries": page[list].as_array().map_or(0, Vec::len), "Truncated": page["Truncated"],
                "NextMarker": page.get("NextMarker").cloned().unwrap_or(Value::Null)}),
    )
}

//= spec/kms.md#list-truncated
//= type=test
//# A page of ListKeys, ListAliases, ListGrants or ListResourceTags MUST carry `Truncated` false and no `NextMarker` when no entries remain after it, even when it holds `Limit` entries.
fn full_last_page(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    ctx.create_alias(&key)?;
    let grantee = format!("arn:aws:iam::{}:user/someone", ctx.account());
    for name in ["a", "b", "c"] {
        ctx.kms(
            "CreateGrant",
            json!({"KeyId": key.id, "GranteePrincipal": grantee, "Operations": ["Decrypt"], "Name": name}),
        )?
        .ok()?;
    }
    ctx.kms(
        "TagResource",
        json!({"KeyId": key.id, "Tags": [{"TagKey": "a", "TagValue": "1"}, {"TagKey": "b", "TagValue": "2"},
                                         {"TagKey": "c", "TagValue": "3"}]}),
    )?
    .ok()?;
    last_page_full(ctx, "ListKeys", &json!({}), "Keys", 1000)?;
    last_page_full(ctx, "ListAliases", &json!({}), "Aliases", 100)?;
    last_page_full(ctx, "ListGrants", &json!({"KeyId": key.id}), "Grants", 100)?;
    last_page_full(
        ctx,
        "ListResourceTags",
        &json!({"KeyId": key.id}),
        "Tags",
        1000,
    )
}
