//! `--replay DIR`: runs the cases of a recording (`--record DIR`, [`crate::record`]) again against
//! a target and lists where the target's exchanges differ from the recorded ones, exchange by
//! exchange and case by case, after the spec's normalisation (`spec/conformance.md#normalization`:
//! ids by `<id-N>` in order of first appearance, opaque values and paging tokens by placeholders,
//! the wrapped `Request ID` by `<request-id>`), with every time as `<time>` (two runs need not
//! share a clock) and the case's name prefix as `<names>` (each run names its tables after its
//! own run id).
//!
//! It compares, per exchange: the kind and the operation, the request body (a different request
//! means the case took another path), the status and the response body. Headers are not compared
//! (request ids and dates differ from run to run). It does not judge which side is right: the
//! cases' own outcomes do that.

use serde_json::Value;

use crate::exchange::Exchange;
use crate::normalize::{differences, document, redact_request_id};
use crate::record::RecordedCase;
use crate::report::Report;

/// How one recorded case compares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseComparison {
    /// The case id.
    pub case: String,
    /// How many exchanges were compared.
    pub compared: usize,
    /// The differences, one line each (empty: the same).
    pub differences: Vec<String>,
}

/// One exchange's body as compared: normalised, then the name prefix replaced.
fn comparable(body: &Value, names: &str) -> Value {
    let normalized = document(body, None);
    let mut text = redact_request_id(&normalized.to_string());
    if !names.is_empty() {
        text = text.replace(names, "<names>");
    }
    serde_json::from_str(&text).unwrap_or(normalized)
}

/// Compares the exchanges of one case.
pub fn compare_case(
    recorded: &[Exchange],
    recorded_names: &str,
    replayed: &[Exchange],
    replayed_names: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    if recorded.len() != replayed.len() {
        out.push(format!(
            "{} exchanges recorded, {} in the replay",
            recorded.len(),
            replayed.len()
        ));
    }
    for (i, (r, n)) in recorded.iter().zip(replayed).enumerate() {
        let at = format!("exchange {} ({})", i + 1, r.label());
        if r.kind != n.kind || r.label() != n.label() {
            out.push(format!(
                "{at}: the replay sent {} instead; the case took another path from here",
                n.label()
            ));
            break;
        }
        let (rq, nq) = (
            comparable(&r.request_body, recorded_names),
            comparable(&n.request_body, replayed_names),
        );
        let d = differences(&rq, &nq, 4);
        if !d.is_empty() {
            out.push(format!("{at}: request differs: {}", d.join("; ")));
        }
        if r.status != n.status {
            out.push(format!(
                "{at}: status {} recorded, {} replayed",
                r.status.map_or("none".to_owned(), |s| s.to_string()),
                n.status.map_or("none".to_owned(), |s| s.to_string())
            ));
        }
        let (rb, nb) = (
            comparable(&r.response_body, recorded_names),
            comparable(&n.response_body, replayed_names),
        );
        let d = differences(&rb, &nb, 6);
        if !d.is_empty() {
            out.push(format!("{at}: response differs: {}", d.join("; ")));
        }
    }
    out
}

/// Compares every recorded case with the same case of `report` (the replay run).
pub fn compare(recording: &[RecordedCase], report: &Report) -> Vec<CaseComparison> {
    recording
        .iter()
        .map(|rec| match report.case(&rec.case) {
            None => CaseComparison {
                case: rec.case.clone(),
                compared: 0,
                differences: vec!["the replay has no such case (not in this suite)".to_owned()],
            },
            Some(now) => CaseComparison {
                case: rec.case.clone(),
                compared: rec.exchanges.len().min(now.exchanges.len()),
                differences: compare_case(&rec.exchanges, &rec.names, &now.exchanges, &now.names),
            },
        })
        .collect()
}

/// The terminal text of a comparison: one line per differing case with its differences, and a
/// summary line `replay: N cases, N exchanges compared, N differ`.
pub fn text(comparisons: &[CaseComparison]) -> String {
    let mut out = String::new();
    for c in comparisons.iter().filter(|c| !c.differences.is_empty()) {
        out.push_str(&format!("DIFFERS {}\n", c.case));
        for d in &c.differences {
            out.push_str(&format!("  {d}\n"));
        }
    }
    out.push_str(&format!(
        "replay: {} cases, {} exchanges compared, {} differ\n",
        comparisons.len(),
        comparisons.iter().map(|c| c.compared).sum::<usize>(),
        comparisons
            .iter()
            .filter(|c| !c.differences.is_empty())
            .count()
    ));
    out
}
