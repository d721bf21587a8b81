//! `did_device_assign` (alias `did_assign_device`), docs/dids.md: give a free DID of the
//! caller's stock (or one reserved for the device's user) to a device in reach; the DID becomes
//! active for the device's user. `did_trunk_device_assign` runs the same steps for trunks.

use crate::api::dids::{self as family, MANAGE_DIDS};
use crate::api::reach::{self, Access, Admit, Targets};
use crate::api::{
    ApiRequest, Authed, CallSpec, ErrorShape, Fields, Form, Param, Run, Write, Written,
};
use crate::auth::{DEVICE_MANAGE, Role, USER_MANAGE};
use crate::dids::{self, Act, Status};
use crate::error::ApiError;
use crate::settings::RESELLERS_DIDS_TO_TRUNKS;
use crate::store::dids::{self as store, Col};
use crate::store::queries;
use rusqlite::Connection;
use rusqlite::types::Value;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["did_device_assign", "did_assign_device"],
    hash_order: hash_order!(PARAMS),
    hash_rules: crate::auth::AS_SENT,
    errors: ErrorShape::PageStatus,
    shut_out: &[Role::User],
    run: Run::write::<Assign>(),
    params: || PARAMS,
    summary: "Give a free (or reserved) DID of the caller's stock to a device in reach",
    reach: REACH,
    ..CallSpec::DEFAULT
};

/// The rights staff need for the assign calls: devices, DIDs (read and write) and users.
pub const STAFF_RIGHTS: &[(&str, i64)] = &[(DEVICE_MANAGE, 1), (MANAGE_DIDS, 2), (USER_MANAGE, 1)];

/// The admin: the system's DIDs to the system's users' devices; a reseller: its stock to its
/// users' devices; staff with the three rights: as the admin; users: never. The device's reach
/// is checked before the right.
pub const REACH: reach::Table = did_reach!(
    Admit::Rights(STAFF_RIGHTS, ApiError::NotAuthorizedDids),
    Access::refused(Role::User, ApiError::AccessDenied)
);

/// The parameters besides `hash` and `test`, hashed ones first in hash order.
pub const PARAMS: &[Param] = &[
    Param::hashed("device_id", Form::Digits, "The device."),
    Param::hashed("did", Form::Digits, "The DID's number."),
];

/// An assignment, as sent.
pub struct Assign {
    device: Option<i64>,
    did: String,
    test: bool,
}

impl Assign {
    /// The request's device and number.
    pub fn of(req: &ApiRequest) -> Assign {
        let f = Fields::of(req);
        Assign {
            device: f.id("device_id"),
            did: f.trimmed("did"),
            test: f.flag("test"),
        }
    }

    /// Every rule, then the change: `trunk` for `did_trunk_device_assign` (the device must be
    /// a trunk; a reseller's refusal in that call's words).
    pub fn run(self, conn: &Connection, who: &Authed, trunk: bool) -> Result<Written, ApiError> {
        let caller = &who.caller;
        let scope = caller.scope();
        let device = match self.device {
            Some(id) => store::device(conn, id)?,
            None => None,
        }
        .ok_or(ApiError::DeviceNotFound)?;
        let targets = reach::targets_of(REACH, caller).unwrap_or(Targets::Nobody);
        let reached = queries::target_facts(conn, device.user_id)?
            .is_some_and(|user| reach::check(targets, caller, &user).is_ok());
        if !reached {
            return Err(ApiError::DeviceNotYours);
        }
        if trunk && !device.trunk {
            return Err(ApiError::NotATrunk);
        }
        reach::admit(conn, caller, REACH)?;
        let did = if dids::is_number(&self.did) {
            store::by_number(conn, &self.did)?
        } else {
            None
        }
        .ok_or(ApiError::DidNotFound)?;
        if did.reseller_id != scope {
            return Err(ApiError::DidNotYours);
        }
        if let Some(e) = dids::refusal(&did.status, family::DEVICE_STATE_REFUSALS) {
            return Err(e);
        }
        let for_this_user =
            !dids::is(&did.status, Status::Reserved) || did.user_id == device.user_id;
        let Some(Some(to)) =
            dids::step(Act::Assign, &did.status).filter(|_| for_this_user && did.dialplan_id == 0)
        else {
            return Err(ApiError::DidNotFree);
        };
        if caller.role == Role::Reseller
            && device.trunk
            && !who.settings.system_on(RESELLERS_DIDS_TO_TRUNKS)
        {
            return Err(if trunk {
                ApiError::DidNotForTrunk
            } else {
                ApiError::DeviceNotAssigned
            });
        }
        let body = family::success("Device assigned to DID", |d| {
            if self.test {
                d.leaf_int("did_id", did.id)
                    .leaf_int("device_id", device.id);
            }
        })?;
        let changes = [
            (Col::DeviceId, Value::Integer(device.id)),
            (Col::Status, Value::Text(to.word().into())),
            (Col::UserId, Value::Integer(device.user_id)),
        ];
        family::apply(conn, who, &did, "did_assigned", &changes, body)
    }
}

impl Write for Assign {
    fn parse(req: &ApiRequest) -> Result<Assign, ApiError> {
        Ok(Assign::of(req))
    }

    fn apply(
        self,
        conn: &Connection,
        who: &Authed,
        _: Option<String>,
    ) -> Result<Written, ApiError> {
        self.run(conn, who, false)
    }
}
