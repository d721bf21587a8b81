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
    /// When its permission group grants each of these rights at least its minimum; else this
    /// error.
    Rights(&'static [(&'static str, i64)], ApiError),
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
    /// The system's users but admins, itself included (the vendor's device owners rule for
    /// staff; assignment does not narrow it).
    SystemButAdmins,
    /// Nobody.
    Nobody,
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
        Admit::Rights(rights, e) => {
            for (right, min) in *rights {
                if queries::group_right(conn, caller.acc_group_id, right)? < *min {
                    return Err(e.clone());
                }
            }
        }
    }
    Ok(row.targets)
}

/// Whom the caller's role reaches by `table`, whatever admits it (for the calls that check
/// reach before the role's right); `None` when the table has no row for it.
pub fn targets_of(table: Table, caller: &Caller) -> Option<Targets> {
    table
        .iter()
        .find(|a| a.role == caller.role)
        .map(|a| a.targets)
}

/// The target of a call that names one by id, in one step: the caller's role admitted by
/// `table`; the id sent (`None`: not sent or not digits); no target `refused` names (a
/// refusal asked before the target is read, such as oneself); the target read by `load` and in
/// reach. A missing, unknown or unreached target is `not_found` (`Access Denied` stays so).
pub fn target<T: Reached>(
    conn: &Connection,
    caller: &Caller,
    table: Table,
    id: Option<i64>,
    not_found: ApiError,
    refused: impl Fn(i64) -> Option<ApiError>,
    load: impl FnOnce(&Connection, i64) -> rusqlite::Result<Option<T>>,
) -> Result<T, ApiError> {
    let targets = admit(conn, caller, table)?;
    let id = id.ok_or_else(|| not_found.clone())?;
    if let Some(e) = refused(id) {
        return Err(e);
    }
    let found = load(conn, id)?.ok_or_else(|| not_found.clone())?;
    check(targets, caller, &found.facts()).map_err(|e| match e {
        ApiError::UserNotFound => not_found.clone(),
        e => e,
    })?;
    Ok(found)
}

/// [`target`] for the calls that need only the target's facts.
pub fn target_facts(
    conn: &Connection,
    caller: &Caller,
    table: Table,
    id: Option<i64>,
    not_found: ApiError,
    refused: impl Fn(i64) -> Option<ApiError>,
) -> Result<TargetFacts, ApiError> {
    target(
        conn,
        caller,
        table,
        id,
        not_found,
        refused,
        queries::target_facts,
    )
}

/// What a call reads of a target, as far as reach goes.
pub trait Reached {
    /// The facts reach is decided on.
    fn facts(&self) -> TargetFacts;
}

impl Reached for TargetFacts {
    fn facts(&self) -> TargetFacts {
        self.clone()
    }
}

impl Reached for crate::store::user_update::TargetRow {
    fn facts(&self) -> TargetFacts {
        crate::store::user_update::TargetRow::facts(self)
    }
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
        Targets::SystemButAdmins => {
            target.owner_id == 0 && target.usertype != "admin" && target.id != 0
        }
        Targets::Nobody => false,
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
            Targets::SystemButAdmins => "the system's users (owner 0) but admins",
            Targets::Nobody => "nobody",
        }
    }
}

/// A right's level in words.
fn level(min: i64) -> &'static str {
    if min >= 2 { "read and write" } else { "read" }
}

impl Access {
    /// The row in words: when the role is admitted, and whom it reaches.
    pub fn describe(&self) -> String {
        match &self.admit {
            Admit::Open => format!("always; reaches {}", self.targets.describe()),
            Admit::Refused(e) => format!("never: `{e}`"),
            Admit::Right(right, min, e) => format!(
                "when its permission group grants `{right}` {} (else `{e}`); reaches {}",
                level(*min),
                self.targets.describe()
            ),
            Admit::Rights(rights, e) => {
                let each: Vec<String> = rights
                    .iter()
                    .map(|(right, min)| format!("`{right}` {}", level(*min)))
                    .collect();
                format!(
                    "when its permission group grants {} (else `{e}`); reaches {}",
                    each.join(" and "),
                    self.targets.describe()
                )
            }
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
