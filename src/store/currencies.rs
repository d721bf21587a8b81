//! Currencies (docs/accounts.md): found by code in any case, and the rate that converts the
//! default currency (id 1, the one balances are kept in) into another. A currency whose
//! `exchange_rate` is 0 or less counts as not existing.

use rusqlite::{Connection, OptionalExtension};

/// A usable currency.
#[derive(Debug, Clone, PartialEq)]
pub struct Currency {
    /// `currencies.id`.
    pub id: i64,
    /// The stored code (`USD`, `EUR`…), as echoed.
    pub name: String,
    /// Units of this currency per one unit of the default currency.
    pub rate: f64,
}

fn one(
    conn: &Connection,
    sql: &str,
    key: &dyn rusqlite::ToSql,
) -> rusqlite::Result<Option<Currency>> {
    let row = conn
        .prepare_cached(sql)?
        .query_row([key], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<f64>>(2)?,
            ))
        })
        .optional()?;
    Ok(row.and_then(|(id, name, rate)| {
        let rate = rate.filter(|r| *r > 0.0 && r.is_finite())?;
        Some(Currency {
            id,
            name: name.unwrap_or_default(),
            rate,
        })
    }))
}

/// A currency by code (hot: every payment).
pub const BY_CODE: &str = "SELECT c.id, CAST(c.name AS TEXT),
        CAST(c.exchange_rate AS REAL) / NULLIF((SELECT CAST(exchange_rate AS REAL) FROM currencies WHERE id = 1), 0)
 FROM currencies c WHERE c.name = ?1 COLLATE NOCASE ORDER BY c.id LIMIT 1";

/// A currency by id.
pub const BY_ID: &str = "SELECT c.id, CAST(c.name AS TEXT),
        CAST(c.exchange_rate AS REAL) / NULLIF((SELECT CAST(exchange_rate AS REAL) FROM currencies WHERE id = 1), 0)
 FROM currencies c WHERE c.id = ?1";

/// The currency with this code (any case), if it exists and has a positive rate.
pub fn by_code(conn: &Connection, code: &str) -> rusqlite::Result<Option<Currency>> {
    one(conn, BY_CODE, &code)
}

/// The currency with this id, if it exists and has a positive rate.
pub fn by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<Currency>> {
    one(conn, BY_ID, &id)
}

/// The default currency (id 1); rate 1.
pub fn default(conn: &Connection) -> rusqlite::Result<Currency> {
    Ok(by_id(conn, 1)?.unwrap_or_else(fallback))
}

/// What stands for the default currency when its row is missing or unusable.
pub fn fallback() -> Currency {
    Currency {
        id: 1,
        name: String::new(),
        rate: 1.0,
    }
}
