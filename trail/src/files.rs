//! Finds the log files of a delivery folder, pruning by the `YYYY/MM/DD` date folders.
//!
//! Does: walk a folder (or take one file), keep `*.json.gz` files in path order, skip hidden
//! entries (temporary files of an unfinished delivery) and `CloudTrail-Digest` folders (digest
//! files are not `{"Records":[...]}` logs), skip day folders outside the wanted days without
//! opening them, and report files whose partition day cannot be known when days are filtered.
//! Does not: open or decode files (see `decode`).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::layout::{is_log_file_name, partition_day};
use ddbsse_wire::time::Day;

/// An inclusive range of partition days; an open end is unbounded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayRange {
    /// First day, inclusive.
    pub from: Option<Day>,
    /// Last day, inclusive.
    pub to: Option<Day>,
}

impl DayRange {
    /// One day.
    pub fn single(day: Day) -> Self {
        DayRange {
            from: Some(day),
            to: Some(day),
        }
    }

    /// Whether the range restricts anything.
    pub fn is_bounded(&self) -> bool {
        self.from.is_some() || self.to.is_some()
    }

    /// Whether `day` is in the range.
    pub fn contains(&self, day: Day) -> bool {
        self.from.is_none_or(|f| day >= f) && self.to.is_none_or(|t| day <= t)
    }
}

/// A log file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailFile {
    /// Its path.
    pub path: PathBuf,
    /// Its partition day (from the folders, else from the file name).
    pub day: Option<Day>,
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Files to read, in path order.
    pub files: Vec<TrailFile>,
    /// Files left out, with the reason (unknown partition day under a day filter, unreadable
    /// folder).
    pub skipped: Vec<(PathBuf, String)>,
    /// Day folders pruned by the day filter.
    pub pruned_day_folders: u64,
}

/// Lists the log files under `root` (a folder or one file) whose partition day is in `days`.
pub fn discover(root: &Path, days: &DayRange) -> io::Result<Discovery> {
    let meta = fs::metadata(root)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", root.display())))?;
    let mut out = Discovery::default();
    if meta.is_file() {
        consider_file(root.to_path_buf(), days, &mut out);
    } else {
        walk(root, days, &mut out);
    }
    Ok(out)
}

fn consider_file(path: PathBuf, days: &DayRange, out: &mut Discovery) {
    let day = partition_day(&path);
    match day {
        Some(d) if !days.contains(d) => {}
        None if days.is_bounded() => out.skipped.push((
            path,
            "no partition day (no YYYY/MM/DD folders or delivery stamp) under a date filter"
                .to_owned(),
        )),
        _ => out.files.push(TrailFile { path, day }),
    }
}

fn walk(dir: &Path, days: &DayRange, out: &mut Discovery) {
    if days.is_bounded()
        && let Some(day) = folder_as_day(dir)
        && !days.contains(day)
    {
        out.pruned_day_folders += 1;
        return;
    }
    let entries = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            out.skipped
                .push((dir.to_path_buf(), format!("cannot list folder: {e}")));
            return;
        }
    };
    let mut children: Vec<(String, PathBuf, bool)> = Vec::new();
    for entry in entries {
        let Ok(entry) = entry else { continue };
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        children.push((name, entry.path(), is_dir));
    }
    children.sort();
    for (name, path, is_dir) in children {
        if is_dir {
            if name != "CloudTrail-Digest" {
                walk(&path, days, out);
            }
        } else if is_log_file_name(&name) {
            consider_file(path, days, out);
        }
    }
}

/// The day of a `.../YYYY/MM/DD` folder.
fn folder_as_day(dir: &Path) -> Option<Day> {
    // `partition_day` falls back to the file name's stamp; `x` has none, so only the folders count.
    partition_day(&dir.join("x"))
}
