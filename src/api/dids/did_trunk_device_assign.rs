//! `did_trunk_device_assign`, docs/dids.md: `did_device_assign` for trunk devices (the device
//! must be a trunk; a reseller needs `Resellers_Allow_Assign_DID_To_Trunk`).

use crate::api::dids::did_device_assign::{Assign, PARAMS, REACH};
use crate::api::{ApiRequest, Authed, CallSpec, ErrorShape, Run, Write, Written};
use crate::auth::Role;
use crate::error::ApiError;
use rusqlite::Connection;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["did_trunk_device_assign"],
    hash_order: hash_order!(PARAMS),
    hash_rules: crate::auth::AS_SENT,
    errors: ErrorShape::PageStatus,
    shut_out: &[Role::User],
    run: Run::write::<TrunkAssign>(),
    params: || PARAMS,
    summary: "Give a free (or reserved) DID of the caller's stock to a trunk device in reach",
    reach: REACH,
    ..CallSpec::DEFAULT
};

/// An assignment to a trunk, as sent.
pub struct TrunkAssign(Assign);

impl Write for TrunkAssign {
    fn parse(req: &ApiRequest) -> Result<TrunkAssign, ApiError> {
        Ok(TrunkAssign(Assign::of(req)))
    }

    fn apply(
        self,
        conn: &Connection,
        who: &Authed,
        _: Option<String>,
    ) -> Result<Written, ApiError> {
        self.0.run(conn, who, true)
    }
}
