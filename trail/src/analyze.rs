//! One-call entry points for programs and tests: statistics and query rows of a delivery folder.
//!
//! Does: find the files under a folder (pruned by the filter's days), scan them on `threads`
//! workers and return the [`Stats`] or the rows with the [`ScanReport`].
//! Does not: print, or read LookupEvents (see `lookup::LookupClient::scan`).

use std::ops::ControlFlow;
use std::path::Path;

use crate::files::discover;
use crate::filter::Filter;
use crate::query::{Query, QueryCollector, Row};
use crate::scan::{Analysis, ScanReport, scan_files};
use crate::stats::{Stats, StatsQuery};

fn scan_folder<A: Analysis>(
    dir: &Path,
    analysis: &A,
    days: &crate::files::DayRange,
    strict: bool,
    threads: usize,
    report: &mut ScanReport,
    consume: impl FnMut(A::Partial) -> ControlFlow<()>,
) -> Result<(), String> {
    let found = discover(dir, days).map_err(|e| format!("cannot read {e}"))?;
    for (path, why) in &found.skipped {
        if strict {
            return Err(format!("refused (--strict): {}: {why}", path.display()));
        }
        report.skip_file(&path.display().to_string(), "no partition day", why.clone());
    }
    scan_files(analysis, &found.files, threads, strict, report, consume).map_err(|e| e.to_string())
}

/// `trail stats` over a folder.
pub fn folder_stats(
    dir: &Path,
    filter: &Filter,
    interval_millis: u64,
    strict: bool,
    threads: usize,
) -> Result<(Stats, ScanReport), String> {
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
) -> Result<(Vec<Row>, ScanReport), String> {
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
