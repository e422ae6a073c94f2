//! One scripted workload, run against the in-repo engine (on a durable data directory) and the
//! reference model at the same `now`s with the same callers.
//!
//! Does: send each request to both, check that both succeed or both fail, and hand back each
//! side's response so a script can read ids (which differ between the two); read the engine's
//! whole trail through LookupEvents, every page. Does not: compare responses beyond success.

use ddbsse_reference::caller::Caller;
use ddbsse_reference::model::{Model, ModelConfig};
use ddbsse_reference::time::Timestamp;
use ddbsse_reference::wire::Request;
use ddbsse_server::engine::{Engine, EngineConfig};
use serde_json::{Value, json};

/// LookupEvents' `X-Amz-Target`.
pub const LOOKUP_EVENTS: &str =
    "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";

/// What one request answered on each side.
#[derive(Debug)]
pub struct Answers {
    /// The engine's HTTP status.
    pub engine_status: u16,
    /// The engine's JSON body.
    pub engine: Value,
    /// The model's response as JSON (`Null` when it failed).
    pub model: Value,
}

/// The engine and the model side by side.
pub struct Twin {
    /// The engine under test.
    pub engine: Engine,
    /// The reference model.
    pub model: Model,
}

impl Twin {
    /// An engine keeping its state in `data_dir`, and a fresh model.
    pub fn open(data_dir: &std::path::Path) -> Twin {
        let engine = Engine::open(EngineConfig {
            data_dir: Some(data_dir.to_path_buf()),
            ..EngineConfig::default()
        })
        .expect("engine opens on a fresh data directory");
        Twin {
            engine,
            model: Model::new(ModelConfig::default()),
        }
    }

    /// Sends `target` with a body to both sides; each side's body comes from `body(side)` so that
    /// ids read from earlier answers can differ (`Side::Engine` or `Side::Model`).
    pub fn call(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        target: &str,
        body: impl Fn(Side) -> Value,
    ) -> Answers {
        let engine_body = body(Side::Engine).to_string();
        let response = self
            .engine
            .handle(now, caller, target, engine_body.as_bytes());
        let engine: Value = serde_json::from_slice(&response.body).expect("engine answers JSON");
        let model_body = body(Side::Model).to_string();
        let request =
            Request::parse(target, model_body.as_bytes()).expect("the script's requests parse");
        let outcome = self.model.handle(now, caller, &request);
        let model = match &outcome.result {
            Ok(r) => serde_json::to_value(r).expect("responses serialise"),
            Err(_) => Value::Null,
        };
        assert_eq!(
            response.status == 200,
            outcome.result.is_ok(),
            "{target} at {now:?} by {caller:?}: engine answered {} {engine}, model {:?}",
            response.status,
            outcome.result
        );
        Answers {
            engine_status: response.status,
            engine,
            model,
        }
    }

    /// The engine's whole trail through LookupEvents (every page, `MaxResults` 50), oldest first,
    /// as the parsed `CloudTrailEvent` of each event.
    pub fn lookup_all(&self, now: Timestamp) -> Vec<Value> {
        let caller = Caller::new("AKIDDDBSSELOOKUP", 999);
        let mut newest_first = Vec::new();
        let mut token: Option<Value> = None;
        loop {
            let mut body = json!({"MaxResults": 50});
            if let Some(t) = &token {
                body["NextToken"] = t.clone();
            }
            let r = self
                .engine
                .handle(now, &caller, LOOKUP_EVENTS, body.to_string().as_bytes());
            assert_eq!(r.status, 200, "LookupEvents answers 200");
            let page: Value = serde_json::from_slice(&r.body).expect("LookupEvents answers JSON");
            let events = page["Events"].as_array().expect("Events is a list");
            assert!(events.len() <= 50, "at most MaxResults events a page");
            for e in events {
                let text = e["CloudTrailEvent"]
                    .as_str()
                    .expect("CloudTrailEvent is text");
                newest_first.push(serde_json::from_str(text).expect("CloudTrailEvent is JSON"));
            }
            match page.get("NextToken") {
                Some(t) if !t.is_null() => token = Some(t.clone()),
                _ => break,
            }
        }
        newest_first.reverse();
        newest_first
    }

    /// The model's records, oldest first, as JSON.
    pub fn model_events(&self) -> Vec<Value> {
        self.model
            .events()
            .iter()
            .map(|r| serde_json::to_value(r).expect("records serialise"))
            .collect()
    }
}

/// Which side a request body is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The engine.
    Engine,
    /// The model.
    Model,
}
