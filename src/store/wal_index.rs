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

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// One copy of the WAL-index header.
const HEADER: usize = 48;

/// Where `isInit` lies in a copy (after `iVersion`, padding and `iChange`).
const IS_INIT: usize = 12;

/// The database's state: the WAL-index header, as it is between commits.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct State([u8; HEADER]);

/// The `-shm` file of one database, open for reading.
pub struct WalIndex {
    file: Option<File>,
}

impl WalIndex {
    /// The WAL index of the database at `db` (whose connections are open, in WAL mode). When
    /// it cannot be read, every state is unknown: reads then take a transaction each and keep
    /// no rows, which is slower, never wrong.
    pub fn open(db: &Path) -> WalIndex {
        let mut shm = db.as_os_str().to_owned();
        shm.push("-shm");
        let file = File::open(&shm);
        if let Err(e) = &file {
            tracing::warn!(path = %Path::new(&shm).display(), error = %e,
                "cannot read the WAL index: every read takes its own transaction");
        }
        WalIndex { file: file.ok() }
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
    use rusqlite::Connection;

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
        let index = WalIndex::open(&db);
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
        drop((a, b));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_unreadable_index_is_no_state() {
        let index = WalIndex::open(Path::new("/nonexistent/morbox.db"));
        assert_eq!(index.state(), None);
        assert_eq!(State::of(&[0u8; 3]), None);
    }
}
