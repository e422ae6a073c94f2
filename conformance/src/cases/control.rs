//! The control plane beyond keys (`spec/control-plane.md`): secondary indexes, time to live,
//! tags, continuous backups and DescribeLimits. Every answer is also compared with the model's.

use serde_json::{Value, json};

use super::{Case, Need};
use crate::ctx::{CaseResult, Ctx, Failure, Reply, check, check_eq};

/// Cases of this file.
pub const CASES: &[Case] = &[
    Case {
        id: "control-plane/index-definitions",
        title: "CreateTable's indexes: undefined and unused keys, projections, throughput, names, order",
        needs: &[],
        run: index_definitions,
    },
    Case {
        id: "control-plane/index-limits",
        title: "at most 20 GSIs and 5 LSIs; empty index lists are refused",
        needs: &[],
        run: index_limits,
    },
    Case {
        id: "control-plane/local-indexes",
        title: "an LSI needs a table sort key, its own sort key and the table's partition key",
        needs: &[],
        run: local_indexes,
    },
    Case {
        id: "control-plane/index-describe",
        title: "DescribeTable shows LSIs and GSIs with names, schemas, projections and ARNs",
        needs: &[],
        run: index_describe,
    },
    Case {
        id: "control-plane/index-status",
        title: "a GSI added by UpdateTable is CREATING for 5 s, a deleted one DELETING for 5 s",
        needs: &[Need::ManualClock],
        run: index_status,
    },
    Case {
        id: "control-plane/index-updates",
        title: "GlobalSecondaryIndexUpdates: one action each, one change at a time, known names",
        needs: &[],
        run: index_updates,
    },
    Case {
        id: "control-plane/ttl-update",
        title: "UpdateTimeToLive: members, already enabled/disabled, other attribute, once an hour",
        needs: &[Need::ManualClock],
        run: ttl_update,
    },
    Case {
        id: "control-plane/ttl-describe",
        title: "DescribeTimeToLive: DISABLED without attribute, ENABLED with it",
        needs: &[],
        run: ttl_describe,
    },
    Case {
        id: "control-plane/tags",
        title: "TagResource, UntagResource, ListTagsOfResource and CreateTable Tags",
        needs: &[],
        run: tags,
    },
    Case {
        id: "control-plane/pitr",
        title: "continuous backups: TableNotFoundException, DISABLED, ENABLED with its window",
        needs: &[Need::ManualClock],
        run: pitr,
    },
    Case {
        id: "control-plane/limits",
        title: "DescribeLimits answers the default quotas",
        needs: &[],
        run: limits,
    },
];

/// Checks that the target's answer is error `code` (with `message` when given) and the model's.
fn refused(r: &Reply, code: &str, message: Option<&str>) -> CaseResult {
    r.expect_error(code, message)?;
    r.same_as_model()
}

fn def(name: &str, ty: &str) -> Value {
    json!({"AttributeName": name, "AttributeType": ty})
}

fn key(name: &str, ty: &str) -> Value {
    json!({"AttributeName": name, "KeyType": ty})
}

fn gsi(name: &str, hash: &str, projection: Value) -> Value {
    json!({"IndexName": name, "KeySchema": [key(hash, "HASH")], "Projection": projection})
}

fn lsi(name: &str, hash: &str, range: &str) -> Value {
    json!({
        "IndexName": name,
        "KeySchema": [key(hash, "HASH"), key(range, "RANGE")],
        "Projection": {"ProjectionType": "KEYS_ONLY"}
    })
}

/// A CreateTable body with hash `pk` and range `sk` (S), on demand, and the given extra
/// definitions and members.
fn body(name: &str, defs: &[(&str, &str)], extra: Value) -> Value {
    let mut definitions = vec![def("pk", "S"), def("sk", "S")];
    definitions.extend(defs.iter().map(|(n, t)| def(n, t)));
    let mut b = json!({
        "TableName": name,
        "AttributeDefinitions": definitions,
        "KeySchema": [key("pk", "HASH"), key("sk", "RANGE")],
        "BillingMode": "PAY_PER_REQUEST"
    });
    if let (Some(b), Some(extra)) = (b.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            b.insert(k.clone(), v.clone());
        }
    }
    b
}

fn create(
    ctx: &mut Ctx<'_>,
    hint: &str,
    defs: &[(&str, &str)],
    extra: Value,
) -> Result<(String, Reply), Failure> {
    let name = ctx.name(hint);
    let r = ctx.ddb("CreateTable", body(&name, defs, extra))?;
    Ok((name, r))
}

const INVALID: &str = "One or more parameter values were invalid: ";

//= spec/control-plane.md#index-definitions
//= type=test
//# A target MUST check CreateTable's indexes after its key schema and billing mode and before its `SSESpecification`.
//# An index key attribute that is not in `AttributeDefinitions` MUST be rejected with `ValidationException` and the message `One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [<keys>], AttributeDefinitions: [<definitions>]`.
//# When a table has secondary indexes, an attribute definition that is not a key of the table or of any of its indexes MUST be rejected with `ValidationException` and the message `One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: [<definitions>], keys used: [<used definitions>]`, both lists in the order of `AttributeDefinitions`.
//# A projection MUST have a `ProjectionType`; `NonKeyAttributes` MUST be present with `INCLUDE` and absent otherwise, each violation rejected with `ValidationException`.
//# Under `PROVISIONED` billing a global index MUST carry `ProvisionedThroughput` with both capacities of at least 1; under `PAY_PER_REQUEST` billing it MUST NOT carry `ProvisionedThroughput`.
//# Index names MUST be unique within a table across global and local indexes; a repeated name MUST be rejected with `ValidationException` and the message `One or more parameter values were invalid: Duplicate index name: <index name>`.
fn index_definitions(ctx: &mut Ctx<'_>) -> CaseResult {
    let all = json!({"ProjectionType": "ALL"});
    let (_, r) = create(
        ctx,
        "undef",
        &[],
        json!({"GlobalSecondaryIndexes": [gsi("by-g", "g", all.clone())]}),
    )?;
    refused(
        &r,
        "ValidationException",
        Some(&format!(
            "{INVALID}Some index key attributes are not defined in AttributeDefinitions. Keys: [g], AttributeDefinitions: [pk, sk]"
        )),
    )?;
    let (_, r) = create(
        ctx,
        "unused",
        &[("g", "S"), ("extra", "N")],
        json!({"GlobalSecondaryIndexes": [gsi("by-g", "g", all.clone())]}),
    )?;
    refused(
        &r,
        "ValidationException",
        Some(&format!(
            "{INVALID}Some AttributeDefinitions are not used. AttributeDefinitions: [pk, sk, g, extra], keys used: [pk, sk, g]"
        )),
    )?;
    for projection in [
        json!({}),
        json!({"ProjectionType": "INCLUDE"}),
        json!({"ProjectionType": "ALL", "NonKeyAttributes": ["x"]}),
        json!({"ProjectionType": "KEYS_ONLY", "NonKeyAttributes": ["x"]}),
    ] {
        let (_, r) = create(
            ctx,
            "proj",
            &[("g", "S")],
            json!({"GlobalSecondaryIndexes": [gsi("by-g", "g", projection)]}),
        )?;
        refused(&r, "ValidationException", None)?;
    }
    let (_, r) = create(
        ctx,
        "prov",
        &[("g", "S")],
        json!({
            "BillingMode": "PROVISIONED",
            "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
            "GlobalSecondaryIndexes": [gsi("by-g", "g", all.clone())]
        }),
    )?;
    refused(
        &r,
        "ValidationException",
        Some(&format!(
            "{INVALID}ProvisionedThroughput must be specified for index: by-g"
        )),
    )?;
    let mut with_pt = gsi("by-g", "g", all.clone());
    with_pt["ProvisionedThroughput"] = json!({"ReadCapacityUnits": 2, "WriteCapacityUnits": 3});
    let (_, r) = create(
        ctx,
        "ondemand",
        &[("g", "S")],
        json!({"GlobalSecondaryIndexes": [with_pt.clone()]}),
    )?;
    refused(&r, "ValidationException", None)?;
    let (name, r) = create(
        ctx,
        "prov-ok",
        &[("g", "S")],
        json!({
            "BillingMode": "PROVISIONED",
            "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
            "GlobalSecondaryIndexes": [with_pt]
        }),
    )?;
    r.ok()?;
    r.same_as_model()?;
    let d = ctx.describe(&name)?;
    check_eq(
        "a provisioned GSI's throughput",
        &json!({"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 2, "WriteCapacityUnits": 3}),
        &d["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"],
    )?;
    let (_, r) = create(
        ctx,
        "dup",
        &[("g", "S"), ("l", "S")],
        json!({
            "GlobalSecondaryIndexes": [gsi("same", "g", all.clone())],
            "LocalSecondaryIndexes": [lsi("same", "pk", "l")]
        }),
    )?;
    refused(
        &r,
        "ValidationException",
        Some(&format!("{INVALID}Duplicate index name: same")),
    )?;
    // The index is checked before SSESpecification: both are wrong, the index error wins.
    let (_, r) = create(
        ctx,
        "order",
        &[],
        json!({
            "GlobalSecondaryIndexes": [gsi("by-g", "g", all)],
            "SSESpecification": {"Enabled": true, "SSEType": "AES256"}
        }),
    )?;
    refused(
        &r,
        "ValidationException",
        Some(&format!(
            "{INVALID}Some index key attributes are not defined in AttributeDefinitions. Keys: [g], AttributeDefinitions: [pk, sk]"
        )),
    )
}

//= spec/control-plane.md#index-limits
//= type=test
//# A table MUST NOT have more than 20 global secondary indexes nor more than 5 local secondary indexes; a CreateTable or UpdateTable that would exceed either MUST be rejected with `ValidationException` and the messages below.
//# A CreateTable with an empty `GlobalSecondaryIndexes` or `LocalSecondaryIndexes` list MUST be rejected with `ValidationException` and the message `One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty` (or `LocalSecondaryIndexes`).
fn index_limits(ctx: &mut Ctx<'_>) -> CaseResult {
    let names: Vec<String> = (0..21).map(|i| format!("g{i:02}")).collect();
    let defs: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "S")).collect();
    let gsis: Vec<Value> = names
        .iter()
        .map(|n| {
            gsi(
                &format!("idx-{n}"),
                n,
                json!({"ProjectionType": "KEYS_ONLY"}),
            )
        })
        .collect();
    let (_, r) = create(ctx, "gsi21", &defs, json!({"GlobalSecondaryIndexes": gsis}))?;
    refused(
        &r,
        "ValidationException",
        Some(&format!(
            "{INVALID}GlobalSecondaryIndex count exceeds the per-table limit of 20"
        )),
    )?;
    let (name, r) = create(
        ctx,
        "gsi20",
        &defs[..20],
        json!({"GlobalSecondaryIndexes": gsis[..20]}),
    )?;
    r.ok()?;
    r.same_as_model()?;
    let r = ctx.ddb(
        "UpdateTable",
        json!({
            "TableName": name,
            "AttributeDefinitions": [def("g20", "S")],
            "GlobalSecondaryIndexUpdates": [{"Create": gsis[20]}]
        }),
    )?;
    refused(
        &r,
        "ValidationException",
        Some(&format!(
            "{INVALID}GlobalSecondaryIndex count exceeds the per-table limit of 20"
        )),
    )?;
    let lnames: Vec<String> = (0..6).map(|i| format!("l{i}")).collect();
    let ldefs: Vec<(&str, &str)> = lnames.iter().map(|n| (n.as_str(), "S")).collect();
    let lsis: Vec<Value> = lnames
        .iter()
        .map(|n| lsi(&format!("idx-{n}"), "pk", n))
        .collect();
    let (_, r) = create(ctx, "lsi6", &ldefs, json!({"LocalSecondaryIndexes": lsis}))?;
    refused(
        &r,
        "ValidationException",
        Some(&format!(
            "{INVALID}Number of LocalSecondaryIndexes exceeds per-table limit of 5"
        )),
    )?;
    let (_, r) = create(
        ctx,
        "lsi5",
        &ldefs[..5],
        json!({"LocalSecondaryIndexes": lsis[..5]}),
    )?;
    r.ok()?;
    r.same_as_model()?;
    for what in ["GlobalSecondaryIndexes", "LocalSecondaryIndexes"] {
        let (_, r) = create(ctx, "empty", &[], json!({what: []}))?;
        refused(
            &r,
            "ValidationException",
            Some(&format!("{INVALID}List of {what} is empty")),
        )?;
    }
    Ok(())
}

//= spec/control-plane.md#local-indexes
//= type=test
//# A local secondary index MUST be rejected with `ValidationException` unless the table has a sort key, the index has a sort key, and the index's partition key is the table's partition key; the messages are below.
fn local_indexes(ctx: &mut Ctx<'_>) -> CaseResult {
    let name = ctx.name("nosort");
    let r = ctx.ddb(
        "CreateTable",
        json!({
            "TableName": name,
            "AttributeDefinitions": [def("pk", "S"), def("l", "S")],
            "KeySchema": [key("pk", "HASH")],
            "BillingMode": "PAY_PER_REQUEST",
            "LocalSecondaryIndexes": [lsi("by-l", "pk", "l")]
        }),
    )?;
    refused(
        &r,
        "ValidationException",
        Some(&format!(
            "{INVALID}Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"
        )),
    )?;
    let only_hash = json!({"IndexName": "by-l", "KeySchema": [key("pk", "HASH")], "Projection": {"ProjectionType": "ALL"}});
    let (_, r) = create(
        ctx,
        "lsi-nosort",
        &[],
        json!({"LocalSecondaryIndexes": [only_hash]}),
    )?;
    refused(
        &r,
        "ValidationException",
        Some(&format!(
            "{INVALID}Index KeySchema does not have a range key for index: by-l"
        )),
    )?;
    let (_, r) = create(
        ctx,
        "lsi-hash",
        &[("l", "S")],
        json!({"LocalSecondaryIndexes": [lsi("by-l", "l", "sk")]}),
    )?;
    refused(
        &r,
        "ValidationException",
        Some(&format!(
            "{INVALID}Index KeySchema does not have the same leading hash key as table KeySchema for index: by-l. index hash key: l, table hash key: pk"
        )),
    )?;
    let (_, r) = create(
        ctx,
        "lsi-ok",
        &[("l", "N")],
        json!({"LocalSecondaryIndexes": [lsi("by-l", "pk", "l")]}),
    )?;
    r.ok()?;
    r.same_as_model()
}

//= spec/control-plane.md#index-describe
//= type=test
//# A table with local secondary indexes MUST be described with `LocalSecondaryIndexes`, and one with global secondary indexes with `GlobalSecondaryIndexes`, each entry with the index's name, key schema and projection as created, `ItemCount` and `IndexSizeBytes` as section 2.4.1 says, and `IndexArn` `<table ARN>/index/<index name>`; global entries add `IndexStatus` and `ProvisionedThroughput`; a table without indexes of a kind MUST NOT carry that member.
fn index_describe(ctx: &mut Ctx<'_>) -> CaseResult {
    let projection = json!({"ProjectionType": "INCLUDE", "NonKeyAttributes": ["note"]});
    let (name, r) = create(
        ctx,
        "described",
        &[("g", "N"), ("l", "S")],
        json!({
            "GlobalSecondaryIndexes": [gsi("by-g", "g", projection.clone())],
            "LocalSecondaryIndexes": [lsi("by-l", "pk", "l")],
            "SSESpecification": {"Enabled": true}
        }),
    )?;
    r.ok()?;
    r.same_as_model()?;
    let d = ctx.ddb("DescribeTable", json!({"TableName": name}))?;
    d.same_as_model()?;
    let t = &d.ok()?["Table"];
    let arn = t["TableArn"].as_str().unwrap_or_default().to_owned();
    check_eq(
        "GlobalSecondaryIndexes",
        &json!([{
            "IndexName": "by-g",
            "KeySchema": [key("g", "HASH")],
            "Projection": projection,
            "IndexStatus": "ACTIVE",
            "ProvisionedThroughput": {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0},
            "IndexSizeBytes": 0,
            "ItemCount": 0,
            "IndexArn": format!("{arn}/index/by-g")
        }]),
        &t["GlobalSecondaryIndexes"],
    )?;
    check_eq(
        "LocalSecondaryIndexes",
        &json!([{
            "IndexName": "by-l",
            "KeySchema": [key("pk", "HASH"), key("l", "RANGE")],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
            "IndexSizeBytes": 0,
            "ItemCount": 0,
            "IndexArn": format!("{arn}/index/by-l")
        }]),
        &t["LocalSecondaryIndexes"],
    )?;
    check(
        t.get("SSEDescription").is_some(),
        "the table's SSEDescription, none on its indexes",
        "no SSEDescription",
    )?;
    let plain = ctx.created_table("plain", None)?;
    let t = ctx.describe(&plain)?;
    check(
        t.get("GlobalSecondaryIndexes").is_none() && t.get("LocalSecondaryIndexes").is_none(),
        "a table without indexes carries neither member",
        t.to_string(),
    )
}

fn describe_gsi(ctx: &mut Ctx<'_>, table: &str) -> Result<Value, Failure> {
    let r = ctx.ddb("DescribeTable", json!({"TableName": table}))?;
    r.same_as_model()?;
    Ok(r.ok()?["Table"].clone())
}

//= spec/control-plane.md#index-status
//= type=test
//# A global index added by UpdateTable MUST be described with `IndexStatus` `CREATING` and `Backfilling` `true` from the UpdateTable response until 5 s (5000 ms) later, and with `IndexStatus` `ACTIVE` and no `Backfilling` from then on.
//# A global index deleted by UpdateTable MUST be described with `IndexStatus` `DELETING` from the UpdateTable response until 5 s (5000 ms) later, and MUST NOT be described from then on.
//# While a global index of the table is `CREATING` or `DELETING`, a table that would otherwise be described as `ACTIVE` MUST be described with `TableStatus` `UPDATING`.
fn index_status(ctx: &mut Ctx<'_>) -> CaseResult {
    let (name, r) = create(ctx, "status", &[], json!({}))?;
    r.ok()?;
    let r = ctx.ddb("UpdateTable", json!({
        "TableName": name,
        "AttributeDefinitions": [def("g", "S")],
        "GlobalSecondaryIndexUpdates": [{"Create": gsi("by-g", "g", json!({"ProjectionType": "ALL"}))}]
    }))?;
    r.same_as_model()?;
    let desc = &r.ok()?["TableDescription"];
    check_eq(
        "UpdateTable TableStatus",
        &json!("UPDATING"),
        &desc["TableStatus"],
    )?;
    check_eq(
        "the new index",
        &json!(["CREATING", true]),
        &json!([
            desc["GlobalSecondaryIndexes"][0]["IndexStatus"],
            desc["GlobalSecondaryIndexes"][0]["Backfilling"]
        ]),
    )?;
    ctx.advance(4999)?;
    let t = describe_gsi(ctx, &name)?;
    check_eq(
        "4999 ms later",
        &json!(["UPDATING", "CREATING", true]),
        &json!([
            t["TableStatus"],
            t["GlobalSecondaryIndexes"][0]["IndexStatus"],
            t["GlobalSecondaryIndexes"][0]["Backfilling"]
        ]),
    )?;
    ctx.advance(1)?;
    let t = describe_gsi(ctx, &name)?;
    check_eq(
        "5000 ms later",
        &json!(["ACTIVE", "ACTIVE", null]),
        &json!([
            t["TableStatus"],
            t["GlobalSecondaryIndexes"][0]["IndexStatus"],
            t["GlobalSecondaryIndexes"][0].get("Backfilling")
        ]),
    )?;
    let r = ctx.ddb("UpdateTable", json!({"TableName": name, "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "by-g"}}]}))?;
    r.same_as_model()?;
    let desc = &r.ok()?["TableDescription"];
    check_eq(
        "a deleted index",
        &json!(["UPDATING", "DELETING"]),
        &json!([
            desc["TableStatus"],
            desc["GlobalSecondaryIndexes"][0]["IndexStatus"]
        ]),
    )?;
    ctx.advance(4999)?;
    let t = describe_gsi(ctx, &name)?;
    check_eq(
        "4999 ms after the delete",
        &json!("DELETING"),
        &t["GlobalSecondaryIndexes"][0]["IndexStatus"],
    )?;
    ctx.advance(1)?;
    let t = describe_gsi(ctx, &name)?;
    check_eq(
        "5000 ms after the delete",
        &json!(["ACTIVE", null, [def("pk", "S"), def("sk", "S")]]),
        &json!([
            t["TableStatus"],
            t.get("GlobalSecondaryIndexes"),
            t["AttributeDefinitions"]
        ]),
    )
}

//= spec/control-plane.md#index-updates
//= type=test
//# Each element of `GlobalSecondaryIndexUpdates` MUST hold exactly one of `Create`, `Update` and `Delete`, else the request MUST be rejected with `ValidationException`.
//# An UpdateTable that creates or deletes more than one index, or that creates or deletes one while another index of the table is `CREATING` or `DELETING`, MUST be rejected with `LimitExceededException` and the message below.
//# A `Create` naming an index the table has MUST be rejected with `ValidationException`; a `Create` that would give the table a 21st global index MUST be rejected as section 2.2 says.
//# A `Delete` or `Update` naming no global index of the table MUST be rejected with `ResourceNotFoundException` and the message `Requested resource not found: Table: <table name> Index: <index name> not found`.
//# An UpdateTable with `AttributeDefinitions` and without `GlobalSecondaryIndexUpdates` MUST be rejected with `ValidationException`.
//# An `AttributeDefinitions` entry of UpdateTable that no key of the table or of its indexes uses afterwards MUST be rejected with the `Some AttributeDefinitions are not used` message of section 2.1.
fn index_updates(ctx: &mut Ctx<'_>) -> CaseResult {
    let all = json!({"ProjectionType": "ALL"});
    let (name, r) = create(
        ctx,
        "updates",
        &[("g", "S")],
        json!({"GlobalSecondaryIndexes": [gsi("by-g", "g", all.clone())]}),
    )?;
    r.ok()?;
    let update = |updates: Value, defs: Option<Value>| {
        let mut b = json!({"TableName": name, "GlobalSecondaryIndexUpdates": updates});
        if let Some(d) = defs {
            b["AttributeDefinitions"] = d;
        }
        b
    };
    let r = ctx.ddb("UpdateTable", update(json!([{}]), None))?;
    refused(&r, "ValidationException", None)?;
    let r = ctx.ddb(
        "UpdateTable",
        update(
            json!([{"Delete": {"IndexName": "by-g"}, "Update": {"IndexName": "by-g"}}]),
            None,
        ),
    )?;
    refused(&r, "ValidationException", None)?;
    let r = ctx.ddb("UpdateTable", update(
        json!([{"Create": gsi("by-h", "h", all.clone())}, {"Create": gsi("by-i", "i", all.clone())}]),
        Some(json!([def("h", "S"), def("i", "S")])),
    ))?;
    refused(
        &r,
        "LimitExceededException",
        Some(&format!(
            "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table: {name}"
        )),
    )?;
    let r = ctx.ddb(
        "UpdateTable",
        update(json!([{"Create": gsi("by-g", "g", all.clone())}]), None),
    )?;
    refused(&r, "ValidationException", None)?;
    for action in [
        json!({"Delete": {"IndexName": "nope"}}),
        json!({"Update": {"IndexName": "nope"}}),
    ] {
        let r = ctx.ddb("UpdateTable", update(json!([action]), None))?;
        refused(
            &r,
            "ResourceNotFoundException",
            Some(&format!(
                "Requested resource not found: Table: {name} Index: nope not found"
            )),
        )?;
    }
    let r = ctx.ddb(
        "UpdateTable",
        json!({"TableName": name, "AttributeDefinitions": [def("g", "S")]}),
    )?;
    refused(&r, "ValidationException", None)?;
    let r = ctx.ddb(
        "UpdateTable",
        update(
            json!([{"Create": gsi("by-h", "h", all.clone())}]),
            Some(json!([def("h", "S"), def("x", "S")])),
        ),
    )?;
    refused(
        &r,
        "ValidationException",
        Some(&format!(
            "{INVALID}Some AttributeDefinitions are not used. AttributeDefinitions: [h, x], keys used: [h]"
        )),
    )?;
    let r = ctx.ddb(
        "UpdateTable",
        update(
            json!([{"Create": gsi("by-h", "h", all.clone())}]),
            Some(json!([def("h", "S")])),
        ),
    )?;
    r.ok()?;
    r.same_as_model()?;
    let r = ctx.ddb(
        "UpdateTable",
        update(json!([{"Delete": {"IndexName": "by-g"}}]), None),
    )?;
    refused(
        &r,
        "LimitExceededException",
        Some(&format!(
            "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table: {name}"
        )),
    )
}

fn ttl(ctx: &mut Ctx<'_>, table: &str, enabled: Value, attribute: Value) -> Result<Reply, Failure> {
    let mut spec = json!({});
    if !enabled.is_null() {
        spec["Enabled"] = enabled;
    }
    if !attribute.is_null() {
        spec["AttributeName"] = attribute;
    }
    ctx.ddb(
        "UpdateTimeToLive",
        json!({"TableName": table, "TimeToLiveSpecification": spec}),
    )
}

//= spec/control-plane.md#ttl-update
//= type=test
//# An UpdateTimeToLive without `TimeToLiveSpecification`, or whose specification lacks `Enabled` or `AttributeName`, or whose `AttributeName` is not 1-255 characters long, MUST be rejected with `ValidationException` and DynamoDB's constraint message.
//# Enabling TTL on the attribute it is already enabled on MUST be rejected with `ValidationException` and the message `TimeToLive is already enabled`; enabling it on another attribute while it is enabled MUST be rejected with `ValidationException` and the message `TimeToLive is active on a different AttributeName: current AttributeName is <attribute>`.
//# Disabling TTL while it is not enabled MUST be rejected with `ValidationException` and the message `TimeToLive is already disabled`; disabling it naming another attribute than the enabled one MUST be rejected as enabling on another attribute is.
//# An UpdateTimeToLive that passes the checks above within one hour (3600000 ms) after the table's last accepted UpdateTimeToLive MUST be rejected with `ValidationException` and the message `Time to live has been modified multiple times within a fixed interval`.
//# An accepted UpdateTimeToLive MUST answer the `TimeToLiveSpecification` it was given.
fn ttl_update(ctx: &mut Ctx<'_>) -> CaseResult {
    let table = ctx.created_table("ttl", None)?;
    let r = ctx.ddb("UpdateTimeToLive", json!({"TableName": table}))?;
    refused(
        &r,
        "ValidationException",
        Some(
            "1 validation error detected: Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null",
        ),
    )?;
    let r = ttl(ctx, &table, Value::Null, json!("exp"))?;
    refused(
        &r,
        "ValidationException",
        Some(
            "1 validation error detected: Value null at 'timeToLiveSpecification.enabled' failed to satisfy constraint: Member must not be null",
        ),
    )?;
    let r = ttl(ctx, &table, json!(true), json!(""))?;
    refused(&r, "ValidationException", None)?;
    let r = ttl(ctx, &table, json!(false), json!("exp"))?;
    refused(
        &r,
        "ValidationException",
        Some("TimeToLive is already disabled"),
    )?;
    let r = ttl(ctx, &table, json!(true), json!("exp"))?;
    r.same_as_model()?;
    check_eq(
        "UpdateTimeToLive answer",
        &json!({"TimeToLiveSpecification": {"Enabled": true, "AttributeName": "exp"}}),
        r.ok()?,
    )?;
    let r = ttl(ctx, &table, json!(true), json!("exp"))?;
    refused(
        &r,
        "ValidationException",
        Some("TimeToLive is already enabled"),
    )?;
    let r = ttl(ctx, &table, json!(true), json!("other"))?;
    refused(
        &r,
        "ValidationException",
        Some("TimeToLive is active on a different AttributeName: current AttributeName is exp"),
    )?;
    let r = ttl(ctx, &table, json!(false), json!("other"))?;
    refused(
        &r,
        "ValidationException",
        Some("TimeToLive is active on a different AttributeName: current AttributeName is exp"),
    )?;
    ctx.advance(3_599_999)?;
    let r = ttl(ctx, &table, json!(false), json!("exp"))?;
    refused(
        &r,
        "ValidationException",
        Some("Time to live has been modified multiple times within a fixed interval"),
    )?;
    ctx.advance(1)?;
    let r = ttl(ctx, &table, json!(false), json!("exp"))?;
    r.same_as_model()?;
    check_eq(
        "disabling after an hour",
        &json!({"TimeToLiveSpecification": {"Enabled": false, "AttributeName": "exp"}}),
        r.ok()?,
    )
}

//= spec/control-plane.md#ttl-describe
//= type=test
//# DescribeTimeToLive MUST answer `TimeToLiveStatus` `ENABLED` with the `AttributeName` from the accepted UpdateTimeToLive that enabled TTL on, and `TimeToLiveStatus` `DISABLED` without `AttributeName` when TTL was never enabled or was disabled since.
fn ttl_describe(ctx: &mut Ctx<'_>) -> CaseResult {
    let table = ctx.created_table("ttl-d", None)?;
    let r = ctx.ddb("DescribeTimeToLive", json!({"TableName": table}))?;
    r.same_as_model()?;
    check_eq(
        "never enabled",
        &json!({"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}),
        r.ok()?,
    )?;
    ttl(ctx, &table, json!(true), json!("expires"))?.ok()?;
    let r = ctx.ddb("DescribeTimeToLive", json!({"TableName": table}))?;
    r.same_as_model()?;
    check_eq(
        "enabled",
        &json!({"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}}),
        r.ok()?,
    )?;
    let missing = ctx.name("missing");
    let r = ctx.ddb("DescribeTimeToLive", json!({"TableName": missing}))?;
    refused(&r, "ResourceNotFoundException", None)
}

//= spec/control-plane.md#tags
//= type=test
//# TagResource, UntagResource and ListTagsOfResource MUST name the table by its ARN in `ResourceArn`; a missing `ResourceArn` MUST be rejected with DynamoDB's null-member message, and one that is not a table ARN of the target's account and region with `ValidationException` and the message `Invalid TableArn: <arn>`.
//# A tag operation naming a table ARN of no existing table MUST fail with `ResourceNotFoundException` and the message `Requested resource not found: ResourcArn: <arn> not found` (AWS's spelling).
//# A tag key MUST be 1-128 characters and a tag value 0-256 characters, and both MUST be present; a violation MUST be rejected with `ValidationException` and DynamoDB's constraint message.
//# A tag key starting with `aws:` MUST be rejected with `ValidationException`.
//# A request that would leave more than 50 tags on a table MUST be rejected with `ValidationException` and change nothing.
//# TagResource MUST add each given tag to the table, replacing the value of a key the table already has.
//# UntagResource MUST remove the tags of the given keys; a key the table does not have MUST be ignored.
//# ListTagsOfResource MUST answer every tag of the table in one page, ordered by key, without `NextToken`, and `Tags` `[]` for a table without tags.
//# The `Tags` of a CreateTable MUST be checked as TagResource checks them, before `SSESpecification`, and MUST become the new table's tags.
fn tags(ctx: &mut Ctx<'_>) -> CaseResult {
    let tag = |k: &str, v: &str| json!({"Key": k, "Value": v});
    let (_, r) = create(
        ctx,
        "tag-bad",
        &[],
        json!({"Tags": [tag("aws:x", "1")], "SSESpecification": {"SSEType": "AES256"}}),
    )?;
    refused(&r, "ValidationException", None)?;
    let (name, r) = create(
        ctx,
        "tagged",
        &[],
        json!({"Tags": [tag("b", "2"), tag("a", "1")]}),
    )?;
    r.ok()?;
    let arn = r.ok()?["TableDescription"]["TableArn"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let list = |ctx: &mut Ctx<'_>| -> Result<Value, Failure> {
        let r = ctx.ddb("ListTagsOfResource", json!({"ResourceArn": arn}))?;
        r.same_as_model()?;
        Ok(r.ok()?.clone())
    };
    check_eq(
        "CreateTable's tags, by key",
        &json!({"Tags": [tag("a", "1"), tag("b", "2")]}),
        &list(ctx)?,
    )?;
    let r = ctx.ddb(
        "TagResource",
        json!({"ResourceArn": arn, "Tags": [tag("a", "9"), tag("c", "")]}),
    )?;
    r.same_as_model()?;
    check_eq("TagResource answer", &json!({}), r.ok()?)?;
    check_eq(
        "after TagResource",
        &json!({"Tags": [tag("a", "9"), tag("b", "2"), tag("c", "")]}),
        &list(ctx)?,
    )?;
    let r = ctx.ddb(
        "UntagResource",
        json!({"ResourceArn": arn, "TagKeys": ["b", "zz"]}),
    )?;
    r.same_as_model()?;
    r.ok()?;
    check_eq(
        "after UntagResource",
        &json!({"Tags": [tag("a", "9"), tag("c", "")]}),
        &list(ctx)?,
    )?;
    let many: Vec<Value> = (0..49).map(|i| tag(&format!("k{i:02}"), "v")).collect();
    let r = ctx.ddb("TagResource", json!({"ResourceArn": arn, "Tags": many}))?;
    refused(&r, "ValidationException", None)?;
    check_eq(
        "a refused TagResource changes nothing",
        &json!({"Tags": [tag("a", "9"), tag("c", "")]}),
        &list(ctx)?,
    )?;
    for bad in [
        json!([tag("", "v")]),
        json!([tag(&"k".repeat(129), "v")]),
        json!([tag("k", &"v".repeat(257))]),
        json!([{"Key": "k"}]),
        json!([tag("aws:cost", "v")]),
    ] {
        let r = ctx.ddb("TagResource", json!({"ResourceArn": arn, "Tags": bad}))?;
        refused(&r, "ValidationException", None)?;
    }
    let r = ctx.ddb("ListTagsOfResource", json!({}))?;
    refused(
        &r,
        "ValidationException",
        Some(
            "1 validation error detected: Value null at 'resourceArn' failed to satisfy constraint: Member must not be null",
        ),
    )?;
    let other_region = arn.replacen(ctx.region(), "xx-nowhere-1", 1);
    let r = ctx.ddb("ListTagsOfResource", json!({"ResourceArn": other_region}))?;
    refused(
        &r,
        "ValidationException",
        Some(&format!("Invalid TableArn: {other_region}")),
    )?;
    let missing = format!("{arn}-missing");
    let r = ctx.ddb(
        "UntagResource",
        json!({"ResourceArn": missing, "TagKeys": ["a"]}),
    )?;
    refused(
        &r,
        "ResourceNotFoundException",
        Some(&format!(
            "Requested resource not found: ResourcArn: {missing} not found"
        )),
    )?;
    let plain = ctx.created_table("untagged", None)?;
    let plain_arn = ctx.describe(&plain)?["TableArn"].clone();
    let r = ctx.ddb("ListTagsOfResource", json!({"ResourceArn": plain_arn}))?;
    r.same_as_model()?;
    check_eq("a table without tags", &json!({"Tags": []}), r.ok()?)?;
    let _ = name;
    Ok(())
}

fn pitr_update(ctx: &mut Ctx<'_>, table: &str, spec: Value) -> Result<Reply, Failure> {
    ctx.ddb(
        "UpdateContinuousBackups",
        json!({"TableName": table, "PointInTimeRecoverySpecification": spec}),
    )
}

//= spec/control-plane.md#pitr
//= type=test
//# DescribeContinuousBackups and UpdateContinuousBackups naming a table that does not exist, or one that is `ARCHIVING` or `ARCHIVED`, MUST fail with `TableNotFoundException` and the message `Table not found: <table name>`.
//# `ContinuousBackupsStatus` MUST be `ENABLED` for every table; while point-in-time recovery is disabled `PointInTimeRecoveryDescription` MUST be `{"PointInTimeRecoveryStatus": "DISABLED"}` alone.
//# While it is enabled, the description MUST carry `PointInTimeRecoveryStatus` `ENABLED`, `RecoveryPeriodInDays`, `EarliestRestorableDateTime` equal to the later of the time it was enabled and `now` minus the recovery period, and `LatestRestorableDateTime` equal to the later of the time it was enabled and `now` minus 5 minutes, both in epoch seconds.
//# An UpdateContinuousBackups without `PointInTimeRecoverySpecification` or without its `PointInTimeRecoveryEnabled`, or with a `RecoveryPeriodInDays` outside 1-35, MUST be rejected with `ValidationException` and DynamoDB's constraint message.
//# A `RecoveryPeriodInDays` given while `PointInTimeRecoveryEnabled` is false MUST be rejected with `ValidationException`.
//# An accepted UpdateContinuousBackups that enables point-in-time recovery MUST keep the time it was first enabled when it was enabled already (changing only the recovery period), and one that disables it MUST forget that time.
fn pitr(ctx: &mut Ctx<'_>) -> CaseResult {
    let missing = ctx.name("missing");
    let r = ctx.ddb("DescribeContinuousBackups", json!({"TableName": missing}))?;
    refused(
        &r,
        "TableNotFoundException",
        Some(&format!("Table not found: {missing}")),
    )?;
    let r = pitr_update(ctx, &missing, json!({"PointInTimeRecoveryEnabled": true}))?;
    refused(
        &r,
        "TableNotFoundException",
        Some(&format!("Table not found: {missing}")),
    )?;
    let table = ctx.created_table("pitr", None)?;
    let r = ctx.ddb("DescribeContinuousBackups", json!({"TableName": table}))?;
    r.same_as_model()?;
    check_eq(
        "disabled",
        &json!({"ContinuousBackupsDescription": {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}}),
        r.ok()?,
    )?;
    for bad in [
        json!({}),
        json!({"PointInTimeRecoveryEnabled": true, "RecoveryPeriodInDays": 0}),
        json!({"PointInTimeRecoveryEnabled": true, "RecoveryPeriodInDays": 36}),
        json!({"PointInTimeRecoveryEnabled": false, "RecoveryPeriodInDays": 7}),
    ] {
        let r = pitr_update(ctx, &table, bad)?;
        refused(&r, "ValidationException", None)?;
    }
    let r = ctx.ddb("UpdateContinuousBackups", json!({"TableName": table}))?;
    refused(
        &r,
        "ValidationException",
        Some(
            "1 validation error detected: Value null at 'pointInTimeRecoverySpecification' failed to satisfy constraint: Member must not be null",
        ),
    )?;
    let enabled_at = ctx.now().epoch_seconds();
    let r = pitr_update(ctx, &table, json!({"PointInTimeRecoveryEnabled": true}))?;
    r.same_as_model()?;
    let window = |earliest: f64, latest: f64, days: i64| {
        json!({"ContinuousBackupsDescription": {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": {
        "PointInTimeRecoveryStatus": "ENABLED", "RecoveryPeriodInDays": days,
        "EarliestRestorableDateTime": earliest, "LatestRestorableDateTime": latest}}})
    };
    check_eq("just enabled", &window(enabled_at, enabled_at, 35), r.ok()?)?;
    ctx.advance(3_600_000)?;
    let r = pitr_update(
        ctx,
        &table,
        json!({"PointInTimeRecoveryEnabled": true, "RecoveryPeriodInDays": 1}),
    )?;
    r.same_as_model()?;
    let now = ctx.now().epoch_seconds();
    check_eq(
        "an hour later, period 1 day",
        &window(enabled_at, now - 300.0, 1),
        r.ok()?,
    )?;
    ctx.advance(2 * 86_400_000)?;
    let r = ctx.ddb("DescribeContinuousBackups", json!({"TableName": table}))?;
    r.same_as_model()?;
    let now = ctx.now().epoch_seconds();
    check_eq(
        "two days later",
        &window(now - 86_400.0, now - 300.0, 1),
        r.ok()?,
    )?;
    let r = pitr_update(ctx, &table, json!({"PointInTimeRecoveryEnabled": false}))?;
    r.same_as_model()?;
    let r = pitr_update(ctx, &table, json!({"PointInTimeRecoveryEnabled": true}))?;
    let now = ctx.now().epoch_seconds();
    check_eq("enabled again: a new start", &window(now, now, 35), r.ok()?)?;
    // An ARCHIVING table: its key disabled for 900 s plus 7 days.
    let key = ctx.create_key()?;
    let archived = ctx.created_table(
        "archived",
        Some(json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key.arn})),
    )?;
    ctx.kms("DisableKey", json!({"KeyId": key.id}))?.ok()?;
    ctx.advance(900_000 + 7 * 86_400_000)?;
    check_eq(
        "the table archives",
        &json!("ARCHIVING"),
        &ctx.describe(&archived)?["TableStatus"],
    )?;
    let r = ctx.ddb("DescribeContinuousBackups", json!({"TableName": archived}))?;
    refused(
        &r,
        "TableNotFoundException",
        Some(&format!("Table not found: {archived}")),
    )
}

//= spec/control-plane.md#limits
//= type=test
//# DescribeLimits MUST answer `AccountMaxReadCapacityUnits` and `AccountMaxWriteCapacityUnits` 80000 and `TableMaxReadCapacityUnits` and `TableMaxWriteCapacityUnits` 40000.
fn limits(ctx: &mut Ctx<'_>) -> CaseResult {
    let r = ctx.ddb("DescribeLimits", json!({}))?;
    r.same_as_model()?;
    check_eq(
        "DescribeLimits",
        &json!({"AccountMaxReadCapacityUnits": 80000, "AccountMaxWriteCapacityUnits": 80000, "TableMaxReadCapacityUnits": 40000, "TableMaxWriteCapacityUnits": 40000}),
        r.ok()?,
    )
}
