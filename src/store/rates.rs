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

/// A tariff.
#[derive(Debug, Clone)]
pub struct Tariff {
    /// `tariffs.id`.
    pub id: i64,
    /// `tariffs.name`.
    pub name: String,
    /// `tariffs.purpose`: `user` (retail), `user_wholesale` or `provider`.
    pub purpose: String,
    /// `tariffs.owner_id`.
    pub owner_id: i64,
    /// `tariffs.currency`.
    pub currency: String,
}

/// The tariff with this id.
pub fn tariff(conn: &Connection, id: i64) -> rusqlite::Result<Option<Tariff>> {
    conn.prepare_cached(
        "SELECT id, name, purpose, COALESCE(CAST(owner_id AS INTEGER), 0), currency
           FROM tariffs WHERE id = ?1",
    )?
    .query_row([id], |r| {
        Ok(Tariff {
            id: r.get(0)?,
            name: r.get(1)?,
            purpose: r.get(2)?,
            owner_id: r.get(3)?,
            currency: r.get(4)?,
        })
    })
    .optional()
}

/// One retail price band (`aratedetails`).
#[derive(Debug, Clone)]
pub struct RetailBand {
    /// `duration` (-1: to the end).
    pub duration: i64,
    /// `artype`: `minute` or `event`.
    pub artype: String,
    /// `round`.
    pub round: i64,
    /// `price`.
    pub price: f64,
    /// `start_time`.
    pub start_time: String,
    /// `end_time`.
    pub end_time: String,
    /// `daytype`.
    pub daytype: String,
    /// `from`.
    pub from: i64,
}

/// A retail tariff's rates, by destination group (name, then id): `each` gets the group with
/// each price band of its rates (by `from`, `daytype`, `start_time`, then rate and band id),
/// and with `None` for each of its rates that has no band (before its bands).
pub fn retail(
    conn: &Connection,
    tariff: i64,
    mut each: impl FnMut(i64, &str, Option<RetailBand>),
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.destinationgroup_id, COALESCE(g.name, ''), a.id, a.duration, a.artype,
                a.round, a.price, a.start_time, a.end_time, a.daytype, a.\"from\"
           FROM rates r
           LEFT JOIN destinationgroups g ON g.id = r.destinationgroup_id
           LEFT JOIN aratedetails a ON a.rate_id = r.id
          WHERE r.tariff_id = ?1 AND r.destinationgroup_id != 0
          ORDER BY COALESCE(g.name, ''), r.destinationgroup_id, a.\"from\", a.daytype,
                   a.start_time, r.id, a.id",
    )?;
    let mut rows = stmt.query([tariff])?;
    while let Some(r) = rows.next()? {
        let group: i64 = r.get(0)?;
        let name: String = r.get(1)?;
        let band = match r.get::<_, Option<i64>>(2)? {
            Some(_) => Some(RetailBand {
                duration: r.get(3)?,
                artype: r.get(4)?,
                round: r.get(5)?,
                price: r.get(6)?,
                start_time: r.get(7)?,
                end_time: r.get(8)?,
                daytype: r.get(9)?,
                from: r.get(10)?,
            }),
            None => None,
        };
        each(group, &name, band);
    }
    Ok(())
}

/// One wholesale price row (`ratedetails`) with its destination.
#[derive(Debug, Clone)]
pub struct WholesaleRow {
    /// The direction's name ('' when none).
    pub direction: String,
    /// The destination's name.
    pub destination: String,
    /// The destination's prefix.
    pub prefix: String,
    /// The destination's direction code.
    pub code: String,
    /// `rate`.
    pub rate: f64,
    /// `connection_fee`.
    pub connection_fee: f64,
    /// `increment_s`.
    pub increment: i64,
    /// `min_time`.
    pub min_time: i64,
    /// `start_time`.
    pub start_time: String,
    /// `end_time`.
    pub end_time: String,
    /// `daytype`.
    pub daytype: String,
}

/// A wholesale tariff's price rows, by direction name, then prefix, `daytype`, `start_time`.
pub fn wholesale(
    conn: &Connection,
    tariff: i64,
    mut each: impl FnMut(&WholesaleRow),
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT COALESCE(dir.name, ''), COALESCE(d.name, ''), COALESCE(d.prefix, ''),
                COALESCE(d.direction_code, ''), rd.rate, rd.connection_fee, rd.increment_s,
                rd.min_time, rd.start_time, rd.end_time, rd.daytype
           FROM rates r
           JOIN ratedetails rd ON rd.rate_id = r.id
           LEFT JOIN destinations d ON d.id = r.destination_id
           LEFT JOIN directions dir ON dir.code = d.direction_code
          WHERE r.tariff_id = ?1
          ORDER BY 1, 3, rd.daytype, rd.start_time, rd.id",
    )?;
    let mut rows = stmt.query([tariff])?;
    while let Some(r) = rows.next()? {
        each(&WholesaleRow {
            direction: r.get(0)?,
            destination: r.get(1)?,
            prefix: r.get(2)?,
            code: r.get(3)?,
            rate: r.get(4)?,
            connection_fee: r.get(5)?,
            increment: r.get(6)?,
            min_time: r.get(7)?,
            start_time: r.get(8)?,
            end_time: r.get(9)?,
            daytype: r.get(10)?,
        });
    }
    Ok(())
}

/// One wholesale price band (`ratedetails`).
#[derive(Debug, Clone)]
pub struct WholesaleBand {
    /// `rate` (per minute).
    pub rate: f64,
    /// `connection_fee`.
    pub connection_fee: f64,
    /// `increment_s`.
    pub increment_s: i64,
    /// `min_time`.
    pub min_time: i64,
    /// `start_time`.
    pub start_time: String,
    /// `end_time`.
    pub end_time: String,
    /// `daytype`.
    pub daytype: String,
}

/// The bands a tariff prices a number with.
#[derive(Debug, Clone)]
pub enum Bands {
    /// A wholesale tariff's bands of the longest destination it has a rate for.
    Wholesale(Vec<WholesaleBand>),
    /// A retail tariff's bands of the destination's group.
    Retail(Vec<RetailBand>),
}

/// The bands tariff `tariff` prices the number `digits` with, and the rate of the tariff's
/// currency (units per one of the default currency; 1 when unknown); `None` when the tariff has
/// no priced rate there.
pub fn bands(
    conn: &Connection,
    tariff: i64,
    digits: &str,
) -> rusqlite::Result<Option<(Bands, f64)>> {
    let Some(t) = self::tariff(conn, tariff)? else {
        return Ok(None);
    };
    let found = destinations_of(conn, digits)?;
    if t.purpose == "user" {
        let Some(group) = found.iter().find(|d| d.group != 0).map(|d| d.group) else {
            return Ok(None);
        };
        let mut stmt = conn.prepare_cached(
            "SELECT a.duration, a.artype, a.round, a.price, a.start_time, a.end_time, a.daytype,
                    a.\"from\"
               FROM rates r JOIN aratedetails a ON a.rate_id = r.id
              WHERE r.tariff_id = ?1 AND r.destinationgroup_id = ?2
              ORDER BY r.id, a.\"from\", a.id",
        )?;
        let bands: Vec<RetailBand> = stmt
            .query_map(params![tariff, group], |r| {
                Ok(RetailBand {
                    duration: r.get(0)?,
                    artype: r.get(1)?,
                    round: r.get(2)?,
                    price: r.get(3)?,
                    start_time: r.get(4)?,
                    end_time: r.get(5)?,
                    daytype: r.get(6)?,
                    from: r.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        if bands.is_empty() {
            return Ok(None);
        }
        return Ok(Some((
            Bands::Retail(bands),
            currency_rate(conn, &t.currency)?,
        )));
    }
    let mut stmt = conn.prepare_cached(
        "SELECT rd.rate, rd.connection_fee, rd.increment_s, rd.min_time, rd.start_time,
                rd.end_time, rd.daytype
           FROM rates r JOIN ratedetails rd ON rd.rate_id = r.id
          WHERE r.tariff_id = ?1 AND r.destination_id = ?2
          ORDER BY r.id, rd.id",
    )?;
    for d in &found {
        let bands: Vec<WholesaleBand> = stmt
            .query_map(params![tariff, d.id], |r| {
                Ok(WholesaleBand {
                    rate: r.get(0)?,
                    connection_fee: r.get(1)?,
                    increment_s: r.get(2)?,
                    min_time: r.get(3)?,
                    start_time: r.get(4)?,
                    end_time: r.get(5)?,
                    daytype: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        if !bands.is_empty() {
            return Ok(Some((
                Bands::Wholesale(bands),
                currency_rate(conn, &t.currency)?,
            )));
        }
    }
    Ok(None)
}

/// The prefixes of the destinations tariff `tariff` rates (a wholesale tariff's destinations,
/// or every destination of a retail tariff's groups), by prefix.
pub fn rated_prefixes(conn: &Connection, tariff: i64) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached(
        "/* lists */ SELECT DISTINCT d.prefix FROM rates r
           JOIN destinations d ON (r.destination_id != 0 AND d.id = r.destination_id)
                               OR (r.destinationgroup_id != 0 AND d.destinationgroup_id = r.destinationgroup_id)
          WHERE r.tariff_id = ?1 ORDER BY d.prefix",
    )?
    .query_map([tariff], |r| r.get(0))?
    .collect()
}

/// The rate of the currency named `code` (1 when unknown or unusable).
fn currency_rate(conn: &Connection, code: &str) -> rusqlite::Result<f64> {
    Ok(super::currencies::by_code(conn, code)?.map_or(1.0, |c| c.rate))
}
