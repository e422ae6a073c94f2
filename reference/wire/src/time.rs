//! Time as an input: [`Timestamp`] is what every call of the model and the endpoint core takes as
//! `now`. This module reads no clock; it only converts between the representations AWS uses.
//!
//! - DynamoDB, KMS and LookupEvents put timestamps on the wire as epoch **seconds** in a JSON number
//!   (`1552353132.722`), see [`Timestamp::epoch_seconds`].
//! - CloudTrail records carry `eventTime` as `YYYY-MM-DDTHH:MM:SSZ`, see [`Timestamp::event_time`].

use std::fmt;

use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch (UTC). Ordered, copyable, never read from a clock here.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Timestamp(pub u64);

/// Where every manual clock starts: 2019-03-11T00:00:00Z, the day of the blog's Athena partition.
pub const MANUAL_CLOCK_START: Timestamp = Timestamp(1_552_262_400_000);

/// One second, in the unit of [`Timestamp`].
pub const SECOND: u64 = 1_000;
/// One minute.
pub const MINUTE: u64 = 60 * SECOND;
/// One hour.
pub const HOUR: u64 = 60 * MINUTE;
/// One day.
pub const DAY: u64 = 24 * HOUR;

impl Timestamp {
    /// From milliseconds since the epoch.
    pub const fn from_millis(ms: u64) -> Self {
        Self(ms)
    }

    /// Milliseconds since the epoch.
    pub const fn millis(self) -> u64 {
        self.0
    }

    /// Epoch seconds as AWS's JSON protocols put them on the wire (`1552353132.722`).
    pub fn epoch_seconds(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// From epoch seconds as read from the wire; negative or non-finite values are `None`.
    pub fn from_epoch_seconds(secs: f64) -> Option<Self> {
        if !secs.is_finite() || secs < 0.0 {
            return None;
        }
        Some(Self((secs * 1000.0).round() as u64))
    }

    /// This time plus `ms` milliseconds (saturating).
    pub const fn plus(self, ms: u64) -> Self {
        Self(self.0.saturating_add(ms))
    }

    /// Milliseconds from `earlier` to `self`, zero if `earlier` is later.
    pub const fn since(self, earlier: Timestamp) -> u64 {
        self.0.saturating_sub(earlier.0)
    }

    /// Civil UTC date and time `(year, month, day, hour, minute, second)`.
    pub fn civil(self) -> (i64, u32, u32, u32, u32, u32) {
        let secs = (self.0 / 1000) as i64;
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        (
            y,
            m,
            d,
            (rem / 3600) as u32,
            ((rem % 3600) / 60) as u32,
            (rem % 60) as u32,
        )
    }

    /// CloudTrail's `eventTime` form, `2019-03-11T00:15:17Z` (second precision).
    pub fn event_time(self) -> String {
        let (y, mo, d, h, mi, s) = self.civil();
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    }

    /// ISO 8601 with milliseconds, `2026-10-09T23:13:00.402Z` (used in DynamoDB's quota message).
    pub fn iso_millis(self) -> String {
        let (y, mo, d, h, mi, s) = self.civil();
        let ms = self.0 % 1000;
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z")
    }

    /// Parses CloudTrail's `eventTime` form (`YYYY-MM-DDTHH:MM:SSZ`).
    pub fn parse_event_time(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[19] != b'Z' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
        let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
            return None;
        }
        let days = days_from_civil(y, mo as u32, d as u32);
        let secs = days * 86_400 + h * 3600 + mi * 60 + sec;
        u64::try_from(secs).ok().map(|s| Self(s * 1000))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.iso_millis())
    }
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The inverse of [`civil_from_days`].
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_start_is_the_blog_partition_day() {
        assert_eq!(MANUAL_CLOCK_START.event_time(), "2019-03-11T00:00:00Z");
    }

    #[test]
    fn event_time_round_trips() {
        for ms in [0, 1_552_353_132_000, 1_709_251_199_000, 4_102_444_800_000] {
            let t = Timestamp(ms);
            assert_eq!(Timestamp::parse_event_time(&t.event_time()), Some(t));
        }
        assert_eq!(Timestamp::parse_event_time("2019-13-01T00:00:00Z"), None);
        assert_eq!(Timestamp::parse_event_time("not a time"), None);
    }

    #[test]
    fn epoch_seconds_keep_milliseconds() {
        let t = Timestamp(1_552_353_132_722);
        assert!((t.epoch_seconds() - 1_552_353_132.722).abs() < 1e-6);
        assert_eq!(Timestamp::from_epoch_seconds(1_552_353_132.722), Some(t));
        assert_eq!(Timestamp::from_epoch_seconds(-1.0), None);
    }
}
