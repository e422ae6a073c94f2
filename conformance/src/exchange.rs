//! The exchanges of a case: every request the harness sent to the target while the case ran
//! (method, URL, `X-Amz-Target`, principal and connection, headers and body) with its answer
//! (status, headers and body), and every move of the target's clock. [`Tap`] wraps a target and
//! keeps them; the runner puts them in each case's report (`report.json`, the HTML report of a
//! failed case), `--reproduce` turns them into a script and `--record`/`--replay` store and
//! compare them.
//!
//! Secrets never enter an exchange: headers go through [`redact_header`] (the `Authorization`
//! header keeps its algorithm, scope and signed header names, not the access key id or the
//! signature; `X-Amz-Security-Token` becomes `<redacted>`), and secret keys are never sent. An
//! in-process target has no HTTP: its exchanges are synthesised from the typed request and answer
//! (`synthesized: true`; the request headers are those a client would send, the response headers
//! those `ddbsse serve` would send) and say so.
//!
//! It does not judge answers or decide what a case sends; the requests to the reference model
//! (the oracle) are not exchanges with the target and are not kept.

use std::collections::VecDeque;

use ddbsse_wire::Service;
use ddbsse_wire::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::target::http::redact_header;
use crate::target::{
    AtRest, BadSignature, Capabilities, ClockControl, Connection, RawResponse, ResponseHeaders,
    Target, TargetError, parse_body,
};

/// How many exchanges a case keeps at most (the last ones; the lockstep case sends thousands).
pub const KEPT_PER_CASE: usize = 400;

/// What kind of exchange this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExchangeKind {
    /// A signed DynamoDB, KMS or CloudTrail request.
    Aws,
    /// The same without an `Authorization` header.
    Unsigned,
    /// A move of the target's manual clock (`POST /_conformance/clock`, or in-process).
    Clock,
    /// Real time the harness waited (`--real-time`).
    Wait,
}

/// One request to the target and its answer, secrets redacted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    /// What kind of exchange.
    pub kind: ExchangeKind,
    /// The HTTP method.
    pub method: String,
    /// The URL the request went to (`None` in-process).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The `X-Amz-Target` value (AWS requests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The principal number the request was signed as (`None`: unsigned, or a clock move).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<usize>,
    /// The harness's connection number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<u64>,
    /// The request headers as (name, value), redacted.
    #[serde(default)]
    pub request_headers: Vec<(String, String)>,
    /// The request body (JSON, or the text as a JSON string).
    pub request_body: Value,
    /// The HTTP status (`None` when no answer came).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The response headers as (name, value), redacted.
    #[serde(default)]
    pub response_headers: Vec<(String, String)>,
    /// The response body (JSON, or the text as a JSON string; `null` when empty or not kept).
    pub response_body: Value,
    /// Why no answer came (transport failure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Whether the exchange was synthesised from an in-process target's typed request and
    /// answer rather than seen on the wire.
    #[serde(default)]
    pub synthesized: bool,
}

impl Exchange {
    /// The operation name (`CreateTable`), the clock move, or the kind.
    pub fn label(&self) -> String {
        match self.kind {
            ExchangeKind::Aws | ExchangeKind::Unsigned => self
                .target
                .as_deref()
                .map(|t| t.rsplit('.').next().unwrap_or(t).to_owned())
                .unwrap_or_default(),
            ExchangeKind::Clock => format!("clock {}", self.request_body),
            ExchangeKind::Wait => format!("wait {}", self.request_body),
        }
    }

    /// The exchange as an HTTP-like text, for reports: request line, headers, body, a blank line,
    /// status line, headers, body.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let url = self.url.as_deref().unwrap_or("(in-process)");
        out.push_str(&format!("{} {url}", self.method));
        if let Some(c) = self.connection {
            out.push_str(&format!("   [connection {c}"));
            if let Some(p) = self.principal {
                out.push_str(&format!(", principal {}", p + 1));
            }
            out.push(']');
        }
        if self.synthesized {
            out.push_str("   [synthesised in-process: no HTTP]");
        }
        out.push('\n');
        for (k, v) in &self.request_headers {
            out.push_str(&format!("{k}: {v}\n"));
        }
        out.push('\n');
        out.push_str(&pretty(&self.request_body));
        out.push_str("\n\n");
        match (self.status, &self.error) {
            (Some(s), _) => out.push_str(&format!("HTTP {s}\n")),
            (None, Some(e)) => out.push_str(&format!("no answer: {e}\n")),
            (None, None) => out.push_str("(no answer kept)\n"),
        }
        for (k, v) in &self.response_headers {
            out.push_str(&format!("{k}: {v}\n"));
        }
        if !self.response_body.is_null() {
            out.push('\n');
            out.push_str(&pretty(&self.response_body));
            out.push('\n');
        }
        out
    }
}

fn pretty(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => serde_json::to_string_pretty(other).unwrap_or_else(|_| other.to_string()),
    }
}

/// The exchanges kept for one case.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tape {
    /// The last [`KEPT_PER_CASE`] exchanges, oldest first.
    pub exchanges: VecDeque<Exchange>,
    /// How many earlier ones were dropped.
    pub dropped: usize,
}

impl Tape {
    fn push(&mut self, e: Exchange) {
        if self.exchanges.len() == KEPT_PER_CASE {
            self.exchanges.pop_front();
            self.dropped += 1;
        }
        self.exchanges.push_back(e);
    }
}

/// A target that keeps every exchange with the target it wraps.
pub struct Tap<'a> {
    inner: &'a mut dyn Target,
    /// What was kept so far.
    pub tape: Tape,
    http: bool,
    clock: ClockControl,
    base_url: String,
}

impl<'a> Tap<'a> {
    /// Wraps `inner`.
    pub fn new(inner: &'a mut dyn Target) -> Self {
        let caps = inner.capabilities();
        let base_url = inner.name();
        Self {
            inner,
            tape: Tape::default(),
            http: caps.http,
            clock: caps.clock,
            base_url,
        }
    }

    /// The exchanges kept, and how many were dropped before them.
    pub fn into_tape(self) -> Tape {
        self.tape
    }

    fn aws(
        &mut self,
        connection: Connection,
        principal: Option<usize>,
        target: &str,
        body: &[u8],
        answer: &Result<(RawResponse, Option<ResponseHeaders>), TargetError>,
    ) {
        let service = Service::from_target(target).unwrap_or(Service::DynamoDb);
        let heads = answer.as_ref().ok().and_then(|(_, h)| h.as_ref());
        let sent: Vec<(String, String)> =
            heads.map(|h| h.request_headers.clone()).unwrap_or_default();
        let synthesized = sent.is_empty() && !self.http;
        let request_headers = if sent.is_empty() {
            vec![
                ("Content-Type".to_owned(), service.content_type().to_owned()),
                ("X-Amz-Target".to_owned(), target.to_owned()),
            ]
        } else {
            sent
        };
        let redact = |h: &[(String, String)]| -> Vec<(String, String)> {
            h.iter()
                .map(|(k, v)| (k.clone(), redact_header(k, v)))
                .collect()
        };
        let (status, response_headers, response_body, error) = match answer {
            Ok((raw, h)) => (
                Some(raw.status),
                h.as_ref().map(|h| redact(&h.headers)).unwrap_or_default(),
                raw.body.clone(),
                None,
            ),
            Err(e) => (None, Vec::new(), Value::Null, Some(e.to_string())),
        };
        let url = heads
            .and_then(|h| h.url.clone())
            .or_else(|| self.http.then(|| format!("{}/", self.base_url)));
        self.tape.push(Exchange {
            kind: if principal.is_some() {
                ExchangeKind::Aws
            } else {
                ExchangeKind::Unsigned
            },
            method: "POST".to_owned(),
            url,
            target: Some(target.to_owned()),
            principal,
            connection: Some(connection.0),
            request_headers: redact(&request_headers),
            request_body: parse_body(body),
            status,
            response_headers,
            response_body,
            error,
            synthesized,
        });
    }
}

impl Target for Tap<'_> {
    fn name(&self) -> String {
        self.inner.name()
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    fn principals(&self) -> Vec<String> {
        self.inner.principals()
    }

    fn open_connection(&mut self) -> Result<Connection, TargetError> {
        self.inner.open_connection()
    }

    fn close_connection(&mut self, connection: Connection) -> Result<(), TargetError> {
        self.inner.close_connection(connection)
    }

    fn call(
        &mut self,
        connection: Connection,
        principal: usize,
        target: &str,
        body: &[u8],
    ) -> Result<RawResponse, TargetError> {
        self.call_with_headers(connection, principal, target, body)
            .map(|(r, _)| r)
    }

    fn call_with_headers(
        &mut self,
        connection: Connection,
        principal: usize,
        target: &str,
        body: &[u8],
    ) -> Result<(RawResponse, Option<ResponseHeaders>), TargetError> {
        let answer = self
            .inner
            .call_with_headers(connection, principal, target, body);
        self.aws(connection, Some(principal), target, body, &answer);
        answer
    }

    fn call_unsigned(
        &mut self,
        connection: Connection,
        target: &str,
        body: &[u8],
    ) -> Result<RawResponse, TargetError> {
        let answer = self
            .inner
            .call_unsigned(connection, target, body)
            .map(|r| (r, None));
        if !matches!(answer, Err(TargetError::Unsupported(_))) {
            self.aws(connection, None, target, body, &answer);
        }
        answer.map(|(r, _)| r)
    }

    fn call_badly_signed(
        &mut self,
        connection: Connection,
        target: &str,
        body: &[u8],
        bad: BadSignature,
    ) -> Result<RawResponse, TargetError> {
        let answer = self
            .inner
            .call_badly_signed(connection, target, body, bad)
            .map(|r| (r, None));
        if !matches!(answer, Err(TargetError::Unsupported(_))) {
            self.aws(connection, Some(0), target, body, &answer);
        }
        answer.map(|(r, _)| r)
    }

    fn now(&mut self) -> Result<Timestamp, TargetError> {
        self.inner.now()
    }

    fn advance_clock(&mut self, ms: u64) -> Result<(), TargetError> {
        let result = self.inner.advance_clock(ms);
        if matches!(result, Err(TargetError::Unsupported(_))) {
            return result;
        }
        let (kind, url, body) = match self.clock {
            ClockControl::RealTime => (
                ExchangeKind::Wait,
                None,
                serde_json::json!({"waitMillis": ms}),
            ),
            _ => (
                ExchangeKind::Clock,
                self.http
                    .then(|| format!("{}/_conformance/clock", self.base_url)),
                serde_json::json!({"advanceMillis": ms}),
            ),
        };
        let synthesized = !self.http;
        self.tape.push(Exchange {
            kind,
            method: "POST".to_owned(),
            url,
            target: None,
            principal: None,
            connection: None,
            request_headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
            request_body: body,
            status: result.as_ref().ok().map(|()| 200),
            response_headers: Vec::new(),
            response_body: Value::Null,
            error: result.as_ref().err().map(ToString::to_string),
            synthesized,
        });
        result
    }

    fn at_rest(&self) -> Option<&dyn AtRest> {
        self.inner.at_rest()
    }

    fn delivery_files(&mut self) -> Result<Vec<crate::target::DeliveryFile>, TargetError> {
        self.inner.delivery_files()
    }
}
