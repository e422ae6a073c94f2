//! The reference model: a pure, deterministic state machine of one account and region's
//! DynamoDB tables, KMS keys, aliases, grants, table-key cache and CloudTrail events.
//!
//! `Model::handle(now, caller, request)` returns the response (or error) and the trail records
//! the call emitted. No IO, no async, no wall clock, no global randomness: ids come from a seeded
//! generator, and time only moves when the caller passes a later `now`. It is the oracle the
//! conformance suite checks targets against; it stores item values in plaintext.

use crate::caller::Caller;
use crate::time::Timestamp;
use crate::trail::TrailRecord;
use crate::wire::{ApiError, ErrorCode, Request, Response};

/// What the model is configured with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelConfig {
    /// The account id (`123456789012` by default).
    pub account: String,
    /// The region (`us-east-1` by default).
    pub region: String,
    /// Seed of the id generator.
    pub seed: u64,
}

impl Default for ModelConfig {
    fn default() -> Self {
        Self {
            account: "123456789012".to_owned(),
            region: "us-east-1".to_owned(),
            seed: 0,
        }
    }
}

/// The result of one call: the response or error, and the trail records it emitted in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The response or the error.
    pub result: Result<Response, ApiError>,
    /// Trail records emitted by this call, in emission order.
    pub events: Vec<TrailRecord>,
}

/// The reference state machine.
#[derive(Debug)]
pub struct Model {
    config: ModelConfig,
}

impl Model {
    /// A model with no tables, keys or events.
    pub fn new(config: ModelConfig) -> Self {
        Self { config }
    }

    /// The configuration.
    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// Handles one request at `now` from `caller`.
    pub fn handle(&mut self, now: Timestamp, caller: &Caller, request: &Request) -> Outcome {
        let _ = (now, caller);
        Outcome {
            result: Err(ApiError::new(
                ErrorCode::UnknownOperation,
                format!("{} is not modelled yet", request.operation().name()),
            )),
            events: Vec::new(),
        }
    }
}
