//! The reference model as a target: every request is parsed with the shared wire layer and handed
//! to [`Model::handle`] at the harness's manual clock. Running the suite against it shows where
//! the model itself departs from the spec's literal expectations (the cases that compare a target
//! with the model trivially agree here).
//!
//! It is also the oracle: the case context ([`crate::ctx::Ctx`]) and with it the lockstep case
//! send every request to a [`ModelTarget`] made with [`ModelTarget::oracle`] through the same
//! [`Target`] calls as to the target under test, and read its trail with `LookupEvents` as they
//! read the target's. There is no other path from the harness to the model.

use ddbsse_model::{Model, ModelConfig, Outcome};
use ddbsse_wire::caller::Caller;
use ddbsse_wire::time::{MANUAL_CLOCK_START, Timestamp};
use ddbsse_wire::{Request, Service};

use super::in_process::InProcessSessions;
use super::{
    Capabilities, ClockControl, Connection, RawResponse, ResponseHeaders, Target, TargetError,
};

/// The reference model behind the [`Target`] trait.
#[derive(Debug)]
pub struct ModelTarget {
    model: Model,
    now: Timestamp,
    sessions: InProcessSessions,
}

impl ModelTarget {
    /// A fresh model with `config`, its clock at `MANUAL_CLOCK_START`.
    pub fn new(config: ModelConfig) -> Self {
        Self {
            model: Model::new(config),
            now: MANUAL_CLOCK_START,
            sessions: InProcessSessions::default(),
        }
    }

    /// The oracle of a target whose principals are `principals` (so that the model records the
    /// same access key ids) and whose clock reads `now`: a fresh model with `config`.
    pub fn oracle(config: ModelConfig, principals: Vec<String>, now: Timestamp) -> Self {
        Self {
            model: Model::new(config),
            now,
            sessions: InProcessSessions::with_principals(principals),
        }
    }
}

/// The wire answer for a model outcome of a request on `service`.
fn outcome_response(outcome: &Outcome, service: Service) -> RawResponse {
    match &outcome.result {
        Ok(response) => RawResponse {
            status: 200,
            body: response.body(),
        },
        Err(e) => RawResponse {
            status: e.http_status(),
            body: e.body(service),
        },
    }
}

/// Parses and handles one request on `model`: a parse failure is answered like a target would.
fn handle_raw(
    model: &mut Model,
    now: Timestamp,
    caller: &Caller,
    target: &str,
    body: &[u8],
) -> RawResponse {
    let service = Service::from_target(target).unwrap_or(Service::DynamoDb);
    let outcome = match Request::parse(target, body) {
        Ok(request) => model.handle(now, caller, &request),
        Err(e) => Outcome {
            result: Err(e),
            events: Vec::new(),
        },
    };
    outcome_response(&outcome, service)
}

impl Target for ModelTarget {
    fn name(&self) -> String {
        "model".to_owned()
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            clock: ClockControl::Manual,
            announced: vec!["clock".to_owned()],
            at_rest: false,
            http: false,
        }
    }

    fn principals(&self) -> Vec<String> {
        self.sessions.principals()
    }

    fn open_connection(&mut self) -> Result<Connection, TargetError> {
        Ok(self.sessions.open_connection())
    }

    fn call(
        &mut self,
        connection: Connection,
        principal: usize,
        target: &str,
        body: &[u8],
    ) -> Result<RawResponse, TargetError> {
        let caller = self.sessions.caller(connection, principal)?;
        Ok(handle_raw(&mut self.model, self.now, &caller, target, body))
    }

    /// The headers the spec prescribes for the answer: its protocol's `Content-Type`, and on
    /// DynamoDB answers `x-amz-crc32` of the body as the model would send it
    /// (`spec/errors.md#crc32`).
    fn call_with_headers(
        &mut self,
        connection: Connection,
        principal: usize,
        target: &str,
        body: &[u8],
    ) -> Result<(RawResponse, Option<ResponseHeaders>), TargetError> {
        let response = self.call(connection, principal, target, body)?;
        let service = Service::from_target(target).unwrap_or(Service::DynamoDb);
        let bytes = match &response.body {
            serde_json::Value::Null => Vec::new(),
            b => b.to_string().into_bytes(),
        };
        let mut headers = vec![("content-type".to_owned(), service.content_type().to_owned())];
        if service == Service::DynamoDb {
            headers.push((
                "x-amz-crc32".to_owned(),
                crc32fast::hash(&bytes).to_string(),
            ));
        }
        Ok((
            response,
            Some(ResponseHeaders {
                headers,
                body: bytes,
                ..ResponseHeaders::default()
            }),
        ))
    }

    fn now(&mut self) -> Result<Timestamp, TargetError> {
        Ok(self.now)
    }

    fn advance_clock(&mut self, ms: u64) -> Result<(), TargetError> {
        self.now = self.now.plus(ms);
        // What follows a clock move on a target (the TTL sweep) follows it here too.
        self.model.advance(self.now);
        Ok(())
    }

    fn delivery_files(&mut self) -> Result<Vec<super::DeliveryFile>, TargetError> {
        Err(TargetError::Unsupported(
            "the reference model writes no delivery files (spec/trail.md#delivery)".to_owned(),
        ))
    }
}
