//! Trail records and LookupEvents on the model (`spec/trail.md`), and the scope of the
//! table-key cache entries whose refreshes the trail shows (`spec/cache.md`).

use ddbsse_wire::caller::Caller;
use ddbsse_wire::trail::TrailRecord;
use serde_json::{Value, json};

use super::support::{Driver, RATINGS, alice, names};

fn record_json(r: &TrailRecord) -> Value {
    serde_json::to_value(r).expect("record")
}

#[test]
fn what_is_recorded() {
    //= spec/trail.md#recorded
    //= type=test
    //# A target MUST record every KMS operation of `spec/kms.md` (whether a caller or DynamoDB made it) and every DynamoDB control-plane request, successful or failed, and MUST NOT record data-plane requests or LookupEvents.
    let mut d = Driver::new();
    let key = d.create_key();
    assert_eq!(
        names(&d.call("DescribeKey", json!({"KeyId": "alias/nope"})).events),
        ["DescribeKey"]
    );
    assert_eq!(
        names(&d.call("DescribeTable", json!({"TableName": "nope"})).events),
        ["DescribeTable"]
    );
    assert_eq!(
        names(&d.call("ListTables", json!({})).events),
        ["ListTables"]
    );
    d.create_ratings(json!({"SSEType": "KMS", "KMSMasterKeyId": key}));
    for op in ["Scan", "Query"] {
        let body = if op == "Scan" {
            json!({"TableName": RATINGS})
        } else {
            json!({"TableName": RATINGS, "KeyConditionExpression": "player = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}})
        };
        let out = d.call(op, body);
        assert!(out.result.is_ok());
        assert!(
            out.events.iter().all(|e| e.event_name == "Decrypt"),
            "data plane: only DynamoDB's Decrypt"
        );
    }
    let out = d.call("PutItem", json!({"TableName": RATINGS, "Item": alice()}));
    assert!(out.events.is_empty());
    let out = d.call("LookupEvents", json!({}));
    assert!(out.events.is_empty());
    let failed = d.call("DisableKey", json!({"KeyId": "alias/x"}));
    assert_eq!(failed.events.len(), 1);
}

#[test]
fn records_dynamodb_causes_come_first_at_the_request_time() {
    //= spec/trail.md#ddb-kms-calls
    //= type=test
    //# The KMS records a DynamoDB control-plane request causes MUST come before that request's own `dynamodb.amazonaws.com` record, and all of them MUST carry the request's time.
    //= spec/trail.md#identities
    //= type=test
    //# The identity of a caller MUST be `{"type": "IAMUser", "principalId": <access key id>, "arn": "arn:aws:iam::<account>:user/<access key id>", "accountId": <account>, "accessKeyId": <access key id>, "userName": <access key id>}`, with `"invokedBy": "dynamodb.amazonaws.com"` added when DynamoDB made the call on the caller's behalf.
    //= spec/trail.md#identities
    //= type=test
    //# The identity of DynamoDB's own service account MUST be exactly `{"type": "AWSService", "invokedBy": "dynamodb.amazonaws.com"}`.
    //= spec/trail.md#source
    //= type=test
    //# Records of KMS calls DynamoDB makes MUST carry `sourceIPAddress` and `userAgent` `dynamodb.amazonaws.com`, and records of requests a caller made directly MUST carry the caller's IP address and the request's `User-Agent` header (an empty string when the header is absent).
    let mut d = Driver::new();
    d.advance(12_345);
    d.caller.source_ip = "192.0.2.7".to_owned();
    d.caller.user_agent = String::new();
    let out = d.create_ratings(json!({"Enabled": true}));
    let recs: Vec<Value> = out.events.iter().map(record_json).collect();
    assert_eq!(
        names(&out.events),
        [
            "DescribeKey",
            "CreateGrant",
            "GenerateDataKey",
            "CreateTable"
        ]
    );
    let user = json!({"type": "IAMUser", "principalId": "AKIAEXAMPLEUSER01", "arn": "arn:aws:iam::123456789012:user/AKIAEXAMPLEUSER01", "accountId": "123456789012", "accessKeyId": "AKIAEXAMPLEUSER01", "userName": "AKIAEXAMPLEUSER01"});
    let mut via = user.clone();
    via["invokedBy"] = json!("dynamodb.amazonaws.com");
    assert_eq!(recs[0]["userIdentity"], via);
    assert_eq!(recs[1]["userIdentity"], via);
    assert_eq!(
        recs[2]["userIdentity"],
        json!({"type": "AWSService", "invokedBy": "dynamodb.amazonaws.com"})
    );
    assert_eq!(recs[3]["userIdentity"], user);
    for r in &recs[..3] {
        assert_eq!(r["sourceIPAddress"], "dynamodb.amazonaws.com");
        assert_eq!(r["userAgent"], "dynamodb.amazonaws.com");
        assert_eq!(r["eventSource"], "kms.amazonaws.com");
    }
    assert_eq!(recs[3]["sourceIPAddress"], "192.0.2.7");
    assert_eq!(recs[3]["userAgent"], "");
    assert_eq!(recs[3]["eventSource"], "dynamodb.amazonaws.com");
    for r in &recs {
        assert_eq!(r["eventTime"], d.now.event_time());
    }
}

#[test]
fn record_members() {
    //= spec/trail.md#record
    //= type=test
    //# Every record MUST carry the members of the table above, with the values it gives, and no other member, so every record carries `eventVersion` `1.11`, `eventType` `AwsApiCall` (`AwsServiceEvent` on the key deletion record), `managementEvent` true, `eventCategory` `Management` and `recipientAccountId` equal to the account id.
    //= spec/trail.md#record
    //= type=test
    //# `eventTime` MUST be the time of the request on the target's clock, in UTC, formatted `YYYY-MM-DDTHH:MM:SSZ` (seconds, no fraction).
    let mut d = Driver::new();
    d.advance_ms(1_999);
    let out = d.create_ratings(json!({"Enabled": true}));
    let allowed = [
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
        "eventCategory",
    ];
    for r in out.events.iter().map(record_json) {
        for k in r.as_object().expect("object").keys() {
            assert!(allowed.contains(&k.as_str()), "unexpected member {k}");
        }
        assert_eq!(r["eventVersion"], "1.11");
        assert_eq!(r["eventType"], "AwsApiCall");
        assert_eq!(r["managementEvent"], true);
        assert_eq!(r["eventCategory"], "Management");
        assert_eq!(r["recipientAccountId"], "123456789012");
        assert_eq!(r["awsRegion"], "us-east-1");
        assert_eq!(r["eventTime"], "2019-03-11T00:00:01Z");
        let shared = r.get("sharedEventID").is_some();
        assert_eq!(shared, r["userIdentity"]["type"] == "AWSService");
        assert_eq!(
            r.get("apiVersion").is_some(),
            r["eventSource"] == "dynamodb.amazonaws.com"
        );
        let read_only = matches!(
            r["eventName"].as_str(),
            Some("DescribeKey" | "GenerateDataKey")
        );
        assert_eq!(r["readOnly"], read_only);
    }
}

#[test]
fn parameters_responses_and_secrets() {
    //= spec/trail.md#request-parameters
    //= type=test
    //# The `requestParameters` of every record MUST be those of the table above.
    //= spec/trail.md#request-parameters
    //= type=test
    //# A record MUST NOT contain plaintext, ciphertext, a grant token or key material in any member.
    //= spec/trail.md#response-elements
    //= type=test
    //# `responseElements` MUST be `{"grantId": <grant id>, "keyId": <key ARN>}` for a successful CreateGrant (by a caller or by DynamoDB), `{"keyId": <key ARN>, "keyState": "PendingDeletion", "deletionDate": <deletion date>}` for a successful ScheduleKeyDeletion, `{"keyId": <key ARN>}` for a successful CancelKeyDeletion, `{"keyMetadata": <KeyMetadata with lowercased member names>}` for a successful CreateKey, `{"tableDescription": <the response's TableDescription with lowercased member names>}` for a successful CreateTable, UpdateTable or DeleteTable, and `null` for every other record except the alias records of the next sentence.
    let mut d = Driver::new();
    let out = d.call("CreateKey", json!({"Description": "k"}));
    let md = out.result.expect("key").body()["KeyMetadata"].clone();
    let id = md["KeyId"].as_str().expect("id").to_owned();
    assert_eq!(
        out.events[0].request_parameters,
        json!({"description": "k"})
    );
    assert_eq!(
        out.events[0].response_elements["keyMetadata"]["aWSAccountId"],
        "123456789012"
    );
    assert_eq!(out.events[0].response_elements["keyMetadata"]["keyId"], id);
    let secret = "c2VjcmV0LXBsYWludGV4dA==";
    let enc = d.call(
        "Encrypt",
        json!({"KeyId": id, "Plaintext": secret, "EncryptionContext": {"Case": "Kept"}}),
    );
    assert_eq!(
        enc.events[0].request_parameters,
        json!({"keyId": id, "encryptionContext": {"Case": "Kept"}, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"})
    );
    assert_eq!(enc.events[0].response_elements, Value::Null);
    let blob = enc.result.expect("enc").body()["CiphertextBlob"].clone();
    let dec = d.call(
        "Decrypt",
        json!({"CiphertextBlob": blob, "EncryptionContext": {"Case": "Kept"}}),
    );
    assert_eq!(
        dec.events[0].request_parameters,
        json!({"encryptionContext": {"Case": "Kept"}, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"})
    );
    let gdk = d.call(
        "GenerateDataKey",
        json!({"KeyId": id, "KeySpec": "AES_256"}),
    );
    let plaintext = gdk.result.expect("gdk").body()["Plaintext"].clone();
    let grant = d.call("CreateGrant", json!({"KeyId": id, "GranteePrincipal": "p", "Operations": ["Decrypt"], "GrantTokens": ["t"]}));
    let g = grant.result.expect("grant").body();
    assert_eq!(
        grant.events[0].response_elements,
        json!({"grantId": g["GrantId"], "keyId": format!("arn:aws:kms:us-east-1:123456789012:key/{id}")})
    );
    assert!(
        grant.events[0]
            .request_parameters
            .get("grantTokens")
            .is_none()
    );
    let out = d.create_ratings(json!({"SSEType": "KMS", "KMSMasterKeyId": id}));
    let table_record = record_json(out.events.last().expect("CreateTable"));
    assert_eq!(
        table_record["requestParameters"]["sSESpecification"],
        json!({"sSEType": "KMS", "kMSMasterKeyId": id})
    );
    assert_eq!(
        table_record["responseElements"]["tableDescription"]["sSEDescription"]["status"],
        "ENABLED"
    );
    assert_eq!(
        table_record["responseElements"]["tableDescription"]["tableStatus"],
        "CREATING"
    );
    let all = serde_json::to_string(d.model.events()).expect("json");
    for needle in [
        secret,
        blob.as_str().expect("b"),
        plaintext.as_str().expect("p"),
        g["GrantToken"].as_str().expect("t"),
    ] {
        assert!(!all.contains(needle), "a record leaked {needle}");
    }
    let describe = d.call("DescribeTable", json!({"TableName": RATINGS}));
    assert_eq!(describe.events[0].response_elements, Value::Null);
}

#[test]
fn request_ids_failed_calls_and_resources() {
    //= spec/trail.md#request-id
    //= type=test
    //# The `requestID` of a record of a direct request MUST equal the `x-amzn-RequestId` header of its response, and each KMS call DynamoDB makes MUST have its own fresh `requestID`.
    let mut d = Driver::new();
    let key = d.create_key();
    assert_eq!(d.model.events()[0].request_id, d.model.last_request_id());
    let out = d.create_ratings(json!({"SSEType": "KMS", "KMSMasterKeyId": key}));
    let mut ids: Vec<&str> = out.events.iter().map(|e| e.request_id.as_str()).collect();
    assert_eq!(ids.last().copied(), Some(d.model.last_request_id()));
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 4, "every call has its own request id");
    //= spec/trail.md#failed-calls
    //= type=test
    //# The record of a failed call MUST carry `errorCode` (the error code without namespace, such as `DisabledException`) and `errorMessage` (the error's message), and `responseElements` `null`.
    d.ok("DisableKey", json!({"KeyId": key}));
    let out = d.call(
        "GenerateDataKey",
        json!({"KeyId": key, "KeySpec": "AES_256"}),
    );
    let r = &out.events[0];
    assert_eq!(r.error_code.as_deref(), Some("DisabledException"));
    assert_eq!(
        r.error_message.as_deref(),
        Some(format!("{} is disabled.", Driver::key_arn(&key)).as_str())
    );
    assert_eq!(r.response_elements, Value::Null);
    d.advance(300);
    let out = d.get_ratings(RATINGS);
    let dec = &out.events[0];
    assert_eq!(dec.error_code.as_deref(), Some("DisabledException"));
    assert!(
        out.result
            .expect_err("disabled")
            .message
            .contains(&format!("Request ID: {};", dec.request_id))
    );
    let e = d.err(
        "CreateTable",
        super::support::ratings_table(RATINGS, Value::Null),
    );
    let last = d.model.events().last().expect("record");
    assert_eq!(last.error_code.as_deref(), Some("ResourceInUseException"));
    assert_eq!(last.error_message.as_deref(), Some(e.message.as_str()));
    //= spec/trail.md#resources
    //= type=test
    //# `resources` MUST be `[{"ARN": <key ARN>, "accountId": <account>, "type": "AWS::KMS::Key"}]` on records of KMS operations that name an existing key, `[{"ARN": <table ARN>, "accountId": <account>, "type": "AWS::DynamoDB::Table"}]` on records of DynamoDB requests that name a table, and `[]` otherwise.
    let table = record_json(last);
    assert_eq!(
        table["resources"],
        json!([{"ARN": "arn:aws:dynamodb:us-east-1:123456789012:table/ratings", "accountId": "123456789012", "type": "AWS::DynamoDB::Table"}])
    );
    assert_eq!(record_json(dec)["resources"][0]["type"], "AWS::KMS::Key");
    let list = d.call("ListTables", json!({}));
    assert_eq!(record_json(&list.events[0])["resources"], json!([]));
    let missing = d.call("DescribeKey", json!({"KeyId": "alias/none"}));
    assert_eq!(record_json(&missing.events[0])["resources"], json!([]));
}

#[test]
fn lookup_events_event_category_insight_is_empty_and_others_fail() {
    let mut d = Driver::new();
    let key = d.create_key();
    d.create_ratings(json!({"SSEType": "KMS", "KMSMasterKeyId": key}));
    let all = d.ok("LookupEvents", json!({}));
    assert!(
        all["Events"].as_array().is_some_and(|e| !e.is_empty()),
        "management events without EventCategory"
    );
    //= spec/trail.md#lookup-category
    //= type=test
    //# LookupEvents with `EventCategory` `insight` MUST succeed and return no events, and any other `EventCategory` value MUST fail with `InvalidEventCategoryException` and the message `Event category <value> is not valid; the only valid value is insight`.
    let insight = d.ok("LookupEvents", json!({"EventCategory": "insight"}));
    assert_eq!(insight["Events"], json!([]));
    assert!(insight.get("NextToken").is_none());
    for bad in ["Insight", "management", "Management", "data", ""] {
        let e = d.err("LookupEvents", json!({"EventCategory": bad}));
        assert_eq!(e.name(), "InvalidEventCategoryException", "{bad:?}");
        assert_eq!(
            e.message,
            format!("Event category {bad} is not valid; the only valid value is insight")
        );
    }
}

#[test]
fn lookup_events_order_filters_time_and_tokens() {
    let mut d = Driver::new();
    let key = d.create_key();
    d.advance(10);
    d.create_ratings(json!({"SSEType": "KMS", "KMSMasterKeyId": key}));
    d.advance(10);
    d.ok("DescribeTable", json!({"TableName": RATINGS}));
    let t0 = d.now;
    //= spec/trail.md#lookup-shape
    //= type=test
    //# LookupEvents MUST return events newest first, a later-recorded event before an earlier one with the same time, each as `{"EventId", "EventName", "ReadOnly", "AccessKeyId", "EventTime", "EventSource", "Username", "Resources", "CloudTrailEvent"}`.
    let all = d.ok("LookupEvents", json!({}));
    let got: Vec<&str> = all["Events"]
        .as_array()
        .expect("e")
        .iter()
        .filter_map(|e| e["EventName"].as_str())
        .collect();
    assert_eq!(
        got,
        [
            "DescribeTable",
            "CreateTable",
            "GenerateDataKey",
            "CreateGrant",
            "DescribeKey",
            "CreateKey"
        ]
    );
    let first = &all["Events"][0];
    let rec = d.model.events().last().expect("rec").clone();
    assert_eq!(first["EventId"], rec.event_id);
    assert_eq!(first["ReadOnly"], "true");
    assert_eq!(first["AccessKeyId"], "AKIAEXAMPLEUSER01");
    assert_eq!(first["Username"], "AKIAEXAMPLEUSER01");
    assert_eq!(first["EventTime"].as_f64(), Some(t0.epoch_seconds()));
    assert_eq!(first["EventSource"], "dynamodb.amazonaws.com");
    assert_eq!(
        first["Resources"],
        json!([{"ResourceType": "AWS::DynamoDB::Table", "ResourceName": "arn:aws:dynamodb:us-east-1:123456789012:table/ratings"}])
    );
    assert_eq!(
        first["CloudTrailEvent"],
        serde_json::to_string(&rec).expect("json")
    );
    //= spec/trail.md#lookup-attributes
    //= type=test
    //# With one `LookupAttribute`, LookupEvents MUST return only events whose `EventId`, `EventName`, `ReadOnly`, `Username`, `EventSource` or `AccessKeyId` equals `AttributeValue`, or with a `Resources` entry whose `ResourceType` or `ResourceName` equals it, as `AttributeKey` says.
    let by = |d: &mut Driver, k: &str, v: &str| -> Vec<String> {
        let out = d.ok(
            "LookupEvents",
            json!({"LookupAttributes": [{"AttributeKey": k, "AttributeValue": v}]}),
        );
        out["Events"]
            .as_array()
            .expect("e")
            .iter()
            .map(|e| e["EventName"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(by(&mut d, "EventName", "CreateGrant"), ["CreateGrant"]);
    assert_eq!(
        by(&mut d, "EventSource", "dynamodb.amazonaws.com"),
        ["DescribeTable", "CreateTable"]
    );
    assert_eq!(
        by(&mut d, "ReadOnly", "false"),
        ["CreateTable", "CreateGrant", "CreateKey"]
    );
    assert_eq!(by(&mut d, "ResourceType", "AWS::KMS::Key").len(), 4);
    assert_eq!(by(&mut d, "ResourceName", &Driver::key_arn(&key)).len(), 4);
    assert_eq!(
        by(&mut d, "Username", "dynamodb.amazonaws.com"),
        ["GenerateDataKey"]
    );
    assert_eq!(by(&mut d, "AccessKeyId", "AKIAEXAMPLEUSER01").len(), 5);
    assert_eq!(
        by(&mut d, "EventId", &rec.event_id.clone()),
        ["DescribeTable"]
    );
    assert!(
        by(&mut d, "EventName", "creategrant").is_empty(),
        "case-sensitive"
    );
    //= spec/trail.md#lookup-attributes
    //= type=test
    //# More than one `LookupAttribute`, or an `AttributeKey` outside the enum, MUST fail with `InvalidLookupAttributesException`.
    let two = json!({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "a"}, {"AttributeKey": "EventName", "AttributeValue": "b"}]});
    assert_eq!(
        d.err("LookupEvents", two).name(),
        "InvalidLookupAttributesException"
    );
    let bad = json!({"LookupAttributes": [{"AttributeKey": "Nope", "AttributeValue": "a"}]});
    assert_eq!(
        d.err("LookupEvents", bad).name(),
        "InvalidLookupAttributesException"
    );
    //= spec/trail.md#lookup-time
    //= type=test
    //# LookupEvents MUST return only events whose `eventTime`, in whole seconds, lies within `StartTime` and `EndTime` inclusive (either bound may be absent), and MUST fail with `InvalidTimeRangeException` when `StartTime` is after `EndTime`.
    let secs = t0.epoch_seconds();
    let range = |d: &mut Driver, body: Value| {
        d.ok("LookupEvents", body)["Events"]
            .as_array()
            .map_or(0, Vec::len)
    };
    assert_eq!(
        range(&mut d, json!({"StartTime": secs, "EndTime": secs})),
        1
    );
    assert_eq!(
        range(
            &mut d,
            json!({"StartTime": secs - 10.0, "EndTime": secs - 10.0})
        ),
        4
    );
    assert_eq!(range(&mut d, json!({"EndTime": secs - 10.5})), 1);
    assert_eq!(range(&mut d, json!({"StartTime": secs - 9.5})), 1);
    assert_eq!(
        d.err(
            "LookupEvents",
            json!({"StartTime": secs, "EndTime": secs - 1.0})
        )
        .name(),
        "InvalidTimeRangeException"
    );
    //= spec/trail.md#lookup-paging
    //= type=test
    //# When more events match, the response MUST carry a `NextToken` that, sent with the same parameters, returns the following events, and a token that the target did not issue for those parameters MUST fail with `InvalidNextTokenException`.
    let page = d.ok("LookupEvents", json!({"MaxResults": 4}));
    let token = page["NextToken"].as_str().expect("token").to_owned();
    let rest = d.ok("LookupEvents", json!({"MaxResults": 4, "NextToken": token}));
    let rest_names: Vec<&str> = rest["Events"]
        .as_array()
        .expect("e")
        .iter()
        .filter_map(|e| e["EventName"].as_str())
        .collect();
    assert_eq!(rest_names, ["DescribeKey", "CreateKey"]);
    assert!(rest.get("NextToken").is_none());
    let e = d.err(
        "LookupEvents",
        json!({"MaxResults": 4, "NextToken": token, "StartTime": 0.0}),
    );
    assert_eq!(e.name(), "InvalidNextTokenException");
    assert_eq!(
        d.err("LookupEvents", json!({"NextToken": "forged"})).name(),
        "InvalidNextTokenException"
    );
}

#[test]
fn cache_entries_are_per_principal_connection_table_and_generation() {
    //= spec/cache.md#scope
    //= type=test
    //# The first data-plane request of a KMS table by a given principal on a given connection MUST call KMS Decrypt once and cache the plaintext table key for that principal, connection, table and table-key generation.
    //= spec/cache.md#scope
    //= type=test
    //# A data-plane request MUST NOT use an entry created for another principal, another connection, another table or another table-key generation.
    //= spec/cache.md#refresh
    //= type=test
    //# Each fetch and each refresh MUST be exactly one KMS Decrypt of the table's wrapped table key, made as the calling principal with `invokedBy` `dynamodb.amazonaws.com` and the table's encryption context, and recorded as `spec/trail.md#ddb-kms-calls` says.
    let mut d = Driver::new();
    let key = d.create_key();
    d.create_ratings(json!({"SSEType": "KMS", "KMSMasterKeyId": key}));
    d.ok(
        "CreateTable",
        super::support::ratings_table("other", json!({"SSEType": "KMS", "KMSMasterKeyId": key})),
    );
    let callers = [
        Caller::new("AKIAONE", 1),
        Caller::new("AKIAONE", 2),
        Caller::new("AKIATWO", 1),
    ];
    for c in &callers {
        for round in 0..2 {
            let out = d.call_as(
                c,
                "GetItem",
                json!({"TableName": RATINGS, "Key": {"player": {"S": "a"}, "rating": {"N": "1"}}}),
            );
            assert_eq!(
                Driver::decrypts(&out),
                usize::from(round == 0),
                "{c:?} round {round}"
            );
            if round == 0 {
                let r = &out.events[0];
                assert_eq!(
                    r.user_identity.access_key_id.as_deref(),
                    Some(c.access_key_id.as_str())
                );
                assert_eq!(
                    r.user_identity.invoked_by.as_deref(),
                    Some("dynamodb.amazonaws.com")
                );
                assert_eq!(
                    r.request_parameters["encryptionContext"]["aws:dynamodb:tableName"],
                    RATINGS
                );
            }
        }
    }
    let out = d.call_as(&callers[0], "Scan", json!({"TableName": "other"}));
    assert_eq!(Driver::decrypts(&out), 1, "another table");
    //= spec/cache.md#scope
    //= type=test
    //# CreateTable and UpdateTable MUST NOT create entries, so the first data-plane request after them calls Decrypt.
    let k2 = d.create_key();
    let out = d.call(
        "UpdateTable",
        json!({"TableName": RATINGS, "SSESpecification": {"SSEType": "KMS", "KMSMasterKeyId": k2}}),
    );
    assert!(out.result.is_ok());
    let out = d.call_as(
        &callers[0],
        "GetItem",
        json!({"TableName": RATINGS, "Key": {"player": {"S": "a"}, "rating": {"N": "1"}}}),
    );
    assert_eq!(Driver::decrypts(&out), 1, "new table-key generation");
    assert_eq!(out.events[0].resources[0].arn, Driver::key_arn(&k2));
}

#[test]
fn failed_refresh_drops_the_entry() {
    //= spec/cache.md#failure
    //= type=test
    //# When the Decrypt of a fetch or refresh fails, the request MUST fail with the error of `spec/tables.md#data-plane-errors`, the entry MUST be dropped, and the next data-plane request of the same principal, connection and table MUST call Decrypt again.
    //= spec/tables.md#data-plane-errors
    //= type=test
    //# When the table's key is disabled, the request MUST fail with `ValidationException` and the message below:
    //= spec/tables.md#data-plane-errors
    //= type=test
    //# When the table's key is pending deletion, the request MUST fail with `ValidationException` and the message below:
    //= spec/tables.md#data-plane-errors
    //= type=test
    //# When the table's grant is missing or the key is deleted, the request MUST fail with `AccessDeniedException` and the message below:
    let mut d = Driver::new();
    let key = d.create_key();
    d.create_ratings(json!({"SSEType": "KMS", "KMSMasterKeyId": key}));
    assert_eq!(Driver::decrypts(&d.get_ratings(RATINGS)), 1);
    assert_eq!(d.model.cache_entries(), 1);
    d.ok("DisableKey", json!({"KeyId": key}));
    d.advance(300);
    let out = d.get_ratings(RATINGS);
    assert_eq!(
        out.result.expect_err("disabled").name(),
        "ValidationException"
    );
    assert_eq!(d.model.cache_entries(), 0, "the failed entry is dropped");
    let out = d.get_ratings(RATINGS);
    assert_eq!(
        Driver::decrypts(&out),
        1,
        "and the next request tries again"
    );
    d.ok("EnableKey", json!({"KeyId": key}));
    d.ok(
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 7}),
    );
    let e = d.get_ratings(RATINGS).result.expect_err("pending");
    assert!(e.message.starts_with(
        "KMS validation error: com.amazonaws.services.kms.model.KMSInvalidStateException:"
    ));
    d.advance(7 * 86_400);
    let out = d.get_ratings(RATINGS);
    let e = out.result.expect_err("deleted");
    assert_eq!(e.name(), "AccessDeniedException");
    //= spec/trail.md#key-deletion
    //= type=test
    //# When a key's deletion date has arrived, a target MUST record, before the records of the first request it handles at or after that date, a record with `eventName` `DeleteKey`, `eventType` `AwsServiceEvent`, `eventTime` the deletion date, `userIdentity` `{"accountId": <account>, "invokedBy": "AWS Internal"}`, `sourceIPAddress` and `userAgent` `AWS Internal`, `requestParameters` `null`, `responseElements` `{"keyId": <key ARN>}`, `readOnly` false, the key in `resources`, and no `requestID`.
    let deleted = record_json(&out.events[0]);
    assert_eq!(deleted["eventName"], "DeleteKey");
    assert_eq!(deleted["eventType"], "AwsServiceEvent");
    assert_eq!(
        deleted["userIdentity"],
        json!({"accountId": "123456789012", "invokedBy": "AWS Internal"})
    );
    assert_eq!(deleted["sourceIPAddress"], "AWS Internal");
    assert_eq!(deleted["userAgent"], "AWS Internal");
    assert!(deleted["requestParameters"].is_null());
    assert_eq!(
        deleted["responseElements"]["keyId"],
        deleted["resources"][0]["ARN"]
    );
    assert_eq!(deleted["readOnly"], false);
    assert!(deleted.get("requestID").is_none());
    assert!(deleted.get("sharedEventID").is_none());
    assert!(deleted["eventTime"].as_str() <= Some(out.events[1].event_time.as_str()));
    assert_eq!(
        out.events[1].error_code.as_deref(),
        Some("AccessDeniedException")
    );
    //= spec/cache.md#zeroize
    //= type=test
    //# The memory holding a plaintext table key MUST be overwritten with zeros when its entry is replaced, dropped or evicted, or when the cache itself is dropped.
    // Entries hold `TableKey`s (zeroized on drop, crypto core); the model drops them on table deletion.
    let mut d = Driver::new();
    d.create_ratings(json!({"Enabled": true}));
    d.get_ratings(RATINGS);
    assert_eq!(d.model.cache_entries(), 1);
    d.ok("DeleteTable", json!({"TableName": RATINGS}));
    assert_eq!(d.model.cache_entries(), 0);
}

#[test]
fn records_of_reencrypt_retire_grant_and_key_deletion() {
    let mut d = Driver::new();
    let source = d.create_key();
    let destination = d.create_key();
    let enc = d.ok(
        "Encrypt",
        json!({"KeyId": source, "Plaintext": "c2VjcmV0", "EncryptionContext": {"Case": "Kept"}}),
    );
    //= spec/trail.md#request-parameters
    //= type=test
    //# The `requestParameters` of a ReEncrypt record MUST be `sourceEncryptionAlgorithm` and `destinationEncryptionAlgorithm` (always, `SYMMETRIC_DEFAULT` when not sent), `sourceKeyId` and `destinationKeyId` as sent, and `sourceEncryptionContext` and `destinationEncryptionContext` when not empty.
    let re = d.call(
        "ReEncrypt",
        json!({
            "CiphertextBlob": enc["CiphertextBlob"],
            "SourceEncryptionContext": {"Case": "Kept"},
            "SourceKeyId": source,
            "DestinationKeyId": destination,
            "DestinationEncryptionContext": {}
        }),
    );
    assert!(re.result.is_ok(), "ReEncrypt");
    assert_eq!(
        re.events[0].request_parameters,
        json!({
            "sourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
            "sourceEncryptionContext": {"Case": "Kept"},
            "sourceKeyId": source,
            "destinationKeyId": destination,
            "destinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT"
        }),
        "the empty destination context is left out, the source context kept"
    );
    let enc = d.ok("Encrypt", json!({"KeyId": source, "Plaintext": "c2VjcmV0"}));
    let re = d.call(
        "ReEncrypt",
        json!({
            "CiphertextBlob": enc["CiphertextBlob"],
            "DestinationKeyId": destination,
            "DestinationEncryptionContext": {"To": "There"}
        }),
    );
    assert!(re.result.is_ok(), "ReEncrypt");
    assert_eq!(
        re.events[0].request_parameters,
        json!({
            "sourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
            "destinationKeyId": destination,
            "destinationEncryptionContext": {"To": "There"},
            "destinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT"
        })
    );
    //= spec/trail.md#request-parameters
    //= type=test
    //# The `requestParameters` of every record MUST be those of the table above.
    // RetireGrant's row of the table: `null`, also when the grant is named by key and id.
    let grant = d.ok(
        "CreateGrant",
        json!({"KeyId": source, "GranteePrincipal": "p", "RetiringPrincipal": "p", "Operations": ["Decrypt"]}),
    );
    let retire = d.call(
        "RetireGrant",
        json!({"KeyId": Driver::key_arn(&source), "GrantId": grant["GrantId"]}),
    );
    assert!(retire.result.is_ok(), "RetireGrant");
    assert_eq!(retire.events[0].request_parameters, Value::Null);
    //= spec/trail.md#response-elements
    //= type=test
    //# `responseElements` MUST be `{"grantId": <grant id>, "keyId": <key ARN>}` for a successful CreateGrant (by a caller or by DynamoDB), `{"keyId": <key ARN>, "keyState": "PendingDeletion", "deletionDate": <deletion date>}` for a successful ScheduleKeyDeletion, `{"keyId": <key ARN>}` for a successful CancelKeyDeletion, `{"keyMetadata": <KeyMetadata with lowercased member names>}` for a successful CreateKey, `{"tableDescription": <the response's TableDescription with lowercased member names>}` for a successful CreateTable, UpdateTable or DeleteTable, and `null` for every other record except the alias records of the next sentence.
    //= spec/trail.md#response-elements
    //= type=test
    //# A date inside `responseElements` outside `keyMetadata` and `tableDescription` MUST be a string in CloudTrail's form `<Mon> <d>, <yyyy>, <h>:<mm>:<ss> <AM|PM>` in UTC, such as `Aug 10, 2022, 10:38:27 PM`.
    let arn = Driver::key_arn(&destination);
    let schedule = d.call(
        "ScheduleKeyDeletion",
        json!({"KeyId": destination, "PendingWindowInDays": 7}),
    );
    let deletion = schedule.result.expect("schedule").body()["DeletionDate"]
        .as_f64()
        .expect("date");
    let date = ddbsse_wire::time::Timestamp::from_epoch_seconds(deletion)
        .expect("date")
        .response_date();
    assert!(
        (date.ends_with(" AM") || date.ends_with(" PM")) && date.matches(", ").count() == 2,
        "CloudTrail's date form: {date}"
    );
    assert_eq!(
        schedule.events[0].response_elements,
        json!({"keyId": arn, "keyState": "PendingDeletion", "deletionDate": date})
    );
    let cancel = d.call("CancelKeyDeletion", json!({"KeyId": destination}));
    assert!(cancel.result.is_ok(), "CancelKeyDeletion");
    assert_eq!(cancel.events[0].response_elements, json!({"keyId": arn}));
}
