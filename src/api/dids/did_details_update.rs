//! `did_details_update`, docs/dids.md: give a DID to a reseller's stock or reserve it for a
//! user, free it (`did_user_id=-1`), set its call limit and grace time. One audit row.

use crate::api::dids::{self as family};
use crate::api::reach::{self, Access, Admit};
use crate::api::{
    ApiRequest, Authed, CallSpec, ErrorShape, Fields, Form, Param, Run, Write, Written,
};
use crate::auth::{DEVICE_MANAGE, Role};
use crate::dids::{self, Act};
use crate::error::ApiError;
use crate::store::dids::Col;
use crate::store::queries;
use rusqlite::Connection;
use rusqlite::types::Value;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["did_details_update"],
    hash_order: hash_order!(PARAMS),
    hash_rules: crate::auth::AS_SENT,
    errors: ErrorShape::PageStatus,
    run: Run::write::<DetailsUpdate>(),
    params: || PARAMS,
    summary: "Give a DID to a reseller or reserve it for a user, free it, set its call limit",
    reach: REACH,
    ..CallSpec::DEFAULT
};

/// The admin: any DID; a reseller: its stock; staff with `device_manage` read and write: as
/// the admin; users: never.
const REACH: reach::Table = did_reach!(
    Admit::Right(DEVICE_MANAGE, 2, ApiError::NotAuthorizedFunctionality),
    Access::refused(Role::User, ApiError::AccessDenied)
);

/// The parameters besides `hash` and `test`, hashed ones first in hash order.
const PARAMS: &[Param] = &[
    Param::hashed("did_id", Form::Digits, "The DID's id."),
    Param::plain(
        "call_limit",
        Form::Count,
        "Simultaneous calls at most (0: unlimited).",
    ),
    Param::plain(
        "did_user_id",
        Form::Int,
        "A reseller: into its stock; another user: reserved for it; -1: free the DID.",
    ),
    Param::plain("grace_time", Form::Count, "Seconds."),
    Param::plain("active_from", Form::Text, "Accepted and ignored."),
    Param::plain("active_till", Form::Text, "Accepted and ignored."),
];

/// A change, as sent.
pub struct DetailsUpdate {
    did: Option<i64>,
    user: Option<String>,
    call_limit: Option<String>,
    grace_time: Option<String>,
}

/// A count sent as digits that fits, else `None`.
fn count(text: &str) -> Option<i64> {
    dids::is_number(text).then(|| text.parse().ok()).flatten()
}

impl Write for DetailsUpdate {
    fn parse(req: &ApiRequest) -> Result<DetailsUpdate, ApiError> {
        let f = Fields::of(req);
        Ok(DetailsUpdate {
            did: f.id("did_id"),
            user: f.given("did_user_id").map(|v| v.trim().to_string()),
            call_limit: f.given("call_limit").map(|v| v.trim().to_string()),
            grace_time: f.given("grace_time").map(|v| v.trim().to_string()),
        })
    }

    fn apply(
        self,
        conn: &Connection,
        who: &Authed,
        _: Option<String>,
    ) -> Result<Written, ApiError> {
        let caller = &who.caller;
        reach::admit(conn, caller, REACH)?;
        let did = family::reached_by_id(conn, caller, self.did)?;
        let mut changes: Vec<(Col, Value)> = Vec::new();
        match self.user.as_deref() {
            None => {}
            Some("-1") => {
                // Every state has this move; a word morbox does not know is freed too.
                let to = dids::step(Act::Release, &did.status)
                    .flatten()
                    .unwrap_or(dids::born());
                changes.extend(family::released(caller, &did, to));
            }
            Some(id) => {
                let user = match count(id) {
                    Some(id) => queries::target_facts(conn, id)?,
                    None => None,
                }
                .filter(|u| caller.role != Role::Reseller || u.owner_id == caller.id)
                .ok_or(ApiError::UserNotFound)?;
                let reseller = user.usertype == "reseller";
                let taken = did.user_id > 0 || did.dialplan_id != 0;
                let same = user.id == did.user_id || (reseller && did.reseller_id == user.id);
                if taken && !same {
                    return Err(ApiError::DidAlreadyAssigned);
                }
                if reseller {
                    if dids::step(Act::ToReseller, &did.status).is_none() {
                        return Err(ApiError::DidAlreadyAssigned);
                    }
                    changes.push((Col::ResellerId, Value::Integer(user.id)));
                } else {
                    let Some(to) = dids::step(Act::Reserve, &did.status) else {
                        return Err(ApiError::DidAlreadyAssigned);
                    };
                    changes.push((Col::UserId, Value::Integer(user.id)));
                    if let Some(to) = to {
                        changes.push((Col::Status, Value::Text(to.word().into())));
                    }
                }
            }
        }
        if let Some(v) = &self.call_limit {
            let n = count(v).ok_or(ApiError::CallLimitFormat)?;
            changes.push((Col::CallLimit, Value::Integer(n)));
        }
        if let Some(v) = &self.grace_time {
            let n = count(v).ok_or(ApiError::GraceTimeFormat)?;
            changes.push((Col::GraceTime, Value::Integer(n)));
        }
        let body = family::success("DID details successfully updated", |_| {})?;
        family::apply(conn, who, &did, "did_edited", &changes, body)
    }
}
