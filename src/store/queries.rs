//! Typed reads. Every value an answer shows is read as SQLite's own text of the column
//! (`CAST(x AS TEXT)`), so that a row written by any tool renders the same way and a stray
//! type in a fixture never fails a request.

use crate::auth::{Caller, Role};
use crate::settings::Settings;
use rusqlite::{Connection, OptionalExtension, Row};

/// The `users` columns that never leave the database.
pub const SECRET_COLUMNS: &[&str] = &["password", "uniquehash", "two_fa_authenticator_secret"];

/// The caller named by `u`, if there is one.
pub fn caller_by_username(conn: &Connection, username: &str) -> rusqlite::Result<Option<Caller>> {
    conn.prepare_cached(
        "SELECT id, usertype, owner_id, acc_group_id, show_only_assigned_users
         FROM users WHERE username = ?1",
    )?
    .query_row([username], |r| {
        Ok(Caller {
            id: r.get(0)?,
            role: Role::from_usertype(&r.get::<_, String>(1)?),
            owner_id: r.get(2)?,
            acc_group_id: r.get(3)?,
            show_only_assigned_users: r.get::<_, i64>(4)? == 1,
        })
    })
    .optional()
}

/// The settings of the system and of `scope`.
pub fn settings(conn: &Connection, scope: i64) -> rusqlite::Result<Settings> {
    let mut stmt = conn.prepare_cached(
        "SELECT owner_id, name, CAST(value AS TEXT) FROM conflines WHERE owner_id IN (0, ?1)",
    )?;
    let rows = stmt
        .query_map([scope], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Settings::from_rows(scope, rows))
}

/// The value of the right `right` in group `group_id` (0 none, 1 read, 2 read/write).
pub fn group_right(conn: &Connection, group_id: i64, right: &str) -> rusqlite::Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT MAX(g.value) FROM acc_group_rights g JOIN acc_rights r ON r.id = g.acc_right_id
             WHERE g.acc_group_id = ?1 AND r.name = ?2",
        )?
        .query_row(rusqlite::params![group_id, right], |r| {
            r.get::<_, Option<i64>>(0)
        })?
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

/// A user's registration address, as user_details_get shows it.
#[derive(Debug, Clone, Default)]
pub struct Address {
    pub address: String,
    pub postcode: String,
    pub city: String,
    pub county: String,
    pub state: String,
    pub direction: String,
    pub phone: String,
    pub mob_phone: String,
    pub fax: String,
    pub email: String,
}

/// Everything user_details_get shows of a user.
#[derive(Debug, Clone, Default)]
#[allow(missing_docs)]
pub struct UserDetails {
    pub id: i64,
    pub owner_id: i64,
    pub usertype: String,
    pub username: String,
    pub postpaid: bool,
    pub balance: f64,
    pub balance_text: String,
    pub daily_spend_limit: f64,
    pub credit: f64,
    pub pbx_pool_id: String,
    pub hide_non_answered_calls: String,
    pub blocked: String,
    pub hidden: String,
    pub first_name: String,
    pub last_name: String,
    pub clientid: String,
    pub agreement_number: String,
    pub agreement_date: String,
    pub taxation_country: Option<String>,
    pub vat_number: String,
    pub vat_percent: String,
    pub call_limit: String,
    pub accounting_number: String,
    pub generate_invoice: String,
    pub send_invoice_types: i64,
    pub invoice_zero_calls: String,
    pub warning_email_active: String,
    pub warning_email_balance: f64,
    pub warning_email_hour: String,
    pub currency: String,
    pub address: Option<Address>,
}

const DETAILS_SELECT: &str = "
SELECT u.id, u.owner_id, u.usertype, u.username,
       CAST(u.postpaid AS INTEGER), CAST(u.balance AS REAL), CAST(u.balance AS TEXT),
       CAST(u.daily_spend_limit AS REAL), CAST(u.credit AS REAL),
       CAST(u.pbx_pool_id AS TEXT), CAST(u.hide_non_answered_calls AS TEXT),
       CAST(u.blocked AS TEXT), CAST(u.hidden AS TEXT),
       CAST(u.first_name AS TEXT), CAST(u.last_name AS TEXT), CAST(u.clientid AS TEXT),
       CAST(u.agreement_number AS TEXT), CAST(u.agreement_date AS TEXT), td.name,
       CAST(u.vat_number AS TEXT), CAST(u.vat_percent AS TEXT), CAST(u.call_limit AS TEXT),
       CAST(u.accounting_number AS TEXT), CAST(u.generate_invoice AS TEXT),
       CAST(u.send_invoice_types AS INTEGER), CAST(u.invoice_zero_calls AS TEXT),
       CAST(u.warning_email_active AS TEXT), CAST(u.warning_email_balance AS REAL),
       CAST(u.warning_email_hour AS TEXT),
       (SELECT name FROM currencies WHERE id = 1),
       a.id, CAST(a.address AS TEXT), CAST(a.postcode AS TEXT), CAST(a.city AS TEXT),
       CAST(a.county AS TEXT), CAST(a.state AS TEXT), ad.name, CAST(a.phone AS TEXT),
       CAST(a.mob_phone AS TEXT), CAST(a.fax AS TEXT), CAST(a.email AS TEXT)
FROM users u
LEFT JOIN directions td ON td.id = u.taxation_country
LEFT JOIN addresses a ON a.id = u.address_id
LEFT JOIN directions ad ON ad.id = a.direction_id
";

/// The details of one user, if the key names one.
pub fn user_details(
    conn: &Connection,
    key: TargetKey<'_>,
) -> rusqlite::Result<Option<UserDetails>> {
    let map = |r: &Row<'_>| details_from_row(r);
    match key {
        TargetKey::Id(id) => conn
            .prepare_cached(&format!("{DETAILS_SELECT} WHERE u.id = ?1"))?
            .query_row([id], map)
            .optional(),
        TargetKey::Username(name) => conn
            .prepare_cached(&format!("{DETAILS_SELECT} WHERE u.username = ?1"))?
            .query_row([name], map)
            .optional(),
        TargetKey::Both(id, name) => conn
            .prepare_cached(&format!(
                "{DETAILS_SELECT} WHERE u.id = ?1 AND u.username = ?2"
            ))?
            .query_row(rusqlite::params![id, name], map)
            .optional(),
    }
}

fn text(r: &Row<'_>, i: usize) -> rusqlite::Result<String> {
    Ok(r.get::<_, Option<String>>(i)?.unwrap_or_default())
}

fn real(r: &Row<'_>, i: usize) -> rusqlite::Result<f64> {
    Ok(r.get::<_, Option<f64>>(i)?.unwrap_or(0.0))
}

fn details_from_row(r: &Row<'_>) -> rusqlite::Result<UserDetails> {
    let address = match r.get::<_, Option<i64>>(30)? {
        Some(_) => Some(Address {
            address: text(r, 31)?,
            postcode: text(r, 32)?,
            city: text(r, 33)?,
            county: text(r, 34)?,
            state: text(r, 35)?,
            direction: text(r, 36)?,
            phone: text(r, 37)?,
            mob_phone: text(r, 38)?,
            fax: text(r, 39)?,
            email: text(r, 40)?,
        }),
        None => None,
    };
    Ok(UserDetails {
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
        taxation_country: r.get(18)?,
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
        address,
    })
}

/// The `SELECT` of every `users` column but the secret ones, in table order, each as text.
pub fn raw_select_sql(conn: &Connection) -> rusqlite::Result<String> {
    let columns = users_columns(conn)?;
    let list: Vec<String> = columns
        .iter()
        .filter(|c| !SECRET_COLUMNS.contains(&c.as_str()))
        .map(|c| format!("CAST(\"{c}\" AS TEXT) AS \"{c}\""))
        .collect();
    Ok(format!(
        "SELECT id, owner_id, responsible_accountant_id, {} FROM users WHERE id = ?1",
        list.join(", ")
    ))
}

/// The `users` column names in table order.
pub fn users_columns(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT name FROM pragma_table_info('users') ORDER BY cid")?;
    stmt.query_map([], |r| r.get(0))?.collect()
}

/// One user's raw row for user_details_raw_get.
#[derive(Debug, Clone)]
pub struct RawUser {
    /// `users.id`.
    pub id: i64,
    /// `users.owner_id`.
    pub owner_id: i64,
    /// `users.responsible_accountant_id`.
    pub responsible_accountant_id: i64,
    /// Every non-secret column: name and value (`None` for NULL), in table order.
    pub columns: Vec<(String, Option<String>)>,
}

/// The raw row of user `id`, if it exists.
pub fn raw_user(conn: &Connection, select: &str, id: i64) -> rusqlite::Result<Option<RawUser>> {
    let mut stmt = conn.prepare_cached(select)?;
    let names: Vec<String> = stmt.column_names().skip(3).map(|s| s.to_string()).collect();
    stmt.query_row([id], |r| {
        let mut columns = Vec::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            columns.push((name.clone(), r.get::<_, Option<String>>(i + 3)?));
        }
        Ok(RawUser {
            id: r.get(0)?,
            owner_id: r.get(1)?,
            responsible_accountant_id: r.get::<_, Option<i64>>(2)?.unwrap_or(-1),
            columns,
        })
    })
    .optional()
}
