//! Opens one log file and splits it into its records, or says why it cannot.
//!
//! Does: gunzip a file into a reusable buffer (bounded by [`MAX_DECOMPRESSED`]), check it is UTF-8
//! JSON of the shape `{"Records":[...]}`, and return each record's raw JSON text, borrowed from the
//! buffer; or, for analyses that need no record text, parse the records straight into views in one
//! pass ([`parse_views`]). The whole file is checked before any record is returned, so a truncated
//! or corrupt file contributes no records at all (never a partial count).
//! Does not: check the records themselves (see `record::check_record`).

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::record::LenientRecord;

/// Largest decompressed file accepted (a guard against gzip bombs), 1 GiB like DuckDB's default
/// `maximum_object_size` used in the reference notes.
pub const MAX_DECOMPRESSED: u64 = 1 << 30;

/// Why a whole file was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    /// The file could not be opened or read.
    Unreadable(String),
    /// The gzip stream is corrupt, truncated or not gzip at all.
    BadGzip(String),
    /// Decompressed, it is larger than [`MAX_DECOMPRESSED`].
    TooLarge,
    /// The JSON is syntactically broken or cut short.
    BadJson(String),
    /// Valid JSON, but not a CloudTrail log file (`{"Records":[...]}`).
    NotCloudTrail(String),
}

impl FileProblem {
    /// A short reason used to count problems of the same kind.
    pub fn reason(&self) -> &'static str {
        match self {
            FileProblem::Unreadable(_) => "unreadable",
            FileProblem::BadGzip(_) => "corrupt or truncated gzip",
            FileProblem::TooLarge => "too large",
            FileProblem::BadJson(_) => "corrupt or truncated JSON",
            FileProblem::NotCloudTrail(_) => "not a CloudTrail log file",
        }
    }
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileProblem::Unreadable(e) => write!(f, "cannot read: {e}"),
            FileProblem::BadGzip(e) => write!(f, "corrupt or truncated gzip: {e}"),
            FileProblem::TooLarge => {
                write!(f, "larger than {MAX_DECOMPRESSED} bytes once decompressed")
            }
            FileProblem::BadJson(e) => write!(f, "corrupt or truncated JSON: {e}"),
            FileProblem::NotCloudTrail(e) => write!(f, "not a CloudTrail log file: {e}"),
        }
    }
}

/// Gunzips `path` into `buf` (cleared first).
pub fn read_gzip(path: &Path, buf: &mut Vec<u8>) -> Result<(), FileProblem> {
    buf.clear();
    let file = File::open(path).map_err(|e| FileProblem::Unreadable(e.to_string()))?;
    let mut reader =
        MultiGzDecoder::new(io::BufReader::with_capacity(1 << 16, file)).take(MAX_DECOMPRESSED + 1);
    reader.read_to_end(buf).map_err(|e| {
        FileProblem::BadGzip(match e.kind() {
            io::ErrorKind::UnexpectedEof => "unexpected end of file".to_owned(),
            _ => e.to_string(),
        })
    })?;
    if buf.len() as u64 > MAX_DECOMPRESSED {
        buf.clear();
        return Err(FileProblem::TooLarge);
    }
    Ok(())
}

#[derive(Deserialize)]
struct LogFile<'a> {
    #[serde(rename = "Records", borrow)]
    records: Vec<&'a RawValue>,
}

fn log_text(content: &[u8]) -> Result<&str, FileProblem> {
    let text = std::str::from_utf8(content)
        .map_err(|e| FileProblem::NotCloudTrail(format!("not UTF-8 text ({e})")))?;
    let trimmed = text.trim_start();
    if !trimmed.starts_with('{') {
        return Err(if trimmed.starts_with('[') {
            FileProblem::NotCloudTrail("top level is an array, not {\"Records\":[...]}".to_owned())
        } else if trimmed.is_empty() {
            FileProblem::BadJson("empty file".to_owned())
        } else {
            FileProblem::BadJson("does not start with a JSON object".to_owned())
        });
    }
    Ok(text)
}

/// Splits decompressed log file content into the raw text of its records.
pub fn split_records(content: &[u8]) -> Result<Vec<&RawValue>, FileProblem> {
    let text = log_text(content)?;
    serde_json::from_str::<LogFile<'_>>(text)
        .map(|f| f.records)
        .map_err(|e| match e.classify() {
            serde_json::error::Category::Data => FileProblem::NotCloudTrail(e.to_string()),
            _ => FileProblem::BadJson(e.to_string()),
        })
}

#[derive(Deserialize)]
struct ViewLogFile<'a> {
    #[serde(rename = "Records", borrow)]
    records: Vec<LenientRecord<'a>>,
}

/// Result of the single-pass parse.
#[derive(Debug)]
pub enum ViewsOutcome<'a> {
    /// Every element of `Records`, parsed (or found not to be an object).
    Views(Vec<LenientRecord<'a>>),
    /// The whole file is unusable.
    Problem(FileProblem),
    /// A value of an impossible type somewhere: use [`split_records`] and check record by record
    /// to say which records are bad.
    CheckRecordByRecord,
}

/// Parses decompressed log file content straight into record views in one pass (for analyses that
/// need no record text).
pub fn parse_views(content: &[u8]) -> ViewsOutcome<'_> {
    let text = match log_text(content) {
        Ok(t) => t,
        Err(p) => return ViewsOutcome::Problem(p),
    };
    match serde_json::from_str::<ViewLogFile<'_>>(text) {
        Ok(f) => ViewsOutcome::Views(f.records),
        Err(e) if e.classify() == serde_json::error::Category::Data => {
            ViewsOutcome::CheckRecordByRecord
        }
        Err(e) => ViewsOutcome::Problem(FileProblem::BadJson(e.to_string())),
    }
}
