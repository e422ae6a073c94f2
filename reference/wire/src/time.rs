//! Time as an input: [`Timestamp`] is what every call of the model and the endpoint core takes as
//! `now`. This module reads no clock; it only converts between the representations AWS uses.
//!
//! - DynamoDB, KMS and LookupEvents put timestamps on the wire as epoch **seconds** in a JSON number
//!   (`1552353132.722`), see [`Timestamp::epoch_seconds`].
//! - CloudTrail records carry `eventTime` as `YYYY-MM-DDTHH:MM:SSZ`, see [`Timestamp::event_time`]
//!   and [`Timestamp::parse_event_time`]; the delivery layout partitions by UTC [`Day`].
//!
//! It handles UTC only (no offsets, no leap seconds), years 0000-9999 for [`Day`].

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

    /// CloudTrail's form of a date inside `responseElements`, `Aug 10, 2022, 10:38:27 PM` (UTC,
    /// English month abbreviation, day without padding, 12-hour clock), as the KMS developer
    /// guide's `ct-*` examples show it (`spec/trail.md#response-elements`).
    pub fn response_date(self) -> String {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let (y, mo, d, h, mi, s) = self.civil();
        let month = MONTHS[(mo.clamp(1, 12) - 1) as usize];
        let (h12, half) = match h {
            0 => (12, "AM"),
            1..=11 => (h, "AM"),
            12 => (12, "PM"),
            _ => (h - 12, "PM"),
        };
        format!("{month} {d}, {y}, {h12}:{mi:02}:{s:02} {half}")
    }

    /// ISO 8601 with milliseconds, `2026-10-09T23:13:00.402Z` (used in DynamoDB's quota message).
    pub fn iso_millis(self) -> String {
        let (y, mo, d, h, mi, s) = self.civil();
        let ms = self.0 % 1000;
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z")
    }

    /// The UTC calendar day containing this time.
    pub fn day(self) -> Day {
        Day::from_millis(self.0)
    }

    /// Parses CloudTrail's `eventTime` form (`YYYY-MM-DDTHH:MM:SSZ`): a real calendar date, hours
    /// 00-23, minutes and seconds 00-59. `None` for any other shape (fractions, offsets, leap
    /// seconds). The trail reader calls this once per record, so it reads the digits directly.
    pub fn parse_event_time(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 20 || b[10] != b'T' || b[13] != b':' || b[16] != b':' || b[19] != b'Z' {
            return None;
        }
        let day = Day::parse(s.get(0..10)?)?;
        let (h, mi, sec) = (
            digits(&b[11..13])?,
            digits(&b[14..16])?,
            digits(&b[17..19])?,
        );
        if h > 23 || mi > 59 || sec > 59 {
            return None;
        }
        Some(Self(
            day.start_millis() + u64::from((h * 60 + mi) * 60 + sec) * SECOND,
        ))
    }
}

/// A calendar day (UTC), ordered chronologically: the `YYYY/MM/DD` partition of CloudTrail's
/// delivery layout, and the unit of the trail tools' `--date`, `--from` and `--to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day {
    /// Year, 0-9999.
    pub year: u16,
    /// Month, 1-12.
    pub month: u8,
    /// Day of month, 1-31.
    pub day: u8,
}

impl Day {
    /// Builds a day when the numbers form a real calendar date (years 0-9999).
    pub fn new(year: u16, month: u8, day: u8) -> Option<Day> {
        if year > 9999 || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month)
        {
            return None;
        }
        Some(Day { year, month, day })
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Day> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        Day::from_digits(&b[0..4], &b[5..7], &b[8..10])
    }

    /// A day from its year, month and day as ASCII digits (`b"2019"`, `b"03"`, `b"11"`); `None`
    /// when a part is not all digits or the date is not real.
    pub fn from_digits(year: &[u8], month: &[u8], day: &[u8]) -> Option<Day> {
        Day::new(
            u16::try_from(digits(year)?).ok()?,
            u8::try_from(digits(month)?).ok()?,
            u8::try_from(digits(day)?).ok()?,
        )
    }

    /// The day containing `millis` (milliseconds since the epoch).
    pub fn from_millis(millis: u64) -> Day {
        let (year, month, day) = civil_from_days((millis / DAY) as i64);
        Day {
            year: year as u16,
            month: month as u8,
            day: day as u8,
        }
    }

    /// Milliseconds since the epoch at 00:00:00Z of this day.
    pub fn start_millis(self) -> u64 {
        days_from_civil(
            i64::from(self.year),
            u32::from(self.month),
            u32::from(self.day),
        ) as u64
            * DAY
    }

    /// The next calendar day.
    pub fn next(self) -> Day {
        Day::from_millis(self.start_millis() + DAY)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// ASCII digits as a number; `None` for anything else (or more than 9 digits).
fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 {
        return None;
    }
    let mut n: u32 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(c - b'0');
    }
    Some(n)
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
    fn response_date_is_cloudtrails_form() {
        assert_eq!(
            Timestamp::from_millis(1_660_171_107_000).response_date(),
            "Aug 10, 2022, 10:38:27 PM"
        );
        assert_eq!(
            Timestamp::from_millis(1_618_185_900_000).response_date(),
            "Apr 12, 2021, 12:05:00 AM"
        );
    }

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
        for bad in [
            "2019-13-01T00:00:00Z",
            "not a time",
            "2019-03-11 00:00:00Z",
            "2019-02-29T00:00:00Z",
            "2019-03-11T24:00:00Z",
            "2019-03-11T00:00:60Z",
            "2019-03-11T00:00:00",
            "2019-03-11T00:00:00.000Z",
        ] {
            assert_eq!(Timestamp::parse_event_time(bad), None, "{bad}");
        }
        let t = Timestamp::parse_event_time("2019-03-11T00:00:00Z").expect("valid");
        assert_eq!(t, MANUAL_CLOCK_START);
        assert_eq!(t.plus(61 * SECOND).event_time(), "2019-03-11T00:01:01Z");
    }

    #[test]
    fn days_are_real_calendar_dates() {
        assert_eq!(
            MANUAL_CLOCK_START.plus(DAY - 1).day().to_string(),
            "2019-03-11"
        );
        assert_eq!(MANUAL_CLOCK_START.day().next().to_string(), "2019-03-12");
        assert_eq!(
            Timestamp(MANUAL_CLOCK_START.0 - 1).day().to_string(),
            "2019-03-10"
        );
        assert!(Day::parse("2020-02-29").is_some());
        assert!(Day::parse("2019-02-29").is_none());
        assert!(Day::parse("2019-13-01").is_none());
        let day = Day::parse("2019-03-11").expect("valid");
        assert_eq!(day.start_millis(), MANUAL_CLOCK_START.millis());
        assert_eq!(Day::from_digits(b"2019", b"03", b"11"), Some(day));
        assert_eq!(Day::from_digits(b"2019", b"3", b"x1"), None);
    }

    #[test]
    fn epoch_seconds_keep_milliseconds() {
        let t = Timestamp(1_552_353_132_722);
        assert!((t.epoch_seconds() - 1_552_353_132.722).abs() < 1e-6);
        assert_eq!(Timestamp::from_epoch_seconds(1_552_353_132.722), Some(t));
        assert_eq!(Timestamp::from_epoch_seconds(-1.0), None);
    }
}
