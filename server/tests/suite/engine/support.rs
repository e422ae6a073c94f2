//! A harness around one engine: a manual clock, callers on connections, and JSON in and out.

use std::cell::Cell;

use ddbsse_server::engine::{Engine, EngineConfig, Faults};
use ddbsse_wire::caller::Caller;
use ddbsse_wire::time::{MANUAL_CLOCK_START, SECOND, Timestamp};
use serde_json::{Value, json};

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";

pub struct H {
    pub engine: Engine,
    pub now: Cell<Timestamp>,
    pub caller: Caller,
}

impl H {
    pub fn new() -> Self {
        Self::with(EngineConfig::default())
    }

    pub fn with_faults(faults: Faults) -> Self {
        Self::with(EngineConfig {
            faults,
            ..EngineConfig::default()
        })
    }

    pub fn with(config: EngineConfig) -> Self {
        Self {
            engine: Engine::open(config).expect("engine opens"),
            now: Cell::new(MANUAL_CLOCK_START),
            caller: Caller::new("AKIDALICE", 1),
        }
    }

    pub fn advance_secs(&self, s: u64) {
        self.now.set(self.now.get().plus(s * SECOND));
    }

    pub fn advance_ms(&self, ms: u64) {
        self.now.set(self.now.get().plus(ms));
    }

    /// Calls `target` (`DynamoDB_20120810.X`, `TrentService.X` or the CloudTrail target, or a
    /// short name resolved by service) as the default caller.
    pub fn call(&self, target: &str, body: Value) -> (u16, Value) {
        self.call_as(&self.caller.clone(), target, body)
    }

    pub fn call_as(&self, caller: &Caller, target: &str, body: Value) -> (u16, Value) {
        let target = full_target(target);
        let bytes = serde_json::to_vec(&body).expect("json");
        let r = self.engine.handle(self.now.get(), caller, &target, &bytes);
        let v: Value = serde_json::from_slice(&r.body).expect("engine answers JSON");
        assert!(!r.request_id.is_empty());
        (r.status, v)
    }

    /// Calls and demands success.
    pub fn ok(&self, target: &str, body: Value) -> Value {
        let (s, v) = self.call(target, body);
        assert_eq!(s, 200, "{target}: {v}");
        v
    }

    pub fn ok_as(&self, caller: &Caller, target: &str, body: Value) -> Value {
        let (s, v) = self.call_as(caller, target, body);
        assert_eq!(s, 200, "{target}: {v}");
        v
    }

    /// Calls and demands an error; returns (bare error name, message).
    pub fn err(&self, target: &str, body: Value) -> (String, String) {
        self.err_as(&self.caller.clone(), target, body)
    }

    pub fn err_as(&self, caller: &Caller, target: &str, body: Value) -> (String, String) {
        let (s, v) = self.call_as(caller, target, body);
        assert_ne!(s, 200, "{target} unexpectedly succeeded: {v}");
        assert!(s == 400 || s == 500, "status {s}");
        let ty = v["__type"].as_str().expect("__type").to_owned();
        let name = ty.rsplit('#').next().unwrap_or(&ty).to_owned();
        (name, v["message"].as_str().unwrap_or_default().to_owned())
    }

    pub fn create_key(&self) -> (String, String) {
        let v = self.ok("CreateKey", json!({"Description": "test key"}));
        (
            v["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned(),
            v["KeyMetadata"]["Arn"].as_str().unwrap().to_owned(),
        )
    }

    pub fn create_table(&self, name: &str, sse: Option<Value>) -> Value {
        let mut body = json!({
            "TableName": name,
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"}
            ],
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"}
            ],
            "BillingMode": "PAY_PER_REQUEST"
        });
        if let Some(s) = sse {
            body["SSESpecification"] = s;
        }
        self.ok("CreateTable", body)
    }

    pub fn put(&self, table: &str, pk: &str, sk: i64, v: &str) {
        self.ok(
            "PutItem",
            json!({"TableName": table, "Item": {"pk": {"S": pk}, "sk": {"N": sk.to_string()}, "v": {"S": v}}}),
        );
    }

    pub fn get(&self, table: &str, pk: &str, sk: i64) -> Value {
        self.ok(
            "GetItem",
            json!({"TableName": table, "Key": {"pk": {"S": pk}, "sk": {"N": sk.to_string()}}}),
        )
    }

    /// Trail records (as JSON) with this event name.
    pub fn events(&self, name: &str) -> Vec<Value> {
        self.engine
            .trail_records()
            .into_iter()
            .map(|r| serde_json::to_value(r).unwrap())
            .filter(|r| r["eventName"] == name)
            .collect()
    }

    pub fn decrypts(&self) -> usize {
        self.events("Decrypt").len()
    }
}

pub fn full_target(t: &str) -> String {
    if t.contains('.') {
        return t.to_owned();
    }
    const KMS: &[&str] = &[
        "CreateKey",
        "DescribeKey",
        "ListKeys",
        "CreateAlias",
        "ListAliases",
        "EnableKey",
        "DisableKey",
        "ScheduleKeyDeletion",
        "CancelKeyDeletion",
        "CreateGrant",
        "ListGrants",
        "RetireGrant",
        "RevokeGrant",
        "Encrypt",
        "Decrypt",
        "GenerateDataKey",
    ];
    if t == "LookupEvents" {
        format!("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.{t}")
    } else if KMS.contains(&t) {
        format!("TrentService.{t}")
    } else {
        format!("DynamoDB_20120810.{t}")
    }
}
