//! Numbers as the vendor formats them: `nice_number`, amounts with `Nice_Number_Digits`
//! decimals.

use crate::settings::Settings;

/// An amount as the vendor's `nice_number` shows it: fixed decimals per `Nice_Number_Digits`.
pub fn nice_number(value: f64, settings: &Settings) -> String {
    let digits = settings
        .system_int(crate::settings::NICE_NUMBER_DIGITS, 2)
        .clamp(0, 10) as usize;
    let s = format!("{value:.digits$}");
    // -0.00 reads as a debt of nothing; show it as 0.00.
    if s.starts_with('-') && s[1..].bytes().all(|b| b == b'0' || b == b'.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// An amount as the accounts calls accept it: `^[+-]?(\d+(\.\d*)?|\.\d+)$`, `.` as the
/// decimal mark, nothing else (no blanks, no exponent); `None` otherwise.
pub fn parse_amount(v: &str) -> Option<f64> {
    let digits = v.strip_prefix(['+', '-']).unwrap_or(v);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let ok = all_digits(int)
        && frac.is_none_or(all_digits)
        && (!int.is_empty() || frac.is_some_and(|f| !f.is_empty()));
    if !ok {
        return None;
    }
    v.parse::<f64>().ok().filter(|x| x.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        for (v, want) in [
            ("7.5", Some(7.5)),
            ("-3", Some(-3.0)),
            ("+10.", Some(10.0)),
            (".5", Some(0.5)),
            ("100.0", Some(100.0)),
        ] {
            assert_eq!(parse_amount(v), want, "{v}");
        }
        for v in [
            "", "abc", "1e3", " 1", "1,5", ".", "-", "+.", "1.2.3", "0x10", "inf",
        ] {
            assert_eq!(parse_amount(v), None, "{v}");
        }
    }

    #[test]
    fn nice_numbers() {
        let s = Settings::default();
        assert_eq!(nice_number(12.5, &s), "12.50");
        assert_eq!(nice_number(-0.001, &s), "0.00");
        assert_eq!(nice_number(-7.5, &s), "-7.50");
        let s3 = Settings::from_rows(0, [(0, "Nice_Number_Digits".into(), "3".into())]);
        assert_eq!(nice_number(42.1234, &s3), "42.123");
    }
}
