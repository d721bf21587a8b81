//! Lists of users (users_get): which users, in id order, each as the fields the answer shows.

use rusqlite::Connection;

/// Which users a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whom {
    /// Everyone but the admin (id 0).
    AllButAdmin,
    /// The users the caller owns, but accountants (and not itself).
    OwnedNotAccountants,
    /// Everyone but the admin and accountants/managers.
    AllButAdminAndStaff,
}

/// The fields of one listed user, in the answer's order, as SQLite's text (NULL: empty); the
/// balance as REAL text.
const FIELDS: &str = "CAST(id AS TEXT), CAST(username AS TEXT), CAST(first_name AS TEXT),
    CAST(last_name AS TEXT), real_text(CAST(balance AS REAL)), CAST(blocked AS TEXT), CAST(lcr_id AS TEXT),
    CAST(tariff_id AS TEXT), CAST(owner_id AS TEXT), CAST(usertype AS TEXT), CAST(hidden AS TEXT)";

const NAMES: [&str; 11] = [
    "id",
    "username",
    "first_name",
    "last_name",
    "balance",
    "blocked",
    "lcr_id",
    "tariff_id",
    "owner_id",
    "usertype",
    "hidden",
];

fn condition(whom: Whom) -> &'static str {
    match whom {
        Whom::AllButAdmin => "id != 0",
        Whom::OwnedNotAccountants => "owner_id = ?1 AND id != ?1 AND usertype != 'accountant'",
        Whom::AllButAdminAndStaff => "id != 0 AND usertype NOT IN ('accountant', 'manager')",
    }
}

/// Hands each listed user (field name, text) to `each`, in id order; `assigned_to` keeps only
/// the users whose responsible accountant that is. Returns how many there were.
pub fn users(
    conn: &Connection,
    whom: Whom,
    caller: i64,
    assigned_to: Option<i64>,
    mut each: impl FnMut([(&str, &str); 11]),
) -> rusqlite::Result<usize> {
    let sql = format!(
        "SELECT {FIELDS} FROM users WHERE ({}) AND (?2 IS NULL OR responsible_accountant_id = ?2)
         ORDER BY id",
        condition(whom)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(rusqlite::params![caller, assigned_to])?;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        let mut values: [String; 11] = Default::default();
        for (i, v) in values.iter_mut().enumerate() {
            *v = r.get::<_, Option<String>>(i)?.unwrap_or_default();
        }
        let mut fields = [("", ""); 11];
        for i in 0..11 {
            fields[i] = (NAMES[i], values[i].as_str());
        }
        each(fields);
        n += 1;
    }
    Ok(n)
}
