//! The result of a run: one [`CaseReport`] per case and the counts. Writers for `report.json`
//! ([`json`]), `junit.xml` ([`junit`]) and the browsable `index.html` ([`html`]) live in their own
//! files; the terminal output is the CLI's.
//!
//! Counting rule (`spec/conformance.md#reports`): the summary line is
//! `conformance: N passed, N failed, N skipped`, where skipped also counts known deviations and
//! not-applicable cases; the line before it breaks that count down. Known deviations (cases a
//! `--profile` lists, which failed) are neither passes nor failures; a listed case that passes counts as passed, with a note that the profile
//! entry is stale.
//!
//! Every case carries the evidence grades of its requirement (`aws-doc`, `observed`, `decided`;
//! [`crate::grades`]), and the terminal output counts the failures by grade
//! ([`Report::evidence_breakdown_line`]) before the skipped breakdown.

pub mod diff;
pub mod html;
pub mod json;
pub mod junit;

use serde::{Deserialize, Serialize};

use crate::grades::Grade;
use crate::provenance::Provenance;

/// The outcome of one case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The target did what the requirement says.
    Passed,
    /// The target did something else (expected versus observed say what).
    Failed,
    /// The case could not run on this target (the reason says why).
    Skipped,
    /// The case failed, and the target's profile lists it as a known deviation.
    Known,
    /// The case does not apply to this kind of target (white-box checks on a remote target).
    NotApplicable,
}

impl Verdict {
    /// `passed`, `failed`, `skipped`, `known-deviation`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::Failed => "failed",
            Verdict::Skipped => "skipped",
            Verdict::Known => "known",
            Verdict::NotApplicable => "not-applicable",
        }
    }
}

/// One case's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseReport {
    /// Hierarchical id, `tables/sse/kms-default-key`.
    pub id: String,
    /// The spec section checked, `spec/tables.md#sse-managed-key`.
    pub requirement: String,
    /// How the requirement is known: the grades of its section's `Evidence:` line
    /// (`spec/README.md#sources`). Empty in reports of older versions.
    #[serde(default)]
    pub evidence: Vec<Grade>,
    /// One line saying what the case checks.
    pub title: String,
    /// The outcome.
    pub outcome: Verdict,
    /// What the spec (or the model) expects, when the case did not pass.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub expected: Option<String>,
    /// What the target did, when the case did not pass.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub observed: Option<String>,
    /// Why a case was skipped, or the profile's reason for a known deviation.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
    /// Wall time the case took, in milliseconds.
    pub duration_ms: u64,
    /// The prefix of every table and alias name the case made (so that two runs' exchanges
    /// compare after it is normalised; empty in reports of older versions).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub names: String,
    /// The case's exchanges with the target, oldest first, secrets redacted
    /// ([`crate::exchange`]; at most the last [`crate::exchange::KEPT_PER_CASE`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exchanges: Vec<crate::exchange::Exchange>,
    /// How many earlier exchanges were not kept.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub exchanges_dropped: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The result of one run against one target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The target's name.
    pub target: String,
    /// The capabilities the target had, as the harness saw them.
    pub capabilities: serde_json::Value,
    /// Wall time of the whole run, in milliseconds.
    pub duration_ms: u64,
    /// One entry per case, in suite order.
    pub cases: Vec<CaseReport>,
    /// Where the report comes from (absent in reports of older versions).
    #[serde(default)]
    pub provenance: Provenance,
}

impl Report {
    /// How many cases have `verdict`.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.cases.iter().filter(|c| c.outcome == verdict).count()
    }

    /// Cases that passed.
    pub fn passed(&self) -> usize {
        self.count(Verdict::Passed)
    }

    /// Cases that failed (known deviations excluded).
    pub fn failed(&self) -> usize {
        self.count(Verdict::Failed)
    }

    /// Cases skipped.
    pub fn skipped(&self) -> usize {
        self.count(Verdict::Skipped)
    }

    //= spec/conformance.md#reports
    //# The terminal report MUST end with the line `conformance: <n> passed, <n> failed, <n> skipped`, where the skipped count includes known deviations and not-applicable cases, which the line before it breaks down.
    /// The summary line, `conformance: N passed, N failed, N skipped`, where skipped counts
    /// skipped, known and not-applicable cases (the form CI runners read as a test summary).
    pub fn summary_line(&self) -> String {
        format!(
            "conformance: {} passed, {} failed, {} skipped",
            self.passed(),
            self.failed(),
            self.skipped() + self.count(Verdict::Known) + self.count(Verdict::NotApplicable)
        )
    }

    /// The line printed before [`Report::summary_line`]: what the skipped count is made of.
    pub fn skipped_breakdown_line(&self) -> String {
        format!(
            "skipped: {} lacking a capability or principal, {} known deviations, {} not applicable",
            self.skipped(),
            self.count(Verdict::Known),
            self.count(Verdict::NotApplicable)
        )
    }

    /// How many failed cases (known deviations excluded) check a requirement of `grade`; a case
    /// whose section has several grades counts under each.
    pub fn failed_with(&self, grade: Grade) -> usize {
        self.cases
            .iter()
            .filter(|c| c.outcome == Verdict::Failed && c.evidence.contains(&grade))
            .count()
    }

    /// The line printed before [`Report::skipped_breakdown_line`]: the failures by the evidence
    /// grade of their requirement, `failed by evidence: 3 aws-doc, 1 observed, 2 decided`.
    pub fn evidence_breakdown_line(&self) -> String {
        let parts: Vec<String> = Grade::ALL
            .iter()
            .map(|g| format!("{} {}", self.failed_with(*g), g.as_str()))
            .collect();
        format!("failed by evidence: {}", parts.join(", "))
    }

    /// Whether no case failed.
    pub fn success(&self) -> bool {
        self.failed() == 0
    }

    /// The case with `id`, if it ran.
    pub fn case(&self, id: &str) -> Option<&CaseReport> {
        self.cases.iter().find(|c| c.id == id)
    }
}
