//! The blog walkthrough as a scenario, every response and trail record pinned as a snapshot:
//! create-table exactly as in the blog, describe-table, put-item, get-item, five idle minutes,
//! get-item, disable the key, six minutes, get-item, enable.
//!
//! The blog's table uses the AWS managed key, which its owner may not disable
//! (`spec/kms.md#aws-managed-key`), so the exact walkthrough shows DisableKey and EnableKey
//! refused and the table still served. The same walkthrough with a customer managed key
//! (`KMSMasterKeyId`) shows the disabled-key path: served from the cache while the entry is
//! fresh, then `KMS key disabled error`, then recovery after EnableKey.

use serde_json::{Value, json};

use super::support::{Driver, RATINGS, alice, names, ratings_table};

struct Walk {
    d: Driver,
    log: Vec<Value>,
}

impl Walk {
    /// Runs one step, logs request, result and records, and returns the record names and
    /// whether the call succeeded.
    fn step(&mut self, label: &str, op: &str, body: Value) -> (Vec<String>, Result<Value, String>) {
        let out = self.d.call(op, body.clone());
        let (result, summary) = match &out.result {
            Ok(r) => (json!({"ok": r.body()}), Ok(r.body())),
            Err(e) => (
                json!({"error": {"code": e.name(), "message": e.message}}),
                Err(format!("{}: {}", e.name(), e.message)),
            ),
        };
        self.log.push(json!({
            "step": label,
            "time": self.d.now.event_time(),
            "request": {"operation": op, "body": body},
            "result": result,
            "events": out.events,
        }));
        (names(&out.events), summary)
    }
}

fn get_key() -> Value {
    json!({"TableName": RATINGS, "Key": {"player": {"S": "alice"}, "rating": {"N": "5"}}})
}

/// The walkthrough up to "five idle minutes, get-item"; returns the table's key ARN.
fn first_half(w: &mut Walk, sse: Value) -> String {
    let (ev, r) = w.step("create-table", "CreateTable", ratings_table(RATINGS, sse));
    assert!(r.is_ok(), "{r:?}");
    //= spec/trail.md#ddb-kms-calls
    //= type=test
    //# Each DynamoDB request MUST produce exactly the KMS records the table above lists for it, in the order shown, with the identities shown, and no other KMS record.
    assert_eq!(
        ev,
        [
            "DescribeKey",
            "CreateGrant",
            "GenerateDataKey",
            "CreateTable"
        ]
    );
    w.d.advance(1);
    let (ev, r) = w.step(
        "describe-table",
        "DescribeTable",
        json!({"TableName": RATINGS}),
    );
    assert_eq!(ev, ["DescribeTable"]);
    let table = r.expect("describe")["Table"].clone();
    assert_eq!(table["TableStatus"], "ACTIVE");
    assert_eq!(table["SSEDescription"]["Status"], "ENABLED");
    assert_eq!(table["SSEDescription"]["SSEType"], "KMS");
    let arn = table["SSEDescription"]["KMSMasterKeyArn"]
        .as_str()
        .expect("key arn")
        .to_owned();
    w.d.advance(1);
    let (ev, r) = w.step(
        "put-item",
        "PutItem",
        json!({"TableName": RATINGS, "Item": alice()}),
    );
    assert!(r.is_ok());
    assert_eq!(ev, ["Decrypt"], "first access decrypts the table key");
    w.d.advance(1);
    let (ev, r) = w.step("get-item", "GetItem", get_key());
    assert_eq!(r.expect("get")["Item"], alice());
    assert!(ev.is_empty(), "served from the cached table key");
    w.d.advance(300);
    let (ev, r) = w.step("get-item after five idle minutes", "GetItem", get_key());
    assert!(r.is_ok());
    assert_eq!(
        ev,
        ["Decrypt"],
        "five idle minutes: the table key is decrypted again"
    );
    arn
}

#[test]
fn blog_walkthrough_aws_managed_key() {
    let mut w = Walk {
        d: Driver::new(),
        log: Vec::new(),
    };
    let arn = first_half(&mut w, json!({"Enabled": true, "SSEType": "KMS"}));
    w.d.advance(1);
    let (ev, r) = w.step("disable the key", "DisableKey", json!({"KeyId": arn}));
    assert_eq!(ev, ["DisableKey"]);
    assert!(r.expect_err("managed key").starts_with("AccessDeniedException: User: arn:aws:iam::123456789012:user/AKIAEXAMPLEUSER01 is not authorized to perform: kms:DisableKey"));
    w.d.advance(360);
    let (ev, r) = w.step("get-item after six minutes", "GetItem", get_key());
    assert!(r.is_ok(), "the AWS managed key stayed enabled");
    assert_eq!(ev, ["Decrypt"]);
    w.d.advance(1);
    let (ev, r) = w.step("enable the key", "EnableKey", json!({"KeyId": arn}));
    assert_eq!(ev, ["EnableKey"]);
    assert!(r.is_err());
    super::support::snapshot("blog_walkthrough_aws_managed_key", &w.log);
}

#[test]
fn blog_walkthrough_customer_managed_key() {
    let mut w = Walk {
        d: Driver::new(),
        log: Vec::new(),
    };
    let (_, r) = w.step(
        "create-key",
        "CreateKey",
        json!({"Description": "ratings key"}),
    );
    let key_id = r.expect("key")["KeyMetadata"]["KeyId"]
        .as_str()
        .expect("id")
        .to_owned();
    w.d.advance(1);
    let arn = first_half(
        &mut w,
        json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key_id}),
    );
    w.d.advance(1);
    let (ev, r) = w.step("disable the key", "DisableKey", json!({"KeyId": key_id}));
    assert_eq!(ev, ["DisableKey"]);
    assert!(r.is_ok());
    w.d.advance(1);
    let (ev, r) = w.step(
        "get-item right after disabling (cache still fresh)",
        "GetItem",
        get_key(),
    );
    assert!(r.is_ok());
    assert!(ev.is_empty());
    w.d.advance(360);
    let (ev, r) = w.step("get-item after six minutes", "GetItem", get_key());
    assert_eq!(ev, ["Decrypt"]);
    let msg = r.expect_err("disabled");
    assert!(
        msg.starts_with(&format!("ValidationException: KMS key disabled error: com.amazonaws.services.kms.model.DisabledException: {arn} is disabled. (Service: AWSKMS; Status Code: 400; Error Code: DisabledException; Request ID: ")),
        "{msg}"
    );
    w.d.advance(1);
    let (ev, r) = w.step("enable the key", "EnableKey", json!({"KeyId": key_id}));
    assert_eq!(ev, ["EnableKey"]);
    assert!(r.is_ok());
    w.d.advance(1);
    let (ev, r) = w.step("get-item after enabling", "GetItem", get_key());
    assert_eq!(r.expect("get")["Item"], alice());
    assert_eq!(ev, ["Decrypt"]);
    super::support::snapshot("blog_walkthrough_customer_managed_key", &w.log);
}
