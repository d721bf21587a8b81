//! The floor under `morbox calls generate` (bench/run.sh): the same 26 columns written into the
//! same `calls` table by one prepared statement in one transaction, its indexes dropped first
//! and made again at the end (as the generator does for a large load), with values that cost
//! next to nothing to make. What SQLite itself takes on this machine, so that the generator's
//! rate can be read as a share of it.
//!
//! usage: calls_floor DB COUNT (prints `floor_rate=N`, calls per second, commit included)

use rusqlite::Connection;
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
    let marks: Vec<String> = (1..=26).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO calls (calldate, clid, src, dst, localized_dst, duration, billsec, \
         real_billsec, user_billsec, disposition, hangupcause, uniqueid, callertype, \
         src_device_id, dst_device_id, user_id, dst_user_id, reseller_id, provider_id, prefix, \
         user_rate, user_price, reseller_rate, reseller_price, provider_rate, provider_price) \
         VALUES ({})",
        marks.join(", ")
    );
    let started = Instant::now();
    conn.execute_batch("BEGIN IMMEDIATE").expect("begin");
    let indexes = morbox::store::calls::drop_indexes(&conn).expect("drop the indexes");
    {
        let mut stmt = conn.prepare(&sql).expect("prepare");
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
            let values: [&dyn rusqlite::ToSql; 26] = [
                &date,
                &"\"First1 Last1\" <b1>",
                &"b1",
                &number,
                &number,
                &95,
                &90,
                &90.0,
                &90,
                &"ANSWERED",
                &16,
                &uniqueid,
                &"Local",
                &user,
                &0,
                &user,
                &0,
                &0,
                &1,
                &"3706",
                &0.1,
                &0.15,
                &0.0,
                &0.0,
                &0.05,
                &0.075,
            ];
            for (k, v) in values.iter().enumerate() {
                stmt.raw_bind_parameter(k + 1, v).expect("bind");
            }
            stmt.raw_execute().expect("insert");
        }
    }
    morbox::store::calls::make_indexes(&conn, &indexes).expect("make the indexes");
    conn.execute_batch("COMMIT").expect("commit");
    let secs = started.elapsed().as_secs_f64();
    println!("floor_rate={:.0}", count as f64 / secs);
}
