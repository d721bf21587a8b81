//! `did_close`, docs/dids.md: close an active DID on a device, as `did_subscription_stop`
//! does, refusing one already closed or on a dial plan.

use crate::api::dids::{self as family, ById, LIFE_PARAMS, LIFE_REACH};
use crate::api::{ApiRequest, Authed, CallSpec, ErrorShape, Run, Write, Written};
use crate::dids::{self, Act, Status};
use crate::error::ApiError;
use rusqlite::Connection;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["did_close"],
    hash_order: hash_order!(LIFE_PARAMS),
    hash_rules: crate::auth::AS_SENT,
    errors: ErrorShape::PageStatus,
    run: Run::write::<Close>(),
    params: || LIFE_PARAMS,
    summary: "Close an active DID on a device; it stays its user's until closed_till",
    reach: LIFE_REACH,
    ..CallSpec::DEFAULT
};

/// Which DID, as sent.
pub struct Close(ById);

impl Write for Close {
    fn parse(req: &ApiRequest) -> Result<Close, ApiError> {
        Ok(Close(ById::of(req)))
    }

    fn apply(
        self,
        conn: &Connection,
        who: &Authed,
        _: Option<String>,
    ) -> Result<Written, ApiError> {
        let did = self.0.reached(conn, &who.caller)?;
        if let Some(e) = dids::refusal(&did.status, &[(Status::Closed, ApiError::DidAlreadyClosed)])
        {
            return Err(e);
        }
        if did.dialplan_id != 0 {
            return Err(ApiError::DidOnDialPlan);
        }
        let Some(Some(to)) = dids::step(Act::Close, &did.status).filter(|_| did.device_id != 0)
        else {
            return Err(ApiError::DidNotOnDevice);
        };
        let id = did.id;
        family::close(conn, who, &did, to, "did_closed", || {
            family::success("DID successfully closed", |d| {
                d.open("did_details").leaf_int("id", id).close();
            })
        })
    }
}
