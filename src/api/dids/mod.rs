//! The DID family: the stock of inbound numbers, giving them to devices and trunks and taking
//! them back, and the rest of their life cycle ([`crate::dids::LIFE`]). `docs/dids.md`
//! describes each call. Every answer, success or error, is `<page><status>…</status></page>`
//! (`dids_get`'s rows aside). A DID belongs to a stock through `reseller_id` (0: the system's),
//! and a caller reaches the DIDs of its scope owner's stock: the admin and staff the system's,
//! a reseller its own.

/// A DID call's reach table: the admin and resellers always (each reaching its own users'
/// devices), accountants and managers when `$staff` (an [`crate::api::reach::Admit`]) lets
/// them in (reaching the system's users' devices), users as the row `$user` says.
macro_rules! did_reach {
    ($staff:expr, $user:expr) => {
        owned_reach!($staff, $crate::api::reach::Targets::OwnedBySystem, $user)
    };
}

pub mod did_close;
pub mod did_create;
pub mod did_details_update;
pub mod did_device_assign;
pub mod did_device_unassign;
pub mod did_make_free;
pub mod did_subscription_stop;
pub mod did_terminate;
pub mod did_trunk_device_assign;
pub mod dids_get;

use crate::api::{Authed, CallSpec, Written};
use crate::auth::{Caller, Role};
use crate::error::ApiError;
use crate::store::dids::{self as store, Col, Did};
use crate::xml::Doc;
use rusqlite::Connection;
use rusqlite::types::Value;

/// The states the device calls refuse before the life cycle's move (any other state they
/// have no move from has the call's own text).
pub const DEVICE_STATE_REFUSALS: &[(crate::dids::Status, ApiError)] =
    &[(crate::dids::Status::Terminated, ApiError::DidTerminated)];

/// The group right the vendor calls "Manage DIDs".
pub const MANAGE_DIDS: &str = "manage_dids_opt_1";

/// The family's rows, in the order the reference lists them.
pub const SPECS: &[CallSpec] = &[
    dids_get::SPEC,
    did_create::SPEC,
    did_device_assign::SPEC,
    did_device_unassign::SPEC,
    did_trunk_device_assign::SPEC,
    did_details_update::SPEC,
    did_subscription_stop::SPEC,
    did_close::SPEC,
    did_make_free::SPEC,
    did_terminate::SPEC,
];

/// A success answer: `text` in `<page><status><success>`, then whatever `more` writes.
pub fn success(text: &str, more: impl FnOnce(&mut Doc)) -> Result<Vec<u8>, ApiError> {
    let mut d = Doc::new();
    d.open("page").open("status").leaf("success", text).close();
    more(&mut d);
    d.close();
    d.finish()
}

/// The request of a life-cycle call (`did_close`, `did_make_free`, `did_terminate`): the DID
/// named by `dids_id`.
pub struct ById(Option<i64>);

impl ById {
    /// The DID the request names.
    pub fn of(req: &crate::api::ApiRequest) -> ById {
        ById(crate::api::Fields::of(req).id("dids_id"))
    }

    /// The caller admitted by [`LIFE_REACH`], then the DID in its reach.
    pub fn reached(&self, conn: &Connection, caller: &Caller) -> Result<Did, ApiError> {
        crate::api::reach::admit(conn, caller, LIFE_REACH)?;
        reached_by_id(conn, caller, self.0)
    }
}

/// The DID with id `id` in the caller's reach (a reseller's: its own stock), or `DID was not
/// found`.
pub fn reached_by_id(conn: &Connection, caller: &Caller, id: Option<i64>) -> Result<Did, ApiError> {
    let did = match id {
        Some(id) => store::by_id(conn, id)?,
        None => None,
    };
    match did {
        Some(d) if caller.role != Role::Reseller || d.reseller_id == caller.id => Ok(d),
        _ => Err(ApiError::DidNotFound),
    }
}

/// A DID's changes with their audit row: `act` names the action, the columns and the row
/// follow; `changed` lists the columns for the journal.
pub fn apply(
    conn: &Connection,
    who: &Authed,
    did: &Did,
    action: &str,
    changes: &[(Col, Value)],
    body: Vec<u8>,
) -> Result<Written, ApiError> {
    store::change(conn, did.id, changes)?;
    // The audit row names the DID's user: the new one, or the one it had.
    let user = changes
        .iter()
        .rev()
        .find_map(|(c, v)| match (c, v) {
            (Col::UserId, Value::Integer(u)) => Some(*u),
            _ => None,
        })
        .unwrap_or(did.user_id);
    let what: Vec<String> = changes
        .iter()
        .map(|(c, v)| format!("{}={}", c.name(), shown(v)))
        .collect();
    store::audit(
        conn,
        &crate::dates::now(),
        who.caller.id,
        user.max(did.user_id),
        action,
        did.id,
        &what.join(" "),
    )?;
    let mut changed: Vec<String> = changes
        .iter()
        .map(|(c, _)| format!("dids.{}", c.name()))
        .collect();
    changed.dedup();
    let changes = changes
        .iter()
        .map(|(c, v)| (format!("dids.{}", c.name()), old(did, *c), Some(shown(v))))
        .collect();
    Ok(Written {
        body,
        changed,
        changes,
    })
}

/// A column's value before the change, where the DID as read holds it.
fn old(did: &Did, col: Col) -> Option<String> {
    match col {
        Col::Status => Some(did.status.clone()),
        Col::UserId => Some(did.user_id.to_string()),
        Col::DeviceId => Some(did.device_id.to_string()),
        Col::ResellerId => Some(did.reseller_id.to_string()),
        Col::DialplanId => Some(did.dialplan_id.to_string()),
        _ => None,
    }
}

/// A value as the audit row and the journal show it.
fn shown(v: &Value) -> String {
    match v {
        Value::Integer(n) => n.to_string(),
        Value::Text(t) => t.clone(),
        Value::Real(r) => r.to_string(),
        Value::Null => "NULL".into(),
        Value::Blob(_) => "…".into(),
    }
}

/// The columns a DID takes when it goes back to a stock ([`crate::dids::Act::Release`],
/// `did_make_free`), in state `to`: no user, device or dial plan; an admin's or staff's caller
/// also returns it to the system's stock (with no reseller's tariff), a reseller keeps it.
pub fn released(caller: &Caller, did: &Did, to: crate::dids::Status) -> Vec<(Col, Value)> {
    let mut c = vec![
        (Col::UserId, Value::Integer(0)),
        (Col::DeviceId, Value::Integer(0)),
        (Col::DialplanId, Value::Integer(0)),
        (Col::Status, Value::Text(to.word().into())),
    ];
    if caller.role != Role::Reseller {
        c.push((Col::ResellerId, Value::Integer(0)));
        if did.reseller_id > 0 {
            c.push((Col::CcTariffId, Value::Integer(0)));
        }
    }
    c
}

/// The time a DID closed now stays its owner's until: now plus `Days_for_did_close` days, in
/// the server's zone.
pub fn closed_till(who: &Authed) -> String {
    let days = who
        .settings
        .system_int(crate::settings::DAYS_FOR_DID_CLOSE, 0)
        .clamp(0, 36_500);
    crate::localtime::local(crate::localtime::now() + days * 86_400)
}

/// Closes `did` (status `to`, `closed_till` from the setting), clears it as its device's
/// primary DID, and answers `body`.
pub fn close(
    conn: &Connection,
    who: &Authed,
    did: &Did,
    to: crate::dids::Status,
    action: &str,
    body: impl FnOnce() -> Result<Vec<u8>, ApiError>,
) -> Result<Written, ApiError> {
    if did.device_id != 0 {
        store::clear_primary(conn, did.device_id, did.id)?;
    }
    let changes = [
        (Col::Status, Value::Text(to.word().into())),
        (Col::ClosedTill, Value::Text(closed_till(who))),
    ];
    apply(conn, who, did, action, &changes, body()?)
}

/// The reach of `did_subscription_stop` and the life-cycle calls: the admin any DID, a
/// reseller its stock, staff with the DID right (read and write) as the admin, users never.
pub const LIFE_REACH: crate::api::reach::Table = did_reach!(
    crate::api::reach::Admit::Right(MANAGE_DIDS, 2, ApiError::NotAuthorizedFunctionality),
    crate::api::reach::Access::refused(Role::User, ApiError::AccessDenied)
);

/// The parameters of `did_close`, `did_make_free` and `did_terminate`.
pub const LIFE_PARAMS: &[crate::api::Param] = &[crate::api::Param::hashed(
    "dids_id",
    crate::api::Form::Digits,
    "The DID's id.",
)];
