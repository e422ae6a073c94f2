//! Per-target baselines (`fixtures/targets/<name>.json`, `spec/conformance.md#reports`):
//! `{"target": <name>, "cases": {<case id>: {"outcome": ..., "observed": ...}}}`, the expected
//! outcome of every case with the values observed when the baseline was written. `--expect FILE`
//! compares a run with one and fails on any difference in outcome; `--write-expect FILE` records
//! one. Only outcomes are compared: observed values carry ids and times that differ between runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::report::{Report, Verdict};

/// Why a baseline could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The file cannot be read.
    #[error("cannot read baseline {}: {source}", path.display())]
    Read {
        /// The baseline file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The file is not a baseline.
    #[error("baseline {}: {source}", path.display())]
    Parse {
        /// The baseline file.
        path: PathBuf,
        /// What failed.
        source: serde_json::Error,
    },
    /// The baseline cannot be serialised.
    #[error(transparent)]
    Serialize(serde_json::Error),
    /// The file cannot be written.
    #[error("cannot write baseline {}: {source}", path.display())]
    Write {
        /// The baseline file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
}

/// One case of a baseline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExpectedCase {
    /// The outcome the target is expected to have.
    pub outcome: Verdict,
    /// The reason of a skip, when skipped.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
    /// Expected value recorded with a failure.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub expected: Option<String>,
    /// Observed value recorded with a failure.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub observed: Option<String>,
}

/// A baseline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// What the baseline was recorded against.
    pub target: String,
    /// `conformance: N passed, N failed, N skipped` of the recorded run.
    #[serde(default)]
    pub summary: String,
    /// Every case, by id.
    pub cases: BTreeMap<String, ExpectedCase>,
}

impl Baseline {
    /// The baseline a report gives, under the name `target`.
    pub fn from_report(report: &Report, target: &str) -> Self {
        Self {
            target: target.to_owned(),
            summary: report.summary_line(),
            cases: report
                .cases
                .iter()
                .map(|c| {
                    (
                        c.id.clone(),
                        ExpectedCase {
                            outcome: c.outcome,
                            reason: c.reason.clone(),
                            expected: c.expected.clone(),
                            observed: c.observed.clone(),
                        },
                    )
                })
                .collect(),
        }
    }

    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Self, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            path: path.to_owned(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| BaselineError::Parse {
            path: path.to_owned(),
            source,
        })
    }

    /// Writes the baseline as pretty JSON.
    pub fn save(&self, path: &Path) -> Result<(), BaselineError> {
        let text = serde_json::to_string_pretty(self).map_err(BaselineError::Serialize)?;
        std::fs::write(path, text + "\n").map_err(|source| BaselineError::Write {
            path: path.to_owned(),
            source,
        })
    }

    /// Every difference in outcome between the baseline and `report`, one line each.
    pub fn differences(&self, report: &Report) -> Vec<String> {
        let mut out = Vec::new();
        for (id, e) in &self.cases {
            match report.case(id) {
                Some(c) if c.outcome == e.outcome => {}
                Some(c) => out.push(format!(
                    "{}: baseline {}, now {}{}",
                    id,
                    e.outcome.as_str(),
                    c.outcome.as_str(),
                    c.observed
                        .as_deref()
                        .or(c.reason.as_deref())
                        .map(|o| format!(" ({o})"))
                        .unwrap_or_default()
                )),
                None => out.push(format!("{id}: in the baseline, not run")),
            }
        }
        for c in &report.cases {
            if !self.cases.contains_key(&c.id) {
                out.push(format!(
                    "{}: not in the baseline (now {})",
                    c.id,
                    c.outcome.as_str()
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::CaseReport;

    fn case(id: &str, outcome: Verdict) -> CaseReport {
        CaseReport {
            id: id.into(),
            requirement: "spec/x.md#y".into(),
            evidence: Vec::new(),
            title: String::new(),
            outcome,
            expected: None,
            observed: Some("seen".into()),
            reason: None,
            duration_ms: 1,
            names: String::new(),
            exchanges: Vec::new(),
            exchanges_dropped: 0,
        }
    }

    #[test]
    fn any_change_of_outcome_is_a_difference() {
        let recorded = Report {
            target: "t".into(),
            capabilities: serde_json::Value::Null,
            duration_ms: 1,
            cases: vec![case("a/b", Verdict::Failed), case("a/c", Verdict::Passed)],
            provenance: Default::default(),
        };
        let baseline = Baseline::from_report(&recorded, "t");
        let text = serde_json::to_value(&baseline).expect("serialises");
        assert_eq!(text["cases"]["a/b"]["outcome"], "failed");
        assert_eq!(text["cases"]["a/b"]["observed"], "seen");
        assert!(baseline.differences(&recorded).is_empty());
        let mut now = recorded.clone();
        now.cases[0].outcome = Verdict::Passed;
        now.cases.push(case("a/d", Verdict::Skipped));
        now.cases.remove(1);
        let d = baseline.differences(&now);
        assert_eq!(d.len(), 3, "{d:?}");
    }
}
