//! Creating a database file: the schema (embedded from `schema.sql`), then the demo world
//! (`data/demo.sql`) or a bare admin with a fresh random secret key.

use rusqlite::{Connection, OpenFlags};
use std::error::Error;
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

/// The schema every new database gets.
pub const SCHEMA_SQL: &str = include_str!("../../schema.sql");
/// The demo world, loaded by `init --demo`.
pub const DEMO_SQL: &str = include_str!("../../data/demo.sql");
/// The version `schema.sql` records in `schema_version`.
pub const SCHEMA_VERSION: i64 = 3;

/// The upgrades, each from the version before it: `(to_version, sql)`. A file of an older
/// version is brought up to [`SCHEMA_VERSION`] in place, in one transaction.
pub const MIGRATIONS: &[(i64, &str)] = &[
    (
        2,
        "CREATE INDEX IF NOT EXISTS actions_user ON actions (user_id);
         DROP INDEX IF EXISTS conflines_owner_name;
         CREATE INDEX conflines_owner_name ON conflines (owner_id, name);",
    ),
    (
        3,
        "CREATE INDEX IF NOT EXISTS users_username_nocase ON users (username COLLATE NOCASE);",
    ),
];

/// Brings an older database up to [`SCHEMA_VERSION`] in one transaction; refuses a newer one.
/// Returns the version the file had.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<i64, Box<dyn Error>> {
    let version: i64 = conn
        .query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0))
        .map_err(|e| format!("{} is not a morbox database: {e}", path.display()))?;
    if version > SCHEMA_VERSION {
        return Err(format!(
            "{} was made by a newer morbox (schema version {version}; this morbox knows up to \
             {SCHEMA_VERSION}): use that morbox or a newer one",
            path.display()
        )
        .into());
    }
    if version < SCHEMA_VERSION {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for (to, sql) in MIGRATIONS.iter().filter(|(to, _)| *to > version) {
            tx.execute_batch(sql)
                .map_err(|e| format!("upgrading {} to schema version {to}: {e}", path.display()))?;
        }
        tx.execute("DELETE FROM schema_version", [])?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES (?1)",
            [SCHEMA_VERSION],
        )?;
        tx.commit()?;
        tracing::info!(from = version, to = SCHEMA_VERSION, "database upgraded");
    }
    Ok(version)
}

/// What `init` made, for the operator.
pub struct Created {
    /// The admin's new secret key, when one was generated (never for `--demo`).
    pub generated_key: Option<String>,
}

/// Creates a new database at `path`; refuses to touch an existing file. The schema, the demo
/// world (with `demo`) and each seed file in order are applied in one transaction, and on any
/// error the file is removed again.
pub fn create(path: &Path, demo: bool, seeds: &[PathBuf]) -> Result<Created, Box<dyn Error>> {
    // create_new refuses an existing file atomically, even against a concurrent init.
    create_private(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => format!(
            "{} already exists; init never touches an existing database",
            path.display()
        ),
        _ => format!("cannot create {}: {e}", path.display()),
    })?;
    match populate(path, demo, seeds) {
        Ok(created) => Ok(created),
        Err(e) => {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let mut p = path.as_os_str().to_owned();
                p.push(suffix);
                let _ = std::fs::remove_file(p);
            }
            Err(e)
        }
    }
}

/// Creates a new, empty file only its owner may read or write (0600): a morbox database holds
/// the API keys in clear and the password hashes. SQLite gives the `-wal` and `-shm` files the
/// database file's own mode, so they are private too. Refuses an existing file.
pub fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

fn populate(path: &Path, demo: bool, seeds: &[PathBuf]) -> Result<Created, Box<dyn Error>> {
    let mut conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    conn.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))?;
    let tx = conn.transaction()?;
    tx.execute_batch(SCHEMA_SQL)?;
    let generated_key = if demo {
        tx.execute_batch(DEMO_SQL)?;
        None
    } else {
        let key = random_key()?;
        tx.execute_batch(
            "INSERT INTO currencies (id, name, full_name) VALUES (1, 'EUR', 'Euro');
             INSERT INTO users (id, username, usertype, credit) VALUES (0, 'admin', 'admin', -1);
             INSERT INTO conflines (name, value, owner_id) VALUES ('Allow_API', '1', 0);",
        )?;
        tx.execute(
            "INSERT INTO conflines (name, value, owner_id) VALUES ('API_Secret_Key', ?1, 0)",
            [&key],
        )?;
        Some(key)
    };
    for seed in seeds {
        apply_seed(&tx, seed)?;
    }
    tx.commit()?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(Created { generated_key })
}

/// The keys of `data/demo.sql`, which must never guard a public server.
pub const DEMO_SECRETS: &[&str] = &["secret", "reseller1secret", "456789"];

/// The scopes (`owner_id`: 0 the system, else a reseller) holding a demo or short
/// (< 16 characters) API_Secret_Key.
pub fn weak_secrets(path: &Path) -> Result<Vec<i64>, Box<dyn Error>> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut weak: Vec<i64> = super::queries::all_keys(&conn)?
        .into_iter()
        .filter(|(_, key)| DEMO_SECRETS.contains(&key.as_str()) || key.chars().count() < 16)
        .map(|(owner, _)| owner)
        .collect();
    // A scope may hold more than one row (fixtures may repeat a setting): name it once.
    weak.dedup();
    Ok(weak)
}

/// The scopes (`owner_id`) where `API_Disable_hash_checking` is on: there, anyone who reaches
/// the server may call the API without a signature.
pub fn unsigned_scopes(path: &Path) -> Result<Vec<i64>, Box<dyn Error>> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let owners: Vec<i64> = conn
        .prepare(
            "SELECT DISTINCT owner_id FROM conflines
             WHERE name = 'API_Disable_hash_checking' ORDER BY owner_id",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut unsigned = Vec::new();
    for owner in owners {
        // The value in force (the newest row wins), read as the server reads it.
        let settings = super::queries::settings(&conn, owner)?;
        if settings.scoped_on(crate::settings::API_DISABLE_HASH_CHECKING) {
            unsigned.push(owner);
        }
    }
    Ok(unsigned)
}

/// A new secret key: 48 hex characters from the operating system's random source.
pub fn random_key() -> Result<String, Box<dyn Error>> {
    let mut bytes = Vec::with_capacity(24);
    for _ in 0..2 {
        let salt = argon2::password_hash::try_generate_salt()
            .map_err(|e| format!("no random source: {e}"))?;
        bytes.extend_from_slice(&salt[..12]);
    }
    Ok(hex::encode(bytes))
}

/// Runs one SQL fixture file statement by statement, so that an error can name the file, the
/// statement and SQLite's message.
fn apply_seed(conn: &Connection, seed: &Path) -> Result<(), Box<dyn Error>> {
    let sql = std::fs::read_to_string(seed)
        .map_err(|e| format!("seed {}: cannot read it: {e}", seed.display()))?;
    for (n, stmt) in split_statements(&sql).into_iter().enumerate() {
        if let Err(e) = conn.execute_batch(stmt) {
            let shown: String = stmt.trim().chars().take(200).collect();
            return Err(format!(
                "seed {}: statement {} failed: {e}\n  {shown}",
                seed.display(),
                n + 1
            )
            .into());
        }
    }
    Ok(())
}

/// Splits SQL text at the `;` that end statements: not inside quotes or comments, and for a
/// `CREATE TRIGGER` only after its `END`.
pub fn split_statements(sql: &str) -> Vec<&str> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < b.len() {
        match b[i] {
            q @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
            }
            b'[' => {
                while i < b.len() && b[i] != b']' {
                    i += 1;
                }
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b';' => {
                let stmt = &sql[start..=i];
                let upper = stmt.trim_start().to_ascii_uppercase();
                let trigger = upper.starts_with("CREATE TRIGGER")
                    || upper.starts_with("CREATE TEMP TRIGGER")
                    || upper.starts_with("CREATE TEMPORARY TRIGGER");
                let ended = upper.trim_end_matches(';').trim_end().ends_with("END");
                if !trigger || ended {
                    if has_code(stmt) {
                        out.push(stmt);
                    }
                    start = i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if start < sql.len() && has_code(&sql[start..]) {
        out.push(&sql[start..]);
    }
    out
}

/// Whether a piece of SQL holds more than white space and comments.
fn has_code(s: &str) -> bool {
    s.lines()
        .map(|l| l.split("--").next().unwrap_or(""))
        .any(|l| !l.trim().is_empty() && l.trim() != ";")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_statements() {
        let sql = "INSERT INTO t VALUES ('a;b'); -- c;d\nSELECT \"x;\" /* ; */ ;\n\
                   CREATE TRIGGER g AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END;\n  ";
        let parts = split_statements(sql);
        assert_eq!(parts.len(), 3, "{parts:?}");
        assert!(parts[0].ends_with("('a;b');"));
        assert!(parts[2].trim_start().starts_with("CREATE TRIGGER") && parts[2].ends_with("END;"));
    }

    #[test]
    fn schema_and_demo_split_cleanly() {
        assert!(split_statements(SCHEMA_SQL).len() > 10);
        assert!(split_statements(DEMO_SQL).len() > 10);
    }
}
