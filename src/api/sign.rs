//! Who signs a request of a call, and with which key — as the server finds them (the call
//! row's identity): for `morbox hash` and the inspector's hash workbench.

use super::{Call, Identity};
use crate::auth::{Caller, Role};
use crate::params::Params;
use crate::settings::API_SECRET_KEY;
use crate::store::queries::{self, CallerRow};
use rusqlite::Connection;

/// The key a request is signed with, and whose it is, in words.
#[derive(Debug, Clone)]
pub struct SigningKey {
    /// The key.
    pub key: String,
    /// Whose: "the system", "reseller 2", …
    pub scope: String,
}

/// The user whose scope's key signs a request of `call`, found as the server finds it (the
/// call table's identity column).
pub fn signer(conn: &Connection, call: Call, params: &Params) -> Result<CallerRow, String> {
    if !call.gates.hash {
        return Err(format!("{} checks no hash", call.name()));
    }
    let (param, found) = match call.identity {
        Identity::Caller | Identity::Login(_) => {
            let u = params
                .get("u")
                .ok_or("u=… is needed to find the caller's key (or pass --key)")?;
            ("u", queries::caller_by_username(conn, u).map_err(db)?)
        }
        Identity::Username(p) => {
            let name = params
                .get(p)
                .ok_or_else(|| format!("{p}=… is needed: its user's key signs (or pass --key)"))?;
            (p, queries::caller_by_username(conn, name).map_err(db)?)
        }
        Identity::Uniquehash(p) => {
            let h = params.get(p).ok_or_else(|| format!("{p}=… is needed"))?;
            (p, queries::caller_by_uniquehash(conn, h).map_err(db)?)
        }
        Identity::Owner(p) => match params.get(p) {
            Some(h) => (p, queries::caller_by_uniquehash(conn, h).map_err(db)?),
            None => (p, queries::caller_by_id(conn, 0).map_err(db)?),
        },
    };
    found.ok_or_else(|| {
        format!(
            "no user matches {param}={}",
            params.get(param).unwrap_or("")
        )
    })
}

fn db(e: rusqlite::Error) -> String {
    e.to_string()
}

/// The key of the signer's scope (a reseller without one signs with the system's).
pub fn signing_key(conn: &Connection, call: Call, params: &Params) -> Result<SigningKey, String> {
    let caller = Caller::from(signer(conn, call, params)?);
    let settings = queries::settings(conn, caller.scope()).map_err(|e| e.to_string())?;
    let mut key = settings.scoped(API_SECRET_KEY).to_string();
    let mut scope = crate::auth::scope_name(caller.scope());
    if key.is_empty() && caller.role == Role::Reseller {
        key = settings.system(API_SECRET_KEY).to_string();
        scope = "the system (this reseller has no key of its own)".into();
    }
    if key.is_empty() {
        return Err(format!(
            "{scope} has no API_Secret_Key: the server answers `API must have Secret Key`"
        ));
    }
    Ok(SigningKey { key, scope })
}
