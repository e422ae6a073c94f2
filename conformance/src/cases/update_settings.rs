//! UpdateTable besides the key: the request that changes nothing, and `BillingMode`,
//! `TableClass`, `StreamSpecification` and `ReplicaUpdates` each alone
//! (`spec/control-plane.md#update-table`). Every refusal is checked with its full message.

use serde_json::{Value, json};

use super::{Case, Need};
use crate::ctx::{CaseResult, Ctx, Failure, Reply, check, check_eq};

/// Cases of this file.
pub const CASES: &[Case] = &[
    Case {
        id: "control-plane/update-table-nothing",
        title: "UpdateTable with TableName alone is refused with the full list; each member alone is not",
        needs: &[],
        run: nothing,
    },
    Case {
        id: "control-plane/update-billing/switch",
        title: "BillingMode alone: on demand with its summary, back to provisioned keeps the date",
        needs: &[Need::ManualClock],
        run: billing_switch,
    },
    Case {
        id: "control-plane/update-billing/provisioned-needs-throughput",
        title: "BillingMode PROVISIONED without ProvisionedThroughput is refused on either mode",
        needs: &[],
        run: provisioned_needs_throughput,
    },
    Case {
        id: "control-plane/update-table-class",
        title: "TableClass alone: TableClassSummary with the time of the update; other values refused",
        needs: &[Need::ManualClock],
        run: table_class,
    },
    Case {
        id: "control-plane/update-streams",
        title: "StreamSpecification alone: no stream to disable, enabling refused",
        needs: &[],
        run: streams,
    },
    Case {
        id: "control-plane/update-replicas",
        title: "ReplicaUpdates alone is refused",
        needs: &[],
        run: replicas,
    },
];

const NOTHING: &str = "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required";

/// UpdateTable of `table` with `members` besides `TableName`.
fn update(ctx: &mut Ctx<'_>, table: &str, members: Value) -> Result<Reply, Failure> {
    let mut body = members;
    body["TableName"] = json!(table);
    ctx.ddb("UpdateTable", body)
}

/// A refusal with `message`, as the model refuses.
fn refused(r: &Reply, message: &str) -> CaseResult {
    r.expect_error("ValidationException", Some(message))?;
    r.same_as_model()
}

//= spec/control-plane.md#update-table-nothing
//= type=test
//# An UpdateTable that carries no member besides `TableName` MUST fail with `ValidationException` and the message `At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required`.
//# An UpdateTable that carries `TableName` and exactly one of `BillingMode`, `ProvisionedThroughput`, `GlobalSecondaryIndexUpdates`, `StreamSpecification`, `ReplicaUpdates`, `TableClass` or `DeletionProtectionEnabled` MUST NOT fail with that message.
fn nothing(ctx: &mut Ctx<'_>) -> CaseResult {
    let table = ctx.created_table("nothing", None)?;
    refused(&update(ctx, &table, json!({}))?, NOTHING)?;
    for member in [
        json!({"BillingMode": "PROVISIONED"}),
        json!({"ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}),
        json!({"StreamSpecification": {"StreamEnabled": false}}),
        json!({"ReplicaUpdates": [{"Create": {"RegionName": "eu-west-1"}}]}),
        json!({"TableClass": "NO_SUCH_CLASS"}),
        json!({"DeletionProtectionEnabled": false}),
    ] {
        let r = update(ctx, &table, member.clone())?;
        check(
            r.message() != Some(NOTHING),
            format!("UpdateTable with {member} alone is not refused as changing nothing"),
            crate::normalize::short(&r.body),
        )?;
    }
    Ok(())
}

//= spec/control-plane.md#update-billing
//= type=test
//# An UpdateTable with `BillingMode` `PAY_PER_REQUEST` and no other member besides `TableName` MUST be accepted on a `PROVISIONED` table, and its response and every later DescribeTable MUST show `BillingModeSummary` with `BillingMode` `PAY_PER_REQUEST` and `LastUpdateToPayPerRequestDateTime` equal to the request's time, and `ProvisionedThroughput` with `ReadCapacityUnits` and `WriteCapacityUnits` 0.
//# An UpdateTable with `BillingMode` `PROVISIONED` and `ProvisionedThroughput` on a `PAY_PER_REQUEST` table MUST be accepted, and its response and every later DescribeTable MUST show the requested capacities and `BillingModeSummary` with `BillingMode` `PROVISIONED` and the `LastUpdateToPayPerRequestDateTime` of the table's last switch to `PAY_PER_REQUEST` (its creation time when it was created so).
fn billing_switch(ctx: &mut Ctx<'_>) -> CaseResult {
    // Ctx::table_body creates tables on demand.
    let created = ctx.now().epoch_seconds();
    let table = ctx.created_table("billing", None)?;
    let provisioned = json!({"BillingMode": "PROVISIONED", "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4}});
    let summary = |desc: &Value| {
        json!([
            desc["BillingModeSummary"],
            desc["ProvisionedThroughput"]["ReadCapacityUnits"],
            desc["ProvisionedThroughput"]["WriteCapacityUnits"]
        ])
    };
    ctx.advance(1_000)?;
    let r = update(ctx, &table, provisioned.clone())?;
    check_eq(
        "UpdateTable to PROVISIONED of a table created on demand: its creation time kept",
        &json!([{"BillingMode": "PROVISIONED", "LastUpdateToPayPerRequestDateTime": created}, 3, 4]),
        &summary(&r.ok()?["TableDescription"]),
    )?;
    ctx.advance(1_000)?;
    let at = ctx.now().epoch_seconds();
    let r = update(ctx, &table, json!({"BillingMode": "PAY_PER_REQUEST"}))?;
    let answered = r.ok()?["TableDescription"].clone();
    ctx.advance(5_000)?;
    let described = ctx.describe(&table)?;
    for (what, desc) in [
        ("UpdateTable", &answered),
        ("DescribeTable 5 s later", &described),
    ] {
        check_eq(
            &format!("{what}: BillingModeSummary and ProvisionedThroughput on demand"),
            &json!([{"BillingMode": "PAY_PER_REQUEST", "LastUpdateToPayPerRequestDateTime": at}, 0, 0]),
            &summary(desc),
        )?;
    }
    let r = update(ctx, &table, provisioned)?;
    let answered = r.ok()?["TableDescription"].clone();
    ctx.advance(5_000)?;
    let described = ctx.describe(&table)?;
    for (what, desc) in [
        ("UpdateTable", &answered),
        ("DescribeTable 5 s later", &described),
    ] {
        check_eq(
            &format!("{what}: back to provisioned, the date of the switch to on demand kept"),
            &json!([{"BillingMode": "PROVISIONED", "LastUpdateToPayPerRequestDateTime": at}, 3, 4]),
            &summary(desc),
        )?;
    }
    Ok(())
}

//= spec/control-plane.md#update-billing
//= type=test
//# An UpdateTable with `BillingMode` `PROVISIONED` and without `ProvisionedThroughput` MUST fail with `ValidationException` and the message `One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED`, whatever the table's current billing mode.
fn provisioned_needs_throughput(ctx: &mut Ctx<'_>) -> CaseResult {
    // Created on demand (Ctx::table_body), then provisioned.
    let table = ctx.created_table("billing", None)?;
    let message = "One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED";
    refused(
        &update(ctx, &table, json!({"BillingMode": "PROVISIONED"}))?,
        message,
    )?;
    update(
        ctx,
        &table,
        json!({"BillingMode": "PROVISIONED", "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2}}),
    )?
    .ok()?;
    refused(
        &update(ctx, &table, json!({"BillingMode": "PROVISIONED"}))?,
        message,
    )
}

//= spec/control-plane.md#update-table-class
//= type=test
//# An UpdateTable with `TableClass` `STANDARD` or `STANDARD_INFREQUENT_ACCESS` and no other member besides `TableName` MUST be accepted, and its response and every later DescribeTable MUST show `TableClassSummary` with that `TableClass` and `LastUpdateDateTime` equal to the request's time.
//# An UpdateTable whose `TableClass` is neither `STANDARD` nor `STANDARD_INFREQUENT_ACCESS` MUST fail with `ValidationException` and the message `Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS].`
fn table_class(ctx: &mut Ctx<'_>) -> CaseResult {
    let table = ctx.created_table("class", None)?;
    refused(
        &update(ctx, &table, json!({"TableClass": "GLACIER"}))?,
        "Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS].",
    )?;
    for class in ["STANDARD_INFREQUENT_ACCESS", "STANDARD"] {
        ctx.advance(1_000)?;
        let at = ctx.now().epoch_seconds();
        let r = update(ctx, &table, json!({"TableClass": class}))?;
        let answered = r.ok()?["TableDescription"]["TableClassSummary"].clone();
        ctx.advance(3_000)?;
        let described = ctx.describe(&table)?["TableClassSummary"].clone();
        let expected = json!({"TableClass": class, "LastUpdateDateTime": at});
        check_eq(
            &format!("UpdateTable TableClass {class}: TableClassSummary"),
            &expected,
            &answered,
        )?;
        check_eq(
            &format!("DescribeTable 3 s after TableClass {class}"),
            &expected,
            &described,
        )?;
    }
    Ok(())
}

//= spec/control-plane.md#update-streams
//= type=test
//# An UpdateTable whose `StreamSpecification` has `StreamEnabled` false MUST fail with `ValidationException` and the message `Table has no stream to disable: TableName: <table name>`.
//# An UpdateTable whose `StreamSpecification` has `StreamEnabled` true MUST fail with `ValidationException` and the message `One or more parameter values were invalid: StreamSpecification cannot enable a stream: ddbsse does not implement DynamoDB Streams`.
fn streams(ctx: &mut Ctx<'_>) -> CaseResult {
    let table = ctx.created_table("stream", None)?;
    refused(
        &update(
            ctx,
            &table,
            json!({"StreamSpecification": {"StreamEnabled": false}}),
        )?,
        &format!("Table has no stream to disable: TableName: {table}"),
    )?;
    refused(
        &update(
            ctx,
            &table,
            json!({"StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"}}),
        )?,
        "One or more parameter values were invalid: StreamSpecification cannot enable a stream: ddbsse does not implement DynamoDB Streams",
    )
}

//= spec/control-plane.md#update-replicas
//= type=test
//# An UpdateTable that carries `ReplicaUpdates` MUST fail with `ValidationException` and the message `One or more parameter values were invalid: ReplicaUpdates cannot be applied: ddbsse does not implement global tables`.
fn replicas(ctx: &mut Ctx<'_>) -> CaseResult {
    let table = ctx.created_table("replica", None)?;
    refused(
        &update(
            ctx,
            &table,
            json!({"ReplicaUpdates": [{"Create": {"RegionName": "eu-west-1"}}]}),
        )?,
        "One or more parameter values were invalid: ReplicaUpdates cannot be applied: ddbsse does not implement global tables",
    )
}
