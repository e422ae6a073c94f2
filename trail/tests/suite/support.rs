//! Shared helpers: record builders, a generated trail, and a naive reader used as the oracle.

use std::io::Read;
use std::path::{Path, PathBuf};

use ddbsse_trail::generate::{GenerateOptions, GenerateSummary, generate};
use ddbsse_trail::timefmt::format_event_time;
use serde_json::{Value, json};

/// 2019-03-11T00:00:00Z.
pub const T0: u64 = 1_552_262_400_000;

/// A complete minimal KMS record at `t`.
pub fn record(t: u64, name: &str) -> Value {
    json!({
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "accessKeyId": "AKIATEST", "invokedBy": "dynamodb.amazonaws.com"},
        "eventTime": format_event_time(t),
        "eventSource": "kms.amazonaws.com",
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "dynamodb.amazonaws.com",
        "requestParameters": {"encryptionContext": {"aws:dynamodb:tableName": "Books"}},
        "resources": [{"ARN": "arn:aws:kms:us-east-1:123456789012:key/k1", "accountId": "123456789012", "type": "AWS::KMS::Key"}],
    })
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
