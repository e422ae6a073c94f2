//! `report.json`: the [`Report`](super::Report) as pretty JSON (per case: id, requirement,
//! outcome, expected, observed, reason, duration).

use super::Report;

/// The JSON text of `report`.
pub fn to_json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
