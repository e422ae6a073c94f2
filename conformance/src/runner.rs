//! Runs cases against a target and builds the [`Report`]: skips a case whose needs the target
//! lacks (with the reason), gives each case a fresh [`Ctx`], applies the profile's known
//! deviations, and shows a progress bar on a terminal.

use std::io::IsTerminal;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use ddbsse_model::ModelConfig;

use crate::cases::{self, Case, Need};
use crate::ctx::{Ctx, Failure};
use crate::profile::Profile;
use crate::report::{CaseReport, Report, Verdict};
use crate::target::{ClockControl, Target};

/// Options of the model-based lockstep case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockstepOptions {
    /// Seed of the random operation sequences.
    pub seed: u64,
    /// Number of random sequences.
    pub cases: u32,
}

impl Default for LockstepOptions {
    fn default() -> Self {
        Self { seed: 1, cases: 64 }
    }
}

/// How to run the suite.
#[derive(Clone, Debug)]
pub struct Options {
    /// Run only cases whose id starts with one of these (all when empty).
    pub filter: Vec<String>,
    /// Known deviations.
    pub profile: Profile,
    /// Account and region the spec's texts use for this target (the model is configured alike).
    pub model: ModelConfig,
    /// Prefix of every table and alias name (`None`: `c` for in-process targets, a time-based
    /// prefix otherwise, so that runs against a shared endpoint do not collide).
    pub name_prefix: Option<String>,
    /// The lockstep case's options.
    pub lockstep: LockstepOptions,
    /// Show a progress bar when stderr is a terminal.
    pub progress: bool,
    /// The endpoint URL printed in replay scripts (`aws ... --endpoint-url`).
    pub endpoint_url: String,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            filter: Vec::new(),
            profile: Profile::default(),
            model: ModelConfig::default(),
            name_prefix: None,
            lockstep: LockstepOptions::default(),
            progress: false,
            endpoint_url: "http://127.0.0.1:8000".to_owned(),
        }
    }
}

fn missing_need(target: &dyn Target, needs: &[Need]) -> Option<Failure> {
    let caps = target.capabilities();
    for need in needs {
        let missing = match need {
            //= spec/conformance.md#real-time
            //# A case that needs time to pass MUST be reported skipped, with the reason `target has no clock capability`, when the target lacks the `clock` capability, unless the harness runs with `--real-time`, in which case it waits real seconds instead.
            Need::Clock => (caps.clock == ClockControl::None)
                .then(|| Failure::Skip("target has no clock capability".to_owned())),
            Need::ManualClock => match caps.clock {
                ClockControl::None => {
                    Some(Failure::Skip("target has no clock capability".to_owned()))
                }
                ClockControl::RealTime => Some(Failure::Skip(
                    "needs hours or days to pass; --real-time waits only for the cache cases"
                        .to_owned(),
                )),
                ClockControl::Manual => None,
            },
            Need::SecondPrincipal => (target.principals().len() < 2)
                .then(|| Failure::Skip("no second principal".to_owned())),
            Need::AtRest => (!caps.at_rest).then(|| {
                Failure::NotApplicable(
                    "white-box at-rest checks need an in-process target with storage hooks"
                        .to_owned(),
                )
            }),
            Need::Http => (!caps.http)
                .then(|| Failure::NotApplicable("the target has no HTTP layer".to_owned())),
        };
        if missing.is_some() {
            return missing;
        }
    }
    None
}

fn prefix_for(target: &dyn Target, options: &Options) -> String {
    if let Some(p) = &options.name_prefix {
        return p.clone();
    }
    if target.capabilities().http {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        format!("ddbsse{:x}-", (nanos / 1000) % 0xffff_ffff)
    } else {
        "c".to_owned()
    }
}

/// Runs `case` on `target` (already checked for needs).
fn run_case(
    target: &mut dyn Target,
    case: &Case,
    prefix: String,
    options: &Options,
) -> Result<(), Failure> {
    let mut ctx = Ctx::new(target, prefix, options.model.clone())?;
    ctx.lockstep = options.lockstep;
    ctx.endpoint_url = options.endpoint_url.clone();
    (case.run)(&mut ctx)
}

/// Runs the selected cases on `target`.
pub fn run(target: &mut dyn Target, options: &Options) -> Report {
    let started = Instant::now();
    let selected: Vec<Case> = cases::all()
        .into_iter()
        .filter(|c| {
            options.filter.is_empty() || options.filter.iter().any(|f| c.id.starts_with(f.as_str()))
        })
        .collect();
    let bar = if options.progress && std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new(selected.len() as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}") {
            b.set_style(style);
        }
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let prefix = prefix_for(target, options);
    let mut reports = Vec::new();
    for (i, case) in selected.iter().enumerate() {
        bar.set_message(case.id);
        let t0 = Instant::now();
        let result = match missing_need(target, case.needs) {
            Some(failure) => Err(failure),
            None => {
                let case_prefix = format!("{prefix}{i}-");
                catch_unwind(AssertUnwindSafe(|| {
                    run_case(target, case, case_prefix, options)
                }))
                .unwrap_or_else(|panic| {
                    let msg = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_else(|| "panic".to_owned());
                    Err(Failure::Mismatch {
                        expected: "the target answers".into(),
                        observed: format!("panicked: {msg}"),
                    })
                })
            }
        };
        let mut report = CaseReport {
            id: case.id.to_owned(),
            requirement: case.requirement(),
            title: case.title.to_owned(),
            outcome: Verdict::Passed,
            expected: None,
            observed: None,
            reason: None,
            duration_ms: u64::try_from(t0.elapsed().as_millis()).unwrap_or(u64::MAX),
        };
        //= spec/conformance.md#outcomes
        //# Each case MUST end with exactly one outcome of the table above, a case that could not run MUST be `skipped` with a reason and never `passed`, and the harness MUST exit with status 1 when any case is `failed` and 0 otherwise.
        match result {
            Ok(()) => {
                if let Some(reason) = options.profile.deviation(case.id) {
                    report.reason = Some(format!(
                        "passed although the profile lists it as a known deviation (stale entry: {reason})"
                    ));
                }
            }
            Err(Failure::Skip(reason)) => {
                report.outcome = Verdict::Skipped;
                report.reason = Some(reason);
            }
            Err(Failure::NotApplicable(reason)) => {
                report.outcome = Verdict::NotApplicable;
                report.reason = Some(reason);
            }
            Err(Failure::Mismatch { expected, observed }) => {
                report.expected = Some(expected);
                report.observed = Some(observed);
                match options.profile.deviation(case.id) {
                    Some(reason) => {
                        report.outcome = Verdict::Known;
                        report.reason = Some(reason.to_owned());
                    }
                    None => report.outcome = Verdict::Failed,
                }
            }
        }
        reports.push(report);
        bar.inc(1);
    }
    bar.finish_and_clear();
    Report {
        target: target.name(),
        capabilities: serde_json::to_value(target.capabilities()).unwrap_or_default(),
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        cases: reports,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{json, junit};
    use crate::target::model::ModelTarget;
    use crate::target::{Capabilities, Connection, RawResponse, TargetError};
    use ddbsse_wire::time::Timestamp;

    /// The model, pretending to have no clock.
    struct NoClock(ModelTarget);

    impl Target for NoClock {
        fn name(&self) -> String {
            "no clock".into()
        }
        fn capabilities(&self) -> Capabilities {
            Capabilities {
                clock: ClockControl::None,
                ..self.0.capabilities()
            }
        }
        fn principals(&self) -> Vec<String> {
            self.0.principals()[..1].to_vec()
        }
        fn open_connection(&mut self) -> Result<Connection, TargetError> {
            self.0.open_connection()
        }
        fn call(
            &mut self,
            c: Connection,
            p: usize,
            t: &str,
            b: &[u8],
        ) -> Result<RawResponse, TargetError> {
            self.0.call(c, p, t, b)
        }
        fn now(&mut self) -> Result<Timestamp, TargetError> {
            self.0.now()
        }
        fn advance_clock(&mut self, _ms: u64) -> Result<(), TargetError> {
            Err(TargetError::Unsupported(
                "target has no clock capability".into(),
            ))
        }
    }

    //= spec/conformance.md#real-time
    //= type=test
    //# A case that needs time to pass MUST be reported skipped, with the reason `target has no clock capability`, when the target lacks the `clock` capability, unless the harness runs with `--real-time`, in which case it waits real seconds instead.
    #[test]
    fn cases_needing_time_or_a_second_principal_are_skipped_with_the_reason() {
        let mut target = NoClock(ModelTarget::new(ModelConfig::default()));
        let report = run(
            &mut target,
            &Options {
                filter: vec!["cache/".into()],
                ..Options::default()
            },
        );
        let boundary = report.case("cache/boundary/300s").expect("case ran");
        assert_eq!(boundary.outcome, Verdict::Skipped);
        assert_eq!(
            boundary.reason.as_deref(),
            Some("target has no clock capability")
        );
        let principal = report.case("cache/scope/per-principal").expect("case ran");
        assert_eq!(principal.outcome, Verdict::Skipped);
        assert_eq!(principal.reason.as_deref(), Some("no second principal"));
        assert_eq!(
            report.case("cache/scope/first-access").map(|c| c.outcome),
            Some(Verdict::Passed)
        );
    }

    //= spec/conformance.md#reports
    //= type=test
    //# The terminal report MUST end with the line `conformance: <n> passed, <n> failed, <n> skipped`, where the skipped count includes known deviations and not-applicable cases, which the line before it breaks down.
    //= spec/conformance.md#reports
    //= type=test
    //# `--out DIR` MUST write `report.json` with one object per case holding `id`, `requirement` (`spec/<file>.md#<anchor>`), `outcome`, `expected`, `observed`, `reason` and `duration_ms`, and `junit.xml` with one test case per case.
    #[test]
    fn reports_name_every_case_and_the_summary_counts_them() {
        let mut target = ModelTarget::new(ModelConfig::default());
        let profile: Profile =
            serde_json::from_str(r#"{"deviations": {"tables/sse-owned-key/absent": "stale"}}"#)
                .expect("profile");
        let report = run(
            &mut target,
            &Options {
                filter: vec![
                    "tables/sse-owned-key/".into(),
                    "key-hierarchy/table-key".into(),
                ],
                profile,
                ..Options::default()
            },
        );
        assert_eq!(
            report.summary_line(),
            "conformance: 4 passed, 0 failed, 1 skipped"
        );
        assert_eq!(
            report.skipped_breakdown_line(),
            "skipped: 0 lacking a capability or principal, 0 known deviations, 1 not applicable"
        );
        assert!(
            report
                .case("tables/sse-owned-key/absent")
                .and_then(|c| c.reason.as_deref())
                .is_some_and(|r| r.contains("stale"))
        );
        let json: serde_json::Value =
            serde_json::from_str(&json::to_json(&report)).expect("valid JSON");
        let cases = json["cases"].as_array().expect("cases");
        assert_eq!(cases.len(), 5);
        for c in cases {
            for member in ["id", "requirement", "outcome", "duration_ms"] {
                assert!(c.get(member).is_some(), "{member} missing in {c}");
            }
            assert!(
                c["requirement"]
                    .as_str()
                    .is_some_and(|r| r.starts_with("spec/") && r.contains(".md#"))
            );
        }
        let xml = junit::to_junit(&report).expect("junit");
        assert_eq!(xml.matches("<testcase ").count(), 5);
    }
}
