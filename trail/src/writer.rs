//! Delivers CloudTrail records as log files in the S3 delivery layout, exactly as CloudTrail does.
//!
//! # What it does
//! [`DeliveryWriter`] buffers records and delivers them as one file per window of the caller's
//! clock:
//! `<root>/AWSLogs/<account>/CloudTrail/<region>/<YYYY>/<MM>/<DD>/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz`,
//! whose content is the gzip of one minified line `{"Records":[...]}`.
//!
//! - **Clock.** Every call takes `now` (milliseconds since the epoch) from the caller; the writer
//!   never reads the wall clock. Windows are aligned to multiples of the interval (default
//!   5 minutes, [`DEFAULT_INTERVAL_MILLIS`]) counted from the epoch: a record appended at `now`
//!   belongs to the window `[floor(now / interval) * interval, ... + interval)`.
//! - **Rolling.** When a call ([`DeliveryWriter::append`] or [`DeliveryWriter::tick`]) arrives with
//!   `now` at or after the end of the buffered window, the buffer is delivered first, with the
//!   window's end as its delivery time. [`DeliveryWriter::flush`] and [`DeliveryWriter::close`]
//!   deliver whatever is buffered at once, with `now` as the delivery time. Empty windows produce
//!   no file (CloudTrail delivers no empty log file). A `now` earlier than the buffered window
//!   (a clock that went backwards) stays in the buffered window.
//! - **Names.** The `YYYYMMDDTHHmmZ` stamp is the delivery time (UTC, minute precision) and the
//!   date folders are the UTC date of the delivery time, as CloudTrail does: records of the last
//!   window of a day (23:55-24:00 at the default interval) land in the next day's folder, named
//!   `...T0000Z`. The 16-character unique string is drawn from `[A-Za-z0-9]` with the random
//!   generator the caller hands in ([`DeliveryWriter::new`]); there is no global state.
//! - **Atomicity.** A file is written under a hidden temporary name in its final folder
//!   (`.<name>.tmp`), fsynced, renamed to its final name, and the folder is fsynced; newly created
//!   folders are fsynced into their parents. A reader therefore sees a complete file or none, and a
//!   crash loses at most the records still buffered (not yet delivered). Readers ignore hidden
//!   files, so a temporary file left by a crash is never read.
//! - **Records.** It writes `ddbsse_wire::trail::TrailRecord`s, the one record type of the
//!   workspace, so every field CloudTrail never omits is there by construction;
//!   [`DeliveryWriter::append`] refuses (with [`WriteError::BadEventTime`]) a record whose
//!   `eventTime` is not `YYYY-MM-DDTHH:MM:SSZ`, so everything written can be read back.
//!
//! # What it does not do
//! It does not sort records (they are written in append order), deduplicate them, write digest
//! files, or run a timer: the endpoint calls [`DeliveryWriter::tick`] when it wants idle windows
//! delivered, and [`DeliveryWriter::close`] at shutdown.
//!
//! # Use from the endpoint
//! ```no_run
//! use ddbsse_trail::writer::{DeliveryConfig, DeliveryWriter};
//! use ddbsse_wire::trail::TrailRecord;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let config = DeliveryConfig::new("/tmp/trail", "123456789012", "us-east-1");
//! let rng = Box::new(<rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(7));
//! let mut writer = DeliveryWriter::new(config, rng);
//! let now = 1_552_262_400_000; // 2019-03-11T00:00:00Z, from the endpoint's clock
//! let record: TrailRecord = serde_json::from_str(r#"{"eventVersion": "1.08",
//!     "userIdentity": {"type": "AWSService", "invokedBy": "dynamodb.amazonaws.com"},
//!     "eventTime": "2019-03-11T00:00:00Z", "eventSource": "kms.amazonaws.com",
//!     "eventName": "Decrypt", "awsRegion": "us-east-1",
//!     "sourceIPAddress": "dynamodb.amazonaws.com", "userAgent": "dynamodb.amazonaws.com",
//!     "requestParameters": null, "responseElements": null, "requestID": "r", "eventID": "e",
//!     "readOnly": true, "eventType": "AwsApiCall", "managementEvent": true,
//!     "recipientAccountId": "123456789012", "eventCategory": "Management"}"#)?;
//! writer.append(now, &record)?;            // buffered
//! writer.tick(now + 300_000)?;            // window over: delivers ..._20190311T0005Z_<16>.json.gz
//! writer.close(now + 400_000)?;           // delivers what is left (nothing here)
//! # Ok(()) }
//! ```

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use ddbsse_wire::trail::TrailRecord;
use flate2::Compression;
use flate2::write::GzEncoder;
use rand::RngCore;

use crate::layout::{UNIQUE_LEN, object_key};

/// CloudTrail delivers "about every 5 minutes".
pub const DEFAULT_INTERVAL_MILLIS: u64 = 300_000;

const UNIQUE_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Where and how a [`DeliveryWriter`] delivers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryConfig {
    /// The delivery root (the bucket): files go under `<root>/AWSLogs/...`.
    pub root: PathBuf,
    /// The account id in the path and file name.
    pub account: String,
    /// The region in the path and file name.
    pub region: String,
    /// Length of a delivery window in milliseconds (> 0).
    pub interval_millis: u64,
    /// gzip level 0-9.
    pub compression_level: u32,
}

impl DeliveryConfig {
    /// A configuration with the default interval (5 minutes) and gzip level 6.
    pub fn new(
        root: impl Into<PathBuf>,
        account: impl Into<String>,
        region: impl Into<String>,
    ) -> Self {
        DeliveryConfig {
            root: root.into(),
            account: account.into(),
            region: region.into(),
            interval_millis: DEFAULT_INTERVAL_MILLIS,
            compression_level: 6,
        }
    }

    /// The same configuration with another window length.
    pub fn with_interval_millis(mut self, interval_millis: u64) -> Self {
        self.interval_millis = interval_millis.max(1);
        self
    }
}

/// A file the writer delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// Full path of the file.
    pub path: PathBuf,
    /// Number of records in it.
    pub records: usize,
    /// The delivery time in the file name, milliseconds since the epoch.
    pub delivery_millis: u64,
}

/// Errors of the writer.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The record's `eventTime` is not `YYYY-MM-DDTHH:MM:SSZ` (it would not read back).
    #[error("invalid CloudTrail record: eventTime {0:?} is not YYYY-MM-DDTHH:MM:SSZ")]
    BadEventTime(String),
    /// The record could not be serialized.
    #[error("cannot serialize a CloudTrail record: {0}")]
    Serialize(#[source] serde_json::Error),
    /// The delivery path has no folder or no UTF-8 file name (a delivery root that cannot be).
    #[error("delivery path {0} has no folder or file name")]
    BadPath(PathBuf),
    /// A file-system operation failed.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// On which path.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
}

fn io_err<'a>(op: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> WriteError + 'a {
    move |source| WriteError::Io {
        op,
        path: path.to_path_buf(),
        source,
    }
}

/// Buffers records and delivers them as CloudTrail log files; see the module documentation.
pub struct DeliveryWriter {
    config: DeliveryConfig,
    rng: Box<dyn RngCore + Send>,
    /// Serialized records joined by commas.
    buffer: Vec<u8>,
    records: usize,
    /// Start of the buffered window (set while `records > 0`).
    window_start: Option<u64>,
}

impl std::fmt::Debug for DeliveryWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeliveryWriter")
            .field("config", &self.config)
            .field("buffered_records", &self.records)
            .field("window_start", &self.window_start)
            .finish_non_exhaustive()
    }
}

impl DeliveryWriter {
    /// A writer delivering under `config.root`, drawing unique strings from `rng`.
    pub fn new(config: DeliveryConfig, rng: Box<dyn RngCore + Send>) -> Self {
        DeliveryWriter {
            config,
            rng,
            buffer: Vec::new(),
            records: 0,
            window_start: None,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &DeliveryConfig {
        &self.config
    }

    /// Number of records buffered (not yet delivered).
    pub fn pending_records(&self) -> usize {
        self.records
    }

    fn window_of(&self, now: u64) -> u64 {
        now - now % self.config.interval_millis
    }

    /// Delivers the buffered window if `now` is at or after its end. Returns the file delivered.
    pub fn tick(&mut self, now: u64) -> Result<Option<Delivered>, WriteError> {
        //= spec/trail.md#delivery-roll
        //# A target MUST put each record in the window `[k * 300 s, (k + 1) * 300 s)` of the endpoint
        //# clock that contains its time, and MUST deliver a window's file, named with the window's end as
        //# delivery time, once the clock reaches that end; a window without records produces no file.
        match self.window_start {
            Some(start) if now >= start + self.config.interval_millis => {
                self.deliver(start + self.config.interval_millis)
            }
            _ => Ok(None),
        }
    }

    /// Appends one record at `now`, first delivering the buffered window if `now` is past it.
    /// Returns the file delivered by that roll, if any.
    pub fn append(
        &mut self,
        now: u64,
        record: &TrailRecord,
    ) -> Result<Option<Delivered>, WriteError> {
        if record.time().is_none() {
            return Err(WriteError::BadEventTime(record.event_time.clone()));
        }
        let text = serde_json::to_string(record).map_err(WriteError::Serialize)?;
        let delivered = self.tick(now)?;
        if self.window_start.is_none() {
            self.window_start = Some(self.window_of(now));
        }
        if self.records > 0 {
            self.buffer.push(b',');
        }
        self.buffer.extend_from_slice(text.as_bytes());
        self.records += 1;
        Ok(delivered)
    }

    /// Delivers the buffered records now (delivery time `now`), whatever the window.
    pub fn flush(&mut self, now: u64) -> Result<Option<Delivered>, WriteError> {
        if self.records == 0 {
            return Ok(None);
        }
        self.deliver(now)
    }

    /// Delivers the buffered records (delivery time `now`) and ends the writer.
    pub fn close(mut self, now: u64) -> Result<Option<Delivered>, WriteError> {
        self.flush(now)
    }

    fn unique_string(&mut self) -> String {
        (0..UNIQUE_LEN)
            .map(|_| {
                let i = (self.rng.next_u32() as usize) % UNIQUE_ALPHABET.len();
                char::from(UNIQUE_ALPHABET[i])
            })
            .collect()
    }

    fn deliver(&mut self, delivery_millis: u64) -> Result<Option<Delivered>, WriteError> {
        if self.records == 0 {
            self.window_start = None;
            return Ok(None);
        }
        let unique = self.unique_string();
        let key = object_key(
            &self.config.account,
            &self.config.region,
            delivery_millis,
            &unique,
        );
        let path = self.config.root.join(key);
        //= spec/trail.md#delivery-body
        //# A delivery file MUST be the gzip of one line of JSON, `{"Records":[...]}`, holding its records
        //# in recording order, each identical to the `CloudTrailEvent` LookupEvents returns for it.
        let mut body = Vec::with_capacity(self.buffer.len() + 14);
        body.extend_from_slice(b"{\"Records\":[");
        body.extend_from_slice(&self.buffer);
        body.extend_from_slice(b"]}");
        write_atomically(&path, &body, self.config.compression_level)?;
        let delivered = Delivered {
            path,
            records: self.records,
            delivery_millis,
        };
        self.buffer.clear();
        self.records = 0;
        self.window_start = None;
        Ok(Some(delivered))
    }
}

/// Creates `dir` and its missing ancestors, fsyncing each new folder into its parent.
fn create_dirs_durably(dir: &Path) -> Result<(), WriteError> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_dirs_durably(parent)?;
    }
    match fs::create_dir(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(()),
        Err(e) => return Err(io_err("create folder", dir)(e)),
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        sync_dir(parent)?;
    }
    Ok(())
}

fn sync_dir(dir: &Path) -> Result<(), WriteError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err("fsync folder", dir))
}

/// Writes `gzip(body)` to `path` through a hidden temporary file in the same folder: write, fsync,
/// rename, fsync the folder.
fn write_atomically(path: &Path, body: &[u8], level: u32) -> Result<(), WriteError> {
    let dir = path
        .parent()
        .ok_or_else(|| WriteError::BadPath(path.to_path_buf()))?;
    create_dirs_durably(dir)?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| WriteError::BadPath(path.to_path_buf()))?;
    //= spec/trail.md#delivery-atomic
    //# A delivery file MUST appear under its final name only when complete, by writing a temporary
    //# name that does not end in `.json.gz` and renaming it.
    let tmp = dir.join(format!(".{name}.tmp"));
    let result = (|| {
        let file = File::create(&tmp).map_err(io_err("create", &tmp))?;
        let mut gz = GzEncoder::new(io::BufWriter::new(file), Compression::new(level.min(9)));
        gz.write_all(body).map_err(io_err("write", &tmp))?;
        let file = gz
            .finish()
            .map_err(io_err("write", &tmp))?
            .into_inner()
            .map_err(|e| io_err("write", &tmp)(e.into_error()))?;
        file.sync_all().map_err(io_err("fsync", &tmp))?;
        drop(file);
        fs::rename(&tmp, path).map_err(io_err("rename", path))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result?;
    sync_dir(dir)
}
