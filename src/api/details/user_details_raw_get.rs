//! `user_details_raw_get`, docs/README.md: the raw `users` row for an admin, or for an
//! accountant or manager whose group may read users; never the three secret columns.

use crate::api::reach::{self, Access, Targets};
use crate::api::{ApiRequest, Authed, CallSpec, ErrorShape, Fields, Form, Param, Read, Run};
use crate::auth::Role;
use crate::error::ApiError;
use crate::store::ReadCtx;
use crate::store::queries;
use crate::xml::{Doc, Leaves};
use rusqlite::Connection;
use std::sync::Arc;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["user_details_raw_get"],
    hash_order: hash_order!(PARAMS),
    errors: ErrorShape::PageStatus,
    run: Run::read::<RawGet>(),
    params: || PARAMS,
    summary: "A user's raw database row, secrets left out",
    reach: REACH,
    ..CallSpec::DEFAULT
};

/// Admin: anyone but itself; staff whose group may read users: the same (assigned users only
/// where so set); resellers and users: not at all.
const REACH: reach::Table = &[
    Access::open(Role::Admin, Targets::AnyoneButSelf),
    Access::staff(
        Role::Accountant,
        1,
        ApiError::NotAuthorized,
        Targets::AnyoneButSelf,
    ),
    Access::staff(
        Role::Manager,
        1,
        ApiError::NotAuthorized,
        Targets::AnyoneButSelf,
    ),
    Access::refused(Role::Reseller, ApiError::NotAuthorized),
    Access::refused(Role::User, ApiError::NotAuthorized),
];

/// The parameters besides `hash` and `test` (`u` where it is hashed), hashed ones first in
/// hash order.
const PARAMS: &[Param] = &[
    Param::hashed("u", Form::Text, "The caller's username (hashed first)."),
    Param::hashed(
        "user_id",
        Form::Digits,
        "ID of the user (all digits; hashed as a plain integer).",
    ),
];

/// The leaves made for a column list, kept with the list (so that it is known by identity).
type LeavesFor = Option<(Arc<[String]>, Leaves)>;

thread_local! {
    /// The columns' leaves, made once per thread for the column list they were made from.
    static RAW_LEAVES: std::cell::RefCell<LeavesFor> = const { std::cell::RefCell::new(None) };
}

/// A request for one user's raw row.
pub struct RawGet {
    /// The target's id, when `user_id` is all digits.
    target: Option<i64>,
}

impl Read for RawGet {
    fn parse(req: &ApiRequest) -> Result<RawGet, ApiError> {
        Ok(RawGet {
            target: Fields::of(req).target(),
        })
    }

    fn answer(
        self,
        conn: &Connection,
        ctx: &ReadCtx<'_>,
        who: &Authed,
    ) -> Result<Vec<u8>, ApiError> {
        let caller = &who.caller;
        let targets = reach::admit(conn, caller, REACH)?;
        let id = self.target.ok_or(ApiError::UserNotFound)?;
        // Its own row is refused before it is read.
        if id == caller.id {
            return Err(ApiError::AccessDenied);
        }
        let keep = ctx.keep();
        // A whole row is about 4.5 KiB of XML: room for it at once (no copy while growing).
        let mut d = Doc::with_capacity(8192);
        d.open("page").open("status").open("user");
        let found = RAW_LEAVES.with(|cell| {
            let mut kept = cell.borrow_mut();
            let columns = &ctx.raw_select.columns;
            let leaves = match &mut *kept {
                Some((made_from, leaves)) if Arc::ptr_eq(made_from, columns) => leaves,
                other => {
                    let leaves = Leaves::new(columns, 3);
                    &mut other.insert((Arc::clone(columns), leaves)).1
                }
            };
            // The values come in the columns' order, the leaves' order.
            let mut run = d.leaves(leaves);
            queries::raw_user(
                conn,
                keep,
                ctx.raw_select,
                id,
                |facts| reach::check(targets, caller, facts),
                |_name, value| run.push(value.unwrap_or("")),
            )
        })?;
        found.ok_or(ApiError::UserNotFound)??;
        d.close().close().close();
        d.finish()
    }
}
