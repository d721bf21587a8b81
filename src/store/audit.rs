//! Audit rows (table `actions`) that are not part of a change: failed hash checks and logins.

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

/// Records a failed login: the `u` sent, never the password (docs/accounts.md).
pub fn bad_login(conn: &Connection, now: &str, u: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO actions (date, user_id, target_id, action, data, data2)
         VALUES (?1, 0, 0, 'bad_login', ?2, '')",
    )?
    .execute(rusqlite::params![now, u])?;
    Ok(())
}

/// Marks user `id` logged in and records the login with the client's address.
pub fn login(conn: &Connection, now: &str, id: i64, peer: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE users SET logged = 1 WHERE id = ?1")?
        .execute([id])?;
    conn.prepare_cached(
        "INSERT INTO actions (date, user_id, target_id, action, data, data2)
         VALUES (?1, ?2, ?2, 'login', ?3, '')",
    )?
    .execute(rusqlite::params![now, id, peer])?;
    Ok(())
}

/// Records a registration: the owner (there is no caller), the new user, its username.
pub fn registered(
    conn: &Connection,
    now: &str,
    owner: i64,
    id: i64,
    username: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO actions (date, user_id, target_id, action, data, data2)
         VALUES (?1, ?2, ?3, 'user_registered', ?4, '')",
    )?
    .execute(rusqlite::params![now, owner, id, username])?;
    Ok(())
}
