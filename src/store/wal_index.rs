//! Which state the database is in, read from SQLite's WAL index (the `-shm` file) without a
//! lock or a transaction: one `pread` of its header.
//!
//! Every commit, by any connection of any process, rewrites that header and increments its
//! change counter (`iChange`; the format is SQLite's documented file format, walformat.html
//! §2.1), so two equal reads of it mean that nothing was committed in between. SQLite writes
//! the header twice (second copy first) and its own readers take it only when both copies
//! agree and it is initialised; so do we. This is what lets a read connection keep one read
//! transaction across requests while the database stays as it was, and what names the state
//! the kept rows ([`super::kept`]) were read in.

use rusqlite::Connection;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::sync::Mutex;

/// One copy of the WAL-index header.
const HEADER: usize = 48;

/// Where `isInit` lies in a copy (after `iVersion`, padding and `iChange`).
const IS_INIT: usize = 12;

/// The database's state: the WAL-index header, as it is between commits.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct State([u8; HEADER]);

/// The `-shm` file of one database, open for reading, and the connection that keeps it the
/// file SQLite uses.
pub struct WalIndex {
    file: Option<File>,
    /// SQLite deletes the `-shm` file only when the last connection closes, and only with the
    /// database locked exclusively; this connection holds a shared lock from its first read
    /// to its end, so the file read here is never replaced while the store is open.
    _keeper: Mutex<Connection>,
}

impl WalIndex {
    /// The WAL index of the database `keeper` is open on (in WAL mode). When it cannot be
    /// read, every state is unknown: reads then take a transaction each and keep no rows,
    /// which is slower, never wrong.
    pub fn open(keeper: Connection) -> WalIndex {
        // A read opens the -shm file (if no connection had) and takes the shared lock.
        let read = keeper.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()));
        // SQLite's own name of the file (symbolic links resolved): the -shm file lies beside it.
        let shm = keeper
            .path()
            .filter(|p| !p.is_empty())
            .map(|p| format!("{p}-shm"));
        let file = match (read, shm) {
            (Ok(()), Some(shm)) => File::open(&shm).map_err(|e| format!("{shm}: {e}")),
            (Err(e), _) => Err(e.to_string()),
            (_, None) => Err("the database has no file name".to_string()),
        };
        if let Err(e) = &file {
            tracing::warn!(error = %e,
                "cannot read the WAL index: every read takes its own transaction");
        }
        WalIndex {
            file: file.ok(),
            _keeper: Mutex::new(keeper),
        }
    }

    /// The state now, or `None` while a commit is writing the header (or it cannot be read).
    pub fn state(&self) -> Option<State> {
        let mut both = [0u8; 2 * HEADER];
        self.file.as_ref()?.read_exact_at(&mut both, 0).ok()?;
        let (first, second) = both.split_at(HEADER);
        if first != second || first[IS_INIT] != 1 {
            return None;
        }
        State::of(first)
    }
}

impl State {
    /// Wraps a header copy (only a full copy makes a state).
    fn of(bytes: &[u8]) -> Option<State> {
        bytes.try_into().ok().map(State)
    }
}

#[cfg(test)]
impl State {
    /// A made-up state, for tests of what keys on states.
    pub fn test(n: u8) -> State {
        State([n; HEADER])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_commit_by_any_connection_changes_the_state_and_nothing_else_does() {
        let dir = std::env::temp_dir().join(format!("morbox-wal-index-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("t.db");
        let a = Connection::open(&db).unwrap();
        a.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))
            .unwrap();
        a.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
            .unwrap();
        let index = WalIndex::open(Connection::open(&db).unwrap());
        let s1 = index.state().expect("a state");
        // Reads change nothing.
        let b = Connection::open(&db).unwrap();
        let _: i64 = b
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(index.state(), Some(s1));
        // A commit by another connection does, and so does each next one.
        b.execute("INSERT INTO t VALUES (2)", []).unwrap();
        let s2 = index.state().unwrap();
        assert_ne!(s1, s2);
        a.execute("UPDATE t SET x = x + 1", []).unwrap();
        let s3 = index.state().unwrap();
        assert_ne!(s2, s3);
        // A checkpoint that restarts the log gives a new state too (never an old one back).
        a.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        b.execute("INSERT INTO t VALUES (3)", []).unwrap();
        let s4 = index.state().unwrap();
        assert!(s4 != s1 && s4 != s2 && s4 != s3);
        // A transaction that changes nothing commits nothing.
        a.execute_batch("BEGIN; SELECT * FROM t; COMMIT;").unwrap();
        assert_eq!(index.state(), Some(s4));
        // Every other connection closing (which may delete a -shm file no one uses) leaves
        // the index the one SQLite uses: commits still show.
        drop((a, b));
        let c = Connection::open(&db).unwrap();
        c.execute("INSERT INTO t VALUES (4)", []).unwrap();
        assert_ne!(index.state(), Some(s4));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_unreadable_index_is_no_state() {
        // An in-memory database has no -shm file.
        let index = WalIndex::open(Connection::open_in_memory().unwrap());
        assert_eq!(index.state(), None);
        assert_eq!(State::of(&[0u8; 3]), None);
    }
}
