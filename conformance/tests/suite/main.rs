//! The crate's one integration-test binary: the suite against the embedded engine with and
//! without deliberate faults (with the `embedded` feature, which `cargo test --workspace` turns
//! on through the `ddbsse` binary; alone: `cargo test -p ddbsse-conformance --features
//! embedded`), and insta snapshots of the model's trail for each trail scenario.

#![allow(clippy::expect_used, clippy::unwrap_used)] // Tests: a failed expect is a failed test.

use ddbsse_conformance::cases::trail;
use ddbsse_conformance::ctx::{CaseResult, Ctx};
use ddbsse_conformance::report::Verdict;
use ddbsse_conformance::target::model::ModelTarget;
use ddbsse_conformance::{Options, run};
use ddbsse_model::ModelConfig;

/// `ddbsse check` against split loopback endpoints of `ddbsse serve`, as against AWS.
#[cfg(feature = "embedded")]
mod aws;

/// Each case's exchanges: in report.json and the HTML report, `--record`/`--replay`, and the
/// `--reproduce` script run against `ddbsse serve`.
#[cfg(feature = "embedded")]
mod exchanges;

/// The suite against the in-repo engine, in-process.
#[cfg(feature = "embedded")]
mod embedded {
    use ddbsse_conformance::report::Verdict;
    use ddbsse_conformance::target::embedded::EmbeddedTarget;
    use ddbsse_conformance::{Options, run};
    use ddbsse_server::engine::{EngineConfig, Faults};

    fn suite(faults: Faults) -> ddbsse_conformance::Report {
        let mut target = EmbeddedTarget::open(EngineConfig {
            faults,
            ..EngineConfig::default()
        })
        .expect("in-memory engine opens");
        run(&mut target, &Options::default())
    }

    fn failed(report: &ddbsse_conformance::Report) -> Vec<&str> {
        report
            .cases
            .iter()
            .filter(|c| c.outcome == Verdict::Failed)
            .map(|c| c.id.as_str())
            .collect()
    }

    //= spec/conformance.md#outcomes
    //= type=test
    //# Each case MUST end with exactly one outcome of the table above, a case that could not run MUST be `skipped` with a reason and never `passed`, and the harness MUST exit with status 1 when any case is `failed` and 0 otherwise.
    #[test]
    fn every_case_passes_on_the_embedded_engine() {
        let report = suite(Faults::default());
        assert!(report.success(), "failed: {:?}", failed(&report));
        // Only the unsigned-request case and the signature cases need an HTTP layer, which the
        // in-process target lacks.
        let http_only = [
            "errors/missing-auth",
            "errors/signatures/unknown-key",
            "errors/signature-mismatch",
            "errors/signature-expired",
        ];
        for c in &report.cases {
            assert!(
                c.outcome == Verdict::Passed
                    || (c.outcome == Verdict::NotApplicable && http_only.contains(&c.id.as_str())),
                "{} ended {:?} ({:?})",
                c.id,
                c.outcome,
                c.reason
            );
        }
    }

    fn assert_caught(faults: Faults, covering: &[&str]) {
        let report = suite(faults.clone());
        let failed = failed(&report);
        for id in covering {
            assert!(
                failed.contains(id),
                "{faults:?}: case {id} did not fail; failed: {failed:?}"
            );
        }
    }

    #[test]
    fn a_cache_that_never_expires_is_caught() {
        assert_caught(
            Faults {
                cache_never_expires: true,
                ..Faults::default()
            },
            &[
                "cache/boundary/300s",
                "cache/boundary/steady-traffic",
                "cache/serve-while-unusable/disabled-key",
                "tables/data-plane-errors/disabled",
                "conformance/normalization/lockstep",
            ],
        );
    }

    #[test]
    fn a_trail_that_drops_decrypt_is_caught() {
        assert_caught(
            Faults {
                trail_drops_decrypt: true,
                ..Faults::default()
            },
            &[
                "cache/scope/first-access",
                "cache/refresh/record",
                "trail/ddb-kms-calls/data-plane",
                "trail/ddb-kms-calls/blog-walkthrough",
                "conformance/normalization/lockstep",
            ],
        );
    }

    #[test]
    fn a_wrong_sse_key_arn_is_caught() {
        assert_caught(
            Faults {
                wrong_sse_key_arn: true,
                ..Faults::default()
            },
            &[
                "tables/sse-customer-key/key-id",
                "tables/sse-customer-key/alias-arn",
                "tables/sse-managed-key/enabled",
                "tables/update-switch/customer-to-customer",
                "conformance/normalization/lockstep",
            ],
        );
    }
}

#[test]
fn white_box_cases_are_not_applicable_on_the_model() {
    let mut target = ModelTarget::new(ModelConfig::default());
    let report = run(
        &mut target,
        &Options {
            filter: vec!["key-hierarchy/".into()],
            ..Options::default()
        },
    );
    // The five white-box cases, and one that only reads and writes items.
    assert_eq!(report.cases.len(), 6);
    for c in &report.cases {
        if c.id == "key-hierarchy/item-aad/distinct-keys" {
            assert_eq!(c.outcome, Verdict::Passed, "{}: {:?}", c.id, c.reason);
        } else {
            assert!(
                c.outcome == Verdict::NotApplicable && c.reason.is_some(),
                "{} ended {:?}",
                c.id,
                c.outcome
            );
        }
    }
}

/// The model's trail of `scenario`, normalised, for a snapshot.
fn model_trail(scenario: fn(&mut Ctx<'_>) -> CaseResult) -> serde_json::Value {
    let mut target = ModelTarget::new(ModelConfig::default());
    let mut ctx = Ctx::new(&mut target, "snap-".into(), ModelConfig::default())
        .expect("the model target needs nothing");
    scenario(&mut ctx).expect("the scenario runs on the model");
    let records = ctx.model_trail().expect("the model's trail reads");
    ctx.normalize(&serde_json::Value::Array(records))
}

#[test]
fn model_trail_create_table() {
    insta::assert_json_snapshot!(model_trail(trail::create_table_scenario));
}

#[test]
fn model_trail_update_table() {
    insta::assert_json_snapshot!(model_trail(trail::update_table_scenario));
}

#[test]
fn model_trail_delete_table() {
    insta::assert_json_snapshot!(model_trail(trail::delete_table_scenario));
}

#[test]
fn model_trail_data_plane() {
    insta::assert_json_snapshot!(model_trail(trail::data_plane_scenario));
}

#[test]
fn model_trail_blog_walkthrough() {
    insta::assert_json_snapshot!(model_trail(trail::blog_walkthrough));
}
