//! The call generator (docs/calls.md; ours, MOR has none): calls that look like production
//! for chosen users and dates, deterministic for a seed. Times follow a working day, the
//! dispositions a mix, answered calls' billed seconds a log-normal law; numbers are the
//! destinations the user's tariff rates, callers the user's devices; prices follow the rating
//! rule ([`crate::rating`]). The calls go to the database or to a seed file
//! ([`crate::callfile`]'s CSV).

use crate::rating;
use crate::store::calls::{self as store, Caller};
use crate::store::rates::{self, Bands};
use rusqlite::Connection;
use rusqlite::types::Value;
use std::collections::HashMap;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The first day, `YYYY-MM-DD`.
    pub from: String,
    /// The last day, `YYYY-MM-DD` (inclusive).
    pub till: String,
    /// How many calls in all.
    pub count: u64,
    /// The users (`None`: every plain user).
    pub users: Option<Vec<i64>>,
    /// The seed: the same seed, database and plan give the same calls.
    pub seed: u64,
    /// The dispositions' shares, in the order of [`rating::DISPOSITIONS`].
    pub mix: [f64; 4],
    /// Only these destination prefixes (`None`: every one the user's tariff rates).
    pub destinations: Option<Vec<String>>,
    /// The share of incoming calls to the user (`dst_user_id`).
    pub did_share: f64,
}

/// The default mix: ANSWERED 60, NO ANSWER 20, BUSY 12, FAILED 8.
pub const MIX: [f64; 4] = [60.0, 20.0, 12.0, 8.0];

/// The share of calls in each hour of a working day (00 to 23).
const HOURS: [f64; 24] = [
    0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.8, 2.0, 5.0, 8.0, 9.0, 9.0, 7.0, 7.5, 8.5, 8.5, 8.0, 6.5, 4.0,
    2.5, 1.8, 1.2, 0.7, 0.4,
];

/// A mix with ANSWERED at `rate` and the rest keeping their proportions.
pub fn mix_with_answer_rate(rate: f64) -> [f64; 4] {
    let rest: f64 = MIX[1..].iter().sum();
    let scale = (1.0 - rate.clamp(0.0, 1.0)) / rest;
    [
        rate.clamp(0.0, 1.0),
        MIX[1] * scale,
        MIX[2] * scale,
        MIX[3] * scale,
    ]
}

/// A small, fast, deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    /// A standard normal value (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u = self.unit().max(f64::MIN_POSITIVE);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// An index by weights.
    fn pick(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

/// What one user's calls are made from.
struct Source {
    caller: Caller,
    /// (device id, username) of its devices.
    devices: Vec<(i64, String)>,
    /// The destinations its tariff rates.
    prefixes: Vec<String>,
    /// Its reseller's tariff, when it is a reseller's user.
    reseller: Option<(i64, i64)>,
}

/// A generated call, as (column, value) pairs in the seed file's column order.
pub type Row = Vec<(&'static str, Value)>;

/// Generates the calls of `plan` on the users and tariffs of `conn`; `each` gets every call
/// in time order within each day. Returns how many were made.
pub fn generate(
    conn: &Connection,
    plan: &Plan,
    mut each: impl FnMut(Row) -> Result<(), String>,
) -> Result<u64, String> {
    let db = |e: rusqlite::Error| e.to_string();
    let (first, _) = crate::dates::parse_datetime(&format!("{} 00:00:00", plan.from))
        .ok_or_else(|| format!("--from {}: not a YYYY-MM-DD date", plan.from))?;
    let (last, _) = crate::dates::parse_datetime(&format!("{} 00:00:00", plan.till))
        .ok_or_else(|| format!("--till {}: not a YYYY-MM-DD date", plan.till))?;
    if last < first {
        return Err("--till is before --from".into());
    }
    let days = ((last - first) / 86_400 + 1) as u64;
    let mut sources = Vec::new();
    for caller in store::callers(conn, plan.users.as_deref()).map_err(db)? {
        let mut devices = Vec::new();
        // Its visible devices call (a hidden spare keeps no history).
        crate::store::devices::of_user(conn, caller.id, false, |d| {
            devices.push((d.id, d.username.clone()))
        })
        .map_err(db)?;
        let mut prefixes = rates::rated_prefixes(conn, caller.tariff_id).map_err(db)?;
        if let Some(only) = &plan.destinations {
            prefixes.retain(|p| only.contains(p));
        }
        let reseller = rates::user_by_id(conn, caller.owner_id)
            .map_err(db)?
            .filter(|o| o.usertype == "reseller" && caller.owner_id != 0)
            .map(|o| (o.id, o.tariff_id));
        if !prefixes.is_empty() {
            sources.push(Source {
                caller,
                devices,
                prefixes,
                reseller,
            });
        }
    }
    if sources.is_empty() {
        return Err("no user to make calls for: none has a tariff that rates a destination".into());
    }
    let providers = store::providers(conn).map_err(db)?;
    let mut rng = Rng(plan.seed ^ 0x6D6F_7262_6F78);
    // Bands by (tariff, prefix), read once.
    let mut bands: HashMap<(i64, String), Option<(Bands, f64)>> = HashMap::new();
    let mut band_of = |tariff: i64, prefix: &str| -> Result<Option<(Bands, f64)>, String> {
        let key = (tariff, prefix.to_string());
        if let Some(b) = bands.get(&key) {
            return Ok(b.clone());
        }
        let found = rates::bands(conn, tariff, prefix).map_err(db)?;
        bands.insert(key, found.clone());
        Ok(found)
    };
    let mut made = 0u64;
    for day in 0..days {
        // This day's share of the count (the rest spread over the first days).
        let today = plan.count / days + u64::from(day < plan.count % days);
        let date_unix = first + day as i64 * 86_400;
        let work_day =
            crate::dates::parse_datetime(&crate::dates::text(date_unix)).is_some_and(|(_, w)| w);
        let mut seconds: Vec<i64> = (0..today)
            .map(|_| {
                let hour = rng.pick(&HOURS) as i64;
                hour * 3600 + rng.below(3600) as i64
            })
            .collect();
        seconds.sort_unstable();
        for second in seconds {
            let unix = date_unix + second;
            let calldate = crate::dates::text(unix);
            let time = calldate[11..].to_string();
            let src = &sources[rng.below(sources.len() as u64) as usize];
            let disposition = rng.pick(&plan.mix);
            let (disp, cause) = rating::DISPOSITIONS[disposition];
            let answered = disposition == 0;
            let billsec = if answered {
                ((90f64.ln() + 1.0 * rng.normal()).exp().round() as i64).clamp(1, 3600)
            } else {
                0
            };
            let duration = billsec + rng.below(21) as i64;
            let prefix = &src.prefixes[rng.below(src.prefixes.len() as u64) as usize];
            let mut number = prefix.clone();
            while number.len() < 11.max(prefix.len() + 4) {
                number.push((b'0' + rng.below(10) as u8) as char);
            }
            let incoming = rng.unit() < plan.did_share;
            let (device, login) = match src.devices.len() {
                0 => (0, String::new()),
                n => src.devices[rng.below(n as u64) as usize].clone(),
            };
            let clid = crate::devices::caller_id_of(&src.caller.name, &login);
            // What a tariff's bands (if any) charge for this call; nothing when none applies.
            let price = |b: &Option<(Bands, f64)>| -> Option<(f64, f64)> {
                let (bands, rate) = b.as_ref()?;
                rating::price(bands, *rate, &time, work_day, billsec)
            };
            let user = price(&band_of(src.caller.tariff_id, prefix)?).unwrap_or((0.0, 0.0));
            let reseller = match src.reseller {
                Some((_, tariff)) => price(&band_of(tariff, prefix)?).unwrap_or((0.0, 0.0)),
                None => (0.0, 0.0),
            };
            // The first provider whose tariff charges for this call, as an import chooses it.
            let mut provider = (0, (0.0, 0.0));
            for (id, tariff) in &providers {
                if let Some(p) = price(&band_of(*tariff, prefix)?) {
                    provider = (*id, p);
                    break;
                }
            }
            made += 1;
            let row: Row = vec![
                ("calldate", Value::Text(calldate)),
                (
                    "clid",
                    Value::Text(if incoming { number.clone() } else { clid }),
                ),
                (
                    "src",
                    Value::Text(if incoming { number.clone() } else { login }),
                ),
                ("dst", Value::Text(number.clone())),
                ("localized_dst", Value::Text(number)),
                ("duration", Value::Integer(duration)),
                ("billsec", Value::Integer(billsec)),
                ("real_billsec", Value::Real(billsec as f64)),
                ("user_billsec", Value::Integer(billsec)),
                ("disposition", Value::Text(disp.to_string())),
                ("hangupcause", Value::Integer(cause)),
                ("uniqueid", Value::Text(format!("{unix}.{made}"))),
                (
                    "callertype",
                    Value::Text(if incoming { "Outside" } else { "Local" }.into()),
                ),
                (
                    "src_device_id",
                    Value::Integer(if incoming { 0 } else { device }),
                ),
                (
                    "dst_device_id",
                    Value::Integer(if incoming { device } else { 0 }),
                ),
                (
                    "user_id",
                    Value::Integer(if incoming { 0 } else { src.caller.id }),
                ),
                (
                    "dst_user_id",
                    Value::Integer(if incoming { src.caller.id } else { 0 }),
                ),
                (
                    "reseller_id",
                    Value::Integer(src.reseller.map_or(0, |(id, _)| id)),
                ),
                ("provider_id", Value::Integer(provider.0)),
                ("prefix", Value::Text(prefix.clone())),
                ("user_rate", Value::Real(user.0)),
                ("user_price", Value::Real(user.1)),
                ("reseller_rate", Value::Real(reseller.0)),
                ("reseller_price", Value::Real(reseller.1)),
                ("provider_rate", Value::Real(provider.1.0)),
                ("provider_price", Value::Real(provider.1.1)),
            ];
            each(row)?;
        }
    }
    Ok(made)
}

/// A row as a line of the seed file's CSV (the header is [`csv_header`]).
pub fn csv_line(row: &Row) -> String {
    let field = |v: &Value| match v {
        Value::Integer(i) => i.to_string(),
        Value::Real(x) => crate::numbers::real_text(*x),
        Value::Text(t) if t.contains([',', '"', '\n']) => format!("\"{}\"", t.replace('"', "\"\"")),
        Value::Text(t) => t.clone(),
        _ => String::new(),
    };
    row.iter()
        .map(|(_, v)| field(v))
        .collect::<Vec<_>>()
        .join(",")
}

/// The seed file's header for rows of [`generate`].
pub fn csv_header(row: &Row) -> String {
    row.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(",")
}

/// Writes a generated row.
pub fn insert(conn: &Connection, row: &Row) -> rusqlite::Result<i64> {
    store::insert(conn, row)
}

/// The demo world's month of calls: February 2026, 20 a day for user1 and r1_user1, seed 2026.
pub fn demo_month(conn: &Connection) -> Result<(), Box<dyn std::error::Error>> {
    let plan = Plan {
        from: "2026-02-01".into(),
        till: "2026-02-28".into(),
        count: 560,
        users: Some(vec![5, 10]),
        seed: 2026,
        mix: MIX,
        destinations: None,
        did_share: 0.0,
    };
    generate(conn, &plan, |row| {
        insert(conn, &row).map(|_| ()).map_err(|e| e.to_string())
    })?;
    Ok(())
}
