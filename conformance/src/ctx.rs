//! The context a case runs in: it sends every request to the target and, in lockstep, to the
//! oracle (a fresh reference model behind the same [`Target`] trait, [`ModelTarget::oracle`]) at
//! the same time, as the same principal and on the matching connection, normalises both answers,
//! and offers the helpers cases share (tables, keys, aliases, the trail since the case began, the
//! clock). Both trails are read the same way, with `LookupEvents`.
//!
//! It does not judge: cases decide what to compare, with the [`Failure`] helpers at the bottom.

use ddbsse_model::ModelConfig;
use ddbsse_wire::error::error_name_from_type;
use ddbsse_wire::time::Timestamp;
use serde_json::{Value, json};

use std::cell::RefCell;
use std::rc::Rc;

use crate::normalize::{differences, document, pair_ids, short, tolerate};
use crate::profile::Tolerance;
use crate::target::model::ModelTarget;
use crate::target::{ClockControl, Connection, RawResponse, ResponseHeaders, Target, TargetError};

/// What the harness notes across the exchanges of a run besides the answers: the members a
/// profile tolerated in the current case, and the `x-amz-crc32` check of every DynamoDB answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunLog {
    /// The id of the case running.
    pub case: String,
    /// Tolerated members of the current case, one line each.
    pub tolerated: Vec<String>,
    /// DynamoDB answers whose `x-amz-crc32` was checked.
    pub crc_checked: usize,
    /// DynamoDB answers that came without headers (the target gives none).
    pub crc_unchecked: usize,
    /// DynamoDB answers whose `x-amz-crc32` was missing or wrong.
    pub crc_bad: usize,
    /// The first of those, described.
    pub crc_first_bad: Option<String>,
}

/// The run log shared by a case's context and its forks.
pub type SharedLog = Rc<RefCell<RunLog>>;

//= spec/errors.md#crc32
//# Every DynamoDB response MUST carry an `x-amz-crc32` header whose value is the CRC-32 (IEEE) of the response body bytes as sent, written as a decimal unsigned 32-bit integer.
/// Checks the `x-amz-crc32` of one DynamoDB answer (`None`: the target gives no headers) and notes
/// the result in `log`.
pub fn check_crc32(log: &mut RunLog, op: &str, status: u16, headers: Option<&ResponseHeaders>) {
    let Some(h) = headers else {
        log.crc_unchecked += 1;
        return;
    };
    log.crc_checked += 1;
    let expected = crc32fast::hash(&h.body);
    let problem = match h.get("x-amz-crc32") {
        None => Some("no x-amz-crc32 header".to_owned()),
        Some(v) if v.trim().parse::<u32>().ok() == Some(expected) => None,
        Some(v) => Some(format!("x-amz-crc32 `{v}`")),
    };
    if let Some(problem) = problem {
        log.crc_bad += 1;
        if log.crc_first_bad.is_none() {
            log.crc_first_bad = Some(format!(
                "in case {}: {op} answered {status} with {problem}; the CRC-32 of its {} body bytes is {expected}",
                log.case,
                h.body.len()
            ));
        }
    }
}

/// Why a case did not pass.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Failure {
    /// The target's answer differs from what the requirement (or the model) expects.
    #[error("expected {expected}; observed {observed}")]
    Mismatch {
        /// What was expected.
        expected: String,
        /// What the target did.
        observed: String,
    },
    /// The case cannot run on this target.
    #[error("could not run: {0}")]
    Skip(String),
    /// The case does not apply to this kind of target.
    #[error("could not run: {0}")]
    NotApplicable(String),
}

impl From<TargetError> for Failure {
    fn from(e: TargetError) -> Self {
        match e {
            TargetError::Unsupported(m) => Failure::Skip(m),
            TargetError::Transport(m) => Failure::Mismatch {
                expected: "an answer".into(),
                observed: m,
            },
            e @ (TargetError::Open(_) | TargetError::AtRestHook(_) | TargetError::Refused(_)) => {
                Failure::Mismatch {
                    expected: "an answer".into(),
                    observed: e.to_string(),
                }
            }
        }
    }
}

/// What a case returns.
pub type CaseResult = Result<(), Failure>;

/// A failure with expected and observed texts.
pub fn mismatch(expected: impl Into<String>, observed: impl Into<String>) -> Failure {
    Failure::Mismatch {
        expected: expected.into(),
        observed: observed.into(),
    }
}

/// Fails unless `expected == observed` (JSON values), naming `what`.
pub fn check_eq(what: &str, expected: &Value, observed: &Value) -> CaseResult {
    if expected == observed {
        Ok(())
    } else {
        Err(mismatch(
            format!("{what}: {}", short(expected)),
            format!("{what}: {}", short(observed)),
        ))
    }
}

/// Fails unless `cond`, with the given texts.
pub fn check(cond: bool, expected: impl Into<String>, observed: impl Into<String>) -> CaseResult {
    if cond {
        Ok(())
    } else {
        Err(mismatch(expected, observed))
    }
}

/// One answer, from the target and from the model.
#[derive(Clone, Debug)]
pub struct Reply {
    /// The operation name (after the target prefix).
    pub op: String,
    /// The target's status.
    pub status: u16,
    /// The target's body.
    pub body: Value,
    /// The target's body, normalised.
    pub normalized: Value,
    /// The model's answer.
    pub model: RawResponse,
    /// The model's answer, normalised.
    pub model_normalized: Value,
}

impl Reply {
    /// The body of a successful answer, or a failure showing the error.
    pub fn ok(&self) -> Result<&Value, Failure> {
        if self.status == 200 {
            Ok(&self.body)
        } else {
            Err(mismatch(
                format!("{} succeeds", self.op),
                format!("{} answered {} {}", self.op, self.status, short(&self.body)),
            ))
        }
    }

    /// The error code a client reads from `__type` (or `code`), if this is an error.
    pub fn error_code(&self) -> Option<&str> {
        if self.status == 200 {
            return None;
        }
        self.body
            .get("__type")
            .or_else(|| self.body.get("code"))
            .and_then(Value::as_str)
            .map(error_name_from_type)
    }

    /// The error message (`message` or `Message`).
    pub fn message(&self) -> Option<&str> {
        self.body
            .get("message")
            .or_else(|| self.body.get("Message"))
            .and_then(Value::as_str)
    }

    /// Fails unless this is error `code` with HTTP 400 (and, when given, exactly `message` after
    /// the wrapped `Request ID` is normalised on both sides).
    pub fn expect_error(&self, code: &str, message: Option<&str>) -> CaseResult {
        let observed = format!(
            "{} {} {}",
            self.status,
            self.error_code().unwrap_or("(no error)"),
            self.message().map(redact).unwrap_or_default()
        );
        let expected = format!("400 {code} {}", message.map(redact).unwrap_or_default());
        let message_ok = match message {
            Some(m) => self.message().map(redact) == Some(redact(m)),
            None => true,
        };
        check(
            self.status == 400 && self.error_code() == Some(code) && message_ok,
            format!("{}: {}", self.op, expected.trim_end()),
            format!(
                "{}: {}",
                self.op,
                if message.is_some() {
                    observed
                } else {
                    format!(
                        "{} {}",
                        self.status,
                        self.error_code().unwrap_or("(no error)")
                    )
                }
            ),
        )
    }

    /// Fails unless the target's normalised answer equals the model's.
    pub fn same_as_model(&self) -> CaseResult {
        let d = differences(&self.model_normalized, &self.normalized, 6);
        check(
            self.status == self.model.status && d.is_empty(),
            format!(
                "{} as the model answers: {} {}",
                self.op,
                self.model.status,
                short(&self.model_normalized)
            ),
            format!(
                "{} {} differs: {}",
                self.status,
                short(&self.normalized),
                d.join("; ")
            ),
        )
    }
}

fn redact(s: &str) -> String {
    crate::normalize::redact_request_id(s)
}

/// A KMS key made for a case.
#[derive(Clone, Debug)]
pub struct Key {
    /// The key id.
    pub id: String,
    /// The key ARN.
    pub arn: String,
}

/// The context of one case.
pub struct Ctx<'a> {
    target: &'a mut dyn Target,
    /// The reference model, reached only through the [`Target`] trait.
    oracle: Box<dyn Target>,
    clock: ClockControl,
    now: Timestamp,
    start: Timestamp,
    /// The target's connections; the oracle's connection of the same index is `oracle_connections`'.
    connections: Vec<Connection>,
    oracle_connections: Vec<Connection>,
    principals: Vec<String>,
    prefix: String,
    norm_start: Option<Timestamp>,
    id_map: Vec<(String, String)>,
    model_config: ModelConfig,
    region: String,
    account: String,
    names: usize,
    /// Response members the profile tolerates.
    pub tolerate: Vec<Tolerance>,
    /// The run's log (tolerated members, protocol checks), shared with forks.
    pub log: SharedLog,
    /// Options of the lockstep case.
    pub lockstep: crate::runner::LockstepOptions,
    /// Endpoint URL for replay scripts.
    pub endpoint_url: String,
}

impl<'a> Ctx<'a> {
    /// A context whose names start with `prefix`; advances a manual clock by one hour (or waits
    /// for the next second on real time) so that the trail since [`Ctx::start`] is this case's.
    pub fn new(
        target: &'a mut dyn Target,
        prefix: String,
        model_config: ModelConfig,
    ) -> Result<Self, Failure> {
        let clock = target.capabilities().clock;
        match clock {
            ClockControl::Manual => target.advance_clock(3_600_000)?,
            ClockControl::RealTime => {
                let now = target.now()?;
                target.advance_clock(1000 - now.0 % 1000 + 1)?;
            }
            ClockControl::None => {}
        }
        let now = target.now()?;
        let first = target.open_connection()?;
        let principals = target.principals();
        let region = model_config.region.clone();
        let account = model_config.account.clone();
        let norm_start = (clock == ClockControl::Manual).then(|| Timestamp(now.0 - now.0 % 1000));
        let mut oracle: Box<dyn Target> = Box::new(ModelTarget::oracle(
            model_config.clone(),
            principals.clone(),
            now,
        ));
        let oracle_first = oracle.open_connection()?;
        Ok(Self {
            target,
            oracle,
            model_config,
            clock,
            now,
            start: Timestamp(now.0 - now.0 % 1000),
            connections: vec![first],
            oracle_connections: vec![oracle_first],
            principals,
            prefix,
            norm_start,
            id_map: Vec::new(),
            region,
            account,
            names: 0,
            tolerate: Vec::new(),
            log: SharedLog::default(),
            lockstep: crate::runner::LockstepOptions::default(),
            endpoint_url: String::new(),
        })
    }

    /// A fresh context on the same target (a fresh model, names under `prefix`, a new trail
    /// window), for cases that run several independent scenarios.
    pub fn fork(&mut self, prefix: String) -> Result<Ctx<'_>, Failure> {
        let config = self.model_config.clone();
        let mut sub = Ctx::new(&mut *self.target, prefix, config)?;
        sub.lockstep = self.lockstep;
        sub.endpoint_url = self.endpoint_url.clone();
        sub.tolerate = self.tolerate.clone();
        sub.log = Rc::clone(&self.log);
        Ok(sub)
    }

    /// How many principals the target offers.
    pub fn principal_count(&self) -> usize {
        self.principals.len()
    }

    /// The region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The account the model uses (and the spec's messages name).
    pub fn account(&self) -> &str {
        &self.account
    }

    /// How the target's clock moves.
    pub fn clock(&self) -> ClockControl {
        self.clock
    }

    /// When the case began (whole seconds).
    pub fn start(&self) -> Timestamp {
        self.start
    }

    /// The current time of the target as the harness knows it.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// The access key id of principal number `p`.
    pub fn principal(&self, p: usize) -> Result<&str, Failure> {
        self.principals.get(p).map(String::as_str).ok_or_else(|| {
            Failure::Skip(if p == 1 {
                "no second principal".to_owned()
            } else {
                format!("no principal number {}", p + 1)
            })
        })
    }

    /// A fresh name for a table (unique on the target), with a readable `hint`.
    pub fn name(&mut self, hint: &str) -> String {
        self.names += 1;
        format!("{}{}-{hint}", self.prefix, self.names)
    }

    /// Opens a new logical connection on the target and the oracle; returns its index for
    /// [`Ctx::call_as`].
    pub fn open_connection(&mut self) -> Result<usize, Failure> {
        let c = self.target.open_connection()?;
        self.connections.push(c);
        let o = self.oracle.open_connection()?;
        self.oracle_connections.push(o);
        Ok(self.connections.len() - 1)
    }

    /// Closes connection number `conn` (from [`Ctx::open_connection`]) on the target and the
    /// oracle; the case must not use it again.
    pub fn close_connection(&mut self, conn: usize) -> CaseResult {
        let (Some(&connection), Some(&oracle_connection)) = (
            self.connections.get(conn),
            self.oracle_connections.get(conn),
        ) else {
            return Err(Failure::Skip(format!("no connection number {conn}")));
        };
        self.target.close_connection(connection)?;
        self.oracle.close_connection(oracle_connection)?;
        Ok(())
    }

    /// Moves the clock forward by `ms` on the target, and the oracle's with it (so that what a
    /// clock move causes, the TTL sweep, happens at the same times on both).
    pub fn advance(&mut self, ms: u64) -> CaseResult {
        self.target.advance_clock(ms)?;
        match self.clock {
            ClockControl::Manual => self.now = self.now.plus(ms),
            _ => self.now = self.target.now()?,
        }
        self.sync_oracle_clock()
    }

    /// Moves the oracle's clock up to the time the harness knows for the target.
    fn sync_oracle_clock(&mut self) -> CaseResult {
        let at = self.oracle.now()?;
        if self.now > at {
            self.oracle.advance_clock(self.now.0 - at.0)?;
        }
        Ok(())
    }

    /// Sends `op` of the service `prefix` (`DynamoDB_20120810.` ...) as the default principal on
    /// the default connection.
    pub fn call(&mut self, target: &str, body: Value) -> Result<Reply, Failure> {
        self.call_as(0, 0, target, body)
    }

    /// A DynamoDB operation.
    pub fn ddb(&mut self, op: &str, body: Value) -> Result<Reply, Failure> {
        self.call(&format!("DynamoDB_20120810.{op}"), body)
    }

    /// A KMS operation.
    pub fn kms(&mut self, op: &str, body: Value) -> Result<Reply, Failure> {
        self.call(&format!("TrentService.{op}"), body)
    }

    /// Sends a request as principal `p` on connection index `conn`, to the target and the oracle.
    pub fn call_as(
        &mut self,
        p: usize,
        conn: usize,
        target: &str,
        body: Value,
    ) -> Result<Reply, Failure> {
        let bytes = body.to_string().into_bytes();
        self.call_raw(p, conn, target, &bytes)
    }

    /// Sends raw body bytes (for malformed-input cases).
    pub fn call_raw(
        &mut self,
        p: usize,
        conn: usize,
        target: &str,
        bytes: &[u8],
    ) -> Result<Reply, Failure> {
        self.principal(p)?;
        let (Some(&connection), Some(&oracle_connection)) = (
            self.connections.get(conn),
            self.oracle_connections.get(conn),
        ) else {
            return Err(Failure::Skip(format!("no connection number {conn}")));
        };
        if self.clock != ClockControl::Manual {
            self.now = self.target.now()?;
        }
        let (mut answer, headers) = self
            .target
            .call_with_headers(connection, p, target, bytes)?;
        let op = target.rsplit('.').next().unwrap_or(target).to_owned();
        if target.starts_with("DynamoDB_20120810.") {
            check_crc32(
                &mut self.log.borrow_mut(),
                &op,
                answer.status,
                headers.as_ref(),
            );
        }
        let model_bytes = self.translate(bytes);
        self.sync_oracle_clock()?;
        let model = self
            .oracle
            .call(oracle_connection, p, target, &model_bytes)?;
        pair_ids(&answer.body, &model.body, &mut self.id_map);
        self.apply_tolerances(&op, &mut answer.body, &model.body);
        let normalized = document(&answer.body, self.norm_start);
        let model_normalized = document(&model.body, self.norm_start);
        Ok(Reply {
            op,
            status: answer.status,
            body: answer.body,
            normalized,
            model,
            model_normalized,
        })
    }

    /// Gives every member of `body` (an answer of `op`) that the profile tolerates the model's
    /// value, with the target's ids, and notes each one that differed.
    fn apply_tolerances(&self, op: &str, body: &mut Value, model: &Value) {
        if self.tolerate.is_empty() {
            return;
        }
        let to_target_ids = |v: &Value| -> Value {
            let mut text = v.to_string();
            for (t, m) in &self.id_map {
                if text.contains(m.as_str()) {
                    text = text.replace(m.as_str(), t);
                }
            }
            serde_json::from_str(&text).unwrap_or_else(|_| v.clone())
        };
        for t in self.tolerate.iter().filter(|t| t.applies_to(op)) {
            for d in tolerate(body, model, &t.path, &to_target_ids) {
                let show = |v: &Option<Value>| v.as_ref().map_or("absent".to_owned(), short);
                self.log.borrow_mut().tolerated.push(format!(
                    "{op} {}: observed {}, taken as the model's {} (profile: {})",
                    d.path,
                    show(&d.observed),
                    show(&d.model),
                    t.reason
                ));
            }
        }
    }

    /// The request body with every id the target made replaced by the model's id for the same
    /// thing (learned from earlier answers), so the model sees its own keys and grants.
    fn translate(&self, bytes: &[u8]) -> Vec<u8> {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return bytes.to_vec();
        };
        let mut text = text.to_owned();
        for (t, m) in &self.id_map {
            if text.contains(t.as_str()) {
                text = text.replace(t.as_str(), m);
            }
        }
        text.into_bytes()
    }

    /// Pairs the target's and the model's value of the string member `member` of a successful
    /// `reply` (a `CiphertextBlob`), so that a later request carrying the target's value reaches
    /// the model with the model's: KMS blobs name their own key and cannot be mapped by ids.
    pub fn pair_member(&mut self, reply: &Reply, member: &str) {
        if let (Some(t), Some(m)) = (
            reply.body.get(member).and_then(Value::as_str),
            reply.model.body.get(member).and_then(Value::as_str),
        ) && t != m
            && !self.id_map.iter().any(|(x, _)| x == t)
        {
            self.id_map.push((t.to_owned(), m.to_owned()));
        }
    }

    /// Sends a request with no `Authorization` header (HTTP targets only).
    pub fn call_unsigned(&mut self, target: &str, body: &[u8]) -> Result<RawResponse, Failure> {
        let connection = self.connections[0];
        Ok(self.target.call_unsigned(connection, target, body)?)
    }

    /// Sends a request as the first principal, signed wrongly as `bad` says (HTTP targets only).
    pub fn call_badly_signed(
        &mut self,
        target: &str,
        body: &[u8],
        bad: crate::target::BadSignature,
    ) -> Result<RawResponse, Failure> {
        let connection = self.connections[0];
        Ok(self
            .target
            .call_badly_signed(connection, target, body, bad)?)
    }

    /// The target's trail delivery files so far (`Target::delivery_files`), or a skip when the
    /// harness cannot see them.
    pub fn delivery_files(&mut self) -> Result<Vec<crate::target::DeliveryFile>, Failure> {
        Ok(self.target.delivery_files()?)
    }

    /// The white-box storage hooks, or a skip.
    pub fn at_rest(&self) -> Result<&dyn crate::target::AtRest, Failure> {
        self.target.at_rest().ok_or_else(|| {
            Failure::NotApplicable(
                "white-box at-rest checks need an in-process target with storage hooks".into(),
            )
        })
    }

    // ---- shared scenario steps ----

    /// A CreateTable body with hash key `pk` (S), on-demand, and `sse` when given.
    pub fn table_body(name: &str, sse: Option<Value>) -> Value {
        let mut body = json!({
            "TableName": name,
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST"
        });
        if let Some(sse) = sse {
            body["SSESpecification"] = sse;
        }
        body
    }

    /// CreateTable of a fresh table with `sse`; returns the name and the reply.
    pub fn create_table(
        &mut self,
        hint: &str,
        sse: Option<Value>,
    ) -> Result<(String, Reply), Failure> {
        let name = self.name(hint);
        let reply = self.ddb("CreateTable", Self::table_body(&name, sse))?;
        Ok((name, reply))
    }

    /// CreateTable that must succeed; returns the name.
    pub fn created_table(&mut self, hint: &str, sse: Option<Value>) -> Result<String, Failure> {
        let (name, reply) = self.create_table(hint, sse)?;
        reply.ok()?;
        Ok(name)
    }

    /// DescribeTable's `Table`.
    pub fn describe(&mut self, table: &str) -> Result<Value, Failure> {
        let r = self.ddb("DescribeTable", json!({"TableName": table}))?;
        Ok(r.ok()?["Table"].clone())
    }

    /// A fresh customer managed key, described `ddbsse conformance <names>` and tagged
    /// `ddbsse-run=<names>` (the case's name prefix, which starts with the run id), so that a
    /// run's keys can be found and cleaned up.
    pub fn create_key(&mut self) -> Result<Key, Failure> {
        let description = format!("ddbsse conformance {}", self.prefix);
        let r = self.kms(
            "CreateKey",
            json!({
                "Description": description,
                "Tags": [{"TagKey": "ddbsse-run", "TagValue": self.prefix}]
            }),
        )?;
        let meta = &r.ok()?["KeyMetadata"];
        let id = meta["KeyId"].as_str().unwrap_or_default().to_owned();
        let arn = meta["Arn"].as_str().unwrap_or_default().to_owned();
        check(
            !id.is_empty() && !arn.is_empty(),
            "CreateKey returns KeyMetadata.KeyId and Arn",
            short(&r.body),
        )?;
        Ok(Key { id, arn })
    }

    /// An alias for `key`; returns the alias name.
    pub fn create_alias(&mut self, key: &Key) -> Result<String, Failure> {
        let alias = format!("alias/{}", self.name("alias"));
        self.kms(
            "CreateAlias",
            json!({"AliasName": alias, "TargetKeyId": key.id}),
        )?
        .ok()?;
        Ok(alias)
    }

    /// The alias ARN of `alias`.
    pub fn alias_arn(&self, alias: &str) -> String {
        format!("arn:aws:kms:{}:{}:{alias}", self.region, self.account)
    }

    /// PutItem `{pk: S, v: S}`.
    pub fn put(&mut self, table: &str, pk: &str, v: &str) -> Result<Reply, Failure> {
        self.put_as(0, 0, table, pk, v)
    }

    /// PutItem as principal `p` on connection `conn`.
    pub fn put_as(
        &mut self,
        p: usize,
        conn: usize,
        table: &str,
        pk: &str,
        v: &str,
    ) -> Result<Reply, Failure> {
        self.call_as(
            p,
            conn,
            "DynamoDB_20120810.PutItem",
            json!({"TableName": table, "Item": {"pk": {"S": pk}, "v": {"S": v}}}),
        )
    }

    /// GetItem of `pk`.
    pub fn get(&mut self, table: &str, pk: &str) -> Result<Reply, Failure> {
        self.get_as(0, 0, table, pk)
    }

    /// GetItem as principal `p` on connection `conn`.
    pub fn get_as(
        &mut self,
        p: usize,
        conn: usize,
        table: &str,
        pk: &str,
    ) -> Result<Reply, Failure> {
        self.call_as(
            p,
            conn,
            "DynamoDB_20120810.GetItem",
            json!({"TableName": table, "Key": {"pk": {"S": pk}}, "ConsistentRead": true}),
        )
    }

    /// The target's trail records since the case began, oldest first (LookupEvents, paged).
    pub fn trail(&mut self) -> Result<Vec<Value>, Failure> {
        Ok(records(self.lookup_events(json!({}))?))
    }

    /// LookupEvents since the case began with `extra` members, every page, as returned (newest first).
    pub fn lookup_events(&mut self, extra: Value) -> Result<Vec<Value>, Failure> {
        lookup_events(&mut *self.target, self.connections[0], self.start, &extra)
    }

    /// The oracle's trail records of this case so far, oldest first, as JSON (LookupEvents on the
    /// oracle, as [`Ctx::trail`] on the target).
    pub fn model_trail(&mut self) -> Result<Vec<Value>, Failure> {
        self.sync_oracle_clock()?;
        let events = lookup_events(
            self.oracle.as_mut(),
            self.oracle_connections[0],
            self.start,
            &json!({}),
        )?;
        Ok(records(events))
    }

    /// Normalises one document (`spec/conformance.md#normalization`).
    pub fn normalize(&self, v: &Value) -> Value {
        document(v, self.norm_start)
    }

    /// Fails unless the target's trail since the case began equals the model's, record for
    /// record after normalisation (times exact on a manual clock, redacted otherwise).
    pub fn trail_matches_model(&mut self) -> CaseResult {
        self.trail_matches_model_except(|_| {})
    }

    /// [`Ctx::trail_matches_model`] after `strip` removed what the caller does not compare.
    pub fn trail_matches_model_except(&mut self, strip: fn(&mut Value)) -> CaseResult {
        self.trail_of_keys_matches_model_except(None, strip)
    }

    /// As [`Ctx::trail_matches_model_except`], leaving out of the target's trail the records
    /// of KMS's own deletions (`AwsServiceEvent` `DeleteKey`) of keys other than `own_keys`: a
    /// fork's clock may pass the deletion date of a key an earlier fork scheduled, and that
    /// fork's record is not this fork's to compare (the fork's model never knew the key).
    pub fn trail_of_keys_matches_model_except(
        &mut self,
        own_keys: Option<&[String]>,
        strip: fn(&mut Value),
    ) -> CaseResult {
        let mut records = self.trail()?;
        if let Some(own) = own_keys {
            records.retain(|r| {
                let foreign_deletion = r["eventType"] == "AwsServiceEvent"
                    && r["eventName"] == "DeleteKey"
                    && r["resources"].as_array().is_some_and(|rs| {
                        rs.iter().all(|res| {
                            let arn = res["ARN"].as_str().unwrap_or_default();
                            !own.iter().any(|k| arn.ends_with(k.as_str()))
                        })
                    });
                !foreign_deletion
            });
        }
        let target = Value::Array(records);
        let model = Value::Array(self.model_trail()?);
        let mut t = self.normalize(&target);
        let mut m = self.normalize(&model);
        strip(&mut t);
        strip(&mut m);
        let d = differences(&m, &t, 8);
        check(
            d.is_empty(),
            format!("the trail the model records: {}", summarize_trail(&m)),
            format!("{}; differences: {}", summarize_trail(&t), d.join("; ")),
        )
    }

    /// Decrypt records since the case began whose encryption context names `table`, oldest first.
    pub fn decrypts(&mut self, table: &str) -> Result<Vec<Value>, Failure> {
        Ok(self
            .trail()?
            .into_iter()
            .filter(|r| {
                r["eventName"] == "Decrypt"
                    && r["requestParameters"]["encryptionContext"]["aws:dynamodb:tableName"]
                        == table
            })
            .collect())
    }

    /// Fails unless exactly `n` Decrypt records of `table` exist since the case began.
    pub fn expect_decrypts(&mut self, table: &str, n: usize, when: &str) -> CaseResult {
        let d = self.decrypts(table)?;
        check(
            d.len() == n,
            format!("{n} Decrypt record(s) of table {table} {when}"),
            format!(
                "{} Decrypt record(s): {}",
                d.len(),
                d.iter()
                    .map(|r| format!(
                        "{} by {} {}",
                        r["eventTime"].as_str().unwrap_or("?"),
                        r["userIdentity"]["accessKeyId"].as_str().unwrap_or("?"),
                        r["errorCode"].as_str().unwrap_or("ok")
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    }
}

/// LookupEvents on `target` (as principal 0 on `connection`) since `start` with `extra` members,
/// every page, as returned (newest first).
fn lookup_events(
    target: &mut dyn Target,
    connection: Connection,
    start: Timestamp,
    extra: &Value,
) -> Result<Vec<Value>, Failure> {
    let mut events = Vec::new();
    let mut token: Option<Value> = None;
    for _ in 0..200 {
        let mut body = json!({"StartTime": start.epoch_seconds(), "MaxResults": 50});
        if let Value::Object(m) = extra {
            for (k, v) in m {
                body[k] = v.clone();
            }
        }
        if let Some(t) = &token {
            body["NextToken"] = t.clone();
        }
        let answer = target.call(
            connection,
            0,
            "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents",
            body.to_string().as_bytes(),
        )?;
        if answer.status != 200 {
            return Err(mismatch(
                "LookupEvents answers 200 with the trail",
                format!(
                    "LookupEvents answered {} {}",
                    answer.status,
                    short(&answer.body)
                ),
            ));
        }
        if let Some(page) = answer.body["Events"].as_array() {
            events.extend(page.iter().cloned());
        }
        match answer.body.get("NextToken") {
            Some(t) if !t.is_null() && t.as_str() != Some("") => token = Some(t.clone()),
            _ => return Ok(events),
        }
    }
    Ok(events)
}

/// The records (`CloudTrailEvent`, parsed) of LookupEvents events, oldest first.
fn records(events: Vec<Value>) -> Vec<Value> {
    events
        .into_iter()
        .rev()
        .map(|e| {
            e["CloudTrailEvent"]
                .as_str()
                .and_then(|s| serde_json::from_str(s).ok())
                .unwrap_or(Value::Null)
        })
        .collect()
}

/// `eventName` list of a normalised trail, for messages.
pub fn summarize_trail(records: &Value) -> String {
    let names: Vec<String> = records
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    let err = r["errorCode"]
                        .as_str()
                        .map(|e| format!("!{e}"))
                        .unwrap_or_default();
                    format!("{}{err}", r["eventName"].as_str().unwrap_or("?"))
                })
                .collect()
        })
        .unwrap_or_default();
    format!("[{}]", names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    //= spec/errors.md#crc32
    //= type=test
    //# Every DynamoDB response MUST carry an `x-amz-crc32` header whose value is the CRC-32 (IEEE) of the response body bytes as sent, written as a decimal unsigned 32-bit integer.
    #[test]
    fn crc32_is_checked_against_the_body_bytes() {
        let body = br#"{"TableNames":[]}"#.to_vec();
        let good = crc32fast::hash(&body).to_string();
        let with = |value: Option<&str>| ResponseHeaders {
            headers: value
                .map(|v| vec![("X-Amz-Crc32".to_owned(), v.to_owned())])
                .unwrap_or_default(),
            body: body.clone(),
            ..ResponseHeaders::default()
        };
        let mut log = RunLog {
            case: "c/x".into(),
            ..RunLog::default()
        };
        check_crc32(&mut log, "ListTables", 200, Some(&with(Some(&good))));
        assert_eq!((log.crc_checked, log.crc_bad), (1, 0));
        check_crc32(&mut log, "ListTables", 200, None);
        assert_eq!((log.crc_checked, log.crc_unchecked, log.crc_bad), (1, 1, 0));
        check_crc32(&mut log, "GetItem", 400, Some(&with(Some("12345"))));
        check_crc32(&mut log, "PutItem", 200, Some(&with(None)));
        assert_eq!((log.crc_checked, log.crc_bad), (3, 2));
        let first = log.crc_first_bad.unwrap_or_default();
        assert!(
            first.contains("c/x")
                && first.contains("GetItem answered 400")
                && first.contains(&good),
            "{first}"
        );
    }
}
