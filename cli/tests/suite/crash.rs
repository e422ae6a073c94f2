//! Crash safety of `ddbsse serve --data-dir`: the built binary is started, loaded by client
//! threads, SIGKILLed at a random moment and started again on the same folders, several rounds.
//!
//! - [`acknowledged_writes_survive_a_kill`]: every write the server acknowledged reads back with
//!   its value after the restart, and no write it refused (an invalid item) appears; rounds
//!   share the folder, so each round checks the writes of all rounds before it too.
//! - [`a_key_switch_killed_midway_leaves_one_key`]: the server is killed while UpdateTable
//!   re-encrypts a table's items under a new key; afterwards every item reads back, once, under
//!   the key the table names.
//! - [`trail_delivery_killed_midway_shows_no_partial_file`]: killed while it delivers trail files,
//!   every log file in the delivery folder is a whole gzipped `{"Records": [...]}`.
//!
//! The kill moments come from a seeded generator; the seed of a round is printed, and
//! `DDBSSE_CRASH_SEED` replays it, `DDBSSE_CRASH_ROUNDS` sets the number of rounds (5 by
//! default, the figure CI runs).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use ddbsse_client::{AWS_JSON_1_0, AWS_JSON_1_1, AwsJsonRequest, Client, Credentials};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

const TABLE: &str = "crash";

/// A `ddbsse serve` child, SIGKILLed when dropped.
struct Server {
    child: Child,
    endpoint: String,
}

impl Server {
    fn start(data_dir: &Path, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ddbsse"))
            .args(["serve", "--port", "0", "--data-dir"])
            .arg(data_dir)
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ddbsse serve starts");
        let stdout = child.stdout.take().expect("stdout piped");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("reads the listening line");
        let Some(addr) = line.trim().strip_prefix("ddbsse listening on ") else {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            panic!("ddbsse serve did not start: {line:?} {err}");
        };
        Self {
            endpoint: addr.to_owned(),
            child,
        }
    }

    /// SIGKILL (no shutdown code runs), and wait for the process to be gone.
    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client(endpoint: &str) -> Client {
    Client::new(endpoint, "us-east-1", Duration::from_secs(20)).expect("client")
}

/// One call: `Ok((status, body))`, `Err` when no answer came (the server died).
fn call(c: &Client, target: &str, body: &Value) -> Result<(u16, Value), String> {
    let (content_type, service) = if target.starts_with("DynamoDB_") {
        (AWS_JSON_1_0, "dynamodb")
    } else {
        (AWS_JSON_1_1, "kms")
    };
    let bytes = body.to_string().into_bytes();
    let request = AwsJsonRequest {
        target,
        content_type,
        service,
        body: &bytes,
    };
    let credentials = Credentials::new("AKIDCRASHTEST", "crash-secret");
    let r = c
        .call(&request, Some(&credentials), SystemTime::now())
        .map_err(|e| e.to_string())?;
    let value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
    Ok((r.status, value))
}

fn ok(c: &Client, target: &str, body: Value) -> Value {
    let (status, answer) = call(c, target, &body).expect("the server answers");
    assert_eq!(status, 200, "{target}: {answer}");
    answer
}

fn create_table(c: &Client, name: &str) {
    ok(
        c,
        "DynamoDB_20120810.CreateTable",
        json!({
            "TableName": name,
            "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST"
        }),
    );
}

/// The value stored under `key` in `table` (strongly consistent), `None` when there is no item.
fn read(c: &Client, table: &str, key: &str) -> Option<String> {
    let answer = ok(
        c,
        "DynamoDB_20120810.GetItem",
        json!({"TableName": table, "Key": {"k": {"S": key}}, "ConsistentRead": true}),
    );
    answer.get("Item").map(|item| {
        item["v"]["S"]
            .as_str()
            .unwrap_or("<not a string>")
            .to_owned()
    })
}

fn rounds() -> u64 {
    std::env::var("DDBSSE_CRASH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5)
}

fn seed(round: u64) -> u64 {
    let base = std::env::var("DDBSSE_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        });
    base.wrapping_add(round)
}

/// What the writers of one round learned.
#[derive(Default)]
struct Outcomes {
    /// Acknowledged writes: key, value.
    acked: BTreeMap<String, String>,
    /// Writes the server refused (invalid items): they must never appear.
    refused: BTreeSet<String>,
    /// Writes that got no answer: either stored with their value, or absent.
    in_doubt: BTreeMap<String, String>,
}

#[test]
fn acknowledged_writes_survive_a_kill() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut all = Outcomes::default();
    let rounds = rounds();
    for round in 0..rounds {
        let seed = seed(round);
        println!("crash round {round}: seed {seed}");
        let mut rng = StdRng::seed_from_u64(seed);
        let server = Server::start(dir.path(), &[]);
        if round == 0 {
            create_table(&client(&server.endpoint), TABLE);
        }
        let outcomes = Arc::new(Mutex::new(Outcomes::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let endpoint = server.endpoint.clone();
                let outcomes = Arc::clone(&outcomes);
                let stop = Arc::clone(&stop);
                let value_seed: u64 = rng.random();
                std::thread::spawn(move || {
                    write_until_stopped(&endpoint, round, w, value_seed, &outcomes, &stop)
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(rng.random_range(150..900)));
        server.kill();
        stop.store(true, Ordering::Release);
        for w in writers {
            w.join().expect("writer thread");
        }
        let outcomes = std::mem::take(&mut *outcomes.lock().expect("lock"));
        assert!(
            !outcomes.acked.is_empty(),
            "round {round}: no write was acknowledged before the kill"
        );
        all.acked.extend(outcomes.acked);
        all.refused.extend(outcomes.refused);
        all.in_doubt.extend(outcomes.in_doubt);

        let server = Server::start(dir.path(), &[]);
        let c = client(&server.endpoint);
        for (key, value) in &all.acked {
            assert_eq!(
                read(&c, TABLE, key).as_deref(),
                Some(value.as_str()),
                "round {round} (seed {seed}): acknowledged write {key}"
            );
        }
        for key in &all.refused {
            assert_eq!(
                read(&c, TABLE, key),
                None,
                "round {round} (seed {seed}): refused write {key} is stored"
            );
        }
        for (key, value) in &all.in_doubt {
            if let Some(stored) = read(&c, TABLE, key) {
                assert_eq!(
                    &stored, value,
                    "round {round}: unanswered write {key} stored with another value"
                );
            }
        }
        server.kill();
    }
    println!(
        "crash: {rounds} rounds survived, {} acknowledged writes checked, {} refused writes absent, {} unanswered",
        all.acked.len(),
        all.refused.len(),
        all.in_doubt.len()
    );
}

/// Writes `w<round>-<writer>-<n>` items until the server stops answering; every fifth write
/// carries an empty string set, which the server must refuse (`ValidationException`) and never
/// store.
fn write_until_stopped(
    endpoint: &str,
    round: u64,
    writer: u64,
    value_seed: u64,
    outcomes: &Mutex<Outcomes>,
    stop: &AtomicBool,
) {
    let c = client(endpoint);
    let mut rng = StdRng::seed_from_u64(value_seed);
    for n in 0.. {
        if stop.load(Ordering::Acquire) {
            return;
        }
        let key = format!("w{round}-{writer}-{n}");
        let value = format!("{:016x}", rng.random::<u64>());
        let refused = n % 5 == 4;
        let mut body = json!({"TableName": TABLE, "Item": {"k": {"S": key}, "v": {"S": value}}});
        if refused {
            body["Item"]["bad"] = json!({"SS": []});
        }
        match call(&c, "DynamoDB_20120810.PutItem", &body) {
            Ok((200, _)) if !refused => {
                outcomes.lock().expect("lock").acked.insert(key, value);
            }
            Ok((400, answer)) if refused => {
                let kind = answer["__type"].as_str().unwrap_or_default();
                assert!(kind.ends_with("ValidationException"), "{answer}");
                outcomes.lock().expect("lock").refused.insert(key);
            }
            Ok((status, answer)) => panic!("PutItem {key}: unexpected {status} {answer}"),
            Err(_) => {
                outcomes.lock().expect("lock").in_doubt.insert(key, value);
                return;
            }
        }
    }
}

#[test]
fn a_key_switch_killed_midway_leaves_one_key() {
    const ITEMS: usize = 1500;
    let (mut unanswered, mut old_key, mut new_key) = (0, 0, 0);
    let rounds = rounds().min(4);
    for round in 0..rounds {
        let seed = seed(round);
        println!("switch round {round}: seed {seed}");
        let mut rng = StdRng::seed_from_u64(seed);
        let dir = tempfile::tempdir().expect("temp dir");
        let server = Server::start(dir.path(), &[]);
        let c = client(&server.endpoint);
        create_table(&c, TABLE);
        let mut expected = BTreeMap::new();
        for batch in 0..ITEMS / 25 {
            let puts: Vec<Value> = (0..25)
                .map(|i| {
                    let key = format!("item-{:05}", batch * 25 + i);
                    let value = format!("{:016x}", rng.random::<u64>());
                    expected.insert(key.clone(), value.clone());
                    json!({"PutRequest": {"Item": {"k": {"S": key}, "v": {"S": value}}}})
                })
                .collect();
            let answer = ok(
                &c,
                "DynamoDB_20120810.BatchWriteItem",
                json!({"RequestItems": {TABLE: puts}}),
            );
            assert_eq!(answer["UnprocessedItems"], json!({}), "{answer}");
        }
        let key_arn = ok(&c, "TrentService.CreateKey", json!({}))["KeyMetadata"]["Arn"]
            .as_str()
            .expect("a key ARN")
            .to_owned();
        let endpoint = server.endpoint.clone();
        let arn = key_arn.clone();
        let switch = std::thread::spawn(move || {
            let c = client(&endpoint);
            let started = Instant::now();
            let r = call(
                &c,
                "DynamoDB_20120810.UpdateTable",
                &json!({"TableName": TABLE, "SSESpecification": {"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": arn}}),
            );
            (r, started.elapsed())
        });
        std::thread::sleep(Duration::from_millis(rng.random_range(0..400)));
        server.kill();
        let (answer, took) = switch.join().expect("switch thread");
        println!(
            "switch round {round}: answer {:?} after {took:?}",
            answer.as_ref().map(|(s, _)| s)
        );
        let acknowledged = matches!(answer, Ok((200, _)));
        if answer.is_err() {
            unanswered += 1;
        }

        let server = Server::start(dir.path(), &[]);
        let c = client(&server.endpoint);
        let table = ok(
            &c,
            "DynamoDB_20120810.DescribeTable",
            json!({"TableName": TABLE}),
        );
        let sse = &table["Table"]["SSEDescription"];
        // Before the switch the table is under the AWS owned key (no SSEDescription); after it,
        // the switch is UPDATING for a while (the description then names no key) or done (it
        // names the new key). Anything else is neither key.
        let under_new_key = sse["KMSMasterKeyArn"].as_str() == Some(key_arn.as_str())
            || *sse == json!({"Status": "UPDATING"});
        assert!(
            under_new_key || sse.is_null(),
            "round {round}: the table is under neither the old nor the new key: {sse}"
        );
        if acknowledged {
            assert!(
                under_new_key,
                "round {round}: an acknowledged switch was lost: {sse}"
            );
        }
        if under_new_key {
            new_key += 1;
        } else {
            old_key += 1;
        }
        let mut seen = BTreeMap::new();
        let mut start: Option<Value> = None;
        loop {
            let mut body = json!({"TableName": TABLE, "ConsistentRead": true});
            if let Some(s) = &start {
                body["ExclusiveStartKey"] = s.clone();
            }
            let page = ok(&c, "DynamoDB_20120810.Scan", body);
            for item in page["Items"].as_array().expect("items") {
                let key = item["k"]["S"].as_str().expect("k").to_owned();
                let value = item["v"]["S"].as_str().expect("v").to_owned();
                assert!(
                    seen.insert(key.clone(), value).is_none(),
                    "round {round}: {key} twice"
                );
            }
            match page.get("LastEvaluatedKey") {
                Some(next) => start = Some(next.clone()),
                None => break,
            }
        }
        assert_eq!(
            seen, expected,
            "round {round} (seed {seed}): items lost, doubled or changed"
        );
        server.kill();
    }
    println!(
        "switch: {rounds} rounds survived ({unanswered} killed before UpdateTable answered; {old_key} under the old key after restart, {new_key} under the new), {ITEMS} items checked each"
    );
}

#[test]
fn trail_delivery_killed_midway_shows_no_partial_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let trail = tempfile::tempdir().expect("trail dir");
    let rounds = rounds().min(4);
    let mut files = 0;
    for round in 0..rounds {
        let seed = seed(round);
        println!("trail round {round}: seed {seed}");
        let mut rng = StdRng::seed_from_u64(seed);
        let args = [
            "--trail-dir",
            trail.path().to_str().expect("utf-8 path"),
            "--trail-interval",
            "100ms",
        ];
        let server = Server::start(dir.path(), &args);
        let stop = Arc::new(AtomicBool::new(false));
        let callers: Vec<_> = (0..3)
            .map(|_| {
                let endpoint = server.endpoint.clone();
                let stop = Arc::clone(&stop);
                std::thread::spawn(move || {
                    let c = client(&endpoint);
                    while !stop.load(Ordering::Acquire) {
                        // Each CreateKey is a trail record.
                        if call(&c, "TrentService.CreateKey", &json!({})).is_err() {
                            return;
                        }
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(rng.random_range(300..1200)));
        server.kill();
        stop.store(true, Ordering::Release);
        for c in callers {
            c.join().expect("caller");
        }
        files = check_delivery_folder(trail.path(), round);
    }
    assert!(files > 0, "no trail file was delivered in {rounds} rounds");
    println!("trail: {rounds} rounds survived, {files} delivered files all whole");
}

/// Every log file below `dir` (a name the layout gives log files; temporary `.<name>.tmp` files
/// are not log files) is a whole gzipped `{"Records": [...]}`. Returns how many there are.
fn check_delivery_folder(dir: &Path, round: u64) -> usize {
    let mut count = 0;
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if !ddbsse_trail::layout::is_log_file_name(name) {
                continue;
            }
            let bytes = std::fs::read(&path).expect("read file");
            let mut text = String::new();
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_string(&mut text)
                .unwrap_or_else(|e| {
                    panic!("round {round}: {} is not whole gzip: {e}", path.display())
                });
            let value: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
                panic!("round {round}: {} is not whole JSON: {e}", path.display())
            });
            assert!(
                value["Records"].is_array(),
                "round {round}: {}",
                path.display()
            );
            count += 1;
        }
    }
    count
}
