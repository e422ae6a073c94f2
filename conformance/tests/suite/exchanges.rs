//! Each case keeps its exchanges with the target: `report.json` holds them, the HTML report shows
//! them for failed cases, `--record` writes them and `--replay` compares a target with them, and
//! the `--reproduce` script sends them again to `ddbsse serve` over HTTP.

use std::path::PathBuf;
use std::process::Command;

use ddbsse_conformance::exchange::ExchangeKind;
use ddbsse_conformance::report::{Verdict, html, json};
use ddbsse_conformance::target::Target;
use ddbsse_conformance::target::embedded::EmbeddedTarget;
use ddbsse_conformance::{Options, Report, record, replay, reproduce, run};
use ddbsse_server::engine::{EngineConfig, Faults};

/// Cases whose requests name ids the target made, move the clock, and one that a wrong
/// `KMSMasterKeyArn` fails.
const CASES: &[&str] = &[
    "tables/sse-customer-key/key-id",
    "cache/boundary/300s",
    "tables/sse-owned-key/absent",
];

fn engine(faults: Faults) -> EmbeddedTarget {
    EmbeddedTarget::open(EngineConfig {
        faults,
        ..EngineConfig::default()
    })
    .expect("in-memory engine opens")
}

fn wrong_arn() -> Faults {
    Faults {
        wrong_sse_key_arn: true,
        ..Faults::default()
    }
}

fn options(record: Option<PathBuf>) -> Options {
    Options {
        filter: CASES.iter().map(|c| (*c).to_owned()).collect(),
        exact: true,
        record,
        ..Options::default()
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ddbsse-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

//= spec/conformance.md#reports
//= type=test
//# `report.json` MUST hold, for every case, its exchanges with the target in order (method, URL, `X-Amz-Target`, request headers and body, status, response headers and body, and each move of the target's clock), with the access key id and the signature of every `Authorization` header and the value of every `X-Amz-Security-Token` header redacted, and `index.html` MUST show the exchanges of every failed case.
#[test]
fn every_case_keeps_its_exchanges_and_the_html_shows_those_of_failed_cases() {
    let report = run(&mut engine(wrong_arn()), &options(None));
    let failed = report
        .case("tables/sse-customer-key/key-id")
        .expect("case ran");
    assert_eq!(failed.outcome, Verdict::Failed);
    let ops: Vec<String> = failed.exchanges.iter().map(|e| e.label()).collect();
    assert!(ops.iter().any(|o| o == "CreateKey"), "{ops:?}");
    assert!(ops.iter().any(|o| o == "CreateTable"), "{ops:?}");
    // The harness's own clock move at the start of the case is kept too.
    assert_eq!(failed.exchanges[0].kind, ExchangeKind::Clock);
    // In-process: synthesised, and said so; the response headers are those serve would send.
    let create = failed
        .exchanges
        .iter()
        .find(|e| e.label() == "CreateTable")
        .expect("CreateTable kept");
    assert!(create.synthesized);
    assert_eq!(create.status, Some(200));
    assert!(
        create
            .response_headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("x-amz-crc32"))
    );
    assert!(create.request_body["SSESpecification"].is_object());
    assert!(create.response_body["TableDescription"].is_object());
    // report.json holds them.
    let text = json::to_json(&report);
    let back: Report = serde_json::from_str(&text).expect("report.json reads back");
    assert_eq!(back.cases, report.cases);
    // The HTML shows the failed case's exchanges, and none of a passed case.
    let page = html::to_html(&report);
    assert!(page.contains("class=\"exchanges\""), "no exchanges shown");
    assert!(page.contains("synthesised from the in-process engine"));
    assert_eq!(
        page.matches("<details class=\"exchanges\">").count(),
        report.failed(),
        "exchanges are shown for failed cases only"
    );
    assert!(page.contains("id=\"summary-matrix-static\""));
    assert!(page.contains("href=\"#req-tables-sse-customer-key\""));
    assert!(page.contains("id=\"req-tables-sse-customer-key\""));
}

#[test]
fn a_replay_of_a_recording_finds_no_difference_on_the_same_engine_and_the_fault_on_another() {
    let dir = temp_dir("replay");
    // Two runs append to the same recording (same names in-process); each case keeps its last.
    let first = run(&mut engine(Faults::default()), &options(Some(dir.clone())));
    let recorded = run(&mut engine(Faults::default()), &options(Some(dir.clone())));
    assert!(first.success() && recorded.success());
    let recording = record::read(&dir).expect("recording reads");
    for c in &recording {
        let kept = recorded.case(&c.case).map(|r| r.exchanges.len());
        assert_eq!(Some(c.exchanges.len()), kept, "{}", c.case);
    }
    let mut ids: Vec<&str> = recording.iter().map(|c| c.case.as_str()).collect();
    ids.sort_unstable();
    let mut expected = CASES.to_vec();
    expected.sort_unstable();
    assert_eq!(ids, expected);
    // Secrets: in-process there is no signature to redact, and no header holds one.
    let raw = std::fs::read_to_string(dir.join(record::FILE)).expect("file");
    assert!(!raw.contains("Signature="));

    let same = run(&mut engine(Faults::default()), &options(None));
    let comparisons = replay::compare(&recording, &same);
    assert!(
        comparisons.iter().all(|c| c.differences.is_empty()),
        "{}",
        replay::text(&comparisons)
    );
    assert!(comparisons.iter().all(|c| c.compared >= 2));

    let faulted = run(&mut engine(wrong_arn()), &options(None));
    let comparisons = replay::compare(&recording, &faulted);
    let text = replay::text(&comparisons);
    let differing: Vec<&str> = comparisons
        .iter()
        .filter(|c| !c.differences.is_empty())
        .map(|c| c.case.as_str())
        .collect();
    assert!(
        differing.contains(&"tables/sse-customer-key/key-id"),
        "{text}"
    );
    assert!(
        !differing.contains(&"tables/sse-owned-key/absent"),
        "an owned-key table shows no key ARN: {text}"
    );
    assert!(text.to_lowercase().contains("kmsmasterkeyarn"), "{text}");
    assert!(text.contains("exchanges recorded"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The `--reproduce` script of `case` (run on the embedded engine), run with bash against
/// `ddbsse serve` at `addr`; returns its exit status and output.
fn reproduce_against(case: &str, addr: std::net::SocketAddr) -> (bool, String) {
    let mut target = engine(Faults::default());
    let principals = target.principals();
    let report = run(
        &mut target,
        &Options {
            filter: vec![case.to_owned()],
            exact: true,
            ..Options::default()
        },
    );
    let c = report.case(case).expect("case ran");
    let script = reproduce::script(c, &principals, "us-east-1", "embedded");
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .env("EP", format!("http://{addr}"))
        .output()
        .expect("bash runs");
    let text = format!(
        "{}{}\n--- script ---\n{script}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn the_reproduce_script_replays_a_case_against_serve_over_http() {
    // Ids made by the target (the key id) travel through shell variables; the clock moves go to
    // the clock route.
    for case in ["tables/sse-customer-key/key-id", "cache/boundary/300s"] {
        let server = crate::aws::serve();
        let (ok, text) = reproduce_against(case, server);
        assert!(ok, "{case}: {text}");
        assert!(text.contains("answered otherwise than recorded"), "{text}");
        assert!(text.contains(", 0 answered otherwise"), "{text}");
        assert!(text.contains("clock +3600000 ms"), "{text}");
    }
}

#[test]
fn the_reproduce_script_fails_where_the_target_answers_otherwise() {
    let server = crate::aws::serve();
    let (ok, text) = reproduce_against("tables/sse-customer-key/key-id", server);
    assert!(ok, "{text}");
    // The same script again on the same server: CreateTable of a table that now exists answers
    // 400 ResourceInUseException where 200 was recorded.
    let (ok, text) = reproduce_against("tables/sse-customer-key/key-id", server);
    assert!(!ok, "{text}");
    assert!(text.contains("<-- differs"), "{text}");
}
