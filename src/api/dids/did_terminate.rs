//! `did_terminate`, docs/dids.md: retire a free DID of the system's stock or a closed one;
//! it is nobody's after.

use crate::api::dids::{self as family, ById, LIFE_PARAMS, LIFE_REACH};
use crate::api::{ApiRequest, Authed, CallSpec, ErrorShape, Run, Write, Written};
use crate::dids::{self, Act, Status};
use crate::error::ApiError;
use crate::store::dids::Col;
use rusqlite::Connection;
use rusqlite::types::Value;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["did_terminate"],
    hash_order: hash_order!(LIFE_PARAMS),
    hash_rules: crate::auth::AS_SENT,
    errors: ErrorShape::PageStatus,
    run: Run::write::<Terminate>(),
    params: || LIFE_PARAMS,
    summary: "Retire a free DID of the system's stock, or a closed one",
    reach: LIFE_REACH,
    ..CallSpec::DEFAULT
};

/// Which DID, as sent.
pub struct Terminate(ById);

impl Write for Terminate {
    fn parse(req: &ApiRequest) -> Result<Terminate, ApiError> {
        Ok(Terminate(ById::of(req)))
    }

    fn apply(
        self,
        conn: &Connection,
        who: &Authed,
        _: Option<String>,
    ) -> Result<Written, ApiError> {
        let did = self.0.reached(conn, &who.caller)?;
        let Some(Some(to)) = dids::step(Act::Terminate, &did.status) else {
            return Err(ApiError::DidNotTerminable);
        };
        if dids::is(&did.status, Status::Free) && did.reseller_id != 0 {
            return Err(ApiError::DidNotTerminated);
        }
        let body = family::success("DID successfully terminated", |_| {})?;
        let changes = [
            (Col::UserId, Value::Integer(0)),
            (Col::DeviceId, Value::Integer(0)),
            (Col::ResellerId, Value::Integer(0)),
            (Col::Status, Value::Text(to.word().into())),
        ];
        family::apply(conn, who, &did, "did_terminated", &changes, body)
    }
}
