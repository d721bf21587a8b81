//! The SQL of tariffs and their rates (docs/calls.md): a user as a rate look-up needs it, the
//! destination a dialled number falls in and its group, and the price of a tariff's rate there.

use rusqlite::{Connection, OptionalExtension, params};

/// A user a rate look-up names.
#[derive(Debug, Clone)]
pub struct RateUser {
    /// `users.id`.
    pub id: i64,
    /// `users.usertype`.
    pub usertype: String,
    /// `users.owner_id`.
    pub owner_id: i64,
    /// `users.tariff_id`.
    pub tariff_id: i64,
    /// The owner's username ('' when the owner does not exist).
    pub owner_username: String,
}

fn rate_user(r: &rusqlite::Row<'_>) -> rusqlite::Result<RateUser> {
    Ok(RateUser {
        id: r.get(0)?,
        usertype: r.get(1)?,
        owner_id: r.get(2)?,
        tariff_id: r.get(3)?,
        owner_username: r.get(4)?,
    })
}

const RATE_USER_SELECT: &str = "SELECT u.id, COALESCE(CAST(u.usertype AS TEXT), ''),
        COALESCE(CAST(u.owner_id AS INTEGER), 0), COALESCE(CAST(u.tariff_id AS INTEGER), 0),
        COALESCE((SELECT o.username FROM users o WHERE o.id = u.owner_id), '')
   FROM users u";

/// The user with this username.
pub fn user_by_username(conn: &Connection, username: &str) -> rusqlite::Result<Option<RateUser>> {
    conn.prepare_cached(&format!("{RATE_USER_SELECT} WHERE u.username = ?1"))?
        .query_row([username], rate_user)
        .optional()
}

/// The user with this id.
pub fn user_by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<RateUser>> {
    conn.prepare_cached(&format!("{RATE_USER_SELECT} WHERE u.id = ?1"))?
        .query_row([id], rate_user)
        .optional()
}

/// A destination.
#[derive(Debug, Clone)]
pub struct Destination {
    /// `destinations.id`.
    pub id: i64,
    /// `destinations.prefix`.
    pub prefix: String,
    /// `destinations.name`.
    pub name: String,
    /// `destinations.destinationgroup_id` (0: none).
    pub group: i64,
}

/// The most leading digits of a number looked at for its destination (no prefix is longer).
pub const LONGEST_PREFIX: usize = 32;

/// The destinations whose prefix begins `digits`, longest first (through the prefix index,
/// one look-up per length).
pub fn destinations_of(conn: &Connection, digits: &str) -> rusqlite::Result<Vec<Destination>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, prefix, name, COALESCE(CAST(destinationgroup_id AS INTEGER), 0)
           FROM destinations WHERE prefix = ?1",
    )?;
    let mut found = Vec::new();
    let top = digits.len().min(LONGEST_PREFIX);
    for len in (1..=top).rev() {
        if let Some(d) = stmt
            .query_row([&digits[..len]], |r| {
                Ok(Destination {
                    id: r.get(0)?,
                    prefix: r.get(1)?,
                    name: r.get(2)?,
                    group: r.get(3)?,
                })
            })
            .optional()?
        {
            found.push(d);
        }
    }
    Ok(found)
}

/// Whether destination group `id` exists.
pub fn group_exists(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM destinationgroups WHERE id = ?1")?
        .exists([id])
}

/// The price of tariff `tariff`'s first rate (by id) for destination `destination` or group
/// `group` that has a price row: its first wholesale price (`ratedetails.rate`, by id), else
/// its first retail price (`aratedetails.price`).
pub fn price(
    conn: &Connection,
    tariff: i64,
    destination: i64,
    group: i64,
) -> rusqlite::Result<Option<f64>> {
    conn.prepare_cached(
        "SELECT COALESCE(
                  (SELECT rd.rate FROM ratedetails rd WHERE rd.rate_id = r.id ORDER BY rd.id LIMIT 1),
                  (SELECT ad.price FROM aratedetails ad WHERE ad.rate_id = r.id ORDER BY ad.id LIMIT 1))
           FROM rates r
          WHERE r.tariff_id = ?1
            AND ((r.destination_id = ?2 AND ?2 != 0) OR (r.destinationgroup_id = ?3 AND ?3 != 0))
            AND (EXISTS (SELECT 1 FROM ratedetails rd WHERE rd.rate_id = r.id)
                 OR EXISTS (SELECT 1 FROM aratedetails ad WHERE ad.rate_id = r.id))
          ORDER BY r.id LIMIT 1",
    )?
    .query_row(params![tariff, destination, group], |r| r.get(0))
    .optional()
}
