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
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let t = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        t / 3600,
        t / 60 % 60,
        t % 60
    )
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
