//! The SQL of the call history (docs/calls.md): which calls a listing takes (a period, whose
//! calls, the filters), in which order, and each call with the names it is shown with (its
//! user, reseller, provider, DID, destination and direction).

use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, params_from_iter};

/// Whose calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whose {
    /// Every call.
    All,
    /// A user's: made by it, or to it (`dst_user_id`); with `dst_devices`, also those to any
    /// of its devices.
    User {
        /// `users.id`.
        id: i64,
        /// Calls to its devices count too.
        dst_devices: bool,
    },
    /// A reseller's: marked with it, made by it, or made by or to one of its users.
    Reseller(i64),
}

/// Which dispositions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition {
    /// Any.
    Any,
    /// Equal to this, in any case.
    Is(String),
    /// `ANSWERED` with cause 16.
    AnsweredNormally,
    /// `FAILED`, or `ANSWERED` with another cause than 16.
    FailedOrAbnormal,
}

/// The orders a listing may take (then `calls.id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// `calldate`.
    Time,
    /// `src`.
    Src,
    /// `dst`.
    Dst,
    /// `billsec`.
    Billsec,
    /// `hangupcause`.
    Cause,
    /// `server_id`.
    Server,
    /// The provider's name.
    ProviderName,
    /// `provider_rate`.
    ProviderRate,
    /// `provider_price`.
    ProviderPrice,
    /// The reseller's name.
    Reseller,
    /// `reseller_rate`.
    ResellerRate,
    /// `reseller_price`.
    ResellerPrice,
    /// The user's name.
    User,
    /// `user_rate`.
    UserRate,
    /// `user_price`.
    UserPrice,
    /// The DID's number.
    DidNumber,
    /// `did_provider_id`.
    DidProvider,
    /// `did_inc_price`.
    DidIncPrice,
    /// `dst_user_id` (the DID's owner).
    DidOwner,
    /// `prefix`.
    Prefix,
    /// The destination's direction code.
    Direction,
    /// The destination's name.
    Destination,
    /// `duration`.
    Duration,
}

impl Sort {
    fn sql(self) -> &'static str {
        match self {
            Sort::Time => "c.calldate",
            Sort::Src => "c.src",
            Sort::Dst => "c.dst",
            Sort::Billsec => "c.billsec",
            Sort::Cause => "c.hangupcause",
            Sort::Server => "c.server_id",
            Sort::ProviderName => "COALESCE(p.name, '')",
            Sort::ProviderRate => "c.provider_rate",
            Sort::ProviderPrice => "c.provider_price",
            Sort::Reseller => "COALESCE(r.first_name || ' ' || r.last_name, '')",
            Sort::ResellerRate => "c.reseller_rate",
            Sort::ResellerPrice => "c.reseller_price",
            Sort::User => "COALESCE(u.first_name || ' ' || u.last_name, '')",
            Sort::UserRate => "c.user_rate",
            Sort::UserPrice => "c.user_price",
            Sort::DidNumber => "COALESCE(dd.did, '')",
            Sort::DidProvider => "c.did_provider_id",
            Sort::DidIncPrice => "c.did_inc_price",
            Sort::DidOwner => "c.dst_user_id",
            Sort::Prefix => "c.prefix",
            Sort::Direction => "COALESCE(dest.direction_code, '')",
            Sort::Destination => "COALESCE(dest.name, '')",
            Sort::Duration => "c.duration",
        }
    }
}

/// What a listing takes: every field narrows it (`None`: no such filter).
#[derive(Debug, Clone)]
pub struct Listing {
    /// The period's first instant, `YYYY-MM-DD HH:MM:SS`.
    pub from: String,
    /// The period's last instant, inclusive.
    pub till: String,
    /// Whose calls.
    pub whose: Whose,
    /// Only calls of the users this accountant is responsible for (and of their resellers'
    /// users), by user, reseller or device.
    pub assigned_to: Option<i64>,
    /// `reseller_id`.
    pub reseller: Option<i64>,
    /// The disposition.
    pub disposition: Disposition,
    /// `src_device_id` or `dst_device_id`.
    pub device: Option<i64>,
    /// `provider_id`.
    pub provider: Option<i64>,
    /// The code of this `hangupcausecodes` row (none: no call).
    pub cause_row: Option<i64>,
    /// `did_id`.
    pub did: Option<i64>,
    /// A LIKE pattern on the localized number (the number itself where none).
    pub destination: Option<String>,
    /// Only calls to a DID.
    pub only_did: bool,
    /// `uniqueid`.
    pub uniqueid: Option<String>,
    /// The order.
    pub sort: Sort,
    /// Descending.
    pub descending: bool,
}

/// One call with the names it is shown with.
#[derive(Debug, Clone, Default)]
pub struct CallRow {
    /// `calls.id`.
    pub id: i64,
    /// `calldate`.
    pub calldate: String,
    /// `clid`.
    pub clid: String,
    /// `src`.
    pub src: String,
    /// `dst`.
    pub dst: String,
    /// `localized_dst`.
    pub localized_dst: String,
    /// `billsec`.
    pub billsec: i64,
    /// `real_billsec`.
    pub real_billsec: f64,
    /// `user_billsec`.
    pub user_billsec: f64,
    /// `disposition`.
    pub disposition: String,
    /// `hangupcause`.
    pub hangupcause: i64,
    /// `uniqueid`.
    pub uniqueid: String,
    /// `user_id`.
    pub user_id: i64,
    /// `reseller_id`.
    pub reseller_id: i64,
    /// `provider_id`.
    pub provider_id: i64,
    /// `server_id`.
    pub server_id: i64,
    /// `prefix`.
    pub prefix: String,
    /// `user_rate`.
    pub user_rate: f64,
    /// `user_price`.
    pub user_price: f64,
    /// `reseller_rate`.
    pub reseller_rate: f64,
    /// `reseller_price`.
    pub reseller_price: f64,
    /// `provider_rate`.
    pub provider_rate: f64,
    /// `provider_price`.
    pub provider_price: f64,
    /// `did_price`.
    pub did_price: f64,
    /// `did_inc_price`.
    pub did_inc_price: f64,
    /// `did_prov_price`.
    pub did_prov_price: f64,
    /// The call's user: (first name, last name, username, owner), when it exists.
    pub user: Option<(String, String, String, i64)>,
    /// The reseller's (first name, last name), when it exists.
    pub reseller: Option<(String, String)>,
    /// The provider's (name, `user_id`, `common_use`), when it exists.
    pub provider: Option<(String, i64, bool)>,
    /// The DID's number ('' when none).
    pub did: String,
    /// The destination's name ('' when none).
    pub destination: String,
    /// The destination's direction name ('' when none).
    pub direction: String,
}

const SELECT: &str = "/* lists */ SELECT c.id, c.calldate, c.clid, c.src, c.dst, c.localized_dst,
        c.billsec, c.real_billsec, c.user_billsec, c.disposition, c.hangupcause, c.uniqueid,
        c.user_id, c.reseller_id, c.provider_id, c.server_id, c.prefix, c.user_rate,
        c.user_price, c.reseller_rate, c.reseller_price, c.provider_rate, c.provider_price,
        c.did_price, c.did_inc_price, c.did_prov_price,
        u.id, COALESCE(u.first_name, ''), COALESCE(u.last_name, ''), COALESCE(u.username, ''),
        COALESCE(u.owner_id, 0),
        r.id, COALESCE(r.first_name, ''), COALESCE(r.last_name, ''),
        p.id, COALESCE(p.name, ''), COALESCE(p.user_id, 0), COALESCE(p.common_use, 0),
        COALESCE(dd.did, ''), COALESCE(dest.name, ''), COALESCE(dir.name, '')
   FROM calls c
   LEFT JOIN users u ON u.id = c.user_id
   LEFT JOIN users r ON r.id = c.reseller_id AND c.reseller_id != 0
   LEFT JOIN providers p ON p.id = c.provider_id
   LEFT JOIN dids dd ON dd.id = c.did_id AND c.did_id != 0
   LEFT JOIN destinations dest ON dest.prefix = c.prefix
   LEFT JOIN directions dir ON dir.code = dest.direction_code
  WHERE c.calldate BETWEEN ?1 AND ?2";

/// How many calls a listing takes: its conditions name `calls` alone, so no join.
const COUNT: &str = "/* lists */ SELECT COUNT(*) FROM calls c WHERE c.calldate BETWEEN ?1 AND ?2";

/// A listing's calls, one row each, for a bounded count.
const COUNT_ONE: &str = "SELECT 1 FROM calls c WHERE c.calldate BETWEEN ?1 AND ?2";

/// The users an accountant (`?N`) is responsible for, and their resellers' users.
const ASSIGNED: &str = "(SELECT id FROM users WHERE responsible_accountant_id = ?N
   UNION SELECT id FROM users WHERE owner_id IN
     (SELECT id FROM users WHERE responsible_accountant_id = ?N AND usertype = 'reseller'))";

/// The calls `l` takes, in its order; `each` gets every one. Returns how many there were.
pub fn list<E: From<rusqlite::Error>>(
    conn: &Connection,
    l: &Listing,
    mut each: impl FnMut(CallRow) -> Result<(), E>,
) -> Result<usize, E> {
    let (sql, args) = statement(l);
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(args.iter()))?;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        each(call_row(r)?)?;
        n += 1;
    }
    Ok(n)
}

/// How many calls `l` takes (in the same snapshot, as many as [`list`] gives).
pub fn count(conn: &Connection, l: &Listing) -> rusqlite::Result<i64> {
    let (sql, args) = conditions(COUNT, l);
    conn.prepare_cached(&sql)?
        .query_row(params_from_iter(args.iter()), |r| r.get(0))
}

/// How many calls `l` takes, counting no further than `limit`.
pub fn count_up_to(conn: &Connection, l: &Listing, limit: i64) -> rusqlite::Result<i64> {
    let (sql, mut args) = conditions(COUNT_ONE, l);
    args.push(limit.into());
    let sql = format!(
        "/* lists */ SELECT COUNT(*) FROM ({sql} LIMIT ?{})",
        args.len()
    );
    conn.prepare_cached(&sql)?
        .query_row(params_from_iter(args.iter()), |r| r.get(0))
}

/// The statement of a listing and its arguments.
fn statement(l: &Listing) -> (String, Vec<Value>) {
    let (mut sql, args) = conditions(SELECT, l);
    sql.push_str(&format!(
        " ORDER BY {} {}, c.id",
        l.sort.sql(),
        if l.descending { "DESC" } else { "ASC" }
    ));
    (sql, args)
}

/// `head` (which ends in the period's condition) with the rest of a listing's conditions,
/// and the arguments of them all.
fn conditions(head: &str, l: &Listing) -> (String, Vec<Value>) {
    let mut sql = String::from(head);
    let mut args: Vec<Value> = vec![l.from.clone().into(), l.till.clone().into()];
    let arg = |v: Value, args: &mut Vec<Value>| {
        args.push(v);
        format!("?{}", args.len())
    };
    // Each OR term repeats the period, so that each reads its index's (…, calldate) range
    // rather than every call of the user (SQLite does not carry an AND into an OR's terms).
    const PERIOD: &str = "c.calldate BETWEEN ?1 AND ?2";
    match l.whose {
        Whose::All => {}
        Whose::User { id, dst_devices } => {
            let u = arg(id.into(), &mut args);
            sql.push_str(&format!(
                " AND ((c.user_id = {u} AND {PERIOD})
                   OR (c.dst_user_id = {u} AND c.dst_user_id != 0 AND {PERIOD})"
            ));
            if dst_devices {
                sql.push_str(&format!(
                    " OR (c.dst_device_id != 0
                          AND c.dst_device_id IN (SELECT id FROM devices WHERE user_id = {u})
                          AND {PERIOD})"
                ));
            }
            sql.push(')');
        }
        Whose::Reseller(r) => {
            let r = arg(r.into(), &mut args);
            sql.push_str(&format!(
                " AND ((c.reseller_id != 0 AND c.reseller_id = {r} AND {PERIOD})
                   OR (c.user_id = {r} AND {PERIOD})
                   OR (c.user_id IN (SELECT id FROM users WHERE owner_id = {r}) AND {PERIOD})
                   OR (c.dst_user_id != 0
                       AND c.dst_user_id IN (SELECT id FROM users WHERE owner_id = {r})
                       AND {PERIOD}))"
            ));
        }
    }
    if let Some(a) = l.assigned_to {
        let a = arg(a.into(), &mut args);
        let set = ASSIGNED.replace("?N", &a);
        sql.push_str(&format!(
            " AND (c.user_id IN {set} OR c.dst_user_id IN {set} OR c.reseller_id IN {set}
               OR c.src_device_id IN (SELECT id FROM devices WHERE user_id IN {set})
               OR c.dst_device_id IN (SELECT id FROM devices WHERE user_id IN {set}))"
        ));
    }
    let equal = |column: &str, v: Option<i64>, sql: &mut String, args: &mut Vec<Value>| {
        if let Some(v) = v {
            let p = arg(v.into(), args);
            sql.push_str(&format!(" AND {column} = {p}"));
        }
    };
    equal("c.reseller_id", l.reseller, &mut sql, &mut args);
    equal("c.provider_id", l.provider, &mut sql, &mut args);
    equal("c.did_id", l.did, &mut sql, &mut args);
    match &l.disposition {
        Disposition::Any => {}
        Disposition::Is(d) => {
            let p = arg(d.clone().into(), &mut args);
            sql.push_str(&format!(" AND upper(c.disposition) = upper({p})"));
        }
        Disposition::AnsweredNormally => {
            sql.push_str(" AND c.disposition = 'ANSWERED' AND c.hangupcause = 16");
        }
        Disposition::FailedOrAbnormal => sql.push_str(
            " AND (c.disposition = 'FAILED' OR (c.disposition = 'ANSWERED' AND c.hangupcause != 16))",
        ),
    }
    if let Some(d) = l.device {
        let p = arg(d.into(), &mut args);
        sql.push_str(&format!(
            " AND (c.src_device_id = {p} OR c.dst_device_id = {p})"
        ));
    }
    if let Some(h) = l.cause_row {
        let p = arg(h.into(), &mut args);
        sql.push_str(&format!(
            " AND c.hangupcause = (SELECT code FROM hangupcausecodes WHERE id = {p})"
        ));
    }
    if let Some(pattern) = &l.destination {
        let p = arg(pattern.clone().into(), &mut args);
        sql.push_str(&format!(
            " AND (CASE WHEN c.localized_dst != '' THEN c.localized_dst ELSE c.dst END) LIKE {p}"
        ));
    }
    if l.only_did {
        sql.push_str(" AND c.did_id > 0");
    }
    if let Some(u) = &l.uniqueid {
        let p = arg(u.clone().into(), &mut args);
        sql.push_str(&format!(" AND c.uniqueid = {p}"));
    }
    (sql, args)
}

/// A [`CallRow`] from a row of the listing's statement.
fn call_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CallRow> {
    {
        let user = match r.get::<_, Option<i64>>(26)? {
            Some(_) => Some((r.get(27)?, r.get(28)?, r.get(29)?, r.get(30)?)),
            None => None,
        };
        let reseller = match r.get::<_, Option<i64>>(31)? {
            Some(_) => Some((r.get(32)?, r.get(33)?)),
            None => None,
        };
        let provider = match r.get::<_, Option<i64>>(34)? {
            Some(_) => Some((r.get(35)?, r.get(36)?, r.get::<_, i64>(37)? != 0)),
            None => None,
        };
        Ok(CallRow {
            id: r.get(0)?,
            calldate: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            clid: r.get(2)?,
            src: r.get(3)?,
            dst: r.get(4)?,
            localized_dst: r.get(5)?,
            billsec: r.get(6)?,
            real_billsec: r.get(7)?,
            user_billsec: r.get(8)?,
            disposition: r.get(9)?,
            hangupcause: r.get(10)?,
            uniqueid: r.get(11)?,
            user_id: r.get(12)?,
            reseller_id: r.get(13)?,
            provider_id: r.get(14)?,
            server_id: r.get(15)?,
            prefix: r.get(16)?,
            user_rate: r.get(17)?,
            user_price: r.get(18)?,
            reseller_rate: r.get(19)?,
            reseller_price: r.get(20)?,
            provider_rate: r.get(21)?,
            provider_price: r.get(22)?,
            did_price: r.get(23)?,
            did_inc_price: r.get(24)?,
            did_prov_price: r.get(25)?,
            user,
            reseller,
            provider,
            did: r.get(38)?,
            destination: r.get(39)?,
            direction: r.get(40)?,
        })
    }
}

/// What a listing's caller decides on.
#[derive(Debug, Clone, Default)]
pub struct Viewer {
    /// `username`.
    pub username: String,
    /// `own_providers` is 1.
    pub own_providers: bool,
    /// `show_billing_info` is 1 (the default).
    pub show_billing_info: bool,
    /// `hide_destination_end` (negative: unset).
    pub hide_destination_end: i64,
}

/// The listing's caller, user `id`.
pub fn viewer(conn: &Connection, id: i64) -> rusqlite::Result<Option<Viewer>> {
    use rusqlite::OptionalExtension;
    conn.prepare_cached(
        "SELECT username, COALESCE(CAST(own_providers AS INTEGER), 0) = 1,
                COALESCE(CAST(show_billing_info AS INTEGER), 1) = 1,
                COALESCE(CAST(hide_destination_end AS INTEGER), 0)
           FROM users WHERE id = ?1",
    )?
    .query_row([id], |r| {
        Ok(Viewer {
            username: r.get(0)?,
            own_providers: r.get(1)?,
            show_billing_info: r.get(2)?,
            hide_destination_end: r.get(3)?,
        })
    })
    .optional()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing() -> Listing {
        Listing {
            from: "2024-03-01 00:00:00".into(),
            till: "2024-03-01 23:59:59".into(),
            whose: Whose::All,
            assigned_to: None,
            reseller: None,
            disposition: Disposition::Any,
            device: None,
            provider: None,
            cause_row: None,
            did: None,
            destination: None,
            only_did: false,
            uniqueid: None,
            sort: Sort::Time,
            descending: false,
        }
    }

    /// Every filter, alone, reads the calls through an index, and so does every table a filter
    /// looks into: no statement scans `calls`, `users` or `devices`.
    #[test]
    fn every_filter_reads_through_an_index() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(crate::store::init::SCHEMA_SQL).unwrap();
        let base = listing();
        let mut cases = vec![base.clone()];
        let mut with = |f: &dyn Fn(&mut Listing)| {
            let mut l = base.clone();
            f(&mut l);
            cases.push(l);
        };
        with(&|l| {
            l.whose = Whose::User {
                id: 2,
                dst_devices: false,
            }
        });
        with(&|l| {
            l.whose = Whose::User {
                id: 2,
                dst_devices: true,
            }
        });
        with(&|l| l.whose = Whose::Reseller(3));
        with(&|l| l.assigned_to = Some(4));
        with(&|l| l.reseller = Some(3));
        with(&|l| l.disposition = Disposition::Is("BUSY".into()));
        with(&|l| l.disposition = Disposition::FailedOrAbnormal);
        with(&|l| l.device = Some(2));
        with(&|l| l.provider = Some(1));
        with(&|l| l.cause_row = Some(16));
        with(&|l| l.did = Some(1));
        with(&|l| l.destination = Some("3706%".into()));
        with(&|l| l.only_did = true);
        with(&|l| l.uniqueid = Some("1.1".into()));
        with(&|l| {
            l.sort = Sort::Destination;
            l.descending = true;
        });
        // Each listing, and its count.
        let statements = cases.iter().flat_map(|l| {
            [
                (l, statement(l)),
                (l, conditions(COUNT, l)),
                (l, conditions(COUNT_ONE, l)),
            ]
        });
        for (l, (sql, args)) in statements {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let plan: Vec<String> = stmt
                .query_map(params_from_iter(args.iter()), |r| r.get::<_, String>(3))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            for line in &plan {
                for table in ["calls", "users", "devices", "c ", "u ", "r "] {
                    let scan = format!("SCAN {table}");
                    assert!(
                        !(line.starts_with(&scan) || line == scan.trim_end())
                            || line.contains("USING"),
                        "{l:?}: {line}\n{}",
                        plan.join("\n")
                    );
                }
            }
            // A user's or a reseller's calls through the indexes of whose they are, never
            // the whole period's.
            if l.whose != Whose::All {
                assert!(
                    plan.iter().any(|p| p.contains("MULTI-INDEX OR")),
                    "{l:?}: {}",
                    plan.join("\n")
                );
            }
            // Each of those reads only the period of its index (…, calldate).
            let whose_index = [
                "calls_user ",
                "calls_dst_user ",
                "calls_dst_device ",
                "calls_reseller ",
            ];
            for line in plan
                .iter()
                .filter(|p| whose_index.iter().any(|i| p.contains(i)))
            {
                assert!(
                    line.contains("calldate>?"),
                    "{l:?}: {line}\n{}",
                    plan.join("\n")
                );
            }
            // Through the period's index, or (a user's calls) the user indexes.
            assert!(
                plan.iter().any(|p| p.starts_with("SEARCH c USING INDEX")
                    || p.starts_with("SEARCH c USING COVERING INDEX")),
                "{l:?}: {}",
                plan.join("\n")
            );
        }
    }
}

/// How a `calls` column's values are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// A whole number.
    Int,
    /// A double.
    Real,
    /// Text.
    Text,
}

/// Every column of `calls` a seed file may name, with its kind.
pub const COLUMNS: &[(&str, ColumnKind)] = &[
    ("id", ColumnKind::Int),
    ("calldate", ColumnKind::Text),
    ("clid", ColumnKind::Text),
    ("src", ColumnKind::Text),
    ("dst", ColumnKind::Text),
    ("localized_dst", ColumnKind::Text),
    ("duration", ColumnKind::Int),
    ("billsec", ColumnKind::Int),
    ("real_duration", ColumnKind::Real),
    ("real_billsec", ColumnKind::Real),
    ("user_billsec", ColumnKind::Int),
    ("disposition", ColumnKind::Text),
    ("hangupcause", ColumnKind::Int),
    ("accountcode", ColumnKind::Text),
    ("uniqueid", ColumnKind::Text),
    ("callertype", ColumnKind::Text),
    ("src_device_id", ColumnKind::Int),
    ("dst_device_id", ColumnKind::Int),
    ("user_id", ColumnKind::Int),
    ("dst_user_id", ColumnKind::Int),
    ("reseller_id", ColumnKind::Int),
    ("partner_id", ColumnKind::Int),
    ("card_id", ColumnKind::Int),
    ("provider_id", ColumnKind::Int),
    ("did_id", ColumnKind::Int),
    ("did_provider_id", ColumnKind::Int),
    ("server_id", ColumnKind::Int),
    ("prefix", ColumnKind::Text),
    ("user_rate", ColumnKind::Real),
    ("user_price", ColumnKind::Real),
    ("reseller_rate", ColumnKind::Real),
    ("reseller_price", ColumnKind::Real),
    ("provider_rate", ColumnKind::Real),
    ("provider_price", ColumnKind::Real),
    ("did_price", ColumnKind::Real),
    ("did_inc_price", ColumnKind::Real),
    ("did_prov_price", ColumnKind::Real),
    ("partner_rate", ColumnKind::Real),
    ("partner_price", ColumnKind::Real),
    ("reseller_billsec", ColumnKind::Int),
    ("provider_billsec", ColumnKind::Int),
    ("did_billsec", ColumnKind::Int),
    ("partner_billsec", ColumnKind::Int),
    ("originator_ip", ColumnKind::Text),
    ("terminator_ip", ColumnKind::Text),
];

/// Writes one call of these columns (names from [`COLUMNS`]); returns its id.
pub fn insert(conn: &Connection, row: &[(&str, Value)]) -> rusqlite::Result<i64> {
    let columns: Vec<&str> = row.iter().map(|(c, _)| *c).collect();
    conn.prepare_cached(&insert_sql(&columns))?
        .execute(params_from_iter(row.iter().map(|(_, v)| v)))?;
    Ok(conn.last_insert_rowid())
}

/// `INSERT INTO calls (…) VALUES (?1, …)` for these columns (names from [`COLUMNS`]).
fn insert_sql(columns: &[&str]) -> String {
    let names: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
    let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO calls ({}) VALUES ({})",
        names.join(", "),
        marks.join(", ")
    )
}

/// Writes calls of one set of columns with one prepared statement: for many calls in a row
/// (the generator's), where building the statement for each would cost more than the write.
pub struct Inserter<'c> {
    stmt: rusqlite::Statement<'c>,
}

impl<'c> Inserter<'c> {
    /// Ready to write calls of `columns` (names from [`COLUMNS`]).
    pub fn new(conn: &'c Connection, columns: &[&str]) -> rusqlite::Result<Inserter<'c>> {
        Ok(Inserter {
            stmt: conn.prepare(&insert_sql(columns))?,
        })
    }

    /// Writes one call: its values in the order of the columns.
    pub fn row<'v>(
        &mut self,
        values: impl IntoIterator<Item = ValueRef<'v>>,
    ) -> rusqlite::Result<()> {
        for (i, v) in values.into_iter().enumerate() {
            self.stmt
                .raw_bind_parameter(i + 1, rusqlite::types::ToSqlOutput::Borrowed(v))?;
        }
        self.stmt.raw_execute()?;
        Ok(())
    }
}

/// How many calls there are.
pub fn count_all(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT COUNT(*) FROM calls", [], |r| r.get(0))
}

/// From how many calls a load may set the indexes of `calls` aside.
pub const REINDEX_AT: u64 = 100_000;

/// Whether a load that has `adding` calls to write (or has written them) onto a table of
/// `existing` calls is better off sorting the indexes once at the end ([`drop_indexes`]): when
/// they are many, and at least as many as there were.
pub fn worth_reindexing(adding: u64, existing: i64) -> bool {
    adding >= REINDEX_AT && adding as i64 >= existing
}

/// Drops the indexes of `calls` (not its key) for a load of many calls, and returns the
/// statements that make them again ([`make_indexes`]): writing rows and then sorting each
/// index once is several times faster than keeping every index in step row by row, when the
/// rows are many. Inside the load's transaction, so that nobody ever sees the table without
/// them.
pub fn drop_indexes(conn: &Connection) -> rusqlite::Result<Vec<(String, String)>> {
    let indexes: Vec<(String, String)> = conn
        .prepare(
            "SELECT name, sql FROM sqlite_master
              WHERE type = 'index' AND tbl_name = 'calls' AND sql IS NOT NULL ORDER BY name",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (name, _) in &indexes {
        conn.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
    }
    Ok(indexes)
}

/// Makes again the indexes [`drop_indexes`] dropped.
pub fn make_indexes(conn: &Connection, indexes: &[(String, String)]) -> rusqlite::Result<()> {
    for (_, sql) in indexes {
        conn.execute_batch(sql)?;
    }
    Ok(())
}

/// Sets a call's `uniqueid`.
pub fn set_uniqueid(conn: &Connection, id: i64, uniqueid: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE calls SET uniqueid = ?2 WHERE id = ?1")?
        .execute(rusqlite::params![id, uniqueid])?;
    Ok(())
}

/// Takes a call's price from its user's balance.
pub fn charge(conn: &Connection, user: i64, price: f64) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE users SET balance = balance - ?2 WHERE id = ?1")?
        .execute(rusqlite::params![user, price])?;
    Ok(())
}

/// Every provider with a tariff, by id: (id, `tariff_id`).
pub fn providers(conn: &Connection) -> rusqlite::Result<Vec<(i64, i64)>> {
    conn.prepare_cached(
        "/* lists */ SELECT id, tariff_id FROM providers WHERE tariff_id != 0 ORDER BY id",
    )?
    .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
    .collect()
}

/// A user calls are made up for: (id, first name, last name, username, owner, tariff).
#[derive(Debug, Clone)]
pub struct Caller {
    /// `users.id`.
    pub id: i64,
    /// `first_name` and `last_name`, joined by a blank where both are there.
    pub name: String,
    /// `owner_id`.
    pub owner_id: i64,
    /// `tariff_id`.
    pub tariff_id: i64,
}

/// The users with these ids, or every plain user (`None`), by id.
pub fn callers(conn: &Connection, ids: Option<&[i64]>) -> rusqlite::Result<Vec<Caller>> {
    let mut stmt = conn.prepare_cached(
        "/* lists */ SELECT id, TRIM(COALESCE(first_name, '') || ' ' || COALESCE(last_name, '')),
                COALESCE(owner_id, 0), COALESCE(tariff_id, 0), usertype
           FROM users ORDER BY id",
    )?;
    let all = stmt.query_map([], |r| {
        Ok((
            Caller {
                id: r.get(0)?,
                name: r.get(1)?,
                owner_id: r.get(2)?,
                tariff_id: r.get(3)?,
            },
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in all {
        let (c, usertype) = row?;
        let wanted = match ids {
            Some(ids) => ids.contains(&c.id),
            None => usertype == "user",
        };
        if wanted {
            out.push(c);
        }
    }
    Ok(out)
}
