//! `ddbsse trail export --data-dir DIR --out DIR`: a stopped durable endpoint's stored trail,
//! written in CloudTrail's S3 delivery layout, read back file by file.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use ddbsse_server::engine::{Engine, EngineConfig};
use ddbsse_wire::caller::Caller;
use ddbsse_wire::time::{MANUAL_CLOCK_START, Timestamp};
use serde_json::{Value, json};

use crate::counts::time_millis;

/// Account and region of the default engine configuration, which the export defaults to.
pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";
/// CloudTrail's delivery window.
pub const WINDOW_MILLIS: u64 = 300_000;

/// Runs the `ddbsse` binary with `args`; returns (success, stderr).
pub fn ddbsse(args: &[&str]) -> (bool, String) {
    let (ok, _, stderr) = ddbsse_output(args);
    (ok, stderr)
}

/// Runs the `ddbsse` binary with `args`; returns (success, stdout, stderr).
pub fn ddbsse_output(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ddbsse"))
        .args(args)
        .output()
        .expect("the ddbsse binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Exports `data_dir`'s trail to `out` with the binary, asserting success.
pub fn export(data_dir: &Path, out: &Path) {
    let (ok, stderr) = ddbsse(&[
        "trail",
        "export",
        "--data-dir",
        &data_dir.display().to_string(),
        "--out",
        &out.display().to_string(),
    ]);
    assert!(ok, "ddbsse trail export failed: {stderr}");
}

/// Every regular file below `root`, in path order.
pub fn all_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("folder reads") {
            let path = entry.expect("entry reads").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// One delivered file, read back.
#[derive(Debug)]
pub struct DeliveredFile {
    /// Path relative to the delivery root.
    pub relative: PathBuf,
    /// The decompressed text.
    pub text: String,
    /// Its records.
    pub records: Vec<Value>,
}

/// Reads every file below `root` as a delivery file (gzip of `{"Records":[...]}`).
pub fn read_delivery(root: &Path) -> Vec<DeliveredFile> {
    all_files(root)
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).expect("file reads");
            let mut text = String::new();
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_string(&mut text)
                .expect("each file is gzip of UTF-8 text");
            let body: Value = serde_json::from_str(&text).expect("each file is one JSON value");
            let records = body["Records"]
                .as_array()
                .expect("each file is {\"Records\": [...]}")
                .clone();
            DeliveredFile {
                relative: path
                    .strip_prefix(root)
                    .expect("below the root")
                    .to_path_buf(),
                text,
                records,
            }
        })
        .collect()
}

/// `YYYYMMDDTHHmmZ` of a time, from its event time `YYYY-MM-DDTHH:MM:SSZ`.
fn delivery_stamp(millis: u64) -> String {
    let t = Timestamp(millis).event_time();
    format!(
        "{}{}{}T{}{}Z",
        &t[0..4],
        &t[5..7],
        &t[8..10],
        &t[11..13],
        &t[14..16]
    )
}

/// Checks the path, body and window of every delivered file, and returns their records in path
/// order (which is delivery order: one folder a day, names stamped with the window end).
pub fn check_layout(files: &[DeliveredFile]) -> Vec<Value> {
    let mut all = Vec::new();
    let mut previous_window = None;
    for f in files {
        let parts: Vec<String> = f
            .relative
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        //= spec/trail.md#delivery-path
        //= type=test
        //# A delivery file MUST be written at `AWSLogs/<account>/CloudTrail/<region>/<YYYY>/<MM>/<DD>/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz` below the delivery directory, where the date and time are the file's delivery time in UTC and `<unique>` is 16 characters from `[A-Za-z0-9]`.
        assert_eq!(parts.len(), 8, "{}: eight path parts", f.relative.display());
        assert_eq!(
            &parts[..4],
            ["AWSLogs", ACCOUNT, "CloudTrail", REGION],
            "{}",
            f.relative.display()
        );
        let name = &parts[7];
        let prefix = format!("{ACCOUNT}_CloudTrail_{REGION}_");
        let rest = name
            .strip_prefix(&prefix)
            .and_then(|r| r.strip_suffix(".json.gz"))
            .unwrap_or_else(|| panic!("{name}: not <account>_CloudTrail_<region>_..json.gz"));
        let (stamp, unique) = rest
            .split_once('_')
            .unwrap_or_else(|| panic!("{name}: no _<unique>"));
        assert_eq!(unique.len(), 16, "{name}: 16-character unique string");
        assert!(unique.chars().all(|c| c.is_ascii_alphanumeric()), "{name}");
        assert_eq!(
            format!("{}{}{}", parts[4], parts[5], parts[6]),
            stamp[..8],
            "{name}: the date folders are the delivery date"
        );

        //= spec/trail.md#delivery-body
        //= type=test
        //# A delivery file MUST be the gzip of one line of JSON, `{"Records":[...]}`, holding its records in recording order, each identical to the `CloudTrailEvent` LookupEvents returns for it.
        assert!(!f.text.contains('\n'), "{name}: one line of JSON");
        assert!(
            f.text.starts_with("{\"Records\":["),
            "{name}: {{\"Records\":[...]}}"
        );
        assert!(!f.records.is_empty(), "{name}: no empty file");

        //= spec/trail.md#delivery-roll
        //= type=test
        //# A target MUST put each record in the window `[k * 300 s, (k + 1) * 300 s)` of the endpoint clock that contains its time, and MUST deliver a window's file, named with the window's end as delivery time, once the clock reaches that end; a window without records produces no file.
        let window = time_millis(&f.records[0]) / WINDOW_MILLIS;
        for r in &f.records {
            assert_eq!(
                time_millis(r) / WINDOW_MILLIS,
                window,
                "{name}: every record of a file in one window"
            );
        }
        assert_eq!(
            stamp,
            delivery_stamp((window + 1) * WINDOW_MILLIS),
            "{name}: named with the window's end"
        );
        assert!(
            previous_window < Some(window),
            "{name}: one file per window, in order"
        );
        previous_window = Some(window);
        all.extend(f.records.iter().cloned());
    }
    all
}

#[test]
fn export_writes_the_stored_trail_of_a_stopped_endpoint_in_the_delivery_layout() {
    let data = tempfile::tempdir().expect("temp dir");
    let out = tempfile::tempdir().expect("temp dir");
    let stored: Vec<Value>;
    {
        let engine = Engine::open(EngineConfig {
            data_dir: Some(data.path().to_path_buf()),
            ..EngineConfig::default()
        })
        .expect("engine opens");
        let caller = Caller::new("AKIDDDBSSEPRINCIPAL1", 1);
        let call = |minutes: u64, target: &str, body: Value| {
            let now = MANUAL_CLOCK_START.plus(minutes * 60_000);
            let r = engine.handle(now, &caller, target, body.to_string().as_bytes());
            assert_eq!(
                r.status,
                200,
                "{target}: {}",
                String::from_utf8_lossy(&r.body)
            );
            serde_json::from_slice::<Value>(&r.body).expect("JSON answer")
        };
        let key = call(0, "TrentService.CreateKey", json!({}));
        let arn = key["KeyMetadata"]["Arn"]
            .as_str()
            .expect("key ARN")
            .to_owned();
        call(
            1,
            "DynamoDB_20120810.CreateTable",
            json!({
                "TableName": "orders",
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "BillingMode": "PAY_PER_REQUEST",
                "SSESpecification": {"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": arn},
            }),
        );
        // Reads in three windows: a Decrypt in each (minutes 2, 7, 12), then a DescribeKey at 13.
        for minutes in [2, 7, 12] {
            call(
                minutes,
                "DynamoDB_20120810.GetItem",
                json!({"TableName": "orders", "Key": {"pk": {"S": "a"}}}),
            );
        }
        call(13, "TrentService.DescribeKey", json!({"KeyId": arn}));
        stored = engine
            .trail_since(0)
            .0
            .iter()
            .map(|r| serde_json::to_value(r).expect("a record is JSON"))
            .collect();
    }
    assert!(stored.len() >= 8, "the workload was recorded: {stored:?}");

    export(data.path(), out.path());

    let files = read_delivery(out.path());
    assert_eq!(
        files.len(),
        3,
        "records of minutes 0-2, 7 and 12-13: {files:?}"
    );
    let exported = check_layout(&files);
    assert_eq!(exported, stored, "the stored trail, in recording order");
}

#[test]
fn export_of_a_folder_without_a_database_fails_with_its_name() {
    let data = tempfile::tempdir().expect("temp dir");
    let out = tempfile::tempdir().expect("temp dir");
    let (ok, stderr) = ddbsse(&[
        "trail",
        "export",
        "--data-dir",
        &data.path().display().to_string(),
        "--out",
        &out.path().display().to_string(),
    ]);
    assert!(!ok, "exit status is a failure");
    assert!(
        stderr.contains(&data.path().display().to_string()),
        "the message names the folder: {stderr}"
    );
    assert!(all_files(out.path()).is_empty(), "nothing written");
}
