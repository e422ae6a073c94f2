//! `junit.xml` via quick-junit: one test suite per target, one test case per case; failures carry
//! expected versus observed, skips and known deviations carry their reason. Every test case has an
//! `evidence` property: the grades of its requirement (`aws-doc, decided`).

use std::time::Duration;

use quick_junit::{
    NonSuccessKind, Property, Report as JunitReport, SerializeError, TestCase, TestCaseStatus,
    TestSuite,
};

use super::{Report, Verdict};

/// The JUnit XML of `report`.
pub fn to_junit(report: &Report) -> Result<String, SerializeError> {
    let mut suite = TestSuite::new(format!("ddbsse conformance: {}", report.target));
    // Provenance: version, commit, spec versions, seed, target, capabilities, date, options.
    for (name, value) in report.provenance.properties() {
        suite.add_property(Property::new(name, value));
    }
    for case in &report.cases {
        let status = match case.outcome {
            Verdict::Passed => TestCaseStatus::success(),
            Verdict::Failed => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(format!(
                    "expected {} / observed {}",
                    case.expected.as_deref().unwrap_or("-"),
                    case.observed.as_deref().unwrap_or("-")
                ));
                s.set_description(format!(
                    "requirement: {} (evidence: {})\nexpected: {}\nobserved: {}",
                    case.requirement,
                    crate::grades::join(&case.evidence),
                    case.expected.as_deref().unwrap_or("-"),
                    case.observed.as_deref().unwrap_or("-")
                ));
                s
            }
            Verdict::Skipped | Verdict::Known | Verdict::NotApplicable => {
                let mut s = TestCaseStatus::skipped();
                let prefix = if case.outcome == Verdict::Known {
                    "known deviation: "
                } else {
                    ""
                };
                s.set_message(format!("{prefix}{}", case.reason.as_deref().unwrap_or("")));
                s
            }
        };
        let mut tc = TestCase::new(case.id.clone(), status);
        tc.set_classname(case.requirement.clone());
        tc.add_property(Property::new(
            "evidence",
            crate::grades::join(&case.evidence),
        ));
        tc.set_time(Duration::from_millis(case.duration_ms));
        suite.add_test_case(tc);
    }
    suite.set_time(Duration::from_millis(report.duration_ms));
    let mut junit = JunitReport::new("ddbsse-conformance");
    junit.add_test_suite(suite);
    junit.to_string()
}
