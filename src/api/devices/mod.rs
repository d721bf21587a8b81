//! The devices family: creating, changing, deleting, listing and reading a user's devices.
//! `docs/devices.md` describes each call. Who reaches whose devices is one rule for the five
//! calls (the vendor's): the admin reaches the system's users (itself included), a reseller its
//! own users, an accountant or manager the system's users but admins (with the right its call
//! names), a user nobody; each call's table says it with its own texts.

/// A device call's reach table, the family's one rule: the admin and resellers reach the users
/// they own (for the admin, the system's, itself included), accountants and managers the
/// system's users but admins when `$staff` (an [`crate::api::reach::Admit`]) lets them in,
/// users as the row `$user` says.
macro_rules! device_reach {
    ($staff:expr, $user:expr) => {
        owned_reach!($staff, $crate::api::reach::Targets::SystemButAdmins, $user)
    };
}

pub mod device_create;
pub mod device_delete;
pub mod device_details_get;
pub mod device_update;
pub mod devices_get;

use crate::api::CallSpec;
use crate::api::reach::{self, Targets};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::store::devices::{self, Device};
use crate::store::queries;
use rusqlite::Connection;

/// The family's rows, in the order the reference lists them.
pub const SPECS: &[CallSpec] = &[
    device_create::SPEC,
    device_update::SPEC,
    device_delete::SPEC,
    devices_get::SPEC,
    device_details_get::SPEC,
];

/// What a device id found.
pub enum Found {
    /// No device has it.
    Missing,
    /// The device, whose user no longer exists.
    Orphan(Device),
    /// The device, of a user out of the caller's reach.
    Unreached(Device),
    /// The device, of a user in reach.
    Reached(Device),
}

/// The device `device` (already read, or `None`) with its user held against `targets`.
pub fn reach_of(
    conn: &Connection,
    caller: &Caller,
    targets: Targets,
    device: Option<Device>,
) -> Result<Found, ApiError> {
    let Some(device) = device else {
        return Ok(Found::Missing);
    };
    let Some(user) = queries::target_facts(conn, device.user_id)? else {
        return Ok(Found::Orphan(device));
    };
    Ok(match reach::check(targets, caller, &user) {
        Ok(()) => Found::Reached(device),
        Err(_) => Found::Unreached(device),
    })
}

/// The device with id `id`, if any.
pub fn by_id(conn: &Connection, id: Option<i64>) -> Result<Option<Device>, ApiError> {
    Ok(match id {
        Some(id) => devices::by_id(conn, id)?,
        None => None,
    })
}
