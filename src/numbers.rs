//! Numbers as the vendor formats them: `nice_number`, amounts with `Nice_Number_Digits`
//! decimals.

use crate::settings::Settings;

/// An amount as the vendor's `nice_number` shows it: fixed decimals per `Nice_Number_Digits`.
pub fn nice_number(value: f64, settings: &Settings) -> Nice {
    let digits = settings
        .system_int(crate::settings::NICE_NUMBER_DIGITS, 2)
        .clamp(0, 10) as usize;
    Nice::new(value, digits)
}

/// A number with fixed decimals, rounded as Rust's `{:.N}` rounds it (the exact binary value
/// to the nearest, ties to even), sign included as printf (and MOR) print it: -0.004 is
/// `-0.00`. Written on the stack: an answer shows several amounts, and this is on every
/// read's path.
pub struct Nice {
    buf: [u8; 32],
    len: u8,
    /// Values the stack form does not cover (huge, not finite, or a near-tie), by `fmt`.
    slow: Option<String>,
}

impl Nice {
    /// `value` with `digits` (at most 10) decimals.
    pub fn new(value: f64, digits: usize) -> Nice {
        let mut nice = Nice {
            buf: [0; 32],
            len: 0,
            slow: None,
        };
        if !nice.fast(value, digits) {
            nice.slow = Some(format!("{value:.digits$}"));
        }
        nice
    }

    /// Scales by 10^digits and rounds in floating point, which is exact here: below 2^40 the
    /// product is off by at most 2^-13, so unless its fraction is within 10^-3 of one half it
    /// rounds to the same integer as the exact value. Anything else is left to `fmt`.
    fn fast(&mut self, value: f64, digits: usize) -> bool {
        const POW10: [f64; 11] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];
        let Some(scale) = POW10.get(digits) else {
            return false;
        };
        let m = value * scale;
        if !m.is_finite() || m.abs() >= (1u64 << 40) as f64 {
            return false;
        }
        let frac = m - m.floor();
        if (frac - 0.5).abs() < 1e-3 {
            return false;
        }
        let n = m.round() as i64;
        // Digits from the right, the point after `digits` of them, at least one before it.
        let mut at = self.buf.len();
        let mut v = n.unsigned_abs();
        let mut written = 0;
        while v > 0 || written <= digits {
            if written == digits && digits > 0 {
                at -= 1;
                self.buf[at] = b'.';
            }
            at -= 1;
            self.buf[at] = b'0' + (v % 10) as u8;
            v /= 10;
            written += 1;
        }
        // The sign of the value, not of the rounded digits: printf's `%.2f` of -0.004 is -0.00.
        if value.is_sign_negative() {
            at -= 1;
            self.buf[at] = b'-';
        }
        self.buf.copy_within(at.., 0);
        self.len = (self.buf.len() - at) as u8;
        true
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.slow {
            Some(s) => s,
            None => std::str::from_utf8(&self.buf[..self.len as usize]).unwrap_or_default(),
        }
    }
}

impl std::ops::Deref for Nice {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Display for Nice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An integer's decimal digits, written on the stack.
#[derive(Default)]
pub struct Digits {
    buf: [u8; 20],
}

impl Digits {
    /// The digits of `n`, with a `-` when negative.
    pub fn of(&mut self, n: i64) -> &str {
        let mut at = self.buf.len();
        let mut v = n.unsigned_abs();
        loop {
            at -= 1;
            self.buf[at] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        if n < 0 {
            at -= 1;
            self.buf[at] = b'-';
        }
        std::str::from_utf8(&self.buf[at..]).unwrap_or_default()
    }
}

/// A double as REAL text: the shortest decimal text that reads back as the same double, `.0`
/// on whole numbers, exponent form from 1e16 and below 1e-4 (`1.0e+20`, `1.0e-05`): Ruby's
/// `Float#to_s`, which MOR's answers and audit rows use (SQLite's own `CAST(x AS TEXT)` is not
/// always the shortest: `0.80000000000000071` for 12.5 − 11.7, which Ruby prints
/// `0.8000000000000007`).
pub fn real_text(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    if x == 0.0 {
        return format!("{sign}0.0");
    }
    // Rust's `{:e}` gives the shortest round-trip digits: `d[.ddd]e[-]N`.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    // Where the decimal point falls after the first digit's place (Ruby's `decpt`).
    let decpt = exp + 1;
    let n = digits.len() as i32;
    if decpt > -4 && decpt <= 16 {
        if decpt <= 0 {
            format!("{sign}0.{}{digits}", "0".repeat((-decpt) as usize))
        } else if decpt >= n {
            format!("{sign}{digits}{}.0", "0".repeat((decpt - n) as usize))
        } else {
            let (int, frac) = digits.split_at(decpt as usize);
            format!("{sign}{int}.{frac}")
        }
    } else {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        format!(
            "{sign}{first}.{rest}e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        )
    }
}

/// A double rounded to `n` decimals as the rating calls show prices (docs/calls.md): half away
/// from zero, done in decimal on the shortest decimal text of the double (`0.125` → `0.13`,
/// which binary rounding would make `0.12`), written with exactly `n` decimals (`0.00`,
/// `4.0000`). A zero result has no sign.
pub fn fixed(x: f64, n: usize) -> String {
    if !x.is_finite() {
        return real_text(x);
    }
    // Rust's `{}` of an f64 is its shortest round-trip text, never in exponent form.
    let text = format!("{}", x.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut digits: Vec<u8> = int
        .bytes()
        .chain(frac.bytes().chain(std::iter::repeat(b'0')).take(n))
        .collect();
    if frac.as_bytes().get(n).is_some_and(|d| *d >= b'5') {
        // Carry from the last kept digit leftwards.
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, b'1');
                break;
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let split = digits.len() - n;
    let mut out = String::with_capacity(digits.len() + 2);
    if x < 0.0 && digits.iter().any(|d| *d != b'0') {
        out.push('-');
    }
    out.push_str(std::str::from_utf8(&digits[..split]).unwrap_or("0"));
    if n > 0 {
        out.push('.');
        out.push_str(std::str::from_utf8(&digits[split..]).unwrap_or(""));
    }
    out
}

/// [`fixed`], then as short as it goes with one decimal at least (`0.12`, `0.1`, `5.0`): the
/// "rounded" price format of the rating calls (docs/calls.md).
pub fn rounded(x: f64, n: usize) -> String {
    let mut s = fixed(x, n);
    if n == 0 {
        s.push_str(".0");
        return s;
    }
    while s.ends_with('0') && !s.ends_with(".0") {
        s.pop();
    }
    s
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
    fn rating_formats_round_half_away_in_decimal() {
        assert_eq!(fixed(0.125, 2), "0.13");
        assert_eq!(fixed(0.0517, 2), "0.05");
        assert_eq!(fixed(0.025, 2), "0.03");
        assert_eq!(fixed(0.0723, 2), "0.07");
        assert_eq!(fixed(0.0, 2), "0.00");
        assert_eq!(fixed(4.0, 4), "4.0000");
        assert_eq!(fixed(0.4832, 4), "0.4832");
        assert_eq!(fixed(9.995, 2), "10.00");
        assert_eq!(fixed(-0.004, 2), "0.00");
        assert_eq!(fixed(-1.005, 2), "-1.01");
        assert_eq!(fixed(1e20, 2), "100000000000000000000.00");
        assert_eq!(fixed(2.5, 0), "3");
        assert_eq!(rounded(0.124, 2), "0.12");
        assert_eq!(rounded(0.1, 4), "0.1");
        assert_eq!(rounded(5.0, 4), "5.0");
        assert_eq!(rounded(0.0, 2), "0.0");
        assert_eq!(rounded(0.025, 2), "0.03");
    }

    #[test]
    fn real_text_is_rubys_float_to_s() {
        for (x, want) in [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (3.0, "3.0"),
            (12.5, "12.5"),
            (100.0, "100.0"),
            (12.5 - 11.7, "0.8000000000000007"),
            (0.1 + 0.2, "0.30000000000000004"),
            (12.5 + 100.0 / 0.9, "123.61111111111111"),
            (0.123456789012345, "0.123456789012345"),
            (-1234.5, "-1234.5"),
            (1e15, "1000000000000000.0"),
            (9999999999999998.0, "9999999999999998.0"),
            (1e16, "1.0e+16"),
            (1e20, "1.0e+20"),
            (1.5e300, "1.5e+300"),
            (0.0001, "0.0001"),
            (0.00012, "0.00012"),
            (0.00001, "1.0e-05"),
            (1.25e-7, "1.25e-07"),
            (-2.5e-10, "-2.5e-10"),
        ] {
            assert_eq!(real_text(x), want, "{x:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn real_text_reads_back_as_the_same_double(bits in proptest::num::u64::ANY) {
            let x = f64::from_bits(bits);
            proptest::prop_assume!(x.is_finite());
            let text = real_text(x);
            let back: f64 = text.replace("e+", "e").parse().unwrap();
            proptest::prop_assert_eq!(back.to_bits(), x.to_bits(), "{}", text);
        }
    }

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
        assert_eq!(nice_number(12.5, &s).to_string(), "12.50");
        assert_eq!(nice_number(-0.001, &s).to_string(), "-0.00");
        assert_eq!(nice_number(-0.004, &s).to_string(), "-0.00");
        assert_eq!(nice_number(-0.005, &s).to_string(), "-0.01");
        assert_eq!(nice_number(0.0, &s).to_string(), "0.00");
        assert_eq!(nice_number(-7.5, &s).to_string(), "-7.50");
        let s3 = Settings::from_rows(0, [(0, "Nice_Number_Digits".into(), "3".into())]);
        assert_eq!(nice_number(42.1234, &s3).to_string(), "42.123");
    }

    /// What `Nice` must equal: Rust's own fixed formatting (printf's, sign included).
    fn by_fmt(value: f64, digits: usize) -> String {
        format!("{value:.digits$}")
    }

    #[test]
    fn nice_edges_match_fmt() {
        for v in [
            0.0,
            -0.0,
            0.125,
            0.375,
            2.5,
            -2.5,
            0.005,
            1.005,
            0.015,
            1e12,
            -1e12,
            1e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            1099511627775.5,
            0.49999999,
            99.995,
            -99.995,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            123456.789,
            -0.0049,
        ] {
            for d in 0..=10 {
                assert_eq!(Nice::new(v, d).to_string(), by_fmt(v, d), "{v} with {d}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn nice_matches_fmt_anywhere(bits in proptest::num::u64::ANY, d in 0usize..=10) {
            let v = f64::from_bits(bits);
            proptest::prop_assert_eq!(Nice::new(v, d).to_string(), by_fmt(v, d));
        }

        #[test]
        fn nice_matches_fmt_for_amounts(cents in -10_000_000_000i64..10_000_000_000, div in 1u32..6, d in 0usize..=10) {
            // Amounts as they are stored: decimal fractions, and exact halves and quarters.
            let v = cents as f64 / 10f64.powi(div as i32);
            proptest::prop_assert_eq!(Nice::new(v, d).to_string(), by_fmt(v, d));
            let h = cents as f64 / 8.0;
            proptest::prop_assert_eq!(Nice::new(h, d).to_string(), by_fmt(h, d));
        }
    }
}
