//! UpdateTable without `SSESpecification` on the model: the request that changes nothing, and
//! each of `BillingMode`, `TableClass`, `StreamSpecification` and `ReplicaUpdates` alone
//! (`spec/control-plane.md#update-table`).

use ddbsse_wire::time::MANUAL_CLOCK_START;
use serde_json::{Value, json};

use super::support::{Driver, RATINGS};

const NOTHING: &str = "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required";

/// A model with the blog's table (provisioned, 5 and 5, the AWS owned key), one second later.
fn provisioned() -> Driver {
    let mut d = Driver::new();
    d.create_ratings(Value::Null).result.expect("created");
    d.advance(1);
    d
}

/// Epoch seconds of the driver's clock.
fn seconds(d: &Driver) -> f64 {
    d.now.epoch_seconds()
}

/// An UpdateTable of the blog's table with `member` as its only other member.
fn update_with(d: &mut Driver, member: &str, value: Value) -> Result<Value, ddbsse_wire::ApiError> {
    let mut body = json!({"TableName": RATINGS});
    body[member] = value;
    match d.call("UpdateTable", body).result {
        Ok(r) => Ok(r.body()["TableDescription"].clone()),
        Err(e) => Err(e),
    }
}

#[test]
fn nothing_to_update_and_each_member_alone_is_something() {
    //= spec/control-plane.md#update-table-nothing
    //= type=test
    //# An UpdateTable that carries no member besides `TableName` MUST fail with `ValidationException` and the message `At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required`.
    //= spec/control-plane.md#update-table-nothing
    //= type=test
    //# An UpdateTable that carries `TableName` and exactly one of `BillingMode`, `ProvisionedThroughput`, `GlobalSecondaryIndexUpdates`, `StreamSpecification`, `ReplicaUpdates`, `TableClass` or `DeletionProtectionEnabled` MUST NOT fail with that message.
    let mut d = provisioned();
    let e = d.err("UpdateTable", json!({"TableName": RATINGS}));
    assert_eq!(
        (e.name(), e.message.as_str()),
        ("ValidationException", NOTHING)
    );
    for (member, value) in [
        ("BillingMode", json!("PAY_PER_REQUEST")),
        (
            "ProvisionedThroughput",
            json!({"ReadCapacityUnits": 6, "WriteCapacityUnits": 6}),
        ),
        (
            "GlobalSecondaryIndexUpdates",
            json!([{"Delete": {"IndexName": "none"}}]),
        ),
        ("StreamSpecification", json!({"StreamEnabled": false})),
        (
            "ReplicaUpdates",
            json!([{"Create": {"RegionName": "eu-west-1"}}]),
        ),
        ("TableClass", json!("STANDARD")),
        ("DeletionProtectionEnabled", json!(false)),
    ] {
        let mut d = provisioned();
        if let Err(e) = update_with(&mut d, member, value) {
            assert_ne!(e.message, NOTHING, "{member} alone");
        }
    }
}

#[test]
fn billing_mode_alone_switches_and_describes_the_summary() {
    //= spec/control-plane.md#update-billing
    //= type=test
    //# An UpdateTable with `BillingMode` `PAY_PER_REQUEST` and no other member besides `TableName` MUST be accepted on a `PROVISIONED` table, and its response and every later DescribeTable MUST show `BillingModeSummary` with `BillingMode` `PAY_PER_REQUEST` and `LastUpdateToPayPerRequestDateTime` equal to the request's time, and `ProvisionedThroughput` with `ReadCapacityUnits` and `WriteCapacityUnits` 0.
    //= spec/control-plane.md#update-billing
    //= type=test
    //# An UpdateTable with `BillingMode` `PROVISIONED` and `ProvisionedThroughput` on a `PAY_PER_REQUEST` table MUST be accepted, and its response and every later DescribeTable MUST show the requested capacities and `BillingModeSummary` with `BillingMode` `PROVISIONED` and the `LastUpdateToPayPerRequestDateTime` of the table's last switch to `PAY_PER_REQUEST` (its creation time when it was created so).
    let mut d = provisioned();
    assert!(d.describe(RATINGS).get("BillingModeSummary").is_none());
    let switched_at = seconds(&d);
    let desc = update_with(&mut d, "BillingMode", json!("PAY_PER_REQUEST")).expect("on demand");
    d.advance(5);
    for desc in [desc, d.describe(RATINGS)] {
        assert_eq!(
            desc["BillingModeSummary"],
            json!({"BillingMode": "PAY_PER_REQUEST", "LastUpdateToPayPerRequestDateTime": switched_at})
        );
        assert_eq!(desc["ProvisionedThroughput"]["ReadCapacityUnits"], 0);
        assert_eq!(desc["ProvisionedThroughput"]["WriteCapacityUnits"], 0);
    }
    let mut body = json!({"TableName": RATINGS, "BillingMode": "PROVISIONED"});
    body["ProvisionedThroughput"] = json!({"ReadCapacityUnits": 3, "WriteCapacityUnits": 4});
    let back = d.ok("UpdateTable", body)["TableDescription"].clone();
    d.advance(5);
    for desc in [back, d.describe(RATINGS)] {
        assert_eq!(
            desc["BillingModeSummary"],
            json!({"BillingMode": "PROVISIONED", "LastUpdateToPayPerRequestDateTime": switched_at})
        );
        assert_eq!(desc["ProvisionedThroughput"]["ReadCapacityUnits"], 3);
        assert_eq!(desc["ProvisionedThroughput"]["WriteCapacityUnits"], 4);
    }
    // A table created on demand counts from its creation.
    let mut d = Driver::new();
    let mut body = super::support::ratings_table("on-demand", Value::Null);
    body["BillingMode"] = json!("PAY_PER_REQUEST");
    body.as_object_mut()
        .expect("object")
        .remove("ProvisionedThroughput");
    d.ok("CreateTable", body);
    d.advance(60);
    let mut back = json!({"TableName": "on-demand", "BillingMode": "PROVISIONED"});
    back["ProvisionedThroughput"] = json!({"ReadCapacityUnits": 1, "WriteCapacityUnits": 2});
    let desc = d.ok("UpdateTable", back)["TableDescription"].clone();
    assert_eq!(
        desc["BillingModeSummary"],
        json!({"BillingMode": "PROVISIONED", "LastUpdateToPayPerRequestDateTime": MANUAL_CLOCK_START.epoch_seconds()})
    );
}

#[test]
fn provisioned_without_throughput_is_refused_on_any_table() {
    //= spec/control-plane.md#update-billing
    //= type=test
    //# An UpdateTable with `BillingMode` `PROVISIONED` and without `ProvisionedThroughput` MUST fail with `ValidationException` and the message `One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED`, whatever the table's current billing mode.
    let mut d = provisioned();
    for _ in 0..2 {
        let e = update_with(&mut d, "BillingMode", json!("PROVISIONED")).expect_err("refused");
        assert_eq!(e.name(), "ValidationException");
        assert_eq!(
            e.message,
            "One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED"
        );
        update_with(&mut d, "BillingMode", json!("PAY_PER_REQUEST")).expect("on demand");
    }
}

#[test]
fn table_class_alone_sets_the_summary() {
    //= spec/control-plane.md#update-table-class
    //= type=test
    //# An UpdateTable with `TableClass` `STANDARD` or `STANDARD_INFREQUENT_ACCESS` and no other member besides `TableName` MUST be accepted, and its response and every later DescribeTable MUST show `TableClassSummary` with that `TableClass` and `LastUpdateDateTime` equal to the request's time.
    //= spec/control-plane.md#update-table-class
    //= type=test
    //# An UpdateTable whose `TableClass` is neither `STANDARD` nor `STANDARD_INFREQUENT_ACCESS` MUST fail with `ValidationException` and the message `Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS].`
    let mut d = provisioned();
    assert!(d.describe(RATINGS).get("TableClassSummary").is_none());
    for class in ["STANDARD_INFREQUENT_ACCESS", "STANDARD"] {
        let at = seconds(&d);
        let desc = update_with(&mut d, "TableClass", json!(class)).expect(class);
        d.advance(3);
        for desc in [desc, d.describe(RATINGS)] {
            assert_eq!(
                desc["TableClassSummary"],
                json!({"TableClass": class, "LastUpdateDateTime": at})
            );
        }
    }
    let e = update_with(&mut d, "TableClass", json!("GLACIER")).expect_err("refused");
    assert_eq!(e.name(), "ValidationException");
    assert_eq!(
        e.message,
        "Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS]."
    );
}

#[test]
fn stream_and_replica_changes_are_refused() {
    //= spec/control-plane.md#update-streams
    //= type=test
    //# An UpdateTable whose `StreamSpecification` has `StreamEnabled` false MUST fail with `ValidationException` and the message `Table has no stream to disable: TableName: <table name>`.
    //= spec/control-plane.md#update-streams
    //= type=test
    //# An UpdateTable whose `StreamSpecification` has `StreamEnabled` true MUST fail with `ValidationException` and the message `One or more parameter values were invalid: StreamSpecification cannot enable a stream: ddbsse does not implement DynamoDB Streams`.
    //= spec/control-plane.md#update-replicas
    //= type=test
    //# An UpdateTable that carries `ReplicaUpdates` MUST fail with `ValidationException` and the message `One or more parameter values were invalid: ReplicaUpdates cannot be applied: ddbsse does not implement global tables`.
    let mut d = provisioned();
    let cases = [
        (
            "StreamSpecification",
            json!({"StreamEnabled": false}),
            format!("Table has no stream to disable: TableName: {RATINGS}"),
        ),
        (
            "StreamSpecification",
            json!({"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"}),
            "One or more parameter values were invalid: StreamSpecification cannot enable a stream: ddbsse does not implement DynamoDB Streams".to_owned(),
        ),
        (
            "ReplicaUpdates",
            json!([{"Create": {"RegionName": "eu-west-1"}}]),
            "One or more parameter values were invalid: ReplicaUpdates cannot be applied: ddbsse does not implement global tables".to_owned(),
        ),
    ];
    for (member, value, message) in cases {
        let e = update_with(&mut d, member, value).expect_err(member);
        assert_eq!((e.name(), e.message), ("ValidationException", message));
    }
    // Refused before anything else changes: the table is as it was.
    let desc = d.describe(RATINGS);
    assert_eq!(desc["ProvisionedThroughput"]["ReadCapacityUnits"], 5);
    assert!(desc.get("TableClassSummary").is_none());
}
