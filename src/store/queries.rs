//! Typed reads. Every value an answer shows is read as SQLite's own text of the column
//! (`CAST(x AS TEXT)`), so that a row written by any tool renders the same way and a stray
//! type in a fixture never fails a request.

use crate::settings::Settings;
use rusqlite::{Connection, OptionalExtension, Row};

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

/// The statements of [`user_details`], one per kind of key (written out whole, so that a
/// request neither formats nor allocates SQL): the user and its address in one statement.
macro_rules! details_sql {
    ($where:literal) => {
        concat!(
            "SELECT u.id, u.owner_id, u.usertype, u.username,
       CAST(u.postpaid AS INTEGER), CAST(u.balance AS REAL), CAST(u.balance AS TEXT),
       CAST(u.daily_spend_limit AS REAL), CAST(u.credit AS REAL),
       CAST(u.pbx_pool_id AS TEXT), CAST(u.hide_non_answered_calls AS TEXT),
       CAST(u.blocked AS TEXT), CAST(u.hidden AS TEXT),
       CAST(u.first_name AS TEXT), CAST(u.last_name AS TEXT), CAST(u.clientid AS TEXT),
       CAST(u.agreement_number AS TEXT), CAST(u.agreement_date AS TEXT),
       (SELECT name FROM directions WHERE id = u.taxation_country),
       CAST(u.vat_number AS TEXT), CAST(u.vat_percent AS TEXT), CAST(u.call_limit AS TEXT),
       CAST(u.accounting_number AS TEXT), CAST(u.generate_invoice AS TEXT),
       CAST(u.send_invoice_types AS INTEGER), CAST(u.invoice_zero_calls AS TEXT),
       CAST(u.warning_email_active AS TEXT), CAST(u.warning_email_balance AS REAL),
       CAST(u.warning_email_hour AS TEXT),
       (SELECT name FROM currencies WHERE id = 1), u.address_id,
       CAST(u.responsible_accountant_id AS INTEGER),
       a.id, CAST(a.address AS TEXT), CAST(a.postcode AS TEXT), CAST(a.city AS TEXT),
       CAST(a.county AS TEXT), CAST(a.state AS TEXT),
       (SELECT name FROM directions WHERE id = a.direction_id),
       CAST(a.phone AS TEXT), CAST(a.mob_phone AS TEXT), CAST(a.fax AS TEXT),
       CAST(a.email AS TEXT)
FROM users u LEFT JOIN addresses a ON a.id = u.address_id WHERE ",
            $where
        )
    };
}

const DETAILS_BY_ID: &str = details_sql!("u.id = ?1");
const DETAILS_BY_USERNAME: &str = details_sql!("u.username = ?1");
const DETAILS_BY_BOTH: &str = details_sql!("u.id = ?1 AND u.username = ?2");

/// The details of the user the key names, handed to `show` while its row is read (`None`
/// when the key names nobody).
pub fn user_details<T>(
    conn: &Connection,
    key: TargetKey<'_>,
    show: impl FnOnce(&UserDetails<'_>) -> T,
) -> rusqlite::Result<Option<T>> {
    let (sql, id, name) = match key {
        TargetKey::Id(id) => (DETAILS_BY_ID, Some(id), None),
        TargetKey::Username(name) => (DETAILS_BY_USERNAME, None, Some(name)),
        TargetKey::Both(id, name) => (DETAILS_BY_BOTH, Some(id), Some(name)),
    };
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
    let mut details = details_from_row(r)?;
    // The address, when the user names one that exists (the joined row's id is not NULL).
    if r.get_ref(32)?.data_type() != rusqlite::types::Type::Null {
        details.address = Some(Address {
            address: text(r, 33)?,
            postcode: text(r, 34)?,
            city: text(r, 35)?,
            county: text(r, 36)?,
            state: text(r, 37)?,
            direction: text(r, 38)?,
            phone: text(r, 39)?,
            mob_phone: text(r, 40)?,
            fax: text(r, 41)?,
            email: text(r, 42)?,
        });
    }
    Ok(Some(show(&details)))
}

/// A text column as a borrowed `&str` (NULL reads as empty).
fn text<'r>(r: &'r Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    opt_text(r, i).map(Option::unwrap_or_default)
}

/// A text column as a borrowed `&str`, NULL as `None`.
fn opt_text<'r>(r: &'r Row<'_>, i: usize) -> rusqlite::Result<Option<&'r str>> {
    r.get_ref(i)?.as_str_or_null().map_err(|e| match e {
        rusqlite::types::FromSqlError::InvalidType => {
            rusqlite::Error::InvalidColumnType(i, String::new(), r.get_ref_unwrap(i).data_type())
        }
        e => rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)),
    })
}

fn real(r: &Row<'_>, i: usize) -> rusqlite::Result<f64> {
    Ok(r.get::<_, Option<f64>>(i)?.unwrap_or(0.0))
}

fn details_from_row<'r>(r: &'r Row<'_>) -> rusqlite::Result<UserDetails<'r>> {
    let details = UserDetails {
        id: r.get(0)?,
        owner_id: r.get(1)?,
        usertype: text(r, 2)?,
        username: text(r, 3)?,
        postpaid: r.get::<_, Option<i64>>(4)?.unwrap_or(0) == 1,
        balance: real(r, 5)?,
        balance_text: text(r, 6)?,
        daily_spend_limit: real(r, 7)?,
        credit: real(r, 8)?,
        pbx_pool_id: text(r, 9)?,
        hide_non_answered_calls: text(r, 10)?,
        blocked: text(r, 11)?,
        hidden: text(r, 12)?,
        first_name: text(r, 13)?,
        last_name: text(r, 14)?,
        clientid: text(r, 15)?,
        agreement_number: text(r, 16)?,
        agreement_date: text(r, 17)?,
        taxation_country: opt_text(r, 18)?,
        vat_number: text(r, 19)?,
        vat_percent: text(r, 20)?,
        call_limit: text(r, 21)?,
        accounting_number: text(r, 22)?,
        generate_invoice: text(r, 23)?,
        send_invoice_types: r.get::<_, Option<i64>>(24)?.unwrap_or(0),
        invoice_zero_calls: text(r, 25)?,
        warning_email_active: text(r, 26)?,
        warning_email_balance: real(r, 27)?,
        warning_email_hour: text(r, 28)?,
        currency: text(r, 29)?,
        responsible_accountant_id: r.get::<_, Option<i64>>(31)?.unwrap_or(-1),
        address: None,
    };
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
    /// The names of the columns it shows, in order.
    pub columns: Vec<String>,
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
        columns: shown.into_iter().map(|(c, _)| c).collect(),
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
    select: &RawSelect,
    id: i64,
    allow: impl FnOnce(&TargetFacts) -> Result<(), E>,
    mut each: impl FnMut(&str, Option<&str>),
) -> rusqlite::Result<Option<Result<(), E>>> {
    use rusqlite::types::ValueRef;
    let mut stmt = conn.prepare_cached(&select.fast_sql)?;
    let mut rows = stmt.query([id])?;
    let Some(r) = rows.next()? else {
        return Ok(None);
    };
    let facts = TargetFacts {
        id: r.get(0)?,
        owner_id: r.get(1)?,
        usertype: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
        responsible: r.get::<_, Option<i64>>(3)?.unwrap_or(-1),
    };
    if let Err(e) = allow(&facts) {
        return Ok(Some(Err(e)));
    }
    let mut values = Vec::with_capacity(select.columns.len());
    for i in 4..4 + select.columns.len() {
        match r.get_ref(i)? {
            ValueRef::Real(_) | ValueRef::Blob(_) => {
                // SQLite's own text of a REAL or a BLOB: the row again, every column cast.
                values.clear();
                break;
            }
            v => values.push(v),
        }
    }
    if values.len() == select.columns.len() {
        let mut digits = crate::numbers::Digits::default();
        for (name, v) in select.columns.iter().zip(values) {
            let value = match v {
                ValueRef::Text(t) => Some(std::str::from_utf8(t).unwrap_or("")),
                ValueRef::Integer(n) => Some(digits.of(n)),
                _ => None,
            };
            each(name, value);
        }
        return Ok(Some(Ok(())));
    }
    drop(rows);
    let mut stmt = conn.prepare_cached(&select.sql)?;
    let mut rows = stmt.query([id])?;
    let Some(r) = rows.next()? else {
        return Ok(None);
    };
    for (i, name) in select.columns.iter().enumerate().map(|(i, n)| (i + 4, n)) {
        let value = match r.get_ref(i)? {
            ValueRef::Text(t) => Some(std::str::from_utf8(t).unwrap_or("")),
            _ => None,
        };
        each(name, value);
    }
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
            user_details(&conn, TargetKey::Id(id), |_| ()).unwrap();
            user_details(&conn, TargetKey::Username(user), |_| ()).unwrap();
            user_details(&conn, TargetKey::Both(id, user), |_| ()).unwrap();
            raw_user(&conn, &raw, id, |_| Ok::<(), ()>(()), |_, _| {}).unwrap();
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
            DETAILS_BY_ID.into(),
            DETAILS_BY_USERNAME.into(),
            DETAILS_BY_BOTH.into(),
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
