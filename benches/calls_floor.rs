//! The floor under `morbox calls generate` (bench/run.sh): the same 26 columns written into the
//! same `calls` table by one prepared statement in one transaction, its indexes dropped first
//! and made again at the end (as the generator does for a large load), with values that cost
//! next to nothing to make. What SQLite itself takes on this machine, so that the generator's
//! rate can be read as a share of it.
//!
//! usage: calls_floor DB COUNT (prints `floor_rate=N`, calls per second, commit included)

use morbox::callgen::COLUMNS;
use morbox::store::calls::Inserter;
use rusqlite::Connection;
use rusqlite::types::ValueRef;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(db), Some(count)) = (args.get(1), args.get(2).and_then(|n| n.parse::<i64>().ok()))
    else {
        eprintln!("usage: calls_floor DB COUNT");
        std::process::exit(2);
    };
    let conn = Connection::open(db).expect("open");
    conn.pragma_update(None, "journal_mode", "WAL")
        .expect("WAL");
    let started = Instant::now();
    conn.execute_batch("BEGIN IMMEDIATE").expect("begin");
    let indexes = morbox::store::calls::drop_indexes(&conn).expect("drop the indexes");
    {
        // The generator's columns, through the statement it writes with.
        let mut insert = Inserter::new(&conn, &COLUMNS).expect("prepare");
        let mut date = String::new();
        let mut number = String::new();
        let mut uniqueid = String::new();
        for i in 0..count {
            // A day's seconds in order, 1,100 users and their devices in turn.
            let second = i * 86_400 / count;
            date.clear();
            date.push_str(&format!(
                "2025-06-02 {:02}:{:02}:{:02}",
                second / 3600,
                second / 60 % 60,
                second % 60
            ));
            number.clear();
            number.push_str(&format!("3706{:07}", (i * 7919) % 10_000_000));
            uniqueid.clear();
            uniqueid.push_str(&format!("{}.{i}", 1_748_822_400 + second));
            let user = 1001 + i % 1100;
            let text = |t: &'static str| ValueRef::Text(t.as_bytes());
            let int = ValueRef::Integer;
            let values: [ValueRef<'_>; 26] = [
                ValueRef::Text(date.as_bytes()),
                text("\"First1 Last1\" <b1>"),
                text("b1"),
                ValueRef::Text(number.as_bytes()),
                ValueRef::Text(number.as_bytes()),
                int(95),
                int(90),
                ValueRef::Real(90.0),
                int(90),
                text("ANSWERED"),
                int(16),
                ValueRef::Text(uniqueid.as_bytes()),
                text("Local"),
                int(user),
                int(0),
                int(user),
                int(0),
                int(0),
                int(1),
                text("3706"),
                ValueRef::Real(0.1),
                ValueRef::Real(0.15),
                ValueRef::Real(0.0),
                ValueRef::Real(0.0),
                ValueRef::Real(0.05),
                ValueRef::Real(0.075),
            ];
            insert.row(values).expect("insert");
        }
    }
    morbox::store::calls::make_indexes(&conn, &indexes).expect("make the indexes");
    conn.execute_batch("COMMIT").expect("commit");
    let secs = started.elapsed().as_secs_f64();
    println!("floor_rate={:.0}", count as f64 / secs);
}
