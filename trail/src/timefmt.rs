//! UTC calendar arithmetic for CloudTrail timestamps, without reading any clock.
//!
//! Does: parse `eventTime` (`YYYY-MM-DDTHH:MM:SSZ`) into milliseconds since the Unix epoch,
//! format milliseconds back into `eventTime` and into the delivery stamp of a file name
//! (`YYYYMMDDTHHmmZ`), and convert between epoch days and calendar dates ([`Day`]).
//! Does not: handle time zones other than `Z`, leap seconds, or years outside 0000-9999.

use std::fmt;

const MILLIS_PER_DAY: u64 = 86_400_000;

/// A calendar day (UTC), ordered chronologically.
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
    /// Builds a day when the numbers form a real calendar date.
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
        Day::new(
            digits(&b[0..4])? as u16,
            digits(&b[5..7])? as u8,
            digits(&b[8..10])? as u8,
        )
    }

    /// The day containing `millis` (milliseconds since the epoch).
    pub fn from_millis(millis: u64) -> Day {
        let (year, month, day) = civil_from_days((millis / MILLIS_PER_DAY) as i64);
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
            * MILLIS_PER_DAY
    }

    /// The next calendar day.
    pub fn next(self) -> Day {
        Day::from_millis(self.start_millis() + MILLIS_PER_DAY)
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

/// Parses ASCII digits; `None` for anything else.
pub(crate) fn digits(b: &[u8]) -> Option<u32> {
    let mut n: u32 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(c - b'0');
    }
    Some(n)
}

/// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Parses a CloudTrail `eventTime` (`YYYY-MM-DDTHH:MM:SSZ`) into milliseconds since the epoch.
/// Returns `None` for any other shape or an impossible date or time.
pub fn parse_event_time(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() != 20 || b[10] != b'T' || b[13] != b':' || b[16] != b':' || b[19] != b'Z' {
        return None;
    }
    let day = Day::parse(&s[0..10])?;
    let (h, m, sec) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    Some(day.start_millis() + u64::from((h * 60 + m) * 60 + sec) * 1000)
}

/// Formats milliseconds since the epoch as a CloudTrail `eventTime` (`YYYY-MM-DDTHH:MM:SSZ`).
pub fn format_event_time(millis: u64) -> String {
    let day = Day::from_millis(millis);
    let secs = (millis % MILLIS_PER_DAY) / 1000;
    format!(
        "{day}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

/// Formats milliseconds since the epoch as the delivery stamp of a log file name
/// (`YYYYMMDDTHHmmZ`, UTC, minute precision).
pub fn format_delivery_stamp(millis: u64) -> String {
    let day = Day::from_millis(millis);
    let mins = (millis % MILLIS_PER_DAY) / 60_000;
    format!(
        "{:04}{:02}{:02}T{:02}{:02}Z",
        day.year,
        day.month,
        day.day,
        mins / 60,
        mins % 60
    )
}

/// Parses a duration such as `30s`, `5m`, `1h` or `1d` into milliseconds (must be > 0).
pub fn parse_interval(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
    let n: u64 = num.parse().ok()?;
    let unit_ms = match unit {
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => MILLIS_PER_DAY,
        _ => return None,
    };
    n.checked_mul(unit_ms).filter(|&ms| ms > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_the_design_clock_start() {
        let t = parse_event_time("2019-03-11T00:00:00Z").expect("valid");
        assert_eq!(t, 1_552_262_400_000);
        assert_eq!(format_event_time(t + 61_000), "2019-03-11T00:01:01Z");
        assert_eq!(format_delivery_stamp(t + 300_000), "20190311T0005Z");
        assert_eq!(Day::from_millis(t - 1).to_string(), "2019-03-10");
    }

    #[test]
    fn refuses_malformed_times_and_dates() {
        for bad in [
            "2019-03-11 00:00:00Z",
            "2019-02-29T00:00:00Z",
            "2019-03-11T24:00:00Z",
            "2019-03-11T00:00:00",
            "2019-03-11T00:00:00.000Z",
        ] {
            assert_eq!(parse_event_time(bad), None, "{bad}");
        }
        assert!(Day::parse("2020-02-29").is_some());
        assert!(Day::parse("2019-13-01").is_none());
    }

    #[test]
    fn parses_intervals() {
        assert_eq!(parse_interval("5m"), Some(300_000));
        assert_eq!(parse_interval("30s"), Some(30_000));
        assert_eq!(parse_interval("0m"), None);
        assert_eq!(parse_interval("5x"), None);
        assert_eq!(parse_interval("m"), None);
    }
}
