//! `--trail-dir`: the trail delivered as CloudTrail log files, rolled on the manual clock and
//! flushed at shutdown.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ddbsse_server::cli::ServeArgs;
use ddbsse_server::clock::ClockKind;

use super::TestServer;
use super::client::Connection;

fn delivered_files(root: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, &mut out);
    out.sort();
    out
}

fn records(path: &Path) -> Vec<serde_json::Value> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).expect("open"))
        .read_to_string(&mut text)
        .expect("gzip");
    let body: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    body["Records"].as_array().cloned().expect("Records")
}

async fn wait_for_files(root: &Path, n: usize) -> Vec<PathBuf> {
    for _ in 0..100 {
        let files = delivered_files(root);
        if files.len() >= n {
            return files;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    delivered_files(root)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_are_delivered_when_the_manual_clock_passes_a_window_and_at_shutdown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("bucket");
    let server = TestServer::start(ServeArgs {
        port: 0,
        clock: ClockKind::Manual,
        trail_dir: Some(root.clone()),
        ..ServeArgs::default()
    })
    .await;
    let mut c = Connection::open(server.addr).await;
    let create = r#"{"TableName":"ratings","AttributeDefinitions":[{"AttributeName":"player","AttributeType":"S"}],
        "KeySchema":[{"AttributeName":"player","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST",
        "SSESpecification":{"Enabled":true,"SSEType":"KMS"}}"#;
    let r = c
        .call("AKIDTEST", "DynamoDB_20120810.CreateTable", create)
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        delivered_files(&root).is_empty(),
        "the window is still open"
    );

    //= spec/trail.md#delivery-roll
    //= type=test
    //# A target MUST put each record in the window `[k * 300 s, (k + 1) * 300 s)` of the endpoint clock that contains its time, and MUST deliver a window's file, named with the window's end as delivery time, once the clock reaches that end; a window without records produces no file.
    super::advance(server.addr, 300_000).await;
    let files = wait_for_files(&root, 1).await;
    assert_eq!(files.len(), 1, "{files:?}");
    let rel = files[0]
        .strip_prefix(&root)
        .expect("under root")
        .to_string_lossy()
        .into_owned();
    assert!(
        rel.starts_with("AWSLogs/123456789012/CloudTrail/us-east-1/2019/03/11/123456789012_CloudTrail_us-east-1_20190311T0005Z_"),
        "{rel}"
    );
    assert!(rel.ends_with(".json.gz"));
    let first = records(&files[0]);
    let names: Vec<&str> = first
        .iter()
        .filter_map(|r| r["eventName"].as_str())
        .collect();
    for expected in ["CreateGrant", "GenerateDataKey", "CreateTable"] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }

    // An empty window produces no file.
    super::advance(server.addr, 600_000).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(delivered_files(&root).len(), 1);

    let r = c
        .call(
            "AKIDTEST",
            "DynamoDB_20120810.DescribeTable",
            r#"{"TableName":"ratings"}"#,
        )
        .await;
    assert_eq!(r.status, 200);
    let stats = server.shutdown().await.expect("delivery ran");
    let files = delivered_files(&root);
    assert_eq!(
        files.len(),
        2,
        "shutdown flushes the open window: {files:?}"
    );
    let last = records(&files[1]);
    assert_eq!(last.len(), 1);
    assert_eq!(last[0]["eventName"], "DescribeTable");
    assert_eq!(stats.files, 2);
    assert_eq!(stats.records as usize, first.len() + 1);
    assert_eq!(stats.failed_records, 0);
}
