//! Rows kept between requests: the process's one bounded map from a query and its key to the
//! row it read, so that a read asked again while the database is unchanged is answered
//! without SQLite. Exact: the map belongs to one state of the database (its WAL-index header,
//! [`super::wal_index`]), and a request reads or adds rows only when its own snapshot is that
//! state. A request whose snapshot is another state (newer, or older: it began before a
//! commit) makes the map its state's, emptied first; a request whose state is unknown (a
//! commit was writing the header as it began) neither reads nor adds rows.

use super::wal_index::State;
use rusqlite::types::ValueRef;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// The most bytes of rows (with their keys and bookkeeping) the map holds; then it takes no
/// more until the next commit empties it. Room for 10,000 users' details or raw rows within
/// the memory goal (bench/results.md).
pub const MAX_BYTES: usize = 12 << 20;

/// What a kept row costs beyond its bytes: the map's slot, the key's name, the allocation.
const OVERHEAD: usize = 64;

/// The longest row kept: one row may not take more than this share of the room.
const MAX_ROW: usize = MAX_BYTES / 256;

/// Which query a row was read by, and with what key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Key {
    /// The query (each query that keeps rows has its own number).
    pub query: u8,
    /// The integer key, or 0.
    pub id: i64,
    /// A hash of the text key (the text itself is kept with the row and compared).
    name_hash: u64,
}

impl Key {
    /// The key of `query` run with `id` and `name` (`""` when it has no text key).
    pub fn new(query: u8, id: i64, name: &str) -> Key {
        use std::hash::BuildHasher;
        Key {
            query,
            id,
            name_hash: foldhash::fast::FixedState::with_seed(0).hash_one(name),
        }
    }
}

/// The map and the state its rows were read in.
struct Inner {
    state: Option<State>,
    rows: HashMap<Key, (Box<str>, KeptRow), foldhash::fast::RandomState>,
    bytes: usize,
}

/// The rows kept, shared by every read connection of one store.
pub struct Kept {
    inner: Mutex<Inner>,
}

impl Default for Kept {
    fn default() -> Self {
        Kept {
            inner: Mutex::new(Inner {
                state: None,
                rows: HashMap::default(),
                bytes: 0,
            }),
        }
    }
}

impl Kept {
    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        // The map holds no invariant a panic elsewhere could break.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One request's access to the kept rows: those of its snapshot's state.
#[derive(Clone, Copy)]
pub struct Keep<'a> {
    kept: Option<&'a Kept>,
    state: Option<State>,
}

impl<'a> Keep<'a> {
    /// No rows kept or read (a read outside a request: operations, tests).
    pub const NONE: Keep<'static> = Keep {
        kept: None,
        state: None,
    };

    /// The rows of `state` (none when the state is unknown).
    pub fn new(kept: &'a Kept, state: Option<State>) -> Keep<'a> {
        Keep {
            kept: Some(kept),
            state,
        }
    }

    /// The row kept for `key` and `name`, if any.
    pub fn get(&self, key: Key, name: &str) -> Option<KeptRow> {
        self.state?;
        let inner = self.kept?.inner();
        if inner.state != self.state {
            return None;
        }
        match inner.rows.get(&key) {
            Some((n, row)) if &**n == name => Some(row.clone()),
            _ => None,
        }
    }

    /// Keeps `row` for `key` and `name`, while there is room; the map becomes this request's
    /// state's first.
    pub fn put(&self, key: Key, name: &str, row: &KeptRow) {
        let (Some(kept), Some(_)) = (self.kept, self.state) else {
            return;
        };
        let mut inner = kept.inner();
        if inner.state != self.state {
            inner.state = self.state;
            inner.rows.clear();
            inner.rows.shrink_to(0);
            inner.bytes = 0;
        }
        let cost = row.bytes() + name.len() + OVERHEAD;
        if cost > MAX_ROW || inner.bytes + cost > MAX_BYTES {
            return;
        }
        let old = inner.rows.insert(key, (name.into(), row.clone()));
        inner.bytes += cost;
        if let Some((n, r)) = old {
            inner.bytes -= r.bytes() + n.len() + OVERHEAD;
        }
    }
}

/// One value of a kept row: SQLite's value, with a text already checked as UTF-8 and an
/// integer as its digits (SQLite's text of it; [`Value::int`] reads the number).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Null,
    Integer(&'a str),
    Real(f64),
    Text(&'a str),
    /// A BLOB (its bytes are not kept: no answer shows them as they are).
    Blob,
    /// A text that is not UTF-8 (nor are its bytes).
    NotUtf8,
}

impl Value<'_> {
    /// An integer's number (`None` for any other value).
    pub fn int(&self) -> Option<i64> {
        match self {
            Value::Integer(digits) => digits.parse().ok(),
            _ => None,
        }
    }
}

/// A row's values, copied out of SQLite: per column a 32-bit entry (its type in the top three
/// bits, where its value ends in the rest), and the values as one text (an integer's digits,
/// a REAL's bits in 16 hex digits, a text as is), checked as UTF-8 once.
#[derive(Clone)]
pub struct KeptRow(Arc<(Box<[u32]>, Box<str>)>);

const NULL: u32 = 0;
const INTEGER: u32 = 1;
const REAL: u32 = 2;
const TEXT: u32 = 3;
const BLOB: u32 = 4;
const NOT_UTF8: u32 = 5;

/// The entries' bits that say where a value ends.
const END: u32 = (1 << 29) - 1;

impl KeptRow {
    /// Columns `0..n` of `row`. A row whose values pass 512 MiB (SQLite allows a value up to
    /// 1 GB) cannot be copied: an error.
    pub fn of(row: &rusqlite::Row<'_>, n: usize) -> rusqlite::Result<KeptRow> {
        use std::fmt::Write;
        let too_long = || {
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_TOOBIG),
                Some("a row too long to copy".into()),
            )
        };
        let mut entries = Vec::with_capacity(n);
        let mut values = String::with_capacity(256);
        let mut digits = crate::numbers::Digits::default();
        for i in 0..n {
            let tag = match row.get_ref(i)? {
                ValueRef::Null => NULL,
                ValueRef::Integer(v) => {
                    values.push_str(digits.of(v));
                    INTEGER
                }
                ValueRef::Real(v) => {
                    // Writing to a String cannot fail.
                    let _ = write!(values, "{:016x}", v.to_bits());
                    REAL
                }
                ValueRef::Text(t) => match std::str::from_utf8(t) {
                    Ok(t) => {
                        values.push_str(t);
                        TEXT
                    }
                    Err(_) => NOT_UTF8,
                },
                ValueRef::Blob(_) => BLOB,
            };
            let end = u32::try_from(values.len())
                .ok()
                .filter(|&e| e <= END)
                .ok_or_else(too_long)?;
            entries.push((tag << 29) | end);
        }
        Ok(KeptRow(Arc::new((entries.into(), values.into()))))
    }

    /// The bytes it takes.
    pub fn bytes(&self) -> usize {
        4 * self.0.0.len() + self.0.1.len()
    }

    /// Whether a column from `from` on holds a REAL or a BLOB.
    pub fn holds_real_or_blob(&self, from: usize) -> bool {
        let entries = &self.0.0;
        entries
            .get(from..)
            .unwrap_or_default()
            .iter()
            .any(|e| matches!(e >> 29, REAL | BLOB))
    }

    /// Column `i`'s value; `None` past the last column.
    pub fn get(&self, i: usize) -> Option<Value<'_>> {
        let (entries, values) = &*self.0;
        let e = *entries.get(i)?;
        let start = match i {
            0 => 0,
            _ => (entries.get(i - 1)? & END) as usize,
        };
        value(e, values.get(start..(e & END) as usize)?)
    }

    /// Columns `from..` as texts, for a row of texts, integers and NULLs (a row read with its
    /// columns cast): a text as is, an integer's digits, `""` for a text that is not UTF-8,
    /// `None` for anything else. One pass without [`Value`]s (155 columns per raw row). An
    /// entry that does not fit the values (never made so): `Err(its column)`.
    pub fn each_text(&self, from: usize, mut f: impl FnMut(Option<&str>)) -> Result<(), usize> {
        let (entries, values) = &*self.0;
        let mut start = match from {
            0 => 0,
            _ => entries.get(from - 1).map_or(0, |e| (e & END) as usize),
        };
        for (i, &e) in entries.iter().enumerate().skip(from) {
            let end = (e & END) as usize;
            let text = values.get(start..end).ok_or(i)?;
            start = end;
            f(match e >> 29 {
                INTEGER | TEXT => Some(text),
                NOT_UTF8 => Some(""),
                _ => None,
            });
        }
        Ok(())
    }
}

/// The value an entry and its text stand for.
fn value(entry: u32, text: &str) -> Option<Value<'_>> {
    Some(match entry >> 29 {
        INTEGER => Value::Integer(text),
        REAL => Value::Real(f64::from_bits(u64::from_str_radix(text, 16).ok()?)),
        TEXT => Value::Text(text),
        BLOB => Value::Blob,
        NOT_UTF8 => Value::NotUtf8,
        _ => Value::Null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    fn kept_row(sql: &str) -> KeptRow {
        let conn = Connection::open_in_memory().unwrap();
        let mut stmt = conn.prepare(sql).unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        KeptRow::of(rows.next().unwrap().unwrap(), n).unwrap()
    }

    #[test]
    fn a_kept_row_gives_back_what_sqlite_gave() {
        let row = kept_row(
            "SELECT NULL, 0, -1, 9223372036854775807, -9223372036854775808, 1.5, -0.0, 1e308,
                    '', 'héllo <&>', x'00ff', CAST(x'ff' AS TEXT), 42",
        );
        assert_eq!(row.get(0), Some(Value::Null));
        assert_eq!(row.get(1), Some(Value::Integer("0")));
        assert_eq!(row.get(2), Some(Value::Integer("-1")));
        assert_eq!(row.get(3).unwrap().int(), Some(i64::MAX));
        assert_eq!(row.get(4).unwrap().int(), Some(i64::MIN));
        assert_eq!(row.get(5), Some(Value::Real(1.5)));
        match row.get(6) {
            Some(Value::Real(z)) => assert!(z == 0.0 && z.is_sign_negative()),
            v => panic!("{v:?}"),
        }
        assert_eq!(row.get(7), Some(Value::Real(1e308)));
        assert_eq!(row.get(8), Some(Value::Text("")));
        assert_eq!(row.get(9), Some(Value::Text("héllo <&>")));
        assert_eq!(row.get(10), Some(Value::Blob));
        assert_eq!(row.get(11), Some(Value::NotUtf8));
        assert_eq!(row.get(12), Some(Value::Integer("42")));
        assert_eq!(row.get(13), None);
        assert!(row.holds_real_or_blob(5));
        assert!(row.holds_real_or_blob(10));
        assert!(!row.holds_real_or_blob(11));
    }

    #[test]
    fn each_text_gives_a_rows_texts_in_order() {
        let row = kept_row("SELECT 7, NULL, 0, -12, '', 'héllo <&>', CAST(x'ff' AS TEXT), 42");
        let mut texts = Vec::new();
        row.each_text(1, |t| texts.push(t.map(str::to_string)))
            .unwrap();
        let want = [
            None,
            Some("0"),
            Some("-12"),
            Some(""),
            Some("héllo <&>"),
            Some(""),
            Some("42"),
        ];
        assert_eq!(texts, want.map(|t| t.map(str::to_string)));
        let mut all = 0;
        row.each_text(0, |_| all += 1).unwrap();
        assert_eq!(all, 8);
        let mut none = 0;
        row.each_text(8, |_| none += 1).unwrap();
        assert_eq!(none, 0);
    }

    #[test]
    fn rows_are_kept_only_for_their_state_and_within_their_room() {
        let kept = Kept::default();
        let row = kept_row("SELECT 1, 'a'");
        let key = Key::new(1, 5, "user1");
        let (s1, s2) = (State::test(1), State::test(2));
        let keep = Keep::new(&kept, Some(s1));
        keep.put(key, "user1", &row);
        assert!(keep.get(key, "user1").is_some());
        // The same hash with another name is not that row.
        assert!(keep.get(key, "user1x").is_none());
        assert!(keep.get(key, "user2").is_none());
        assert!(Keep::NONE.get(key, "user1").is_none());
        // An unknown state reads nothing and adds nothing.
        let unknown = Keep::new(&kept, None);
        assert!(unknown.get(key, "user1").is_none());
        unknown.put(Key::new(1, 6, ""), "", &row);
        assert_eq!(kept.inner().rows.len(), 1);
        // Another state (a commit): its request sees none of the rows, and adding one makes
        // the map that state's; the first state's requests then see nothing either.
        let keep2 = Keep::new(&kept, Some(s2));
        assert!(keep2.get(key, "user1").is_none());
        keep2.put(Key::new(1, 7, ""), "", &row);
        assert!(keep.get(key, "user1").is_none());
        assert!(keep.get(Key::new(1, 7, ""), "").is_none());
        assert!(keep2.get(Key::new(1, 7, ""), "").is_some());
        assert_eq!(kept.inner().rows.len(), 1);
        // The room is bounded: rows past it are not kept.
        let per_row = row.bytes() + OVERHEAD;
        let fits = MAX_BYTES / per_row;
        for id in 0..fits as i64 + 100 {
            keep2.put(Key::new(1, id, ""), "", &row);
        }
        let inner = kept.inner();
        assert_eq!(inner.rows.len(), fits);
        assert!(inner.bytes <= MAX_BYTES);
    }
}
