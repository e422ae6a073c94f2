//! The trail (`spec/trail.md`): after each scenario, LookupEvents is compared with what the
//! reference model recorded for the same scenario (normalised, `spec/conformance.md#normalization`),
//! and the record shape and LookupEvents' own rules are checked literally.
//!
//! The scenarios are public so that the test suite can pin the model's trail of each one as an
//! insta snapshot (`conformance/tests/suite/snapshots/`).

use std::collections::BTreeSet;

use ddbsse_wire::time::{MINUTE, SECOND};
use serde_json::{Value, json};

use super::Case;
use crate::ctx::{CaseResult, Ctx, check, check_eq};

/// Cases of this file.
pub const CASES: &[Case] = &[
    Case {
        id: "trail/ddb-kms-calls/create-table",
        title: "CreateTable with a customer key: DescribeKey, CreateGrant, GenerateDataKey, CreateTable as the model records",
        needs: &[crate::cases::Need::Clock],
        run: |ctx| {
            create_table_scenario(ctx)?;
            order_of(
                ctx,
                &[
                    "DescribeKey",
                    "CreateGrant",
                    "GenerateDataKey",
                    "CreateTable",
                ],
            )?;
            ctx.trail_matches_model()
        },
    },
    Case {
        id: "trail/ddb-kms-calls/update-table",
        title: "UpdateTable to another key: the new key's calls, then RetireGrant, as the model records",
        needs: &[crate::cases::Need::Clock],
        run: |ctx| {
            update_table_scenario(ctx)?;
            ctx.trail_matches_model()
        },
    },
    Case {
        id: "trail/ddb-kms-calls/delete-table",
        title: "DeleteTable of a KMS table: RetireGrant then DeleteTable, as the model records",
        needs: &[crate::cases::Need::Clock],
        run: |ctx| {
            delete_table_scenario(ctx)?;
            ctx.trail_matches_model()
        },
    },
    Case {
        id: "trail/ddb-kms-calls/data-plane",
        title: "data plane over two connections and a refresh: Decrypt records as the model records",
        needs: &[crate::cases::Need::Clock],
        run: |ctx| {
            data_plane_scenario(ctx)?;
            ctx.trail_matches_model()
        },
    },
    Case {
        id: "trail/ddb-kms-calls/blog-walkthrough",
        title: "the blog's walkthrough (managed key, idle 5 minutes, a disabled customer key) as the model records",
        needs: &[crate::cases::Need::Clock],
        run: |ctx| {
            blog_walkthrough(ctx)?;
            ctx.trail_matches_model()
        },
    },
    Case {
        id: "trail/record",
        title: "every record carries exactly the members of spec/trail.md section 3 with the fixed values",
        needs: &[crate::cases::Need::Clock],
        run: record_members,
    },
    Case {
        id: "trail/key-deletion",
        title: "at its deletion date a key gets KMS's DeleteKey AwsServiceEvent record, dated then",
        needs: &[crate::cases::Need::Clock],
        run: key_deletion,
    },
    Case {
        id: "trail/response-elements/key-deletion",
        title: "ScheduleKeyDeletion and CancelKeyDeletion records answer keyId, keyState and a CloudTrail date",
        needs: &[crate::cases::Need::Clock],
        run: key_deletion_responses,
    },
    Case {
        id: "trail/key-material-tls/key-material-id",
        title: "GenerateDataKey and Decrypt records, direct and DynamoDB's, name the key's CurrentKeyMaterialId",
        needs: &[crate::cases::Need::Clock],
        run: key_material_id,
    },
    Case {
        id: "trail/recorded/no-data-plane",
        title: "data-plane requests and LookupEvents are not recorded; control-plane requests are",
        needs: &[],
        run: not_recorded,
    },
    Case {
        id: "trail/lookup-shape",
        title: "LookupEvents: newest first, each event's members derived from its record",
        needs: &[crate::cases::Need::Clock],
        run: lookup_shape,
    },
    Case {
        id: "trail/lookup-attributes",
        title: "one lookup attribute filters; two are InvalidLookupAttributesException",
        needs: &[crate::cases::Need::Clock],
        run: lookup_attributes,
    },
    Case {
        id: "trail/lookup-time",
        title: "StartTime after EndTime is InvalidTimeRangeException",
        needs: &[crate::cases::Need::Clock],
        run: lookup_time,
    },
    Case {
        id: "trail/lookup-paging",
        title: "MaxResults pages with NextToken; 51 is InvalidMaxResultsException",
        needs: &[crate::cases::Need::Clock],
        run: lookup_paging,
    },
    Case {
        id: "trail/lookup-category",
        title: "EventCategory insight returns no events; any other value is InvalidEventCategoryException",
        needs: &[crate::cases::Need::Clock],
        run: lookup_category,
    },
];

fn kms_sse(key: &str) -> Value {
    json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key})
}

fn order_of(ctx: &mut Ctx<'_>, names: &[&str]) -> CaseResult {
    let trail = ctx.trail()?;
    let observed: Vec<Value> = trail
        .iter()
        .filter(|r| r["eventName"] != "CreateKey")
        .map(|r| r["eventName"].clone())
        .collect();
    check_eq(
        "eventName of the records, oldest first",
        &json!(names),
        &Value::Array(observed),
    )
}

//= spec/trail.md#ddb-kms-calls
//= type=test
//# Each DynamoDB request MUST produce exactly the KMS records the table above lists for it, in the order shown, with the identities shown, and no other KMS record.
//# The KMS records a DynamoDB control-plane request causes MUST come before that request's own `dynamodb.amazonaws.com` record, and all of them MUST carry the request's time.
/// CreateKey, then CreateTable under it.
pub fn create_table_scenario(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    ctx.advance(SECOND)?;
    ctx.created_table("trail", Some(kms_sse(&key.id)))?;
    Ok(())
}

/// A table on key A switched to key B.
pub fn update_table_scenario(ctx: &mut Ctx<'_>) -> CaseResult {
    let a = ctx.create_key()?;
    let b = ctx.create_key()?;
    let table = ctx.created_table("trail", Some(kms_sse(&a.id)))?;
    ctx.advance(SECOND)?;
    ctx.ddb(
        "UpdateTable",
        json!({"TableName": table, "SSESpecification": kms_sse(&b.arn)}),
    )?
    .ok()?;
    Ok(())
}

/// A KMS table deleted.
pub fn delete_table_scenario(ctx: &mut Ctx<'_>) -> CaseResult {
    let a = ctx.create_key()?;
    let table = ctx.created_table("trail", Some(kms_sse(&a.id)))?;
    ctx.advance(SECOND)?;
    ctx.ddb("DeleteTable", json!({"TableName": table}))?.ok()?;
    Ok(())
}

/// Puts and gets over two connections, then a refresh after 300 s.
pub fn data_plane_scenario(ctx: &mut Ctx<'_>) -> CaseResult {
    let a = ctx.create_key()?;
    let table = ctx.created_table("trail", Some(kms_sse(&a.id)))?;
    let second = ctx.open_connection()?;
    ctx.put(&table, "a", "1")?.ok()?;
    ctx.get_as(0, second, &table, "a")?.ok()?;
    ctx.advance(300 * SECOND)?;
    ctx.get(&table, "a")?.ok()?;
    ctx.get_as(0, second, &table, "a")?.ok()?;
    Ok(())
}

/// The blog's walkthrough: create-table as in the blog (AWS managed key), describe-table,
/// put-item, get-item, five idle minutes, get-item; then a customer-key table whose key is
/// disabled, six minutes, get-item (refused), enable-key, get-item.
pub fn blog_walkthrough(ctx: &mut Ctx<'_>) -> CaseResult {
    let ratings = ctx.name("ratings");
    ctx.ddb(
        "CreateTable",
        json!({
            "TableName": ratings,
            "AttributeDefinitions": [{"AttributeName": "player", "AttributeType": "S"}, {"AttributeName": "rating", "AttributeType": "N"}],
            "KeySchema": [{"AttributeName": "player", "KeyType": "HASH"}, {"AttributeName": "rating", "KeyType": "RANGE"}],
            "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
            "SSESpecification": {"Enabled": true, "SSEType": "KMS"}
        }),
    )?
    .ok()?;
    ctx.ddb("DescribeTable", json!({"TableName": ratings}))?
        .ok()?;
    let item = json!({"player": {"S": "alice"}, "rating": {"N": "5"}});
    ctx.ddb("PutItem", json!({"TableName": ratings, "Item": item}))?
        .ok()?;
    ctx.ddb("GetItem", json!({"TableName": ratings, "Key": item}))?
        .ok()?;
    ctx.advance(5 * MINUTE)?;
    ctx.ddb("GetItem", json!({"TableName": ratings, "Key": item}))?
        .ok()?;
    let key = ctx.create_key()?;
    let table = ctx.created_table("custom", Some(kms_sse(&key.id)))?;
    ctx.put(&table, "a", "1")?.ok()?;
    ctx.kms("DisableKey", json!({"KeyId": key.id}))?.ok()?;
    ctx.advance(6 * MINUTE)?;
    ctx.get(&table, "a")?
        .expect_error("ValidationException", None)?;
    ctx.kms("EnableKey", json!({"KeyId": key.id}))?.ok()?;
    ctx.get(&table, "a")?.ok()?;
    Ok(())
}

const MEMBERS: [&str; 22] = [
    "eventVersion",
    "userIdentity",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "errorCode",
    "errorMessage",
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "requestID",
    "eventID",
    "readOnly",
    "resources",
    "eventType",
    "apiVersion",
    "managementEvent",
    "recipientAccountId",
    "sharedEventID",
];

//= spec/trail.md#record
//= type=test
//# Every record MUST carry the members of the table above, with the values it gives, and no other member, so every record carries `eventVersion` `1.11`, `eventType` `AwsApiCall` (`AwsServiceEvent` on the key deletion record), `managementEvent` true, `eventCategory` `Management` and `recipientAccountId` equal to the account id.
fn record_members(ctx: &mut Ctx<'_>) -> CaseResult {
    update_table_scenario(ctx)?;
    let account = ctx.account().to_owned();
    let required: BTreeSet<&str> = [
        "eventVersion",
        "userIdentity",
        "eventTime",
        "eventSource",
        "eventName",
        "awsRegion",
        "sourceIPAddress",
        "userAgent",
        "requestParameters",
        "responseElements",
        "requestID",
        "eventID",
        "readOnly",
        "eventType",
        "managementEvent",
        "recipientAccountId",
        "eventCategory",
    ]
    .into_iter()
    .collect();
    let trail = ctx.trail()?;
    check(!trail.is_empty(), "records of the scenario", "no record")?;
    for r in &trail {
        let keys: BTreeSet<&str> = r
            .as_object()
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let missing: Vec<&&str> = required.difference(&keys).collect();
        let extra: Vec<&&str> = keys
            .iter()
            .filter(|k| !MEMBERS.contains(k) && **k != "eventCategory")
            .collect();
        check(
            missing.is_empty() && extra.is_empty(),
            format!(
                "{} record with the members of spec/trail.md section 3",
                r["eventName"]
            ),
            format!("missing {missing:?}, unexpected {extra:?}"),
        )?;
        check_eq(
            &format!("fixed members of the {} record", r["eventName"]),
            &json!(["1.11", "AwsApiCall", true, "Management", account]),
            &json!([
                r["eventVersion"],
                r["eventType"],
                r["managementEvent"],
                r["eventCategory"],
                r["recipientAccountId"]
            ]),
        )?;
    }
    Ok(())
}

//= spec/trail.md#recorded
//= type=test
//# A target MUST record every KMS operation of `spec/kms.md` (whether a caller or DynamoDB made it) and every DynamoDB control-plane request, successful or failed, and MUST NOT record data-plane requests or LookupEvents.
fn not_recorded(ctx: &mut Ctx<'_>) -> CaseResult {
    let table = ctx.created_table("owned", None)?;
    ctx.put(&table, "a", "1")?.ok()?;
    ctx.get(&table, "a")?.ok()?;
    ctx.ddb("DescribeTable", json!({"TableName": "missing-table-xyz"}))?;
    ctx.lookup_events(json!({}))?;
    let names: Vec<String> = ctx
        .trail()?
        .iter()
        .map(|r| {
            format!(
                "{}{}",
                r["eventName"].as_str().unwrap_or("?"),
                r["errorCode"]
                    .as_str()
                    .map(|e| format!("!{e}"))
                    .unwrap_or_default()
            )
        })
        .collect();
    check_eq(
        "eventName of the records",
        &json!(["CreateTable", "DescribeTable!ResourceNotFoundException"]),
        &json!(names),
    )
}

//= spec/trail.md#lookup-shape
//= type=test
//# LookupEvents MUST return events newest first, a later-recorded event before an earlier one with the same time, each as `{"EventId", "EventName", "ReadOnly", "AccessKeyId", "EventTime", "EventSource", "Username", "Resources", "CloudTrailEvent"}`.
fn lookup_shape(ctx: &mut Ctx<'_>) -> CaseResult {
    update_table_scenario(ctx)?;
    let events = ctx.lookup_events(json!({}))?;
    let names: Vec<Value> = events.iter().map(|e| e["EventName"].clone()).collect();
    let records: Vec<Value> = events
        .iter()
        .map(|e| {
            e["CloudTrailEvent"]
                .as_str()
                .and_then(|s| serde_json::from_str(s).ok())
                .unwrap_or(Value::Null)
        })
        .collect();
    let mut expected: Vec<Value> = ctx
        .model_trail()?
        .iter()
        .map(|r| r["eventName"].clone())
        .collect();
    expected.reverse();
    check_eq(
        "EventName of LookupEvents, newest first",
        &Value::Array(expected),
        &Value::Array(names),
    )?;
    for (e, r) in events.iter().zip(&records) {
        check_eq(
            "LookupEvents members derived from the record",
            &json!([
                r["eventID"],
                r["eventName"],
                r["readOnly"].as_bool().map(|b| b.to_string()),
                r["eventSource"]
            ]),
            &json!([
                e["EventId"],
                e["EventName"],
                e["ReadOnly"],
                e["EventSource"]
            ]),
        )?;
    }
    Ok(())
}

//= spec/trail.md#lookup-attributes
//= type=test
//# With one `LookupAttribute`, LookupEvents MUST return only events whose `EventId`, `EventName`, `ReadOnly`, `Username`, `EventSource` or `AccessKeyId` equals `AttributeValue`, or with a `Resources` entry whose `ResourceType` or `ResourceName` equals it, as `AttributeKey` says.
//# More than one `LookupAttribute`, or an `AttributeKey` outside the enum, MUST fail with `InvalidLookupAttributesException`.
fn lookup_attributes(ctx: &mut Ctx<'_>) -> CaseResult {
    update_table_scenario(ctx)?;
    let grants = ctx.lookup_events(json!({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "CreateGrant"}]}))?;
    check(
        grants.len() == 2 && grants.iter().all(|e| e["EventName"] == "CreateGrant"),
        "2 CreateGrant events",
        format!(
            "{} events: {:?}",
            grants.len(),
            grants
                .iter()
                .map(|e| e["EventName"].clone())
                .collect::<Vec<_>>()
        ),
    )?;
    let r = ctx.call(
        "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents",
        json!({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "CreateGrant"}, {"AttributeKey": "ReadOnly", "AttributeValue": "true"}]}),
    )?;
    r.expect_error("InvalidLookupAttributesException", None)
}

//= spec/trail.md#lookup-time
//= type=test
//# LookupEvents MUST return only events whose `eventTime`, in whole seconds, lies within `StartTime` and `EndTime` inclusive (either bound may be absent), and MUST fail with `InvalidTimeRangeException` when `StartTime` is after `EndTime`.
fn lookup_time(ctx: &mut Ctx<'_>) -> CaseResult {
    create_table_scenario(ctx)?;
    let start = ctx.start().epoch_seconds();
    let r = ctx.call(
        "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents",
        json!({"StartTime": start + 10.0, "EndTime": start}),
    )?;
    r.expect_error("InvalidTimeRangeException", None)?;
    let before = ctx.lookup_events(json!({"EndTime": start}))?;
    check(
        before
            .iter()
            .all(|e| e["EventTime"].as_f64().is_some_and(|t| t <= start)),
        "only events up to EndTime",
        format!(
            "{} events, times {:?}",
            before.len(),
            before
                .iter()
                .map(|e| e["EventTime"].clone())
                .collect::<Vec<_>>()
        ),
    )?;
    // Both bounds are inclusive: StartTime at the first event's second and EndTime at the last
    // one's return every event of the case.
    let all = ctx.lookup_events(json!({}))?;
    let times: Vec<f64> = all.iter().filter_map(|e| e["EventTime"].as_f64()).collect();
    let first = times.iter().copied().fold(f64::INFINITY, f64::min);
    let last = times.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let bounded = ctx.lookup_events(json!({"StartTime": first, "EndTime": last}))?;
    check(
        !all.is_empty() && bounded.len() == all.len(),
        format!(
            "all {} events of the case with StartTime {first} (the first event's) and EndTime {last} (the last one's)",
            all.len()
        ),
        format!("{} events", bounded.len()),
    )?;
    Ok(())
}

//= spec/trail.md#lookup-paging
//= type=test
//# LookupEvents MUST return at most `MaxResults` events, where `MaxResults` is 1 to 50 and defaults to 50, and MUST fail with `InvalidMaxResultsException` for a value outside 1 to 50.
//# When more events match, the response MUST carry a `NextToken` that, sent with the same parameters, returns the following events, and a token that the target did not issue for those parameters MUST fail with `InvalidNextTokenException`.
fn lookup_paging(ctx: &mut Ctx<'_>) -> CaseResult {
    update_table_scenario(ctx)?;
    let all = ctx.lookup_events(json!({}))?;
    let target = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";
    let start = ctx.start().epoch_seconds();
    let first = ctx.call(target, json!({"StartTime": start, "MaxResults": 2}))?;
    let page = first.ok()?.clone();
    let n = page["Events"].as_array().map(Vec::len).unwrap_or(0);
    let token = page["NextToken"].clone();
    check(
        n == 2 && token.is_string(),
        "2 events and a NextToken",
        format!("{n} events, NextToken {token}"),
    )?;
    let second = ctx.call(
        target,
        json!({"StartTime": start, "MaxResults": 2, "NextToken": token}),
    )?;
    let ids: Vec<Value> = second.ok()?["Events"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| e["EventId"].clone())
        .collect();
    let expected: Vec<Value> = all
        .iter()
        .skip(2)
        .take(2)
        .map(|e| e["EventId"].clone())
        .collect();
    check_eq(
        "EventIds of the second page",
        &Value::Array(expected),
        &Value::Array(ids),
    )?;
    ctx.call(target, json!({"MaxResults": 51}))?
        .expect_error("InvalidMaxResultsException", None)?;
    ctx.call(
        target,
        json!({"StartTime": start, "MaxResults": 2, "NextToken": "not-a-token"}),
    )?
    .expect_error("InvalidNextTokenException", None)?;
    // A token the target issued, sent with other parameters (another StartTime, or a filter), is
    // one it did not issue for those parameters.
    ctx.call(
        target,
        json!({"StartTime": start - 1.0, "MaxResults": 2, "NextToken": token}),
    )?
    .expect_error("InvalidNextTokenException", None)?;
    ctx.call(
        target,
        json!({"StartTime": start, "MaxResults": 2, "NextToken": token,
               "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "CreateTable"}]}),
    )?
    .expect_error("InvalidNextTokenException", None)
}

//= spec/trail.md#lookup-category
//= type=test
//# LookupEvents with `EventCategory` `insight` MUST succeed and return no events, and any other `EventCategory` value MUST fail with `InvalidEventCategoryException` and the message `Event category <value> is not valid; the only valid value is insight`.
/// The window holds management events (CreateKey, CreateTable and its KMS calls), so an empty
/// answer for `insight` means the category was applied; `Insight` and `management` are refused
/// (the enum is exact, and management events are asked for by leaving the category out).
fn lookup_category(ctx: &mut Ctx<'_>) -> CaseResult {
    create_table_scenario(ctx)?;
    let management = ctx.lookup_events(json!({}))?;
    check(
        !management.is_empty(),
        "management events without EventCategory",
        "no events",
    )?;
    let insight = ctx.lookup_events(json!({"EventCategory": "insight"}))?;
    check(
        insight.is_empty(),
        "no events for EventCategory insight (no Insights events on a ddbsse target)",
        format!(
            "{} events: {:?}",
            insight.len(),
            insight
                .iter()
                .map(|e| e["EventName"].clone())
                .collect::<Vec<_>>()
        ),
    )?;
    let target = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";
    let start = ctx.start().epoch_seconds();
    for bad in ["Insight", "management"] {
        ctx.call(target, json!({"StartTime": start, "EventCategory": bad}))?
            .expect_error(
                "InvalidEventCategoryException",
                Some(&format!(
                    "Event category {bad} is not valid; the only valid value is insight"
                )),
            )?;
    }
    Ok(())
}

//= spec/trail.md#key-deletion
//= type=test
//# When a key's deletion date has arrived, a target MUST record, before the records of the first request it handles at or after that date, a record with `eventName` `DeleteKey`, `eventType` `AwsServiceEvent`, `eventTime` the deletion date, `userIdentity` `{"accountId": <account>, "invokedBy": "AWS Internal"}`, `sourceIPAddress` and `userAgent` `AWS Internal`, `requestParameters` `null`, `responseElements` `{"keyId": <key ARN>}`, `readOnly` false, the key in `resources`, and no `requestID`.
fn key_deletion(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    let scheduled = ctx
        .kms(
            "ScheduleKeyDeletion",
            json!({"KeyId": key.id, "PendingWindowInDays": 7}),
        )?
        .ok()?
        .clone();
    let date = scheduled["DeletionDate"]
        .as_f64()
        .and_then(ddbsse_wire::time::Timestamp::from_epoch_seconds)
        .map(ddbsse_wire::time::Timestamp::event_time);
    ctx.advance(7 * 24 * 60 * MINUTE + SECOND)?;
    ctx.kms("ListKeys", json!({}))?.ok()?;
    let account = ctx.account().to_owned();
    // Keys that earlier cases left pending deletion may fall due in the same seven days: only
    // this case's key's DeleteKey record is its business.
    let trail: Vec<Value> = ctx
        .trail()?
        .into_iter()
        .filter(|r| r["eventName"] != "DeleteKey" || r["responseElements"]["keyId"] == key.arn)
        .collect();
    let names: Vec<&str> = trail
        .iter()
        .filter_map(|r| r["eventName"].as_str())
        .collect();
    check_eq(
        "records, oldest first",
        &json!(["CreateKey", "ScheduleKeyDeletion", "DeleteKey", "ListKeys"]),
        &json!(names),
    )?;
    let deleted = &trail[2];
    check_eq(
        "the DeleteKey record's members",
        &json!({
            "eventTime": date,
            "userIdentity": {"accountId": account, "invokedBy": "AWS Internal"},
            "eventType": "AwsServiceEvent",
            "sourceIPAddress": "AWS Internal",
            "userAgent": "AWS Internal",
            "requestParameters": null,
            "responseElements": {"keyId": key.arn},
            "readOnly": false,
            "resources": [{"ARN": key.arn, "accountId": account, "type": "AWS::KMS::Key"}],
            "requestID": null,
        }),
        &json!({
            "eventTime": deleted["eventTime"],
            "userIdentity": deleted["userIdentity"],
            "eventType": deleted["eventType"],
            "sourceIPAddress": deleted["sourceIPAddress"],
            "userAgent": deleted["userAgent"],
            "requestParameters": deleted["requestParameters"],
            "responseElements": deleted["responseElements"],
            "readOnly": deleted["readOnly"],
            "resources": deleted["resources"],
            "requestID": deleted.get("requestID"),
        }),
    )?;
    ctx.trail_matches_model()
}

//= spec/trail.md#response-elements
//= type=test
//# A date inside `responseElements` outside `keyMetadata` and `tableDescription` MUST be a string in CloudTrail's form `<Mon> <d>, <yyyy>, <h>:<mm>:<ss> <AM|PM>` in UTC, such as `Aug 10, 2022, 10:38:27 PM`.
fn key_deletion_responses(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    let scheduled = ctx
        .kms(
            "ScheduleKeyDeletion",
            json!({"KeyId": key.id, "PendingWindowInDays": 7}),
        )?
        .ok()?
        .clone();
    ctx.kms("CancelKeyDeletion", json!({"KeyId": key.id}))?
        .ok()?;
    let date = scheduled["DeletionDate"]
        .as_f64()
        .and_then(ddbsse_wire::time::Timestamp::from_epoch_seconds)
        .map(cloudtrail_date);
    let trail = ctx.trail()?;
    check_eq(
        "responseElements of ScheduleKeyDeletion and CancelKeyDeletion",
        &json!([
            {"keyId": key.arn, "keyState": "PendingDeletion", "deletionDate": date},
            {"keyId": key.arn}
        ]),
        &json!([trail[1]["responseElements"], trail[2]["responseElements"]]),
    )?;
    ctx.trail_matches_model()
}

//= spec/trail.md#key-material-tls
//= type=test
//# Records of successful GenerateDataKey and Decrypt calls MUST carry `"additionalEventData": {"keyMaterialId": <the key's CurrentKeyMaterialId>}`, whether a caller or DynamoDB made the call.
fn key_material_id(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    let table = ctx.created_table("material", Some(kms_sse(&key.id)))?;
    ctx.put(&table, "a", "1")?.ok()?;
    ctx.kms(
        "GenerateDataKey",
        json!({"KeyId": key.id, "KeySpec": "AES_256"}),
    )?
    .ok()?;
    let described = ctx.kms("DescribeKey", json!({"KeyId": key.id}))?;
    let material = described.ok()?["KeyMetadata"]["CurrentKeyMaterialId"].clone();
    check(
        material.is_string(),
        "DescribeKey names a CurrentKeyMaterialId",
        format!("CurrentKeyMaterialId {material}"),
    )?;
    let trail = ctx.trail()?;
    let seen: Vec<Value> = trail
        .iter()
        .filter(|r| matches!(r["eventName"].as_str(), Some("GenerateDataKey" | "Decrypt")))
        .map(|r| {
            json!([
                r["eventName"],
                r["userIdentity"]["invokedBy"],
                r["additionalEventData"]
            ])
        })
        .collect();
    let by_ddb = json!("dynamodb.amazonaws.com");
    check_eq(
        "GenerateDataKey and Decrypt records with their additionalEventData",
        &json!([
            ["GenerateDataKey", by_ddb, {"keyMaterialId": material}],
            ["Decrypt", by_ddb, {"keyMaterialId": material}],
            ["GenerateDataKey", null, {"keyMaterialId": material}],
        ]),
        &json!(seen),
    )?;
    ctx.trail_matches_model()
}

/// The case's own spelling of spec/trail.md's `<Mon> <d>, <yyyy>, <h>:<mm>:<ss> <AM|PM>` (UTC).
fn cloudtrail_date(t: ddbsse_wire::time::Timestamp) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, mo, d, h, mi, s) = t.civil();
    let month = MONTHS.get(mo as usize - 1).copied().unwrap_or("?");
    let half = if h < 12 { "AM" } else { "PM" };
    let h12 = if h % 12 == 0 { 12 } else { h % 12 };
    format!("{month} {d}, {y}, {h12}:{mi:02}:{s:02} {half}")
}
