//! The CloudTrail S3 delivery layout: folder and file names.
//!
//! Does: build the object key of a log file
//! (`AWSLogs/<account>/CloudTrail/<region>/<YYYY>/<MM>/<DD>/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz`)
//! and recover the partition day of an existing file from its `YYYY/MM/DD` folders or, failing
//! that, from the delivery stamp in its name.
//! Does not: touch the file system (see `writer` and `files`).

use std::path::{Path, PathBuf};

use ddbsse_wire::time::{Day, Timestamp};

/// Length of the unique string at the end of a log file name.
pub const UNIQUE_LEN: usize = 16;

/// Suffix of every log file.
pub const LOG_SUFFIX: &str = ".json.gz";

/// Folder of the log files of one account and region, relative to the delivery root:
/// `AWSLogs/<account>/CloudTrail/<region>`.
pub fn region_folder(account: &str, region: &str) -> PathBuf {
    ["AWSLogs", account, "CloudTrail", region].iter().collect()
}

/// Folder of one day's log files, relative to the delivery root.
pub fn day_folder(account: &str, region: &str, day: Day) -> PathBuf {
    region_folder(account, region)
        .join(format!("{:04}", day.year))
        .join(format!("{:02}", day.month))
        .join(format!("{:02}", day.day))
}

/// The delivery stamp of a log file name: `YYYYMMDDTHHmmZ` (UTC, minute precision).
pub fn delivery_stamp(delivery_millis: u64) -> String {
    let (y, mo, d, h, mi, _) = Timestamp(delivery_millis).civil();
    format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}Z")
}

/// File name of a log file delivered at `delivery_millis`.
pub fn file_name(account: &str, region: &str, delivery_millis: u64, unique: &str) -> String {
    format!(
        "{account}_CloudTrail_{region}_{}_{unique}{LOG_SUFFIX}",
        delivery_stamp(delivery_millis)
    )
}

/// Object key (relative path) of a log file delivered at `delivery_millis`: the folder is the
/// UTC date of the delivery time, as CloudTrail does.
pub fn object_key(account: &str, region: &str, delivery_millis: u64, unique: &str) -> PathBuf {
    //= spec/trail.md#delivery-path
    //# A delivery file MUST be written at
    //# `AWSLogs/<account>/CloudTrail/<region>/<YYYY>/<MM>/<DD>/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz`
    //# below the delivery directory, where the date and time are the file's delivery time in UTC and
    //# `<unique>` is 16 characters from `[A-Za-z0-9]`.
    day_folder(account, region, Day::from_millis(delivery_millis)).join(file_name(
        account,
        region,
        delivery_millis,
        unique,
    ))
}

/// Whether `name` is a log file name a reader should open (ends in `.json.gz`, not a hidden
/// or temporary file).
pub fn is_log_file_name(name: &str) -> bool {
    name.ends_with(LOG_SUFFIX) && !name.starts_with('.')
}

/// The partition day of a log file: from its last three folders when they are `YYYY/MM/DD`,
/// otherwise from the `_YYYYMMDDTHHmmZ_` stamp in the file name; `None` when neither is present.
pub fn partition_day(path: &Path) -> Option<Day> {
    folder_day(path).or_else(|| stamp_day(path.file_name()?.to_str()?))
}

fn folder_day(path: &Path) -> Option<Day> {
    let mut parts = path
        .parent()?
        .components()
        .rev()
        .map(|c| c.as_os_str().to_str());
    let d = parts.next()??;
    let m = parts.next()??;
    let y = parts.next()??;
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    Day::from_digits(y.as_bytes(), m.as_bytes(), d.as_bytes())
}

fn stamp_day(name: &str) -> Option<Day> {
    // `<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz`
    let stamp = name.split('_').nth(3)?;
    let b = stamp.as_bytes();
    if b.len() != 14 || b[8] != b'T' || b[13] != b'Z' {
        return None;
    }
    Day::from_digits(&b[0..4], &b[4..6], &b[6..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_matches_the_documented_example_shape() {
        // 2015-08-01T02:10Z, the C-UG example's delivery time.
        let t = Timestamp::parse_event_time("2015-08-01T02:10:00Z")
            .expect("valid")
            .millis();
        let key = object_key("111122223333", "us-east-2", t, "Mu0KsOhtH1ar15ZZ");
        assert_eq!(
            key,
            Path::new(
                "AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz"
            )
        );
        assert_eq!(partition_day(&key), Day::new(2015, 8, 1));
        let bare = Path::new(key.file_name().expect("has a name"));
        assert_eq!(partition_day(bare), Day::new(2015, 8, 1));
        assert_eq!(delivery_stamp(t + 299_999), "20150801T0214Z");
    }

    #[test]
    fn hidden_and_other_files_are_not_log_files() {
        assert!(is_log_file_name("a_CloudTrail_r_20190311T0005Z_x.json.gz"));
        assert!(!is_log_file_name(".a.json.gz.tmp"));
        assert!(!is_log_file_name(".a.json.gz"));
        assert!(!is_log_file_name("a.json"));
    }
}
