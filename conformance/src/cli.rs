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
    #[command(flatten)]
    pub aws: Box<crate::aws_target::AwsArgs>,
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
            seed: 0,
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
    };
    match crate::aws_target::http_target(&choice)? {
        Some(target) => Ok(target),
        None => embedded_target(),
    }
}

/// The in-repo engine in-process, the target when no endpoint is given.
#[cfg(feature = "embedded")]
fn embedded_target() -> Result<Box<dyn Target>, TargetChoiceError> {
    Ok(Box::new(EmbeddedTarget::new()?))
}

/// Without the `embedded` feature there is no in-repo engine to fall back on.
#[cfg(not(feature = "embedded"))]
fn embedded_target() -> Result<Box<dyn Target>, TargetChoiceError> {
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
    let options = Options {
        filter: args.only.clone(),
        skip: args.skip.clone(),
        profile,
        model: ModelConfig {
            account: crate::aws_target::model_account(
                &args.account,
                &args.aws,
                crate::aws_target::caller().as_ref(),
            ),
            region: args.region.clone(),
            seed: 0,
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
    };
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
    for c in &report.cases {
        if c.outcome == Verdict::Failed {
            println!(
                "FAIL {} [{}; evidence: {}]\n  expected: {}\n  observed: {}",
                c.id,
                c.requirement,
                crate::grades::join(&c.evidence),
                c.expected.as_deref().unwrap_or("-"),
                c.observed.as_deref().unwrap_or("-")
            );
        }
    }
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
    println!("{}", report.evidence_breakdown_line());
    println!("{}", report.skipped_breakdown_line());
    println!("{}", report.summary_line());
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
