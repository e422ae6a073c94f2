//! Writes query rows as an aligned table, JSON lines or CSV, and statistics as text or JSON.
//!
//! Does: render [`Row`]s under their column names (`table`: cells of at most
//! [`MAX_CELL`] characters, widths taken from the first [`TABLE_CHUNK`] rows; `jsonl`: one object
//! per row with the column names as keys; `csv`: RFC 4180 with a header), and render [`Stats`].
//! Nested values (structs, arrays) appear as compact JSON text in `table` and `csv`.
//! Does not: compute anything.

use std::io::{self, Write};

use serde_json::{Map, Value, json};

use crate::query::Row;
use crate::scan::ScanReport;
use crate::stats::{NameCounts, Stats};
use ddbsse_wire::time::Timestamp;

/// Output format of `trail query`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    #[default]
    Table,
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header line.
    Csv,
}

/// Widest cell in `table` output (longer cells end with `…`).
pub const MAX_CELL: usize = 60;
/// Rows buffered to compute `table` widths.
pub const TABLE_CHUNK: usize = 1000;

fn cell_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn clip(s: &str) -> String {
    if s.chars().count() <= MAX_CELL {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(MAX_CELL - 1).collect();
        t.push('…');
        t
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// Streams rows to a writer in one format.
pub struct RowWriter<W: Write> {
    out: W,
    format: Format,
    names: Vec<&'static str>,
    pending: Vec<Vec<String>>,
    widths: Option<Vec<usize>>,
    header_done: bool,
}

impl<W: Write> RowWriter<W> {
    /// A writer for rows with these column names.
    pub fn new(out: W, format: Format, names: Vec<&'static str>) -> Self {
        RowWriter {
            out,
            format,
            names,
            pending: Vec::new(),
            widths: None,
            header_done: false,
        }
    }

    /// Writes (or buffers, for `table`) one row.
    pub fn row(&mut self, row: Row) -> io::Result<()> {
        match self.format {
            Format::Jsonl => {
                let mut object = Map::new();
                for (name, value) in self.names.iter().zip(row) {
                    object.insert((*name).to_owned(), value);
                }
                serde_json::to_writer(&mut self.out, &Value::Object(object))?;
                self.out.write_all(b"\n")
            }
            Format::Csv => {
                if !self.header_done {
                    self.header_done = true;
                    writeln!(self.out, "{}", self.names.join(","))?;
                }
                let cells: Vec<String> = row.iter().map(|v| csv_field(&cell_text(v))).collect();
                writeln!(self.out, "{}", cells.join(","))
            }
            Format::Table => {
                self.pending
                    .push(row.iter().map(|v| clip(&cell_text(v))).collect());
                if self.pending.len() >= TABLE_CHUNK {
                    self.flush_table()?;
                }
                Ok(())
            }
        }
    }

    fn flush_table(&mut self) -> io::Result<()> {
        let widths = self.widths.get_or_insert_with(|| {
            let mut w: Vec<usize> = self.names.iter().map(|n| n.chars().count()).collect();
            for row in &self.pending {
                for (i, c) in row.iter().enumerate() {
                    w[i] = w[i].max(c.chars().count());
                }
            }
            w
        });
        let line = |cells: &[String]| -> String {
            cells
                .iter()
                .zip(widths.iter())
                .map(|(c, w)| format!("{c:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_owned()
        };
        if !self.header_done {
            self.header_done = true;
            let names: Vec<String> = self.names.iter().map(|s| (*s).to_owned()).collect();
            writeln!(self.out, "{}", line(&names))?;
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            writeln!(self.out, "{}", line(&rule))?;
        }
        for row in std::mem::take(&mut self.pending) {
            writeln!(self.out, "{}", line(&row))?;
        }
        Ok(())
    }

    /// Writes what is buffered (and the header of an empty table).
    pub fn finish(mut self) -> io::Result<()> {
        if self.format == Format::Table {
            self.flush_table()?;
        }
        if self.format == Format::Csv && !self.header_done {
            writeln!(self.out, "{}", self.names.join(","))?;
        }
        self.out.flush()
    }
}

fn counts_json(c: &NameCounts) -> Value {
    Value::Object(c.iter().map(|(k, v)| (k.clone(), json!(v))).collect())
}

fn nested_json(m: &std::collections::BTreeMap<String, NameCounts>) -> Value {
    Value::Object(m.iter().map(|(k, c)| (k.clone(), counts_json(c))).collect())
}

fn report_json(report: &ScanReport) -> Value {
    json!({
        "filesRead": report.files_read,
        "filesSkipped": report.files_skipped,
        "recordsRead": report.records_read,
        "recordsSkipped": report.records_skipped,
        "problems": report.messages,
        "problemsNotShown": report.messages_dropped,
    })
}

/// The statistics as one JSON document (keys documented in `docs/trail.md`).
pub fn stats_json(stats: &Stats, report: &ScanReport) -> Value {
    json!({
        "input": report_json(report),
        "records": stats.records,
        "byEventSource": stats.by_event_source,
        "byEventName": counts_json(&stats.by_event_name),
        "byTable": nested_json(&stats.by_table),
        "byKey": nested_json(&stats.by_key),
        "byPrincipal": nested_json(&stats.by_principal),
        "intervalSeconds": stats.interval_millis / 1000,
        "byInterval": stats.by_interval.iter().map(|(start, c)| json!({
            "start": Timestamp(*start).event_time(),
            "counts": counts_json(c),
        })).collect::<Vec<_>>(),
    })
}

fn matrix(
    out: &mut dyn Write,
    title: &str,
    rows: &[(String, &NameCounts)],
    names: &[String],
) -> io::Result<()> {
    writeln!(out, "\n{title}")?;
    let first = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0)
        .max(title.len().min(12));
    let widths: Vec<usize> = names.iter().map(|n| n.len().max(7)).collect();
    let mut header = format!("  {:<first$}", "");
    for (n, w) in names.iter().zip(&widths) {
        header.push_str(&format!("  {n:>w$}"));
    }
    header.push_str(&format!("  {:>7}", "total"));
    writeln!(out, "{}", header.trim_end())?;
    for (key, counts) in rows {
        let mut line = format!("  {key:<first$}");
        for (n, w) in names.iter().zip(&widths) {
            let c = counts.get(n).copied().unwrap_or(0);
            line.push_str(&format!("  {c:>w$}"));
        }
        line.push_str(&format!("  {:>7}", counts.values().sum::<u64>()));
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// The statistics as text tables (event names as columns).
pub fn write_stats_text(out: &mut dyn Write, stats: &Stats, report: &ScanReport) -> io::Result<()> {
    writeln!(out, "input: {report}")?;
    writeln!(out, "records counted: {}", stats.records)?;
    writeln!(out, "\nby event source")?;
    for (k, v) in &stats.by_event_source {
        writeln!(out, "  {k:<32} {v:>9}")?;
    }
    writeln!(out, "\nby event name")?;
    for (k, v) in &stats.by_event_name {
        writeln!(out, "  {k:<32} {v:>9}")?;
    }
    let names: Vec<String> = stats.by_event_name.keys().cloned().collect();
    fn rows(m: &std::collections::BTreeMap<String, NameCounts>) -> Vec<(String, &NameCounts)> {
        m.iter().map(|(k, c)| (k.clone(), c)).collect()
    }
    matrix(out, "per table", &rows(&stats.by_table), &names)?;
    matrix(out, "per key", &rows(&stats.by_key), &names)?;
    matrix(out, "per principal", &rows(&stats.by_principal), &names)?;
    let intervals: Vec<(String, &NameCounts)> = stats
        .by_interval
        .iter()
        .map(|(start, c)| (Timestamp(*start).event_time(), c))
        .collect();
    matrix(
        out,
        &format!("per {} s interval", stats.interval_millis / 1000),
        &intervals,
        &names,
    )?;
    Ok(())
}
