//! `device_delete` (alias `device_destroy`), docs/devices.md: delete a device in reach that no
//! other device forwards to and that has made no calls, with its caller ids; DIDs on it are
//! released and a user's primary device pointing at it cleared, in one transaction.

use crate::api::devices::{self as family, Found};
use crate::api::reach::{self, Access, Admit, Targets};
use crate::api::{ApiRequest, Authed, CallSpec, Fields, Form, Param, Run, Write, Written};
use crate::auth::{DEVICE_MANAGE, Role};
use crate::error::ApiError;
use crate::store::devices::{self as store, Blocker};
use crate::xml::Doc;
use rusqlite::Connection;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["device_delete", "device_destroy"],
    hash_order: hash_order!(PARAMS),
    hash_rules: crate::auth::DEVICE_DIGITS,
    unknown: |_| ApiError::BadLogin,
    run: Run::write::<Delete>(),
    params: || PARAMS,
    summary: "Delete a device in reach that has no calls and no forwards to it",
    reach: REACH,
    ..CallSpec::DEFAULT
};

/// The admin: the system's users' devices; a reseller: its users'; staff: the system's users'
/// but admins', then only with `device_manage` read/write (our choice: the vendor compares
/// with 1); users: none. Reach is checked before the right.
const REACH: reach::Table = device_reach!(
    Admit::Right(DEVICE_MANAGE, 2, ApiError::NoRightsToEdit),
    Access::open(Role::User, Targets::Nobody)
);

/// The refusals' texts, in their order.
const REFUSALS: &[(Blocker, ApiError)] = &[
    (Blocker::Forwards, ApiError::DeviceHasForwards),
    (Blocker::Calls, ApiError::DeviceHasCalls),
];

/// The parameters besides `hash` and `test`, hashed ones first in hash order.
const PARAMS: &[Param] = &[Param::hashed(
    "device",
    Form::Digits,
    "The device to delete.",
)];

/// A deletion.
pub struct Delete {
    device: Option<i64>,
}

impl Write for Delete {
    fn parse(req: &ApiRequest) -> Result<Delete, ApiError> {
        Ok(Delete {
            device: Fields::of(req).id("device"),
        })
    }

    fn refused() -> ApiError {
        ApiError::DeviceNotDeleted
    }

    fn apply(
        self,
        conn: &Connection,
        who: &Authed,
        _password_hash: Option<String>,
    ) -> Result<Written, ApiError> {
        let caller = &who.caller;
        let targets = reach::targets_of(REACH, caller).unwrap_or(Targets::Nobody);
        let device =
            match family::reach_of(conn, caller, targets, family::by_id(conn, self.device)?)? {
                Found::Missing => return Err(ApiError::DeviceNotFound),
                Found::Orphan(_) => return Err(ApiError::UserNotFound),
                Found::Unreached(_) => return Err(ApiError::AccessDenied),
                Found::Reached(device) => device,
            };
        reach::admit(conn, caller, REACH)?;
        if let Some(b) = store::blocker(conn, device.id)? {
            let e = REFUSALS
                .iter()
                .find(|(x, _)| *x == b)
                .map(|(_, e)| e.clone());
            return Err(e.unwrap_or(ApiError::Internal));
        }
        store::delete(conn, device.id)?;
        let mut d = Doc::new();
        d.open("page").leaf("status", "Device was deleted").close();
        Ok(Written {
            body: d.finish()?,
            changed: vec!["devices.id".into()],
            changes: Vec::new(),
        })
    }
}
