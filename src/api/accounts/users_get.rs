//! `users_get`, docs/accounts.md: the users in the caller's reach, after the caller proved itself
//! with `p` (its password) or `uniquehash`. Read only.

use crate::api::reach::{self, Access, Targets};
use crate::api::{ApiRequest, Authed, CallSpec, ErrorShape, Form, Param, Proof, Read, Run};
use crate::auth::Role;
use crate::error::ApiError;
use crate::store::ReadCtx;
use crate::store::lists;
use crate::xml::Doc;
use rusqlite::Connection;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["users_get"],
    hash_order: hash_order!(PARAMS),
    errors: ErrorShape::PageStatus,
    proof: Proof::PasswordOrUniquehash("p", "uniquehash"),
    run: Run::read::<UsersGet>(),
    params: || PARAMS,
    summary: "The users in the caller's reach; the caller proves itself with p or uniquehash",
    reach: REACH,
    ..CallSpec::DEFAULT
};

/// Who may list at all (the list itself is [`LISTS`]).
const REACH: reach::Table = &[
    Access::open(Role::Admin, Targets::Anyone),
    Access::open(Role::Reseller, Targets::Owned),
    Access::staff(
        Role::Accountant,
        1,
        ApiError::NotAuthorized,
        Targets::Anyone,
    ),
    Access::staff(Role::Manager, 1, ApiError::NotAuthorized, Targets::Anyone),
    Access::refused(Role::User, ApiError::AccessDenied),
];

/// Which users each role lists.
const LISTS: &[(Role, lists::Whom)] = &[
    (Role::Admin, lists::Whom::AllButAdmin),
    (Role::Reseller, lists::Whom::OwnedNotAccountants),
    (Role::Accountant, lists::Whom::AllButAdminAndStaff),
    (Role::Manager, lists::Whom::AllButAdminAndStaff),
];

/// The parameters besides `hash` and `test` (`u` where it is hashed), hashed ones first in
/// hash order.
const PARAMS: &[Param] = &[
    Param::hashed("u", Form::Text, "The caller's username (hashed first)."),
    Param::hashed(
        "p",
        Form::Text,
        "The caller's password (hashed second, after u); when sent it alone decides.",
    ),
    Param::plain(
        "uniquehash",
        Form::Text,
        "The caller's uniquehash, instead of p (not hashed).",
    ),
];

/// A list request.
pub struct UsersGet;

impl Read for UsersGet {
    fn parse(_req: &ApiRequest) -> Result<UsersGet, ApiError> {
        Ok(UsersGet)
    }

    fn answer(
        self,
        conn: &Connection,
        _ctx: &ReadCtx<'_>,
        who: &Authed,
    ) -> Result<Vec<u8>, ApiError> {
        let caller = &who.caller;
        reach::admit(conn, caller, REACH)?;
        let whom = LISTS
            .iter()
            .find(|(r, _)| *r == caller.role)
            .map(|(_, w)| *w)
            .ok_or(ApiError::AccessDenied)?;
        let assigned_to =
            (caller.role.is_staff() && caller.show_only_assigned_users).then_some(caller.id);
        let mut d = Doc::new();
        d.open("page").open("status").open("users");
        let n = lists::users(conn, whom, caller.id, assigned_to, |row| {
            d.open("user");
            for (name, value) in row {
                d.leaf(name, value);
            }
            d.close();
        })?;
        if n == 0 {
            return Err(ApiError::NoUsersFound);
        }
        d.close().close().close();
        d.finish()
    }
}
