//! UpdateItem, conditions, filters and projections (`spec/items.md`, `spec/expressions.md`):
//! what they compute, answered as the model answers, and how they meet the table key (the cache,
//! a disabled key, encryption at rest).

use ddbsse_wire::time::SECOND;
use serde_json::{Value, json};

use super::{Case, Need};
use crate::ctx::{CaseResult, Ctx, Failure, Key, check, check_eq};

/// Cases of this file.
pub const CASES: &[Case] = &[
    Case {
        id: "items/sse/update-item-uses-the-cache",
        title: "UpdateItem after PutItem on one connection calls no Decrypt; on a second connection one",
        needs: &[],
        run: update_uses_cache,
    },
    Case {
        id: "items/sse/update-item-disabled-key",
        title: "UpdateItem 300 s after the fetch under a disabled key fails as PutItem does, and changes nothing",
        needs: &[Need::Clock],
        run: update_disabled_key,
    },
    Case {
        id: "items/update-item/actions",
        title: "SET with + and list_append and if_not_exists, REMOVE, ADD and DELETE, and every ReturnValues",
        needs: &[],
        run: update_actions,
    },
    Case {
        id: "items/update-key/refused",
        title: "an update of a key attribute is refused before any Decrypt",
        needs: &[],
        run: update_key_refused,
    },
    Case {
        id: "items/update-at-rest/sealed",
        title: "an updated item is stored sealed: no plaintext of it at rest",
        needs: &[Need::AtRest],
        run: update_at_rest,
    },
    Case {
        id: "items/condition/failure-semantics",
        title: "a false condition fails with ConditionalCheckFailedException, changes nothing, and still fetched the table key",
        needs: &[],
        run: condition_semantics,
    },
    Case {
        id: "items/condition-failure-item/all-old",
        title: "ReturnValuesOnConditionCheckFailure ALL_OLD returns the item in the error",
        needs: &[],
        run: condition_item,
    },
    Case {
        id: "items/filter/query-and-scan",
        title: "FilterExpression and ProjectionExpression on Query and Scan; Count and ScannedCount",
        needs: &[],
        run: filters,
    },
    Case {
        id: "items/scan-segments/partition",
        title: "a parallel Scan's segments are disjoint, cover the table, and hold what the model's hold",
        needs: &[],
        run: scan_segments,
    },
    Case {
        id: "items/paging/one-megabyte",
        title: "a Scan page ends with the item that crosses 1 MB and carries LastEvaluatedKey",
        needs: &[],
        run: one_megabyte_pages,
    },
    Case {
        id: "items/transact-write/all-or-nothing",
        title: "TransactWriteItems over two tables under two keys: all writes or none, one Decrypt per table",
        needs: &[],
        run: transact_write,
    },
    Case {
        id: "items/transact-write/disabled-key",
        title: "TransactWriteItems fails whole when one of its tables' keys is disabled",
        needs: &[Need::Clock],
        run: transact_disabled,
    },
    Case {
        id: "items/transact-get/responses",
        title: "TransactGetItems over two tables: one response per read in order, projected, one Decrypt per table",
        needs: &[],
        run: transact_get,
    },
    Case {
        id: "expressions/names-values/errors",
        title: "unused, undefined and reserved names and values are refused with DynamoDB's texts",
        needs: &[],
        run: name_value_errors,
    },
];

fn kms_table(ctx: &mut Ctx<'_>, hint: &str) -> Result<(Key, String), Failure> {
    let key = ctx.create_key()?;
    let table = ctx.created_table(
        hint,
        Some(json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key.id})),
    )?;
    Ok((key, table))
}

/// UpdateItem as the default principal on the default connection, compared with the model.
fn update(ctx: &mut Ctx<'_>, body: Value) -> Result<crate::ctx::Reply, Failure> {
    let r = ctx.ddb("UpdateItem", body)?;
    r.same_as_model()?;
    Ok(r)
}

fn item_of(ctx: &mut Ctx<'_>, table: &str, pk: &str) -> Result<Value, Failure> {
    let r = ctx.get(table, pk)?;
    r.same_as_model()?;
    Ok(r.ok()?.get("Item").cloned().unwrap_or(Value::Null))
}

//= spec/items.md#sse
//= type=test
//# Every data-plane operation of this file MUST obtain the table key through the table-key cache exactly as PutItem and GetItem do (`spec/cache.md`): one Decrypt on the first request per principal, connection and table, a refresh at 300 s, and the errors of `spec/tables.md#data-plane-errors` when the key is unusable; it MUST NOT read or write any item when the key cannot be obtained.
fn update_uses_cache(ctx: &mut Ctx<'_>) -> CaseResult {
    let (_, table) = kms_table(ctx, "upd-cache")?;
    ctx.put(&table, "a", "1")?.ok()?;
    ctx.expect_decrypts(&table, 1, "after the first PutItem")?;
    update(
        ctx,
        json!({"TableName": table, "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET n = :one",
               "ExpressionAttributeValues": {":one": {"N": "1"}}}),
    )?
    .ok()?;
    ctx.expect_decrypts(&table, 1, "after an UpdateItem on the same connection")?;
    let second = ctx.open_connection()?;
    let r = ctx.call_as(
        0,
        second,
        "DynamoDB_20120810.UpdateItem",
        json!({"TableName": table, "Key": {"pk": {"S": "a"}}, "UpdateExpression": "ADD n :one",
               "ExpressionAttributeValues": {":one": {"N": "1"}}, "ReturnValues": "UPDATED_NEW"}),
    )?;
    r.same_as_model()?;
    check_eq(
        "UPDATED_NEW of ADD n 1 after SET n = 1",
        &json!({"n": {"N": "2"}}),
        &r.ok()?["Attributes"],
    )?;
    ctx.expect_decrypts(&table, 2, "after an UpdateItem on a second connection")
}

fn update_disabled_key(ctx: &mut Ctx<'_>) -> CaseResult {
    let (key, table) = kms_table(ctx, "upd-disabled")?;
    ctx.put(&table, "a", "1")?.ok()?;
    ctx.kms("DisableKey", json!({"KeyId": key.id}))?.ok()?;
    ctx.advance(300 * SECOND)?;
    let u = update(
        ctx,
        json!({"TableName": table, "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET v = :v",
               "ExpressionAttributeValues": {":v": {"S": "2"}}}),
    )?;
    let p = ctx.put(&table, "a", "3")?;
    p.same_as_model()?;
    u.expect_error("ValidationException", p.message())?;
    check(
        u.message()
            .is_some_and(|m| m.starts_with("KMS key disabled error:")),
        "UpdateItem fails with the disabled-key error",
        format!("{:?}", u.message()),
    )?;
    ctx.kms("EnableKey", json!({"KeyId": key.id}))?.ok()?;
    check_eq(
        "the item after the refused UpdateItem and PutItem",
        &json!({"pk": {"S": "a"}, "v": {"S": "1"}}),
        &item_of(ctx, &table, "a")?,
    )
}

//= spec/items.md#update-item
//= type=test
//# UpdateItem MUST apply its update expression to the item with the given key, or, when there is none, to an item of just the key attributes, and store the result; without an update expression it MUST store that item unchanged (creating it with the key alone when absent).
//= spec/items.md#return-values
//= type=test
//# UpdateItem MUST return as `Attributes`: nothing for `NONE`; the whole item before the update for `ALL_OLD` (nothing when there was none); the whole item after it for `ALL_NEW`; and, for `UPDATED_OLD` and `UPDATED_NEW`, the parts of the item before or after the update that the update's paths name; `Attributes` MUST be absent when it would be empty.
fn update_actions(ctx: &mut Ctx<'_>) -> CaseResult {
    let table = ctx.created_table("upd-actions", None)?;
    // Creates the item (it did not exist): ALL_OLD has nothing to return.
    let r = update(
        ctx,
        json!({"TableName": table, "Key": {"pk": {"S": "u"}},
               "UpdateExpression": "SET n = :ten, l = :l, tags = :tags, m = :m, gone = :ten",
               "ExpressionAttributeValues": {":ten": {"N": "10"}, ":l": {"L": [{"S": "x"}]},
                   ":tags": {"SS": ["a", "b"]}, ":m": {"M": {"k": {"S": "v"}}}},
               "ReturnValues": "ALL_OLD"}),
    )?;
    check(
        r.ok()?.get("Attributes").is_none(),
        "no Attributes",
        "Attributes present",
    )?;
    let r = update(
        ctx,
        json!({"TableName": table, "Key": {"pk": {"S": "u"}},
               "UpdateExpression": "SET n = n + :d, l = list_append(l, :l2), c = if_not_exists(c, :d), m.k2 = :d REMOVE gone ADD tags :c",
               "ExpressionAttributeValues": {":d": {"N": "0.5"}, ":l2": {"L": [{"S": "y"}]},
                   ":c": {"SS": ["c"]}},
               "ReturnValues": "UPDATED_NEW"}),
    )?;
    let attrs = r.ok()?["Attributes"].clone();
    check_eq("UPDATED_NEW: n", &json!({"N": "10.5"}), &attrs["n"])?;
    check_eq(
        "UPDATED_NEW: l",
        &json!({"L": [{"S": "x"}, {"S": "y"}]}),
        &attrs["l"],
    )?;
    check_eq("UPDATED_NEW: c", &json!({"N": "0.5"}), &attrs["c"])?;
    check_eq(
        "UPDATED_NEW: m.k2 only",
        &json!({"M": {"k2": {"N": "0.5"}}}),
        &attrs["m"],
    )?;
    check(
        attrs.get("gone").is_none(),
        "no removed attribute in UPDATED_NEW",
        format!("{attrs}"),
    )?;
    let tags = attrs["tags"]["SS"].as_array().cloned().unwrap_or_default();
    let mut tags: Vec<String> = tags
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    tags.sort();
    check_eq("UPDATED_NEW: tags", &json!(["a", "b", "c"]), &json!(tags))?;
    let r = update(
        ctx,
        json!({"TableName": table, "Key": {"pk": {"S": "u"}}, "UpdateExpression": "DELETE tags :a",
               "ExpressionAttributeValues": {":a": {"SS": ["a", "c"]}}, "ReturnValues": "UPDATED_NEW"}),
    )?;
    check_eq(
        "UPDATED_NEW after DELETE tags {a, c}",
        &json!({"tags": {"SS": ["b"]}}),
        &r.ok()?["Attributes"],
    )?;
    let r = update(
        ctx,
        json!({"TableName": table, "Key": {"pk": {"S": "u"}}, "UpdateExpression": "SET n = :z",
               "ExpressionAttributeValues": {":z": {"N": "0"}}, "ReturnValues": "UPDATED_OLD"}),
    )?;
    check_eq(
        "UPDATED_OLD",
        &json!({"n": {"N": "10.5"}}),
        &r.ok()?["Attributes"],
    )?;
    let r = update(
        ctx,
        json!({"TableName": table, "Key": {"pk": {"S": "u"}}, "UpdateExpression": "REMOVE l[0]",
               "ReturnValues": "ALL_NEW"}),
    )?;
    check_eq(
        "ALL_NEW: l after REMOVE l[0]",
        &json!({"L": [{"S": "y"}]}),
        &r.ok()?["Attributes"]["l"],
    )?;
    // Without an update expression: an item of the key alone.
    update(
        ctx,
        json!({"TableName": table, "Key": {"pk": {"S": "bare"}}}),
    )?
    .ok()?;
    check_eq(
        "the item UpdateItem created with the key alone",
        &json!({"pk": {"S": "bare"}}),
        &item_of(ctx, &table, "bare")?,
    )?;
    // A type error changes nothing.
    update(
        ctx,
        json!({"TableName": table, "Key": {"pk": {"S": "u"}}, "UpdateExpression": "SET n = :one, tags = tags + :one",
               "ExpressionAttributeValues": {":one": {"N": "1"}}}),
    )?
    .expect_error("ValidationException", Some("An operand in the update expression has an incorrect data type"))?;
    check_eq(
        "n after the refused update",
        &json!({"N": "0"}),
        &item_of(ctx, &table, "u")?["n"],
    )
}

//= spec/items.md#update-key
//= type=test
//# An UpdateItem whose update expression writes a key attribute (the path's first name is the partition or sort key's name) MUST be refused with `One or more parameter values were invalid: Cannot update attribute <name>. This attribute is part of the key`, before the table key is fetched.
fn update_key_refused(ctx: &mut Ctx<'_>) -> CaseResult {
    let (_, table) = kms_table(ctx, "upd-key")?;
    update(
        ctx,
        json!({"TableName": table, "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET pk = :v",
               "ExpressionAttributeValues": {":v": {"S": "b"}}}),
    )?
    .expect_error(
        "ValidationException",
        Some("One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"),
    )?;
    ctx.expect_decrypts(
        &table,
        0,
        "after an UpdateItem refused for its key attribute",
    )
}

//= spec/items.md#update-at-rest
//= type=test
//# The item an UpdateItem stores MUST be sealed under the table's current table key like an item PutItem stores, so that nothing of it is stored in plaintext.
fn update_at_rest(ctx: &mut Ctx<'_>) -> CaseResult {
    const MARKER: &str = "UPDATED-PLAINTEXT-3c9a";
    let (_, table) = kms_table(ctx, "upd-at-rest")?;
    update(
        ctx,
        json!({"TableName": table, "Key": {"pk": {"S": format!("{MARKER}-key")}},
               "UpdateExpression": "SET v = :v", "ExpressionAttributeValues": {":v": {"S": format!("{MARKER}-value")}}}),
    )?
    .ok()?;
    let rows = ctx.at_rest()?.rows(&table)?;
    check(
        rows.len() == 1,
        "one stored row",
        format!("{} rows", rows.len()),
    )?;
    let needle = MARKER.as_bytes();
    for (k, v) in rows {
        let found = |hay: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
        check(
            !found(&k) && !found(&v),
            "no plaintext of the updated item at rest",
            "the marker is stored in plaintext",
        )?;
    }
    Ok(())
}

//= spec/items.md#condition
//= type=test
//# A PutItem, DeleteItem or UpdateItem with a ConditionExpression MUST evaluate it against the item with the request's key as it is before the request (an absent item having no attributes), after the table key has been obtained, and MUST fail as `spec/expressions.md#condition-failed` says when it is false.
//= spec/expressions.md#condition-failed
//= type=test
//# A write whose condition evaluates to false MUST fail with `ConditionalCheckFailedException` and the message `The conditional request failed`, and MUST change nothing.
fn condition_semantics(ctx: &mut Ctx<'_>) -> CaseResult {
    let (_, table) = kms_table(ctx, "cond")?;
    let put_if_absent = |v: &str| {
        json!({"TableName": table, "Item": {"pk": {"S": "a"}, "v": {"S": v}},
               "ConditionExpression": "attribute_not_exists(pk)"})
    };
    let first = ctx.ddb("PutItem", put_if_absent("1"))?;
    first.same_as_model()?;
    first.ok()?;
    let second = ctx.ddb("PutItem", put_if_absent("2"))?;
    second.same_as_model()?;
    second.expect_error(
        "ConditionalCheckFailedException",
        Some("The conditional request failed"),
    )?;
    let del = ctx.ddb(
        "DeleteItem",
        json!({"TableName": table, "Key": {"pk": {"S": "a"}}, "ConditionExpression": "v = :two",
               "ExpressionAttributeValues": {":two": {"S": "2"}}}),
    )?;
    del.same_as_model()?;
    del.expect_error(
        "ConditionalCheckFailedException",
        Some("The conditional request failed"),
    )?;
    update(
        ctx,
        json!({"TableName": table, "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET v = :two",
               "ConditionExpression": "v = :two OR NOT attribute_exists(v)",
               "ExpressionAttributeValues": {":two": {"S": "2"}}}),
    )?
    .expect_error(
        "ConditionalCheckFailedException",
        Some("The conditional request failed"),
    )?;
    check_eq(
        "the item after three refused writes",
        &json!({"pk": {"S": "a"}, "v": {"S": "1"}}),
        &item_of(ctx, &table, "a")?,
    )?;
    // A true condition writes.
    update(
        ctx,
        json!({"TableName": table, "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET v = :two",
               "ConditionExpression": "v IN (:one, :two)",
               "ExpressionAttributeValues": {":one": {"S": "1"}, ":two": {"S": "2"}}}),
    )?
    .ok()?;
    check_eq(
        "v after a true condition",
        &json!({"S": "2"}),
        &item_of(ctx, &table, "a")?["v"],
    )?;
    // A failed condition on a fresh connection still fetched the table key first.
    let other = ctx.open_connection()?;
    let r = ctx.call_as(0, other, "DynamoDB_20120810.PutItem", put_if_absent("3"))?;
    r.same_as_model()?;
    r.expect_error("ConditionalCheckFailedException", None)?;
    ctx.expect_decrypts(
        &table,
        2,
        "after a refused conditional PutItem on a second connection",
    )
}

//= spec/items.md#condition-failure-item
//= type=test
//# With `ReturnValuesOnConditionCheckFailure` `ALL_OLD`, a `ConditionalCheckFailedException` MUST carry the existing item as `Item` in its body, and no `Item` when there is none.
fn condition_item(ctx: &mut Ctx<'_>) -> CaseResult {
    let table = ctx.created_table("cond-item", None)?;
    ctx.put(&table, "a", "1")?.ok()?;
    let r = ctx.ddb(
        "PutItem",
        json!({"TableName": table, "Item": {"pk": {"S": "a"}, "v": {"S": "9"}},
               "ConditionExpression": "attribute_not_exists(pk)", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
    )?;
    r.same_as_model()?;
    r.expect_error(
        "ConditionalCheckFailedException",
        Some("The conditional request failed"),
    )?;
    check_eq(
        "Item of the error",
        &json!({"pk": {"S": "a"}, "v": {"S": "1"}}),
        &r.body["Item"],
    )?;
    let r = ctx.ddb(
        "DeleteItem",
        json!({"TableName": table, "Key": {"pk": {"S": "none"}},
               "ConditionExpression": "attribute_exists(pk)", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
    )?;
    r.same_as_model()?;
    r.expect_error("ConditionalCheckFailedException", None)?;
    check(
        r.body.get("Item").is_none(),
        "no Item when there is no item",
        format!("{}", r.body),
    )
}

//= spec/items.md#filter
//= type=test
//# A FilterExpression MUST be applied after the items of a page are read: `ScannedCount` MUST count the items read (at most `Limit`), `Count` and `Items` only those that pass the filter, and `LastEvaluatedKey` MUST be the key of the last item read when `Limit` items were read.
fn filters(ctx: &mut Ctx<'_>) -> CaseResult {
    let (_, table) = kms_table(ctx, "filter")?;
    for (pk, v) in [("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")] {
        ctx.put(&table, pk, v)?.ok()?;
    }
    let q = ctx.ddb(
        "Query",
        json!({"TableName": table, "KeyConditionExpression": "pk = :p", "FilterExpression": "v <> :v",
               "ProjectionExpression": "v", "ExpressionAttributeValues": {":p": {"S": "b"}, ":v": {"S": "2"}}}),
    )?;
    q.same_as_model()?;
    check_eq(
        "Query Count, ScannedCount",
        &json!([0, 1]),
        &json!([q.ok()?["Count"], q.ok()?["ScannedCount"]]),
    )?;
    let s = ctx.ddb(
        "Scan",
        json!({"TableName": table, "FilterExpression": "v >= :lo AND NOT v = :three",
               "ProjectionExpression": "#v", "ExpressionAttributeNames": {"#v": "v"},
               "ExpressionAttributeValues": {":lo": {"S": "2"}, ":three": {"S": "3"}}}),
    )?;
    check_eq(
        "Scan Count, ScannedCount",
        &json!([2, 4]),
        &json!([s.ok()?["Count"], s.ok()?["ScannedCount"]]),
    )?;
    let mut vs: Vec<String> = s.ok()?["Items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|i| i.to_string())
        .collect();
    vs.sort();
    check_eq(
        "Scan Items (projected to v)",
        &json!([r#"{"v":{"S":"2"}}"#, r#"{"v":{"S":"4"}}"#]),
        &json!(vs),
    )?;
    let limited = ctx.ddb(
        "Scan",
        json!({"TableName": table, "Limit": 2, "FilterExpression": "attribute_not_exists(v)"}),
    )?;
    let body = limited.ok()?;
    check_eq(
        "Count, ScannedCount with Limit 2 and a filter nothing passes",
        &json!([0, 2]),
        &json!([body["Count"], body["ScannedCount"]]),
    )?;
    check(
        body.get("LastEvaluatedKey").is_some(),
        "LastEvaluatedKey after Limit items were read",
        format!("{body}"),
    )
}

fn name_value_errors(ctx: &mut Ctx<'_>) -> CaseResult {
    let table = ctx.created_table("expr-errors", None)?;
    let cases: [(Value, &str); 5] = [
        (
            json!({"TableName": table, "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET v = :a",
                   "ExpressionAttributeValues": {":a": {"S": "1"}, ":b": {"S": "2"}}}),
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:b}",
        ),
        (
            json!({"TableName": table, "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET #v = :a",
                   "ExpressionAttributeValues": {":a": {"S": "1"}}}),
            "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #v",
        ),
        (
            json!({"TableName": table, "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET status = :a",
                   "ExpressionAttributeValues": {":a": {"S": "1"}}}),
            "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status",
        ),
        (
            json!({"TableName": table, "Key": {"pk": {"S": "a"}}, "UpdateExpression": "ADD hits : incr",
                   "ExpressionAttributeValues": {":incr": {"N": "1"}}}),
            "Invalid UpdateExpression: Syntax error; token: \":\", near: \"hits : incr\"",
        ),
        (
            json!({"TableName": table, "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET v = :a",
                   "ConditionExpression": "v = :missing", "ExpressionAttributeValues": {":a": {"S": "1"}}}),
            "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :missing",
        ),
    ];
    for (body, message) in cases {
        let r = ctx.ddb("UpdateItem", body)?;
        r.same_as_model()?;
        r.expect_error("ValidationException", Some(message))?;
    }
    Ok(())
}

/// The items of a Scan answer as sorted JSON texts.
fn sorted_items(body: &Value) -> Vec<String> {
    let mut v: Vec<String> = body["Items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(Value::to_string)
        .collect();
    v.sort();
    v
}

//= spec/items.md#scan-segments
//= type=test
//# A Scan with `Segment` MUST return only the items of that segment, paged and filtered as a Scan without it.
fn scan_segments(ctx: &mut Ctx<'_>) -> CaseResult {
    let (_, table) = kms_table(ctx, "segments")?;
    for i in 0..12 {
        ctx.put(&table, &format!("p{i}"), &i.to_string())?.ok()?;
    }
    let mut seen: Vec<String> = Vec::new();
    for segment in 0..3 {
        let r = ctx.ddb(
            "Scan",
            json!({"TableName": table, "Segment": segment, "TotalSegments": 3}),
        )?;
        let mine = sorted_items(r.ok()?);
        let model = sorted_items(&r.model.body);
        check_eq(
            &format!("segment {segment} of 3, as the model's"),
            &json!(model),
            &json!(mine),
        )?;
        seen.extend(mine);
    }
    seen.sort();
    let all = ctx.ddb("Scan", json!({"TableName": table}))?;
    check_eq(
        "the three segments together are the whole table, each item once",
        &json!(sorted_items(all.ok()?)),
        &json!(seen),
    )?;
    let r = ctx.ddb(
        "Scan",
        json!({"TableName": table, "Segment": 3, "TotalSegments": 3}),
    )?;
    r.same_as_model()?;
    r.expect_error(
        "ValidationException",
        Some("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 3 is not less than TotalSegments: 3"),
    )
}

//= spec/items.md#paging
//= type=test
//# A Query or Scan page MUST end with the first item that brings the sum of the sizes of the page's items (before filtering and projection) to 1 MB (1048576 bytes) or more, or with the `Limit`-th item, whichever comes first, and MUST then carry `LastEvaluatedKey`, the key of its last item, when more items follow.
fn one_megabyte_pages(ctx: &mut Ctx<'_>) -> CaseResult {
    let table = ctx.created_table("pages", None)?;
    let big = "x".repeat(300_000);
    for i in 0..5 {
        ctx.put(&table, &format!("p{i}"), &big)?.ok()?;
    }
    let first = ctx.ddb(
        "Scan",
        json!({"TableName": table, "ProjectionExpression": "pk"}),
    )?;
    let body = first.ok()?.clone();
    check_eq(
        "Count of the first page and the model's (4 items of 300 KB cross 1 MB)",
        &json!([4, first.model.body["Count"]]),
        &json!([body["Count"], 4]),
    )?;
    let lek = body.get("LastEvaluatedKey").cloned();
    check(
        lek.is_some(),
        "LastEvaluatedKey on a page cut at 1 MB",
        format!("{body}"),
    )?;
    let second = ctx.ddb(
        "Scan",
        json!({"TableName": table, "ProjectionExpression": "pk", "ExclusiveStartKey": lek}),
    )?;
    let body = second.ok()?;
    check_eq("Count of the second page", &json!(1), &body["Count"])?;
    check(
        body.get("LastEvaluatedKey").is_none(),
        "no LastEvaluatedKey on the last page",
        format!("{body}"),
    )
}

fn transact(ctx: &mut Ctx<'_>, items: Value) -> Result<crate::ctx::Reply, Failure> {
    let r = ctx.ddb("TransactWriteItems", json!({"TransactItems": items}))?;
    r.same_as_model()?;
    Ok(r)
}

//= spec/items.md#transact-write
//= type=test
//# When every condition holds, TransactWriteItems MUST make every put, delete and update of the request, each as the single-item operation of the same name would.
//= spec/items.md#transact-write
//= type=test
//# Two actions on the same item MUST be refused with `Transaction request cannot include multiple operations on one item`.
fn transact_write(ctx: &mut Ctx<'_>) -> CaseResult {
    let (_, a) = kms_table(ctx, "tx-a")?;
    let (_, b) = kms_table(ctx, "tx-b")?;
    ctx.put(&a, "x", "1")?.ok()?;
    ctx.put(&b, "gone", "1")?.ok()?;
    let failing = json!([
        {"Put": {"TableName": a, "Item": {"pk": {"S": "new"}, "v": {"S": "n"}}}},
        {"ConditionCheck": {"TableName": b, "Key": {"pk": {"S": "gone"}}, "ConditionExpression": "v = :two",
                            "ExpressionAttributeValues": {":two": {"S": "2"}}, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}
    ]);
    let r = transact(ctx, failing)?;
    r.expect_error(
        "TransactionCanceledException",
        Some("Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]"),
    )?;
    check_eq(
        "CancellationReasons",
        &json!([{"Code": "None"}, {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed",
                 "Item": {"pk": {"S": "gone"}, "v": {"S": "1"}}}]),
        &r.body["CancellationReasons"],
    )?;
    check_eq(
        "the put of a cancelled transaction",
        &Value::Null,
        &item_of(ctx, &a, "new")?,
    )?;
    let ok = json!([
        {"Put": {"TableName": a, "Item": {"pk": {"S": "new"}, "v": {"S": "n"}}, "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Update": {"TableName": a, "Key": {"pk": {"S": "x"}}, "UpdateExpression": "ADD n :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        {"Delete": {"TableName": b, "Key": {"pk": {"S": "gone"}}}}
    ]);
    transact(ctx, ok)?.ok()?;
    check_eq(
        "the put",
        &json!({"pk": {"S": "new"}, "v": {"S": "n"}}),
        &item_of(ctx, &a, "new")?,
    )?;
    check_eq(
        "the update",
        &json!({"N": "1"}),
        &item_of(ctx, &a, "x")?["n"],
    )?;
    check_eq("the delete", &Value::Null, &item_of(ctx, &b, "gone")?)?;
    let twice = json!([
        {"Delete": {"TableName": a, "Key": {"pk": {"S": "x"}}}},
        {"ConditionCheck": {"TableName": a, "Key": {"pk": {"S": "x"}}, "ConditionExpression": "attribute_exists(pk)"}}
    ]);
    transact(ctx, twice.clone())?.expect_error(
        "ValidationException",
        Some("Transaction request cannot include multiple operations on one item"),
    )?;
    ctx.expect_decrypts(
        &a,
        1,
        "on table a after puts, transactions and reads on one connection",
    )?;
    // Refused before any table key is fetched: no Decrypt on a fresh connection either.
    let other = ctx.open_connection()?;
    let r = ctx.call_as(
        0,
        other,
        "DynamoDB_20120810.TransactWriteItems",
        json!({"TransactItems": twice}),
    )?;
    r.same_as_model()?;
    r.expect_error("ValidationException", None)?;
    ctx.expect_decrypts(
        &a,
        1,
        "after a transaction refused for naming one item twice, on a fresh connection",
    )?;
    ctx.expect_decrypts(
        &b,
        1,
        "on table b after puts, transactions and reads on one connection",
    )
}

//= spec/items.md#transact-write
//= type=test
//# A transaction MUST obtain the table key of every table it names through the table-key cache, one entry per table, before it reads any item, and MUST fail whole, writing nothing, when one of them cannot be obtained.
fn transact_disabled(ctx: &mut Ctx<'_>) -> CaseResult {
    let (_, a) = kms_table(ctx, "txd-a")?;
    let (kb, b) = kms_table(ctx, "txd-b")?;
    ctx.put(&a, "x", "1")?.ok()?;
    ctx.put(&b, "y", "1")?.ok()?;
    ctx.kms("DisableKey", json!({"KeyId": kb.id}))?.ok()?;
    ctx.advance(300 * SECOND)?;
    let r = transact(
        ctx,
        json!([
            {"Put": {"TableName": a, "Item": {"pk": {"S": "x"}, "v": {"S": "2"}}}},
            {"Put": {"TableName": b, "Item": {"pk": {"S": "y"}, "v": {"S": "2"}}}}
        ]),
    )?;
    r.expect_error("ValidationException", None)?;
    check(
        r.message()
            .is_some_and(|m| m.starts_with("KMS key disabled error:")),
        "the disabled-key error",
        format!("{:?}", r.message()),
    )?;
    check_eq(
        "table a's item after the failed transaction",
        &json!({"S": "1"}),
        &item_of(ctx, &a, "x")?["v"],
    )
}

//= spec/items.md#transact-get
//= type=test
//# TransactGetItems MUST take 1 to 100 reads, each a `Get` with a table name and a key, refuse two reads of the same item as TransactWriteItems does, obtain every table's key through the table-key cache before reading, and answer `Responses` with one entry per read in order, holding `Item` (projected when asked) when the item exists.
fn transact_get(ctx: &mut Ctx<'_>) -> CaseResult {
    let (_, a) = kms_table(ctx, "txg-a")?;
    let (_, b) = kms_table(ctx, "txg-b")?;
    ctx.put(&a, "x", "1")?.ok()?;
    let other = ctx.open_connection()?;
    let r = ctx.call_as(
        0,
        other,
        "DynamoDB_20120810.TransactGetItems",
        json!({"TransactItems": [
            {"Get": {"TableName": b, "Key": {"pk": {"S": "none"}}}},
            {"Get": {"TableName": a, "Key": {"pk": {"S": "x"}}, "ProjectionExpression": "#v",
                     "ExpressionAttributeNames": {"#v": "v"}}}
        ]}),
    )?;
    r.same_as_model()?;
    check_eq(
        "Responses",
        &json!([{}, {"Item": {"v": {"S": "1"}}}]),
        &r.ok()?["Responses"],
    )?;
    ctx.expect_decrypts(&a, 2, "on table a (one per connection)")?;
    ctx.expect_decrypts(&b, 1, "on table b (the transaction's connection)")?;
    let twice = ctx.ddb(
        "TransactGetItems",
        json!({"TransactItems": [
            {"Get": {"TableName": a, "Key": {"pk": {"S": "x"}}}},
            {"Get": {"TableName": a, "Key": {"pk": {"S": "x"}}}}
        ]}),
    )?;
    twice.same_as_model()?;
    twice.expect_error(
        "ValidationException",
        Some("Transaction request cannot include multiple operations on one item"),
    )
}
