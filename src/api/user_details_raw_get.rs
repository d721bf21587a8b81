//! `user_details_raw_get`, NOTES.md section 7: the raw `users` row for an admin, or for an
//! accountant or manager whose group may read users; never the three secret columns.

use super::{ApiRequest, Authed};
use crate::auth::{Role, USER_MANAGE, target_id};
use crate::error::ApiError;
use crate::store::ReadCtx;
use crate::store::queries;
use crate::xml::Doc;
use rusqlite::Connection;

/// Answers one gated request.
pub fn answer(
    conn: &Connection,
    ctx: &ReadCtx<'_>,
    req: &ApiRequest,
    authed: &Authed,
) -> Result<Vec<u8>, ApiError> {
    let caller = &authed.caller;
    match caller.role {
        Role::Admin => {}
        Role::Accountant | Role::Manager => {
            if queries::group_right(conn, caller.acc_group_id, USER_MANAGE)? < 1 {
                return Err(ApiError::NotAuthorized);
            }
        }
        Role::Reseller | Role::User => return Err(ApiError::NotAuthorized),
    }
    let id = target_id(&req.params).ok_or(ApiError::UserNotFound)?;
    if id == caller.id {
        return Err(ApiError::AccessDenied);
    }
    let assigned_only = caller.role.is_staff() && caller.show_only_assigned_users;
    let mut d = Doc::new();
    d.open("page").open("status").open("user");
    let found = queries::raw_user(
        conn,
        ctx.raw_select,
        id,
        |(_, _, responsible)| !assigned_only || responsible == caller.id,
        |name, value| {
            d.leaf(name, value.unwrap_or(""));
        },
    )?;
    if found != Some(true) {
        return Err(ApiError::UserNotFound);
    }
    d.close().close().close();
    d.finish()
}
