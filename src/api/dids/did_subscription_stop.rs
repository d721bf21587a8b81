//! `did_subscription_stop`, docs/dids.md: close an active DID on a device (or refresh a
//! closed one's `closed_till`); it stays its user's until then, and stops being its device's
//! primary DID.

use crate::api::dids::{self as family, LIFE_REACH};
use crate::api::reach;
use crate::api::{
    ApiRequest, Authed, CallSpec, ErrorShape, Fields, Form, Param, Run, Write, Written,
};
use crate::dids::{self, Act};
use crate::error::ApiError;
use rusqlite::Connection;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["did_subscription_stop"],
    hash_order: hash_order!(PARAMS),
    hash_rules: crate::auth::DID_ID_FOR_DIDS_ID,
    errors: ErrorShape::PageStatus,
    run: Run::write::<Stop>(),
    params: || PARAMS,
    summary: "Close an active DID (its subscription stops); it stays its user's until closed_till",
    reach: LIFE_REACH,
    ..CallSpec::DEFAULT
};

/// The parameters besides `hash` and `test`, hashed ones first in hash order.
const PARAMS: &[Param] = &[
    Param::hashed("dids_id", Form::Digits, "The DID's id."),
    Param::hashed(
        "did_id",
        Form::Digits,
        "The DID's id, when `dids_id` is not sent (hashed only then).",
    ),
];

/// Which DID, as sent.
pub struct Stop {
    did: Option<i64>,
}

impl Write for Stop {
    fn parse(req: &ApiRequest) -> Result<Stop, ApiError> {
        let f = Fields::of(req);
        let did = match f.given("dids_id") {
            Some(_) => f.id("dids_id"),
            None => f.id("did_id"),
        };
        Ok(Stop { did })
    }

    fn refused() -> ApiError {
        ApiError::DidNotSaved
    }

    fn apply(
        self,
        conn: &Connection,
        who: &Authed,
        _: Option<String>,
    ) -> Result<Written, ApiError> {
        let caller = &who.caller;
        reach::admit(conn, caller, LIFE_REACH)?;
        let did = family::reached_by_id(conn, caller, self.did)?;
        let on_device = !dids::is(&did.status, dids::Status::Active) || did.dialplan_id == 0;
        let Some(Some(to)) = dids::step(Act::StopSubscription, &did.status).filter(|_| on_device)
        else {
            return Err(ApiError::DidNotOnDevice);
        };
        family::close(conn, who, &did, to, "did_subscription_stopped", || {
            family::success("DID was successfully closed", |_| {})
        })
    }
}
