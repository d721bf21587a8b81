//! The SQL of a user's update: the target row, the uniqueness check, and applying a
//! [`Change`] (users, address and tax rows, the LCR cascade) with its audit rows.
//! Runs on the writer's connection, inside the request's savepoint.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};

/// What the update needs to know of its target.
#[derive(Debug, Clone)]
pub struct TargetRow {
    pub id: i64,
    pub usertype: String,
    pub owner_id: i64,
    /// The address row's id, when the user has one that exists.
    pub address_id: Option<i64>,
    /// The taxes row's id, when the user has one that exists.
    pub tax_id: Option<i64>,
    pub lcr_id: i64,
    pub own_providers: i64,
    pub warning_email_balance: f64,
    /// The address's e-mail, or empty.
    pub email: String,
    /// `responsible_accountant_id` (-1 or 0: nobody).
    pub responsible_accountant_id: i64,
}

impl TargetRow {
    /// What reach rules look at.
    pub fn facts(&self) -> super::queries::TargetFacts {
        super::queries::TargetFacts {
            id: self.id,
            owner_id: self.owner_id,
            usertype: self.usertype.clone(),
            responsible: self.responsible_accountant_id,
        }
    }

    /// Whether the target is system staff (an accountant or manager).
    pub fn is_staff(&self) -> bool {
        matches!(self.usertype.as_str(), "accountant" | "manager")
    }
}

/// The target row (other tables by subqueries; joins would do as well now: see open_connection).
pub const TARGET_SELECT: &str = "SELECT u.id, u.usertype, u.owner_id,
        (SELECT id FROM addresses WHERE id = u.address_id),
        (SELECT id FROM taxes WHERE id = u.tax_id), CAST(u.lcr_id AS INTEGER),
        CAST(u.own_providers AS INTEGER), CAST(u.warning_email_balance AS REAL),
        COALESCE((SELECT CAST(email AS TEXT) FROM addresses WHERE id = u.address_id), ''),
        CAST(u.responsible_accountant_id AS INTEGER)
 FROM users u WHERE u.id = ?1";

/// The target user, if it exists.
pub fn load_target(conn: &Connection, id: i64) -> rusqlite::Result<Option<TargetRow>> {
    conn.prepare_cached(TARGET_SELECT)?
        .query_row([id], |r| {
            Ok(TargetRow {
                id: r.get(0)?,
                usertype: r.get(1)?,
                owner_id: r.get(2)?,
                address_id: r.get(3)?,
                tax_id: r.get(4)?,
                lcr_id: r.get::<_, Option<i64>>(5)?.unwrap_or(0),
                own_providers: r.get::<_, Option<i64>>(6)?.unwrap_or(0),
                warning_email_balance: r.get::<_, Option<f64>>(7)?.unwrap_or(0.0),
                email: r.get(8)?,
                responsible_accountant_id: r.get::<_, Option<i64>>(9)?.unwrap_or(-1),
            })
        })
        .optional()
}

/// Whether another user has a username, in any case: MOR's MySQL compares usernames with a
/// case-insensitive collation, so `ADMIN` next to `admin` is refused there too.
pub const USERNAME_TAKEN: &str =
    "SELECT 1 FROM users WHERE username = ?1 COLLATE NOCASE AND id != ?2";

/// Whether a user other than `except` has `username` (in any case).
pub fn username_taken(conn: &Connection, username: &str, except: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached(USERNAME_TAKEN)?
        .exists(params![username, except])
}

/// The writes one update makes.
#[derive(Debug, Default, Clone)]
pub struct Change {
    /// `users` columns and their new values.
    pub user: Vec<(&'static str, Value)>,
    /// `addresses` columns.
    pub address: Vec<(&'static str, Value)>,
    /// `taxes` columns.
    pub tax: Vec<(&'static str, Value)>,
    /// A new argon2id PHC string for `password`.
    pub password_hash: Option<String>,
    /// Give the reseller's users this LCR too.
    pub cascade_lcr: Option<i64>,
}

/// One column whose value changed, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// `table.column`.
    pub column: String,
    /// The old value as SQLite's text (None for NULL or a new row).
    pub old: Option<String>,
    /// The new value as SQLite's text.
    pub new: Option<String>,
}

/// Applies `change` to `target` and writes the audit rows; returns what changed.
pub fn apply(
    conn: &Connection,
    caller: i64,
    target: &TargetRow,
    mut change: Change,
    now: &str,
) -> rusqlite::Result<Vec<Changed>> {
    let mut changed = Vec::new();
    if !change.address.is_empty() {
        let (id, c) = upsert_row(conn, "addresses", target.address_id, &change.address)?;
        changed.extend(c);
        if target.address_id != Some(id) {
            change.user.push(("address_id", id.into()));
        }
    }
    if !change.tax.is_empty() {
        let (id, c) = upsert_row(conn, "taxes", target.tax_id, &change.tax)?;
        changed.extend(c);
        if target.tax_id != Some(id) {
            change.user.push(("tax_id", id.into()));
        }
    }
    if let Some(hash) = &change.password_hash {
        change.user.push(("password", hash.clone().into()));
        change
            .user
            .push(("password_changed_at", now.to_string().into()));
    }
    if !change.user.is_empty() {
        let (_, c) = upsert_row(conn, "users", Some(target.id), &change.user)?;
        changed.extend(c.into_iter().filter(|c| c.column != "users.password"));
    }
    if let Some(lcr) = change.cascade_lcr {
        let n = conn
            .prepare_cached("UPDATE users SET lcr_id = ?1 WHERE owner_id = ?2 AND lcr_id != ?1")?
            .execute(params![lcr, target.id])?;
        if n > 0 {
            changed.push(Changed {
                column: "users.lcr_id (of the reseller's users)".into(),
                old: None,
                new: Some(format!("{lcr} on {n} users")),
            });
        }
    }
    let mut audit = conn.prepare_cached(
        "INSERT INTO actions (date, user_id, target_id, action, data, data2)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for c in &changed {
        let data2 = serde_json::json!({ "old": c.old, "new": c.new }).to_string();
        audit.execute(params![
            now,
            caller,
            target.id,
            "user_updated",
            c.column,
            data2
        ])?;
    }
    if change.password_hash.is_some() {
        // Recorded as an event only: no value of a password, old or new, is ever logged.
        audit.execute(params![
            now,
            caller,
            target.id,
            "password_changed",
            "users.password",
            ""
        ])?;
    }
    Ok(changed)
}

/// Updates row `id` of `table` (or inserts a new row when `id` is None), returning the row id
/// and each column whose text changed. Column names come from the parameter table only.
fn upsert_row(
    conn: &Connection,
    table: &str,
    id: Option<i64>,
    cols: &[(&'static str, Value)],
) -> rusqlite::Result<(i64, Vec<Changed>)> {
    // A column set twice (a named parameter and its uN twin) keeps its last value.
    let mut unique: Vec<(&str, &Value)> = Vec::with_capacity(cols.len());
    for (c, v) in cols {
        match unique.iter_mut().find(|(u, _)| u == c) {
            Some(slot) => slot.1 = v,
            None => unique.push((c, v)),
        }
    }
    let select = format!(
        "SELECT {} FROM {table} WHERE id = ?1",
        unique
            .iter()
            .map(|(c, _)| format!("CAST(\"{c}\" AS TEXT)"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let read = |id: i64| -> rusqlite::Result<Vec<Option<String>>> {
        conn.prepare_cached(&select)?
            .query_row([id], |r| (0..unique.len()).map(|i| r.get(i)).collect())
    };
    let values = unique.iter().map(|(_, v)| *v);
    let (id, before) = match id {
        Some(id) => {
            let before = read(id)?;
            let sets = unique
                .iter()
                .enumerate()
                .map(|(i, (c, _))| format!("\"{c}\" = ?{}", i + 2))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("UPDATE {table} SET {sets} WHERE id = ?1");
            let id_value = Value::Integer(id);
            let args: Vec<&Value> = std::iter::once(&id_value).chain(values).collect();
            conn.prepare_cached(&sql)?
                .execute(rusqlite::params_from_iter(args))?;
            (id, before)
        }
        None => {
            let names = unique
                .iter()
                .map(|(c, _)| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(", ");
            let marks = (1..=unique.len())
                .map(|i| format!("?{i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("INSERT INTO {table} ({names}) VALUES ({marks})");
            conn.prepare_cached(&sql)?
                .execute(rusqlite::params_from_iter(values))?;
            (conn.last_insert_rowid(), vec![None; unique.len()])
        }
    };
    let after = read(id)?;
    let changed = unique
        .iter()
        .zip(before.into_iter().zip(after))
        .filter(|(_, (b, a))| b != a)
        .map(|((c, _), (old, new))| Changed {
            column: format!("{table}.{c}"),
            old,
            new,
        })
        .collect();
    Ok((id, changed))
}
