//! Typed reads. Every value an answer shows is read as SQLite's own text of the column
//! (`CAST(x AS TEXT)`), so that a row written by any tool renders the same way and a stray
//! type in a fixture never fails a request.

use super::kept::{self, Keep, KeptRow, Value};
use crate::settings::Settings;
use rusqlite::{Connection, OptionalExtension};

/// The `users` columns that never leave the database.
pub const SECRET_COLUMNS: &[&str] = &["password", "uniquehash", "two_fa_authenticator_secret"];

/// The caller by username.
pub const CALLER_SELECT: &str =
    "SELECT id, usertype, owner_id, acc_group_id, show_only_assigned_users,
        CAST(balance AS REAL), CAST(currency_id AS INTEGER)
 FROM users WHERE username = ?1";

/// The caller by uniquehash (the empty default names nobody).
pub const CALLER_BY_UNIQUEHASH: &str =
    "SELECT id, usertype, owner_id, acc_group_id, show_only_assigned_users,
        CAST(balance AS REAL), CAST(currency_id AS INTEGER)
 FROM users WHERE uniquehash = ?1 AND uniquehash != ''";

/// The settings of the system and of one scope, oldest first (so the newest row of a name wins).
pub const SETTINGS_SELECT: &str = "SELECT owner_id, name, CAST(value AS TEXT) FROM conflines
 WHERE owner_id IN (0, ?1) ORDER BY id";

/// A group's value of a right.
/// (One row at most: the index on (acc_group_id, acc_right_id) is unique. An aggregate such
/// as MAX here would be re-prepared on every run.)
pub const GROUP_RIGHT_SELECT: &str = "SELECT value FROM acc_group_rights
 WHERE acc_group_id = ?1 AND acc_right_id = (SELECT id FROM acc_rights WHERE name = ?2)";

/// The row of the user a request acts as.
#[derive(Debug, Clone, PartialEq)]
pub struct CallerRow {
    /// `users.id`.
    pub id: i64,
    /// `users.usertype`.
    pub usertype: String,
    /// `users.owner_id`.
    pub owner_id: i64,
    /// `users.acc_group_id`.
    pub acc_group_id: i64,
    /// `users.show_only_assigned_users` is 1.
    pub show_only_assigned_users: bool,
    /// `users.balance` (0 when NULL), read with the rest: the balance calls' subject is the
    /// caller, so its balance needs no second lookup.
    pub balance: f64,
    /// `users.currency_id` (1 when NULL).
    pub currency_id: i64,
}

/// The user named by `u`, if there is one.
pub fn caller_by_username(
    conn: &Connection,
    username: &str,
) -> rusqlite::Result<Option<CallerRow>> {
    caller_row(conn, CALLER_SELECT, &username)
}

/// [`caller_by_username`], from the rows kept while the database is unchanged (only users
/// found are kept).
pub fn caller_by_username_kept(
    conn: &Connection,
    keep: Keep<'_>,
    username: &str,
) -> rusqlite::Result<Option<CallerRow>> {
    let key = kept::Key::new(KEPT_CALLER, 0, username);
    if let Some(row) = keep.get(key, username) {
        return caller_from(&row).map(Some);
    }
    let Some(row) = conn
        .prepare_cached(CALLER_SELECT)?
        .query_row([username], |r| KeptRow::of(r, 7))
        .optional()?
    else {
        return Ok(None);
    };
    let caller = caller_from(&row)?;
    keep.put(key, username, &row);
    Ok(Some(caller))
}

/// A [`CALLER_SELECT`] row.
fn caller_from(r: &KeptRow) -> rusqlite::Result<CallerRow> {
    Ok(CallerRow {
        id: int(r, 0)?,
        usertype: text(r, 1)?.to_string(),
        owner_id: int(r, 2)?,
        acc_group_id: int(r, 3)?,
        show_only_assigned_users: int(r, 4)? == 1,
        balance: real(r, 5)?,
        currency_id: opt_int(r, 6)?.unwrap_or(1),
    })
}

/// The user with this uniquehash, if there is one.
pub fn caller_by_uniquehash(conn: &Connection, hash: &str) -> rusqlite::Result<Option<CallerRow>> {
    caller_row(conn, CALLER_BY_UNIQUEHASH, &hash)
}

fn caller_row(
    conn: &Connection,
    sql: &str,
    key: &dyn rusqlite::ToSql,
) -> rusqlite::Result<Option<CallerRow>> {
    conn.prepare_cached(sql)?
        .query_row([key], |r| {
            Ok(CallerRow {
                id: r.get(0)?,
                usertype: r.get(1)?,
                owner_id: r.get(2)?,
                acc_group_id: r.get(3)?,
                show_only_assigned_users: r.get::<_, i64>(4)? == 1,
                balance: r.get::<_, Option<f64>>(5)?.unwrap_or(0.0),
                currency_id: r.get::<_, Option<i64>>(6)?.unwrap_or(1),
            })
        })
        .optional()
}

/// What reach rules look at in a target user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetFacts {
    /// `users.id`.
    pub id: i64,
    /// `users.owner_id`.
    pub owner_id: i64,
    /// `users.usertype`.
    pub usertype: String,
    /// `users.responsible_accountant_id` (-1: nobody).
    pub responsible: i64,
}

/// The user with this id.
pub fn caller_by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<CallerRow>> {
    caller_row(
        conn,
        "SELECT id, usertype, owner_id, acc_group_id, show_only_assigned_users,
                CAST(balance AS REAL), CAST(currency_id AS INTEGER)
         FROM users WHERE id = ?1",
        &id,
    )
}

/// The user whose address has this e-mail (the lowest id when several do).
pub fn caller_by_email(conn: &Connection, email: &str) -> rusqlite::Result<Option<CallerRow>> {
    caller_row(
        conn,
        "SELECT u.id, u.usertype, u.owner_id, u.acc_group_id, u.show_only_assigned_users,
                CAST(u.balance AS REAL), CAST(u.currency_id AS INTEGER)
         FROM users u JOIN addresses a ON a.id = u.address_id
         WHERE a.email = ?1 AND a.email != '' ORDER BY u.id LIMIT 1",
        &email,
    )
}

/// What proves a user: its stored password, its uniquehash, and whether it is blocked.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// `users.password` (an argon2 PHC string, or 40 hex digits of SHA1 from MOR).
    pub password: String,
    /// `users.uniquehash`.
    pub uniquehash: String,
    /// `users.blocked` is 1.
    pub blocked: bool,
}

/// The credentials of user `id`.
pub fn credentials(conn: &Connection, id: i64) -> rusqlite::Result<Option<Credentials>> {
    conn.prepare_cached(
        "SELECT COALESCE(CAST(password AS TEXT), ''), COALESCE(CAST(uniquehash AS TEXT), ''),
                COALESCE(CAST(blocked AS INTEGER), 0)
         FROM users WHERE id = ?1",
    )?
    .query_row([id], |r| {
        Ok(Credentials {
            password: r.get(0)?,
            uniquehash: r.get(1)?,
            blocked: r.get::<_, i64>(2)? == 1,
        })
    })
    .optional()
}

/// The reach facts of user `id`.
pub fn target_facts(conn: &Connection, id: i64) -> rusqlite::Result<Option<TargetFacts>> {
    conn.prepare_cached(
        "SELECT id, owner_id, COALESCE(CAST(usertype AS TEXT), ''),
                COALESCE(CAST(responsible_accountant_id AS INTEGER), -1)
         FROM users WHERE id = ?1",
    )?
    .query_row([id], |r| {
        Ok(TargetFacts {
            id: r.get(0)?,
            owner_id: r.get(1)?,
            usertype: r.get(2)?,
            responsible: r.get(3)?,
        })
    })
    .optional()
}

/// The settings of the system and of `scope`.
pub fn settings(conn: &Connection, scope: i64) -> rusqlite::Result<Settings> {
    let mut stmt = conn.prepare_cached(SETTINGS_SELECT)?;
    let rows = stmt
        .query_map([scope], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Settings::from_rows(scope, rows))
}

/// Every non-empty API_Secret_Key with its owner (for explaining hash errors).
pub fn all_keys(conn: &Connection) -> rusqlite::Result<Vec<(i64, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT owner_id, CAST(value AS TEXT) FROM conflines
         WHERE name = 'API_Secret_Key' AND value != '' ORDER BY owner_id, id",
    )?;
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect()
}

/// The value of the right `right` in group `group_id` (0 none, 1 read, 2 read/write).
pub fn group_right(conn: &Connection, group_id: i64, right: &str) -> rusqlite::Result<i64> {
    Ok(conn
        .prepare_cached(GROUP_RIGHT_SELECT)?
        .query_row(rusqlite::params![group_id, right], |r| {
            r.get::<_, Option<i64>>(0)
        })
        .optional()?
        .flatten()
        .unwrap_or(0))
}

/// How a request names its target user.
#[derive(Debug, Clone, Copy)]
pub enum TargetKey<'a> {
    /// By `user_id`.
    Id(i64),
    /// By `username`.
    Username(&'a str),
    /// By both, which must name the same user.
    Both(i64, &'a str),
}

/// A user's registration address, as user_details_get shows it (borrowed from its row).
#[derive(Debug, Clone, Copy, Default)]
pub struct Address<'a> {
    pub address: &'a str,
    pub postcode: &'a str,
    pub city: &'a str,
    pub county: &'a str,
    pub state: &'a str,
    pub direction: &'a str,
    pub phone: &'a str,
    pub mob_phone: &'a str,
    pub fax: &'a str,
    pub email: &'a str,
}

/// Everything user_details_get shows of a user, borrowed from its row: read and shown without
/// copying a text.
#[derive(Debug, Clone, Copy, Default)]
#[allow(missing_docs)]
pub struct UserDetails<'a> {
    pub id: i64,
    pub owner_id: i64,
    pub usertype: &'a str,
    pub username: &'a str,
    pub postpaid: bool,
    pub balance: f64,
    pub balance_text: &'a str,
    pub daily_spend_limit: f64,
    pub credit: f64,
    pub pbx_pool_id: &'a str,
    pub hide_non_answered_calls: &'a str,
    pub blocked: &'a str,
    pub hidden: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub clientid: &'a str,
    pub agreement_number: &'a str,
    pub agreement_date: &'a str,
    pub taxation_country: Option<&'a str>,
    pub vat_number: &'a str,
    pub vat_percent: &'a str,
    pub call_limit: &'a str,
    pub accounting_number: &'a str,
    pub generate_invoice: &'a str,
    pub send_invoice_types: i64,
    pub invoice_zero_calls: &'a str,
    pub warning_email_active: &'a str,
    pub warning_email_balance: f64,
    pub warning_email_hour: &'a str,
    pub currency: &'a str,
    pub responsible_accountant_id: i64,
    pub address: Option<Address<'a>>,
}

impl UserDetails<'_> {
    /// What reach rules look at.
    pub fn facts(&self) -> TargetFacts {
        TargetFacts {
            id: self.id,
            owner_id: self.owner_id,
            usertype: self.usertype.to_string(),
            responsible: self.responsible_accountant_id,
        }
    }
}

// Joins are re-prepared on every run unless the query planner's stability guarantee is on
// (open_connection turns it on; tests::hot_statements_use_indexes_and_are_never_reprepared).

/// The statements of [`user_details`], one per kind of key and per way of reading (written
/// out whole, so that a request neither formats nor allocates SQL): the user and its address
/// in one statement. `$as_text` is `CAST(` … ` AS TEXT)` around each shown column for the
/// statement that asks SQLite for its text, or nothing for the one that reads them as stored.
macro_rules! details_sql {
    ($where:literal, $c:literal, $t:literal) => {
        concat!(
            "SELECT u.id, u.owner_id, u.usertype, u.username,
       CAST(u.postpaid AS INTEGER), CAST(u.balance AS REAL), real_text(CAST(u.balance AS REAL)),
       CAST(u.daily_spend_limit AS REAL), CAST(u.credit AS REAL), ",
            $c,
            "u.pbx_pool_id",
            $t,
            ", ",
            $c,
            "u.hide_non_answered_calls",
            $t,
            ", ",
            $c,
            "u.blocked",
            $t,
            ", ",
            $c,
            "u.hidden",
            $t,
            ", ",
            $c,
            "u.first_name",
            $t,
            ", ",
            $c,
            "u.last_name",
            $t,
            ", ",
            $c,
            "u.clientid",
            $t,
            ", ",
            $c,
            "u.agreement_number",
            $t,
            ", ",
            $c,
            "u.agreement_date",
            $t,
            ",
       (SELECT name FROM directions WHERE id = u.taxation_country), ",
            $c,
            "u.vat_number",
            $t,
            ", CAST(u.vat_percent AS TEXT), ",
            $c,
            "u.call_limit",
            $t,
            ", ",
            $c,
            "u.accounting_number",
            $t,
            ", ",
            $c,
            "u.generate_invoice",
            $t,
            ",
       CAST(u.send_invoice_types AS INTEGER), ",
            $c,
            "u.invoice_zero_calls",
            $t,
            ", ",
            $c,
            "u.warning_email_active",
            $t,
            ",
       CAST(u.warning_email_balance AS REAL), ",
            $c,
            "u.warning_email_hour",
            $t,
            ",
       (SELECT name FROM currencies WHERE id = 1), u.address_id,
       CAST(u.responsible_accountant_id AS INTEGER), a.id, ",
            $c,
            "a.address",
            $t,
            ", ",
            $c,
            "a.postcode",
            $t,
            ", ",
            $c,
            "a.city",
            $t,
            ", ",
            $c,
            "a.county",
            $t,
            ", ",
            $c,
            "a.state",
            $t,
            ",
       (SELECT name FROM directions WHERE id = a.direction_id), ",
            $c,
            "a.phone",
            $t,
            ", ",
            $c,
            "a.mob_phone",
            $t,
            ", ",
            $c,
            "a.fax",
            $t,
            ", ",
            $c,
            "a.email",
            $t,
            "
FROM users u LEFT JOIN addresses a ON a.id = u.address_id WHERE ",
            $where
        )
    };
}

/// Each kind of key's statements: shown columns as stored, then as SQLite's text.
const DETAILS_BY_ID: [&str; 2] = [
    details_sql!("u.id = ?1", "", ""),
    details_sql!("u.id = ?1", "CAST(", " AS TEXT)"),
];
const DETAILS_BY_USERNAME: [&str; 2] = [
    details_sql!("u.username = ?1", "", ""),
    details_sql!("u.username = ?1", "CAST(", " AS TEXT)"),
];
const DETAILS_BY_BOTH: [&str; 2] = [
    details_sql!("u.id = ?1 AND u.username = ?2", "", ""),
    details_sql!("u.id = ?1 AND u.username = ?2", "CAST(", " AS TEXT)"),
];

/// How many columns the details statements read.
const DETAILS_COLUMNS: usize = 43;

/// The numbers under which rows are kept ([`kept::Key`]), one per query and kind of key.
const KEPT_DETAILS_BY_ID: u8 = 1;
const KEPT_DETAILS_BY_USERNAME: u8 = 2;
const KEPT_DETAILS_BY_BOTH: u8 = 3;
const KEPT_RAW_USER: u8 = 4;
const KEPT_CALLER: u8 = 5;

/// The details of the user the key names, handed to `show` while its row is read (`None`
/// when the key names nobody).
///
/// The shown columns are read as stored: a text is its own text and an integer's digits are
/// SQLite's text of it. A row holding a REAL or a BLOB in one of them (SQLite formats those
/// itself) is read again with every shown column cast, so the answer is SQLite's text always.
/// The row is kept for the next request with the same key while the database is unchanged.
pub fn user_details<T>(
    conn: &Connection,
    keep: Keep<'_>,
    key: TargetKey<'_>,
    show: impl FnOnce(&UserDetails<'_>) -> T,
) -> rusqlite::Result<Option<T>> {
    let (sql, id, name, query) = match key {
        TargetKey::Id(id) => (DETAILS_BY_ID, Some(id), None, KEPT_DETAILS_BY_ID),
        TargetKey::Username(name) => (
            DETAILS_BY_USERNAME,
            None,
            Some(name),
            KEPT_DETAILS_BY_USERNAME,
        ),
        TargetKey::Both(id, name) => (DETAILS_BY_BOTH, Some(id), Some(name), KEPT_DETAILS_BY_BOTH),
    };
    let kept_key = kept::Key::new(query, id.unwrap_or(0), name.unwrap_or(""));
    if let Some(row) = keep.get(kept_key, name.unwrap_or("")) {
        let details = details_from_row(&Shows::new(&row))?;
        return Ok(Some(show(&details)));
    }
    for (pass, sql) in sql.into_iter().enumerate() {
        let mut stmt = conn.prepare_cached(sql)?;
        let mut rows = match (id, name) {
            (Some(id), Some(name)) => stmt.query(rusqlite::params![id, name])?,
            (Some(id), None) => stmt.query([id])?,
            (None, Some(name)) => stmt.query([name])?,
            (None, None) => return Ok(None),
        };
        let Some(r) = rows.next()? else {
            return Ok(None);
        };
        let row = KeptRow::of(r, DETAILS_COLUMNS)?;
        let shows = Shows::new(&row);
        let details = details_from_row(&shows)?;
        if !shows.odd.get() || pass == 1 {
            keep.put(kept_key, name.unwrap_or(""), &row);
            return Ok(Some(show(&details)));
        }
    }
    Ok(None)
}

/// A row whose columns are read as SQLite's text of them; `odd` notes a REAL or a BLOB where a
/// text or an integer was expected (then the row must be read as SQLite's text instead).
struct Shows<'r> {
    row: &'r KeptRow,
    odd: std::cell::Cell<bool>,
}

impl<'r> Shows<'r> {
    fn new(row: &'r KeptRow) -> Self {
        Shows {
            row,
            odd: std::cell::Cell::new(false),
        }
    }

    /// A shown column: a text as stored, an integer's digits (NULL reads as empty).
    fn shown(&self, i: usize) -> rusqlite::Result<&'r str> {
        match cell(self.row, i)? {
            Value::Integer(digits) => Ok(digits),
            Value::Text(t) => Ok(t),
            Value::Null => Ok(""),
            Value::Real(_) | Value::Blob => {
                self.odd.set(true);
                Ok("")
            }
            Value::NotUtf8 => Err(not_utf8(i)),
        }
    }

    /// A column that holds text (or NULL, read as empty).
    fn text(&self, i: usize) -> rusqlite::Result<&'r str> {
        match cell(self.row, i)? {
            Value::Text(t) => Ok(t),
            Value::Null => Ok(""),
            Value::NotUtf8 => Err(not_utf8(i)),
            Value::Integer(_) | Value::Real(_) | Value::Blob => {
                self.odd.set(true);
                Ok("")
            }
        }
    }
}

/// Column `i` of a kept row.
fn cell(r: &KeptRow, i: usize) -> rusqlite::Result<Value<'_>> {
    r.get(i)
        .ok_or_else(|| rusqlite::Error::InvalidColumnIndex(i))
}

/// The error rusqlite gives for a text that is not UTF-8.
fn not_utf8(i: usize) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        i,
        rusqlite::types::Type::Text,
        "a text that is not UTF-8".into(),
    )
}

/// The error for a value of another type than the one asked for.
fn wrong_type(i: usize, v: Value<'_>) -> rusqlite::Error {
    use rusqlite::types::Type;
    let t = match v {
        Value::Null => Type::Null,
        Value::Integer(_) => Type::Integer,
        Value::Real(_) => Type::Real,
        Value::Text(_) | Value::NotUtf8 => Type::Text,
        Value::Blob => Type::Blob,
    };
    rusqlite::Error::InvalidColumnType(i, String::new(), t)
}

/// A text column (NULL reads as empty).
fn text(r: &KeptRow, i: usize) -> rusqlite::Result<&str> {
    opt_text(r, i).map(Option::unwrap_or_default)
}

/// A text column, NULL as `None`.
fn opt_text(r: &KeptRow, i: usize) -> rusqlite::Result<Option<&str>> {
    match cell(r, i)? {
        Value::Null => Ok(None),
        Value::Text(t) => Ok(Some(t)),
        Value::NotUtf8 => Err(not_utf8(i)),
        v => Err(wrong_type(i, v)),
    }
}

/// An integer column, NULL as `None` (as rusqlite reads an `Option<i64>`).
fn opt_int(r: &KeptRow, i: usize) -> rusqlite::Result<Option<i64>> {
    match cell(r, i)? {
        Value::Null => Ok(None),
        v @ Value::Integer(_) => Ok(v.int()),
        v => Err(wrong_type(i, v)),
    }
}

/// An integer column that is never NULL.
fn int(r: &KeptRow, i: usize) -> rusqlite::Result<i64> {
    let v = cell(r, i)?;
    v.int().ok_or_else(|| wrong_type(i, v))
}

/// A REAL column (an integer read as its value), NULL as 0, as rusqlite reads an `f64`.
fn real(r: &KeptRow, i: usize) -> rusqlite::Result<f64> {
    match cell(r, i)? {
        Value::Null => Ok(0.0),
        Value::Real(x) => Ok(x),
        v @ Value::Integer(_) => Ok(v.int().unwrap_or(0) as f64),
        v => Err(wrong_type(i, v)),
    }
}

fn details_from_row<'r>(row: &Shows<'r>) -> rusqlite::Result<UserDetails<'r>> {
    let r = row.row;
    let mut details = UserDetails {
        id: int(r, 0)?,
        owner_id: int(r, 1)?,
        usertype: text(r, 2)?,
        username: text(r, 3)?,
        postpaid: opt_int(r, 4)?.unwrap_or(0) == 1,
        balance: real(r, 5)?,
        balance_text: text(r, 6)?,
        daily_spend_limit: real(r, 7)?,
        credit: real(r, 8)?,
        pbx_pool_id: row.shown(9)?,
        hide_non_answered_calls: row.shown(10)?,
        blocked: row.shown(11)?,
        hidden: row.shown(12)?,
        first_name: row.text(13)?,
        last_name: row.text(14)?,
        clientid: row.text(15)?,
        agreement_number: row.text(16)?,
        agreement_date: row.text(17)?,
        taxation_country: opt_text(r, 18)?,
        vat_number: row.text(19)?,
        vat_percent: text(r, 20)?,
        call_limit: row.shown(21)?,
        accounting_number: row.text(22)?,
        generate_invoice: row.shown(23)?,
        send_invoice_types: opt_int(r, 24)?.unwrap_or(0),
        invoice_zero_calls: row.shown(25)?,
        warning_email_active: row.shown(26)?,
        warning_email_balance: real(r, 27)?,
        warning_email_hour: row.shown(28)?,
        currency: text(r, 29)?,
        responsible_accountant_id: opt_int(r, 31)?.unwrap_or(-1),
        address: None,
    };
    // The address, when the user names one that exists (the joined row's id is not NULL).
    if cell(r, 32)? != Value::Null {
        details.address = Some(Address {
            address: row.text(33)?,
            postcode: row.text(34)?,
            city: row.text(35)?,
            county: row.text(36)?,
            state: row.text(37)?,
            direction: text(r, 38)?,
            phone: row.text(39)?,
            mob_phone: row.text(40)?,
            fax: row.text(41)?,
            email: row.text(42)?,
        });
    }
    Ok(details)
}

/// The `SELECT` of every `users` column but the secret ones, in table order, with those
/// columns' names (read once: a request neither asks SQLite for them nor checks them again).
#[derive(Debug, Clone)]
pub struct RawSelect {
    /// Every column as SQLite's text of it (`CAST … AS TEXT`). No aliases, to keep the
    /// statement short (it is the key of the statement cache).
    pub sql: String,
    /// The same with only REAL columns cast: an integer's text is written from the integer, a
    /// text column's value is already text. A row holding a REAL or a BLOB where this reads the
    /// value as stored is read again with [`RawSelect::sql`], so the text is SQLite's always.
    pub fast_sql: String,
    /// The names of the columns it shows, in order (shared: whoever derives something from
    /// the list can keep it and know the list by identity, without comparing 150 names).
    pub columns: std::sync::Arc<[String]>,
}

/// Whether a declared column type has REAL affinity (SQLite's rule 4: no INT, CHAR, CLOB,
/// TEXT or BLOB before it; REAL, FLOA or DOUB in it).
fn real_affinity(declared: &str) -> bool {
    let t = declared.to_ascii_uppercase();
    let has = |p: &str| t.contains(p);
    let earlier_rule = has("INT") || has("CHAR") || has("CLOB") || has("TEXT") || has("BLOB");
    !earlier_rule && !t.is_empty() && (has("REAL") || has("FLOA") || has("DOUB"))
}

/// [`RawSelect`] for this database's `users` table.
pub fn raw_select_sql(conn: &Connection) -> rusqlite::Result<RawSelect> {
    let mut stmt =
        conn.prepare("SELECT name, type FROM pragma_table_info('users') ORDER BY cid")?;
    let shown: Vec<(String, String)> = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter(|(c, _)| !SECRET_COLUMNS.contains(&c.as_str()))
        .collect();
    let quoted = |c: &str| format!("\"{}\"", c.replace('"', "\"\""));
    let cast: Vec<String> = shown
        .iter()
        .map(|(c, _)| format!("CAST({} AS TEXT)", quoted(c)))
        .collect();
    let fast: Vec<String> = shown
        .iter()
        .map(|(c, t)| match real_affinity(t) {
            true => format!("CAST({} AS TEXT)", quoted(c)),
            false => quoted(c),
        })
        .collect();
    let select = |list: &[String]| {
        format!(
            "SELECT id, owner_id, CAST(usertype AS TEXT), responsible_accountant_id, {} FROM users WHERE id = ?1",
            list.join(", ")
        )
    };
    Ok(RawSelect {
        sql: select(&cast),
        fast_sql: select(&fast),
        columns: shown.into_iter().map(|(c, _)| c).collect::<Vec<_>>().into(),
    })
}

/// The `users` column names in table order.
pub fn users_columns(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT name FROM pragma_table_info('users') ORDER BY cid")?;
    stmt.query_map([], |r| r.get(0))?.collect()
}

/// Reads user `id`'s raw row: checks its facts with `allow`, then hands every non-secret
/// column (name, value as text, `None` for NULL) in table order to `each`. `Ok(None)` when
/// there is no such user; `Ok(Some(Err(e)))` when `allow` refused it.
pub fn raw_user<E>(
    conn: &Connection,
    keep: Keep<'_>,
    select: &RawSelect,
    id: i64,
    allow: impl FnOnce(&TargetFacts) -> Result<(), E>,
    mut each: impl FnMut(&str, Option<&str>),
) -> rusqlite::Result<Option<Result<(), E>>> {
    let n = 4 + select.columns.len();
    let kept_key = kept::Key::new(KEPT_RAW_USER, id, "");
    let row = match keep.get(kept_key, "") {
        Some(row) => row,
        None => {
            let mut stmt = conn.prepare_cached(&select.fast_sql)?;
            let mut rows = stmt.query([id])?;
            let Some(r) = rows.next()? else {
                return Ok(None);
            };
            let mut row = KeptRow::of(r, n)?;
            if row.holds_real_or_blob(4) {
                // SQLite's own text of a REAL or a BLOB: the row again, every column cast.
                drop(rows);
                let mut stmt = conn.prepare_cached(&select.sql)?;
                let mut rows = stmt.query([id])?;
                let Some(r) = rows.next()? else {
                    return Ok(None);
                };
                row = KeptRow::of(r, n)?;
            }
            keep.put(kept_key, "", &row);
            row
        }
    };
    let facts = TargetFacts {
        id: int(&row, 0)?,
        owner_id: int(&row, 1)?,
        usertype: text(&row, 2)?.to_string(),
        responsible: opt_int(&row, 3)?.unwrap_or(-1),
    };
    if let Err(e) = allow(&facts) {
        return Ok(Some(Err(e)));
    }
    // Every value is text (as stored, or cast), an integer (its digits are its text) or NULL.
    let mut names = select.columns.iter();
    row.each_text(4, |value| {
        if let Some(name) = names.next() {
            each(name, value);
        }
    })
    .map_err(rusqlite::Error::InvalidColumnIndex)?;
    Ok(Some(Ok(())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::refs::{self, Ref, RefScope};
    use crate::store::user_update::{TARGET_SELECT, USERNAME_TAKEN, load_target, username_taken};
    use rusqlite::StatementStatus;

    /// A demo database in a fresh temp dir.
    fn demo_db() -> (std::path::PathBuf, Connection) {
        let dir = std::env::temp_dir().join(format!(
            "morbox-unit-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.db");
        crate::store::init::create(&path, true, &[]).unwrap();
        let conn = crate::store::open_connection(&path).unwrap();
        (dir, conn)
    }

    const REFS: [Ref; 7] = [
        Ref::Lcr,
        Ref::Tariff,
        Ref::QuickForwardRule,
        Ref::PbxPool,
        Ref::ResponsibleAccountant,
        Ref::Currency,
        Ref::NumberPool,
    ];

    /// The bench regression guard that cannot flake: the statements every request runs use
    /// an index or the primary key (no full scan of a table that grows), and are never
    /// re-prepared (a re-prepare costs more than the query itself).
    #[test]
    fn hot_statements_use_indexes_and_are_never_reprepared() {
        let (dir, conn) = demo_db();
        let raw = raw_select_sql(&conn).unwrap();
        let scope = RefScope {
            caller_scope: 2,
            reseller: true,
            target_owner: 0,
            admin_tariffs: true,
            admin_qf_rules: true,
        };
        for (user, id) in [("admin", 5), ("user1", 6), ("reseller1", 10)] {
            caller_by_username(&conn, user).unwrap();
            settings(&conn, id).unwrap();
            group_right(&conn, id, "user_manage").unwrap();
            user_details(&conn, Keep::NONE, TargetKey::Id(id), |_| ()).unwrap();
            user_details(&conn, Keep::NONE, TargetKey::Username(user), |_| ()).unwrap();
            user_details(&conn, Keep::NONE, TargetKey::Both(id, user), |_| ()).unwrap();
            raw_user(&conn, Keep::NONE, &raw, id, |_| Ok::<(), ()>(()), |_, _| {}).unwrap();
            load_target(&conn, id).unwrap();
            username_taken(&conn, user, id).unwrap();
            for r in REFS {
                refs::exists(&conn, r, id, &scope).unwrap();
            }
            crate::store::payments::payer(&conn, id).unwrap();
            crate::store::currencies::by_code(&conn, "USD").unwrap();
            crate::store::currencies::by_id(&conn, id).unwrap();
            caller_by_uniquehash(&conn, user).unwrap();
        }
        let mut hot: Vec<String> = vec![
            CALLER_SELECT.into(),
            SETTINGS_SELECT.into(),
            GROUP_RIGHT_SELECT.into(),
            DETAILS_BY_ID[0].into(),
            DETAILS_BY_ID[1].into(),
            DETAILS_BY_USERNAME[0].into(),
            DETAILS_BY_USERNAME[1].into(),
            DETAILS_BY_BOTH[0].into(),
            DETAILS_BY_BOTH[1].into(),
            raw.sql.clone(),
            raw.fast_sql.clone(),
            TARGET_SELECT.into(),
            USERNAME_TAKEN.into(),
        ];
        hot.extend(refs::all_sql().map(str::to_string));
        hot.extend(
            [
                crate::store::payments::PAYER_SELECT,
                crate::store::payments::TAX_SELECT,
                crate::store::currencies::BY_CODE,
                crate::store::currencies::BY_ID,
                CALLER_BY_UNIQUEHASH,
            ]
            .map(str::to_string),
        );
        for sql in &hot {
            let stmt = conn.prepare_cached(sql).unwrap();
            assert_eq!(
                stmt.get_status(StatementStatus::RePrepare),
                0,
                "re-prepared: {}",
                &sql[sql.len() - 60..]
            );
            let mut explain = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let mut rows = explain.raw_query();
            let mut plan = Vec::new();
            while let Some(r) = rows.next().unwrap() {
                plan.push(r.get::<_, String>(3).unwrap());
            }
            for step in &plan {
                let scans_big_table = [
                    "users",
                    "addresses",
                    "conflines",
                    "actions",
                    "acc_group_rights",
                ]
                .iter()
                .any(|t| {
                    step.starts_with(&format!("SCAN {t}"))
                        || step.starts_with(&format!("SCAN {} ", &t[..1]))
                });
                assert!(!scans_big_table, "full scan in {sql}: {plan:?}");
            }
        }
        drop(conn);
        let _ = std::fs::remove_dir_all(dir);
    }
}
