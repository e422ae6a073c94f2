//! One-call entry points for programs and tests: statistics and query rows of a delivery folder.
//!
//! Does: find the files under a folder (pruned by the filter's days), scan them on `threads`
//! workers and return the [`Stats`] or the rows with the [`ScanReport`].
//! Does not: print, or read LookupEvents (see `lookup::LookupClient::scan`).

use std::io;
use std::ops::ControlFlow;
use std::path::Path;

use crate::files::discover;
use crate::filter::Filter;
use crate::lookup::LookupError;
use crate::query::{Query, QueryCollector, Row};
use crate::scan::{Analysis, ScanReport, StrictRefusal, scan_files};
use crate::stats::{Stats, StatsQuery};

/// Why reading a trail (a folder or an endpoint) stopped.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The folder cannot be listed.
    #[error("cannot read {0}")]
    Folder(#[source] io::Error),
    /// `--strict` stopped at a problem.
    #[error(transparent)]
    Strict(#[from] StrictRefusal),
    /// LookupEvents failed.
    #[error(transparent)]
    Lookup(#[from] LookupError),
}

/// Runs `analysis` over the files under `dir` within `days`, giving partial results to
/// `consume`; files without a partition day are skipped (or refused with `strict`).
pub fn scan_folder<A: Analysis>(
    dir: &Path,
    analysis: &A,
    days: &crate::files::DayRange,
    strict: bool,
    threads: usize,
    report: &mut ScanReport,
    consume: impl FnMut(A::Partial) -> ControlFlow<()>,
) -> Result<(), ReadError> {
    let found = discover(dir, days).map_err(ReadError::Folder)?;
    for (path, why) in &found.skipped {
        if strict {
            let refusal = StrictRefusal(format!("{}: {why}", path.display()));
            return Err(ReadError::Strict(refusal));
        }
        report.skip_file(&path.display().to_string(), "no partition day", why.clone());
    }
    Ok(scan_files(
        analysis,
        &found.files,
        threads,
        strict,
        report,
        consume,
    )?)
}

/// `trail stats` over a folder.
pub fn folder_stats(
    dir: &Path,
    filter: &Filter,
    interval_millis: u64,
    strict: bool,
    threads: usize,
) -> Result<(Stats, ScanReport), ReadError> {
    let analysis = StatsQuery {
        filter: filter.clone(),
        interval_millis,
    };
    let mut stats = Stats::new(interval_millis);
    let mut report = ScanReport::default();
    scan_folder(
        dir,
        &analysis,
        &filter.days,
        strict,
        threads,
        &mut report,
        |p| {
            stats.merge(p);
            ControlFlow::Continue(())
        },
    )?;
    Ok((stats, report))
}

/// `trail query` over a folder.
pub fn folder_query(
    dir: &Path,
    query: &Query,
    strict: bool,
    threads: usize,
) -> Result<(Vec<Row>, ScanReport), ReadError> {
    let mut rows = Vec::new();
    let mut collector = QueryCollector::new(query);
    let mut report = ScanReport::default();
    scan_folder(
        dir,
        query,
        &query.filter.days,
        strict,
        threads,
        &mut report,
        |p| collector.take(p, &mut |r| rows.push(r)),
    )?;
    collector.finish(&mut |r| rows.push(r));
    Ok((rows, report))
}
