//! The SQL of a registration (docs/accounts.md): the owner's facts, the checks that need the
//! database, and creating the user with its address, tax row and caller ids (its device is
//! made by [`super::devices`]).

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

/// What a registration needs of the owner.
#[derive(Debug, Clone)]
pub struct Owner {
    /// `users.id`.
    pub id: i64,
    /// `users.own_providers` is 1.
    pub own_providers: bool,
    /// `users.lcr_id`.
    pub lcr_id: i64,
}

/// The owner's facts.
pub fn owner(conn: &Connection, id: i64) -> rusqlite::Result<Option<Owner>> {
    conn.prepare_cached(
        "SELECT id, COALESCE(CAST(own_providers AS INTEGER), 0), COALESCE(CAST(lcr_id AS INTEGER), 0)
         FROM users WHERE id = ?1",
    )?
    .query_row([id], |r| {
        Ok(Owner {
            id: r.get(0)?,
            own_providers: r.get::<_, i64>(1)? == 1,
            lcr_id: r.get(2)?,
        })
    })
    .optional()
}

/// Whether the query (with `?1`, `?2`) finds a row.
fn exists(
    conn: &Connection,
    sql: &str,
    a: &dyn rusqlite::ToSql,
    b: &dyn rusqlite::ToSql,
) -> rusqlite::Result<bool> {
    conn.prepare_cached(sql)?.exists(params![a, b])
}

/// Whether an address already has this e-mail (any case).
pub fn email_taken(conn: &Connection, email: &str) -> rusqlite::Result<bool> {
    exists(
        conn,
        "SELECT 1 FROM addresses WHERE email = ?1 COLLATE NOCASE AND ?2",
        &email,
        &true,
    )
}

/// Whether these digits are already somebody's caller id.
pub fn cli_taken(conn: &Connection, digits: &str) -> rusqlite::Result<bool> {
    exists(
        conn,
        "SELECT 1 FROM callerids WHERE cli = ?1 AND ?2",
        &digits,
        &true,
    )
}

/// The next agreement number: the largest numeric one plus one.
pub fn next_agreement_number(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "SELECT COALESCE(MAX(CAST(agreement_number AS INTEGER)), 0) + 1 FROM users
         WHERE agreement_number != '' AND agreement_number NOT GLOB '*[^0-9]*'",
    )?
    .query_row([], |r| r.get(0))
}

/// Whether a user already has this uniquehash.
pub fn uniquehash_taken(conn: &Connection, hash: &str) -> rusqlite::Result<bool> {
    exists(
        conn,
        // The partial unique index holds only non-empty uniquehashes: say so, so that it is used.
        "SELECT 1 FROM users WHERE uniquehash = ?1 AND uniquehash != '' AND ?2",
        &hash,
        &true,
    )
}

/// A new user's rows as a registration decides them. Each of the three tables starts from the
/// owner's defaults (settings `Default_User_<column>`, `Default_Address_<column>`,
/// `Default_Tax_<column>`, handed over without their prefix; names that are no column, and
/// `id`, are ignored), then takes what the request and the rules say.
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    /// The owner's `Default_Address_*` settings: (column, value).
    pub address_defaults: Vec<(String, String)>,
    /// The request's non-blank address fields: (column, value).
    pub address: Vec<(&'static str, String)>,
    /// `addresses.direction_id` (and `users.taxation_country`).
    pub country_id: i64,
    /// The owner's `Default_Tax_*` settings (none: tax 1 on, at 0).
    pub tax_defaults: Vec<(String, String)>,
    /// The owner's `Default_User_*` settings.
    pub user_defaults: Vec<(String, String)>,
    /// The user's own columns.
    pub user: NewUser,
}

/// What a registration sets of the new `users` row.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    /// `username`.
    pub username: String,
    /// `password`: the argon2id hash.
    pub password_hash: String,
    /// `owner_id`.
    pub owner_id: i64,
    /// `first_name`.
    pub first_name: String,
    /// `last_name`.
    pub last_name: String,
    /// `clientid`.
    pub clientid: String,
    /// `vat_number`.
    pub vat_number: String,
    /// `agreement_number`, zero-padded.
    pub agreement_number: String,
    /// `agreement_date`.
    pub agreement_date: String,
    /// `tariff_id`.
    pub tariff_id: i64,
    /// `lcr_id`.
    pub lcr_id: i64,
    /// `currency_id`.
    pub currency_id: i64,
    /// `uniquehash`.
    pub uniquehash: String,
    /// `call_limit`, when the request set it.
    pub call_limit: Option<i64>,
    /// `credit`, when the request set it.
    pub credit: Option<i64>,
    /// `accounting_number`, when the request set it.
    pub accounting_number: Option<String>,
}

/// Writes the address, the tax row and the user (`usertype` user, balance 0 unless a default
/// says otherwise, not logged in); returns the user's id.
pub fn create_account(conn: &Connection, a: &NewAccount) -> rusqlite::Result<i64> {
    let mut address = defaults(conn, "addresses", &a.address_defaults)?;
    put(&mut address, "direction_id", a.country_id.into());
    for (column, value) in &a.address {
        put(&mut address, column, value.clone().into());
    }
    let address_id = insert(conn, "addresses", &address)?;
    let mut tax = defaults(conn, "taxes", &a.tax_defaults)?;
    if tax.is_empty() {
        tax.push(("tax1_enabled".into(), 1.into()));
    }
    let tax_id = insert(conn, "taxes", &tax)?;
    let u = &a.user;
    let mut user = defaults(conn, "users", &a.user_defaults)?;
    let fixed: Vec<(&str, Value)> = vec![
        ("username", u.username.clone().into()),
        ("password", u.password_hash.clone().into()),
        ("usertype", "user".to_string().into()),
        ("owner_id", u.owner_id.into()),
        ("first_name", u.first_name.clone().into()),
        ("last_name", u.last_name.clone().into()),
        ("clientid", u.clientid.clone().into()),
        ("vat_number", u.vat_number.clone().into()),
        ("agreement_number", u.agreement_number.clone().into()),
        ("agreement_date", u.agreement_date.clone().into()),
        ("taxation_country", a.country_id.into()),
        ("tariff_id", u.tariff_id.into()),
        ("lcr_id", u.lcr_id.into()),
        ("currency_id", u.currency_id.into()),
        ("uniquehash", u.uniquehash.clone().into()),
        ("logged", 0.into()),
        ("address_id", address_id.into()),
        ("tax_id", tax_id.into()),
    ];
    for (c, v) in fixed {
        put(&mut user, c, v);
    }
    if !user.iter().any(|(c, _)| c == "balance") {
        put(&mut user, "balance", 0.0.into());
    }
    if let Some(v) = u.call_limit {
        put(&mut user, "call_limit", v.into());
    }
    if let Some(v) = u.credit {
        put(&mut user, "credit", v.into());
    }
    if let Some(v) = &u.accounting_number {
        put(&mut user, "accounting_number", v.clone().into());
    }
    insert(conn, "users", &user)
}

/// Makes `device` the user's primary device.
pub fn set_primary_device(conn: &Connection, user: i64, device: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE users SET primary_device_id = ?2 WHERE id = ?1")?
        .execute(params![user, device])?;
    Ok(())
}

/// Records `cli` as one of `device`'s caller ids.
pub fn add_caller_id(
    conn: &Connection,
    device: i64,
    cli: &str,
    description: &str,
    now: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO callerids (cli, device_id, description, added_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![cli, device, description, now])?;
    Ok(())
}

/// The defaults that name a column of `table` (not `id`), as the row's first columns.
fn defaults(
    conn: &Connection,
    table: &str,
    settings: &[(String, String)],
) -> rusqlite::Result<Vec<(String, Value)>> {
    let columns = columns(conn, table)?;
    Ok(settings
        .iter()
        .filter(|(c, _)| c != "id" && columns.iter().any(|x| x == c))
        .map(|(c, v)| (c.clone(), Value::from(v.clone())))
        .collect())
}

/// Sets `column` in a row being built (replacing a default).
fn put(row: &mut Vec<(String, Value)>, column: &str, value: Value) {
    row.retain(|(c, _)| c != column);
    row.push((column.to_string(), value));
}

/// Inserts one row of `table` with these columns (names checked by the caller against the
/// table's own); returns its id.
fn insert(conn: &Connection, table: &str, columns: &[(String, Value)]) -> rusqlite::Result<i64> {
    if columns.is_empty() {
        conn.execute(&format!("INSERT INTO {table} DEFAULT VALUES"), [])?;
    } else {
        let names: Vec<String> = columns.iter().map(|(c, _)| format!("\"{c}\"")).collect();
        let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        conn.execute(
            &format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                names.join(", "),
                marks.join(", ")
            ),
            params_from_iter(columns.iter().map(|(_, v)| v)),
        )?;
    }
    Ok(conn.last_insert_rowid())
}

/// The column names of `table`.
fn columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    conn.prepare(&format!(
        "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
    ))?
    .query_map([], |r| r.get(0))?
    .collect()
}
