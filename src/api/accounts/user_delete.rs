//! `user_delete`, docs/accounts.md: delete a user in the caller's reach that has nothing that
//! must outlive it (DIDs, calls, payments, users of its own, invoices), with its devices,
//! address, tax row and settings, in one transaction.

use crate::api::reach::{self, Access, Targets};
use crate::api::{ApiRequest, Authed, CallSpec, Fields, Form, Param, Run, Write, Written};
use crate::auth::Role;
use crate::error::ApiError;
use crate::store::balances;
use crate::store::deletion::{self, Blocker};
use crate::xml::Doc;
use rusqlite::Connection;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["user_delete"],
    hash_order: hash_order!(PARAMS),
    run: Run::write::<Delete>(),
    params: || PARAMS,
    summary: "Delete a user in reach that has no DIDs, calls, payments, users or invoices",
    reach: REACH,
    ..CallSpec::DEFAULT
};

/// Admin: the system's users; reseller: its own; staff that may write users: the system's
/// customers and resellers (assigned ones only where so set); users: never.
const REACH: reach::Table = &[
    Access::open(Role::Admin, Targets::Owned),
    Access::open(Role::Reseller, Targets::Owned),
    Access::staff(
        Role::Accountant,
        2,
        ApiError::NoEditingPermission,
        Targets::SystemCustomers,
    ),
    Access::staff(
        Role::Manager,
        2,
        ApiError::NoEditingPermission,
        Targets::SystemCustomers,
    ),
    Access::refused(Role::User, ApiError::AccessDenied),
];

/// The refusals' texts, in their order.
const REFUSALS: &[(Blocker, ApiError)] = &[
    (Blocker::Dids, ApiError::DeleteHasDids),
    (Blocker::Calls, ApiError::DeleteHasCalls),
    (Blocker::Payments, ApiError::DeleteHasPayments),
    (
        Blocker::ResellerWithUsers,
        ApiError::DeleteResellerWithUsers,
    ),
    (
        Blocker::AccountantWithUsers,
        ApiError::DeleteAccountantWithUsers,
    ),
    (Blocker::Invoices, ApiError::DeleteHasInvoices),
];

/// The parameters besides `hash` and `test` (`u` where it is hashed), hashed ones first in
/// hash order.
const PARAMS: &[Param] = &[Param::hashed(
    "user_id",
    Form::Digits,
    "The user to delete.",
)];

/// A deletion.
pub struct Delete {
    target: Option<i64>,
}

impl Write for Delete {
    fn parse(req: &ApiRequest) -> Result<Delete, ApiError> {
        Ok(Delete {
            target: Fields::of(req).target(),
        })
    }

    fn refused() -> ApiError {
        ApiError::UserNotDeleted
    }

    fn apply(
        self,
        conn: &Connection,
        who: &Authed,
        _password_hash: Option<String>,
    ) -> Result<Written, ApiError> {
        let caller = &who.caller;
        // Oneself and the admin: refused before the target is read.
        let own_or_admin = |id| (id == caller.id || id == 0).then_some(ApiError::AccessDenied);
        let facts = reach::target_facts(
            conn,
            caller,
            REACH,
            self.target,
            ApiError::UserNotFound,
            own_or_admin,
        )?;
        let id = facts.id;
        if let Some(b) = deletion::blocker(conn, id)? {
            let e = REFUSALS
                .iter()
                .find(|(x, _)| *x == b)
                .map(|(_, e)| e.clone());
            return Err(e.unwrap_or(ApiError::Internal));
        }
        let username = balances::of(conn, id)?
            .map(|u| u.username)
            .unwrap_or_default();
        deletion::delete(conn, &crate::dates::now(), caller.id, id, &username)?;
        let mut d = Doc::new();
        d.open("page").leaf("status", "User deleted").close();
        Ok(Written {
            body: d.finish()?,
            changed: vec!["users.id".into()],
            changes: Vec::new(),
        })
    }
}
