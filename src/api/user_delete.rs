//! `user_delete`, accounts.md §5: delete a user in the caller's reach that has nothing that
//! must outlive it (DIDs, calls, payments, users of its own, invoices), with its devices,
//! address, tax row and settings, in one transaction.

use super::reach::{self, Access, Targets};
use super::{ApiRequest, Authed, Form, ParamDoc, Write, Written};
use crate::auth::{Role, target_id};
use crate::error::ApiError;
use crate::store::deletion::{self, Blocker};
use crate::store::{balances, queries};
use crate::xml::Doc;
use rusqlite::Connection;

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

/// The parameters, for the API description.
pub fn params() -> Vec<ParamDoc> {
    vec![ParamDoc {
        name: "user_id",
        form: Form::Digits,
        doc: "The user to delete.".into(),
    }]
}

/// A deletion.
pub struct Delete {
    target: Option<i64>,
}

impl Write for Delete {
    fn parse(req: &ApiRequest) -> Result<Delete, ApiError> {
        Ok(Delete {
            target: target_id(&req.params),
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
        let targets = reach::admit(conn, caller, REACH)?;
        let id = self.target.ok_or(ApiError::UserNotFound)?;
        // Oneself and the admin: refused before reach is asked.
        if id == caller.id || id == 0 {
            return Err(ApiError::AccessDenied);
        }
        let facts = queries::target_facts(conn, id)?.ok_or(ApiError::UserNotFound)?;
        reach::check(targets, caller, &facts)?;
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
