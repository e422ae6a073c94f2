//! `trail stats` counts against a direct count over the same files.

use std::collections::BTreeMap;

use ddbsse_trail::analyze::folder_stats;
use ddbsse_trail::filter::Filter;
use ddbsse_wire::time::Timestamp;
use serde_json::Value;

use crate::support::{generated, naive_records};

type Counts = BTreeMap<String, BTreeMap<String, u64>>;

fn add(m: &mut Counts, k: &str, name: &str) {
    *m.entry(k.to_owned())
        .or_default()
        .entry(name.to_owned())
        .or_default() += 1;
}

fn text<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str()
}

#[test]
fn stats_equal_a_direct_count() {
    let (dir, _) = generated(5000);
    let all = naive_records(dir.path());
    let (mut by_table, mut by_key, mut by_principal) =
        (Counts::new(), Counts::new(), Counts::new());
    let mut by_interval: BTreeMap<u64, BTreeMap<String, u64>> = BTreeMap::new();
    let mut by_name: BTreeMap<String, u64> = BTreeMap::new();
    let mut kms = 0;
    for (_, r) in &all {
        if text(r, &["eventSource"]) != Some("kms.amazonaws.com") {
            continue;
        }
        kms += 1;
        let name = text(r, &["eventName"]).expect("name");
        *by_name.entry(name.to_owned()).or_default() += 1;
        let table = text(
            r,
            &[
                "requestParameters",
                "encryptionContext",
                "aws:dynamodb:tableName",
            ],
        )
        .or(text(
            r,
            &[
                "requestParameters",
                "constraints",
                "encryptionContextSubset",
                "aws:dynamodb:tableName",
            ],
        ))
        .unwrap_or("(none)");
        add(&mut by_table, table, name);
        let key = r
            .get("resources")
            .and_then(|x| x.get(0))
            .and_then(|x| x.get("ARN"))
            .and_then(Value::as_str)
            .filter(|arn| arn.starts_with("arn:aws:kms:"))
            .unwrap_or("(none)");
        add(&mut by_key, key, name);
        let id = &r["userIdentity"];
        let principal = if text(id, &["type"]) == Some("AWSService") {
            text(id, &["invokedBy"])
        } else {
            text(id, &["accessKeyId"]).or(text(id, &["arn"]))
        }
        .unwrap_or("(none)");
        add(&mut by_principal, principal, name);
        let t = Timestamp::parse_event_time(text(r, &["eventTime"]).expect("time"))
            .expect("valid time")
            .millis();
        *by_interval
            .entry(t - t % 60_000)
            .or_default()
            .entry(name.to_owned())
            .or_default() += 1;
    }
    let filter = Filter {
        event_source: Some("kms.amazonaws.com".into()),
        ..Filter::default()
    };
    let (stats, report) = folder_stats(dir.path(), &filter, 60_000, true, 2).expect("stats");
    assert_eq!(report.records_read, 5000);
    assert_eq!(stats.records, kms);
    assert_eq!(stats.by_event_name, by_name);
    assert_eq!(stats.by_table, by_table);
    assert_eq!(stats.by_key, by_key);
    assert_eq!(stats.by_principal, by_principal);
    assert_eq!(stats.by_interval, by_interval);
    for name in [
        "CreateGrant",
        "Decrypt",
        "DescribeKey",
        "GenerateDataKey",
        "RetireGrant",
    ] {
        assert!(
            stats.by_event_name.contains_key(name),
            "{name} is generated"
        );
    }
    // Without the filter, DynamoDB's own records (whose first resource is the table) add no key.
    let (everything, _) =
        folder_stats(dir.path(), &Filter::default(), 60_000, true, 2).expect("stats");
    let ddb_calls = all
        .iter()
        .filter(|(_, r)| text(r, &["eventSource"]) == Some("dynamodb.amazonaws.com"))
        .count() as u64;
    assert!(all.iter().any(
        |(_, r)| text(r, &["eventSource"]) == Some("dynamodb.amazonaws.com")
            && r.get("resources").is_some()
    ));
    assert_eq!(
        everything.by_key.keys().collect::<Vec<_>>(),
        by_key.keys().collect::<Vec<_>>()
    );
    assert_eq!(
        everything.by_key["(none)"].values().sum::<u64>(),
        by_key["(none)"].values().sum::<u64>() + ddb_calls
    );
    // One thread and two threads agree.
    let (one, _) = folder_stats(dir.path(), &filter, 60_000, true, 1).expect("stats");
    assert_eq!(one, stats);
}

#[test]
fn the_five_minute_decrypt_rhythm_shows_at_one_minute_and_the_svg_is_written() {
    let (dir, _) = generated(20_000);
    let filter = Filter {
        event_names: vec!["Decrypt".into()],
        ..Filter::default()
    };
    let (stats, _) = folder_stats(dir.path(), &filter, 60_000, true, 2).expect("stats");
    // Most sessions refresh in the first 20 s of each 5-minute window: minute 0 of a window
    // carries more Decrypts than any other minute.
    let mut per_minute = [0u64; 5];
    for (start, c) in &stats.by_interval {
        per_minute[((start / 60_000) % 5) as usize] += c.values().sum::<u64>();
    }
    assert!(
        per_minute[1..].iter().all(|&m| per_minute[0] > 3 * m),
        "{per_minute:?}"
    );
    let svg = dir.path().join("calls.svg");
    ddbsse_trail::svg::write_svg(&stats, &svg, "Decrypt per minute").expect("svg");
    let text = std::fs::read_to_string(&svg).expect("svg written");
    assert!(
        text.starts_with("<svg") && text.contains("Decrypt") && text.matches("<rect").count() > 100
    );
}
