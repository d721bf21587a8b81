//! The SQL of the operator's commands (`users`, `settings`, `audit`, `check`, `backup`): plain
//! reads and small writes on the database file, safe beside a running server (WAL, busy
//! timeout).

use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;

/// A row as (column, text) pairs, in column order; NULL as empty text.
pub type Row = Vec<(String, String)>;

/// Runs a query and returns its rows as text.
pub fn rows(
    conn: &Connection,
    sql: &str,
    args: &[&dyn rusqlite::ToSql],
) -> rusqlite::Result<Vec<Row>> {
    let mut stmt = conn.prepare(sql)?;
    let names: Vec<String> = stmt.column_names().map(str::to_string).collect();
    let mut out = Vec::new();
    let mut q = stmt.query(args)?;
    while let Some(r) = q.next()? {
        let mut row = Vec::with_capacity(names.len());
        for (i, n) in names.iter().enumerate() {
            let v = match r.get_ref(i)? {
                rusqlite::types::ValueRef::Null => String::new(),
                rusqlite::types::ValueRef::Integer(x) => x.to_string(),
                rusqlite::types::ValueRef::Real(x) => x.to_string(),
                rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                rusqlite::types::ValueRef::Blob(b) => format!("<{} bytes>", b.len()),
            };
            row.push((n.clone(), v));
        }
        out.push(row);
    }
    Ok(out)
}

/// Users, optionally of one owner and type.
pub fn list_users(
    conn: &Connection,
    owner: Option<i64>,
    usertype: Option<&str>,
    limit: i64,
) -> rusqlite::Result<Vec<Row>> {
    rows(
        conn,
        "SELECT id, username, usertype, owner_id, first_name, last_name,
                real_text(CAST(balance AS REAL)) AS balance, CAST(credit AS TEXT) AS credit, blocked
         FROM users WHERE (?1 IS NULL OR owner_id = ?1) AND (?2 IS NULL OR usertype = ?2)
         ORDER BY id LIMIT ?3",
        &[&owner, &usertype, &limit],
    )
}

/// Payments, newest first: of one user, or all.
pub fn list_payments(
    conn: &Connection,
    user: Option<i64>,
    limit: i64,
) -> rusqlite::Result<Vec<Row>> {
    rows(
        conn,
        "SELECT id, user_id, date_added, paymenttype, currency, CAST(amount AS TEXT) AS amount,
                CAST(tax AS TEXT) AS tax, CAST(gross AS TEXT) AS gross, completed, pending_reason,
                transaction_id
         FROM payments WHERE (?1 IS NULL OR user_id = ?1) ORDER BY id DESC LIMIT ?2",
        &[&user, &limit],
    )
}

/// The id of a user named by id or username.
pub fn find_user(conn: &Connection, who: &str) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT id FROM users WHERE username = ?1 OR (CAST(id AS TEXT) = ?1) ORDER BY username = ?1 DESC LIMIT 1",
        [who],
        |r| r.get(0),
    )
    .optional()
}

/// One user's every non-secret column.
pub fn show_user(conn: &Connection, id: i64) -> rusqlite::Result<Option<Row>> {
    let select = super::queries::raw_select_sql(conn)?;
    let mut out = Vec::new();
    let found = super::queries::raw_user(
        conn,
        super::kept::Keep::NONE,
        &select,
        id,
        |_| Ok::<(), ()>(()),
        |name, value| {
            out.push((name.to_string(), value.unwrap_or("").to_string()));
        },
    )?;
    Ok(found.map(|_| out))
}

/// Adds a user; returns its id.
pub fn add_user(
    conn: &Connection,
    username: &str,
    usertype: &str,
    owner: i64,
    password_hash: &str,
    first_name: &str,
    last_name: &str,
) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO users (username, usertype, owner_id, password, first_name, last_name)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            username,
            usertype,
            owner,
            password_hash,
            first_name,
            last_name
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Sets a user's password hash.
pub fn set_password(
    conn: &Connection,
    id: i64,
    password_hash: &str,
    now: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE users SET password = ?1, password_changed_at = ?2 WHERE id = ?3",
        params![password_hash, now, id],
    )?;
    conn.execute(
        "INSERT INTO actions (date, user_id, target_id, action, data) VALUES (?1, 0, ?2, 'password_changed', 'users.password (morbox users passwd)')",
        params![now, id],
    )?;
    Ok(())
}

/// The settings rows of one owner (all owners when `None`).
pub fn list_settings(conn: &Connection, owner: Option<i64>) -> rusqlite::Result<Vec<Row>> {
    rows(
        conn,
        "SELECT owner_id, name, value FROM conflines WHERE (?1 IS NULL OR owner_id = ?1) ORDER BY owner_id, name",
        &[&owner],
    )
}

/// One setting's stored value, if there is a row.
pub fn get_setting(conn: &Connection, name: &str, owner: i64) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT CAST(value AS TEXT) FROM conflines WHERE name = ?1 AND owner_id = ?2
         ORDER BY id DESC LIMIT 1",
        params![name, owner],
        |r| r.get(0),
    )
    .optional()
}

/// Sets (inserts or replaces) one setting.
pub fn set_setting(conn: &Connection, name: &str, value: &str, owner: i64) -> rusqlite::Result<()> {
    let changed = conn.execute(
        "UPDATE conflines SET value = ?2 WHERE name = ?1 AND owner_id = ?3",
        params![name, value, owner],
    )?;
    if changed == 0 {
        conn.execute(
            "INSERT INTO conflines (name, value, owner_id) VALUES (?1, ?2, ?3)",
            params![name, value, owner],
        )?;
    }
    Ok(())
}

/// Recent audit rows, newest first.
pub fn audit(
    conn: &Connection,
    user: Option<i64>,
    target: Option<i64>,
    limit: i64,
) -> rusqlite::Result<Vec<Row>> {
    rows(
        conn,
        "SELECT id, date, user_id, target_id, action, data, data2 FROM actions
         WHERE (?1 IS NULL OR user_id = ?1) AND (?2 IS NULL OR target_id = ?2)
         ORDER BY id DESC LIMIT ?3",
        &[&user, &target, &limit],
    )
}

/// `PRAGMA integrity_check`, the schema version and row counts.
pub fn check(conn: &Connection) -> rusqlite::Result<Row> {
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    let version: i64 =
        conn.query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0))?;
    let users: i64 = conn.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?;
    let actions: i64 = conn.query_row("SELECT COUNT(*) FROM actions", [], |r| r.get(0))?;
    let journal: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    Ok(vec![
        ("integrity".into(), integrity),
        ("schema_version".into(), version.to_string()),
        (
            "schema_version_expected".into(),
            super::init::SCHEMA_VERSION.to_string(),
        ),
        ("journal_mode".into(), journal),
        ("users".into(), users.to_string()),
        ("audit_rows".into(), actions.to_string()),
    ])
}

/// A consistent copy of the database while it is being served (`VACUUM INTO`), in a new file
/// only its owner may read (it holds the keys and password hashes). Refuses an existing file;
/// on failure nothing is left behind.
pub fn backup(conn: &Connection, to: &Path) -> Result<(), Box<dyn std::error::Error>> {
    super::init::create_private(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    // VACUUM INTO accepts an empty file, and keeps its mode.
    if let Err(e) = conn.execute("VACUUM INTO ?1", [to.to_string_lossy()]) {
        let _ = std::fs::remove_file(to);
        return Err(e.into());
    }
    Ok(())
}

/// Replaces `into`'s content with `from`'s in one step of SQLite's backup (one write
/// transaction on `into`, through its WAL when it has one: a server on the same file sees the
/// old content or the new). Waits for a writer in progress (the connection's busy timeout),
/// then gives up with nothing changed.
pub fn restore(from: &Connection, into: &mut Connection) -> Result<(), String> {
    use rusqlite::backup::{Backup, StepResult};
    let started = std::time::Instant::now();
    loop {
        let step = Backup::new(from, into)
            .and_then(|b| b.step(-1))
            .map_err(|e| e.to_string())?;
        match step {
            StepResult::Done => return Ok(()),
            _ if started.elapsed() < std::time::Duration::from_secs(10) => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return Err(format!("the database stayed busy ({other:?})")),
        }
    }
}
