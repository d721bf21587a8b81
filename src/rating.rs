//! The pricing rule the call tools use (docs/calls.md, ours: a fair model of MOR's rating, not
//! a copy): which price band applies at a moment, and what a call of some billed seconds costs
//! by a wholesale band or by a retail tariff's bands.

use crate::store::rates::{Bands, RetailBand, WholesaleBand};

/// The dispositions a call ends in, with the cause (Q.850) each gets when none is given.
pub const DISPOSITIONS: [(&str, i64); 4] = [
    ("ANSWERED", 16),
    ("NO ANSWER", 19),
    ("BUSY", 17),
    ("FAILED", 34),
];

/// What a call of `billsec` seconds at `time` (`HH:MM:SS`) on a work day or not costs by a
/// tariff's bands, in the default currency (`currency_rate`: units of the tariff's currency per
/// one of the default): (the per-minute rate that applies, the price); `None` when no band
/// applies at that moment.
pub fn price(
    bands: &Bands,
    currency_rate: f64,
    time: &str,
    work_day: bool,
    billsec: i64,
) -> Option<(f64, f64)> {
    let (per_minute, amount) = match bands {
        Bands::Wholesale(all) => {
            let b = all
                .iter()
                .find(|b| applies(&b.start_time, &b.end_time, &b.daytype, time, work_day))?;
            (b.rate, wholesale_price(b, billsec))
        }
        Bands::Retail(all) => {
            let applying: Vec<&RetailBand> = all
                .iter()
                .filter(|b| applies(&b.start_time, &b.end_time, &b.daytype, time, work_day))
                .collect();
            (applying.first()?.price, retail_price(&applying, billsec))
        }
    };
    Some((per_minute / currency_rate, amount / currency_rate))
}

/// Whether a band of `start_time`–`end_time` (`HH:MM:SS`, inclusive) and `daytype` (''
/// every day, `WD` Monday to Friday, `FD` Saturday and Sunday) applies at `time` on a day that
/// is a work day or not.
pub fn applies(start: &str, end: &str, daytype: &str, time: &str, work_day: bool) -> bool {
    let day = match daytype {
        "WD" => work_day,
        "FD" => !work_day,
        _ => true,
    };
    day && start <= time && time <= end
}

/// A wholesale band's price for a call of `billsec` seconds: billed seconds are 0 for an
/// unanswered call, else the seconds rounded up to the increment and at least the minimum;
/// the rate is per minute; the connection fee is charged when the call was answered.
pub fn wholesale_price(band: &WholesaleBand, billsec: i64) -> f64 {
    if billsec <= 0 {
        return 0.0;
    }
    let step = band.increment_s.max(1);
    let billed = ((billsec + step - 1) / step * step).max(band.min_time);
    band.rate * billed as f64 / 60.0 + band.connection_fee
}

/// A retail tariff's price for `billsec` seconds by its bands: the seconds rounded up to the
/// first band's rounding; each `minute` band, from its minute `from` for `duration` minutes
/// (-1: to the end), adds its price per minute of the call inside it; an `event` band adds its
/// price once.
pub fn retail_price(bands: &[&RetailBand], billsec: i64) -> f64 {
    if billsec <= 0 || bands.is_empty() {
        return 0.0;
    }
    let round = bands[0].round.max(1);
    let billed = (billsec + round - 1) / round * round;
    let minutes = billed as f64 / 60.0;
    bands
        .iter()
        .map(|b| match b.artype.as_str() {
            "event" => b.price,
            _ => {
                let start = (b.from - 1).max(0) as f64;
                let end = if b.duration < 0 {
                    f64::INFINITY
                } else {
                    start + b.duration as f64
                };
                let part = (minutes.min(end) - start).max(0.0);
                b.price * part
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wholesale(rate: f64, fee: f64, increment_s: i64, min_time: i64) -> WholesaleBand {
        WholesaleBand {
            rate,
            connection_fee: fee,
            increment_s,
            min_time,
            start_time: "00:00:00".into(),
            end_time: "23:59:59".into(),
            daytype: String::new(),
        }
    }

    fn retail(from: i64, duration: i64, artype: &str, round: i64, price: f64) -> RetailBand {
        RetailBand {
            duration,
            artype: artype.into(),
            round,
            price,
            start_time: "00:00:00".into(),
            end_time: "23:59:59".into(),
            daytype: String::new(),
            from,
        }
    }

    #[test]
    fn wholesale_bills_by_increment_and_minimum() {
        // 0.03 per minute, 0.01 to connect, 60 s steps, 60 s at least.
        let b = wholesale(0.03, 0.01, 60, 60);
        assert_eq!(wholesale_price(&b, 0), 0.0);
        assert!((wholesale_price(&b, 10) - 0.04).abs() < 1e-12);
        assert!((wholesale_price(&b, 61) - 0.07).abs() < 1e-12);
        let per_second = wholesale(0.6, 0.0, 1, 0);
        assert!((wholesale_price(&per_second, 30) - 0.3).abs() < 1e-12);
    }

    #[test]
    fn retail_adds_its_bands() {
        let flat = [&retail(1, -1, "minute", 1, 0.12)];
        assert!((retail_price(&flat, 90) - 0.18).abs() < 1e-12);
        // The first minute at 0.5, the rest at 0.1, rounded to whole minutes, plus an event.
        let bands = [
            &retail(1, 1, "minute", 60, 0.5),
            &retail(2, -1, "minute", 60, 0.1),
            &retail(1, 1, "event", 60, 0.05),
        ];
        assert!((retail_price(&bands, 61) - (0.5 + 0.1 + 0.05)).abs() < 1e-12);
        assert_eq!(retail_price(&bands, 0), 0.0);
    }

    #[test]
    fn a_price_in_the_default_currency_by_the_band_that_applies() {
        let mut night = wholesale(0.6, 0.0, 1, 0);
        night.start_time = "00:00:00".into();
        night.end_time = "07:59:59".into();
        let day = wholesale(1.2, 0.0, 1, 0);
        let bands = Bands::Wholesale(vec![night, day]);
        assert_eq!(price(&bands, 2.0, "03:00:00", true, 60), Some((0.3, 0.3)));
        assert_eq!(price(&bands, 1.0, "12:00:00", true, 60), Some((1.2, 1.2)));
        let weekdays = Bands::Retail(vec![RetailBand {
            daytype: "WD".into(),
            ..retail(1, -1, "minute", 1, 0.1)
        }]);
        assert_eq!(price(&weekdays, 1.0, "12:00:00", false, 60), None);
    }

    #[test]
    fn bands_by_time_and_day() {
        assert!(applies("00:00:00", "23:59:59", "", "12:00:00", false));
        assert!(applies("08:00:00", "17:59:59", "WD", "09:30:00", true));
        assert!(!applies("08:00:00", "17:59:59", "WD", "09:30:00", false));
        assert!(!applies("08:00:00", "17:59:59", "", "18:00:00", true));
    }
}
