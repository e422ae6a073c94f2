//! `ddbsse check`: arguments, target selection, terminal output and report files.
//!
//! Without arguments the whole suite runs against the embedded in-repo engine (with the `embedded`
//! feature, which the `ddbsse` binary turns on; without it `--endpoint` or `--model` is needed).
//! The last line
//! printed is always `conformance: N passed, N failed, N skipped` (known deviations counted with
//! the skipped, see [`crate::report`]); the exit status is 1 when a case failed, or, with
//! `--expect`, when any outcome differs from the baseline.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use ddbsse_model::ModelConfig;

use std::collections::BTreeMap;

use serde_json::json;

use crate::cases::Need;
use crate::expect::Baseline;
use crate::profile::Profile;
use crate::report::{Report, Verdict, diff, html, json, junit};
use crate::runner::{self, LockstepOptions, Options};
#[cfg(feature = "embedded")]
use crate::target::embedded::EmbeddedTarget;
use crate::target::model::ModelTarget;
use crate::target::{Target, TargetError};

/// A secret access key given on the command line; `Debug` never shows it.
#[derive(Clone)]
pub struct SecretKey(pub String);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl std::str::FromStr for SecretKey {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

/// Arguments of `ddbsse check`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct CheckArgs {
    /// `ddbsse check diff OLD NEW`; without a subcommand the suite runs.
    #[command(subcommand)]
    pub command: Option<CheckCommand>,
    /// Endpoint URL of a remote target (http or https); without it the embedded implementation
    /// is checked in-process.
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Check the reference model itself instead (shows where the model departs from the spec).
    #[arg(long, conflicts_with = "endpoint")]
    pub model: bool,
    /// Region used for signing and in expected ARNs.
    #[arg(long, default_value = "us-east-1")]
    pub region: String,
    /// Account id the target uses (in expected ARNs and messages).
    #[arg(long, default_value = "123456789012")]
    pub account: String,
    /// Access key id of the first principal.
    #[arg(long, env = "AWS_ACCESS_KEY_ID", default_value = "testing")]
    pub access_key: String,
    /// Secret key of the first principal.
    #[arg(
        long,
        env = "AWS_SECRET_ACCESS_KEY",
        default_value = "testing",
        hide_env_values = true
    )]
    pub secret_key: SecretKey,
    /// Access key id of a second principal (enables the per-principal cases).
    #[arg(long)]
    pub second_access_key: Option<String>,
    /// Secret key of the second principal.
    #[arg(long, hide_env_values = true)]
    pub second_secret_key: Option<SecretKey>,
    /// Wait real time in the cache cases instead of using the clock capability (AWS itself).
    #[arg(long)]
    pub real_time: bool,
    /// Target profile (JSON or TOML) listing known deviations with reasons.
    #[arg(long)]
    pub profile: Option<PathBuf>,
    /// Write report.json, junit.xml and index.html into this directory.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Compare outcomes with a baseline (fixtures/targets/<name>.json); fail on any difference.
    #[arg(long)]
    pub expect: Option<PathBuf>,
    /// Record this run's outcomes as a baseline file.
    #[arg(long)]
    pub write_expect: Option<PathBuf>,
    /// Seed of the model-based lockstep case.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Number of random sequences of the lockstep case.
    #[arg(long, default_value_t = 64)]
    pub cases: u32,
    /// Run only the cases whose id starts with this, or that match this glob pattern (`*` any
    /// characters, `/` included, `?` one character; the whole id must match) (repeatable).
    #[arg(long = "case")]
    pub only: Vec<String>,
    /// Leave out the cases whose id starts with this, or that match this glob pattern
    /// (repeatable; applied after --case).
    #[arg(long = "skip")]
    pub skip: Vec<String>,
    /// Print the selected cases (id, requirement, evidence grades, needs, title) and exit
    /// without contacting any target.
    #[arg(long)]
    pub list: bool,
    /// Per-request timeout in seconds (HTTP targets).
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// Run the case with this id and print a bash script (curl --aws-sigv4) that sends its
    /// requests again, clock moves included, and compares the statuses.
    #[arg(long, value_name = "CASE", conflicts_with_all = ["list", "replay"])]
    pub reproduce: Option<String>,
    /// Run the cases of a recording (`--record DIR`) again and list where the target's answers
    /// differ from the recorded ones after normalisation; exit 1 when any differ.
    #[arg(long, value_name = "DIR", conflicts_with = "list")]
    pub replay: Option<PathBuf>,
    /// Check the embedded engine with a deliberate fault (repeatable), to see what failures
    /// look like in the reports and to test them (`scripts/report-browser-check.sh`).
    #[arg(long, value_enum, conflicts_with_all = ["endpoint", "model"])]
    pub fault: Vec<Fault>,
    #[command(flatten)]
    pub aws: Box<crate::aws_target::AwsArgs>,
}

/// A deliberate fault of the embedded engine (`--fault`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Fault {
    /// The table-key cache never expires.
    CacheNeverExpires,
    /// The Decrypt calls DynamoDB makes are not recorded in the trail.
    TrailDropsDecrypt,
    /// `SSEDescription.KMSMasterKeyArn` names a wrong key.
    WrongSseKeyArn,
}

/// Subcommands of `ddbsse check`.
#[derive(Debug, clap::Subcommand)]
pub enum CheckCommand {
    /// Compare two report.json files: list the cases whose outcome changed, with the first
    /// observation that differs; exit 1 when any changed, 0 otherwise.
    Diff {
        /// The older report.json.
        old: PathBuf,
        /// The newer report.json.
        new: PathBuf,
    },
}

/// Why `ddbsse check` has no target to check.
#[derive(Debug, thiserror::Error)]
pub enum TargetChoiceError {
    /// The target was chosen but could not be opened or reached.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// No `--endpoint`, and the build has no embedded engine to check instead.
    #[error(
        "no --endpoint given, and this build has no embedded engine \
         (ddbsse-conformance without the `embedded` feature): pass --endpoint or --model"
    )]
    NoEmbeddedEngine,
}

/// Why the report files could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportFilesError {
    /// The `--out` folder cannot be made.
    #[error("cannot create {}: {source}", dir.display())]
    CreateDir {
        /// The folder.
        dir: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// A report file cannot be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The JUnit XML cannot be produced.
    #[error(transparent)]
    Junit(#[from] quick_junit::SerializeError),
}

fn target_of(args: &CheckArgs) -> Result<Box<dyn Target>, TargetChoiceError> {
    if args.model {
        return Ok(Box::new(ModelTarget::new(ModelConfig {
            account: args.account.clone(),
            region: args.region.clone(),
            ..ModelConfig::default()
        })));
    }
    // The built-in `testing` key is not an explicit one: with --aws or AWS_PROFILE the standard
    // credential chain is asked instead.
    let default_key = args.access_key == "testing" && args.secret_key.0 == "testing";
    let choice = crate::aws_target::HttpChoice {
        aws: &args.aws,
        endpoint: args.endpoint.as_deref(),
        region: &args.region,
        access_key: (!default_key)
            .then_some((args.access_key.as_str(), args.secret_key.0.as_str())),
        second: args.second_access_key.as_deref().map(|id| {
            let secret = args.second_secret_key.as_ref().unwrap_or(&args.secret_key);
            (id, secret.0.as_str())
        }),
        real_time: args.real_time,
        timeout: Duration::from_secs(args.timeout),
        announce_on_stderr: args.reproduce.is_some(),
    };
    if !args.fault.is_empty() {
        return embedded_target(&args.fault);
    }
    match crate::aws_target::http_target(&choice)? {
        Some(target) => Ok(target),
        None => embedded_target(&args.fault),
    }
}

/// The in-repo engine in-process (with `faults`), the target when no endpoint is given.
#[cfg(feature = "embedded")]
fn embedded_target(faults: &[Fault]) -> Result<Box<dyn Target>, TargetChoiceError> {
    let mut f = ddbsse_server::engine::Faults::default();
    for fault in faults {
        match fault {
            Fault::CacheNeverExpires => f.cache_never_expires = true,
            Fault::TrailDropsDecrypt => f.trail_drops_decrypt = true,
            Fault::WrongSseKeyArn => f.wrong_sse_key_arn = true,
        }
    }
    Ok(Box::new(EmbeddedTarget::open(
        ddbsse_server::engine::EngineConfig {
            faults: f,
            ..ddbsse_server::engine::EngineConfig::default()
        },
    )?))
}

/// Without the `embedded` feature there is no in-repo engine to fall back on.
#[cfg(not(feature = "embedded"))]
fn embedded_target(_faults: &[Fault]) -> Result<Box<dyn Target>, TargetChoiceError> {
    Err(TargetChoiceError::NoEmbeddedEngine)
}

//= spec/conformance.md#reports
//# `--out DIR` MUST write `report.json` with one object per case holding `id`, `requirement` (`spec/<file>.md#<anchor>`), `outcome`, `expected`, `observed`, `reason` and `duration_ms`, and `junit.xml` with one test case per case.
fn write_reports(report: &Report, dir: &std::path::Path) -> Result<(), ReportFilesError> {
    std::fs::create_dir_all(dir).map_err(|source| ReportFilesError::CreateDir {
        dir: dir.to_owned(),
        source,
    })?;
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|source| ReportFilesError::Write { path, source })
    };
    write("report.json", json::to_json(report))?;
    write("junit.xml", junit::to_junit(report)?)?;
    write("index.html", html::to_html(report))?;
    Ok(())
}

/// What a case needs, in the words of `--list`.
fn need_name(need: Need) -> &'static str {
    match need {
        Need::Clock => "clock",
        Need::ManualClock => "manual clock",
        Need::SecondPrincipal => "second principal",
        Need::AtRest => "at-rest access",
        Need::Http => "http",
        Need::Signatures => "signatures",
    }
}

/// The `--list` text: one line per selected case, `id  requirement  evidence  needs  title`.
pub fn list_text(options: &Options) -> String {
    let selected = runner::selected(options);
    let width = selected.iter().map(|c| c.id.len()).max().unwrap_or(0);
    let req_width = selected
        .iter()
        .map(|c| c.requirement().len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for c in &selected {
        let needs = if c.needs.is_empty() {
            "-".to_owned()
        } else {
            c.needs
                .iter()
                .map(|n| need_name(*n))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str(&format!(
            "{:<width$}  {:<req_width$}  evidence: {:<26}  needs: {:<16}  {}\n",
            c.id,
            c.requirement(),
            crate::grades::join(&crate::grades::of(&c.requirement())),
            needs,
            c.title
        ));
    }
    out.push_str(&format!("{} cases\n", selected.len()));
    out
}

/// The options of a run as its provenance records them (no secret, no access key).
fn recorded_options(args: &CheckArgs) -> BTreeMap<String, serde_json::Value> {
    let mut m = BTreeMap::new();
    let target = if args.model {
        "model".to_owned()
    } else {
        args.endpoint
            .clone()
            .unwrap_or_else(|| "embedded".to_owned())
    };
    m.insert("target".into(), json!(target));
    m.insert("region".into(), json!(args.region));
    m.insert("account".into(), json!(args.account));
    m.insert(
        "principals".into(),
        json!(1 + usize::from(args.second_access_key.is_some())),
    );
    m.insert("real_time".into(), json!(args.real_time));
    m.insert(
        "profile".into(),
        json!(args.profile.as_ref().map(|p| p.display().to_string())),
    );
    m.insert(
        "expect".into(),
        json!(args.expect.as_ref().map(|p| p.display().to_string())),
    );
    m.insert("seed".into(), json!(args.seed));
    m.insert("cases".into(), json!(args.cases));
    m.insert("case".into(), json!(args.only));
    m.insert("skip".into(), json!(args.skip));
    m.insert("timeout".into(), json!(args.timeout));
    if !args.fault.is_empty() {
        m.insert("fault".into(), json!(format!("{:?}", args.fault)));
    }
    if let Some(dir) = &args.replay {
        m.insert("replay".into(), json!(dir.display().to_string()));
    }
    m
}

/// `ddbsse check diff OLD NEW`.
fn run_diff(old: &std::path::Path, new: &std::path::Path) -> ExitCode {
    let load = |p: &std::path::Path| -> Result<Report, String> {
        let text =
            std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a report.json: {e}", p.display()))
    };
    let (old_report, new_report) = match (load(old), load(new)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("ddbsse check diff: {e}");
            return ExitCode::from(2);
        }
    };
    let changes = diff::changes(&old_report, &new_report);
    print!("{}", diff::text(&old_report, &new_report, &changes));
    if changes.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

//= spec/conformance.md#reports
//# Every report (`report.json`, `junit.xml` and `index.html`) MUST show, for every case, the evidence grades of its requirement (`aws-doc`, `observed`, `decided`; `spec/README.md#sources`), and the terminal output MUST show them for every failed case and MUST print the line `failed by evidence: <n> aws-doc, <n> observed, <n> decided` before the line that breaks down the skipped count.
/// The terminal lines of the failed cases: id, requirement, evidence grades, expected, observed.
pub fn failure_lines(report: &Report) -> String {
    let mut out = String::new();
    for c in report.cases.iter().filter(|c| c.outcome == Verdict::Failed) {
        out.push_str(&format!(
            "FAIL {} [{}; evidence: {}]\n  expected: {}\n  observed: {}\n",
            c.id,
            c.requirement,
            crate::grades::join(&c.evidence),
            c.expected.as_deref().unwrap_or("-"),
            c.observed.as_deref().unwrap_or("-")
        ));
    }
    out
}

/// The last three terminal lines: failures by evidence grade, the skipped breakdown, the summary.
pub fn closing_lines(report: &Report) -> String {
    format!(
        "{}\n{}\n{}\n",
        report.evidence_breakdown_line(),
        report.skipped_breakdown_line(),
        report.summary_line()
    )
}

/// `--reproduce CASE`: runs the case (its exchanges kept), prints the script on standard output
/// and the case's outcome on standard error; exit 0 when the script was printed.
fn reproduce(target: &mut dyn Target, options: &Options, id: &str, region: &str) -> ExitCode {
    let principals = target.principals();
    let name = target.name();
    let report = runner::run(target, options);
    let Some(case) = report.cases.iter().find(|c| c.id == id) else {
        eprintln!("ddbsse check: --reproduce {id}: the case did not run");
        return ExitCode::from(2);
    };
    print!(
        "{}",
        crate::reproduce::script(case, &principals, region, &name)
    );
    eprintln!(
        "ddbsse check --reproduce: {id} {} on {name}; {} exchange(s) in the script",
        case.outcome.as_str(),
        case.exchanges.len()
    );
    ExitCode::SUCCESS
}

/// Runs `ddbsse check`.
pub fn run_check(args: CheckArgs) -> ExitCode {
    if let Some(CheckCommand::Diff { old, new }) = &args.command {
        return run_diff(old, new);
    }
    if args.list {
        let options = Options {
            filter: args.only.clone(),
            skip: args.skip.clone(),
            ..Options::default()
        };
        print!("{}", list_text(&options));
        return ExitCode::SUCCESS;
    }
    let started = Instant::now();
    let profile = match &args.profile {
        Some(p) => match Profile::load(p) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("ddbsse check: {e}");
                return ExitCode::from(2);
            }
        },
        None => Profile::default(),
    };
    let baseline = match &args.expect {
        Some(p) => match Baseline::load(p) {
            Ok(b) => Some(b),
            Err(e) => {
                eprintln!("ddbsse check: {e}");
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let mut target = match target_of(&args) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("ddbsse check: cannot reach the target: {e}");
            return ExitCode::from(2);
        }
    };
    let recording = match &args.replay {
        Some(dir) => match crate::record::read(dir) {
            Ok(r) if r.is_empty() => {
                eprintln!(
                    "ddbsse check: {} holds no case exchanges",
                    dir.join(crate::record::FILE).display()
                );
                return ExitCode::from(2);
            }
            Ok(r) => Some(r),
            Err(e) => {
                eprintln!("ddbsse check: {e}");
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let filter = match (&args.reproduce, &recording) {
        (Some(id), _) => {
            if !crate::cases::all().iter().any(|c| c.id == id) {
                eprintln!("ddbsse check: --reproduce {id}: no such case (see --list)");
                return ExitCode::from(2);
            }
            vec![id.clone()]
        }
        (None, Some(r)) => r.iter().map(|c| c.case.clone()).collect(),
        (None, None) => args.only.clone(),
    };
    let options = Options {
        exact: args.reproduce.is_some() || recording.is_some(),
        filter,
        skip: args.skip.clone(),
        profile,
        model: ModelConfig {
            account: crate::aws_target::model_account(
                &args.account,
                &args.aws,
                crate::aws_target::caller().as_ref(),
            ),
            region: args.region.clone(),
            identities: crate::aws_target::model_identities(
                &args.aws,
                crate::aws_target::caller().as_ref(),
                target.principals().first().map(String::as_str),
            ),
            ..ModelConfig::default()
        },
        name_prefix: (target.capabilities().http && !args.model)
            .then(|| crate::aws_target::run_id(&args.aws)),
        lockstep: LockstepOptions {
            seed: args.seed,
            cases: args.cases,
        },
        progress: true,
        endpoint_url: args
            .endpoint
            .clone()
            .unwrap_or_else(|| "http://127.0.0.1:8000".to_owned()),
        record: args.aws.record.clone(),
    };
    if let Some(id) = &args.reproduce {
        return reproduce(target.as_mut(), &options, id, &args.region);
    }
    println!(
        "ddbsse check: {} ({} of {} cases)",
        target.name(),
        runner::selected(&options).len(),
        crate::cases::all().len()
    );
    let mut report = runner::run(target.as_mut(), &options);
    // The CLI's options over the runner's (which add the profile's entry counts).
    report.provenance.options.extend(recorded_options(&args));
    println!("{}", report.provenance.line());
    println!("{}", report.provenance.spec_line());
    println!("{}", report.provenance.options_line());
    print!("{}", failure_lines(&report));
    let mut io_ok = true;
    if let Some(dir) = &args.out {
        match write_reports(&report, dir) {
            Ok(()) => println!("reports: {}", dir.display()),
            Err(e) => {
                eprintln!("ddbsse check: {e}");
                io_ok = false;
            }
        }
    }
    if let Some(path) = &args.write_expect {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| report.target.clone());
        if let Err(e) = Baseline::from_report(&report, &name).save(path) {
            eprintln!("ddbsse check: {e}");
            io_ok = false;
        } else {
            println!("baseline written: {}", path.display());
        }
    }
    let mut ok = io_ok && report.success();
    if let (Some(recorded), Some(dir)) = (&recording, &args.replay) {
        let comparisons = crate::replay::compare(recorded, &report);
        println!("replay of {}:", dir.join(crate::record::FILE).display());
        print!("{}", crate::replay::text(&comparisons));
        // Replaying asks whether the answers are the recorded ones, not whether the cases pass.
        ok = io_ok && comparisons.iter().all(|c| c.differences.is_empty());
    }
    if let Some(b) = &baseline {
        let diffs = b.differences(&report);
        for d in &diffs {
            println!("BASELINE DIFFERS {d}");
        }
        println!(
            "baseline {}: {}",
            args.expect
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            if diffs.is_empty() {
                "every outcome as recorded".to_owned()
            } else {
                format!("{} difference(s)", diffs.len())
            }
        );
        // With a baseline, failing cases are expected; only differences fail the run.
        ok = io_ok && diffs.is_empty();
    }
    println!("duration: {:.1} s", started.elapsed().as_secs_f64());
    print!("{}", closing_lines(&report));
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Entry point used by the `ddbsse` binary.
pub fn run(args: CheckArgs) -> ExitCode {
    run_check(args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: CheckArgs,
    }

    #[test]
    fn list_prints_every_case_without_contacting_the_target() {
        // Port 1 answers nothing: reaching for the target would fail the command.
        let w = Wrapper::parse_from(["check", "--list", "--endpoint", "http://127.0.0.1:1"]);
        assert_eq!(run_check(w.args), ExitCode::SUCCESS);
        let text = list_text(&Options::default());
        assert_eq!(text.lines().count(), crate::cases::all().len() + 1);
        let line = text
            .lines()
            .find(|l| l.starts_with("cache/boundary/299s "))
            .expect("a known case is listed");
        assert!(line.contains("spec/cache.md#boundary") && line.contains("needs: clock"));
        assert!(line.contains("evidence: aws-doc, decided "), "{line}");
        assert!(text.contains("second principal") && text.contains("at-rest access"));
        let skipped = list_text(&Options {
            skip: vec!["cache/".into()],
            ..Options::default()
        });
        assert!(!skipped.contains("cache/boundary/299s"));
    }

    #[test]
    fn diff_exits_1_when_an_outcome_changed_and_0_otherwise() {
        let dir = std::env::temp_dir().join(format!("ddbsse-diff-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let report = |outcome: &str, observed: &str| {
            format!(
                r#"{{"target": "t", "capabilities": null, "duration_ms": 1, "cases": [
                {{"id": "cache/boundary/299s", "requirement": "spec/cache.md#boundary", "title": "",
                  "outcome": "{outcome}", "observed": "{observed}", "duration_ms": 1}},
                {{"id": "cache/boundary/300s", "requirement": "spec/cache.md#boundary", "title": "",
                  "outcome": "passed", "duration_ms": 1}}]}}"#
            )
        };
        let (old, new, same) = (
            dir.join("old.json"),
            dir.join("new.json"),
            dir.join("same.json"),
        );
        std::fs::write(&old, report("passed", "")).expect("write");
        std::fs::write(&new, report("failed", "2 Decrypt records")).expect("write");
        std::fs::write(&same, report("passed", "")).expect("write");
        let diff = |a: &std::path::Path, b: &std::path::Path| {
            let w = Wrapper::parse_from([
                "check",
                "diff",
                a.to_str().expect("utf-8"),
                b.to_str().expect("utf-8"),
            ]);
            run_check(w.args)
        };
        assert_eq!(diff(&old, &new), ExitCode::FAILURE);
        assert_eq!(diff(&old, &same), ExitCode::SUCCESS);
        assert_eq!(diff(&old, &dir.join("missing.json")), ExitCode::from(2));
        let _ = std::fs::remove_dir_all(&dir);
    }

    //= spec/conformance.md#reports
    //= type=test
    //# Every report (`report.json`, `junit.xml` and `index.html`) MUST show, for every case, the evidence grades of its requirement (`aws-doc`, `observed`, `decided`; `spec/README.md#sources`), and the terminal output MUST show them for every failed case and MUST print the line `failed by evidence: <n> aws-doc, <n> observed, <n> decided` before the line that breaks down the skipped count.
    #[test]
    fn the_terminal_shows_the_grades_of_failed_cases_and_counts_failures_by_grade() {
        use crate::report::CaseReport;
        let case = |id: &str, outcome: Verdict| {
            let requirement = format!("spec/{}", id.replacen('/', ".md#", 1));
            let requirement = requirement
                .rsplit_once('/')
                .map_or(requirement.clone(), |(r, _)| r.to_owned());
            CaseReport {
                id: id.into(),
                evidence: crate::grades::of(&requirement),
                requirement,
                title: String::new(),
                outcome,
                expected: Some("e".into()),
                observed: Some("o".into()),
                reason: None,
                duration_ms: 1,
                names: String::new(),
                exchanges: Vec::new(),
                exchanges_dropped: 0,
            }
        };
        let report = Report {
            target: "t".into(),
            capabilities: serde_json::Value::Null,
            duration_ms: 1,
            cases: vec![
                case("cache/boundary/300s", Verdict::Failed),
                case("cache/boundary/299s", Verdict::Passed),
            ],
            provenance: Default::default(),
        };
        let failures = failure_lines(&report);
        assert!(
            failures.starts_with(
                "FAIL cache/boundary/300s [spec/cache.md#boundary; evidence: aws-doc, decided]"
            ),
            "{failures}"
        );
        assert!(!failures.contains("299s"));
        let closing = closing_lines(&report);
        let lines: Vec<&str> = closing.lines().collect();
        assert_eq!(
            lines,
            [
                "failed by evidence: 1 aws-doc, 0 observed, 1 decided",
                "skipped: 0 lacking a capability or principal, 0 known deviations, 0 not applicable",
                "conformance: 1 passed, 1 failed, 0 skipped",
            ]
        );
    }

    #[test]
    fn secrets_never_appear_in_debug_output() {
        let w = Wrapper::parse_from([
            "check",
            "--endpoint",
            "http://127.0.0.1:1",
            "--secret-key",
            "s3cr3t-one",
            "--second-access-key",
            "AKID2",
            "--second-secret-key",
            "s3cr3t-two",
        ]);
        let debug = format!("{w:?}");
        assert!(!debug.contains("s3cr3t"), "{debug}");
        assert_eq!(
            w.args.second_secret_key.map(|s| s.0).as_deref(),
            Some("s3cr3t-two")
        );
    }
}
