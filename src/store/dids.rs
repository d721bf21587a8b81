//! The `dids` table (docs/dids.md): a DID by number or id, a provider and a device as the DID
//! rules read them, the searched listing with the names it shows, a new DID, and a DID's
//! changed columns with their audit row.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params_from_iter};

/// What the DID rules read of a DID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Did {
    /// `dids.id`.
    pub id: i64,
    /// `dids.did`, the number.
    pub did: String,
    /// `dids.status`.
    pub status: String,
    /// `dids.user_id` (0: nobody's).
    pub user_id: i64,
    /// `dids.device_id` (0: none).
    pub device_id: i64,
    /// `dids.reseller_id` (0: the system's stock).
    pub reseller_id: i64,
    /// `dids.dialplan_id` (0: none).
    pub dialplan_id: i64,
}

const DID_SELECT: &str =
    "SELECT id, did, status, user_id, device_id, reseller_id, dialplan_id FROM dids";

fn did_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Did> {
    Ok(Did {
        id: r.get(0)?,
        did: r.get(1)?,
        status: r.get(2)?,
        user_id: r.get(3)?,
        device_id: r.get(4)?,
        reseller_id: r.get(5)?,
        dialplan_id: r.get(6)?,
    })
}

/// The DID with id `id`.
pub fn by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<Did>> {
    conn.prepare_cached(&format!("{DID_SELECT} WHERE id = ?1"))?
        .query_row([id], did_row)
        .optional()
}

/// The DID whose number is `did`.
pub fn by_number(conn: &Connection, did: &str) -> rusqlite::Result<Option<Did>> {
    conn.prepare_cached(&format!("{DID_SELECT} WHERE did = ?1"))?
        .query_row([did], did_row)
        .optional()
}

/// A provider, as `did_create` reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Provider {
    /// `providers.id`.
    pub id: i64,
    /// `providers.user_id`: its owner (0: the system).
    pub user_id: i64,
}

/// The provider with id `id`, unless hidden.
pub fn visible_provider(conn: &Connection, id: i64) -> rusqlite::Result<Option<Provider>> {
    conn.prepare_cached("SELECT id, user_id FROM providers WHERE id = ?1 AND hidden = 0")?
        .query_row([id], |r| {
            Ok(Provider {
                id: r.get(0)?,
                user_id: r.get(1)?,
            })
        })
        .optional()
}

/// Whether user `id` has providers of its own (`users.own_providers`).
pub fn own_providers(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached("SELECT own_providers FROM users WHERE id = ?1")?
        .query_row([id], |r| r.get::<_, i64>(0))
        .optional()?
        .is_some_and(|v| v == 1))
}

/// A device, as the assign calls read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Device {
    /// `devices.id`.
    pub id: i64,
    /// `devices.user_id`.
    pub user_id: i64,
    /// `devices.istrunk` > 0.
    pub trunk: bool,
}

/// The device with id `id`.
pub fn device(conn: &Connection, id: i64) -> rusqlite::Result<Option<Device>> {
    conn.prepare_cached("SELECT id, user_id, istrunk FROM devices WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(Device {
                id: r.get(0)?,
                user_id: r.get(1)?,
                trunk: r.get::<_, i64>(2)? > 0,
            })
        })
        .optional()
}

/// Adds a DID to a stock: `number` from `provider`, in `reseller`'s stock (0: the system's),
/// of status `status`, every other column its default. Returns its id.
pub fn create(
    conn: &Connection,
    number: &str,
    provider: i64,
    reseller: i64,
    status: &str,
) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO dids (did, provider_id, reseller_id, status) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(rusqlite::params![number, provider, reseller, status])?;
    Ok(conn.last_insert_rowid())
}

/// A column of `dids` a DID call changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    /// `status`.
    Status,
    /// `user_id`.
    UserId,
    /// `device_id`.
    DeviceId,
    /// `reseller_id`.
    ResellerId,
    /// `dialplan_id`.
    DialplanId,
    /// `cc_tariff_id`.
    CcTariffId,
    /// `call_limit`.
    CallLimit,
    /// `grace_time`.
    GraceTime,
    /// `closed_till`.
    ClosedTill,
}

/// Each column's name, once.
const COLUMN_NAMES: &[(Col, &str)] = &[
    (Col::Status, "status"),
    (Col::UserId, "user_id"),
    (Col::DeviceId, "device_id"),
    (Col::ResellerId, "reseller_id"),
    (Col::DialplanId, "dialplan_id"),
    (Col::CcTariffId, "cc_tariff_id"),
    (Col::CallLimit, "call_limit"),
    (Col::GraceTime, "grace_time"),
    (Col::ClosedTill, "closed_till"),
];

impl Col {
    /// The column's name in `dids`.
    pub fn name(self) -> &'static str {
        COLUMN_NAMES
            .iter()
            .find(|(c, _)| *c == self)
            .map_or("", |(_, n)| n)
    }
}

/// Sets `changes` on DID `id` (nothing when there are none); each column once, the last
/// value of a column winning.
pub fn change(conn: &Connection, id: i64, changes: &[(Col, Value)]) -> rusqlite::Result<()> {
    let mut cols: Vec<(Col, &Value)> = Vec::new();
    for (c, v) in changes {
        match cols.iter_mut().find(|(x, _)| x == c) {
            Some(slot) => slot.1 = v,
            None => cols.push((*c, v)),
        }
    }
    if cols.is_empty() {
        return Ok(());
    }
    let sets: Vec<String> = cols
        .iter()
        .enumerate()
        .map(|(i, (c, _))| format!("{} = ?{}", c.name(), i + 1))
        .collect();
    let sql = format!(
        "UPDATE dids SET {} WHERE id = ?{}",
        sets.join(", "),
        cols.len() + 1
    );
    let mut args: Vec<&Value> = cols.iter().map(|(_, v)| *v).collect();
    let id = Value::Integer(id);
    args.push(&id);
    conn.prepare_cached(&sql)?.execute(params_from_iter(args))?;
    Ok(())
}

/// Clears `devices.primary_did_id` of device `device` where it is DID `did`.
pub fn clear_primary(conn: &Connection, device: i64, did: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE devices SET primary_did_id = 0 WHERE id = ?1 AND primary_did_id = ?2",
    )?
    .execute([device, did])?;
    Ok(())
}

/// The audit row of a DID's change: `action` by `caller`, `target` the DID's user, `data` the
/// DID's id, `data2` what changed.
pub fn audit(
    conn: &Connection,
    now: &str,
    caller: i64,
    target: i64,
    action: &str,
    did: i64,
    what: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO actions (date, user_id, target_id, action, data, data2)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(rusqlite::params![
        now,
        caller,
        target,
        action,
        did.to_string(),
        what
    ])?;
    Ok(())
}

/// How `search_status` narrows a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusIs {
    /// `status` = this.
    Exactly(String),
    /// `status` = this, in the system's stock (`reseller_id` 0).
    InSystemStock(String),
    /// Reserved, or in any reseller's stock.
    ReservedOrResellers,
}

/// A listing's search: each field, when set, narrows it (ANDed).
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// `did LIKE` this (the client's wildcards).
    pub number: Option<String>,
    /// The status rule.
    pub status: Option<StatusIs>,
    /// Not free, and the owner's display name `LIKE` this.
    pub owner: Option<String>,
    /// `dialplan_id` = this (as sent: a text that is no number matches nothing).
    pub dialplan: Option<String>,
    /// The user's own DIDs, or (for a reseller) its stock.
    pub user: Option<String>,
    /// `device_id` = this.
    pub device: Option<String>,
    /// `provider_id` = this.
    pub provider: Option<String>,
    /// `language` = this, without regard to case.
    pub language: Option<String>,
    /// Leave out terminated DIDs.
    pub hide_terminated: bool,
    /// Only this reseller's stock (a reseller's listing).
    pub reseller: Option<i64>,
    /// Only this user's DIDs (a user's listing).
    pub of_user: Option<i64>,
    /// Rows to skip, after ordering.
    pub skip: i64,
    /// Rows at most (`None`: all).
    pub take: Option<i64>,
}

/// One row of a listing, with the names it shows.
#[derive(Debug, Clone)]
pub struct Listed {
    /// `dids.id`.
    pub id: i64,
    /// The number.
    pub did: String,
    /// The provider's name ('' when none).
    pub provider: String,
    /// `language` (NULL: '').
    pub language: String,
    /// `status`.
    pub status: String,
    /// `reseller_id`.
    pub reseller_id: i64,
    /// The reseller's display name ('' when none).
    pub reseller: String,
    /// `user_id`.
    pub user_id: i64,
    /// The user's display name ('' when the user is gone).
    pub owner: String,
    /// The device as `TYPE/name` ('' when none).
    pub device: String,
    /// The dial plan as `name (dptype)` ('' when none).
    pub dial_plan: String,
    /// `call_limit`.
    pub call_limit: i64,
    /// `comment`.
    pub comment: Option<String>,
    /// `reseller_comment`.
    pub reseller_comment: Option<String>,
    /// `tonezone` (NULL: '').
    pub tonezone: String,
}

/// A user's display name (the vendor's): first and last name when both are set, else
/// whichever is, else the username. `$t` is the users table's alias.
macro_rules! display_name {
    ($t:literal) => {
        concat!(
            "CASE WHEN ",
            $t,
            ".first_name != '' AND ",
            $t,
            ".last_name != '' THEN ",
            $t,
            ".first_name || ' ' || ",
            $t,
            ".last_name WHEN ",
            $t,
            ".first_name != '' THEN ",
            $t,
            ".first_name WHEN ",
            $t,
            ".last_name != '' THEN ",
            $t,
            ".last_name ELSE ",
            $t,
            ".username END"
        )
    };
}

/// The listing's columns and joins.
const LISTING: &str = concat!(
    "/* lists */ SELECT d.id, d.did, COALESCE(p.name, ''), COALESCE(d.language, ''), d.status,
            d.reseller_id, COALESCE(",
    display_name!("r"),
    ", ''), d.user_id,
            COALESCE(",
    display_name!("o"),
    ", ''),
            CASE WHEN v.id IS NULL THEN ''
                 WHEN v.device_type = 'FAX' OR v.name = '' THEN v.device_type || '/' || v.extension
                 ELSE v.device_type || '/' || v.name END,
            CASE WHEN dp.id IS NULL THEN '' ELSE dp.name || ' (' || dp.dptype || ')' END,
            d.call_limit, d.comment, d.reseller_comment, COALESCE(d.tonezone, '')
       FROM dids d
       LEFT JOIN providers p ON p.id = d.provider_id
       LEFT JOIN users r ON r.id = d.reseller_id AND d.reseller_id > 0
       LEFT JOIN users o ON o.id = d.user_id
       LEFT JOIN devices v ON v.id = d.device_id AND d.device_id != 0
       LEFT JOIN dialplans dp ON dp.id = d.dialplan_id AND d.dialplan_id != 0"
);

/// The owner's display name, for the owner search.
const OWNER_NAME: &str = concat!(
    "(SELECT ",
    display_name!("w"),
    " FROM users w WHERE w.id = d.user_id)"
);

/// A WHERE clause as it is built: its conditions and their arguments, numbered in order.
#[derive(Default)]
struct Clause {
    conds: Vec<String>,
    args: Vec<Value>,
}

impl Clause {
    /// Adds `cond`, each `?` in it standing for the next of `values`.
    fn and(&mut self, cond: &str, values: Vec<Value>) {
        let mut parts = cond.split('?');
        let mut out = parts.next().unwrap_or("").to_string();
        let mut values = values.into_iter();
        for part in parts {
            if let Some(v) = values.next() {
                self.args.push(v);
            }
            out.push_str(&format!("?{}{part}", self.args.len()));
        }
        self.conds.push(out);
    }
}

/// The range of numbers a LIKE pattern's leading digits (before its first wildcard) allow:
/// `[prefix, prefix with its last digit one higher)`, in text order; `None` without any.
fn digit_range(pattern: &str) -> Option<(String, String)> {
    let prefix: String = pattern
        .chars()
        .take_while(|c| *c != '%' && *c != '_')
        .collect();
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut high = prefix.clone().into_bytes();
    // The last digit one higher: '9' + 1 is ':', which sorts right after every digit.
    if let Some(last) = high.last_mut() {
        *last += 1;
    }
    Some((prefix, String::from_utf8(high).ok()?))
}

/// The statement and its arguments for `s`.
fn statement(s: &Search) -> (String, Vec<Value>) {
    let mut c = Clause::default();
    let text = |v: &str| Value::Text(v.to_string());
    if let Some(r) = s.reseller {
        c.and("d.reseller_id = ?", vec![Value::Integer(r)]);
    }
    if let Some(u) = s.of_user {
        c.and("d.user_id = ?", vec![Value::Integer(u)]);
    }
    if let Some(n) = &s.number {
        c.and("d.did LIKE ?", vec![text(n)]);
        // LIKE cannot read the number's index; the pattern's leading digits, which LIKE
        // matches exactly, bound the search to a range of it.
        if let Some((low, high)) = digit_range(n) {
            c.and("d.did >= ? AND d.did < ?", vec![text(&low), text(&high)]);
        }
    }
    match &s.status {
        Some(StatusIs::Exactly(st)) => c.and("d.status = ?", vec![text(st)]),
        Some(StatusIs::InSystemStock(st)) => {
            c.and("d.status = ? AND d.reseller_id = 0", vec![text(st)]);
        }
        Some(StatusIs::ReservedOrResellers) => {
            c.and("(d.status = 'reserved' OR d.reseller_id > 0)", vec![]);
        }
        None => {}
    }
    if let Some(o) = &s.owner {
        c.and(
            &format!("d.status != 'free' AND {OWNER_NAME} LIKE ?"),
            vec![text(o)],
        );
    }
    if let Some(v) = &s.dialplan {
        c.and("d.dialplan_id = ?", vec![text(v)]);
    }
    if let Some(v) = &s.user {
        c.and(
            "(d.user_id = ? OR (d.reseller_id = ? AND d.reseller_id > 0))",
            vec![text(v), text(v)],
        );
    }
    if let Some(v) = &s.device {
        c.and("d.device_id = ?", vec![text(v)]);
    }
    if let Some(v) = &s.provider {
        c.and("d.provider_id = ?", vec![text(v)]);
    }
    if let Some(v) = &s.language {
        c.and("d.language = ? COLLATE NOCASE", vec![text(v)]);
    }
    if s.hide_terminated {
        c.and("d.status != 'terminated'", vec![]);
    }
    let mut sql = String::from(LISTING);
    if !c.conds.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&c.conds.join(" AND "));
    }
    let mut args = c.args;
    args.push(Value::Integer(s.take.unwrap_or(-1)));
    args.push(Value::Integer(s.skip.max(0)));
    sql.push_str(&format!(
        " ORDER BY d.did LIMIT ?{} OFFSET ?{}",
        args.len() - 1,
        args.len()
    ));
    (sql, args)
}

/// The DIDs `s` finds, ordered by number, each given to `each`; returns how many.
pub fn list<E: From<rusqlite::Error>>(
    conn: &Connection,
    s: &Search,
    mut each: impl FnMut(Listed) -> Result<(), E>,
) -> Result<usize, E> {
    let (sql, args) = statement(s);
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(args.iter()))?;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        each(Listed {
            id: r.get(0)?,
            did: r.get(1)?,
            provider: r.get(2)?,
            language: r.get(3)?,
            status: r.get(4)?,
            reseller_id: r.get(5)?,
            reseller: r.get(6)?,
            user_id: r.get(7)?,
            owner: r.get(8)?,
            device: r.get(9)?,
            dial_plan: r.get(10)?,
            call_limit: r.get(11)?,
            comment: r.get(12)?,
            reseller_comment: r.get(13)?,
            tonezone: r.get(14)?,
        })?;
        n += 1;
    }
    Ok(n)
}

/// Every DID, or those of status `status` and of user `user`, ordered by number (for
/// `morbox dids list`).
pub fn overview(
    conn: &Connection,
    status: Option<&str>,
    user: Option<i64>,
) -> rusqlite::Result<Vec<Did>> {
    conn.prepare(&format!(
        "{DID_SELECT} WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR user_id = ?2) ORDER BY did"
    ))?
    .query_map(rusqlite::params![status, user], did_row)?
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patterns_leading_digits_bound_the_search() {
        assert_eq!(digit_range("3705%"), Some(("3705".into(), "3706".into())));
        assert_eq!(digit_range("379_1"), Some(("379".into(), "37:".into())));
        assert_eq!(digit_range("%37"), None);
        assert_eq!(digit_range("37a%"), None);
        // The range holds exactly what LIKE keeps, through the number's index.
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(crate::store::init::SCHEMA_SQL).unwrap();
        conn.execute_batch(
            "INSERT INTO dids (did) VALUES ('37'), ('379'), ('3790'), ('37999'), ('38'), ('3')",
        )
        .unwrap();
        for pattern in ["37%", "379%", "37_", "3%9", "37999", "3"] {
            let s = Search {
                number: Some(pattern.into()),
                ..Search::default()
            };
            let mut got = Vec::new();
            list::<rusqlite::Error>(&conn, &s, |r| {
                got.push(r.did);
                Ok(())
            })
            .unwrap();
            let want: Vec<String> = conn
                .prepare("SELECT did FROM dids WHERE did LIKE ?1 ORDER BY did")
                .unwrap()
                .query_map([pattern], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert_eq!(got, want, "{pattern}");
        }
        let (sql, _) = statement(&Search {
            number: Some("3705%".into()),
            ..Search::default()
        });
        let plan: String = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap()
            .query_map(rusqlite::params!["3705%", "3705", "3706", -1, 0], |r| {
                r.get::<_, String>(3)
            })
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap()
            .join("\n");
        assert!(
            plan.contains("USING INDEX dids_did (did>? AND did<?)"),
            "{plan}"
        );
    }
}
