//! Audit rows (table `actions`) that are not part of a change: failed hash checks.

use rusqlite::Connection;

/// Records a failed hash check: who (`caller`, the `u` sent), from where, never the hash.
pub fn hash_failed(
    conn: &Connection,
    now: &str,
    caller: i64,
    u: &str,
    peer: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO actions (date, user_id, target_id, action, data, data2)
         VALUES (?1, ?2, 0, 'hash_failed', ?3, ?4)",
    )?
    .execute(rusqlite::params![now, caller, u, peer])?;
    Ok(())
}
