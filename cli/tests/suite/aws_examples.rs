//! AWS's published CloudTrail examples (`fixtures/aws/*.json`) against what the reference model
//! and the in-repo engine record for the same scenario (`spec/trail.md#aws-examples`).
//!
//! Does: run each example's scenario on a fresh model and a fresh engine configured with the
//! example's account (`111122223333`) and region (`us-west-2`) and its table name; pick the
//! produced record of the example's operation (and table); normalise both sides; list the JSON
//! pointers where they still differ; and require that list to be exactly the rows of the table in
//! `spec/trail.md` section 7 for that example. A new difference, or a listed one that went away,
//! fails the test, so the table stays true.
//!
//! Normalisation, member by member (each replaces a value by a placeholder or removes a member on
//! both sides; presence of every other member still counts):
//!
//! - `eventID`, `requestID`, `sharedEventID`: the value becomes `"<id>"` (ids are random).
//! - `eventTime`: becomes `"<time>"` (AWS's examples were recorded in 2018 and 2022).
//! - `responseElements.grantId` and `additionalEventData.grantId`: become `"<grant id>"`.
//! - the key id: AWS's `1234abcd-12ab-34cd-56ef-1234567890ab` and the key the scenario created
//!   become `<key id>` inside every string (ARNs included).
//! - `userIdentity` of a caller (`type` `IAMUser` or `AssumedRole`): `type`, `principalId`, `arn`
//!   and `accessKeyId` become `"<caller>"`; `sessionContext` (AWS's examples use an assumed role)
//!   and `userName` (our principals are IAM users) are removed. `accountId` and `invokedBy` stay.
//! - `sourceIPAddress` and `userAgent` of a call a caller made directly (a caller identity without
//!   `invokedBy`): become `"<caller>"` (the caller's own address and SDK).
//!
//! Does not: compare records that AWS publishes no example of, or the order of records.

use std::collections::BTreeSet;
use std::path::PathBuf;

use ddbsse_model::{Model, ModelConfig};
use ddbsse_server::engine::{Engine, EngineConfig};
use ddbsse_wire::Request;
use ddbsse_wire::caller::Caller;
use ddbsse_wire::time::{MANUAL_CLOCK_START, MINUTE, SECOND, Timestamp};
use serde_json::{Value, json};

const ACCOUNT: &str = "111122223333";
const REGION: &str = "us-west-2";
const AWS_KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the cli crate sits in the workspace")
        .to_path_buf()
}

/// A model and an engine side by side, in the examples' account and region.
struct Both {
    model: Model,
    engine: Engine,
    now: Timestamp,
}

impl Both {
    fn new() -> Both {
        Both {
            model: Model::new(ModelConfig {
                account: ACCOUNT.to_owned(),
                region: REGION.to_owned(),
                seed: 7,
                ..ModelConfig::default()
            }),
            engine: Engine::open(EngineConfig {
                account: ACCOUNT.to_owned(),
                region: REGION.to_owned(),
                ..EngineConfig::default()
            })
            .expect("engine opens in memory"),
            now: MANUAL_CLOCK_START,
        }
    }

    /// Sends one request to both; returns (model answer, engine answer), both successful.
    fn call(&mut self, connection: u64, target: &str, body: Value) -> (Value, Value) {
        let caller = Caller::new("AKIDEXAMPLEUSER", connection);
        let text = body.to_string();
        let response = self
            .engine
            .handle(self.now, &caller, target, text.as_bytes());
        let engine: Value = serde_json::from_slice(&response.body).expect("engine answers JSON");
        assert_eq!(response.status, 200, "engine {target}: {engine}");
        let request = Request::parse(target, text.as_bytes()).expect("the request parses");
        let outcome = self.model.handle(self.now, &caller, &request);
        let model = serde_json::to_value(outcome.result.expect("model succeeds"))
            .expect("responses serialise");
        (model, engine)
    }

    fn create_key(&mut self) -> (String, String) {
        let (m, e) = self.call(1, "TrentService.CreateKey", json!({}));
        let id = |v: &Value| {
            v["KeyMetadata"]["KeyId"]
                .as_str()
                .expect("KeyId")
                .to_owned()
        };
        (id(&m), id(&e))
    }

    /// The (model, engine) records, as JSON.
    fn records(&self) -> (Vec<Value>, Vec<Value>) {
        let json = |r: &ddbsse_wire::trail::TrailRecord| serde_json::to_value(r).expect("record");
        (
            self.model.events().iter().map(json).collect(),
            self.engine.trail_records().iter().map(json).collect(),
        )
    }
}

fn create_table_body(name: &str, key: &str) -> Value {
    json!({
        "TableName": name,
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
        "SSESpecification": {"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key}
    })
}

/// The DynamoDB examples' scenario: a key, the tables `Books` and `Services` under it, and after
/// they are active a PutItem on `Books` from a new connection. Returns the key ids (model, engine).
fn dynamodb_scenario(both: &mut Both) -> (String, String) {
    let (mk, ek) = both.create_key();
    both.now = both.now.plus(SECOND);
    for table in ["Books", "Services"] {
        let caller = Caller::new("AKIDEXAMPLEUSER", 1);
        let r = both.engine.handle(
            both.now,
            &caller,
            "DynamoDB_20120810.CreateTable",
            create_table_body(table, &ek).to_string().as_bytes(),
        );
        assert_eq!(r.status, 200, "engine CreateTable {table}");
        let body = create_table_body(table, &mk).to_string();
        let request = Request::parse("DynamoDB_20120810.CreateTable", body.as_bytes())
            .expect("the request parses");
        both.model
            .handle(both.now, &caller, &request)
            .result
            .expect("model CreateTable");
    }
    both.now = both.now.plus(10 * MINUTE);
    both.call(
        2,
        "DynamoDB_20120810.PutItem",
        json!({"TableName": "Books", "Item": {"pk": {"S": "a"}}}),
    );
    (mk, ek)
}

/// The DescribeKey example's scenario: a key, then a direct DescribeKey by key id.
fn describe_key_scenario(both: &mut Both) -> (String, String) {
    let (mk, ek) = both.create_key();
    both.now = both.now.plus(SECOND);
    let caller = Caller::new("AKIDEXAMPLEUSER", 1);
    let r = both.engine.handle(
        both.now,
        &caller,
        "TrentService.DescribeKey",
        json!({"KeyId": ek}).to_string().as_bytes(),
    );
    assert_eq!(r.status, 200, "engine DescribeKey");
    let body = json!({"KeyId": mk}).to_string();
    let request =
        Request::parse("TrentService.DescribeKey", body.as_bytes()).expect("the request parses");
    both.model
        .handle(both.now, &caller, &request)
        .result
        .expect("model DescribeKey");
    (mk, ek)
}

/// The RetireGrant example's scenario: a key, a grant on it, and a direct RetireGrant by KeyId and
/// GrantId.
fn retire_grant_scenario(both: &mut Both) -> (String, String) {
    let (mk, ek) = both.create_key();
    let grant = |key: &str| {
        json!({"KeyId": key, "GranteePrincipal": "arn:aws:iam::111122223333:role/Example",
            "Operations": ["Decrypt"]})
    };
    let caller = Caller::new("AKIDEXAMPLEUSER", 1);
    let r = both.engine.handle(
        both.now,
        &caller,
        "TrentService.CreateGrant",
        grant(&ek).to_string().as_bytes(),
    );
    assert_eq!(r.status, 200);
    let eg: Value = serde_json::from_slice(&r.body).expect("JSON");
    let body = grant(&mk).to_string();
    let request =
        Request::parse("TrentService.CreateGrant", body.as_bytes()).expect("the request parses");
    let mg = serde_json::to_value(
        both.model
            .handle(both.now, &caller, &request)
            .result
            .expect("model CreateGrant"),
    )
    .expect("JSON");
    both.now = both.now.plus(SECOND);
    for (key, g, model) in [(&ek, &eg, false), (&mk, &mg, true)] {
        let body = json!({"KeyId": key, "GrantId": g["GrantId"]}).to_string();
        if model {
            let request = Request::parse("TrentService.RetireGrant", body.as_bytes())
                .expect("the request parses");
            both.model
                .handle(both.now, &caller, &request)
                .result
                .expect("model RetireGrant");
        } else {
            let r = both.engine.handle(
                both.now,
                &caller,
                "TrentService.RetireGrant",
                body.as_bytes(),
            );
            assert_eq!(r.status, 200, "engine RetireGrant");
        }
    }
    (mk, ek)
}

/// Applies the normalisation of the module documentation to one record.
fn normalise(record: &Value, key_id: &str) -> Value {
    fn strings(v: &Value, key_id: &str) -> Value {
        match v {
            Value::String(s) => Value::String(
                s.replace(AWS_KEY_ID, "<key id>")
                    .replace(key_id, "<key id>"),
            ),
            Value::Array(a) => Value::Array(a.iter().map(|x| strings(x, key_id)).collect()),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, x)| (k.clone(), strings(x, key_id)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
    let mut r = strings(record, key_id);
    for id in ["eventID", "requestID", "sharedEventID"] {
        if r.get(id).is_some() {
            r[id] = json!("<id>");
        }
    }
    if r.get("eventTime").is_some() {
        r["eventTime"] = json!("<time>");
    }
    for outer in ["responseElements", "additionalEventData"] {
        if r[outer].get("grantId").is_some() {
            r[outer]["grantId"] = json!("<grant id>");
        }
    }
    let kind = r["userIdentity"]["type"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if kind == "IAMUser" || kind == "AssumedRole" {
        let identity = r["userIdentity"]
            .as_object_mut()
            .expect("userIdentity is an object");
        for member in ["type", "principalId", "arn", "accessKeyId"] {
            if identity.contains_key(member) {
                identity.insert(member.to_owned(), json!("<caller>"));
            }
        }
        identity.remove("sessionContext");
        identity.remove("userName");
        if !identity.contains_key("invokedBy") {
            r["sourceIPAddress"] = json!("<caller>");
            r["userAgent"] = json!("<caller>");
        }
    }
    r
}

/// The JSON pointers at which `a` and `b` differ (a member on one side only, or different
/// values; arrays of different lengths differ as a whole).
fn differences(a: &Value, b: &Value, path: &str, out: &mut BTreeSet<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let p = format!("{path}/{k}");
                match (x.get(k), y.get(k)) {
                    (Some(u), Some(v)) => differences(u, v, &p, out),
                    _ => {
                        out.insert(p);
                    }
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                differences(u, v, &format!("{path}/{i}"), out);
            }
        }
        _ if a == b => {}
        _ => {
            out.insert(path.to_owned());
        }
    }
}

/// The rows of `spec/trail.md` section 7 as (fixture file, JSON pointer).
fn listed_differences() -> BTreeSet<(String, String)> {
    let spec = std::fs::read_to_string(root().join("spec/trail.md")).expect("spec/trail.md");
    let section = spec
        .split("{#aws-examples}")
        .nth(1)
        .expect("spec/trail.md has the section {#aws-examples}");
    let section = section.split("\n## ").next().unwrap_or(section);
    section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let cell = |i: usize| cells.get(i).unwrap_or(&"").trim_matches('`').to_owned();
            (cell(1), cell(2))
        })
        .collect()
}

/// The table name of the encryption context a record's parameters carry, if any.
fn table_of(record: &Value) -> Option<&str> {
    let p = &record["requestParameters"];
    p["encryptionContext"]["aws:dynamodb:tableName"]
        .as_str()
        .or_else(|| p["constraints"]["encryptionContextSubset"]["aws:dynamodb:tableName"].as_str())
}

//= spec/trail.md#aws-examples
//= type=test
//# For each example in `fixtures/aws/`, the record that the reference model and a target produce for the example's scenario MUST equal the example after the normalisation of `cli/tests/suite/aws_examples.rs`, except at exactly the members the table below lists for that example.
#[test]
fn published_examples_differ_only_where_the_spec_says() {
    let listed = listed_differences();
    let dir = root().join("fixtures/aws");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/aws")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "the five transcribed examples");
    let mut seen_files = BTreeSet::new();
    for path in files {
        let file = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let fixture: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("readable"))
                .expect("fixtures are JSON");
        for member in ["source", "read", "scenario", "record"] {
            assert!(fixture.get(member).is_some(), "{file} has {member}");
        }
        let example = &fixture["record"];
        let name = example["eventName"].as_str().expect("eventName");
        let mut both = Both::new();
        let (mk, ek) = match file.as_str() {
            f if f.starts_with("ddb-") => dynamodb_scenario(&mut both),
            "kms-describekey.json" => describe_key_scenario(&mut both),
            "kms-retiregrant.json" => retire_grant_scenario(&mut both),
            other => panic!("{other}: no scenario for this example"),
        };
        let (model, engine) = both.records();
        let expected: BTreeSet<String> = listed
            .iter()
            .filter(|(f, _)| *f == file)
            .map(|(_, p)| p.clone())
            .collect();
        let want = normalise(example, AWS_KEY_ID);
        for (side, records, key) in [("model", &model, &mk), ("engine", &engine, &ek)] {
            let produced = records
                .iter()
                .find(|r| r["eventName"] == name && table_of(r) == table_of(example))
                .unwrap_or_else(|| panic!("{side} records no {name} for {file}"));
            let got = normalise(produced, key);
            let mut found = BTreeSet::new();
            differences(&want, &got, "", &mut found);
            let unlisted: Vec<&String> = found.difference(&expected).collect();
            let gone: Vec<&String> = expected.difference(&found).collect();
            assert!(
                unlisted.is_empty() && gone.is_empty(),
                "{file} on the {side}: differences not in spec/trail.md section 7: {unlisted:?}; \
                 listed but no longer different: {gone:?}\nAWS (normalised): {want:#}\n\
                 {side} (normalised): {got:#}"
            );
        }
        seen_files.insert(file);
    }
    for (f, p) in &listed {
        assert!(
            seen_files.contains(f),
            "spec/trail.md section 7 lists {p} of {f}, which is not a fixture"
        );
    }
}
