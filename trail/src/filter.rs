//! Record filters that express the blog's four Athena queries.
//!
//! Does: decide whether a checked record matches partition days, event source, event names,
//! "made via DynamoDB", source IP, table and KMS key ARN, with the blog's semantics (see
//! [`Filter`]).
//! Does not: prune files (`files::discover` does, with [`Filter::days`]) or read anything.

use crate::files::DayRange;
use ddbsse_wire::trail::DYNAMODB_SERVICE;

use crate::record::CheckedRecord;
use ddbsse_wire::time::Day;

/// What a record must satisfy; every set condition must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Partition days (Athena's `year`/`month`/`day`): the `YYYY/MM/DD` folder of the file, or,
    /// for records that come without a folder (LookupEvents), the UTC date of `eventTime`.
    pub days: DayRange,
    /// `eventsource = ...`.
    pub event_source: Option<String>,
    /// `eventname IN (...)` (empty: any).
    pub event_names: Vec<String>,
    /// Made by DynamoDB on the caller's behalf: `sourceIPAddress` or `userIdentity.invokedBy`
    /// is `dynamodb.amazonaws.com` (the blog's `sourceipaddress = 'dynamodb.amazonaws.com'`;
    /// AWS sets both together).
    pub via_dynamodb: bool,
    /// `sourceipaddress = ...` exactly.
    pub source_ip: Option<String>,
    /// The blog's table test:
    /// `REPLACE(JSON_EXTRACT_SCALAR(requestparameters, '$.encryptionContext.aws:dynamodb:tableName'),'"','') = ...`.
    pub table: Option<String>,
    /// The blog's key test: `resources[1].arn = ...` (the first resource, 1-based in Athena).
    pub key_arn: Option<String>,
}

/// `REPLACE(name, '"', '') = wanted` without allocating for names without quotes.
fn same_table(name: &str, wanted: &str) -> bool {
    if name.contains('"') {
        name.replace('"', "") == wanted
    } else {
        name == wanted
    }
}

/// The blog's `ddbtbl`: the table name with `"` removed (a no-op on real names, kept for fidelity).
pub fn ddbtbl(record: &CheckedRecord<'_>) -> Option<String> {
    record.context_table().map(|t| t.replace('"', ""))
}

impl Filter {
    /// Whether `record`, from a unit of partition day `day`, matches.
    pub fn matches(&self, record: &CheckedRecord<'_>, day: Option<Day>) -> bool {
        if self.days.is_bounded() {
            let day = day.unwrap_or_else(|| Day::from_millis(record.time_millis));
            if !self.days.contains(day) {
                return false;
            }
        }
        if self
            .event_source
            .as_ref()
            .is_some_and(|s| record.event_source() != s)
        {
            return false;
        }
        if !self.event_names.is_empty()
            && !self.event_names.iter().any(|n| n == record.event_name())
        {
            return false;
        }
        let source_ip = record.view.source_ip.get();
        if self.via_dynamodb
            && source_ip != Some(DYNAMODB_SERVICE)
            && record.invoked_by() != Some(DYNAMODB_SERVICE)
        {
            return false;
        }
        if self
            .source_ip
            .as_ref()
            .is_some_and(|ip| source_ip != Some(ip.as_str()))
        {
            return false;
        }
        if let Some(table) = &self.table
            && !record.context_table().is_some_and(|t| same_table(t, table))
        {
            return false;
        }
        if let Some(arn) = &self.key_arn
            && record.key_arn() != Some(arn.as_str())
        {
            return false;
        }
        true
    }
}
