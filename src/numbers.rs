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

#[cfg(test)]
mod tests {
    use super::*;

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
