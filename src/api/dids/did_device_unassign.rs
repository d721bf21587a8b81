//! `did_device_unassign` (alias `did_unassign_device`), docs/dids.md: take an active DID off
//! its device; it goes back to its stock, free (a reseller's DID to the reseller's stock).

use crate::api::dids::did_device_assign::STAFF_RIGHTS;
use crate::api::dids::{self as family};
use crate::api::reach::{self, Access, Admit};
use crate::api::{
    ApiRequest, Authed, CallSpec, ErrorShape, Fields, Form, Param, Run, Write, Written,
};
use crate::auth::Role;
use crate::dids::{self, Act};
use crate::error::ApiError;
use crate::store::dids::{self as store, Col};
use rusqlite::Connection;
use rusqlite::types::Value;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["did_device_unassign", "did_unassign_device"],
    hash_order: hash_order!(PARAMS),
    hash_rules: crate::auth::AS_SENT,
    errors: ErrorShape::PageStatus,
    shut_out: &[Role::User],
    run: Run::write::<Unassign>(),
    params: || PARAMS,
    summary: "Take an active DID off its device, back to its stock",
    reach: REACH,
    ..CallSpec::DEFAULT
};

/// As `did_device_assign`: the caller's stock; staff with the three rights.
const REACH: reach::Table = did_reach!(
    Admit::Rights(STAFF_RIGHTS, ApiError::NotAuthorizedDids),
    Access::refused(Role::User, ApiError::AccessDenied)
);

/// The parameters besides `hash` and `test`, hashed ones first in hash order.
const PARAMS: &[Param] = &[
    Param::hashed(
        "device_id",
        Form::Digits,
        "Not used, but hashed when sent (as the vendor does).",
    ),
    Param::hashed("did", Form::Digits, "The DID's number."),
    Param::hashed(
        "did_id",
        Form::Digits,
        "The DID's id, used when `did` is not sent.",
    ),
];

/// Which DID, as sent.
pub struct Unassign {
    by: By,
    test: bool,
}

enum By {
    Number(String),
    Id(Option<i64>),
}

impl Write for Unassign {
    fn parse(req: &ApiRequest) -> Result<Unassign, ApiError> {
        let f = Fields::of(req);
        let by = match f.given("did") {
            Some(n) => By::Number(n.trim().to_string()),
            None => By::Id(f.id("did_id")),
        };
        Ok(Unassign {
            by,
            test: f.flag("test"),
        })
    }

    fn refused() -> ApiError {
        ApiError::DidNotUnassigned
    }

    fn apply(
        self,
        conn: &Connection,
        who: &Authed,
        _: Option<String>,
    ) -> Result<Written, ApiError> {
        let caller = &who.caller;
        reach::admit(conn, caller, REACH)?;
        let did = match self.by {
            By::Number(n) if dids::is_number(&n) => store::by_number(conn, &n)?,
            By::Id(Some(id)) => store::by_id(conn, id)?,
            _ => None,
        }
        .ok_or(ApiError::DidNotFound)?;
        if did.reseller_id != caller.scope() {
            return Err(ApiError::DidNotYoursToFree);
        }
        if let Some(e) = dids::refusal(&did.status, family::DEVICE_STATE_REFUSALS) {
            return Err(e);
        }
        let Some(Some(to)) = dids::step(Act::Unassign, &did.status) else {
            return Err(ApiError::DidAlreadyFree);
        };
        if did.dialplan_id != 0 {
            return Err(ApiError::DidOnDialplan);
        }
        let body = family::success("Device was unassigned from DID", |d| {
            if self.test {
                d.leaf_int("did_id", did.id);
            }
        })?;
        let changes = [
            (Col::DeviceId, Value::Integer(0)),
            (Col::UserId, Value::Integer(0)),
            (Col::Status, Value::Text(to.word().into())),
        ];
        family::apply(conn, who, &did, "did_unassigned", &changes, body)
    }
}
