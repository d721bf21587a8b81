//! Users' balances: reading one, and changing one by a delta in a single `UPDATE … SET
//! balance = balance + ?` (so concurrent changes never lose each other), with its audit row.

use rusqlite::{Connection, OptionalExtension, params};

/// What the balance calls need of a user.
#[derive(Debug, Clone, PartialEq)]
pub struct BalanceRow {
    /// `users.id`.
    pub id: i64,
    /// `users.username`.
    pub username: String,
    /// `users.owner_id`.
    pub owner_id: i64,
    /// The balance, in the default currency.
    pub balance: f64,
    /// `users.currency_id`.
    pub currency_id: i64,
}

/// The balance row of user `id`.
pub fn of(conn: &Connection, id: i64) -> rusqlite::Result<Option<BalanceRow>> {
    conn.prepare_cached(
        "SELECT id, COALESCE(CAST(username AS TEXT), ''), owner_id, CAST(balance AS REAL),
                CAST(currency_id AS INTEGER)
         FROM users WHERE id = ?1",
    )?
    .query_row([id], |r| {
        Ok(BalanceRow {
            id: r.get(0)?,
            username: r.get(1)?,
            owner_id: r.get(2)?,
            balance: r.get::<_, Option<f64>>(3)?.unwrap_or(0.0),
            currency_id: r.get::<_, Option<i64>>(4)?.unwrap_or(1),
        })
    })
    .optional()
}

/// A balance as REAL text ([`crate::numbers::real_text`]).
fn text(conn: &Connection, id: i64) -> rusqlite::Result<String> {
    conn.prepare_cached("SELECT real_text(CAST(balance AS REAL)) FROM users WHERE id = ?1")?
        .query_row([id], |r| r.get::<_, Option<String>>(0))
        .map(Option::unwrap_or_default)
}

/// Adds `delta` to user `id`'s balance and writes the audit row `action` (old and new balance
/// as REAL text); returns the new balance's text.
pub fn add(
    conn: &Connection,
    now: &str,
    caller: i64,
    id: i64,
    delta: f64,
    action: &str,
) -> rusqlite::Result<String> {
    let old = text(conn, id)?;
    conn.prepare_cached("UPDATE users SET balance = balance + ?2 WHERE id = ?1")?
        .execute(params![id, delta])?;
    let new = text(conn, id)?;
    conn.prepare_cached(
        "INSERT INTO actions (date, user_id, target_id, action, data, data2)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![now, caller, id, action, old, new])?;
    Ok(new)
}
