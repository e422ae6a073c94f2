//! The endpoint's engine: DynamoDB, KMS and CloudTrail semantics over encrypted storage.
//!
//! It takes `now` and the caller on every call and reads no clock itself, so the shell can drive
//! it with the system clock or the conformance protocol's manual clock. It never calls the
//! reference model: it is a separate implementation checked against it.

use ddbsse_reference::caller::Caller;
use ddbsse_reference::time::Timestamp;
use ddbsse_reference::wire::{ApiError, ErrorCode, Operation, Service};

/// How an engine is set up.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Account id.
    pub account: String,
    /// Region.
    pub region: String,
    /// Durable storage folder; `None` keeps everything in memory.
    pub data_dir: Option<std::path::PathBuf>,
    /// Deliberate defects, for checking that the conformance suite catches them. Never set in
    /// production use.
    pub faults: Faults,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            account: "123456789012".to_owned(),
            region: "us-east-1".to_owned(),
            data_dir: None,
            faults: Faults::default(),
        }
    }
}

/// Deliberate defects the conformance suite must catch (issue: "the harness catches wrong targets").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    /// The table-key cache never expires.
    pub cache_never_expires: bool,
    /// KMS Decrypt calls made by DynamoDB are not recorded in the trail.
    pub trail_drops_decrypt: bool,
    /// `SSEDescription.KMSMasterKeyArn` names a wrong key.
    pub wrong_sse_key_arn: bool,
}

/// An answer as the shell sends it: status, JSON body and the request id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineResponse {
    /// HTTP status.
    pub status: u16,
    /// The service whose protocol the body follows.
    pub service: Option<Service>,
    /// JSON body bytes.
    pub body: Vec<u8>,
    /// The `x-amzn-RequestId` value.
    pub request_id: String,
}

/// Why the engine could not start.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The data directory could not be opened.
    #[error("cannot open data directory: {0}")]
    Storage(String),
}

/// The engine. Thread-safe: the shell shares one behind an `Arc`.
#[derive(Debug)]
pub struct Engine {
    config: EngineConfig,
}

impl Engine {
    /// Opens an engine (in memory, or on its data directory).
    pub fn open(config: EngineConfig) -> Result<Self, EngineError> {
        Ok(Self { config })
    }

    /// The configuration.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Handles one request: `target` is the `X-Amz-Target` header, `body` the JSON body.
    pub fn handle(&self, now: Timestamp, caller: &Caller, target: &str, body: &[u8]) -> EngineResponse {
        let _ = (now, caller, body);
        let err = match Operation::from_target(target) {
            Ok(op) => ApiError::new(ErrorCode::UnknownOperation, format!("{} not built yet", op.name())),
            Err(e) => e,
        };
        let service = Service::from_target(target);
        EngineResponse {
            status: err.http_status(),
            service,
            body: err.body(service.unwrap_or(Service::DynamoDb)).to_string().into_bytes(),
            request_id: String::new(),
        }
    }
}
