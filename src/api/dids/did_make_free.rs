//! `did_make_free`, docs/dids.md: a reserved, closed or terminated DID back to a stock, free
//! (as `did_details_update did_user_id=-1` frees it).

use crate::api::dids::{self as family, ById, LIFE_PARAMS, LIFE_REACH};
use crate::api::{ApiRequest, Authed, CallSpec, ErrorShape, Run, Write, Written};
use crate::dids::{self, Act};
use crate::error::ApiError;
use rusqlite::Connection;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["did_make_free"],
    hash_order: hash_order!(LIFE_PARAMS),
    hash_rules: crate::auth::AS_SENT,
    errors: ErrorShape::PageStatus,
    run: Run::write::<MakeFree>(),
    params: || LIFE_PARAMS,
    summary: "A reserved, closed or terminated DID back to a stock, free",
    reach: LIFE_REACH,
    ..CallSpec::DEFAULT
};

/// Which DID, as sent.
pub struct MakeFree(ById);

impl Write for MakeFree {
    fn parse(req: &ApiRequest) -> Result<MakeFree, ApiError> {
        Ok(MakeFree(ById::of(req)))
    }

    fn apply(
        self,
        conn: &Connection,
        who: &Authed,
        _: Option<String>,
    ) -> Result<Written, ApiError> {
        let caller = &who.caller;
        let did = self.0.reached(conn, caller)?;
        let Some(Some(to)) = dids::step(Act::MakeFree, &did.status) else {
            return Err(ApiError::DidNotFreed);
        };
        let body = family::success("DID successfully made available", |_| {})?;
        let changes = family::released(caller, &did, to);
        family::apply(conn, who, &did, "did_made_free", &changes, body)
    }
}
