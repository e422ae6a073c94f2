//! Counts of trail records (JSON values) by event name, and by event name per table, KMS key,
//! principal and time interval: the same figures `ddbsse trail stats` prints, computed here
//! without the trail crate so the two can be compared.
//!
//! The table of a record is `requestParameters.encryptionContext."aws:dynamodb:tableName"`, else
//! (CreateGrant) `requestParameters.constraints.encryptionContextSubset."aws:dynamodb:tableName"`;
//! its key is `resources[0].ARN` when that is a KMS ARN; its principal is `invokedBy` for an
//! `AWSService` identity, else `accessKeyId`. Missing values count under `(none)`.

use std::collections::{BTreeMap, HashMap};

use ddbsse_trail::stats::{NONE, Stats};
use ddbsse_wire::time::Timestamp;
use serde_json::Value;

/// Event name -> count.
pub type NameCounts = BTreeMap<String, u64>;

/// Counts of one trail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// By event name.
    pub by_event_name: NameCounts,
    /// Table -> event name -> count.
    pub by_table: BTreeMap<String, NameCounts>,
    /// Key (ARN or label) -> event name -> count.
    pub by_key: BTreeMap<String, NameCounts>,
    /// Principal -> event name -> count.
    pub by_principal: BTreeMap<String, NameCounts>,
    /// Interval start (ms) -> event name -> count.
    pub by_interval: BTreeMap<u64, NameCounts>,
}

fn text(v: &Value) -> Option<&str> {
    v.as_str()
}

fn table(record: &Value) -> Option<&str> {
    let p = &record["requestParameters"];
    text(&p["encryptionContext"]["aws:dynamodb:tableName"])
        .or_else(|| text(&p["constraints"]["encryptionContextSubset"]["aws:dynamodb:tableName"]))
}

fn key_arn(record: &Value) -> Option<&str> {
    text(&record["resources"][0]["ARN"]).filter(|arn| arn.starts_with("arn:aws:kms:"))
}

fn principal(record: &Value) -> Option<&str> {
    let id = &record["userIdentity"];
    if id["type"] == "AWSService" {
        return text(&id["invokedBy"]);
    }
    text(&id["accessKeyId"])
}

/// Event time in milliseconds.
pub fn time_millis(record: &Value) -> u64 {
    let t = text(&record["eventTime"]).expect("every record has an eventTime");
    Timestamp::parse_event_time(t)
        .expect("eventTime is YYYY-MM-DDTHH:MM:SSZ")
        .0
}

fn bump(map: &mut BTreeMap<String, NameCounts>, outer: &str, name: &str) {
    *map.entry(outer.to_owned())
        .or_default()
        .entry(name.to_owned())
        .or_default() += 1;
}

/// Labels `key#1`, `key#2`, ... for the KMS key ARNs of `records`, by order of first appearance.
pub fn key_labels(records: &[Value]) -> HashMap<String, String> {
    let mut labels = HashMap::new();
    for r in records {
        if let Some(arn) = key_arn(r) {
            let next = format!("key#{}", labels.len() + 1);
            labels.entry(arn.to_owned()).or_insert(next);
        }
    }
    labels
}

/// Counts `records`, with intervals of `interval_millis` aligned to the epoch.
pub fn count(records: &[Value], interval_millis: u64) -> Counts {
    let mut c = Counts::default();
    for r in records {
        let name = text(&r["eventName"]).expect("every record has an eventName");
        *c.by_event_name.entry(name.to_owned()).or_default() += 1;
        bump(&mut c.by_table, table(r).unwrap_or(NONE), name);
        bump(&mut c.by_key, key_arn(r).unwrap_or(NONE), name);
        bump(&mut c.by_principal, principal(r).unwrap_or(NONE), name);
        let t = time_millis(r);
        *c.by_interval
            .entry(t - t % interval_millis)
            .or_default()
            .entry(name.to_owned())
            .or_default() += 1;
    }
    c
}

impl Counts {
    /// The figures of `trail stats`.
    pub fn from_stats(s: &Stats) -> Counts {
        Counts {
            by_event_name: s.by_event_name.clone(),
            by_table: s.by_table.clone(),
            by_key: s.by_key.clone(),
            by_principal: s.by_principal.clone(),
            by_interval: s.by_interval.clone(),
        }
    }

    /// The same counts with key ARNs replaced by their labels (ARNs without a label are kept).
    pub fn with_key_labels(mut self, labels: &HashMap<String, String>) -> Counts {
        self.by_key = std::mem::take(&mut self.by_key)
            .into_iter()
            .map(|(k, v)| (labels.get(&k).cloned().unwrap_or(k), v))
            .collect();
        self
    }
}
