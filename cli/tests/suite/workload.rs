//! One scripted workload, run against the in-repo engine (on a durable data directory) and the
//! reference model at the same `now`s with the same callers.
//!
//! Does: send each request to both, check that both succeed or both fail, and hand back each
//! side's response so a script can read ids (which differ between the two); read the engine's
//! whole trail through LookupEvents, every page; optionally deliver the trail live as
//! `ddbsse serve --trail-dir` does (a manual clock set to each request's time, the delivery
//! woken after each request). Does not: compare responses beyond success.

use ddbsse_model::{Model, ModelConfig};
use ddbsse_wire::Request;
use ddbsse_wire::caller::Caller;
use ddbsse_wire::time::Timestamp;
use std::path::Path;
use std::sync::Arc;

use ddbsse_server::clock::{Clock, ClockKind};
use ddbsse_server::engine::{Engine, EngineConfig};
use ddbsse_server::trail_delivery::{
    DeliveryStats, TrailDelivery, TrailDeliveryConfig, TrailSource,
};
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
    pub engine: Arc<Engine>,
    /// The reference model.
    pub model: Model,
    /// The live trail delivery and its manual clock, when started.
    live: Option<(TrailDelivery, Arc<Clock>)>,
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
            engine: Arc::new(engine),
            model: Model::new(ModelConfig::default()),
            live: None,
        }
    }

    /// Delivers the engine's trail below `dir` from now on, with 5-minute windows on a manual
    /// clock that each request sets to its time.
    pub fn deliver_live(&mut self, dir: &Path) {
        let clock = Arc::new(Clock::new(ClockKind::Manual));
        let config = TrailDeliveryConfig {
            dir: dir.to_path_buf(),
            account: "123456789012".to_owned(),
            region: "us-east-1".to_owned(),
            interval_millis: 300_000,
        };
        let source = Arc::clone(&self.engine) as Arc<dyn TrailSource>;
        let delivery =
            TrailDelivery::start(config, source, Arc::clone(&clock)).expect("delivery starts");
        self.live = Some((delivery, clock));
    }

    fn set_clock(&self, now: Timestamp) {
        if let Some((delivery, clock)) = &self.live {
            clock
                .set(now.0)
                .expect("the script's times never go backwards");
            delivery.wake();
        }
    }

    /// Moves the live clock to `now` and stops the delivery, which delivers the open window.
    pub fn stop_live(&mut self, now: Timestamp) -> Option<DeliveryStats> {
        self.set_clock(now);
        self.live.take().map(|(delivery, _)| delivery.shutdown())
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
        self.set_clock(now);
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
        self.set_clock(now);
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
