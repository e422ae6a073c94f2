//! The key-state and table-status machines, pinned as snapshots and checked row by row against
//! the tables of the spec text.

use ddbsse_model::{KEY_STATE_EFFECTS, KEY_STATE_TRANSITIONS, TABLE_STATUS_TRANSITIONS};
use serde_json::json;

#[test]
fn key_state_transitions_snapshot() {
    let rows: Vec<_> = KEY_STATE_TRANSITIONS
        .iter()
        .map(|(from, event, to)| json!({"from": from, "event": event, "to": to}))
        .collect();
    super::support::snapshot("key_state_transitions", &rows);
    let effects: Vec<_> = KEY_STATE_EFFECTS
        .iter()
        .map(|(class, e)| json!({"operations": class, "Enabled": e[0], "Disabled": e[1], "PendingDeletion": e[2]}))
        .collect();
    super::support::snapshot("key_state_effects", &effects);
}

#[test]
fn table_status_transitions_snapshot() {
    let rows: Vec<_> = TABLE_STATUS_TRANSITIONS
        .iter()
        .map(|(from, event, to)| json!({"from": from, "event": event, "to": to}))
        .collect();
    super::support::snapshot("table_status_transitions", &rows);
}

/// The rows of the Markdown table that follows `heading` in `spec/<file>`, as cells.
fn spec_table(file: &str, heading: &str) -> Vec<Vec<String>> {
    let path = format!("{}/../../spec/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let section = text
        .split(heading)
        .nth(1)
        .unwrap_or_else(|| panic!("{heading} not in {file}"));
    section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect()
}

/// The states a cell names: every backticked token, or the bare text before any parenthesis.
fn states(cell: &str) -> Vec<String> {
    let ticked: Vec<String> = cell
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    if ticked.is_empty() || cell.starts_with("(none)") {
        vec![cell.split(" (").next().unwrap_or(cell).trim().to_owned()]
    } else if cell.contains(", `") {
        ticked
    } else {
        ticked.into_iter().take(1).collect()
    }
}

fn expand(rows: Vec<Vec<String>>) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = rows
        .iter()
        .flat_map(|r| {
            let to = states(&r[2]).remove(0);
            states(&r[0])
                .into_iter()
                .map(move |from| (from, r[1].clone(), to.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    out.sort();
    out
}

#[test]
fn key_state_table_matches_the_spec_text() {
    //= spec/kms.md#key-state-transitions
    //= type=test
    //# The reference model pins this table as a snapshot; a target MUST agree with every row.
    use ddbsse_model::KeyEvent;
    let event_text = |e: KeyEvent| match e {
        KeyEvent::Create => "CreateKey; first use of `alias/aws/dynamodb`",
        KeyEvent::DisableKey => "DisableKey",
        KeyEvent::EnableKey => "EnableKey",
        KeyEvent::ScheduleKeyDeletion => "ScheduleKeyDeletion",
        KeyEvent::CancelKeyDeletion => "CancelKeyDeletion",
        KeyEvent::DeletionDateReached => "the clock reaches `DeletionDate`",
    };
    let mut model: Vec<(String, String, String)> = KEY_STATE_TRANSITIONS
        .iter()
        .map(|(f, e, t)| {
            (
                f.wire_name().to_owned(),
                event_text(*e).to_owned(),
                t.wire_name().to_owned(),
            )
        })
        .collect();
    model.sort();
    assert_eq!(
        model,
        expand(spec_table("kms.md", "{#key-state-transitions}"))
    );
}

#[test]
fn table_status_table_matches_the_spec_text() {
    use ddbsse_model::TableEvent;
    let event_text = |e: TableEvent| match e {
        TableEvent::CreateTableAccepted => "CreateTable accepted",
        TableEvent::LaterRequest => "any later request",
        TableEvent::KeyUnusableFor900s => "key unusable for 900 s",
        TableEvent::SseSwitchAccepted => "SSE switch accepted",
        TableEvent::KeyUsableAgain => "key usable again",
        TableEvent::SevenDaysAfterDetection => "604800 s after detection",
        TableEvent::ArchivingFor300s => "300 s later",
        TableEvent::DeleteTable => "DeleteTable",
        TableEvent::DeletingFor8s => "8 s after the first DeleteTable",
    };
    let mut model: Vec<(String, String, String)> = TABLE_STATUS_TRANSITIONS
        .iter()
        .map(|(f, e, t)| {
            (
                f.wire_name().to_owned(),
                event_text(*e).to_owned(),
                t.wire_name().to_owned(),
            )
        })
        .collect();
    model.sort();
    assert_eq!(model, expand(spec_table("tables.md", "{#status-table}")));
}
