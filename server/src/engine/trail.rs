//! The endpoint's CloudTrail: building records of the shape `ddbsse_wire::trail` fixes,
//! appending them durably, and answering LookupEvents (filters, time range, pages, newest
//! first).
//!
//! Records never carry plaintext, ciphertext blobs, grant tokens or key material: request
//! parameters are the request body with those members removed.

use std::sync::Mutex;

use base64::Engine as _;
use ddbsse_wire::caller::Caller;
use ddbsse_wire::cloudtrail::{EventCategory, LookupEventsInput, LookupEventsOutput, LookupFilter};
use ddbsse_wire::time::Timestamp;
use ddbsse_wire::trail::{
    AWS_API_CALL, AWS_INTERNAL, AWS_SERVICE_EVENT, DYNAMODB_EVENT_SOURCE, DYNAMODB_SERVICE,
    EVENT_VERSION, KMS_EVENT_SOURCE, TrailRecord, TrailResource, UserIdentity,
};
use ddbsse_wire::{ApiError, ErrorCode};
use serde_json::{Map, Value};

use super::random;
use crate::storage::{Space, StorageError, Store, WriteOp};

/// Who a record says made the call, and from where.
#[derive(Clone, Debug)]
pub enum Actor<'a> {
    /// The caller directly (its identity, source IP and user agent).
    Caller(&'a Caller),
    /// DynamoDB on the caller's behalf (`invokedBy`).
    ViaDynamoDb(&'a Caller),
    /// DynamoDB's service account (`AWSService`).
    DynamoDbService,
    /// KMS itself (`invokedBy` `AWS Internal`): an `AwsServiceEvent`, such as a key deletion.
    AwsInternal,
}

/// A record under construction.
#[derive(Clone, Debug)]
pub struct RecordSpec<'a> {
    /// `eventSource` is KMS when true, DynamoDB otherwise.
    pub kms: bool,
    /// `eventName`.
    pub event_name: &'a str,
    /// Who.
    pub actor: Actor<'a>,
    /// `requestParameters`.
    pub request_parameters: Value,
    /// `responseElements`.
    pub response_elements: Value,
    /// `additionalEventData`.
    pub additional: Option<Value>,
    /// `requestID`.
    pub request_id: String,
    /// `readOnly`.
    pub read_only: bool,
    /// The resource ARN (a KMS key or a table).
    pub resource: Option<String>,
    /// Failure (`errorCode`, `errorMessage`).
    pub error: Option<(String, String)>,
}

//= spec/trail.md#aws-examples
//# For each example in `fixtures/aws/`, the record that the reference model and a target produce for the example's scenario MUST equal the example after the normalisation of `cli/tests/suite/aws_examples.rs`, except at exactly the members the table below lists for that example.
/// Builds a record at `now`.
pub fn build(spec: RecordSpec<'_>, account: &str, region: &str, now: Timestamp) -> TrailRecord {
    let (identity, source_ip, user_agent) = match spec.actor {
        Actor::Caller(c) => (
            UserIdentity::principal(account, &c.access_key_id),
            c.source_ip.clone(),
            c.user_agent.clone(),
        ),
        Actor::ViaDynamoDb(c) => (
            UserIdentity::principal_via_dynamodb(account, &c.access_key_id),
            DYNAMODB_SERVICE.to_owned(),
            DYNAMODB_SERVICE.to_owned(),
        ),
        Actor::DynamoDbService => (
            UserIdentity::dynamodb_service(),
            DYNAMODB_SERVICE.to_owned(),
            DYNAMODB_SERVICE.to_owned(),
        ),
        Actor::AwsInternal => (
            UserIdentity::aws_internal(account),
            AWS_INTERNAL.to_owned(),
            AWS_INTERNAL.to_owned(),
        ),
    };
    let event_type = if matches!(spec.actor, Actor::AwsInternal) {
        AWS_SERVICE_EVENT
    } else {
        AWS_API_CALL
    };
    let shared = matches!(spec.actor, Actor::DynamoDbService).then(random::uuid);
    let resources = spec
        .resource
        .map(|arn| TrailResource {
            arn,
            account_id: account.to_owned(),
            kind: if spec.kms {
                "AWS::KMS::Key".to_owned()
            } else {
                "AWS::DynamoDB::Table".to_owned()
            },
        })
        .into_iter()
        .collect();
    let (error_code, error_message) = match spec.error {
        Some((c, m)) => (Some(c), Some(m)),
        None => (None, None),
    };
    TrailRecord {
        event_version: EVENT_VERSION.to_owned(),
        user_identity: identity,
        event_time: now.event_time(),
        event_source: if spec.kms {
            KMS_EVENT_SOURCE
        } else {
            DYNAMODB_EVENT_SOURCE
        }
        .to_owned(),
        event_name: spec.event_name.to_owned(),
        aws_region: region.to_owned(),
        source_ip_address: source_ip,
        user_agent,
        error_code,
        error_message,
        request_parameters: spec.request_parameters,
        response_elements: spec.response_elements,
        additional_event_data: spec.additional,
        request_id: spec.request_id,
        event_id: random::uuid(),
        read_only: spec.read_only,
        resources,
        event_type: event_type.to_owned(),
        api_version: (!spec.kms).then(|| "2012-08-10".to_owned()),
        management_event: true,
        recipient_account_id: account.to_owned(),
        shared_event_id: shared,
        event_category: "Management".to_owned(),
    }
}

/// Members whose object keys are data (encryption contexts), not member names.
const DATA_MAPS: &[&str] = &[
    "EncryptionContext",
    "EncryptionContextSubset",
    "EncryptionContextEquals",
    "Item",
    "Key",
    "ExpressionAttributeValues",
    "ExpressionAttributeNames",
];
/// Members never written to the trail.
const SECRET_MEMBERS: &[&str] = &["Plaintext", "CiphertextBlob", "GrantToken", "GrantTokens"];

/// A request or response body with member names in CloudTrail's lowerCamelCase
/// (`SSESpecification` becomes `sSESpecification`) and secret members removed.
pub fn lower_camel(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                if SECRET_MEMBERS.contains(&k.as_str()) {
                    continue;
                }
                let mut name = k.clone();
                if let Some(first) = name.get(0..1) {
                    let lower = first.to_ascii_lowercase();
                    name.replace_range(0..1, &lower);
                }
                let value = if DATA_MAPS.contains(&k.as_str()) {
                    v.clone()
                } else {
                    lower_camel(v)
                };
                out.insert(name, value);
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(lower_camel).collect()),
        other => other.clone(),
    }
}

/// The trail: records in append order, persisted before they are visible.
///
/// The records themselves live only in the store (`Space::Trail`, keyed by their position as
/// `u64` big-endian), and are read back from it for LookupEvents and delivery; the engine keeps
/// one timestamp per record in memory (8 bytes, see [`Index`]). Why: a trail grows with every
/// KMS and control-plane call for as long as the server runs, and keeping each record decoded in
/// memory as well made a long run's resident memory grow with it (about 1.5 KB a record) even
/// with a data directory on disk (docs/serve.md, "Soak").
#[derive(Debug, Default)]
pub struct TrailLog {
    index: Mutex<Index>,
}

/// For each position, the latest event time up to it (never decreasing), so that LookupEvents
/// with a `StartTime` skips the older records without reading them: without it every lookup read
/// the whole trail, and a long run's lookups cost the square of its length. Its length is the
/// number of records.
#[derive(Debug, Default)]
struct Index {
    latest: Vec<Timestamp>,
}

impl Index {
    fn push(&mut self, t: Timestamp) {
        let latest = self.latest.last().map_or(t, |&l| l.max(t));
        self.latest.push(latest);
    }

    fn len(&self) -> usize {
        self.latest.len()
    }

    /// How many leading records are all older than `start`.
    fn older_than(&self, start: Timestamp) -> usize {
        self.latest.partition_point(|&l| l < start)
    }
}

/// How many records LookupEvents reads from the store at a time, walking back from the newest.
const LOOKUP_CHUNK: usize = 64;

fn decode(v: &[u8]) -> Result<TrailRecord, StorageError> {
    serde_json::from_slice(v).map_err(|e| StorageError::from_display("trail record", e))
}

/// The records at positions `from..to` (oldest first), read from the store.
fn read(store: &dyn Store, from: usize, to: usize) -> Result<Vec<TrailRecord>, StorageError> {
    if from >= to {
        return Ok(Vec::new());
    }
    let after = from.checked_sub(1).map(|p| (p as u64).to_be_bytes());
    let rows = store.range(Space::Trail, &[], after.as_ref().map(|a| &a[..]), to - from)?;
    if rows.len() != to - from {
        return Err(StorageError(format!(
            "trail: {} records stored at positions {from}..{to}, {} expected",
            rows.len(),
            to - from
        )));
    }
    rows.iter().map(|(_, v)| decode(v)).collect()
}

impl TrailLog {
    /// Indexes the records of a store.
    pub fn load(store: &dyn Store) -> Result<Self, StorageError> {
        let mut index = Index::default();
        for (_, v) in store.scan(Space::Trail, &[])? {
            index.push(decode(&v)?.time().unwrap_or_default());
        }
        Ok(Self {
            index: Mutex::new(index),
        })
    }

    fn index(&self) -> std::sync::MutexGuard<'_, Index> {
        self.index.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends records (persisting them first).
    pub fn append(&self, store: &dyn Store, new: Vec<TrailRecord>) -> Result<(), StorageError> {
        if new.is_empty() {
            return Ok(());
        }
        // Held across the commit, so that positions are given out and stored in order.
        let mut index = self.index();
        let mut ops = Vec::with_capacity(new.len());
        for (i, r) in new.iter().enumerate() {
            let seq = (index.len() + i) as u64;
            let json = serde_json::to_vec(r)
                .map_err(|e| StorageError::from_display("encode trail record", e))?;
            ops.push(WriteOp::Put(Space::Trail, seq.to_be_bytes().to_vec(), json));
        }
        store.commit(ops)?;
        for r in &new {
            index.push(r.time().unwrap_or_default());
        }
        Ok(())
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.index().len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every record, oldest first.
    pub fn snapshot(&self, store: &dyn Store) -> Result<Vec<TrailRecord>, StorageError> {
        let end = self.len();
        read(store, 0, end)
    }

    /// The records from position `from` on, and the position after the last.
    pub fn since(
        &self,
        store: &dyn Store,
        from: usize,
    ) -> Result<(Vec<TrailRecord>, usize), StorageError> {
        let end = self.len();
        Ok((read(store, from, end)?, end))
    }

    /// LookupEvents.
    pub fn lookup(
        &self,
        store: &dyn Store,
        input: &LookupEventsInput,
    ) -> Result<LookupEventsOutput, ApiError> {
        let filter = LookupFilter::parse(input.lookup_attributes.as_deref())?;
        // Checked where the model checks it, so that the same error wins.
        //= spec/trail.md#lookup-category
        //# LookupEvents with `EventCategory` `insight` MUST succeed and return no events, and any other `EventCategory` value MUST fail with `InvalidEventCategoryException` and the message `Event category <value> is not valid; the only valid value is insight`.
        let category = EventCategory::parse(input.event_category.as_deref())?;
        let max = ddbsse_wire::cloudtrail::lookup_max_results(input.max_results)?;
        ddbsse_wire::cloudtrail::lookup_time_range(input.start_time, input.end_time)?;
        let start = input.start_time.map(time_arg).transpose()?;
        let end = input.end_time.map(time_arg).transpose()?;
        if category == EventCategory::Insight {
            // Only management events are kept: there are no Insights events.
            return Ok(LookupEventsOutput::default());
        }
        let params = params_hash(input);
        // Positions and times only; the records are read from the store below. Records appended
        // meanwhile lie beyond `len` and are not seen by this page, as before.
        let (len, older) = {
            let index = self.index();
            (index.len(), start.map_or(0, |s| index.older_than(s)))
        };
        //= spec/trail.md#lookup-paging
        //# When more events match, the response MUST carry a `NextToken` that, sent with the same parameters, returns the following events, and a token that the target did not issue for those parameters MUST fail with `InvalidNextTokenException`.
        let before = match input.next_token.as_deref() {
            None => len,
            Some(t) => decode_token(t)
                .filter(|(_, h)| *h == params)
                .map(|(n, _)| n)
                .filter(|n| *n <= len)
                .ok_or_else(ddbsse_wire::cloudtrail::invalid_next_token)?,
        };
        let mut events = Vec::new();
        let mut next = None;
        let older = older.min(before);
        let mut hi = before;
        'chunks: while hi > older {
            let lo = hi.saturating_sub(LOOKUP_CHUNK).max(older);
            let chunk = read(store, lo, hi).map_err(|e| {
                tracing::error!(error = %e, "cannot read the trail");
                ApiError::new(
                    ErrorCode::InternalServerError,
                    "The server could not read its trail",
                )
            })?;
            for (idx, r) in (lo..hi).zip(chunk).rev() {
                let t = r.time().unwrap_or_default();
                if start.is_some_and(|s| t < s) || end.is_some_and(|e| t > e) {
                    continue;
                }
                if let Some(LookupFilter { key, value }) = &filter
                    && !r.matches(*key, value)
                {
                    continue;
                }
                if events.len() == max {
                    next = Some(encode_token(idx + 1, params));
                    break 'chunks;
                }
                events.push(r.lookup_event());
            }
            hi = lo;
        }
        Ok(LookupEventsOutput {
            events,
            next_token: next,
        })
    }
}

fn time_arg(secs: f64) -> Result<Timestamp, ApiError> {
    Timestamp::from_epoch_seconds(secs)
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidTimeRange, "Invalid time."))
}

const TOKEN_PREFIX: &str = "ddbsse-trail:";

/// FNV-1a of the parameters a `NextToken` is bound to (attributes and time range).
fn params_hash(input: &LookupEventsInput) -> u64 {
    let key =
        serde_json::json!([input.lookup_attributes, input.start_time, input.end_time]).to_string();
    key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn encode_token(before: usize, params: u64) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(format!("{TOKEN_PREFIX}{before}:{params:016x}"))
}

fn decode_token(t: &str) -> Option<(usize, u64)> {
    let raw = base64::engine::general_purpose::STANDARD.decode(t).ok()?;
    let s = String::from_utf8(raw).ok()?;
    let (n, h) = s.strip_prefix(TOKEN_PREFIX)?.split_once(':')?;
    Some((n.parse().ok()?, u64::from_str_radix(h, 16).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lower_camel_keeps_contexts_and_drops_secrets() {
        let v = json!({"SSESpecification": {"Enabled": true}, "Plaintext": "c2VjcmV0",
            "EncryptionContext": {"Purpose": "x"}, "KeyId": "k"});
        assert_eq!(
            lower_camel(&v),
            json!({"sSESpecification": {"enabled": true},
                "encryptionContext": {"Purpose": "x"}, "keyId": "k"})
        );
    }

    #[test]
    fn tokens_round_trip_and_reject_garbage() {
        assert_eq!(decode_token(&encode_token(17, 5)), Some((17, 5)));
        assert_eq!(decode_token("nope"), None);
    }

    fn record(name: &str, at: Timestamp) -> TrailRecord {
        serde_json::from_value(json!({
            "eventVersion": "1.08",
            "userIdentity": {"type": "IAMUser"},
            "eventTime": at.event_time(),
            "eventSource": "kms.amazonaws.com",
            "eventName": name,
            "awsRegion": "us-east-1",
            "sourceIPAddress": "127.0.0.1",
            "userAgent": "test",
            "requestParameters": null,
            "responseElements": null,
            "requestID": "r",
            "eventID": name,
            "readOnly": false,
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "recipientAccountId": "123456789012",
            "eventCategory": "Management"
        }))
        .expect("a valid record")
    }

    #[test]
    fn start_time_skips_older_records_even_when_appended_out_of_order() {
        let log = TrailLog::default();
        let store = crate::storage::memory::MemoryStore::default();
        let s = |n: u64| Timestamp(n * 1000);
        let records = vec![
            record("a", s(10)),
            record("b", s(30)),
            record("c", s(20)),
            record("d", s(40)),
        ];
        log.append(&store, records).expect("append");
        let names = |start: u64| -> Vec<String> {
            let out = log
                .lookup(
                    &store,
                    &LookupEventsInput {
                        start_time: Some(start as f64),
                        ..LookupEventsInput::default()
                    },
                )
                .expect("lookup");
            out.events.iter().map(|e| e.event_name.clone()).collect()
        };
        assert_eq!(names(0), ["d", "c", "b", "a"]);
        assert_eq!(names(11), ["d", "c", "b"]);
        // c (20 s) was appended after b (30 s): a start of 25 s must not skip past b.
        assert_eq!(names(25), ["d", "b"]);
        assert_eq!(names(41), Vec::<String>::new());
        assert_eq!(log.index().older_than(s(25)), 1);
    }

    #[test]
    fn records_are_read_back_from_the_store_across_chunks_and_pages() {
        let store = crate::storage::memory::MemoryStore::default();
        let log = TrailLog::default();
        let n = 3 * LOOKUP_CHUNK + 5;
        let names: Vec<String> = (0..n).map(|i| format!("e{i}")).collect();
        for chunk in names.chunks(7) {
            let batch = chunk
                .iter()
                .map(|name| record(name, Timestamp(1_000_000)))
                .collect();
            log.append(&store, batch).expect("append");
        }
        assert_eq!(log.len(), n);
        // A log indexed again from the store (a restart) sees the same records.
        let reopened = TrailLog::load(&store).expect("load");
        let all = reopened.snapshot(&store).expect("snapshot");
        let got: Vec<&str> = all.iter().map(|r| r.event_name.as_str()).collect();
        assert_eq!(got, names.iter().map(String::as_str).collect::<Vec<_>>());
        let (tail, end) = reopened.since(&store, n - 3).expect("since");
        assert_eq!(end, n);
        assert_eq!(tail.len(), 3);
        assert_eq!(tail[0].event_name, names[n - 3]);
        // Every page, newest first, across the chunk boundaries, each record once.
        let mut seen = Vec::new();
        let mut token = None;
        loop {
            let out = reopened
                .lookup(
                    &store,
                    &LookupEventsInput {
                        max_results: Some(50),
                        next_token: token.take(),
                        ..LookupEventsInput::default()
                    },
                )
                .expect("lookup");
            seen.extend(out.events.iter().map(|e| e.event_name.clone()));
            match out.next_token {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        let newest_first: Vec<String> = names.iter().rev().cloned().collect();
        assert_eq!(seen, newest_first);
        // A filter that matches one old record finds it beyond the first chunks.
        let out = reopened
            .lookup(
                &store,
                &LookupEventsInput {
                    lookup_attributes: Some(vec![ddbsse_wire::cloudtrail::LookupAttribute {
                        attribute_key: Some("EventName".to_owned()),
                        attribute_value: Some("e2".to_owned()),
                    }]),
                    ..LookupEventsInput::default()
                },
            )
            .expect("lookup");
        assert_eq!(out.events.len(), 1);
        assert_eq!(out.events[0].event_name, "e2");
    }
}
