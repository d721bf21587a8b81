//! Calendar dates in UTC without a date crate: today's date for answers, timestamps for the
//! audit log, and the check that three-part dates from a request are real days.

use std::time::{SystemTime, UNIX_EPOCH};

/// Today's date in UTC, `YYYY-MM-DD`.
pub fn today() -> String {
    now()[..10].to_string()
}

/// The current UTC time, `YYYY-MM-DD HH:MM:SS`.
pub fn now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    text(secs as i64)
}

/// A unix time as UTC `YYYY-MM-DD HH:MM:SS` (before 1970: 1970-01-01 00:00:00).
pub fn text(secs: i64) -> String {
    let [y, m, d, hh, mm, ss] = utc_fields(secs.max(0) as u64);
    format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}")
}

/// Seconds since 1970-01-01 UTC as (year, month, day, hour, minute, second).
pub fn utc_fields(secs: u64) -> [u64; 6] {
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let t = secs % 86_400;
    [y as u64, m as u64, d as u64, t / 3600, t / 60 % 60, t % 60]
}

/// Whether year, month and day form a real date (Gregorian, years 1–9999).
pub fn is_real_date(y: i64, m: i64, d: i64) -> bool {
    if !(1..=9999).contains(&y) || !(1..=12).contains(&m) || d < 1 {
        return false;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    d <= days
}

/// Howard Hinnant's days-to-civil: days since 1970-01-01 to (year, month, day).
/// The unix time of a `YYYY-MM-DD HH:MM:SS` text (UTC) when it is one real moment, with
/// whether that day is a work day (Monday to Friday).
pub fn parse_datetime(text: &str) -> Option<(i64, bool)> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b' '
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (hh, mm, ss) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    if !is_real_date(y, m, d) || hh > 23 || mm > 59 || ss > 59 {
        return None;
    }
    let days = days_from_civil(y, m, d);
    // 1970-01-01 was a Thursday (weekday 3, Monday being 0).
    let weekday = (days + 3).rem_euclid(7);
    Some((days * 86_400 + hh * 3600 + mm * 60 + ss, weekday < 5))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn datetimes_read_back() {
        assert_eq!(
            super::parse_datetime("2024-03-01 00:00:00"),
            Some((1_709_251_200, true))
        );
        // A Saturday.
        assert_eq!(
            super::parse_datetime("2024-03-02 08:00:00"),
            Some((1_709_366_400, false))
        );
        for bad in [
            "2024-02-30 00:00:00",
            "2024-03-01",
            "2024-03-01 24:00:00",
            "2024/03/01 00:00:00",
            "+024-03-01 00:00:00",
        ] {
            assert_eq!(super::parse_datetime(bad), None, "{bad}");
        }
    }

    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn real_dates() {
        assert!(is_real_date(2024, 2, 29));
        assert!(!is_real_date(2023, 2, 29));
        assert!(!is_real_date(1900, 2, 29));
        assert!(is_real_date(2000, 2, 29));
        assert!(!is_real_date(2023, 4, 31));
        assert!(!is_real_date(2023, 13, 1));
        assert!(!is_real_date(0, 1, 1));
    }

    #[test]
    fn now_shape() {
        let n = now();
        assert_eq!(n.len(), 19);
        assert_eq!(&n[4..5], "-");
        assert_eq!(today(), n[..10]);
    }
}
