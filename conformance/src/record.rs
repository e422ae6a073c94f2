//! `--record DIR`: every case's exchanges with the target appended to `DIR/exchanges.jsonl`, one
//! JSON object a line: the [`Exchange`] members (`kind`, `method`, `url`, `target`, `principal`,
//! `connection`, `request_headers`, `request_body`, `status`, `response_headers`,
//! `response_body`, `synthesized`) with the `case` id, the case's name prefix `names` and the
//! `run` that wrote it (runs append to the same file; reading keeps each case's last run). Secrets
//! are redacted before an exchange is kept ([`crate::exchange`]), so the file can be published as
//! a dated fixture set. Lines without `case` (the cleanup after a run against AWS, written by
//! [`crate::target::http::Recorder`]) belong to no case.
//!
//! Reading a recording back ([`read`]) is for `--replay` ([`crate::replay`]); this module does
//! not compare anything.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::exchange::Exchange;
use crate::report::CaseReport;

/// The name of the recording file inside `DIR`.
pub const FILE: &str = "exchanges.jsonl";

/// Why a recording cannot be written or read.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The file or its folder cannot be made or written.
    #[error("--record {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The file cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// A line is not a recorded exchange.
    #[error("{}:{line}: not a recorded exchange: {source}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The line number (from 1).
        line: usize,
        /// What failed.
        source: serde_json::Error,
    },
}

/// One line of the recording.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// The case the exchange belongs to (absent: none, such as the cleanup).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// The case's name prefix.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub names: String,
    /// Which run wrote the line (a recording may hold several runs; the last one of a case wins).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub run: String,
    /// The exchange.
    #[serde(flatten)]
    pub exchange: Exchange,
}

/// Appends case exchanges to `DIR/exchanges.jsonl`.
#[derive(Debug)]
pub struct CaseRecorder {
    path: PathBuf,
    file: std::fs::File,
    run: String,
}

impl CaseRecorder {
    /// Creates `dir` and opens its recording for appending.
    pub fn create(dir: &Path) -> Result<Self, RecordError> {
        let path = dir.join(FILE);
        let fail = |source| RecordError::Write {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(fail)?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(fail)?;
        let micros = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_micros());
        let run = format!("{micros:x}-{}", std::process::id());
        Ok(Self { path, file, run })
    }

    /// Appends the exchanges of `case`.
    pub fn write_case(&mut self, case: &CaseReport) -> Result<(), RecordError> {
        let mut text = String::new();
        for e in &case.exchanges {
            let line = Line {
                case: Some(case.id.clone()),
                names: case.names.clone(),
                run: self.run.clone(),
                exchange: e.clone(),
            };
            match serde_json::to_string(&line) {
                Ok(l) => {
                    text.push_str(&l);
                    text.push('\n');
                }
                Err(e) => {
                    return Err(RecordError::Write {
                        path: self.path.clone(),
                        source: std::io::Error::other(e),
                    });
                }
            }
        }
        self.file
            .write_all(text.as_bytes())
            .map_err(|source| RecordError::Write {
                path: self.path.clone(),
                source,
            })
    }
}

/// The exchanges of one recorded case.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedCase {
    /// The case id.
    pub case: String,
    /// Its name prefix.
    pub names: String,
    /// The run that recorded it.
    pub run: String,
    /// Its exchanges, in order.
    pub exchanges: Vec<Exchange>,
}

/// The cases of the recording in `dir`, in the order they first appear (a case recorded twice,
/// by two runs, keeps the exchanges of the last run).
pub fn read(dir: &Path) -> Result<Vec<RecordedCase>, RecordError> {
    let path = dir.join(FILE);
    let text = std::fs::read_to_string(&path).map_err(|source| RecordError::Read {
        path: path.clone(),
        source,
    })?;
    let mut cases: Vec<RecordedCase> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let parse_error = |source| RecordError::Parse {
            path: path.clone(),
            line: n + 1,
            source,
        };
        let value: serde_json::Value = serde_json::from_str(raw).map_err(parse_error)?;
        if value.get("case").is_none_or(serde_json::Value::is_null) {
            continue; // the cleanup's exchanges, written by the HTTP target
        }
        let line: Line = serde_json::from_value(value).map_err(parse_error)?;
        let Some(case) = line.case else { continue };
        match cases.iter_mut().find(|c| c.case == case) {
            Some(c) if c.run == line.run => c.exchanges.push(line.exchange),
            Some(c) => {
                c.run = line.run;
                c.names = line.names;
                c.exchanges = vec![line.exchange];
            }
            None => cases.push(RecordedCase {
                case,
                names: line.names,
                run: line.run,
                exchanges: vec![line.exchange],
            }),
        }
    }
    Ok(cases)
}
