//! The SQL of a registration (docs/accounts.md): the owner's facts, the checks that need the
//! database, and creating the user with its address, tax row, device and caller ids.

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

/// Whether tariff `id` is the owner's own (or, for a reseller allowed to, a system tariff).
pub fn tariff_usable(
    conn: &Connection,
    id: i64,
    owner: i64,
    system_too: bool,
) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT 1 FROM tariffs WHERE id = ?1 AND (owner_id = ?2 OR (owner_id = 0 AND ?3))",
    )?
    .exists(params![id, owner, system_too])
}

/// Whether LCR `id` belongs to user `owner` (0: the system's).
pub fn lcr_of(conn: &Connection, id: i64, owner: i64) -> rusqlite::Result<bool> {
    exists(
        conn,
        "SELECT 1 FROM lcrs WHERE id = ?1 AND user_id = ?2",
        &id,
        &owner,
    )
}

/// Whether location `id` belongs to `owner`.
pub fn location_of(conn: &Connection, id: i64, owner: i64) -> rusqlite::Result<bool> {
    exists(
        conn,
        "SELECT 1 FROM locations WHERE id = ?1 AND user_id = ?2",
        &id,
        &owner,
    )
}

/// Whether direction (country) `id` exists.
pub fn country_exists(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    exists(
        conn,
        "SELECT 1 FROM directions WHERE id = ?1 AND ?2",
        &id,
        &true,
    )
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

/// The lowest extension in `min..=max` that no device uses as extension or username.
pub fn free_extension(conn: &Connection, min: i64, max: i64) -> rusqlite::Result<Option<i64>> {
    let mut used: Vec<i64> = conn
        .prepare_cached(
            "/* lists */ SELECT CAST(extension AS INTEGER) FROM devices WHERE extension NOT GLOB '*[^0-9]*' AND extension != ''
             UNION SELECT CAST(username AS INTEGER) FROM devices WHERE username NOT GLOB '*[^0-9]*' AND username != ''",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    used.sort_unstable();
    Ok((min..=max).find(|x| used.binary_search(x).is_err()))
}

/// Whether a device already has this PIN, or a user this uniquehash.
pub fn pin_taken(conn: &Connection, pin: &str) -> rusqlite::Result<bool> {
    exists(
        conn,
        "SELECT 1 FROM devices WHERE pin = ?1 AND ?2",
        &pin,
        &true,
    )
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

/// Inserts one row of `table` with these columns (names checked by the caller against the
/// table's own); returns its id.
pub fn insert(
    conn: &Connection,
    table: &str,
    columns: &[(String, Value)],
) -> rusqlite::Result<i64> {
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
pub fn columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    conn.prepare(&format!(
        "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
    ))?
    .query_map([], |r| r.get(0))?
    .collect()
}

/// Sets `column` of row `id` of `table` (the column name is one of the table's own).
pub fn set(
    conn: &Connection,
    table: &str,
    id: i64,
    column: &str,
    value: Value,
) -> rusqlite::Result<()> {
    conn.execute(
        &format!("UPDATE {table} SET \"{column}\" = ?2 WHERE id = ?1"),
        params![id, value],
    )?;
    Ok(())
}
