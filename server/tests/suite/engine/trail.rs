//! LookupEvents: filters, time range, pages, newest first; records of direct KMS calls.

use ddbsse_reference::time::MANUAL_CLOCK_START;
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
