//! `devices_get` (alias `device_list`), docs/devices.md: a user's devices in the wiki's shape,
//! hidden ones unless `show_hidden_devices=0`. Read only.

use crate::api::reach::{self, Access, Admit, Targets};
use crate::api::{ApiRequest, Authed, CallSpec, Fields, Form, Param, Read, Run};
use crate::auth::{DEVICE_MANAGE, Role};
use crate::error::ApiError;
use crate::store::devices as store;
use crate::store::{ReadCtx, queries};
use crate::xml::Doc;
use rusqlite::Connection;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["devices_get", "device_list"],
    hash_order: hash_order!(PARAMS),
    unknown: |_| ApiError::BadLogin,
    run: Run::read::<DevicesGet>(),
    params: || PARAMS,
    summary: "A user's devices: type, group, primary, username, secret, address and port",
    reach: REACH,
    ..CallSpec::DEFAULT
};

/// The admin: the system's users; a reseller: its users; staff with `device_manage` read:
/// the system's users but admins; users: nobody (`Access Denied` for any existing user).
const REACH: reach::Table = device_reach!(
    Admit::Right(DEVICE_MANAGE, 1, ApiError::NotAuthorized),
    Access::open(Role::User, Targets::Nobody)
);

/// The parameters besides `hash` and `test`, hashed ones first in hash order.
const PARAMS: &[Param] = &[
    Param::hashed("user_id", Form::Digits, "The user whose devices to list."),
    Param::plain(
        "show_hidden_devices",
        Form::Flag,
        "0: leave out hidden devices (default 1: list them).",
    ),
];

/// A list request.
pub struct DevicesGet {
    /// `user_id`: `None` when not sent or empty; `Some(None)` when it names nobody it could.
    user: Option<Option<i64>>,
    hidden: bool,
}

impl Read for DevicesGet {
    fn parse(req: &ApiRequest) -> Result<DevicesGet, ApiError> {
        let f = Fields::of(req);
        Ok(DevicesGet {
            user: f.given("user_id").map(|_| f.target()),
            hidden: f.text("show_hidden_devices").trim() != "0",
        })
    }

    fn answer(
        self,
        conn: &Connection,
        _ctx: &ReadCtx<'_>,
        who: &Authed,
    ) -> Result<Vec<u8>, ApiError> {
        let caller = &who.caller;
        let targets = reach::admit(conn, caller, REACH)?;
        let target = match self.user {
            Some(Some(id)) => queries::target_facts(conn, id)?,
            Some(None) => None,
            None => return Err(ApiError::UserIdEmpty),
        };
        let Some(target) = target else {
            return Err(ApiError::UserNotFoundShort);
        };
        reach::check(targets, caller, &target).map_err(|_| ApiError::AccessDenied)?;
        let mut d = Doc::new();
        d.open("page").open("devices");
        let n = store::of_user(conn, target.id, self.hidden, |dev| {
            d.open("device")
                .leaf_int("device_id", dev.id)
                .leaf("device_type", &dev.device_type)
                .leaf(
                    "devicegroup_id",
                    &dev.devicegroup_id
                        .map(|g| g.to_string())
                        .unwrap_or_default(),
                )
                .leaf("primary_device", if dev.primary { "yes" } else { "no" })
                .leaf("username", &dev.username)
                .leaf("secret", &dev.secret)
                .leaf("ipaddr", &dev.ipaddr)
                .leaf_int("port", dev.port)
                .close();
        })?;
        if n == 0 {
            return Err(ApiError::NoDevices);
        }
        d.close().close();
        d.finish()
    }
}
