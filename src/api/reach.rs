//! Who may reach whom: each call has one table, role → (what admits it, which targets), and
//! two functions read every table: [`admit`] before the target is looked up, [`check`] after.
//! Accountants and managers whose `show_only_assigned_users` is 1 reach only the users whose
//! responsible accountant they are, wherever their table lets them reach others.

use crate::auth::{Caller, Role, USER_MANAGE};
use crate::error::ApiError;
use crate::store::queries::{self, TargetFacts};
use rusqlite::Connection;

/// What lets a role use a call at all.
#[derive(Debug, Clone)]
pub enum Admit {
    /// Always.
    Open,
    /// Never: this error.
    Refused(ApiError),
    /// When its permission group grants `right` at least `min` (1 read, 2 read/write); else
    /// this error.
    Right(&'static str, i64, ApiError),
}

/// Which users a role reaches; any other target is `User was not found`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Targets {
    /// Every user.
    Anyone,
    /// Every user but itself (itself: `Access Denied`).
    AnyoneButSelf,
    /// Itself and the users it owns.
    ItselfAndOwned,
    /// Only itself.
    Itself,
    /// The system's users (owner 0) but admins and itself.
    SystemUsers,
    /// The users it owns (`owner_id` = its id; for the admin, id 0, itself included).
    Owned,
    /// The system's users (`owner_id` 0), whoever asks.
    OwnedBySystem,
    /// The system's users but staff and admins (resellers and customers), not itself.
    SystemCustomers,
}

/// One row of a call's table.
#[derive(Debug, Clone)]
pub struct Access {
    /// The caller's role.
    pub role: Role,
    /// What admits it.
    pub admit: Admit,
    /// Whom it reaches.
    pub targets: Targets,
}

/// A call's table: one row per role.
pub type Table = &'static [Access];

/// The rules of the caller's role: admitted, or the error; then whom it reaches.
pub fn admit(conn: &Connection, caller: &Caller, table: Table) -> Result<Targets, ApiError> {
    let Some(row) = table.iter().find(|a| a.role == caller.role) else {
        return Err(ApiError::AccessDenied);
    };
    match &row.admit {
        Admit::Open => {}
        Admit::Refused(e) => return Err(e.clone()),
        Admit::Right(right, min, e) => {
            if queries::group_right(conn, caller.acc_group_id, right)? < *min {
                return Err(e.clone());
            }
        }
    }
    Ok(row.targets)
}

/// Whether `target` is in reach.
pub fn check(targets: Targets, caller: &Caller, target: &TargetFacts) -> Result<(), ApiError> {
    let own = target.id == caller.id;
    let assigned = !(caller.role.is_staff() && caller.show_only_assigned_users)
        || target.responsible == caller.id;
    let reached = match targets {
        Targets::Anyone => true,
        Targets::AnyoneButSelf if own => return Err(ApiError::AccessDenied),
        Targets::AnyoneButSelf => assigned,
        Targets::ItselfAndOwned => own || target.owner_id == caller.id,
        Targets::Itself => own,
        Targets::Owned => target.owner_id == caller.id,
        Targets::OwnedBySystem => target.owner_id == 0,
        Targets::SystemCustomers => {
            target.owner_id == 0
                && !matches!(target.usertype.as_str(), "admin" | "accountant" | "manager")
                && target.id != 0
                && !own
                && assigned
        }
        Targets::SystemUsers => {
            target.owner_id == 0 && target.usertype != "admin" && target.id != 0 && !own && assigned
        }
    };
    if reached {
        Ok(())
    } else {
        Err(ApiError::UserNotFound)
    }
}

impl Targets {
    /// Whom it reaches, in words.
    pub fn describe(self) -> &'static str {
        match self {
            Targets::Anyone => "any user",
            Targets::AnyoneButSelf => "any user but itself (itself: `Access Denied`)",
            Targets::ItselfAndOwned => "itself and the users it owns",
            Targets::Itself => "only itself",
            Targets::SystemUsers => "the system's users (owner 0) but admins and itself",
            Targets::Owned => "the users it owns (the admin: the system's, itself included)",
            Targets::OwnedBySystem => "the system's users (owner 0)",
            Targets::SystemCustomers => {
                "the system's resellers and customers (not staff, admins or itself)"
            }
        }
    }
}

impl Access {
    /// The row in words: when the role is admitted, and whom it reaches.
    pub fn describe(&self) -> String {
        match &self.admit {
            Admit::Open => format!("always; reaches {}", self.targets.describe()),
            Admit::Refused(e) => format!("never: `{e}`"),
            Admit::Right(right, min, e) => format!(
                "when its permission group grants `{right}` {} (else `{e}`); reaches {}",
                if *min >= 2 { "read and write" } else { "read" },
                self.targets.describe()
            ),
        }
    }

    /// `role` may always use the call, reaching `targets`.
    pub const fn open(role: Role, targets: Targets) -> Access {
        Access {
            role,
            admit: Admit::Open,
            targets,
        }
    }

    /// `role` may use the call when its group grants `user_manage` at least `min` (else
    /// `otherwise`), reaching `targets`.
    pub const fn staff(role: Role, min: i64, otherwise: ApiError, targets: Targets) -> Access {
        Access {
            role,
            admit: Admit::Right(USER_MANAGE, min, otherwise),
            targets,
        }
    }

    /// `role` may never use the call: `error`.
    pub const fn refused(role: Role, error: ApiError) -> Access {
        Access {
            role,
            admit: Admit::Refused(error),
            targets: Targets::Itself,
        }
    }
}
