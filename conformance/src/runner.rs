//! Runs cases against a target and builds the [`Report`]: skips a case whose needs the target
//! lacks (with the reason), gives each case a fresh [`Ctx`], applies the profile's known
//! deviations, and shows a progress bar on a terminal.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::time::Instant;

use ddbsse_model::ModelConfig;

use crate::cases::{self, Case, Need};
use crate::ctx::{Ctx, Failure, SharedLog};
use crate::exchange::Tap;
use crate::profile::Profile;
use crate::provenance::Provenance;
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
    /// Run only cases matching one of these (all when empty): an id prefix, or a glob pattern
    /// with `*` and `?` matched against the whole id (see [`selects`]).
    pub filter: Vec<String>,
    /// Leave out the cases matching one of these (prefixes or glob patterns, as `filter`).
    pub skip: Vec<String>,
    /// `filter` holds whole case ids, not patterns (`--reproduce`, `--replay`).
    pub exact: bool,
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
    /// Append every case's exchanges to `<record>/exchanges.jsonl` (`--record DIR`).
    pub record: Option<std::path::PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            filter: Vec::new(),
            skip: Vec::new(),
            exact: false,
            profile: Profile::default(),
            model: ModelConfig::default(),
            name_prefix: None,
            lockstep: LockstepOptions::default(),
            progress: false,
            endpoint_url: "http://127.0.0.1:8000".to_owned(),
            record: None,
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
            Need::Signatures => (!caps
                .announced
                .iter()
                .any(|c| c == crate::target::SIGNATURES_CAPABILITY))
            .then(|| {
                Failure::Skip(
                    "target does not verify signatures (no `signatures` capability)".to_owned(),
                )
            }),
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
    log: &SharedLog,
) -> Result<(), Failure> {
    let mut ctx = Ctx::new(target, prefix, options.model.clone())?;
    ctx.lockstep = options.lockstep;
    ctx.endpoint_url = options.endpoint_url.clone();
    ctx.tolerate = options.profile.tolerate.clone();
    ctx.log = Rc::clone(log);
    (case.run)(&mut ctx)
}

/// Whether `pattern` selects case `id`: a pattern with `*` (any run of characters, `/`
/// included) or `?` (one character) must match the whole id; any other pattern is an id prefix.
pub fn selects(pattern: &str, id: &str) -> bool {
    if !pattern.contains(['*', '?']) {
        return id.starts_with(pattern);
    }
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), id.chars().collect());
    // Iterative wildcard match with one backtrack point (the last `*`).
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < t.len() {
        if i < p.len() && (p[i] == '?' || p[i] == t[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

/// The cases `options.filter` and `options.skip` select, in suite order.
pub fn selected(options: &Options) -> Vec<Case> {
    cases::all()
        .into_iter()
        .filter(|c| {
            (options.filter.is_empty()
                || options.filter.iter().any(|f| {
                    if options.exact {
                        f == c.id
                    } else {
                        selects(f, c.id)
                    }
                }))
                && !options.skip.iter().any(|s| selects(s, c.id))
        })
        .collect()
}

/// The options of a run as recorded in its provenance (the CLI adds its own).
fn recorded_options(options: &Options) -> BTreeMap<String, serde_json::Value> {
    let mut m = BTreeMap::new();
    m.insert("case".to_owned(), serde_json::json!(options.filter));
    m.insert("skip".to_owned(), serde_json::json!(options.skip));
    m.insert(
        "cases".to_owned(),
        serde_json::json!(options.lockstep.cases),
    );
    m.insert(
        "profile_deviations".to_owned(),
        serde_json::json!(options.profile.deviations.len()),
    );
    m.insert(
        "profile_tolerated_members".to_owned(),
        serde_json::json!(options.profile.tolerate.len()),
    );
    m
}

/// Runs the selected cases on `target`.
pub fn run(target: &mut dyn Target, options: &Options) -> Report {
    let started = Instant::now();
    let provenance = Provenance::now(
        options.lockstep.seed,
        target.name(),
        serde_json::to_value(target.capabilities()).unwrap_or_default(),
        recorded_options(options),
    );
    let selected = selected(options);
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
    let log = SharedLog::default();
    let mut recorder = options.record.as_deref().and_then(|dir| {
        crate::record::CaseRecorder::create(dir)
            .map_err(|e| eprintln!("ddbsse check: {e}; nothing is recorded"))
            .ok()
    });
    let mut reports = Vec::new();
    for (i, case) in selected.iter().enumerate() {
        bar.set_message(case.id);
        {
            let mut l = log.borrow_mut();
            l.case = case.id.to_owned();
            l.tolerated.clear();
        }
        let t0 = Instant::now();
        let case_prefix = format!("{prefix}{i}-");
        let mut tap = Tap::new(&mut *target);
        let result = match missing_need(&tap, case.needs) {
            Some(failure) => Err(failure),
            None => {
                let case_prefix = case_prefix.clone();
                catch_unwind(AssertUnwindSafe(|| {
                    run_case(&mut tap, case, case_prefix, options, &log)
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
            //= spec/conformance.md#reports
            //# Every report (`report.json`, `junit.xml` and `index.html`) MUST show, for every case, the evidence grades of its requirement (`aws-doc`, `observed`, `decided`; `spec/README.md#sources`), and the terminal output MUST show them for every failed case and MUST print the line `failed by evidence: <n> aws-doc, <n> observed, <n> decided` before the line that breaks down the skipped count.
            evidence: crate::grades::of(&case.requirement()),
            title: case.title.to_owned(),
            outcome: Verdict::Passed,
            expected: None,
            observed: None,
            reason: None,
            duration_ms: u64::try_from(t0.elapsed().as_millis()).unwrap_or(u64::MAX),
            names: case_prefix,
            exchanges: Vec::new(),
            exchanges_dropped: 0,
        };
        //= spec/conformance.md#reports
        //# `report.json` MUST hold, for every case, its exchanges with the target in order (method, URL, `X-Amz-Target`, request headers and body, status, response headers and body, and each move of the target's clock), with the access key id and the signature of every `Authorization` header and the value of every `X-Amz-Security-Token` header redacted, and `index.html` MUST show the exchanges of every failed case.
        let tape = tap.into_tape();
        report.exchanges = tape.exchanges.into();
        report.exchanges_dropped = tape.dropped;
        if let Some(r) = &mut recorder
            && let Err(e) = r.write_case(&report)
        {
            eprintln!("ddbsse check: {e}; recording stopped");
            recorder = None;
        }
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
        let tolerated = std::mem::take(&mut log.borrow_mut().tolerated);
        if !tolerated.is_empty() {
            let note = format!("tolerated by the profile: {}", tolerated.join("; "));
            report.reason = Some(match report.reason.take() {
                Some(r) => format!("{r}; {note}"),
                None => note,
            });
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
        provenance,
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

    /// The model, echoing an alias ARN as DescribeTable's `KMSMasterKeyArn` (an emulator bug),
    /// and optionally also answering a wrong `SSEDescription.Status`.
    struct EchoesAlias {
        model: ModelTarget,
        wrong_status: bool,
    }

    impl Target for EchoesAlias {
        fn name(&self) -> String {
            "echoes alias".into()
        }
        fn capabilities(&self) -> Capabilities {
            self.model.capabilities()
        }
        fn principals(&self) -> Vec<String> {
            self.model.principals()
        }
        fn open_connection(&mut self) -> Result<Connection, TargetError> {
            self.model.open_connection()
        }
        fn call(
            &mut self,
            c: Connection,
            p: usize,
            t: &str,
            b: &[u8],
        ) -> Result<RawResponse, TargetError> {
            let mut r = self.model.call(c, p, t, b)?;
            if t.ends_with(".DescribeTable") {
                let sse = &mut r.body["Table"]["SSEDescription"];
                if sse.is_object() {
                    sse["KMSMasterKeyArn"] =
                        "arn:aws:kms:us-east-1:123456789012:alias/echoed".into();
                    if self.wrong_status {
                        sse["Status"] = "DISABLED".into();
                    }
                }
            }
            Ok(r)
        }
        fn now(&mut self) -> Result<Timestamp, TargetError> {
            self.model.now()
        }
        fn advance_clock(&mut self, ms: u64) -> Result<(), TargetError> {
            self.model.advance_clock(ms)
        }
    }

    #[test]
    fn a_tolerated_member_does_not_hide_the_rest_of_the_case() {
        let run_with = |wrong_status: bool, tolerate: bool| {
            let mut target = EchoesAlias {
                model: ModelTarget::new(ModelConfig::default()),
                wrong_status,
            };
            let profile: Profile = serde_json::from_str(if tolerate {
                r#"{"tolerate": [{"operation": "DescribeTable", "path": "SSEDescription.KMSMasterKeyArn", "reason": "echoes the alias ARN"}]}"#
            } else {
                "{}"
            })
            .expect("profile");
            let report = run(
                &mut target,
                &Options {
                    filter: vec!["tables/sse-customer-key/key-id".into()],
                    profile,
                    ..Options::default()
                },
            );
            report.cases[0].clone()
        };
        let plain = run_with(false, false);
        assert_eq!(plain.outcome, Verdict::Failed, "{plain:?}");
        assert!(
            plain
                .observed
                .as_deref()
                .is_some_and(|o| o.contains("alias/echoed"))
        );

        let tolerated = run_with(false, true);
        assert_eq!(tolerated.outcome, Verdict::Passed, "{tolerated:?}");
        let reason = tolerated.reason.as_deref().unwrap_or_default();
        assert!(reason.contains("tolerated by the profile"), "{reason}");
        assert!(
            reason.contains("Table.SSEDescription.KMSMasterKeyArn"),
            "{reason}"
        );
        assert!(reason.contains("alias/echoed") && reason.contains("echoes the alias ARN"));

        let other_member = run_with(true, true);
        assert_eq!(other_member.outcome, Verdict::Failed, "{other_member:?}");
        let observed = other_member.observed.as_deref().unwrap_or_default();
        assert!(observed.contains("DISABLED"), "{observed}");
        assert!(!observed.contains("alias/echoed"), "{observed}");
    }

    //= spec/conformance.md#reports
    //= type=test
    //# Every report (`report.json`, `junit.xml` and `index.html`) MUST show, for every case, the evidence grades of its requirement (`aws-doc`, `observed`, `decided`; `spec/README.md#sources`), and the terminal output MUST show them for every failed case and MUST print the line `failed by evidence: <n> aws-doc, <n> observed, <n> decided` before the line that breaks down the skipped count.
    #[test]
    fn the_breakdown_counts_failures_by_the_evidence_grade() {
        use crate::grades::Grade;
        let mut target = EchoesAlias {
            model: ModelTarget::new(ModelConfig::default()),
            wrong_status: false,
        };
        let report = run(
            &mut target,
            &Options {
                filter: vec![
                    "tables/sse-customer-key/".into(),
                    "conformance/normalization/lockstep".into(),
                    "cache/zeroize".into(),
                ],
                lockstep: LockstepOptions { seed: 1, cases: 4 },
                ..Options::default()
            },
        );
        let failed: Vec<&str> = report
            .cases
            .iter()
            .filter(|c| c.outcome == Verdict::Failed)
            .map(|c| c.id.as_str())
            .collect();
        // spec/tables.md#sse-customer-key is `aws-doc; observed`; #normalization is `decided`.
        let customer = failed
            .iter()
            .filter(|id| id.starts_with("tables/sse-customer-key/"))
            .count();
        assert!(customer >= 2, "{failed:?}");
        assert!(
            failed.contains(&"conformance/normalization/lockstep"),
            "{failed:?}"
        );
        assert_eq!(failed.len(), customer + 1, "{failed:?}");
        for c in &report.cases {
            if c.id.starts_with("tables/sse-customer-key/") {
                assert_eq!(c.evidence, [Grade::AwsDoc, Grade::Observed], "{}", c.id);
            }
        }
        assert_eq!(report.failed_with(Grade::AwsDoc), customer);
        assert_eq!(report.failed_with(Grade::Observed), customer);
        assert_eq!(report.failed_with(Grade::Decided), 1);
        assert_eq!(
            report.evidence_breakdown_line(),
            format!("failed by evidence: {customer} aws-doc, {customer} observed, 1 decided")
        );
        // Every report format shows each case's grades.
        let json: serde_json::Value =
            serde_json::from_str(&json::to_json(&report)).expect("valid JSON");
        for c in json["cases"].as_array().expect("cases") {
            assert!(
                c["evidence"].as_array().is_some_and(|e| !e.is_empty()),
                "{c}"
            );
        }
        let xml = junit::to_junit(&report).expect("junit");
        assert_eq!(
            xml.matches("name=\"evidence\"").count(),
            report.cases.len(),
            "{xml}"
        );
        assert!(xml.contains("value=\"aws-doc, observed\""), "{xml}");
        let html = crate::report::html::to_html(&report);
        assert_eq!(
            html.matches("class=\"evidence\"").count(),
            report.cases.len()
        );
        assert!(html.contains(&report.evidence_breakdown_line()));
    }

    #[test]
    fn case_and_skip_take_prefixes_and_globs() {
        let ids = |filter: &[&str], skip: &[&str]| -> Vec<&'static str> {
            selected(&Options {
                filter: filter.iter().map(|s| (*s).to_owned()).collect(),
                skip: skip.iter().map(|s| (*s).to_owned()).collect(),
                ..Options::default()
            })
            .into_iter()
            .map(|c| c.id)
            .collect()
        };
        let all = ids(&[], &[]);
        assert_eq!(all.len(), cases::all().len());
        let without_cache = ids(&[], &["cache/"]);
        assert!(all.iter().any(|id| id.starts_with("cache/")));
        assert!(!without_cache.iter().any(|id| id.starts_with("cache/")));
        assert_eq!(
            without_cache.len(),
            all.len() - all.iter().filter(|id| id.starts_with("cache/")).count()
        );
        assert_eq!(
            ids(&["cache/boundary/*"], &[]),
            [
                "cache/boundary/other-connection-closed",
                "cache/boundary/299s",
                "cache/boundary/300s",
                "cache/boundary/steady-traffic",
                "cache/boundary/idle"
            ]
        );
        assert_eq!(
            ids(&["cache/boundary/???s"], &[]),
            ["cache/boundary/299s", "cache/boundary/300s"]
        );
        assert_eq!(
            ids(&["cache/boundary/"], &["*/idle", "*steady*", "*closed"]),
            ["cache/boundary/299s", "cache/boundary/300s"]
        );
        // A glob must match the whole id; a plain pattern is a prefix.
        assert!(ids(&["cache/boundary"], &[]).len() == 5);
        assert!(ids(&["cache/boundary*y"], &[]).is_empty());
        assert!(selects("*", "a/b/c") && selects("a*c", "a/b/c") && !selects("a?c", "a/b/c"));
    }

    #[test]
    fn without_response_headers_the_crc32_check_is_skipped_never_passed() {
        let mut target = NoClock(ModelTarget::new(ModelConfig::default()));
        let report = run(
            &mut target,
            &Options {
                filter: vec!["errors/crc32".into()],
                ..Options::default()
            },
        );
        let c = report.case("errors/crc32").expect("case ran");
        assert_eq!(c.outcome, Verdict::Skipped);
        assert_eq!(
            c.reason.as_deref(),
            Some("target gives no response headers")
        );
        let mut model = ModelTarget::new(ModelConfig::default());
        let report = run(
            &mut model,
            &Options {
                filter: vec!["errors/".into()],
                ..Options::default()
            },
        );
        assert_eq!(
            report.case("errors/crc32").map(|c| c.outcome),
            Some(Verdict::Passed)
        );
    }

    //= spec/conformance.md#reports
    //= type=test
    //# Every report (`report.json`, `junit.xml`, `index.html` and the terminal output) MUST record its provenance: the ddbsse version, the git commit the harness was built from (`unknown` outside a git checkout), the version line of every spec file, the lockstep seed, the target, its capabilities, the date in UTC and the options of the run.
    #[test]
    fn reports_record_their_provenance() {
        let mut target = ModelTarget::new(ModelConfig::default());
        let report = run(
            &mut target,
            &Options {
                filter: vec!["tables/sse-owned-key/absent".into()],
                lockstep: LockstepOptions { seed: 7, cases: 3 },
                ..Options::default()
            },
        );
        let p = &report.provenance;
        assert_eq!(p.seed, 7);
        assert_eq!(p.target, "model");
        assert_eq!(p.ddbsse_version, env!("CARGO_PKG_VERSION"));
        assert!(!p.git_commit.is_empty());
        assert!(
            p.spec_versions
                .get("conformance.md")
                .is_some_and(|v| v.contains('('))
        );
        assert!(p.date.ends_with('Z') && p.date.len() == 20, "{}", p.date);
        assert_eq!(p.capabilities["clock"], "manual");
        // The terminal lines (cli.rs prints them before the cases).
        assert!(p.line().contains("seed 7") && p.line().contains("target model"));
        assert!(p.spec_line().contains("conformance.md "));
        assert!(p.options_line().contains("cases=3"));
        let json: serde_json::Value =
            serde_json::from_str(&json::to_json(&report)).expect("valid JSON");
        assert_eq!(json["provenance"]["seed"], 7);
        assert!(json["provenance"]["spec_versions"]["errors.md"].is_string());
        let xml = junit::to_junit(&report).expect("junit");
        assert!(xml.contains("name=\"ddbsse.git_commit\""), "{xml}");
        assert!(xml.contains("name=\"spec.tables.md\""), "{xml}");
        let html = crate::report::html::to_html(&report);
        assert!(html.contains(&p.git_commit) && html.contains("date (UTC)"));
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
