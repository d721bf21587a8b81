//! The call generator (docs/calls.md; ours, MOR has none): calls that look like production
//! for chosen users and dates, deterministic for a seed. Times follow a working day, the
//! dispositions a mix, answered calls' billed seconds a log-normal law; numbers are the
//! destinations the user's tariff rates, callers the user's devices; prices follow the rating
//! rule ([`crate::rating`]). The calls go to the database or to a seed file
//! ([`crate::callfile`]'s CSV).

use crate::rating;
use crate::store::calls as store;
use crate::store::rates::{self, Bands};
use rusqlite::Connection;
use rusqlite::types::ValueRef;
use std::collections::HashMap;
use std::sync::{Arc, mpsc};

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

/// The columns a generated call fills, in the seed file's order.
pub const COLUMNS: [&str; 26] = [
    "calldate",
    "clid",
    "src",
    "dst",
    "localized_dst",
    "duration",
    "billsec",
    "real_billsec",
    "user_billsec",
    "disposition",
    "hangupcause",
    "uniqueid",
    "callertype",
    "src_device_id",
    "dst_device_id",
    "user_id",
    "dst_user_id",
    "reseller_id",
    "provider_id",
    "prefix",
    "user_rate",
    "user_price",
    "reseller_rate",
    "reseller_price",
    "provider_rate",
    "provider_price",
];

/// One generated call. Its texts are buffers the next call reuses: making a call allocates
/// nothing once they have grown.
#[derive(Debug, Default)]
pub struct Call {
    calldate: String,
    clid: String,
    src: String,
    dst: String,
    duration: i64,
    billsec: i64,
    disposition: &'static str,
    hangupcause: i64,
    uniqueid: String,
    incoming: bool,
    device: i64,
    user: i64,
    reseller: i64,
    provider: i64,
    prefix: String,
    /// (rate, price) by the user's, the reseller's and the provider's tariff.
    prices: [(f64, f64); 3],
}

impl Call {
    /// Its values in the order of [`COLUMNS`].
    pub fn values(&self) -> [ValueRef<'_>; 26] {
        fn text(t: &str) -> ValueRef<'_> {
            ValueRef::Text(t.as_bytes())
        }
        let (incoming, outgoing) = if self.incoming {
            (self.user, 0)
        } else {
            (0, self.user)
        };
        let [user, reseller, provider] = self.prices;
        [
            text(&self.calldate),
            text(&self.clid),
            text(&self.src),
            text(&self.dst),
            text(&self.dst),
            ValueRef::Integer(self.duration),
            ValueRef::Integer(self.billsec),
            ValueRef::Real(self.billsec as f64),
            ValueRef::Integer(self.billsec),
            text(self.disposition),
            ValueRef::Integer(self.hangupcause),
            text(&self.uniqueid),
            text(if self.incoming { "Outside" } else { "Local" }),
            ValueRef::Integer(if self.incoming { 0 } else { self.device }),
            ValueRef::Integer(if self.incoming { self.device } else { 0 }),
            ValueRef::Integer(outgoing),
            ValueRef::Integer(incoming),
            ValueRef::Integer(self.reseller),
            ValueRef::Integer(self.provider),
            text(&self.prefix),
            ValueRef::Real(user.0),
            ValueRef::Real(user.1),
            ValueRef::Real(reseller.0),
            ValueRef::Real(reseller.1),
            ValueRef::Real(provider.0),
            ValueRef::Real(provider.1),
        ]
    }

    /// Copies `other` in, reusing this call's buffers.
    fn copy_from(&mut self, other: &Call) {
        for (to, from) in [
            (&mut self.calldate, &other.calldate),
            (&mut self.clid, &other.clid),
            (&mut self.src, &other.src),
            (&mut self.dst, &other.dst),
            (&mut self.uniqueid, &other.uniqueid),
            (&mut self.prefix, &other.prefix),
        ] {
            to.clone_from(from);
        }
        self.duration = other.duration;
        self.billsec = other.billsec;
        self.disposition = other.disposition;
        self.hangupcause = other.hangupcause;
        self.incoming = other.incoming;
        self.device = other.device;
        self.user = other.user;
        self.reseller = other.reseller;
        self.provider = other.provider;
        self.prices = other.prices;
    }
}

/// A tariff's bands for a destination and its currency's rate, read once.
type Priced = Option<Arc<(Bands, f64)>>;

/// A destination calls go to, with what each tariff concerned charges there.
struct Destination {
    prefix: String,
    user: Priced,
    reseller: Priced,
    /// Every provider with a tariff, in id order, with its bands there.
    providers: Vec<(i64, Priced)>,
}

/// What one user's calls are made from.
struct Source {
    id: i64,
    /// (device id, username, the caller id it calls with) of its visible devices.
    devices: Vec<(i64, String, String)>,
    /// Its reseller, when it is a reseller's user.
    reseller: i64,
    /// Its destinations: one of [`Generator::tables`], shared by the users of the same
    /// tariffs.
    table: usize,
}

/// A plan, with everything it needs read from the database: making its calls reads nothing
/// more, so it may run on a thread of its own.
pub struct Generator {
    plan: Plan,
    first: i64,
    days: u64,
    sources: Vec<Source>,
    tables: Vec<Vec<Destination>>,
}

impl Generator {
    /// Reads what `plan` needs from `conn`: its users, their devices, the destinations their
    /// tariffs rate and every tariff's bands there.
    pub fn new(conn: &Connection, plan: &Plan) -> Result<Generator, String> {
        let db = |e: rusqlite::Error| e.to_string();
        let (first, _) = crate::dates::parse_datetime(&format!("{} 00:00:00", plan.from))
            .ok_or_else(|| format!("--from {}: not a YYYY-MM-DD date", plan.from))?;
        let (last, _) = crate::dates::parse_datetime(&format!("{} 00:00:00", plan.till))
            .ok_or_else(|| format!("--till {}: not a YYYY-MM-DD date", plan.till))?;
        if last < first {
            return Err("--till is before --from".into());
        }
        let providers = store::providers(conn).map_err(db)?;
        let mut bands: HashMap<(i64, String), Priced> = HashMap::new();
        let mut band_of = |tariff: i64, prefix: &str| -> Result<Priced, String> {
            let key = (tariff, prefix.to_string());
            if let Some(b) = bands.get(&key) {
                return Ok(b.clone());
            }
            let found = rates::bands(conn, tariff, prefix)
                .map_err(db)?
                .map(Arc::new);
            bands.insert(key, found.clone());
            Ok(found)
        };
        // One table of destinations per (tariff, reseller's tariff).
        let mut tables: Vec<Vec<Destination>> = Vec::new();
        let mut table_of: HashMap<(i64, Option<i64>), usize> = HashMap::new();
        let mut sources = Vec::new();
        for caller in store::callers(conn, plan.users.as_deref()).map_err(db)? {
            let reseller = rates::user_by_id(conn, caller.owner_id)
                .map_err(db)?
                .filter(|o| o.usertype == "reseller" && caller.owner_id != 0)
                .map(|o| (o.id, o.tariff_id));
            let key = (caller.tariff_id, reseller.map(|(_, t)| t));
            let table = match table_of.get(&key) {
                Some(t) => *t,
                None => {
                    let mut prefixes = rates::rated_prefixes(conn, caller.tariff_id).map_err(db)?;
                    if let Some(only) = &plan.destinations {
                        prefixes.retain(|p| only.contains(p));
                    }
                    let mut table = Vec::with_capacity(prefixes.len());
                    for prefix in prefixes {
                        let mut priced = Vec::with_capacity(providers.len());
                        for (id, tariff) in &providers {
                            priced.push((*id, band_of(*tariff, &prefix)?));
                        }
                        table.push(Destination {
                            user: band_of(caller.tariff_id, &prefix)?,
                            reseller: match key.1 {
                                Some(t) => band_of(t, &prefix)?,
                                None => None,
                            },
                            providers: priced,
                            prefix,
                        });
                    }
                    tables.push(table);
                    table_of.insert(key, tables.len() - 1);
                    tables.len() - 1
                }
            };
            if tables[table].is_empty() {
                continue;
            }
            let mut devices = Vec::new();
            // Its visible devices call (a hidden spare keeps no history).
            crate::store::devices::of_user(conn, caller.id, false, |d| {
                let clid = crate::devices::caller_id_of(&caller.name, &d.username);
                devices.push((d.id, d.username.clone(), clid))
            })
            .map_err(db)?;
            sources.push(Source {
                id: caller.id,
                devices,
                reseller: reseller.map_or(0, |(id, _)| id),
                table,
            });
        }
        if sources.is_empty() {
            return Err(
                "no user to make calls for: none has a tariff that rates a destination".into(),
            );
        }
        Ok(Generator {
            plan: plan.clone(),
            first,
            days: ((last - first) / 86_400 + 1) as u64,
            sources,
            tables,
        })
    }

    /// Makes the plan's calls in time order; `each` gets every one (the same [`Call`], made
    /// anew). Returns how many were made. Memory stays the same whatever the count: a day's
    /// calls are counted per second, not held.
    pub fn run(&self, mut each: impl FnMut(&Call) -> Result<(), String>) -> Result<u64, String> {
        let plan = &self.plan;
        let mut rng = Rng(plan.seed ^ 0x6D6F_7262_6F78);
        let mut call = Call::default();
        let mut per_second = vec![0u32; 86_400];
        let mut digits = crate::numbers::Digits::default();
        let mut made = 0u64;
        for day in 0..self.days {
            // This day's share of the count (the rest spread over the first days).
            let today = plan.count / self.days + u64::from(day < plan.count % self.days);
            let midnight = self.first + day as i64 * 86_400;
            let date = crate::dates::text(midnight);
            let work_day = crate::dates::parse_datetime(&date).is_some_and(|(_, w)| w);
            per_second.fill(0);
            for _ in 0..today {
                let hour = rng.pick(&HOURS);
                per_second[hour * 3600 + rng.below(3600) as usize] += 1;
            }
            for (second, &calls) in per_second.iter().enumerate() {
                for _ in 0..calls {
                    made += 1;
                    self.make(&mut call, &mut rng, &date, second, work_day);
                    call.uniqueid.clear();
                    call.uniqueid.push_str(digits.of(midnight + second as i64));
                    call.uniqueid.push('.');
                    call.uniqueid.push_str(digits.of(made as i64));
                    each(&call)?;
                }
            }
        }
        Ok(made)
    }

    /// Makes `call` the next call, at `second` of the day `date` (`YYYY-MM-DD …`).
    fn make(&self, call: &mut Call, rng: &mut Rng, date: &str, second: usize, work_day: bool) {
        call.calldate.clear();
        call.calldate.push_str(&date[..11]);
        for (i, part) in [second / 3600, second / 60 % 60, second % 60]
            .into_iter()
            .enumerate()
        {
            if i > 0 {
                call.calldate.push(':');
            }
            call.calldate.push(char::from(b'0' + (part / 10) as u8));
            call.calldate.push(char::from(b'0' + (part % 10) as u8));
        }
        let src = &self.sources[rng.below(self.sources.len() as u64) as usize];
        let disposition = rng.pick(&self.plan.mix);
        let (disp, cause) = rating::DISPOSITIONS[disposition];
        call.disposition = disp;
        call.hangupcause = cause;
        call.billsec = if disposition == 0 {
            ((90f64.ln() + rng.normal()).exp().round() as i64).clamp(1, 3600)
        } else {
            0
        };
        call.duration = call.billsec + rng.below(21) as i64;
        let table = &self.tables[src.table];
        let dest = &table[rng.below(table.len() as u64) as usize];
        call.prefix.clone_from(&dest.prefix);
        call.dst.clone_from(&dest.prefix);
        while call.dst.len() < 11.max(dest.prefix.len() + 4) {
            call.dst.push(char::from(b'0' + rng.below(10) as u8));
        }
        call.incoming = rng.unit() < self.plan.did_share;
        let device = match src.devices.len() {
            0 => None,
            n => Some(&src.devices[rng.below(n as u64) as usize]),
        };
        call.device = device.map_or(0, |d| d.0);
        if call.incoming {
            call.clid.clone_from(&call.dst);
            call.src.clone_from(&call.dst);
        } else {
            call.clid.clear();
            call.src.clear();
            if let Some((_, login, clid)) = device {
                call.clid.push_str(clid);
                call.src.push_str(login);
            }
        }
        call.user = src.id;
        call.reseller = src.reseller;
        // What a tariff's bands (if any) charge for this call; nothing when none applies.
        let time = &call.calldate[11..];
        let billsec = call.billsec;
        let price = |b: &Priced| -> Option<(f64, f64)> {
            let (bands, rate) = &**b.as_ref()?;
            rating::price(bands, *rate, time, work_day, billsec)
        };
        let user = price(&dest.user).unwrap_or((0.0, 0.0));
        let reseller = price(&dest.reseller).unwrap_or((0.0, 0.0));
        // The first provider whose tariff charges for this call, as an import chooses it.
        let (provider, cost) = dest
            .providers
            .iter()
            .find_map(|(id, b)| price(b).map(|p| (*id, p)))
            .unwrap_or((0, (0.0, 0.0)));
        call.provider = provider;
        call.prices = [user, reseller, cost];
    }
}

/// Generates `plan`'s calls on the users and tariffs of `conn`; `each` gets every call in
/// time order. Returns how many were made.
pub fn generate(
    conn: &Connection,
    plan: &Plan,
    each: impl FnMut(&Call) -> Result<(), String>,
) -> Result<u64, String> {
    Generator::new(conn, plan)?.run(each)
}

/// How many calls go from the generating thread to the writing one at a time.
const BATCH: usize = 1024;

/// A batch of calls: its first `len` are made (the rest are buffers kept for reuse).
struct Batch {
    calls: Vec<Call>,
    len: usize,
}

/// Generates `plan`'s calls into `conn`, inside the caller's transaction. The calls are made
/// on a thread of their own and written on this one, a batch at a time through a short
/// queue whose batches come back to be refilled: both cores work, and memory stays a few
/// batches whatever the count. `progress` hears the count written now and then. Returns how
/// many were made.
pub fn load(conn: &Connection, plan: &Plan, mut progress: impl FnMut(u64)) -> Result<u64, String> {
    let db = |e: rusqlite::Error| e.to_string();
    let generator = Generator::new(conn, plan)?;
    // Many calls against few: the indexes are sorted once at the end rather than kept in step.
    let dropped = if store::worth_reindexing(plan.count, store::count_all(conn).map_err(db)?) {
        store::drop_indexes(conn).map_err(db)?
    } else {
        Vec::new()
    };
    let made = write(conn, generator, &mut progress)?;
    store::make_indexes(conn, &dropped).map_err(db)?;
    Ok(made)
}

/// [`load`]'s two threads.
fn write(
    conn: &Connection,
    generator: Generator,
    progress: &mut impl FnMut(u64),
) -> Result<u64, String> {
    let mut insert = store::Inserter::new(conn, &COLUMNS).map_err(|e| e.to_string())?;
    let (full_tx, full_rx) = mpsc::sync_channel::<Batch>(2);
    let (empty_tx, empty_rx) = mpsc::sync_channel::<Batch>(4);
    for _ in 0..3 {
        let _ = empty_tx.send(Batch {
            calls: Vec::with_capacity(BATCH),
            len: 0,
        });
    }
    std::thread::scope(|scope| {
        let maker = scope.spawn(move || {
            let stopped = || "the writer stopped".to_string();
            let mut batch = empty_rx.recv().map_err(|_| stopped())?;
            let made = generator.run(|call| {
                match batch.calls.get_mut(batch.len) {
                    Some(slot) => slot.copy_from(call),
                    None => {
                        let mut slot = Call::default();
                        slot.copy_from(call);
                        batch.calls.push(slot);
                    }
                }
                batch.len += 1;
                if batch.len == BATCH {
                    let next = empty_rx.recv().map_err(|_| stopped())?;
                    full_tx
                        .send(std::mem::replace(&mut batch, next))
                        .map_err(|_| stopped())?;
                }
                Ok(())
            })?;
            if batch.len > 0 {
                full_tx.send(batch).map_err(|_| stopped())?;
            }
            Ok::<u64, String>(made)
        });
        let mut written = 0u64;
        for mut batch in full_rx.iter() {
            for call in &batch.calls[..batch.len] {
                insert.row(call.values()).map_err(|e| e.to_string())?;
            }
            written += batch.len as u64;
            progress(written);
            batch.len = 0;
            // The maker may have finished: a batch it will not refill is dropped.
            let _ = empty_tx.send(batch);
        }
        let made = maker
            .join()
            .map_err(|_| "the call generator failed".to_string())??;
        debug_assert_eq!(made, written);
        Ok(made)
    })
}

/// A call as a line of the seed file's CSV (the header is [`csv_header`]), into `out`.
pub fn csv_line(call: &Call, out: &mut Vec<u8>) {
    let mut digits = crate::numbers::Digits::default();
    for (i, v) in call.values().iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match *v {
            ValueRef::Integer(n) => out.extend_from_slice(digits.of(n).as_bytes()),
            ValueRef::Real(x) => out.extend_from_slice(crate::numbers::real_text(x).as_bytes()),
            ValueRef::Text(t) if t.iter().any(|b| matches!(b, b',' | b'"' | b'\n')) => {
                out.push(b'"');
                for &b in t {
                    if b == b'"' {
                        out.push(b'"');
                    }
                    out.push(b);
                }
                out.push(b'"');
            }
            ValueRef::Text(t) => out.extend_from_slice(t),
            _ => {}
        }
    }
    out.push(b'\n');
}

/// The seed file's header.
pub fn csv_header() -> String {
    COLUMNS.join(",")
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
    load(conn, &plan, |_| {})?;
    Ok(())
}
