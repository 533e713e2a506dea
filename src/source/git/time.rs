//! Dates: RFC 3339 for commit provenance, and the `--since`/`--until` forms
//! (`YYYY-MM-DD` or RFC 3339). No time zone database: a commit carries its own
//! offset, and a bare date means midnight UTC.

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// RFC 3339 for seconds since the epoch shown at an offset east of UTC:
/// `2026-01-02T05:04:05+02:00`.
pub fn format_rfc3339(seconds: i64, offset_minutes: i32) -> String {
    let local = seconds + i64::from(offset_minutes) * 60;
    let (y, mo, d) = civil_from_days(local.div_euclid(86_400));
    let rem = local.rem_euclid(86_400);
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let off = offset_minutes.unsigned_abs();
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        off / 60,
        off % 60
    )
}

/// Which end of a day a bare date stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayEnd {
    /// Midnight at its start (for `--since`).
    Start,
    /// The last second of the day (for `--until`).
    End,
}

/// Parses `YYYY-MM-DD` (UTC, at the given end of the day) or RFC 3339
/// (`2026-01-02T03:04:05Z`, `…+02:00`, fractional seconds ignored) into
/// seconds since the epoch.
pub fn parse_date(text: &str, end: DayEnd) -> Option<i64> {
    let s = text.trim();
    let num = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let date = s.get(..10)?;
    let mut parts = date.splitn(3, '-');
    let year = i64::from(num(parts.next()?)?);
    let month = num(parts.next()?)?;
    let day = num(parts.next()?)?;
    if date.len() != 10 || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let rest = &s[10..];
    if rest.is_empty() {
        return Some(days * 86_400 + if end == DayEnd::End { 86_399 } else { 0 });
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (h, m, sec) = (
        num(rest.get(..2)?)?,
        num(rest.get(3..5)?)?,
        num(rest.get(6..8)?)?,
    );
    if rest.get(2..3)? != ":" || rest.get(5..6)? != ":" || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let mut zone = &rest[8..];
    if let Some(frac) = zone.strip_prefix('.') {
        zone = frac.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match zone {
        "Z" | "z" => 0,
        _ => {
            let sign = match zone.get(..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            let (oh, om) = (num(zone.get(1..3)?)?, num(zone.get(4..6)?)?);
            if zone.get(3..4)? != ":" || zone.len() != 6 || oh > 23 || om > 59 {
                return None;
            }
            sign * i64::from(oh * 60 + om)
        }
    };
    Some(days * 86_400 + i64::from(h * 3600 + m * 60 + sec) - offset * 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_the_commit_offset() {
        assert_eq!(format_rfc3339(0, 0), "1970-01-01T00:00:00+00:00");
        assert_eq!(
            format_rfc3339(1_700_000_000, 0),
            "2023-11-14T22:13:20+00:00"
        );
        assert_eq!(
            format_rfc3339(1_700_000_000, 120),
            "2023-11-15T00:13:20+02:00"
        );
        assert_eq!(
            format_rfc3339(1_700_000_000, -330),
            "2023-11-14T16:43:20-05:30"
        );
        assert_eq!(format_rfc3339(-1, 0), "1969-12-31T23:59:59+00:00");
    }

    #[test]
    fn parses_dates_and_rfc3339() {
        assert_eq!(parse_date("1970-01-02", DayEnd::Start), Some(86_400));
        assert_eq!(parse_date("1970-01-01", DayEnd::End), Some(86_399));
        assert_eq!(
            parse_date("2023-11-14T22:13:20Z", DayEnd::Start),
            Some(1_700_000_000)
        );
        assert_eq!(
            parse_date("2023-11-15T00:13:20.123+02:00", DayEnd::Start),
            Some(1_700_000_000)
        );
        for bad in [
            "",
            "2023-13-01",
            "2023-1-01",
            "yesterday",
            "2023-11-14T25:00:00Z",
            "2023-11-14T10:00:00",
        ] {
            assert_eq!(parse_date(bad, DayEnd::Start), None, "{bad}");
        }
    }

    #[test]
    fn round_trips_days() {
        for d in [-800_000, -1, 0, 1, 59, 60, 365, 11_016, 20_000, 2_000_000] {
            let (y, m, day) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, day), d);
        }
    }
}
