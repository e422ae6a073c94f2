//! `ddbsse trail stats`: the distribution of calls by event name, per table, per key, per principal
//! and per interval of time, in one streaming pass.
//!
//! Does: count the records a [`Filter`] matches by `eventSource`, by `eventName`, and by event name
//! within each table, KMS key ARN (`resources[0].ARN` when it is a KMS ARN), principal and time
//! interval (of
//! `eventTime`, aligned to multiples of the interval from the epoch).
//! The table of a record is `requestParameters.encryptionContext."aws:dynamodb:tableName"` or,
//! for CreateGrant, `requestParameters.constraints.encryptionContextSubset."aws:dynamodb:tableName"`;
//! records without one count under [`NONE`]. The principal is the invoking service for
//! `AWSService` identities (GenerateDataKey), else `accessKeyId`, else `arn`, else `principalId`.
//! Does not: print (see `stats_output`), or keep records.

use std::collections::{BTreeMap, HashMap};

use crate::filter::Filter;
use crate::record::CheckedRecord;
use crate::scan::{Analysis, RecordOrigin};

/// Label for "no value" (no table, no key, unknown principal).
pub const NONE: &str = "(none)";

/// Counts by event name.
pub type NameCounts = BTreeMap<String, u64>;

/// The result of `trail stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Interval length in milliseconds.
    pub interval_millis: u64,
    /// Records counted.
    pub records: u64,
    /// By `eventSource`.
    pub by_event_source: BTreeMap<String, u64>,
    /// By `eventName`.
    pub by_event_name: NameCounts,
    /// Table -> event name -> count.
    pub by_table: BTreeMap<String, NameCounts>,
    /// Key ARN -> event name -> count.
    pub by_key: BTreeMap<String, NameCounts>,
    /// Principal -> event name -> count.
    pub by_principal: BTreeMap<String, NameCounts>,
    /// Interval start (ms since the epoch) -> event name -> count.
    pub by_interval: BTreeMap<u64, NameCounts>,
}

type Nested<K> = HashMap<K, HashMap<String, u64>>;

/// Per-unit counts (hash maps: cheap to update, merged into [`Stats`]).
#[derive(Debug, Default)]
pub struct StatsPartial {
    records: u64,
    by_event_source: HashMap<String, u64>,
    by_event_name: HashMap<String, u64>,
    by_table: Nested<String>,
    by_key: Nested<String>,
    by_principal: Nested<String>,
    by_interval: Nested<u64>,
}

fn bump(map: &mut HashMap<String, u64>, key: &str) {
    if let Some(n) = map.get_mut(key) {
        *n += 1;
    } else {
        map.insert(key.to_owned(), 1);
    }
}

fn bump2(map: &mut Nested<String>, outer: &str, name: &str) {
    if let Some(inner) = map.get_mut(outer) {
        bump(inner, name);
    } else {
        map.insert(outer.to_owned(), HashMap::from([(name.to_owned(), 1)]));
    }
}

/// Whether an ARN names a KMS resource (`arn:<partition>:kms:...`): the first resource of a
/// DynamoDB control-plane record is the table, which is not a key.
pub fn is_kms_arn(arn: &str) -> bool {
    let mut parts = arn.split(':');
    parts.next() == Some("arn") && parts.nth(1) == Some("kms")
}

/// The `trail stats` analysis.
#[derive(Debug, Clone)]
pub struct StatsQuery {
    /// Which records.
    pub filter: Filter,
    /// Interval length in milliseconds (> 0).
    pub interval_millis: u64,
}

impl Analysis for StatsQuery {
    type Partial = StatsPartial;
    const NEEDS_RAW: bool = false;

    fn partial(&self) -> StatsPartial {
        StatsPartial::default()
    }

    fn visit(
        &self,
        p: &mut StatsPartial,
        record: &CheckedRecord<'_>,
        _raw: &str,
        origin: RecordOrigin,
    ) {
        if !self.filter.matches(record, origin.day) {
            return;
        }
        let name = record.event_name();
        p.records += 1;
        bump(&mut p.by_event_source, record.event_source());
        bump(&mut p.by_event_name, name);
        bump2(&mut p.by_table, record.table().unwrap_or(NONE), name);
        let key = record.key_arn().filter(|arn| is_kms_arn(arn));
        bump2(&mut p.by_key, key.unwrap_or(NONE), name);
        bump2(
            &mut p.by_principal,
            record.principal().unwrap_or(NONE),
            name,
        );
        let slot = record.time_millis - record.time_millis % self.interval_millis.max(1);
        bump(p.by_interval.entry(slot).or_default(), name);
    }
}

fn merge_flat(into: &mut BTreeMap<String, u64>, from: HashMap<String, u64>) {
    for (k, v) in from {
        *into.entry(k).or_default() += v;
    }
}

fn merge_nested<K: Ord>(into: &mut BTreeMap<K, NameCounts>, from: Nested<K>) {
    for (k, inner) in from {
        merge_flat(into.entry(k).or_default(), inner);
    }
}

impl Stats {
    /// Empty statistics for an interval.
    pub fn new(interval_millis: u64) -> Self {
        Stats {
            interval_millis,
            ..Stats::default()
        }
    }

    /// Adds a unit's counts.
    pub fn merge(&mut self, p: StatsPartial) {
        self.records += p.records;
        merge_flat(&mut self.by_event_source, p.by_event_source);
        merge_flat(&mut self.by_event_name, p.by_event_name);
        merge_nested(&mut self.by_table, p.by_table);
        merge_nested(&mut self.by_key, p.by_key);
        merge_nested(&mut self.by_principal, p.by_principal);
        merge_nested(&mut self.by_interval, p.by_interval);
    }
}

#[cfg(test)]
mod tests {
    use super::is_kms_arn;

    #[test]
    fn only_kms_arns_are_keys() {
        assert!(is_kms_arn("arn:aws:kms:us-east-1:123456789012:key/k"));
        assert!(is_kms_arn("arn:aws-cn:kms:cn-north-1:123456789012:key/k"));
        assert!(!is_kms_arn(
            "arn:aws:dynamodb:us-east-1:123456789012:table/Books"
        ));
        assert!(!is_kms_arn("kms"));
    }
}
