//! A driver for the model in tests: JSON in, JSON out, a manual clock, and the records of each
//! step.

use ddbsse_model::{Model, ModelConfig, Outcome};
use ddbsse_wire::caller::Caller;
use ddbsse_wire::time::{MANUAL_CLOCK_START, SECOND, Timestamp};
use ddbsse_wire::trail::TrailRecord;
use ddbsse_wire::{ApiError, Request, Service};
use serde_json::{Value, json};

/// The blog's table.
pub const RATINGS: &str = "ratings";

/// A model, its clock and the default caller.
pub struct Driver {
    pub model: Model,
    pub now: Timestamp,
    pub caller: Caller,
}

impl Default for Driver {
    fn default() -> Self {
        Self::new()
    }
}

impl Driver {
    pub fn new() -> Self {
        Self {
            model: Model::new(ModelConfig::default()),
            now: MANUAL_CLOCK_START,
            caller: Caller::new("AKIAEXAMPLEUSER01", 1),
        }
    }

    /// Moves the clock forward by `secs` seconds.
    pub fn advance(&mut self, secs: u64) {
        self.now = self.now.plus(secs * SECOND);
    }

    /// Moves the clock forward by `ms` milliseconds.
    pub fn advance_ms(&mut self, ms: u64) {
        self.now = self.now.plus(ms);
    }

    /// Calls `op` (e.g. `DynamoDB_20120810.GetItem` or just `GetItem`) with a JSON body as the
    /// default caller.
    pub fn call(&mut self, op: &str, body: Value) -> Outcome {
        let caller = self.caller.clone();
        self.call_as(&caller, op, body)
    }

    /// Calls `op` as `caller`.
    pub fn call_as(&mut self, caller: &Caller, op: &str, body: Value) -> Outcome {
        let target = target_of(op);
        let request = Request::parse(&target, body.to_string().as_bytes())
            .unwrap_or_else(|e| panic!("test request {op} does not parse: {e}"));
        self.model.handle(self.now, caller, &request)
    }

    /// Calls and expects success; returns the response body.
    pub fn ok(&mut self, op: &str, body: Value) -> Value {
        let out = self.call(op, body);
        match out.result {
            Ok(r) => r.body(),
            Err(e) => panic!("{op} failed: {e}"),
        }
    }

    /// Calls and expects an error.
    pub fn err(&mut self, op: &str, body: Value) -> ApiError {
        match self.call(op, body).result {
            Ok(r) => panic!("{op} unexpectedly succeeded: {}", r.body()),
            Err(e) => e,
        }
    }

    /// Creates a customer managed key and returns its id.
    pub fn create_key(&mut self) -> String {
        let out = self.ok("CreateKey", json!({"Description": "test key"}));
        out["KeyMetadata"]["KeyId"]
            .as_str()
            .expect("KeyId")
            .to_owned()
    }

    /// The blog's create-table, with `sse` as `SSESpecification` (omitted when null).
    pub fn create_ratings(&mut self, sse: Value) -> Outcome {
        self.call("CreateTable", ratings_table(RATINGS, sse))
    }

    /// `TableStatus` of a table as DescribeTable reports it.
    pub fn status(&mut self, table: &str) -> String {
        let out = self.ok("DescribeTable", json!({"TableName": table}));
        out["Table"]["TableStatus"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// DescribeTable's `Table`.
    pub fn describe(&mut self, table: &str) -> Value {
        self.ok("DescribeTable", json!({"TableName": table}))["Table"].clone()
    }

    /// A GetItem of the blog's item on `table`, as the default caller.
    pub fn get_ratings(&mut self, table: &str) -> Outcome {
        self.call(
            "GetItem",
            json!({"TableName": table, "Key": {"player": {"S": "alice"}, "rating": {"N": "5"}}}),
        )
    }

    /// The number of KMS Decrypt records an outcome carries.
    pub fn decrypts(out: &Outcome) -> usize {
        names(&out.events)
            .iter()
            .filter(|n| *n == "Decrypt")
            .count()
    }

    /// Key ARN of a key id.
    pub fn key_arn(id: &str) -> String {
        format!("arn:aws:kms:us-east-1:123456789012:key/{id}")
    }
}

/// The event names of some records.
pub fn names(events: &[TrailRecord]) -> Vec<String> {
    events.iter().map(|e| e.event_name.clone()).collect()
}

/// The X-Amz-Target of an operation name.
pub fn target_of(op: &str) -> String {
    if op.contains('.') {
        return op.to_owned();
    }
    let service = match op {
        "CreateTable" | "DescribeTable" | "UpdateTable" | "DeleteTable" | "ListTables"
        | "PutItem" | "GetItem" | "DeleteItem" | "Query" | "Scan" | "BatchWriteItem"
        | "BatchGetItem" => Service::DynamoDb,
        "LookupEvents" => Service::CloudTrail,
        _ => Service::Kms,
    };
    format!("{}{op}", service.target_prefix())
}

/// The blog's CreateTable body for `name`.
pub fn ratings_table(name: &str, sse: Value) -> Value {
    let mut body = json!({
        "TableName": name,
        "AttributeDefinitions": [
            {"AttributeName": "player", "AttributeType": "S"},
            {"AttributeName": "rating", "AttributeType": "N"}
        ],
        "KeySchema": [
            {"AttributeName": "player", "KeyType": "HASH"},
            {"AttributeName": "rating", "KeyType": "RANGE"}
        ],
        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    });
    if !sse.is_null() {
        body["SSESpecification"] = sse;
    }
    body
}

/// The blog's item.
pub fn alice() -> Value {
    json!({"player": {"S": "alice"}, "rating": {"N": "5"}, "game": {"S": "chess"}})
}

/// Pins `value` as the JSON snapshot `tests/suite/snapshots/model_<name>.snap`.
pub fn snapshot(name: &str, value: &impl serde::Serialize) {
    insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_json_snapshot!(format!("model_{name}"), value);
    });
}
