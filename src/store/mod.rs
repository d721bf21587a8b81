//! All SQL lives under this module. `mod.rs` owns opening the database, its pragmas and the pool
//! of read connections; [`writer`] owns the one connection that writes; [`queries`] holds the
//! typed reads (plain row structs); [`refs`] the references a parameter may name;
//! [`user_update`] a user's update; [`audit`] audit rows; [`ops`] the operator's SQL; [`init`]
//! creates and upgrades database files; [`kept`] the rows kept between requests while the
//! database is unchanged; [`wal_index`] which state the database is in, without a lock. The
//! store knows no call, no caller and no HTTP.
//!
//! Invariants: SQLite runs in WAL mode, so a read never waits for a write; every read sees one
//! consistent snapshot, and that snapshot is the database as it is when the read begins: a read
//! transaction kept open since an earlier request is used only while the WAL index shows no
//! commit since it began, and is ended before its thread goes idle; every write goes through
//! the single writer thread.

pub mod audit;
pub mod balances;
pub mod calls;
pub mod currencies;
pub mod deletion;
pub mod devices;
pub mod dids;
pub mod init;
pub mod kept;
pub mod lists;
pub mod ops;
pub mod payments;
pub mod queries;
pub mod rates;
pub mod refs;
pub mod registration;
pub mod user_update;
pub mod wal_index;
pub mod writer;

use crate::error::ApiError;
use crate::settings::Settings;
use rusqlite::{Connection, OpenFlags};
use std::cell::RefCell;
use std::error::Error;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub use writer::Writer;

/// How writes reach the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous=FULL`: an acknowledged write survives power loss.
    Full,
    /// `synchronous=NORMAL`: faster; the last writes may be lost on power loss.
    Normal,
}

impl Durability {
    fn pragma(self) -> &'static str {
        match self {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        }
    }
}

/// How long a connection waits on a lock before giving up (only checkpoints and start-up ever
/// contend; readers never wait for the writer in WAL mode).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The open database: a pool of read connections and the single writer.
pub struct Store {
    id: u64,
    path: PathBuf,
    writer: Writer,
    raw_select: queries::RawSelect,
    kept: kept::Kept,
    wal: wal_index::WalIndex,
}

thread_local! {
    /// This thread's read connections, one per open store (a process normally has one).
    static READERS: RefCell<Vec<Reader>> = const { RefCell::new(Vec::new()) };
    /// Whether this thread may keep a read transaction open between requests: only a thread
    /// that ends them before it goes idle ([`release_held_reads`]) may.
    static HOLDS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// One thread's read connection to one store, with what it may reuse between requests.
struct Reader {
    store: u64,
    conn: Connection,
    cache: RefCell<ReadCache>,
    /// The state of the read transaction left open by the last request (`None`: none is open).
    held: Option<wal_index::State>,
}

/// Lets this thread keep a read transaction open between requests while the database is
/// unchanged. The server's worker threads say so when they wake, and end what they hold with
/// [`release_held_reads`] before they go idle: an idle thread holding an old snapshot would
/// stop checkpoints from restarting the WAL, which would then grow with every write.
pub fn hold_reads_between_requests() {
    HOLDS.with(|h| h.set(true));
}

/// Ends the read transactions this thread holds (see [`hold_reads_between_requests`]).
pub fn release_held_reads() {
    let _ = READERS.try_with(|cell| {
        let Ok(mut readers) = cell.try_borrow_mut() else {
            return;
        };
        // A connection whose transaction cannot end is retired.
        readers.retain_mut(|r| r.held.take().is_none() || end_read(&r.conn));
    });
}

/// Ends a read transaction; `false` when it could not be ended.
fn end_read(conn: &Connection) -> bool {
    conn.prepare_cached("COMMIT")
        .and_then(|mut s| s.execute([]))
        .is_ok()
}

/// Rows already read, valid while the database's `data_version` stays the same: it changes
/// whenever another connection (the writer, another process) commits, so no change goes
/// unseen. Compared whenever a read transaction begins, in that transaction's snapshot.
#[derive(Default)]
struct ReadCache {
    /// The `data_version` the rows were read at (`None`: this connection has read nothing
    /// yet, so a commit may have gone unnoticed).
    version: Option<i64>,
    settings: Vec<(i64, Arc<Settings>)>,
    callers: Vec<(String, queries::CallerRow)>,
    currencies: Vec<(CurrencyKey, Option<currencies::Currency>)>,
}

/// How a currency was asked for: by id, or by code (ASCII case folded, as `NOCASE` compares).
#[derive(PartialEq, Eq)]
enum CurrencyKey {
    Id(i64),
    Code(String),
}

/// The most scopes, and the most usernames, one thread keeps rows for (then it starts over:
/// a caller naming ever new users gains nothing from the cache, and cannot grow it).
const CACHE_ENTRIES: usize = 64;

/// Tells stores apart in [`READERS`].
static NEXT_STORE_ID: AtomicU64 = AtomicU64::new(1);

impl Store {
    /// Opens an existing morbox database. A missing file is an error that says how to create
    /// one: serving never creates a database by itself.
    pub fn open(path: &Path, durability: Durability) -> Result<Arc<Store>, Box<dyn Error>> {
        if !path.exists() {
            return Err(format!(
                "database {} does not exist; create it with `morbox init --db {} --demo` \
                 (demo data) or `morbox init --db {}` (empty, admin only)",
                path.display(),
                path.display(),
                path.display()
            )
            .into());
        }
        probe(path)?;
        warn_if_shared(path);
        let mut conn = open_connection(path).map_err(|e| explain_open_error(path, e))?;
        init::migrate(&mut conn, path)?;
        let raw_select = queries::raw_select_sql(&conn)?;
        let writer = Writer::start(open_connection(path)?, durability)?;
        // This connection stays open with the store: it keeps the -shm file the one SQLite uses.
        let wal = wal_index::WalIndex::open(conn);
        Ok(Arc::new(Store {
            id: NEXT_STORE_ID.fetch_add(1, Ordering::Relaxed),
            path: path.to_path_buf(),
            writer,
            raw_select,
            kept: kept::Kept::default(),
            wal,
        }))
    }

    /// Runs `f` on this thread's read connection inside one read transaction (one snapshot).
    ///
    /// Each thread (each tokio worker) keeps its own connection with its cached statements,
    /// so reads share no lock. In WAL mode a read never waits for the writer, and the writer's
    /// checkpoints are passive, so this runs on the async workers directly: it takes
    /// microseconds and never blocks on another request. A worker keeps its transaction open
    /// for the next request while the WAL index shows no commit (one `pread` instead of
    /// SQLite's locks); any commit, by anyone, and the next request begins a new one.
    pub fn read<T>(&self, f: impl FnOnce(&Connection, &ReadCtx<'_>) -> T) -> Result<T, ApiError> {
        READERS.with(|cell| {
            let mut readers = cell.borrow_mut();
            let slot = match readers.iter().position(|r| r.store == self.id) {
                Some(i) => i,
                None => {
                    let conn = open_connection(&self.path).map_err(|e| {
                        tracing::error!(error = %e, "cannot open a read connection");
                        ApiError::Internal
                    })?;
                    conn.pragma_update(None, "query_only", true)?;
                    readers.push(Reader {
                        store: self.id,
                        conn,
                        cache: RefCell::default(),
                        held: None,
                    });
                    readers.len() - 1
                }
            };
            let reader = &mut readers[slot];
            let now = self.wal.state();
            let state = match reader.held.take() {
                // Nothing committed since the held transaction began: it is the database now.
                Some(held) if Some(held) == now => Some(held),
                held => {
                    if held.is_some() && !end_read(&reader.conn) {
                        readers.remove(slot);
                        return Err(ApiError::Internal);
                    }
                    begin_read(&reader.conn, &reader.cache)?;
                    // The snapshot was taken between the two looks; if they agree, it is
                    // that state (a commit in between leaves it unnamed: no rows kept).
                    now.filter(|n| self.wal.state() == Some(*n))
                }
            };
            let ctx = ReadCtx {
                raw_select: &self.raw_select,
                cache: &reader.cache,
                kept: &self.kept,
                state,
            };
            let out = f(&reader.conn, &ctx);
            if state.is_some() && HOLDS.with(|h| h.get()) && !reader.conn.is_autocommit() {
                reader.held = state;
            } else if !reader.conn.is_autocommit() && !end_read(&reader.conn) {
                // Ending a read transaction cannot lose anything; a failure retires the
                // connection.
                readers.remove(slot);
            }
            Ok(out)
        })
    }

    /// The single writer, for the write path.
    pub fn writer(&self) -> &Writer {
        &self.writer
    }

    /// Stops the writer after the writes already queued, and checkpoints the WAL.
    pub fn close(&self) {
        READERS.with(|cell| cell.borrow_mut().retain(|r| r.store != self.id));
        self.writer.stop();
    }
}

/// What a read may need besides its connection.
pub struct ReadCtx<'a> {
    /// The `SELECT` of every non-secret `users` column, in table order.
    pub raw_select: &'a queries::RawSelect,
    cache: &'a RefCell<ReadCache>,
    /// The rows kept by every read connection of the store.
    kept: &'a kept::Kept,
    /// The state this request's snapshot shows, when known.
    state: Option<wal_index::State>,
}

/// Begins a read transaction and takes its snapshot, emptying the connection's cache when
/// the database changed since it was filled. A failure leaves no transaction open.
fn begin_read(conn: &Connection, cache: &RefCell<ReadCache>) -> rusqlite::Result<()> {
    // Cached: BEGIN and COMMIT are parsed once per connection, not once per request.
    conn.prepare_cached("BEGIN")?.execute([])?;
    // The first read takes the snapshot; `data_version` moves with every commit by another
    // connection, so the cache is compared with the very snapshot this request reads.
    let version = conn
        .prepare_cached("PRAGMA data_version")
        .and_then(|mut s| s.query_row([], |r| r.get::<_, i64>(0)));
    let version = match version {
        Ok(v) => v,
        Err(e) => {
            end_read(conn);
            return Err(e);
        }
    };
    let mut cache = cache.borrow_mut();
    if cache.version != Some(version) {
        cache.version = Some(version);
        cache.settings.clear();
        cache.callers.clear();
        cache.currencies.clear();
    }
    Ok(())
}

impl ReadCtx<'_> {
    /// The rows kept for this request's snapshot (see [`kept`]).
    pub fn keep(&self) -> kept::Keep<'_> {
        kept::Keep::new(self.kept, self.state)
    }

    /// The settings of the system and of `scope`, from this thread's cache while the
    /// database has not changed, else read anew.
    pub fn settings(&self, conn: &Connection, scope: i64) -> rusqlite::Result<Arc<Settings>> {
        let mut cache = self.cache.borrow_mut();
        if let Some((_, s)) = cache.settings.iter().find(|(sc, _)| *sc == scope) {
            return Ok(Arc::clone(s));
        }
        let s = Arc::new(queries::settings(conn, scope)?);
        if cache.settings.len() >= CACHE_ENTRIES {
            cache.settings.clear();
        }
        cache.settings.push((scope, Arc::clone(&s)));
        Ok(s)
    }

    /// [`currencies::by_id`], from this thread's cache while the database has not changed.
    pub fn currency_by_id(
        &self,
        conn: &Connection,
        id: i64,
    ) -> rusqlite::Result<Option<currencies::Currency>> {
        self.currency(conn, CurrencyKey::Id(id), |c| currencies::by_id(c, id))
    }

    /// [`currencies::by_code`], from this thread's cache while the database has not changed.
    pub fn currency_by_code(
        &self,
        conn: &Connection,
        code: &str,
    ) -> rusqlite::Result<Option<currencies::Currency>> {
        let key = CurrencyKey::Code(code.to_ascii_lowercase());
        self.currency(conn, key, |c| currencies::by_code(c, code))
    }

    /// The default currency (id 1), as [`currencies::default`], from the cache.
    pub fn default_currency(&self, conn: &Connection) -> rusqlite::Result<currencies::Currency> {
        Ok(self
            .currency_by_id(conn, 1)?
            .unwrap_or_else(currencies::fallback))
    }

    fn currency(
        &self,
        conn: &Connection,
        key: CurrencyKey,
        read: impl FnOnce(&Connection) -> rusqlite::Result<Option<currencies::Currency>>,
    ) -> rusqlite::Result<Option<currencies::Currency>> {
        let mut cache = self.cache.borrow_mut();
        if let Some((_, c)) = cache.currencies.iter().find(|(k, _)| *k == key) {
            return Ok(c.clone());
        }
        let found = read(conn)?;
        if cache.currencies.len() >= CACHE_ENTRIES {
            cache.currencies.clear();
        }
        cache.currencies.push((key, found.clone()));
        Ok(found)
    }

    /// [`queries::caller_by_username`], from this thread's cache while the database has not
    /// changed (only users found are kept).
    pub fn caller_by_username(
        &self,
        conn: &Connection,
        username: &str,
    ) -> rusqlite::Result<Option<queries::CallerRow>> {
        let mut cache = self.cache.borrow_mut();
        if let Some((_, row)) = cache.callers.iter().find(|(u, _)| u == username) {
            return Ok(Some(row.clone()));
        }
        let row = queries::caller_by_username_kept(conn, self.keep(), username)?;
        if let Some(row) = &row {
            if cache.callers.len() >= CACHE_ENTRIES {
                cache.callers.clear();
            }
            cache.callers.push((username.to_string(), row.clone()));
        }
        Ok(row)
    }
}

/// Checks, without writing a byte, that `path` is a morbox database (a file, not empty, an
/// SQLite database with a schema version); the error names the file and what to do. Opening
/// a database read-write converts it to WAL mode, so nothing is opened that way before this.
pub fn probe(path: &Path) -> Result<i64, Box<dyn Error>> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!(
            "database {shown} does not exist; create it with `morbox init --db {shown} --demo` \
             (demo data) or `morbox init --db {shown}` (empty, admin only)"
        ),
        _ => format!("cannot read {shown}: {e}"),
    })?;
    if meta.is_dir() {
        return Err(format!(
            "{shown} is a folder, not a database file; name the file, e.g. {}",
            path.join("morbox.db").display()
        )
        .into());
    }
    if meta.len() == 0 {
        return Err(format!(
            "{shown} is an empty file, not a morbox database; remove it and run `morbox init --db {shown}`"
        )
        .into());
    }
    // What cannot be told read-only (a WAL database on a read-only disk cannot even be read
    // without its -shm file) is left to the opening that follows, which explains it.
    let Ok(conn) = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) else {
        return Ok(0);
    };
    match conn.query_row("SELECT MAX(version) FROM schema_version", [], |r| {
        r.get::<_, Option<i64>>(0)
    }) {
        Ok(v) => Ok(v.unwrap_or(0)),
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => {
            Err(format!("{shown} is not a database (not an SQLite file)").into())
        }
        Err(e) if e.to_string().contains("no such table") => Err(format!(
            "{shown} is not a morbox database ({e}); create one with `morbox init`"
        )
        .into()),
        Err(_) => Ok(0),
    }
}

/// Warns when others than the owner may read the database: it holds the API keys in clear and
/// the password hashes (`morbox init` makes it 0600; a file copied in may be looser).
fn warn_if_shared(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(
            db = %path.display(),
            mode = format!("{:o}", meta.permissions().mode() & 0o777),
            "the database holds API keys and password hashes but others may read it; chmod 600 it"
        );
    }
}

/// Says why a database cannot be opened, in the operator's terms.
fn explain_open_error(path: &Path, e: rusqlite::Error) -> Box<dyn Error> {
    let writable = std::fs::OpenOptions::new().write(true).open(path);
    match writable {
        Err(w)
            if w.kind() == std::io::ErrorKind::ReadOnlyFilesystem
                || w.kind() == std::io::ErrorKind::PermissionDenied =>
        {
            format!(
                "cannot open {} for writing ({w}): morbox needs to write the database and its \
                 -wal and -shm files beside it; make the file and its folder writable",
                path.display()
            )
            .into()
        }
        _ => format!("cannot open {}: {e}", path.display()).into(),
    }
}

/// Opens one connection with morbox's pragmas.
pub fn open_connection(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // The query planner's stability guarantee: a plan never depends on the values bound, so
    // a statement is never re-prepared when they change (re-preparing costs more than the
    // query, and a join with a bound key was re-prepared on every run without it).
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(mode, "database is not in WAL mode");
    }
    conn.set_prepared_statement_cache_capacity(64);
    add_functions(&conn)?;
    let mut conn = conn;
    if let Some(&record) = TRACE.get() {
        use rusqlite::trace::{TraceEvent, TraceEventCodes};
        conn.trace_v2(
            TraceEventCodes::SQLITE_TRACE_STMT,
            Some(move |e: TraceEvent<'_>| {
                if let TraceEvent::Stmt(stmt, _) = e {
                    record(&stmt.sql());
                }
            }),
        )?;
    }
    Ok(conn)
}

/// Where every statement run on a connection opened from now on goes (its SQL as prepared):
/// for the statement guard's test, which holds every statement of every call to an
/// index. Never set by the server.
static TRACE: std::sync::OnceLock<fn(&str)> = std::sync::OnceLock::new();

/// Sends every statement of the connections opened from now on to `record` (once per process).
pub fn trace_statements(record: fn(&str)) {
    let _ = TRACE.set(record);
}

/// morbox's SQL functions, on every connection: `real_text(x)`, a stored number as REAL text
/// ([`crate::numbers::real_text`]; a text is kept as stored, NULL and a blob give NULL).
pub fn add_functions(conn: &Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    use rusqlite::types::ValueRef;
    conn.create_scalar_function(
        "real_text",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            Ok(match ctx.get_raw(0) {
                ValueRef::Real(x) => Some(crate::numbers::real_text(x)),
                ValueRef::Integer(i) => Some(crate::numbers::real_text(i as f64)),
                ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Null | ValueRef::Blob(_) => None,
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A demo database in a fresh temp dir, opened as the server opens it.
    fn demo_store(name: &str) -> (PathBuf, Arc<Store>) {
        let dir = std::env::temp_dir().join(format!("morbox-held-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.db");
        init::create(&path, true, &[]).unwrap();
        let store = Store::open(&path, Durability::Full).unwrap();
        (dir, store)
    }

    fn first_name(store: &Store) -> String {
        store
            .read(|conn, _| {
                conn.query_row("SELECT first_name FROM users WHERE id = 5", [], |r| {
                    r.get(0)
                })
                .unwrap()
            })
            .unwrap()
    }

    fn held(store: &Store) -> bool {
        READERS.with(|c| {
            c.borrow()
                .iter()
                .any(|r| r.store == store.id && r.held.is_some())
        })
    }

    #[test]
    fn a_held_read_transaction_never_hides_a_commit() {
        let (dir, store) = demo_store("commit");
        hold_reads_between_requests();
        assert_eq!(first_name(&store), "John");
        assert!(held(&store), "the transaction is kept for the next read");
        assert_eq!(first_name(&store), "John");
        // Another connection commits while this thread holds its snapshot.
        let other = open_connection(&dir.join("t.db")).unwrap();
        other
            .execute("UPDATE users SET first_name = 'Other' WHERE id = 5", [])
            .unwrap();
        assert_eq!(first_name(&store), "Other");
        other
            .execute("UPDATE users SET first_name = 'Again' WHERE id = 5", [])
            .unwrap();
        assert_eq!(first_name(&store), "Again");
        release_held_reads();
        assert!(!held(&store));
        store.close();
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_released_thread_lets_checkpoints_restart_the_wal() {
        let (dir, store) = demo_store("checkpoint");
        hold_reads_between_requests();
        assert_eq!(first_name(&store), "John");
        let other = open_connection(&dir.join("t.db")).unwrap();
        other
            .execute("UPDATE users SET first_name = 'Other' WHERE id = 5", [])
            .unwrap();
        other.busy_timeout(Duration::ZERO).unwrap();
        let truncate = |c: &Connection| -> i64 {
            c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
                .unwrap()
        };
        // The held snapshot is older than the commit: the log cannot be restarted.
        assert_eq!(truncate(&other), 1, "busy while an old snapshot is held");
        // What a worker does before it goes idle.
        release_held_reads();
        assert_eq!(truncate(&other), 0);
        // A thread that does not hold reads ends each one.
        HOLDS.with(|h| h.set(false));
        assert_eq!(first_name(&store), "Other");
        assert!(!held(&store));
        store.close();
        let _ = std::fs::remove_dir_all(&dir);
    }
}
