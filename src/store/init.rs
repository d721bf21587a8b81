//! Creating a database file: the schema (embedded from `schema.sql`), then the demo world
//! (`data/demo.sql`) or a bare admin with a fresh random secret key.

use rusqlite::{Connection, OpenFlags};
use std::error::Error;
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

/// The schema every new database gets.
pub const SCHEMA_SQL: &str = include_str!("../../schema.sql");
/// The demo world, loaded by `init --demo`: the user-details world, then its part for the
/// accounts calls (devices, payments, locations, passwords, their settings), then the devices
/// calls' part, then the rating part.
pub const DEMO_SQL: &str = include_str!("../../data/demo.sql");
/// The accounts part of the demo world.
pub const DEMO_ACCOUNTS_SQL: &str = include_str!("../../data/demo_accounts.sql");
/// The devices part of the demo world.
pub const DEMO_DEVICES_SQL: &str = include_str!("../../data/demo_devices.sql");
/// The rating and call history part of the demo world.
pub const DEMO_RATES_SQL: &str = include_str!("../../data/demo_rates.sql");
/// The demo world's DIDs (schema version 8), applied after [`DEMO_RATES_SQL`].
pub const DEMO_DIDS_SQL: &str = include_str!("../../data/demo_dids.sql");
/// The version `schema.sql` records in `schema_version`.
pub const SCHEMA_VERSION: i64 = 8;

/// The upgrades, each from the version before it: `(to_version, sql)`. A file of an older
/// version is brought up to [`SCHEMA_VERSION`] in place, in one transaction.
pub const MIGRATIONS: &[(i64, MigrationSql)] = &[
    (2, || {
        "CREATE INDEX IF NOT EXISTS actions_user ON actions (user_id);
         DROP INDEX IF EXISTS conflines_owner_name;
         CREATE INDEX conflines_owner_name ON conflines (owner_id, name);"
    }),
    (
        3,
        || "CREATE INDEX IF NOT EXISTS users_username_nocase ON users (username COLLATE NOCASE);",
    ),
    (4, accounts_sql),
    (5, indexes_sql),
    (6, devices_sql),
    (7, rating_sql),
    (8, dids_sql),
];

/// The SQL of one upgrade.
pub type MigrationSql = fn() -> &'static str;

/// Version 4: the tables of the accounts calls — the section of `schema.sql` that follows
/// this marker, so that the upgrade and a new file get the same tables from one text.
const ACCOUNTS_MARKER: &str = "-- Version 4: the accounts calls";

/// Version 5: indexes for the registration's checks — the section after this marker.
const INDEXES_MARKER: &str = "-- Version 5: the indexes";

/// Version 6: the devices calls' columns and tables — the section after this marker.
const DEVICES_MARKER: &str = "-- Version 6: the devices calls";

/// Version 7: the rating tables — the section after this marker.
const RATING_MARKER: &str = "-- Version 7: the rating tables";

/// Version 8: the DID calls' columns and tables — the section after this marker.
const DIDS_MARKER: &str = "-- Version 8: the DID calls";

fn accounts_sql() -> &'static str {
    // From the line after the marker's to the next version's marker.
    let tail = section(ACCOUNTS_MARKER);
    tail.split_once(INDEXES_MARKER).map_or(tail, |(v4, _)| v4)
}

fn indexes_sql() -> &'static str {
    let tail = section(INDEXES_MARKER);
    tail.split_once(DEVICES_MARKER).map_or(tail, |(v5, _)| v5)
}

fn devices_sql() -> &'static str {
    let tail = section(DEVICES_MARKER);
    tail.split_once(RATING_MARKER).map_or(tail, |(v6, _)| v6)
}

fn rating_sql() -> &'static str {
    let tail = section(RATING_MARKER);
    tail.split_once(DIDS_MARKER).map_or(tail, |(v7, _)| v7)
}

fn dids_sql() -> &'static str {
    section(DIDS_MARKER)
}

/// `schema.sql` from the line after `marker`'s to its end.
fn section(marker: &str) -> &'static str {
    SCHEMA_SQL
        .split_once(marker)
        .and_then(|(_, tail)| tail.split_once('\n'))
        .map_or("", |(_, tail)| tail)
}

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
            tx.execute_batch(sql())
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
    create_with(path, demo, seeds, None)
}

/// Work that adds to the demo world inside the creating transaction (rows made by code
/// rather than SQL, such as the generated calls), after the demo SQL and before the seeds.
pub type DemoExtra<'a> = &'a dyn Fn(&Connection) -> Result<(), Box<dyn Error>>;

/// [`create`], with `extra` run on a demo world.
pub fn create_with(
    path: &Path,
    demo: bool,
    seeds: &[PathBuf],
    extra: Option<DemoExtra<'_>>,
) -> Result<Created, Box<dyn Error>> {
    // create_new refuses an existing file atomically, even against a concurrent init.
    create_private(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => format!(
            "{} already exists; init never touches an existing database",
            path.display()
        ),
        _ => format!("cannot create {}: {e}", path.display()),
    })?;
    match populate(path, demo, seeds, extra) {
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

fn populate(
    path: &Path,
    demo: bool,
    seeds: &[PathBuf],
    extra: Option<DemoExtra<'_>>,
) -> Result<Created, Box<dyn Error>> {
    let mut conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    conn.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))?;
    let tx = conn.transaction()?;
    tx.execute_batch(SCHEMA_SQL)?;
    let generated_key = if demo {
        tx.execute_batch(DEMO_SQL)?;
        tx.execute_batch(DEMO_ACCOUNTS_SQL)?;
        tx.execute_batch(DEMO_DEVICES_SQL)?;
        tx.execute_batch(DEMO_RATES_SQL)?;
        tx.execute_batch(DEMO_DIDS_SQL)?;
        if let Some(extra) = extra {
            extra(&tx)?;
        }
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
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| format!("no random source: {e}"))?;
    Ok(hex::encode(bytes))
}

/// Runs one SQL fixture file statement by statement (SQLite's own parser finds where each
/// ends, triggers and quoted `;` included), so that an error can name the file, the statement
/// and SQLite's message.
fn apply_seed(conn: &Connection, seed: &Path) -> Result<(), Box<dyn Error>> {
    use rusqlite::fallible_iterator::FallibleIterator;
    let sql = std::fs::read_to_string(seed)
        .map_err(|e| format!("seed {}: cannot read it: {e}", seed.display()))?;
    let mut batch = rusqlite::Batch::new(conn, &sql);
    // How far the statements run so far reach, to show where a failing one begins.
    let (mut n, mut done) = (0, 0);
    loop {
        n += 1;
        let step = batch.next().and_then(|stmt| {
            let Some(mut stmt) = stmt else {
                return Ok(false);
            };
            if let Some(text) = stmt.expanded_sql()
                && let Some(at) = sql[done..].find(text.trim())
            {
                done += at + text.trim().len();
            }
            // Any statement, a SELECT included, runs to its end.
            let mut rows = stmt.raw_query();
            while rows.next()?.is_some() {}
            Ok(true)
        });
        match step {
            Ok(true) => continue,
            Ok(false) => return Ok(()),
            Err(e) => {
                let rest = sql[done..].trim_start_matches(|c: char| c == ';' || c.is_whitespace());
                let shown: String = rest.chars().take(200).collect();
                return Err(format!(
                    "seed {}: statement {n} failed: {e}\n  {shown}",
                    seed.display()
                )
                .into());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_4_upgrade_is_the_end_of_schema_sql() {
        let sql = accounts_sql();
        assert!(
            sql.trim_start().starts_with("CREATE TABLE devices"),
            "{sql}"
        );
        assert!(sql.contains("CREATE UNIQUE INDEX users_uniquehash"));
    }

    #[test]
    fn seeds_run_whole_statements_and_name_the_one_that_fails() {
        let dir = std::env::temp_dir().join(format!("morbox-seed-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (v TEXT); CREATE TABLE log (v TEXT);")
            .unwrap();
        let good = dir.join("good.sql");
        std::fs::write(
            &good,
            "INSERT INTO t VALUES ('a;b'); -- c;d\nSELECT 1 /* ; */ ;\n\
             CREATE TRIGGER g AFTER INSERT ON t BEGIN INSERT INTO log VALUES ('x'); SELECT 2; END;\n\
             INSERT INTO t VALUES ('c');\n",
        )
        .unwrap();
        apply_seed(&conn, &good).unwrap();
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
            .unwrap();
        let logged: i64 = conn
            .query_row("SELECT COUNT(*) FROM log", [], |r| r.get(0))
            .unwrap();
        assert_eq!((n, logged), (2, 1));
        let bad = dir.join("bad.sql");
        std::fs::write(
            &bad,
            "INSERT INTO t VALUES ('ok');\nINSERT INTO nope VALUES (1);\n",
        )
        .unwrap();
        let err = apply_seed(&conn, &bad).unwrap_err().to_string();
        assert!(
            err.contains("statement 2")
                && err.contains("no such table: nope")
                && err.contains("INSERT INTO nope"),
            "{err}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
