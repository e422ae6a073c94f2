//! Shared helpers: record builders, a generated trail, and a naive reader used as the oracle.

use std::io::Read;
use std::path::{Path, PathBuf};

use ddbsse_trail::generate::{GenerateOptions, GenerateSummary, generate};
use ddbsse_wire::time::Timestamp;
use ddbsse_wire::trail::{
    DYNAMODB_SERVICE, EVENT_VERSION, KMS_EVENT_SOURCE, TrailRecord, TrailResource, UserIdentity,
};
use serde_json::{Value, json};

/// 2019-03-11T00:00:00Z.
pub const T0: u64 = 1_552_262_400_000;

/// A complete minimal KMS record at `t`.
pub fn record(t: u64, name: &str) -> Value {
    json!({
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "accessKeyId": "AKIATEST", "invokedBy": "dynamodb.amazonaws.com"},
        "eventTime": Timestamp(t).event_time(),
        "eventSource": "kms.amazonaws.com",
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "dynamodb.amazonaws.com",
        "requestParameters": {"encryptionContext": {"aws:dynamodb:tableName": "Books"}},
        "resources": [{"ARN": "arn:aws:kms:us-east-1:123456789012:key/k1", "accountId": "123456789012", "type": "AWS::KMS::Key"}],
    })
}

/// The same record as [`record`], as the writer takes it (a `TrailRecord`).
pub fn trail_record(t: u64, name: &str) -> TrailRecord {
    TrailRecord {
        event_version: EVENT_VERSION.to_owned(),
        user_identity: UserIdentity {
            kind: "IAMUser".to_owned(),
            access_key_id: Some("AKIATEST".to_owned()),
            invoked_by: Some(DYNAMODB_SERVICE.to_owned()),
            ..UserIdentity::default()
        },
        event_time: Timestamp(t).event_time(),
        event_source: KMS_EVENT_SOURCE.to_owned(),
        event_name: name.to_owned(),
        aws_region: "us-east-1".to_owned(),
        source_ip_address: DYNAMODB_SERVICE.to_owned(),
        user_agent: DYNAMODB_SERVICE.to_owned(),
        error_code: None,
        error_message: None,
        request_parameters: json!({"encryptionContext": {"aws:dynamodb:tableName": "Books"}}),
        response_elements: Value::Null,
        additional_event_data: None,
        request_id: format!("req-{t}"),
        event_id: format!("evt-{t}-{name}"),
        read_only: true,
        resources: vec![TrailResource {
            arn: "arn:aws:kms:us-east-1:123456789012:key/k1".to_owned(),
            account_id: "123456789012".to_owned(),
            kind: "AWS::KMS::Key".to_owned(),
        }],
        event_type: "AwsApiCall".to_owned(),
        api_version: None,
        management_event: true,
        recipient_account_id: "123456789012".to_owned(),
        shared_event_id: None,
        event_category: "Management".to_owned(),
    }
}

/// All regular files under `dir`, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("readable dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Gunzips and parses one log file.
pub fn read_log(path: &Path) -> Value {
    let mut s = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).expect("open"))
        .read_to_string(&mut s)
        .expect("gunzip");
    serde_json::from_str(&s).expect("json")
}

/// (partition day `YYYY-MM-DD` from the folders, record) for every record under `dir`, read
/// naively (whole tree, no shortcuts): the oracle of the query and stats tests.
pub fn naive_records(dir: &Path) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for path in files_under(dir) {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if !name.ends_with(".json.gz") || name.starts_with('.') {
            continue;
        }
        let comps: Vec<String> = path
            .parent()
            .expect("parent")
            .components()
            .rev()
            .take(3)
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let day = format!("{}-{}-{}", comps[2], comps[1], comps[0]);
        for r in read_log(&path)["Records"].as_array().expect("Records") {
            out.push((day.clone(), r.clone()));
        }
    }
    out
}

/// A generated trail of `records` records over 2 days (seed 7).
pub fn generated(records: u64) -> (tempfile::TempDir, GenerateSummary) {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = generate(&GenerateOptions::new(dir.path(), records, 7)).expect("generate");
    (dir, summary)
}
