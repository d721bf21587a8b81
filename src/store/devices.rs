//! The SQL of devices (docs/devices.md): reading one or a user's list, the uniqueness checks,
//! creating one (the device calls and a registration), changing one, and deleting one with
//! what points at it (a user's deletion deletes its devices the same way).

use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, OptionalExtension, params};

/// The columns of `devices` a device's details show, in the vendor table's order.
pub const COLUMNS: &[&str] = &[
    "id",
    "name",
    "host",
    "secret",
    "context",
    "ipaddr",
    "port",
    "regseconds",
    "accountcode",
    "callerid",
    "extension",
    "voicemail_active",
    "username",
    "device_type",
    "user_id",
    "primary_did_id",
    "works_not_logged",
    "forward_to",
    "record",
    "nat",
    "qualify",
    "devicegroup_id",
    "dtmfmode",
    "fromuser",
    "fromdomain",
    "insecure",
    "location_id",
    "description",
    "istrunk",
    "cid_from_dids",
    "pin",
    "ani",
    "timeout",
    "call_limit",
    "max_timeout",
    "language",
    "transport",
    "encryption",
    "trunk",
    "hidden",
    "comment",
];

/// What the device calls decide on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Device {
    /// `id`.
    pub id: i64,
    /// `user_id`.
    pub user_id: i64,
    /// `device_type`.
    pub device_type: String,
    /// `name`.
    pub name: String,
    /// `username`.
    pub username: String,
    /// `secret`.
    pub secret: String,
    /// `extension`.
    pub extension: String,
    /// `host`.
    pub host: String,
    /// `ipaddr`.
    pub ipaddr: String,
    /// `port`.
    pub port: i64,
    /// `location_id`.
    pub location_id: i64,
    /// `callerid`.
    pub callerid: String,
}

const DEVICE_SELECT: &str = "SELECT id, user_id, device_type, name, username, secret, extension,
        host, ipaddr, CAST(port AS INTEGER), CAST(location_id AS INTEGER), callerid FROM devices";

fn device(r: &rusqlite::Row<'_>) -> rusqlite::Result<Device> {
    Ok(Device {
        id: r.get(0)?,
        user_id: r.get(1)?,
        device_type: r.get(2)?,
        name: r.get(3)?,
        username: r.get(4)?,
        secret: r.get(5)?,
        extension: r.get(6)?,
        host: r.get(7)?,
        ipaddr: r.get(8)?,
        port: r.get::<_, Option<i64>>(9)?.unwrap_or(0),
        location_id: r.get::<_, Option<i64>>(10)?.unwrap_or(0),
        callerid: r.get(11)?,
    })
}

/// The device with this id.
pub fn by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<Device>> {
    conn.prepare_cached(&format!("{DEVICE_SELECT} WHERE id = ?1"))?
        .query_row([id], device)
        .optional()
}

/// The device with this username (the lowest id when several have it).
pub fn by_username(conn: &Connection, username: &str) -> rusqlite::Result<Option<Device>> {
    conn.prepare_cached(&format!(
        "{DEVICE_SELECT} WHERE username = ?1 ORDER BY id LIMIT 1"
    ))?
    .query_row([username], device)
    .optional()
}

/// Every column of [`COLUMNS`] of device `id`, in order, as text (`None` for NULL; integers
/// plain, reals as Ruby prints them).
pub fn details(
    conn: &Connection,
    id: i64,
    mut each: impl FnMut(&'static str, Option<&str>),
) -> rusqlite::Result<bool> {
    let sql = format!("SELECT {} FROM devices WHERE id = ?1", quoted(COLUMNS));
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([id])?;
    let Some(row) = rows.next()? else {
        return Ok(false);
    };
    for (i, name) in COLUMNS.iter().enumerate() {
        match row.get_ref(i)? {
            ValueRef::Null => each(name, None),
            ValueRef::Integer(n) => each(name, Some(&n.to_string())),
            ValueRef::Real(x) => each(name, Some(&crate::numbers::real_text(x))),
            ValueRef::Text(t) | ValueRef::Blob(t) => each(name, Some(&String::from_utf8_lossy(t))),
        }
    }
    Ok(true)
}

fn quoted(columns: &[&str]) -> String {
    columns
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One device of a user's list.
#[derive(Debug, Clone)]
pub struct Listed {
    /// `id`.
    pub id: i64,
    /// `device_type`.
    pub device_type: String,
    /// `devicegroup_id` (NULL: `None`).
    pub devicegroup_id: Option<i64>,
    /// Its id is the user's `primary_device_id`.
    pub primary: bool,
    /// `username`.
    pub username: String,
    /// `secret`.
    pub secret: String,
    /// `ipaddr`.
    pub ipaddr: String,
    /// `port`.
    pub port: i64,
    /// `hidden`.
    pub hidden: bool,
}

/// The columns of a [`Listed`], in its order.
const LISTED: &str = "d.id, d.device_type, d.devicegroup_id,
    d.id = (SELECT primary_device_id FROM users WHERE id = d.user_id),
    d.username, d.secret, d.ipaddr, CAST(d.port AS INTEGER), d.hidden != 0";

/// The devices of user `user_id` by id, hidden ones only with `hidden`; `each` gets every one.
/// Returns how many there were.
pub fn of_user(
    conn: &Connection,
    user_id: i64,
    hidden: bool,
    mut each: impl FnMut(&Listed),
) -> rusqlite::Result<usize> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {LISTED} FROM devices d WHERE d.user_id = ?1 AND (?2 OR d.hidden = 0) ORDER BY d.id"
    ))?;
    let mut rows = stmt.query(params![user_id, hidden])?;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        each(&listed(r)?);
        n += 1;
    }
    Ok(n)
}

/// A [`Listed`] from the first nine columns of [`LISTED`].
fn listed(r: &rusqlite::Row<'_>) -> rusqlite::Result<Listed> {
    Ok(Listed {
        id: r.get(0)?,
        device_type: r.get(1)?,
        devicegroup_id: r.get::<_, Option<i64>>(2).unwrap_or(None),
        primary: r.get::<_, Option<bool>>(3)?.unwrap_or(false),
        username: r.get(4)?,
        secret: r.get(5)?,
        ipaddr: r.get(6)?,
        port: r.get::<_, Option<i64>>(7)?.unwrap_or(0),
        hidden: r.get(8)?,
    })
}

/// Every device (of one user, or all), by id, for `morbox devices list`.
pub fn all(
    conn: &Connection,
    user_id: Option<i64>,
    mut each: impl FnMut(i64, &Listed),
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(&format!(
        "/* lists */ SELECT {LISTED}, d.user_id FROM devices d
         WHERE ?1 IS NULL OR d.user_id = ?1 ORDER BY d.id"
    ))?;
    let mut rows = stmt.query([user_id])?;
    while let Some(r) = rows.next()? {
        each(r.get(9)?, &listed(r)?);
    }
    Ok(())
}

/// Whether a device other than `except` has this column value (`extension`, `pin`, `name`).
fn taken(conn: &Connection, sql: &str, value: &str, except: Option<i64>) -> rusqlite::Result<bool> {
    conn.prepare_cached(sql)?
        .exists(params![value, except.unwrap_or(-1)])
}

/// Whether a device other than `except` has this extension.
pub fn extension_taken(
    conn: &Connection,
    ext: &str,
    except: Option<i64>,
) -> rusqlite::Result<bool> {
    taken(
        conn,
        "SELECT 1 FROM devices WHERE extension = ?1 AND id != ?2",
        ext,
        except,
    )
}

/// Whether a device other than `except` has this PIN.
pub fn pin_taken(conn: &Connection, pin: &str, except: Option<i64>) -> rusqlite::Result<bool> {
    taken(
        conn,
        "SELECT 1 FROM devices WHERE pin = ?1 AND id != ?2",
        pin,
        except,
    )
}

/// Whether a device other than `except` has this name.
pub fn name_taken(conn: &Connection, name: &str, except: Option<i64>) -> rusqlite::Result<bool> {
    taken(
        conn,
        "SELECT 1 FROM devices WHERE name = ?1 AND id != ?2",
        name,
        except,
    )
}

/// The lowest extension in `min..=max` that no device uses as extension or username. Only
/// the devices whose all-digit extension or username lies in the range are read (through the
/// indexes, one text range per number of digits), not the whole table.
pub fn free_extension(conn: &Connection, min: i64, max: i64) -> rusqlite::Result<Option<i64>> {
    let min = min.max(0);
    if min > max {
        return Ok(None);
    }
    let digits = |n: i64| n.to_string().len() as u32;
    let mut used: Vec<i64> = Vec::new();
    for len in digits(min)..=digits(max) {
        let lo = if len == digits(min) {
            min
        } else {
            10i64.pow(len - 1)
        };
        let hi = if len == digits(max) {
            max
        } else {
            10i64.pow(len) - 1
        };
        for sql in [
            "SELECT CAST(extension AS INTEGER) FROM devices WHERE extension BETWEEN ?1 AND ?2
               AND length(extension) = ?3 AND extension NOT GLOB '*[^0-9]*'",
            "SELECT CAST(username AS INTEGER) FROM devices WHERE username BETWEEN ?1 AND ?2
               AND length(username) = ?3 AND username NOT GLOB '*[^0-9]*'",
        ] {
            let mut stmt = conn.prepare_cached(sql)?;
            let rows =
                stmt.query_map(params![lo.to_string(), hi.to_string(), len], |r| r.get(0))?;
            for n in rows {
                used.push(n?);
            }
        }
    }
    used.sort_unstable();
    Ok((min..=max).find(|x| used.binary_search(x).is_err()))
}

/// Whether device group `group` belongs to user `user`.
pub fn group_of(conn: &Connection, group: i64, user: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM devicegroups WHERE id = ?1 AND user_id = ?2")?
        .exists([group, user])
}

/// The owner (`user_id`) of location `id`, if there is such a location.
pub fn location_owner(conn: &Connection, id: i64) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT user_id FROM locations WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()
}

/// A new device, as a registration or `device_create` decides it.
#[derive(Debug, Clone, Default)]
pub struct NewDevice {
    /// `user_id`.
    pub user_id: i64,
    /// `device_type`: SIP, IAX2, Virtual…
    pub device_type: String,
    /// `name` and `username`.
    pub login: String,
    /// `extension`.
    pub extension: String,
    /// `secret`.
    pub secret: String,
    /// `pin`.
    pub pin: String,
    /// `callerid`.
    pub callerid: String,
    /// `description`.
    pub description: String,
    /// `host`.
    pub host: String,
    /// `port`.
    pub port: i64,
    /// `location_id`.
    pub location_id: i64,
    /// `devicegroup_id` (`None`: NULL).
    pub devicegroup_id: Option<i64>,
    /// `fromuser` (`None`: NULL).
    pub fromuser: Option<String>,
    /// `max_timeout`.
    pub max_timeout: i64,
}

/// Writes a device (context `mor_local`, every other column its default); a `Virtual` one is
/// then named `virtual_<id>` (name, username and extension). Returns its id and its login.
pub fn create(conn: &Connection, d: &NewDevice) -> rusqlite::Result<(i64, String)> {
    conn.prepare_cached(
        "INSERT INTO devices (user_id, device_type, name, username, extension, secret, pin,
                              callerid, description, context, host, port, location_id,
                              devicegroup_id, fromuser, max_timeout)
         VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, 'mor_local', ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        d.user_id,
        d.device_type,
        d.login,
        d.extension,
        d.secret,
        d.pin,
        d.callerid,
        d.description,
        d.host,
        d.port,
        d.location_id,
        d.devicegroup_id,
        d.fromuser,
        d.max_timeout,
    ])?;
    let id = conn.last_insert_rowid();
    if d.device_type != "Virtual" {
        return Ok((id, d.login.clone()));
    }
    let login = format!("virtual_{id}");
    conn.prepare_cached(
        "UPDATE devices SET name = ?2, username = ?2, extension = ?2 WHERE id = ?1",
    )?
    .execute(params![id, login])?;
    Ok((id, login))
}

/// Makes `device` the user's primary device when the user has none.
pub fn set_primary_if_none(conn: &Connection, user: i64, device: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE users SET primary_device_id = ?2 WHERE id = ?1 AND primary_device_id = 0",
    )?
    .execute(params![user, device])?;
    Ok(())
}

/// A column a device change may set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// `name`.
    Name,
    /// `username`.
    Username,
    /// `secret`.
    Secret,
    /// `host`.
    Host,
    /// `ipaddr`.
    Ipaddr,
    /// `port`.
    Port,
    /// `location_id`.
    LocationId,
    /// `call_limit`.
    CallLimit,
    /// `fromuser`.
    Fromuser,
    /// `max_timeout`.
    MaxTimeout,
    /// `istrunk`.
    Istrunk,
    /// `ani`.
    Ani,
    /// `description`.
    Description,
    /// `comment`.
    Comment,
    /// `language`.
    Language,
    /// `hidden`.
    Hidden,
    /// `pin`.
    Pin,
    /// `extension`.
    Extension,
    /// `callerid`.
    Callerid,
}

impl Column {
    /// Its name in `devices`.
    pub fn name(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::Username => "username",
            Column::Secret => "secret",
            Column::Host => "host",
            Column::Ipaddr => "ipaddr",
            Column::Port => "port",
            Column::LocationId => "location_id",
            Column::CallLimit => "call_limit",
            Column::Fromuser => "fromuser",
            Column::MaxTimeout => "max_timeout",
            Column::Istrunk => "istrunk",
            Column::Ani => "ani",
            Column::Description => "description",
            Column::Comment => "comment",
            Column::Language => "language",
            Column::Hidden => "hidden",
            Column::Pin => "pin",
            Column::Extension => "extension",
            Column::Callerid => "callerid",
        }
    }
}

/// Sets these columns of device `id` (a later value of a column replaces an earlier one).
/// Returns the `devices.<column>` names written.
pub fn update(
    conn: &Connection,
    id: i64,
    changes: &[(Column, Value)],
) -> rusqlite::Result<Vec<String>> {
    let mut last: Vec<(Column, &Value)> = Vec::new();
    for (c, v) in changes {
        last.retain(|(x, _)| x != c);
        last.push((*c, v));
    }
    if last.is_empty() {
        return Ok(Vec::new());
    }
    let sets: Vec<String> = last
        .iter()
        .enumerate()
        .map(|(i, (c, _))| format!("\"{}\" = ?{}", c.name(), i + 2))
        .collect();
    let sql = format!("UPDATE devices SET {} WHERE id = ?1", sets.join(", "));
    let mut values: Vec<&Value> = Vec::with_capacity(last.len() + 1);
    let id_value = Value::Integer(id);
    values.push(&id_value);
    values.extend(last.iter().map(|(_, v)| *v));
    conn.prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(values))?;
    Ok(last
        .iter()
        .map(|(c, _)| format!("devices.{}", c.name()))
        .collect())
}

/// Why a device may not be deleted, in the order these are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocker {
    /// Another device forwards to it.
    Forwards,
    /// It has made calls.
    Calls,
}

/// Each refusal's question about device `?1`.
const BLOCKERS: &[(Blocker, &str)] = &[
    (
        Blocker::Forwards,
        "SELECT 1 FROM devices WHERE forward_to = ?1 AND forward_to != 0 AND id != ?1",
    ),
    (
        Blocker::Calls,
        "SELECT 1 FROM calls WHERE src_device_id = ?1",
    ),
];

/// The first reason device `id` may not be deleted, if any.
pub fn blocker(conn: &Connection, id: i64) -> rusqlite::Result<Option<Blocker>> {
    for (b, sql) in BLOCKERS {
        if conn.prepare_cached(sql)?.exists([id])? {
            return Ok(Some(*b));
        }
    }
    Ok(None)
}

/// Deletes device `id`: its caller ids, DIDs on it released (an active one free again in its
/// stock), a user's primary device cleared, the row.
pub fn delete(conn: &Connection, id: i64) -> rusqlite::Result<()> {
    let steps = [
        "DELETE FROM callerids WHERE device_id = ?1",
        // An active DID on it goes back to its stock, free (as an unassignment leaves it); a
        // closed one keeps its state and its user.
        "UPDATE dids SET device_id = 0, user_id = 0, status = 'free'
          WHERE device_id = ?1 AND status = 'active' AND dialplan_id = 0",
        "UPDATE dids SET device_id = 0 WHERE device_id = ?1",
        "UPDATE users SET primary_device_id = 0 WHERE primary_device_id = ?1 AND primary_device_id != 0",
        "DELETE FROM devices WHERE id = ?1",
    ];
    for sql in steps {
        conn.prepare_cached(sql)?.execute([id])?;
    }
    Ok(())
}

/// Deletes every device of user `user` as [`delete`] does.
pub fn delete_of_user(conn: &Connection, user: i64) -> rusqlite::Result<()> {
    let ids: Vec<i64> = conn
        .prepare_cached("SELECT id FROM devices WHERE user_id = ?1")?
        .query_map([user], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in ids {
        delete(conn, id)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_extensions_across_digit_counts() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(crate::store::init::SCHEMA_SQL).unwrap();
        conn.execute_batch(
            "INSERT INTO devices (extension, username) VALUES ('8', 'x'), ('9', '10'),
               ('011', '11'), ('12', 'a12'), ('100', '100'), ('virtual_3', '13')",
        )
        .unwrap();
        // 8 and 9 by extension, 10 and 11 by username ('011' is not 11), 12 by extension.
        assert_eq!(free_extension(&conn, 8, 200).unwrap(), Some(14));
        assert_eq!(free_extension(&conn, 8, 12).unwrap(), None);
        assert_eq!(free_extension(&conn, 100, 101).unwrap(), Some(101));
        assert_eq!(free_extension(&conn, -5, 0).unwrap(), Some(0));
        assert_eq!(free_extension(&conn, 5, 4).unwrap(), None);
    }
}
