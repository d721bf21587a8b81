//! Deleting a user (docs/accounts.md): what forbids it, in the order the refusals are checked,
//! and the deletion itself with everything that belongs only to the user.

use rusqlite::{Connection, params};

/// Why a user may not be deleted, in the order these are checked (docs/accounts.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocker {
    /// It has DIDs, or (a reseller) a stock of DIDs.
    Dids,
    /// It has calls.
    Calls,
    /// It has payments.
    Payments,
    /// A reseller that owns users.
    ResellerWithUsers,
    /// An accountant or manager some user has as responsible accountant.
    AccountantWithUsers,
    /// It has invoices.
    Invoices,
}

/// Each refusal's question: the user (`?1`) has rows it may not lose.
const CHECKS: &[(Blocker, &str)] = &[
    // Its DIDs, or (a reseller) a stock of DIDs, which would be nobody's after.
    (
        Blocker::Dids,
        "SELECT 1 FROM dids WHERE user_id = ?1 OR (reseller_id = ?1 AND ?1 != 0)",
    ),
    (Blocker::Calls, "SELECT 1 FROM calls WHERE user_id = ?1"),
    (
        Blocker::Payments,
        "SELECT 1 FROM payments WHERE user_id = ?1",
    ),
    (
        Blocker::ResellerWithUsers,
        "SELECT 1 FROM users u WHERE u.owner_id = ?1 AND u.id != ?1
           AND (SELECT usertype FROM users WHERE id = ?1) = 'reseller'",
    ),
    (
        Blocker::AccountantWithUsers,
        "SELECT 1 FROM users u WHERE u.responsible_accountant_id = ?1
           AND (SELECT usertype FROM users WHERE id = ?1) IN ('accountant', 'manager')",
    ),
    (
        Blocker::Invoices,
        "SELECT 1 FROM invoices WHERE user_id = ?1",
    ),
];

/// The first reason user `id` may not be deleted, if any.
pub fn blocker(conn: &Connection, id: i64) -> rusqlite::Result<Option<Blocker>> {
    for (b, sql) in CHECKS {
        if conn.prepare_cached(sql)?.exists([id])? {
            return Ok(Some(*b));
        }
    }
    Ok(None)
}

/// Deletes user `id`: its devices and their caller ids, its address, its tax row when nobody
/// else uses it, its own settings (a reseller's), the user row; and the audit row.
pub fn delete(
    conn: &Connection,
    now: &str,
    caller: i64,
    id: i64,
    username: &str,
) -> rusqlite::Result<()> {
    super::devices::delete_of_user(conn, id)?;
    let steps = [
        "DELETE FROM addresses WHERE id = (SELECT address_id FROM users WHERE id = ?1)
           AND NOT EXISTS (SELECT 1 FROM users o WHERE o.address_id = addresses.id AND o.id != ?1)",
        "DELETE FROM taxes WHERE id = (SELECT tax_id FROM users WHERE id = ?1)
           AND NOT EXISTS (SELECT 1 FROM users o WHERE o.tax_id = taxes.id AND o.id != ?1)",
        "DELETE FROM conflines WHERE owner_id = ?1 AND ?1 != 0",
        "DELETE FROM users WHERE id = ?1",
    ];
    for sql in steps {
        conn.prepare_cached(sql)?.execute([id])?;
    }
    conn.prepare_cached(
        "INSERT INTO actions (date, user_id, target_id, action, data, data2)
         VALUES (?1, ?2, ?3, 'user_deleted', ?4, '')",
    )?
    .execute(params![now, caller, id, username])?;
    Ok(())
}
