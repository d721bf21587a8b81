//! Creating a database file: the schema (embedded from `schema.sql`), then the demo world
//! (`data/demo.sql`) or a bare admin with a fresh random secret key.

use rusqlite::{Connection, OpenFlags};
use std::error::Error;
use std::fs::OpenOptions;
use std::path::Path;

/// The schema every new database gets.
pub const SCHEMA_SQL: &str = include_str!("../../schema.sql");
/// The demo world, loaded by `init --demo`.
pub const DEMO_SQL: &str = include_str!("../../data/demo.sql");
/// The version `schema.sql` records in `schema_version`.
pub const SCHEMA_VERSION: i64 = 1;

/// What `init` made, for the operator.
pub struct Created {
    /// The admin's new secret key, when one was generated (never for `--demo`).
    pub generated_key: Option<String>,
}

/// Creates a new database at `path`; refuses to touch an existing file. Everything is applied
/// in one transaction, and on any error the file is removed again.
pub fn create(path: &Path, demo: bool) -> Result<Created, Box<dyn Error>> {
    // create_new refuses an existing file atomically, even against a concurrent init.
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => format!(
                "{} already exists; init never touches an existing database",
                path.display()
            ),
            _ => format!("cannot create {}: {e}", path.display()),
        })?;
    match populate(path, demo) {
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

fn populate(path: &Path, demo: bool) -> Result<Created, Box<dyn Error>> {
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
    tx.commit()?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(Created { generated_key })
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
