//! `ddbsse check diff OLD NEW`: which cases changed outcome between two `report.json` files, and
//! for each, the first observation that differs (the first line of `observed`, then `expected`,
//! then `reason`, that is not the same in both).

use super::{CaseReport, Report};

/// One case whose outcome changed (or that only one report has).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The case id.
    pub id: String,
    /// Its outcome in the old report (`absent` when it did not run).
    pub old: String,
    /// Its outcome in the new report (`absent` when it did not run).
    pub new: String,
    /// The first observation that differs, when both reports have the case.
    pub first_difference: Option<String>,
}

/// The cases whose outcome differs, in the new report's order, then those only the old one has.
pub fn changes(old: &Report, new: &Report) -> Vec<Change> {
    let mut out = Vec::new();
    for n in &new.cases {
        match old.case(&n.id) {
            Some(o) if o.outcome == n.outcome => {}
            Some(o) => out.push(Change {
                id: n.id.clone(),
                old: o.outcome.as_str().to_owned(),
                new: n.outcome.as_str().to_owned(),
                first_difference: first_difference(o, n),
            }),
            None => out.push(Change {
                id: n.id.clone(),
                old: "absent".to_owned(),
                new: n.outcome.as_str().to_owned(),
                first_difference: None,
            }),
        }
    }
    for o in &old.cases {
        if new.case(&o.id).is_none() {
            out.push(Change {
                id: o.id.clone(),
                old: o.outcome.as_str().to_owned(),
                new: "absent".to_owned(),
                first_difference: None,
            });
        }
    }
    out
}

/// The first line of `observed`, `expected` or `reason` (in that order) that differs between the
/// two runs of a case, as `observed, line N: old ... / new ...`.
pub fn first_difference(old: &CaseReport, new: &CaseReport) -> Option<String> {
    let fields = [
        ("observed", &old.observed, &new.observed),
        ("expected", &old.expected, &new.expected),
        ("reason", &old.reason, &new.reason),
    ];
    for (name, a, b) in fields {
        if a == b {
            continue;
        }
        let (a, b) = (a.as_deref().unwrap_or(""), b.as_deref().unwrap_or(""));
        let (mut la, mut lb) = (a.lines(), b.lines());
        let mut n = 0;
        loop {
            n += 1;
            match (la.next(), lb.next()) {
                (None, None) => break,
                (x, y) if x == y => continue,
                (x, y) => {
                    let show =
                        |l: Option<&str>| l.map_or("(none)".to_owned(), |l| format!("`{l}`"));
                    return Some(format!(
                        "{name}, line {n}: old {} / new {}",
                        show(x),
                        show(y)
                    ));
                }
            }
        }
    }
    None
}

/// The terminal text of a diff: one block per changed case, then a count.
pub fn text(old: &Report, new: &Report, changes: &[Change]) -> String {
    let mut out = format!(
        "old: {} ({}, commit {})\nnew: {} ({}, commit {})\n",
        old.target,
        non_empty(&old.provenance.date),
        non_empty(&old.provenance.git_commit),
        new.target,
        non_empty(&new.provenance.date),
        non_empty(&new.provenance.git_commit),
    );
    for c in changes {
        out.push_str(&format!("CHANGED {}: {} -> {}\n", c.id, c.old, c.new));
        if let Some(d) = &c.first_difference {
            out.push_str(&format!("  first difference: {d}\n"));
        }
    }
    out.push_str(&format!(
        "{} case(s) changed outcome ({} in the old report, {} in the new)\n",
        changes.len(),
        old.cases.len(),
        new.cases.len()
    ));
    out
}

fn non_empty(s: &str) -> &str {
    if s.is_empty() { "unknown" } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Verdict;

    fn report(cases: &[(&str, Verdict, Option<&str>)]) -> Report {
        Report {
            target: "t".into(),
            capabilities: serde_json::Value::Null,
            duration_ms: 1,
            cases: cases
                .iter()
                .map(|(id, outcome, observed)| CaseReport {
                    id: (*id).into(),
                    requirement: "spec/x.md#y".into(),
                    evidence: Vec::new(),
                    title: String::new(),
                    outcome: *outcome,
                    expected: observed.map(|_| "want".to_owned()),
                    observed: observed.map(str::to_owned),
                    reason: None,
                    duration_ms: 1,
                    names: String::new(),
                    exchanges: Vec::new(),
                    exchanges_dropped: 0,
                })
                .collect(),
            provenance: Default::default(),
        }
    }

    #[test]
    fn lists_changed_outcomes_with_the_first_differing_line() {
        let old = report(&[
            ("a/one", Verdict::Passed, None),
            ("a/two", Verdict::Failed, Some("line 1\nline 2")),
            ("a/gone", Verdict::Passed, None),
        ]);
        let new = report(&[
            ("a/one", Verdict::Failed, Some("boom")),
            ("a/two", Verdict::Failed, Some("line 1\nline 2 changed")),
            ("a/new", Verdict::Skipped, None),
        ]);
        let c = changes(&old, &new);
        let ids: Vec<&str> = c.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["a/one", "a/new", "a/gone"]);
        assert_eq!((c[0].old.as_str(), c[0].new.as_str()), ("passed", "failed"));
        assert_eq!(
            c[0].first_difference.as_deref(),
            Some("observed, line 1: old (none) / new `boom`")
        );
        assert_eq!((c[1].old.as_str(), c[2].new.as_str()), ("absent", "absent"));
        assert!(changes(&old, &old).is_empty());
    }
}
