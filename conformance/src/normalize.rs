//! Normalisation of documents before comparison (`spec/conformance.md#normalization`): in each
//! document separately, every distinct id is replaced by `<id-N>` in order of first appearance
//! (depth-first, member order), every timestamp by its offset in milliseconds from the start of
//! the case (or by `<time>` on targets the harness does not clock, where offsets are not
//! reproducible), `GrantToken`, `CiphertextBlob` and `Plaintext` by `<blob>`, paging tokens by
//! `<token>`, the caller's `sourceIPAddress` and `userAgent` by placeholders, and the `Request ID`
//! inside wrapped KMS error messages by `<request-id>`.
//!
//! It does not decide which fields matter; cases pick what they compare. Member order is not
//! compared (JSON object equality ignores it).

use std::collections::HashMap;

use ddbsse_wire::time::Timestamp;
use serde_json::{Map, Value};

/// Members whose value is opaque key material or ciphertext.
const BLOBS: &[&str] = &["GrantToken", "CiphertextBlob", "Plaintext"];

/// Paging tokens.
const TOKENS: &[&str] = &["NextToken", "NextMarker"];

/// Members that hold a time (epoch seconds or `eventTime`).
const TIMES: &[&str] = &[
    "CreationDateTime",
    "CreationDate",
    "DeletionDate",
    "InaccessibleEncryptionDateTime",
    "ArchivalDateTime",
    "LastUpdatedDate",
    "LastIncreaseDateTime",
    "LastDecreaseDateTime",
    "EventTime",
    "eventTime",
    "creationDateTime",
    "creationDate",
    "inaccessibleEncryptionDateTime",
    "archivalDateTime",
    "deletionDate",
];

/// Replaces ids, opaque values and times of one document by stable placeholders.
#[derive(Clone, Debug, Default)]
pub struct Normalizer {
    ids: HashMap<String, usize>,
    start: Option<Timestamp>,
}

//= spec/conformance.md#normalization
//# Before comparing a target's responses or trail records with the reference model's, the harness MUST replace, in each document separately, every distinct id (any UUID, any 64-hex-digit string, including inside ARNs, messages and the `CloudTrailEvent` string) by `<id-N>`, where N counts distinct ids from 1 in order of first appearance in a depth-first walk in member order, and MUST replace every timestamp (epoch-second members such as `CreationDateTime`, and `eventTime` strings) by its offset in milliseconds from the start of the case.
/// Normalises one document: `start` is the case's start on a harness-controlled clock, `None`
/// on real time (times become `<time>`). An error body's text is read as [`error_text`] reads
/// it and kept as `message`, so a target answering `Message`, or no text at all where the model
/// has an empty one, compares equal.
pub fn document(value: &Value, start: Option<Timestamp>) -> Value {
    Normalizer::new(start).value(&error_envelope(value))
}

//= spec/errors.md#envelope
//# The conformance harness MUST read an error's text from `message` or, when that member is absent, from `Message`, and MUST read an error body with neither member as an error whose text is empty.
/// The text of an error body: `message`, else `Message`, else empty (DynamoDB was seen answering
/// with `Message` and with no message member at all; `spec/errors.md#envelope`).
pub fn error_text(body: &Value) -> &str {
    body.get("message")
        .or_else(|| body.get("Message"))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// An error body (an object with `__type`) with its text as `message` only; any other value
/// unchanged.
fn error_envelope(value: &Value) -> Value {
    match value {
        Value::Object(map) if map.get("__type").is_some_and(Value::is_string) => {
            let text = error_text(value).to_owned();
            let mut out = map.clone();
            out.remove("Message");
            out.insert("message".into(), Value::String(text));
            Value::Object(out)
        }
        other => other.clone(),
    }
}

impl Normalizer {
    /// A normaliser for one document.
    pub fn new(start: Option<Timestamp>) -> Self {
        Self {
            ids: HashMap::new(),
            start,
        }
    }

    fn time(&self, v: &Value) -> Value {
        let Some(start) = self.start else {
            return Value::String("<time>".into());
        };
        let at = match v {
            Value::Number(n) => n.as_f64().and_then(Timestamp::from_epoch_seconds),
            Value::String(s) => Timestamp::parse_event_time(s),
            _ => None,
        };
        match at {
            Some(t) => Value::from(
                i64::try_from(t.0).unwrap_or(i64::MAX) - i64::try_from(start.0).unwrap_or(i64::MAX),
            ),
            None => v.clone(),
        }
    }

    /// The normalised copy of `value`. `CloudTrailEvent` strings are parsed and normalised as JSON.
    pub fn value(&mut self, value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut out = Map::new();
                for (k, v) in map {
                    let direct = map.get("userIdentity").is_some_and(|u| {
                        u.get("invokedBy").is_none()
                            && u.get("type") != Some(&Value::from("AWSService"))
                    });
                    let nv = if BLOBS.contains(&k.as_str()) && !v.is_null() {
                        Value::String("<blob>".into())
                    } else if TOKENS.contains(&k.as_str()) && !v.is_null() {
                        Value::String("<token>".into())
                    } else if TIMES.contains(&k.as_str()) && !v.is_null() {
                        self.time(v)
                    } else if direct && (k == "sourceIPAddress" || k == "userAgent") {
                        Value::String(format!("<{k}>"))
                    } else if k == "CloudTrailEvent" {
                        match v
                            .as_str()
                            .and_then(|s| serde_json::from_str::<Value>(s).ok())
                        {
                            Some(parsed) => self.value(&parsed),
                            None => self.value(v),
                        }
                    } else {
                        self.value(v)
                    };
                    out.insert(k.clone(), nv);
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(items.iter().map(|v| self.value(v)).collect()),
            Value::String(s) => Value::String(self.string(s)),
            other => other.clone(),
        }
    }

    /// The normalised copy of a string.
    pub fn string(&mut self, s: &str) -> String {
        let s = redact_request_id(s);
        // A value that is only 8 hex digits is an id (moto's grant ids).
        if s.len() == 8
            && s.bytes().all(|b| b.is_ascii_hexdigit())
            && s.bytes().any(|b| b.is_ascii_digit())
        {
            return self.id(&s);
        }
        let s = self.backup_suffix(&s);
        let bytes = s.as_bytes();
        let mut out = String::with_capacity(s.len());
        let mut i = 0;
        while i < bytes.len() {
            if let Some(len) = id_at(bytes, i) {
                let token = &s[i..i + len];
                out.push_str(&self.id(token));
                i += len;
            } else {
                let ch = s[i..].chars().next().unwrap_or(' ');
                out.push(ch);
                i += ch.len_utf8();
            }
        }
        out
    }

    fn id(&mut self, token: &str) -> String {
        let key = token.to_ascii_lowercase();
        let next = self.ids.len() + 1;
        let n = *self.ids.entry(key).or_insert(next);
        format!("<id-{n}>")
    }

    fn backup_suffix(&mut self, s: &str) -> String {
        match s.find("/backup/") {
            Some(pos) => match s.rfind('-') {
                Some(dash) if dash > pos => {
                    let (head, tail) = s.split_at(dash + 1);
                    format!("{head}{}", self.id(tail))
                }
                _ => s.to_owned(),
            },
            None => s.to_owned(),
        }
    }
}

/// Replaces `Request ID: <x>;` inside wrapped KMS messages (`spec/tables.md#sse-key-unusable`).
pub fn redact_request_id(s: &str) -> String {
    const MARK: &str = "Request ID: ";
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find(MARK) {
        out.push_str(&rest[..pos + MARK.len()]);
        let after = &rest[pos + MARK.len()..];
        let end = after.find(';').unwrap_or(after.len());
        out.push_str("<request-id>");
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The ids (UUIDs and 64-hex-digit runs) inside `s`, in order.
pub fn ids_in(s: &str) -> Vec<&str> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match id_at(bytes, i) {
            Some(len) => {
                out.push(&s[i..i + len]);
                i += len;
            }
            None => i += 1,
        }
    }
    out
}

/// Pairs up the ids of two documents of the same shape (a target's answer and the model's), in
/// walk order, so that later requests naming a target id can be translated for the model.
pub fn pair_ids(target: &Value, model: &Value, out: &mut Vec<(String, String)>) {
    match (target, model) {
        (Value::Object(t), Value::Object(m)) => {
            for (k, tv) in t {
                if let Some(mv) = m.get(k) {
                    pair_ids(tv, mv, out);
                }
            }
        }
        (Value::Array(t), Value::Array(m)) => {
            for (tv, mv) in t.iter().zip(m) {
                pair_ids(tv, mv, out);
            }
        }
        (Value::String(t), Value::String(m)) => {
            let (ti, mi) = (ids_in(t), ids_in(m));
            if ti.len() == mi.len() {
                for (a, b) in ti.into_iter().zip(mi) {
                    if a != b && !out.iter().any(|(x, _)| x == a) {
                        out.push((a.to_owned(), b.to_owned()));
                    }
                }
            }
        }
        _ => {}
    }
}

fn is_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(&b) || (b'A'..=b'F').contains(&b)
}

/// The length of an id starting at `i`: a UUID (8-4-4-4-12) or a run of exactly 64 hex digits,
/// not preceded by a hex digit.
fn id_at(bytes: &[u8], i: usize) -> Option<usize> {
    if i > 0 && is_hex(bytes[i - 1]) {
        return None;
    }
    let uuid = bytes.len() >= i + 36
        && bytes[i..i + 36].iter().enumerate().all(|(k, &b)| {
            if [8, 13, 18, 23].contains(&k) {
                b == b'-'
            } else {
                is_hex(b)
            }
        })
        && bytes.get(i + 36).is_none_or(|b| !is_hex(*b));
    if uuid {
        return Some(36);
    }
    let run = bytes[i..].iter().take_while(|b| is_hex(**b)).count();
    (run == 64).then_some(64)
}

/// One tolerated member whose value the target and the model disagree on.
#[derive(Clone, Debug, PartialEq)]
pub struct Tolerated {
    /// The member's full path in the body, `Table.SSEDescription.KMSMasterKeyArn`.
    pub path: String,
    /// The target's value (`None`: absent).
    pub observed: Option<Value>,
    /// The model's value (`None`: absent).
    pub model: Option<Value>,
}

/// Makes every member of `observed` whose dotted path ends with `suffix` (member names separated
/// by `.`, array indexes left out) take the value `model` has at the same place, passed through
/// `adopt` (which turns the model's ids into the target's), inserting or removing the member when
/// only one side has it; returns the members that differed. Members the two documents do not
/// both reach (different shapes above them) are left alone.
pub fn tolerate(
    observed: &mut Value,
    model: &Value,
    suffix: &str,
    adopt: &dyn Fn(&Value) -> Value,
) -> Vec<Tolerated> {
    let want: Vec<&str> = suffix.split('.').filter(|s| !s.is_empty()).collect();
    let mut out = Vec::new();
    if !want.is_empty() {
        tolerate_into(&mut Vec::new(), observed, model, &want, adopt, &mut out);
    }
    out
}

fn tolerate_into<'a>(
    path: &mut Vec<&'a str>,
    observed: &mut Value,
    model: &'a Value,
    want: &[&str],
    adopt: &dyn Fn(&Value) -> Value,
    out: &mut Vec<Tolerated>,
) {
    match (observed, model) {
        (Value::Object(om), Value::Object(mm)) => {
            let mut keys: Vec<&'a str> = mm.keys().map(String::as_str).collect();
            let only_observed: Vec<String> = om
                .keys()
                .filter(|k| !mm.contains_key(*k))
                .cloned()
                .collect();
            for k in only_observed {
                let mut p: Vec<&str> = path.clone();
                p.push(&k);
                if p.ends_with(want) {
                    let observed = om.remove(&k);
                    out.push(Tolerated {
                        path: joined(path, &k),
                        observed,
                        model: None,
                    });
                }
            }
            keys.sort_unstable();
            for k in keys {
                let mv = &mm[k];
                path.push(k);
                let matched = path.ends_with(want);
                path.pop();
                if matched {
                    let adopted = adopt(mv);
                    let ov = om.get(k);
                    if ov != Some(&adopted) {
                        out.push(Tolerated {
                            path: joined(path, k),
                            observed: ov.cloned(),
                            model: Some(adopted.clone()),
                        });
                        om.insert(k.to_owned(), adopted);
                    }
                } else if let Some(ov) = om.get_mut(k) {
                    path.push(k);
                    tolerate_into(path, ov, mv, want, adopt, out);
                    path.pop();
                }
            }
        }
        (Value::Array(oa), Value::Array(ma)) => {
            for (ov, mv) in oa.iter_mut().zip(ma) {
                tolerate_into(path, ov, mv, want, adopt, out);
            }
        }
        _ => {}
    }
}

fn joined(path: &[&str], last: &str) -> String {
    let mut p: Vec<&str> = path.to_vec();
    p.push(last);
    p.join(".")
}

/// Up to `limit` differences between `expected` and `observed`, as `path: expected X, observed Y`.
pub fn differences(expected: &Value, observed: &Value, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    diff_into("$", expected, observed, limit, &mut out);
    out
}

fn diff_into(path: &str, e: &Value, o: &Value, limit: usize, out: &mut Vec<String>) {
    if out.len() >= limit || e == o {
        return;
    }
    match (e, o) {
        (Value::Object(em), Value::Object(om)) => {
            for (k, ev) in em {
                let p = format!("{path}.{k}");
                match om.get(k) {
                    Some(ov) => diff_into(&p, ev, ov, limit, out),
                    None => push(
                        out,
                        limit,
                        format!("{p}: expected {}, observed absent", short(ev)),
                    ),
                }
            }
            for (k, ov) in om {
                if !em.contains_key(k) {
                    push(
                        out,
                        limit,
                        format!("{path}.{k}: expected absent, observed {}", short(ov)),
                    );
                }
            }
        }
        (Value::Array(ea), Value::Array(oa)) if ea.len() == oa.len() => {
            for (i, (ev, ov)) in ea.iter().zip(oa).enumerate() {
                diff_into(&format!("{path}[{i}]"), ev, ov, limit, out);
            }
        }
        (Value::Array(ea), Value::Array(oa)) => {
            push(
                out,
                limit,
                format!(
                    "{path}: expected {} elements, observed {}",
                    ea.len(),
                    oa.len()
                ),
            );
            for (i, (ev, ov)) in ea.iter().zip(oa).enumerate() {
                diff_into(&format!("{path}[{i}]"), ev, ov, limit, out);
            }
        }
        _ => push(
            out,
            limit,
            format!("{path}: expected {}, observed {}", short(e), short(o)),
        ),
    }
}

fn push(out: &mut Vec<String>, limit: usize, s: String) {
    if out.len() < limit {
        out.push(s);
    }
}

/// A JSON value on one line, cut at 300 characters.
pub fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 300 {
        let mut cut = 300;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}...", &s[..cut])
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    //= spec/conformance.md#normalization
    //= type=test
    //# Before comparing a target's responses or trail records with the reference model's, the harness MUST replace, in each document separately, every distinct id (any UUID, any 64-hex-digit string, including inside ARNs, messages and the `CloudTrailEvent` string) by `<id-N>`, where N counts distinct ids from 1 in order of first appearance in a depth-first walk in member order, and MUST replace every timestamp (epoch-second members such as `CreationDateTime`, and `eventTime` strings) by its offset in milliseconds from the start of the case.
    //= spec/errors.md#envelope
    //= type=test
    //# The conformance harness MUST read an error's text from `message` or, when that member is absent, from `Message`, and MUST read an error body with neither member as an error whose text is empty.
    #[test]
    fn error_text_is_message_or_capital_message_or_empty() {
        let lower =
            json!({"__type": "com.amazon.coral.validate#ValidationException", "message": "bad"});
        let upper =
            json!({"__type": "com.amazon.coral.validate#ValidationException", "Message": "bad"});
        let none = json!({"__type": "com.amazon.coral.validate#ValidationException"});
        assert_eq!(
            (error_text(&lower), error_text(&upper), error_text(&none)),
            ("bad", "bad", "")
        );
        assert_eq!(document(&upper, None), document(&lower, None));
        assert_eq!(
            document(&none, None),
            document(
                &json!({"__type": "com.amazon.coral.validate#ValidationException", "message": ""}),
                None
            )
        );
        // Only error bodies: a `Message` member elsewhere is data.
        let data = json!({"CancellationReasons": [{"Code": "None", "Message": "x"}]});
        assert_eq!(document(&data, None), data);
    }

    #[test]
    fn ids_are_numbered_in_order_of_first_appearance() {
        let mut n = Normalizer::new(Some(Timestamp(1_552_262_000_000)));
        let v = json!({
            "KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
            "Arn": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "GrantId": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "Other": "ffffffff-12ab-34cd-56ef-1234567890ab",
            "GrantToken": "secret-looking",
            "CreationDate": 1552262400.0
        });
        let out = n.value(&v);
        assert_eq!(out["KeyId"], "<id-1>");
        assert_eq!(out["Arn"], "arn:aws:kms:us-east-1:123456789012:key/<id-1>");
        assert_eq!(out["GrantId"], "<id-2>");
        assert_eq!(out["Other"], "<id-3>");
        assert_eq!(out["GrantToken"], "<blob>");
        assert_eq!(out["CreationDate"], 400_000);
        assert_eq!(document(&v, None)["CreationDate"], "<time>");
    }

    #[test]
    fn trail_records_inside_lookup_events_are_normalised() {
        let record = json!({"eventTime": "2019-03-11T00:05:00Z", "userIdentity": {"type": "IAMUser"}, "sourceIPAddress": "10.0.0.1", "eventID": "ffffffff-12ab-34cd-56ef-1234567890ab"});
        let event = json!({"EventId": "ffffffff-12ab-34cd-56ef-1234567890ab", "CloudTrailEvent": record.to_string()});
        let out = document(&event, Some(Timestamp(1_552_262_400_000)));
        assert_eq!(out["EventId"], "<id-1>");
        assert_eq!(out["CloudTrailEvent"]["eventID"], "<id-1>");
        assert_eq!(out["CloudTrailEvent"]["eventTime"], 300_000);
        assert_eq!(
            out["CloudTrailEvent"]["sourceIPAddress"],
            "<sourceIPAddress>"
        );
    }

    #[test]
    fn request_ids_in_messages_and_backup_suffixes() {
        let mut n = Normalizer::new(None);
        let m = n.string(
            "x (Service: AWSKMS; Request ID: 5e0f7a1c-0000-4000-8000-000000000000; Proxy: null)",
        );
        assert_eq!(
            m,
            "x (Service: AWSKMS; Request ID: <request-id>; Proxy: null)"
        );
        let b = n.string("arn:aws:dynamodb:us-east-1:1:table/t/backup/01552262400000-0a1b2c3d");
        assert_eq!(
            b,
            "arn:aws:dynamodb:us-east-1:1:table/t/backup/01552262400000-<id-1>"
        );
    }

    #[test]
    fn differences_name_the_path() {
        let d = differences(
            &json!({"a": {"b": 1}, "c": [1]}),
            &json!({"a": {"b": 2}, "d": 0}),
            10,
        );
        assert_eq!(d.len(), 3, "{d:?}");
        assert!(d[0].starts_with("$.a.b: expected 1, observed 2"));
    }

    #[test]
    fn tolerate_replaces_only_the_named_member() {
        let mut observed = serde_json::json!({"Table": {
            "SSEDescription": {"Status": "ENABLED", "KMSMasterKeyArn": "arn:alias/x"},
            "TableName": "t"}});
        let model = serde_json::json!({"Table": {
            "SSEDescription": {"Status": "ENABLED", "KMSMasterKeyArn": "arn:key/M"},
            "TableName": "t"}});
        let to_target = |v: &Value| Value::String(v.as_str().unwrap_or("").replace('M', "T"));
        let d = tolerate(
            &mut observed,
            &model,
            "SSEDescription.KMSMasterKeyArn",
            &to_target,
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "Table.SSEDescription.KMSMasterKeyArn");
        assert_eq!(d[0].observed, Some(Value::from("arn:alias/x")));
        assert_eq!(
            observed["Table"]["SSEDescription"]["KMSMasterKeyArn"],
            "arn:key/T"
        );
        // Equal after id translation: nothing to tolerate.
        assert!(tolerate(&mut observed, &model, "KMSMasterKeyArn", &to_target).is_empty());
        // A member only one side has is inserted or removed; other members stay as they are.
        let mut extra = serde_json::json!({"SSEDescription": {"Status": "X", "Extra": 1}});
        let model = serde_json::json!({"SSEDescription": {"Status": "ENABLED"}});
        let d = tolerate(&mut extra, &model, "Extra", &|v: &Value| v.clone());
        assert_eq!(d.len(), 1);
        assert_eq!(
            extra,
            serde_json::json!({"SSEDescription": {"Status": "X"}})
        );
    }
}
