//! Tables named by their ARN (`spec/tables.md#table-arn`): every `TableName` and every batch key
//! may be a table ARN of the serving account and region; other ARNs are refused.

use serde_json::{Value, json};

use super::Case;
use crate::ctx::{CaseResult, Ctx, check, check_eq};

/// Cases of this file.
pub const CASES: &[Case] = &[
    Case {
        id: "tables/table-arn/same-account",
        title: "a table ARN of this account and region works wherever a table name does",
        needs: &[],
        run: same_account,
    },
    Case {
        id: "tables/table-arn/batch-keys",
        title: "batch RequestItems keyed by ARN: answers keyed as the request was",
        needs: &[],
        run: batch_keys,
    },
    Case {
        id: "tables/table-arn/not-a-table",
        title: "index, stream and other-service ARNs are refused with ValidationException",
        needs: &[],
        run: not_a_table,
    },
    Case {
        id: "tables/table-arn/other-region",
        title: "a table ARN of another region: Invalid AWS region",
        needs: &[],
        run: other_region,
    },
    Case {
        id: "tables/table-arn/other-account",
        title: "a table ARN of another account: AccessDeniedException",
        needs: &[],
        run: other_account,
    },
    Case {
        id: "tables/table-arn/named-twice",
        title: "a batch naming one table by name and by ARN is refused",
        needs: &[],
        run: named_twice,
    },
];

fn table_arn(ctx: &Ctx<'_>, name: &str) -> String {
    format!(
        "arn:aws:dynamodb:{}:{}:table/{name}",
        ctx.region(),
        ctx.account()
    )
}

fn item(pk: &str, v: &str) -> Value {
    json!({"pk": {"S": pk}, "v": {"S": v}})
}

//= spec/tables.md#table-arn
//= type=test
//# A table ARN of the serving region and account MUST be read as the `<name>` it ends with, in every operation that takes a `TableName` (CreateTable included) and in the keys of `RequestItems` of BatchGetItem and BatchWriteItem.
fn same_account(ctx: &mut Ctx<'_>) -> CaseResult {
    let name = ctx.name("by-arn");
    let arn = table_arn(ctx, &name);
    let created = ctx.ddb("CreateTable", Ctx::table_body(&arn, None))?;
    let described = &created.ok()?["TableDescription"];
    check_eq(
        "CreateTable by ARN: TableDescription.TableName",
        &json!(name),
        &described["TableName"],
    )?;
    let table = ctx.describe(&arn)?;
    check_eq(
        "DescribeTable by ARN: TableName",
        &json!(name),
        &table["TableName"],
    )?;
    check_eq(
        "DescribeTable by ARN: TableArn",
        &json!(arn),
        &table["TableArn"],
    )?;

    ctx.ddb("PutItem", json!({"TableName": arn, "Item": item("a", "1")}))?
        .ok()?;
    //= spec/tables.md#table-arn
    //= type=test
    //# A `TableName` that does not start with `arn:` MUST be read as a table name.
    let by_name = ctx.get(&name, "a")?;
    check_eq(
        "GetItem by name of an item put by ARN",
        &item("a", "1"),
        &by_name.ok()?["Item"],
    )?;
    let by_arn = ctx.ddb(
        "GetItem",
        json!({"TableName": arn, "Key": {"pk": {"S": "a"}}, "ConsistentRead": true}),
    )?;
    check_eq("GetItem by ARN", &item("a", "1"), &by_arn.ok()?["Item"])?;
    let updated = ctx.ddb(
        "UpdateItem",
        json!({
            "TableName": arn,
            "Key": {"pk": {"S": "a"}},
            "UpdateExpression": "SET v = :v",
            "ExpressionAttributeValues": {":v": {"S": "1"}},
            "ReturnValues": "ALL_NEW"
        }),
    )?;
    check_eq(
        "UpdateItem by ARN: Attributes",
        &item("a", "1"),
        &updated.ok()?["Attributes"],
    )?;
    ctx.ddb(
        "TransactWriteItems",
        json!({"TransactItems": [{"Put": {"TableName": arn, "Item": item("t", "2")}}]}),
    )?
    .ok()?;
    let read = ctx.ddb(
        "TransactGetItems",
        json!({"TransactItems": [{"Get": {"TableName": arn, "Key": {"pk": {"S": "t"}}}}]}),
    )?;
    check_eq(
        "TransactGetItems by ARN of an item TransactWriteItems put by ARN",
        &item("t", "2"),
        &read.ok()?["Responses"][0]["Item"],
    )?;
    let ttl = ctx.ddb("DescribeTimeToLive", json!({"TableName": arn}))?;
    check_eq(
        "DescribeTimeToLive by ARN: TimeToLiveStatus",
        &json!("DISABLED"),
        &ttl.ok()?["TimeToLiveDescription"]["TimeToLiveStatus"],
    )?;
    ctx.ddb(
        "DeleteItem",
        json!({"TableName": arn, "Key": {"pk": {"S": "t"}}}),
    )?
    .ok()?;
    let query = ctx.ddb(
        "Query",
        json!({
            "TableName": arn,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": "a"}}
        }),
    )?;
    check_eq("Query by ARN: Count", &json!(1), &query.ok()?["Count"])?;
    let scan = ctx.ddb("Scan", json!({"TableName": arn}))?;
    check_eq("Scan by ARN: Count", &json!(1), &scan.ok()?["Count"])?;
    ctx.ddb(
        "DeleteItem",
        json!({"TableName": arn, "Key": {"pk": {"S": "a"}}}),
    )?
    .ok()?;
    let gone = ctx.get(&name, "a")?;
    check(
        gone.ok()?.get("Item").is_none(),
        "no item after DeleteItem by ARN",
        gone.body.to_string(),
    )?;
    let deleted = ctx.ddb("DeleteTable", json!({"TableName": arn}))?;
    check_eq(
        "DeleteTable by ARN: TableDescription.TableName",
        &json!(name),
        &deleted.ok()?["TableDescription"]["TableName"],
    )
}

//= spec/tables.md#table-arn
//= type=test
//# The `Responses`, `UnprocessedKeys` and `UnprocessedItems` of a batch MUST name each table by the key the request used for it, name or ARN.
fn batch_keys(ctx: &mut Ctx<'_>) -> CaseResult {
    let first = ctx.created_table("batch-arn", None)?;
    let second = ctx.created_table("batch-name", None)?;
    let arn = table_arn(ctx, &first);
    let written = ctx.ddb(
        "BatchWriteItem",
        json!({"RequestItems": {
            arn.clone(): [{"PutRequest": {"Item": item("a", "1")}}],
            second.clone(): [{"PutRequest": {"Item": item("b", "2")}}],
        }}),
    )?;
    check_eq(
        "BatchWriteItem: UnprocessedItems",
        &json!({}),
        &written.ok()?["UnprocessedItems"],
    )?;
    let read = ctx.ddb(
        "BatchGetItem",
        json!({"RequestItems": {
            arn.clone(): {"Keys": [{"pk": {"S": "a"}}]},
            second.clone(): {"Keys": [{"pk": {"S": "b"}}]},
        }}),
    )?;
    let responses = &read.ok()?["Responses"];
    check_eq(
        "BatchGetItem: Responses under the ARN key",
        &json!([item("a", "1")]),
        &responses[&arn],
    )?;
    check_eq(
        "BatchGetItem: Responses under the name key",
        &json!([item("b", "2")]),
        &responses[&second],
    )?;
    check(
        responses.get(&first).is_none(),
        format!("no Responses key {first} (the request named it by ARN)"),
        responses.to_string(),
    )
}

//= spec/tables.md#table-arn
//= type=test
//# An ARN that is not of the form `arn:aws:dynamodb:<region>:<account>:table/<name>`, with no `/` in `<name>` (an index, a stream, another service, a malformed ARN), MUST fail with `ValidationException` and the message `1 validation error detected: Value '<given>' at 'tableName' failed to satisfy constraint: Member must be a table name or the ARN of a table`.
fn not_a_table(ctx: &mut Ctx<'_>) -> CaseResult {
    let name = ctx.created_table("not-a-table", None)?;
    let arn = table_arn(ctx, &name);
    let kms = format!(
        "arn:aws:kms:{}:{}:table/{name}",
        ctx.region(),
        ctx.account()
    );
    for given in [
        format!("{arn}/index/by-v"),
        format!("{arn}/stream/2026-12-06T00:00:00.000"),
        kms,
    ] {
        let r = ctx.ddb(
            "GetItem",
            json!({"TableName": given, "Key": {"pk": {"S": "a"}}}),
        )?;
        r.expect_error(
            "ValidationException",
            Some(&format!(
                "1 validation error detected: Value '{given}' at 'tableName' failed to satisfy constraint: Member must be a table name or the ARN of a table"
            )),
        )?;
    }
    Ok(())
}

//= spec/tables.md#table-arn
//= type=test
//# A table ARN of another region MUST fail with `ValidationException` and the message `1 validation error detected: Invalid AWS region in '<given>'`, checked before the account.
fn other_region(ctx: &mut Ctx<'_>) -> CaseResult {
    let name = ctx.created_table("other-region", None)?;
    let region = if ctx.region() == "eu-west-1" {
        "us-west-2"
    } else {
        "eu-west-1"
    };
    for account in [ctx.account().to_owned(), "000000000000".to_owned()] {
        let given = format!("arn:aws:dynamodb:{region}:{account}:table/{name}");
        let r = ctx.ddb("DescribeTable", json!({"TableName": given}))?;
        r.expect_error(
            "ValidationException",
            Some(&format!(
                "1 validation error detected: Invalid AWS region in '{given}'"
            )),
        )?;
    }
    Ok(())
}

//= spec/tables.md#table-arn
//= type=test
//# A table ARN of the serving region and another account MUST fail with `AccessDeniedException` and the message `User: <caller ARN> is not authorized to perform: dynamodb:<operation> on resource: <given> because no resource-based policy allows the dynamodb:<operation> action`.
fn other_account(ctx: &mut Ctx<'_>) -> CaseResult {
    let name = ctx.created_table("other-account", None)?;
    let account = if ctx.account() == "000000000000" {
        "111111111111"
    } else {
        "000000000000"
    };
    let given = format!("arn:aws:dynamodb:{}:{account}:table/{name}", ctx.region());
    let r = ctx.ddb(
        "PutItem",
        json!({"TableName": given, "Item": item("a", "1")}),
    )?;
    r.expect_error("AccessDeniedException", None)?;
    // The caller's ARN is the target's view of the caller; the rest of the text is fixed.
    let message = r.message().unwrap_or_default();
    let tail = format!(
        " is not authorized to perform: dynamodb:PutItem on resource: {given} because no resource-based policy allows the dynamodb:PutItem action"
    );
    check(
        message.starts_with("User: arn:aws:") && message.ends_with(&tail),
        format!("PutItem: User: <caller ARN>{tail}"),
        format!("PutItem: {message}"),
    )?;
    let mine = ctx.get(&name, "a")?;
    check(
        mine.ok()?.get("Item").is_none(),
        "nothing written to this account's table of the same name",
        mine.body.to_string(),
    )
}

//= spec/tables.md#table-arn
//= type=test
//# A batch whose `RequestItems` name one table twice, once by name and once by ARN, MUST fail with `ValidationException` and the message `Provided list of item keys contains duplicates: table <name> is named more than once`.
fn named_twice(ctx: &mut Ctx<'_>) -> CaseResult {
    let name = ctx.created_table("twice", None)?;
    let arn = table_arn(ctx, &name);
    let r = ctx.ddb(
        "BatchWriteItem",
        json!({"RequestItems": {
            arn: [{"PutRequest": {"Item": item("a", "1")}}],
            name.clone(): [{"PutRequest": {"Item": item("b", "2")}}],
        }}),
    )?;
    r.expect_error(
        "ValidationException",
        Some(&format!(
            "Provided list of item keys contains duplicates: table {name} is named more than once"
        )),
    )?;
    let none = ctx.get(&name, "b")?;
    check(
        none.ok()?.get("Item").is_none(),
        "nothing written by the refused batch",
        none.body.to_string(),
    )
}
