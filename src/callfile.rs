//! The call seed file (docs/calls.md; ours, MOR has none): CSV with a header row, or JSON
//! Lines, on the `calls` column names. Each call's missing values are derived (the localized
//! number, the prefix, billed seconds, the cause, the reseller, the uniqueid) and priced by the
//! rating rule ([`crate::rating`]) from the user's, its reseller's and a provider's tariffs.
//! A file loads in one transaction or not at all; an error names the line and the column.

use crate::rating;
use crate::store::calls::{self as store, ColumnKind};
use crate::store::rates;
use rusqlite::Connection;
use rusqlite::types::Value;
use std::collections::HashMap;
use std::io::BufRead;

/// Why a file does not load: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// The line (1 is the first; a CSV header is line 1).
    pub line: usize,
    /// The column, when one is at fault.
    pub column: Option<String>,
    /// What is wrong.
    pub why: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(c) => write!(f, "line {}, column {c}: {}", self.line, self.why),
            None => write!(f, "line {}: {}", self.line, self.why),
        }
    }
}

impl std::error::Error for LineError {}

fn error(line: usize, column: Option<&str>, why: impl Into<String>) -> LineError {
    LineError {
        line,
        column: column.map(str::to_string),
        why: why.into(),
    }
}

/// What a load did.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Loaded {
    /// Calls written.
    pub calls: usize,
    /// The sum charged to balances (with `charge`), in the default currency.
    pub charged: f64,
}

/// One call as a file gives it: (line, (column, value) pairs).
pub type Record = (usize, Vec<(String, String)>);

/// Reads the records of a file: JSON Lines when its first non-blank byte is `{`, else CSV
/// with a header row. Each record goes to `each` as it is read (a file is never held whole).
pub fn read(
    input: impl BufRead,
    mut each: impl FnMut(Record) -> Result<(), LineError>,
) -> Result<usize, LineError> {
    let mut lines = input.lines().enumerate().map(|(i, l)| (i + 1, l));
    let mut header: Option<Vec<String>> = None;
    let mut json: Option<bool> = None;
    let mut count = 0;
    while let Some((n, line)) = lines.next() {
        let mut line = line.map_err(|e| error(n, None, format!("cannot read: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let is_json = *json.get_or_insert_with(|| line.trim_start().starts_with('{'));
        if is_json {
            each((n, json_record(n, &line)?))?;
            count += 1;
            continue;
        }
        // A CSV record may run over lines inside quotes.
        let start = n;
        while open_quote(&line) {
            let Some((_, more)) = lines.next() else {
                return Err(error(start, None, "a quoted field is never closed"));
            };
            line.push('\n');
            line.push_str(&more.map_err(|e| error(start, None, format!("cannot read: {e}")))?);
        }
        let fields =
            csv_fields(&line).ok_or_else(|| error(start, None, "a malformed quoted field"))?;
        match &header {
            None => header = Some(fields.iter().map(|f| f.trim().to_string()).collect()),
            Some(names) => {
                if fields.len() != names.len() {
                    return Err(error(
                        start,
                        None,
                        format!("{} fields, the header has {}", fields.len(), names.len()),
                    ));
                }
                each((start, names.iter().cloned().zip(fields).collect()))?;
                count += 1;
            }
        }
    }
    Ok(count)
}

/// Whether a CSV text ends inside a quoted field.
fn open_quote(line: &str) -> bool {
    line.bytes().filter(|b| *b == b'"').count() % 2 == 1
}

/// The fields of one CSV record (`"` quotes, `""` inside quotes is a quote).
fn csv_fields(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            '"' if quoted => {
                quoted = false;
                if !matches!(chars.peek(), None | Some(',')) {
                    return None;
                }
            }
            '"' if at_start => quoted = true,
            '"' => return None,
            ',' if !quoted => {
                fields.push(std::mem::take(&mut field));
                at_start = true;
                continue;
            }
            c => field.push(c),
        }
        at_start = false;
    }
    if quoted {
        return None;
    }
    fields.push(field);
    Some(fields)
}

/// The (column, value) pairs of one JSON line: an object of strings, numbers, booleans or
/// nulls (left out).
pub fn json_record(n: usize, line: &str) -> Result<Vec<(String, String)>, LineError> {
    let v: serde_json::Value =
        serde_json::from_str(line).map_err(|e| error(n, None, format!("not JSON: {e}")))?;
    let serde_json::Value::Object(map) = v else {
        return Err(error(n, None, "not a JSON object"));
    };
    let mut out = Vec::with_capacity(map.len());
    for (k, v) in map {
        let text = match v {
            serde_json::Value::Null => continue,
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(x) => x.to_string(),
            serde_json::Value::Bool(b) => if b { "1" } else { "0" }.to_string(),
            _ => return Err(error(n, Some(&k), "an array or object is no value")),
        };
        out.push((k, text));
    }
    Ok(out)
}

/// Records being loaded into one transaction: the users and providers they name, read once,
/// and, once the records outnumber the calls there were, the indexes of `calls` set aside to be
/// sorted once at the end ([`store::drop_indexes`]).
pub struct Loader<'c> {
    conn: &'c Connection,
    charge: bool,
    loaded: u64,
    /// The calls there were before the load.
    before: i64,
    /// The indexes set aside, when they are.
    dropped: Option<Vec<(String, String)>>,
    users: HashMap<i64, Option<rates::RateUser>>,
    /// Every provider with a tariff, by id: (id, tariff).
    providers: Option<Vec<(i64, i64)>>,
}

impl<'c> Loader<'c> {
    /// A load on `conn`, inside the caller's transaction; with `charge`, each user's balance
    /// pays its calls' prices.
    pub fn new(conn: &'c Connection, charge: bool) -> Result<Loader<'c>, LineError> {
        Ok(Loader {
            conn,
            charge,
            loaded: 0,
            before: store::count_all(conn).map_err(|e| error(0, None, e.to_string()))?,
            dropped: None,
            users: HashMap::new(),
            providers: None,
        })
    }

    /// Loads one record: checked, derived, priced, written. Returns the price charged.
    pub fn load(&mut self, record: &Record) -> Result<f64, LineError> {
        if self.dropped.is_none() && store::worth_reindexing(self.loaded, self.before) {
            self.dropped = Some(
                store::drop_indexes(self.conn).map_err(|e| error(record.0, None, e.to_string()))?,
            );
        }
        let price = load(self, record)?;
        self.loaded += 1;
        Ok(price)
    }

    /// Ends the load: the indexes set aside are made again.
    pub fn finish(self) -> rusqlite::Result<()> {
        match &self.dropped {
            Some(indexes) => store::make_indexes(self.conn, indexes),
            None => Ok(()),
        }
    }

    fn user(&mut self, id: i64) -> rusqlite::Result<Option<rates::RateUser>> {
        if let Some(u) = self.users.get(&id) {
            return Ok(u.clone());
        }
        let u = rates::user_by_id(self.conn, id)?;
        self.users.insert(id, u.clone());
        Ok(u)
    }

    fn providers(&mut self) -> rusqlite::Result<&[(i64, i64)]> {
        if self.providers.is_none() {
            self.providers = Some(store::providers(self.conn)?);
        }
        Ok(self.providers.as_deref().unwrap_or_default())
    }
}

/// One record (see [`Loader::load`]).
fn load(loader: &mut Loader<'_>, (n, fields): &Record) -> Result<f64, LineError> {
    let (conn, charge) = (loader.conn, loader.charge);
    let mut row: Vec<(&'static str, Value)> = Vec::with_capacity(fields.len() + 12);
    for (name, text) in fields {
        let Some((column, kind)) = store::COLUMNS.iter().find(|(c, _)| c == name) else {
            return Err(error(*n, Some(name), "no such column of calls"));
        };
        let value = match kind {
            ColumnKind::Int => Value::Integer(
                text.trim()
                    .parse()
                    .map_err(|_| error(*n, Some(name), "not a whole number"))?,
            ),
            ColumnKind::Real => {
                let x: f64 = text
                    .trim()
                    .parse()
                    .map_err(|_| error(*n, Some(name), "not a number"))?;
                if !x.is_finite() {
                    return Err(error(*n, Some(name), "not a finite number"));
                }
                Value::Real(x)
            }
            ColumnKind::Text => Value::Text(text.clone()),
        };
        if row.iter().any(|(c, _)| c == column) {
            return Err(error(*n, Some(name), "given twice"));
        }
        row.push((column, value));
    }
    let text = |row: &[(&str, Value)], c: &str| match row.iter().find(|(x, _)| *x == c) {
        Some((_, Value::Text(t))) => Some(t.clone()),
        _ => None,
    };
    let int = |row: &[(&str, Value)], c: &str| match row.iter().find(|(x, _)| *x == c) {
        Some((_, Value::Integer(i))) => Some(*i),
        _ => None,
    };
    let has = |row: &[(&str, Value)], c: &str| row.iter().any(|(x, _)| *x == c);
    let calldate = text(&row, "calldate").ok_or_else(|| error(*n, Some("calldate"), "missing"))?;
    let (unix, work_day) = crate::dates::parse_datetime(&calldate)
        .ok_or_else(|| error(*n, Some("calldate"), "not a YYYY-MM-DD HH:MM:SS time"))?;
    let user_id = int(&row, "user_id")
        .or(int(&row, "dst_user_id"))
        .ok_or_else(|| {
            error(
                *n,
                Some("user_id"),
                "missing (user_id or dst_user_id is needed)",
            )
        })?;
    let disposition = text(&row, "disposition").unwrap_or_default();
    if !disposition.is_empty() && !rating::DISPOSITIONS.iter().any(|(d, _)| *d == disposition) {
        return Err(error(
            *n,
            Some("disposition"),
            "not ANSWERED, NO ANSWER, BUSY or FAILED",
        ));
    }
    let user = loader
        .user(user_id)
        .map_err(|e| error(*n, None, e.to_string()))?
        .ok_or_else(|| error(*n, Some("user_id"), format!("no user {user_id}")))?;
    let db = |e: rusqlite::Error| error(*n, None, e.to_string());
    // Derived, in the spec's order, each only when not given.
    let dst = text(&row, "dst").unwrap_or_default();
    if !has(&row, "localized_dst") {
        row.push(("localized_dst", Value::Text(dst.clone())));
    }
    let number: String = text(&row, "localized_dst")
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    if !has(&row, "prefix") {
        let prefix = rates::destinations_of(conn, &number)
            .map_err(db)?
            .first()
            .map(|d| d.prefix.clone())
            .unwrap_or_default();
        row.push(("prefix", Value::Text(prefix)));
    }
    let answered = disposition == "ANSWERED";
    if !has(&row, "billsec") {
        let duration = int(&row, "duration").unwrap_or(0);
        row.push((
            "billsec",
            Value::Integer(if answered { duration } else { 0 }),
        ));
    }
    let billsec = int(&row, "billsec").unwrap_or(0);
    for column in ["real_billsec", "user_billsec"] {
        if !has(&row, column) {
            row.push((column, Value::Integer(billsec)));
        }
    }
    if !has(&row, "hangupcause")
        && let Some((_, cause)) = rating::DISPOSITIONS.iter().find(|(d, _)| *d == disposition)
    {
        row.push(("hangupcause", Value::Integer(*cause)));
    }
    let owner = loader.user(user.owner_id).map_err(db)?;
    let reseller = owner.filter(|o| o.usertype == "reseller" && user.owner_id != 0);
    if !has(&row, "reseller_id") {
        row.push((
            "reseller_id",
            Value::Integer(reseller.as_ref().map_or(0, |r| r.id)),
        ));
    }
    // Prices, each pair only when neither of it is given.
    let time = &calldate[11..];
    let price = |tariff: i64| -> Result<Option<(f64, f64)>, LineError> {
        Ok(rates::bands(conn, tariff, &number)
            .map_err(db)?
            .and_then(|(bands, rate)| rating::price(&bands, rate, time, work_day, billsec)))
    };
    // Each price column only when not given (a given price is kept as it is).
    let priced = |row: &mut Vec<(&'static str, Value)>,
                  (rate_col, price_col): (&'static str, &'static str),
                  tariff: Option<i64>|
     -> Result<(), LineError> {
        if has(row, rate_col) && has(row, price_col) {
            return Ok(());
        }
        let (r, p) = match tariff {
            Some(t) => price(t)?.unwrap_or((0.0, 0.0)),
            None => (0.0, 0.0),
        };
        for (column, value) in [(rate_col, r), (price_col, p)] {
            if !has(row, column) {
                row.push((column, Value::Real(value)));
            }
        }
        Ok(())
    };
    priced(&mut row, ("user_rate", "user_price"), Some(user.tariff_id))?;
    priced(
        &mut row,
        ("reseller_rate", "reseller_price"),
        reseller.as_ref().map(|r| r.tariff_id),
    )?;
    if !has(&row, "provider_id") {
        // The first provider (by id) whose tariff has a rate for the number.
        let mut chosen = 0;
        for (id, tariff) in loader.providers().map_err(db)?.to_vec() {
            if price(tariff)?.is_some() {
                chosen = id;
                break;
            }
        }
        row.push(("provider_id", Value::Integer(chosen)));
    }
    let provider_tariff = match int(&row, "provider_id") {
        Some(id) if id > 0 => loader
            .providers()
            .map_err(db)?
            .iter()
            .find(|(p, _)| *p == id)
            .map(|(_, tariff)| *tariff),
        _ => None,
    };
    priced(
        &mut row,
        ("provider_rate", "provider_price"),
        provider_tariff,
    )?;
    let id = store::insert(conn, &row).map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => {
            error(*n, None, "the database refused the row (an id taken?)")
        }
        _ => db(e),
    })?;
    if !has(&row, "uniqueid") {
        store::set_uniqueid(conn, id, &format!("{unix}.{id}")).map_err(db)?;
    }
    let user_price = match row.iter().find(|(c, _)| *c == "user_price") {
        Some((_, Value::Real(p))) => *p,
        Some((_, Value::Integer(p))) => *p as f64,
        _ => 0.0,
    };
    if charge && user_price != 0.0 {
        store::charge(conn, user_id, user_price).map_err(db)?;
        return Ok(user_price);
    }
    Ok(0.0)
}
