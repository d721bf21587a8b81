//! `device_details_get`, docs/devices.md: one device in reach, by id or by its username, with
//! every column in the vendor table's order (the secret included) and empty codecs. Read only.

use crate::api::devices::{self as family, Found};
use crate::api::reach::{self, Access, Admit};
use crate::api::{ApiRequest, Authed, CallSpec, ErrorShape, Fields, Form, Param, Read, Run};
use crate::auth::{DEVICE_MANAGE, Role, USER_MANAGE};
use crate::error::ApiError;
use crate::store::ReadCtx;
use crate::store::devices as store;
use crate::xml::Doc;
use rusqlite::Connection;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["device_details_get"],
    hash_order: hash_order!(PARAMS),
    errors: ErrorShape::Bare,
    run: Run::read::<DetailsGet>(),
    params: || PARAMS,
    summary: "One device in reach, by id or username: every column, the secret included",
    reach: REACH,
    ..CallSpec::DEFAULT
};

/// The rights staff need: devices and users, both read.
const STAFF_RIGHTS: &[(&str, i64)] = &[(DEVICE_MANAGE, 1), (USER_MANAGE, 1)];

/// The admin: the system's users' devices; a reseller: its users'; staff with both rights:
/// the system's users' but admins'; users: never.
const REACH: reach::Table = device_reach!(
    Admit::Rights(STAFF_RIGHTS, ApiError::NotAuthorized),
    Access::refused(Role::User, ApiError::NotAuthorized)
);

/// The parameters besides `hash` and `test`, hashed ones first in hash order.
const PARAMS: &[Param] = &[
    Param::hashed("device_id", Form::Digits, "The device."),
    Param::hashed(
        "device_u",
        Form::Text,
        "The device's username, when device_id is not sent (the lowest id of several).",
    ),
];

/// Which device.
pub struct DetailsGet {
    by: By,
}

enum By {
    Id(Option<i64>),
    Username(String),
    Nothing,
}

impl Read for DetailsGet {
    fn parse(req: &ApiRequest) -> Result<DetailsGet, ApiError> {
        let f = Fields::of(req);
        let by = match (f.given("device_id"), f.given("device_u")) {
            (Some(_), _) => By::Id(f.id("device_id")),
            (None, Some(u)) => By::Username(u),
            (None, None) => By::Nothing,
        };
        Ok(DetailsGet { by })
    }

    fn answer(
        self,
        conn: &Connection,
        _ctx: &ReadCtx<'_>,
        who: &Authed,
    ) -> Result<Vec<u8>, ApiError> {
        let caller = &who.caller;
        let targets = reach::admit(conn, caller, REACH)?;
        let device = match &self.by {
            By::Id(id) => family::by_id(conn, *id)?,
            By::Username(u) => store::by_username(conn, u)?,
            By::Nothing => None,
        };
        let Found::Reached(device) = family::reach_of(conn, caller, targets, device)? else {
            return Err(ApiError::DeviceNotFound);
        };
        let mut d = Doc::new();
        d.open("page");
        let found = store::details(conn, device.id, |name, value| {
            d.leaf(name, value.unwrap_or(""));
        })?;
        if !found {
            return Err(ApiError::DeviceNotFound);
        }
        d.open("codecs")
            .leaf("audio_codecs", "")
            .leaf("video_codecs", "")
            .close()
            .close();
        d.finish()
    }
}
