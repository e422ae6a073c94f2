//! LookupEvents: filters, time range, pages, newest first; records of direct KMS calls.

use ddbsse_wire::time::MANUAL_CLOCK_START;
use serde_json::{Value, json};

use super::support::H;

fn names(v: &Value) -> Vec<String> {
    v["Events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["EventName"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn lookup_events_filters_pages_and_orders_newest_first() {
    let h = H::new();
    let (id, arn) = h.create_key();
    h.advance_secs(10);
    h.create_table("trt", Some(json!({"SSEType": "KMS", "KMSMasterKeyId": id})));
    h.advance_secs(10);
    h.put("trt", "a", 1, "x");
    h.advance_secs(10);
    h.ok("DescribeTable", json!({"TableName": "trt"}));
    let all = h.ok("LookupEvents", json!({}));
    assert_eq!(
        names(&all),
        [
            "DescribeTable",
            "Decrypt",
            "CreateTable",
            "GenerateDataKey",
            "CreateGrant",
            "DescribeKey",
            "CreateKey"
        ]
    );
    let ev = &all["Events"][1];
    let rec: Value = serde_json::from_str(ev["CloudTrailEvent"].as_str().unwrap()).unwrap();
    assert_eq!(rec["eventName"], "Decrypt");
    assert_eq!(ev["Resources"][0]["ResourceName"], arn.as_str());
    assert_eq!(ev["ReadOnly"], "true");
    let kms = h.ok("LookupEvents", json!({"LookupAttributes": [{"AttributeKey": "EventSource", "AttributeValue": "kms.amazonaws.com"}]}));
    assert_eq!(names(&kms).len(), 5);
    let by_name = h.ok(
        "LookupEvents",
        json!({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "Decrypt"}]}),
    );
    assert_eq!(names(&by_name), ["Decrypt"]);
    let start = MANUAL_CLOCK_START.epoch_seconds() + 10.0;
    let ranged = h.ok(
        "LookupEvents",
        json!({"StartTime": start, "EndTime": start + 10.0}),
    );
    assert_eq!(
        names(&ranged),
        [
            "Decrypt",
            "CreateTable",
            "GenerateDataKey",
            "CreateGrant",
            "DescribeKey"
        ]
    );
    let mut got = Vec::new();
    let mut token: Option<Value> = None;
    loop {
        let mut body = json!({"MaxResults": 3});
        if let Some(t) = &token {
            body["NextToken"] = t.clone();
        }
        let page = h.ok("LookupEvents", body);
        got.extend(names(&page));
        match page.get("NextToken") {
            Some(t) => token = Some(t.clone()),
            None => break,
        }
    }
    assert_eq!(got, names(&all));
    assert_eq!(
        h.err("LookupEvents", json!({"MaxResults": 51})).0,
        "InvalidMaxResultsException"
    );
    assert_eq!(
        h.err("LookupEvents", json!({"NextToken": "garbage"})).0,
        "InvalidNextTokenException"
    );
    assert_eq!(
        h.err("LookupEvents", json!({"StartTime": 10.0, "EndTime": 5.0}))
            .0,
        "InvalidTimeRangeException"
    );
    assert_eq!(
        h.err(
            "LookupEvents",
            json!({"LookupAttributes": [{"AttributeKey": "Nope", "AttributeValue": "x"}]})
        )
        .0,
        "InvalidLookupAttributesException"
    );
}

#[test]
fn control_plane_records_carry_the_request_id() {
    let h = H::new();
    let r = h.engine.handle(
        h.now.get(),
        &h.caller,
        "DynamoDB_20120810.ListTables",
        b"{}",
    );
    let rec = h.engine.trail_records().pop().unwrap();
    assert_eq!(rec.event_name, "ListTables");
    assert_eq!(rec.request_id, r.request_id);
    assert_eq!(
        rec.user_identity.access_key_id.as_deref(),
        Some("AKIDALICE")
    );
    assert_eq!(rec.api_version.as_deref(), Some("2012-08-10"));
}

#[test]
//= spec/trail.md#ddb-kms-calls
//= type=test
//# Each DynamoDB request MUST produce exactly the KMS records the table above lists for it, in the order shown, with the identities shown, and no other KMS record.
fn rejected_key_checks_record_describe_key_and_share_its_request_id() {
    let h = H::new();
    let body = |k: &str| {
        json!({"TableName": "rej", "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST",
            "SSESpecification": {"SSEType": "KMS", "KMSMasterKeyId": k}})
    };
    let (_, m) = h.err("CreateTable", body("alias/missing"));
    let recs: Vec<Value> = h
        .engine
        .trail_records()
        .iter()
        .map(|r| serde_json::to_value(r).unwrap())
        .collect();
    let names: Vec<&str> = recs
        .iter()
        .map(|r| r["eventName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["DescribeKey", "CreateTable"]);
    let dk = &recs[0];
    assert_eq!(dk["requestParameters"], json!({"keyId": "alias/missing"}));
    assert_eq!(dk["errorCode"], "NotFoundException");
    assert_eq!(dk["resources"], json!([]));
    assert!(
        m.contains(&format!(
            "Request ID: {};",
            dk["requestID"].as_str().unwrap()
        )),
        "{m}"
    );
    assert_eq!(recs[1]["errorCode"], "ValidationException");
    assert_eq!(recs[1]["resources"][0]["type"], "AWS::DynamoDB::Table");
    // A disabled key: DescribeKey succeeds, nothing else is called.
    let (id, arn) = h.create_key();
    h.ok("DisableKey", json!({"KeyId": id}));
    let before = h.engine.trail_records().len();
    h.err("CreateTable", body(&id));
    let recs: Vec<Value> = h.engine.trail_records()[before..]
        .iter()
        .map(|r| serde_json::to_value(r).unwrap())
        .collect();
    let names: Vec<&str> = recs
        .iter()
        .map(|r| r["eventName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["DescribeKey", "CreateTable"]);
    assert!(recs[0].get("errorCode").is_none());
    assert_eq!(recs[0]["resources"][0]["ARN"], arn.as_str());
    // Managed key: DescribeKey names the alias.
    h.create_table("mgd", Some(json!({"Enabled": true})));
    let dk = h.events("DescribeKey").pop().unwrap();
    assert_eq!(
        dk["requestParameters"],
        json!({"keyId": "alias/aws/dynamodb"})
    );
}

#[test]
//= spec/trail.md#lookup-paging
//= type=test
//# When more events match, the response MUST carry a `NextToken` that, sent with the same parameters, returns the following events, and a token that the target did not issue for those parameters MUST fail with `InvalidNextTokenException`.
fn next_token_is_bound_to_its_parameters() {
    let h = H::new();
    for _ in 0..3 {
        h.create_key();
    }
    let page = h.ok("LookupEvents", json!({"MaxResults": 1}));
    let token = page["NextToken"].clone();
    h.ok("LookupEvents", json!({"MaxResults": 1, "NextToken": token}));
    let (n, _) = h.err(
        "LookupEvents",
        json!({"MaxResults": 1, "NextToken": token,
        "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "CreateKey"}]}),
    );
    assert_eq!(n, "InvalidNextTokenException");
}

#[test]
//= spec/trail.md#response-elements
//= type=test
//# `responseElements` MUST be `{"grantId": <grant id>, "keyId": <key ARN>}` for a successful CreateGrant (by a caller or by DynamoDB), `{"keyId": <key ARN>, "keyState": "PendingDeletion", "deletionDate": <deletion date>}` for a successful ScheduleKeyDeletion, `{"keyId": <key ARN>}` for a successful CancelKeyDeletion, `{"keyMetadata": <KeyMetadata with lowercased member names>}` for a successful CreateKey, `{"tableDescription": <the response's TableDescription with lowercased member names>}` for a successful CreateTable, UpdateTable or DeleteTable, and `null` for every other record except the alias records of the next sentence.
//= spec/trail.md#response-elements
//= type=test
//# A date inside `responseElements` outside `keyMetadata` and `tableDescription` MUST be a string in CloudTrail's form `<Mon> <d>, <yyyy>, <h>:<mm>:<ss> <AM|PM>` in UTC, such as `Aug 10, 2022, 10:38:27 PM`.
fn direct_kms_records_parameters_and_responses() {
    let h = H::new();
    let (id, arn) = h.create_key();
    let ck = h.events("CreateKey").pop().unwrap();
    assert_eq!(ck["responseElements"]["keyMetadata"]["keyId"], id.as_str());
    h.ok("DescribeKey", json!({"KeyId": id}));
    assert!(h.events("DescribeKey").pop().unwrap()["responseElements"].is_null());
    h.ok(
        "ScheduleKeyDeletion",
        json!({"KeyId": id, "PendingWindowInDays": 7}),
    );
    let sk = h.events("ScheduleKeyDeletion").pop().unwrap();
    assert_eq!(sk["responseElements"]["keyId"], arn.as_str());
    assert_eq!(sk["responseElements"]["keyState"], "PendingDeletion");
    // Scheduled at 2019-03-11T00:00:00Z for 7 days.
    assert_eq!(
        sk["responseElements"]["deletionDate"],
        "Mar 18, 2019, 12:00:00 AM"
    );
    assert_eq!(
        sk["requestParameters"],
        json!({"keyId": id, "pendingWindowInDays": 7})
    );
    h.err("Encrypt", json!({"KeyId": id, "Plaintext": "aGk="}));
    let enc = h.events("Encrypt").pop().unwrap();
    assert_eq!(enc["errorCode"], "KMSInvalidStateException");
    assert_eq!(enc["resources"][0]["ARN"], arn.as_str());
    assert_eq!(
        enc["requestParameters"],
        json!({"keyId": id, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"})
    );
    h.ok("CancelKeyDeletion", json!({"KeyId": id}));
    h.ok("EnableKey", json!({"KeyId": id}));
    let g = h.ok(
        "CreateGrant",
        json!({"KeyId": id, "GranteePrincipal": "p", "Operations": ["Decrypt"]}),
    );
    let cg = h.events("CreateGrant").pop().unwrap();
    assert_eq!(
        cg["responseElements"],
        json!({"grantId": g["GrantId"], "keyId": arn})
    );
    let ck = h.events("CancelKeyDeletion").pop().unwrap();
    assert_eq!(ck["responseElements"], json!({"keyId": arn}));
    h.ok("RetireGrant", json!({"GrantToken": g["GrantToken"]}));
    let rg = h.events("RetireGrant").pop().unwrap();
    assert!(rg["requestParameters"].is_null());
    assert_eq!(rg["additionalEventData"]["grantId"], g["GrantId"]);
    let all = serde_json::to_string(&h.engine.trail_records()).unwrap();
    assert!(
        !all.contains(g["GrantToken"].as_str().unwrap()),
        "no grant token in the trail"
    );
}

#[test]
//= spec/trail.md#key-deletion
//= type=test
//# When a key's deletion date has arrived, a target MUST record, before the records of the first request it handles at or after that date, a record with `eventName` `DeleteKey`, `eventType` `AwsServiceEvent`, `eventTime` the deletion date, `userIdentity` `{"accountId": <account>, "invokedBy": "AWS Internal"}`, `sourceIPAddress` and `userAgent` `AWS Internal`, `requestParameters` `null`, `responseElements` `{"keyId": <key ARN>}`, `readOnly` false, the key in `resources`, and no `requestID`.
fn key_deletion_is_recorded_at_its_date_before_the_next_request() {
    let h = H::new();
    let (id, arn) = h.create_key();
    let scheduled = h.ok(
        "ScheduleKeyDeletion",
        json!({"KeyId": id, "PendingWindowInDays": 7}),
    );
    let date = ddbsse_wire::time::Timestamp::from_epoch_seconds(
        scheduled["DeletionDate"].as_f64().unwrap(),
    )
    .unwrap();
    h.advance_secs(8 * 86_400);
    h.ok("LookupEvents", json!({}));
    let recs: Vec<Value> = h
        .engine
        .trail_records()
        .iter()
        .map(|r| serde_json::to_value(r).unwrap())
        .collect();
    let last = recs.last().unwrap();
    assert_eq!(
        *last,
        json!({
            "eventVersion": "1.11",
            "userIdentity": {"accountId": "123456789012", "invokedBy": "AWS Internal"},
            "eventTime": date.event_time(),
            "eventSource": "kms.amazonaws.com",
            "eventName": "DeleteKey",
            "awsRegion": "us-east-1",
            "sourceIPAddress": "AWS Internal",
            "userAgent": "AWS Internal",
            "requestParameters": null,
            "responseElements": {"keyId": arn},
            "eventID": last["eventID"],
            "readOnly": false,
            "resources": [{"ARN": arn, "accountId": "123456789012", "type": "AWS::KMS::Key"}],
            "eventType": "AwsServiceEvent",
            "managementEvent": true,
            "recipientAccountId": "123456789012",
            "eventCategory": "Management"
        })
    );
    h.ok("LookupEvents", json!({}));
    assert_eq!(h.engine.trail_records().len(), recs.len(), "recorded once");
}

#[test]
//= spec/trail.md#resources
//= type=test
//# The record of a successful CreateAlias MUST list the key and then the alias: `[{"ARN": <key ARN>, "accountId": <account>, "type": "AWS::KMS::Key"}, {"ARN": "arn:aws:kms:<region>:<account>:<alias name>", "accountId": <account>, "type": "AWS::KMS::Key"}]`.
fn create_alias_lists_key_and_alias_and_list_aliases_none() {
    let h = H::new();
    let (id, arn) = h.create_key();
    h.ok(
        "CreateAlias",
        json!({"AliasName": "alias/example", "TargetKeyId": id}),
    );
    h.ok("ListAliases", json!({}));
    let recs: Vec<Value> = h
        .engine
        .trail_records()
        .iter()
        .map(|r| serde_json::to_value(r).unwrap())
        .collect();
    let n = recs.len();
    assert_eq!(
        recs[n - 2]["resources"],
        json!([
            {"ARN": arn, "accountId": "123456789012", "type": "AWS::KMS::Key"},
            {"ARN": "arn:aws:kms:us-east-1:123456789012:alias/example", "accountId": "123456789012", "type": "AWS::KMS::Key"}
        ])
    );
    assert_eq!(recs[n - 1]["resources"], json!([]));
}
