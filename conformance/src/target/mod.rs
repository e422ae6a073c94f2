//! Targets: the things the suite drives. A target takes a signed-or-not request (target header and
//! JSON body) from one principal over one logical client connection and answers with a status and
//! a JSON body; it may also let the harness move its clock and look at its storage.
//!
//! This module holds the trait and the shared value types; each kind of target lives in its own
//! file: `embedded` (the in-repo engine in-process, only with the `embedded` feature, which brings
//! in `ddbsse-server`), [`http`] (any endpoint over HTTP with SigV4) and [`model`] (the reference
//! model itself, to check the model against the spec's literal expectations, and the oracle every
//! case compares a target with). It does not decide what a correct answer is: that is the cases'
//! job.

pub mod delivery;
#[cfg(feature = "embedded")]
pub mod embedded;
pub mod http;
pub mod in_process;
pub mod model;

use ddbsse_wire::time::Timestamp;

pub use delivery::DeliveryFile;

/// Why a target's delivery files cannot be read, for targets that do not say where they are.
pub const NO_DELIVERY_FOLDER: &str = "the harness cannot see this target's trail delivery files \
     (ddbsse check --delivery-dir DIR names the folder the target delivers to)";

/// One answer of a target.
#[derive(Clone, Debug, PartialEq)]
pub struct RawResponse {
    /// HTTP status.
    pub status: u16,
    /// The JSON body (`Null` when the body was empty, a JSON string holding the text when the body
    /// was not JSON).
    pub body: serde_json::Value,
}

/// What an HTTP response carries besides its status and parsed body: its headers and the body
/// bytes as received, for the protocol checks (`x-amz-crc32`, `spec/errors.md#crc32`), and the
/// request's headers and URL, for the exchanges a case keeps ([`crate::exchange`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResponseHeaders {
    /// The headers, as (name, value) pairs; names compare case-insensitively.
    pub headers: Vec<(String, String)>,
    /// The body bytes the headers describe.
    pub body: Vec<u8>,
    /// The headers the request was sent with, as sent (signature included: redact before
    /// keeping them, [`http::redact_header`]); empty when the target has no HTTP layer.
    pub request_headers: Vec<(String, String)>,
    /// The URL the request went to, when it went over HTTP.
    pub url: Option<String>,
}

impl ResponseHeaders {
    /// The value of header `name` (case-insensitive), if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A logical client connection of a target (distinct handles are distinct TCP connections on
/// HTTP targets).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Connection(pub u64);

/// Why a target could not answer at all (as opposed to answering with an error).
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// The request did not reach the target or its answer could not be read.
    #[error("transport: {0}")]
    Transport(String),
    /// The harness refuses this target as configured (an AWS endpoint without `--aws`, no
    /// credentials).
    #[error("{0}")]
    Refused(String),
    /// The target cannot do this (for example move its clock).
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// An in-process engine could not be opened.
    #[error("the engine does not open: {0}")]
    Open(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A white-box storage hook refused (no such table or row, for example).
    #[error("at-rest hook: {0}")]
    AtRestHook(#[source] ddbsse_wire::ApiError),
}

/// A deliberately wrong SigV4 signature, for the signature cases (`spec/errors.md#signatures`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadSignature {
    /// The first principal's access key id, signed with another secret.
    WrongSecret,
    /// The first principal's key, dated 20 minutes before the wall clock.
    Expired,
    /// An access key id the target does not know.
    UnknownKey,
}

impl BadSignature {
    /// How far before the wall clock [`BadSignature::Expired`] dates its request.
    pub const EXPIRED_BY_SECONDS: u64 = 20 * 60;
    /// The access key id [`BadSignature::UnknownKey`] signs with.
    pub const UNKNOWN_KEY: &'static str = "AKIDDDBSSENOSUCHKEY0";
}

/// The capability a target announces when it verifies signatures.
pub const SIGNATURES_CAPABILITY: &str = "signatures";

/// How the target's clock can be moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClockControl {
    /// A manual clock the harness advances at will (in-process, or the `clock` capability).
    Manual,
    /// No control: the harness waits real time (`--real-time`).
    RealTime,
    /// Neither: time-dependent cases are skipped.
    None,
}

/// What a target can do beyond the AWS APIs.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Capabilities {
    /// How time moves.
    pub clock: ClockControl,
    /// The capabilities the target announced (`GET /_conformance/capabilities`), verbatim.
    pub announced: Vec<String>,
    /// Whether the harness can look at the target's storage (in-process only).
    pub at_rest: bool,
    /// Whether requests travel over HTTP (so unsigned requests can be sent).
    pub http: bool,
}

/// Stored rows as (row key, stored bytes).
pub type StoredRows = Vec<(Vec<u8>, Vec<u8>)>;

/// White-box access to a target's storage, for the encryption-at-rest checks (in-process only).
pub trait AtRest {
    /// The stored item rows of `table` as (row key, stored bytes), in a stable order.
    fn rows(&self, table: &str) -> Result<StoredRows, TargetError>;
    /// The stored secondary-index entry rows of `table` (every index) as (row key, stored
    /// bytes), in a stable order.
    fn index_rows(&self, table: &str) -> Result<StoredRows, TargetError>;
    /// Flips bit `bit` of the stored bytes of index entry row number `row` of `table`.
    fn flip_index_bit(&self, table: &str, row: usize, bit: usize) -> Result<(), TargetError>;
    /// The table key of `table` as stored.
    fn stored_table_key(&self, table: &str) -> Result<Vec<u8>, TargetError>;
    /// Flips bit `bit` of the stored bytes of row number `row` of `table`.
    fn flip_bit(&self, table: &str, row: usize, bit: usize) -> Result<(), TargetError>;
    /// Copies the stored bytes of `from_row` of `from_table` over those of `to_row` of `to_table`.
    fn move_envelope(
        &self,
        from_table: &str,
        from_row: usize,
        to_table: &str,
        to_row: usize,
    ) -> Result<(), TargetError>;
}

/// A DynamoDB + KMS + CloudTrail endpoint the suite can drive.
pub trait Target {
    /// A short human name (`embedded`, `http://127.0.0.1:8000`, ...).
    fn name(&self) -> String;
    /// What the target supports.
    fn capabilities(&self) -> Capabilities;
    /// The access key ids of the principals the harness can call as (at least one).
    fn principals(&self) -> Vec<String>;
    /// Opens a new logical client connection.
    fn open_connection(&mut self) -> Result<Connection, TargetError>;
    /// Closes a logical client connection: an HTTP target closes its TCP connections, the
    /// embedded one tells the engine. The default does nothing, for targets whose connections
    /// are only ids; the harness never uses a closed connection again.
    fn close_connection(&mut self, _connection: Connection) -> Result<(), TargetError> {
        Ok(())
    }
    /// Sends one request (`target` is the `X-Amz-Target` value) as principal number `principal`.
    fn call(
        &mut self,
        connection: Connection,
        principal: usize,
        target: &str,
        body: &[u8],
    ) -> Result<RawResponse, TargetError>;
    /// [`Target::call`], also returning the response's headers and body bytes when the target
    /// can give them. The default gives none, and the harness then reports its header checks as
    /// skipped with the reason `target gives no response headers`, never as passed.
    fn call_with_headers(
        &mut self,
        connection: Connection,
        principal: usize,
        target: &str,
        body: &[u8],
    ) -> Result<(RawResponse, Option<ResponseHeaders>), TargetError> {
        Ok((self.call(connection, principal, target, body)?, None))
    }
    /// Sends one request without any `Authorization` header (HTTP targets only).
    fn call_unsigned(
        &mut self,
        _connection: Connection,
        _target: &str,
        _body: &[u8],
    ) -> Result<RawResponse, TargetError> {
        Err(TargetError::Unsupported(
            "the target has no HTTP layer to send an unsigned request to".into(),
        ))
    }
    /// Sends one request as the first principal, signed wrongly as `bad` says (HTTP targets
    /// only).
    fn call_badly_signed(
        &mut self,
        _connection: Connection,
        _target: &str,
        _body: &[u8],
        _bad: BadSignature,
    ) -> Result<RawResponse, TargetError> {
        Err(TargetError::Unsupported(
            "the target has no HTTP layer to send a badly signed request to".into(),
        ))
    }
    /// The target's current time, when the harness can know it.
    fn now(&mut self) -> Result<Timestamp, TargetError>;
    /// Moves the clock forward by `ms` milliseconds (or waits that long on real-time targets).
    fn advance_clock(&mut self, ms: u64) -> Result<(), TargetError>;
    /// White-box storage access, for in-process targets that offer it.
    fn at_rest(&self) -> Option<&dyn AtRest> {
        None
    }
    /// The trail delivery files the target has written so far (`spec/trail.md#delivery`),
    /// sorted by path. A target whose delivery runs in the background may not have delivered a
    /// window yet when its clock has just passed the window's end: the cases wait for it. The
    /// default is `Unsupported` ([`NO_DELIVERY_FOLDER`]), which skips the delivery cases.
    fn delivery_files(&mut self) -> Result<Vec<DeliveryFile>, TargetError> {
        Err(TargetError::Unsupported(NO_DELIVERY_FOLDER.to_owned()))
    }
}

/// Reads a response body: JSON when it parses, the text as a JSON string otherwise.
pub(crate) fn parse_body(bytes: &[u8]) -> serde_json::Value {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return serde_json::Value::Null;
    }
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(bytes).into_owned()))
}
