//! Runs an analysis over the records of many log files, on several threads, in bounded memory,
//! and accounts for everything it could not use.
//!
//! Does: hand files to worker threads (one file per worker at a time, each with its own reusable
//! buffer), have each worker fold the file's checked records into a per-file partial result
//! ([`Analysis`]), and give the partial results to the caller **in path order** (a small reorder
//! window keeps workers at most a few files ahead). Files and records that cannot be used are
//! counted by reason in a [`ScanReport`]; with `strict` the first problem (in path order) stops the
//! scan with [`StrictRefusal`].
//! Does not: decide what to compute (that is the [`Analysis`]) or print anything.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::ControlFlow;
use std::sync::{Condvar, Mutex};

use crate::decode::{FileProblem, ViewsOutcome, parse_views, read_gzip, split_records};
use crate::files::TrailFile;
use crate::record::{CheckedRecord, LenientRecord, RecordProblem, check_record, check_view};
use ddbsse_wire::time::Day;

/// Where a record came from, for analyses that need it.
#[derive(Debug, Clone, Copy)]
pub struct RecordOrigin {
    /// Index of the unit (file or LookupEvents page) in scan order.
    pub unit: usize,
    /// Index of the record in its unit.
    pub index: usize,
    /// Partition day of the unit (folder day for files; `None` for LookupEvents).
    pub day: Option<Day>,
}

/// What to compute over records: a per-unit partial result built by workers.
pub trait Analysis: Sync {
    /// Result for one file (or page).
    type Partial: Send;
    /// Whether [`Analysis::visit`] reads the record's text (`raw`); when it does not, files are
    /// parsed in a single pass and `raw` is empty.
    const NEEDS_RAW: bool = true;
    /// An empty partial result.
    fn partial(&self) -> Self::Partial;
    /// Folds one checked record into a partial result.
    fn visit(
        &self,
        partial: &mut Self::Partial,
        record: &CheckedRecord<'_>,
        raw: &str,
        origin: RecordOrigin,
    );
}

/// Maximum number of problems kept verbatim in a report (the rest are only counted).
pub const MAX_MESSAGES: usize = 50;

/// Counts of what was read and what was skipped, and why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanReport {
    /// Units (files or pages) read successfully.
    pub files_read: u64,
    /// Units skipped, by reason.
    pub files_skipped: BTreeMap<String, u64>,
    /// Records used.
    pub records_read: u64,
    /// Records skipped, by reason.
    pub records_skipped: BTreeMap<String, u64>,
    /// The first [`MAX_MESSAGES`] problems, each naming its file.
    pub messages: Vec<String>,
    /// Problems not kept in `messages`.
    pub messages_dropped: u64,
    /// What a unit is, for the summary line (empty: files).
    pub unit_name: &'static str,
}

impl ScanReport {
    /// Adds a problem message (bounded).
    pub fn note(&mut self, message: String) {
        if self.messages.len() < MAX_MESSAGES {
            self.messages.push(message);
        } else {
            self.messages_dropped += 1;
        }
    }

    /// Records a skipped unit.
    pub fn skip_file(&mut self, name: &str, reason: &str, message: String) {
        *self.files_skipped.entry(reason.to_owned()).or_default() += 1;
        self.note(format!("{name}: skipped: {message}"));
    }

    /// Total units skipped.
    pub fn files_skipped_total(&self) -> u64 {
        self.files_skipped.values().sum()
    }

    /// Total records skipped.
    pub fn records_skipped_total(&self) -> u64 {
        self.records_skipped.values().sum()
    }

    /// Whether anything was skipped.
    pub fn is_clean(&self) -> bool {
        self.files_skipped.is_empty() && self.records_skipped.is_empty()
    }
}

impl fmt::Display for ScanReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |m: &BTreeMap<String, u64>| {
            m.iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let units = if self.unit_name.is_empty() {
            "files"
        } else {
            self.unit_name
        };
        write!(
            f,
            "read {} {units}, {} records",
            self.files_read, self.records_read
        )?;
        if self.files_skipped.is_empty() && self.records_skipped.is_empty() {
            return write!(f, "; nothing skipped");
        }
        write!(
            f,
            "; skipped {} {units} ({}) and {} records ({})",
            self.files_skipped_total(),
            list(&self.files_skipped),
            self.records_skipped_total(),
            list(&self.records_skipped)
        )
    }
}

/// The scan stopped at the first problem because `--strict` was given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refused (--strict): {0}")]
pub struct StrictRefusal(pub String);

/// What one unit produced.
#[derive(Debug)]
pub struct UnitOutcome<P> {
    /// The partial result (`None` when the whole unit was skipped).
    pub partial: Option<P>,
    /// Why the whole unit was skipped.
    pub problem: Option<FileProblem>,
    /// Records used.
    pub records_ok: u64,
    /// Records skipped, by reason.
    pub record_problems: BTreeMap<String, u64>,
    /// The first few record problems with their index.
    pub record_examples: Vec<(usize, RecordProblem)>,
}

const EXAMPLES_PER_UNIT: usize = 5;

/// Checks and folds already split records (a file's or a LookupEvents page's).
pub fn fold_records<'a, A: Analysis>(
    analysis: &A,
    records: impl Iterator<Item = &'a str>,
    unit: usize,
    day: Option<Day>,
) -> UnitOutcome<A::Partial> {
    let mut partial = analysis.partial();
    let mut out = UnitOutcome {
        partial: None,
        problem: None,
        records_ok: 0,
        record_problems: BTreeMap::new(),
        record_examples: Vec::new(),
    };
    for (index, raw) in records.enumerate() {
        let origin = RecordOrigin { unit, index, day };
        fold_one(
            analysis,
            &mut partial,
            &mut out,
            check_record(raw),
            raw,
            origin,
        );
    }
    out.partial = Some(partial);
    out
}

fn fold_one<A: Analysis>(
    analysis: &A,
    partial: &mut A::Partial,
    out: &mut UnitOutcome<A::Partial>,
    checked: Result<CheckedRecord<'_>, RecordProblem>,
    raw: &str,
    origin: RecordOrigin,
) {
    match checked {
        Ok(record) => {
            out.records_ok += 1;
            analysis.visit(partial, &record, raw, origin);
        }
        Err(problem) => {
            *out.record_problems.entry(problem.reason()).or_default() += 1;
            if out.record_examples.len() < EXAMPLES_PER_UNIT {
                out.record_examples.push((origin.index, problem));
            }
        }
    }
}

/// Checks and folds records parsed in a single pass (no record text).
fn fold_views<A: Analysis>(
    analysis: &A,
    views: Vec<LenientRecord<'_>>,
    unit: usize,
    day: Option<Day>,
) -> UnitOutcome<A::Partial> {
    let mut partial = analysis.partial();
    let mut out = UnitOutcome {
        partial: None,
        problem: None,
        records_ok: 0,
        record_problems: BTreeMap::new(),
        record_examples: Vec::new(),
    };
    for (index, view) in views.into_iter().enumerate() {
        let origin = RecordOrigin { unit, index, day };
        fold_one(
            analysis,
            &mut partial,
            &mut out,
            view.0.and_then(check_view),
            "",
            origin,
        );
    }
    out.partial = Some(partial);
    out
}

/// Reads and folds one file.
pub fn process_file<A: Analysis>(
    analysis: &A,
    file: &TrailFile,
    unit: usize,
    buf: &mut Vec<u8>,
) -> UnitOutcome<A::Partial> {
    let skipped = |problem| UnitOutcome {
        partial: None,
        problem: Some(problem),
        records_ok: 0,
        record_problems: BTreeMap::new(),
        record_examples: Vec::new(),
    };
    if let Err(p) = read_gzip(&file.path, buf) {
        return skipped(p);
    }
    if !A::NEEDS_RAW {
        match parse_views(buf) {
            ViewsOutcome::Views(views) => return fold_views(analysis, views, unit, file.day),
            ViewsOutcome::Problem(p) => return skipped(p),
            ViewsOutcome::CheckRecordByRecord => {}
        }
    }
    match split_records(buf) {
        Ok(records) => fold_records(analysis, records.iter().map(|r| r.get()), unit, file.day),
        Err(p) => skipped(p),
    }
}

/// Adds a unit's outcome to the report; returns its partial result, or the refusal when `strict`
/// and the unit had a problem.
pub fn account<P>(
    report: &mut ScanReport,
    name: &str,
    outcome: UnitOutcome<P>,
    strict: bool,
) -> Result<Option<P>, StrictRefusal> {
    if let Some(problem) = outcome.problem {
        let message = format!("{name}: {problem}");
        if strict {
            return Err(StrictRefusal(message));
        }
        report.skip_file(name, problem.reason(), problem.to_string());
        return Ok(None);
    }
    if strict && let Some((index, problem)) = outcome.record_examples.first() {
        return Err(StrictRefusal(format!("{name}: record {index}: {problem}")));
    }
    report.files_read += 1;
    report.records_read += outcome.records_ok;
    for (reason, n) in outcome.record_problems {
        *report.records_skipped.entry(reason).or_default() += n;
    }
    for (index, problem) in outcome.record_examples {
        report.note(format!("{name}: record {index} skipped: {problem}"));
    }
    Ok(outcome.partial)
}

struct Shared<P> {
    next_claim: usize,
    next_consume: usize,
    ready: BTreeMap<usize, UnitOutcome<P>>,
    stop: bool,
}

/// Runs `analysis` over `files` on `threads` workers and hands each file's partial result to
/// `consume` in path order. `consume` may stop the scan early with `ControlFlow::Break`.
pub fn scan_files<A: Analysis>(
    analysis: &A,
    files: &[TrailFile],
    threads: usize,
    strict: bool,
    report: &mut ScanReport,
    mut consume: impl FnMut(A::Partial) -> ControlFlow<()>,
) -> Result<(), StrictRefusal> {
    let threads = threads.clamp(1, files.len().max(1));
    let window = threads * 2;
    let shared = Mutex::new(Shared::<A::Partial> {
        next_claim: 0,
        next_consume: 0,
        ready: BTreeMap::new(),
        stop: false,
    });
    let changed = Condvar::new();
    let lock = || {
        shared
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    };
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut buf = Vec::new();
                loop {
                    let index = {
                        let mut s = lock();
                        while !s.stop
                            && s.next_claim < files.len()
                            && s.next_claim >= s.next_consume + window
                        {
                            s = changed.wait(s).unwrap_or_else(|p| p.into_inner());
                        }
                        if s.stop || s.next_claim >= files.len() {
                            return;
                        }
                        s.next_claim += 1;
                        s.next_claim - 1
                    };
                    let outcome = process_file(analysis, &files[index], index, &mut buf);
                    if buf.capacity() > 64 << 20 {
                        buf = Vec::new();
                    }
                    lock().ready.insert(index, outcome);
                    changed.notify_all();
                }
            });
        }
        let mut result = Ok(());
        for (index, file) in files.iter().enumerate() {
            let outcome = {
                let mut s = lock();
                loop {
                    if let Some(o) = s.ready.remove(&index) {
                        s.next_consume = index + 1;
                        break o;
                    }
                    s = changed.wait(s).unwrap_or_else(|p| p.into_inner());
                }
            };
            changed.notify_all();
            let name = file.path.display().to_string();
            let step = match account(report, &name, outcome, strict) {
                Err(refusal) => {
                    result = Err(refusal);
                    ControlFlow::Break(())
                }
                Ok(Some(partial)) => consume(partial),
                Ok(None) => ControlFlow::Continue(()),
            };
            if step.is_break() {
                break;
            }
        }
        lock().stop = true;
        changed.notify_all();
        result
    })
}
