//! Calendar dates for the rotation policy: whole days since 1970-01-01, UTC.
//!
//! keyfence needs only day arithmetic (ages, due dates) and parsing of
//! `YYYY-MM-DD` and RFC 3339 timestamps, so it carries these few civil-date
//! conversions rather than a date library.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds in a day.
const DAY: i64 = 86_400;

/// A calendar day (proleptic Gregorian, UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i64);

impl Date {
    /// The day `days` days after 1970-01-01.
    pub const fn from_days(days: i64) -> Date {
        Date(days)
    }

    /// Days since 1970-01-01.
    pub const fn days(self) -> i64 {
        self.0
    }

    /// A date from its parts; `None` when the day does not exist (2026-02-30).
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date(days_from_civil(
            i64::from(year),
            i64::from(month),
            i64::from(day),
        )))
    }

    /// Year, month (1-12) and day (1-31).
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    /// The UTC day holding a Unix time (seconds).
    pub fn from_unix(secs: i64) -> Date {
        Date(secs.div_euclid(DAY))
    }

    /// Today, from the system clock, in UTC.
    pub fn today() -> Date {
        Date::from_unix(unix_now())
    }

    /// This date moved by `days` (negative moves back).
    pub fn add_days(self, days: i64) -> Date {
        Date(self.0 + days)
    }

    /// Days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        later.0 - self.0
    }

    /// Parses `YYYY-MM-DD`, or an RFC 3339 timestamp (`2026-01-02T03:04:05+02:00`,
    /// `…Z`, fractional seconds allowed, a space instead of `T` too), whose UTC day
    /// is returned.
    pub fn parse(text: &str) -> Option<Date> {
        let t = text.trim();
        let date = Date::parse_ymd(t.get(..10)?)?;
        let rest = &t[10..];
        if rest.is_empty() {
            return Some(date);
        }
        let rest = rest.strip_prefix(['T', 't', ' '])?;
        let (hms, zone) = split_zone(rest)?;
        let mut parts = hms.splitn(3, ':');
        let h: i64 = parts.next()?.parse().ok()?;
        let m: i64 = parts.next()?.parse().ok()?;
        let s_text = parts.next()?;
        let s: i64 = s_text.split('.').next()?.parse().ok()?;
        if h > 23 || m > 59 || s > 60 {
            return None;
        }
        let secs = date.0 * DAY + h * 3600 + m * 60 + s - zone;
        Some(Date::from_unix(secs))
    }

    fn parse_ymd(t: &str) -> Option<Date> {
        let b = t.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        Date::from_ymd(
            t[..4].parse().ok()?,
            t[5..7].parse().ok()?,
            t[8..10].parse().ok()?,
        )
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// Seconds since the Unix epoch from the system clock (0 if the clock is before it).
fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The current time as RFC 3339 in UTC, to the second: `2026-03-01T12:00:00Z`.
pub fn now_rfc3339() -> String {
    rfc3339(unix_now())
}

/// A Unix time as RFC 3339 in UTC.
pub fn rfc3339(secs: i64) -> String {
    let day = Date::from_unix(secs);
    let s = secs.rem_euclid(DAY);
    format!(
        "{day}T{:02}:{:02}:{:02}Z",
        s / 3600,
        (s % 3600) / 60,
        s % 60
    )
}

/// Splits `HH:MM:SS[.f]` from its zone; returns the zone offset in seconds east of UTC.
fn split_zone(rest: &str) -> Option<(&str, i64)> {
    if let Some(hms) = rest.strip_suffix(['Z', 'z']) {
        return Some((hms, 0));
    }
    let i = rest.rfind(['+', '-'])?;
    let (hms, zone) = rest.split_at(i);
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let (zh, zm) = zone[1..].split_once(':')?;
    let zh: i64 = zh.parse().ok()?;
    let zm: i64 = zm.parse().ok()?;
    Some((hms, sign * (zh * 3600 + zm * 60)))
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y as i32, m as u32, d as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        assert_eq!(Date::from_ymd(1970, 1, 1), Some(Date(0)));
        assert_eq!(Date::from_ymd(2000, 3, 1).map(Date::days), Some(11_017));
        for days in [-800_000, -1, 0, 59, 60, 11_016, 20_000, 2_000_000] {
            let (y, m, d) = Date(days).ymd();
            assert_eq!(Date::from_ymd(y, m, d), Some(Date(days)), "{days}");
        }
        assert_eq!(
            Date::from_ymd(2024, 2, 29).map(|d| d.ymd()),
            Some((2024, 2, 29))
        );
        assert_eq!(Date::from_ymd(2026, 2, 29), None);
        assert_eq!(Date::from_ymd(2026, 4, 31), None);
        assert_eq!(Date::from_ymd(2026, 13, 1), None);
    }

    #[test]
    fn parses_dates_and_timestamps_to_utc_days() {
        let d = |s| Date::parse(s).map(|d| d.to_string());
        assert_eq!(d("2026-01-02"), Some("2026-01-02".into()));
        assert_eq!(d("2026-01-02T03:04:05Z"), Some("2026-01-02".into()));
        assert_eq!(d("2026-01-02T03:04:05+05:00"), Some("2026-01-01".into()));
        assert_eq!(
            d("2026-01-02T22:04:05.123-03:00"),
            Some("2026-01-03".into())
        );
        assert_eq!(d("2026-01-02 10:00:00+00:00"), Some("2026-01-02".into()));
        assert_eq!(d("2026-02-30"), None);
        assert_eq!(d("yesterday"), None);
        assert_eq!(d("2026-01-02T10:00"), None);
    }

    #[test]
    fn arithmetic_and_formatting() {
        let a = Date::from_ymd(2025, 12, 20).expect("date");
        assert_eq!(a.add_days(14).to_string(), "2026-01-03");
        assert_eq!(a.days_until(a.add_days(-3)), -3);
        assert_eq!(Date::from_unix(-1).to_string(), "1969-12-31");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
    }
}
