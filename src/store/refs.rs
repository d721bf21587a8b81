//! References a parameter may name (an LCR, a tariff, a pool, a location, a country…), for every
//! call that takes one (an update, a registration): one table says, for each, which
//! rows are in reach (the query and its arguments), which value always passes ("none"), and
//! what a miss is answered with. [`exists`] and [`failure`] are the only readers.

use crate::error::ApiError;
use rusqlite::Connection;
use rusqlite::types::Value;

/// A kind of row a parameter names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ref {
    /// `lcrs` of the target's owner.
    Lcr,
    /// `tariffs`: the caller's own non-provider ones, and the system's for a reseller when
    /// `Allow_Resellers_to_use_Admin_Tariffs` is 1.
    Tariff,
    /// `quickforwards_rules`, 0 for none: the caller's own, and the system's for a reseller
    /// when `Allow_Resellers_to_use_Admin_Quick_Forward_Rules` is 1.
    QuickForwardRule,
    /// `pbx_pools` of the caller.
    PbxPool,
    /// An accountant or manager the caller can see, or -1 to unassign.
    ResponsibleAccountant,
    /// `currencies`.
    Currency,
    /// `number_pools` of the caller, 0 for none.
    NumberPool,
    /// `locations` of the target's owner.
    Location,
    /// `directions` (countries).
    Country,
}

/// Who is asking, for the reach of references.
#[derive(Debug, Clone, Copy)]
pub struct RefScope {
    /// The caller's settings scope (0 for the system, a reseller's id).
    pub caller_scope: i64,
    /// The caller is a reseller.
    pub reseller: bool,
    /// The target's owner (for LCRs and locations).
    pub target_owner: i64,
    /// `Allow_Resellers_to_use_Admin_Tariffs` is on.
    pub admin_tariffs: bool,
    /// `Allow_Resellers_to_use_Admin_Quick_Forward_Rules` is on.
    pub admin_qf_rules: bool,
}

/// What a reference that is not found is answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// This error, alone.
    Error(ApiError),
    /// A validation message: "`<label>` was not found".
    NotFound,
}

/// One row of [`REFS`].
struct Rule {
    r: Ref,
    /// A value that always passes (none, or unassign).
    passes: Option<i64>,
    /// `?1` is the id; the rest come from `args`.
    sql: &'static str,
    args: fn(&RefScope) -> Vec<Value>,
    failure: Failure,
}

const REFS: &[Rule] = &[
    Rule {
        r: Ref::Lcr,
        passes: None,
        sql: "SELECT 1 FROM lcrs WHERE id = ?1 AND user_id = ?2",
        args: |s| vec![s.target_owner.into()],
        failure: Failure::Error(ApiError::LcrNotFound),
    },
    Rule {
        r: Ref::Tariff,
        passes: None,
        sql: "SELECT 1 FROM tariffs WHERE id = ?1 AND purpose != 'provider'
               AND (owner_id = ?2 OR (?3 AND owner_id = 0))",
        args: |s| {
            vec![
                s.caller_scope.into(),
                (s.reseller && s.admin_tariffs).into(),
            ]
        },
        failure: Failure::Error(ApiError::TariffNotFound),
    },
    Rule {
        r: Ref::QuickForwardRule,
        passes: Some(0),
        sql: "SELECT 1 FROM quickforwards_rules WHERE id = ?1
               AND (user_id = ?2 OR (?3 AND user_id = 0))",
        args: |s| {
            vec![
                s.caller_scope.into(),
                (s.reseller && s.admin_qf_rules).into(),
            ]
        },
        failure: Failure::Error(ApiError::QuickforwardRuleNotFound),
    },
    Rule {
        r: Ref::PbxPool,
        passes: None,
        sql: "SELECT 1 FROM pbx_pools WHERE id = ?1 AND owner_id = ?2",
        args: |s| vec![s.caller_scope.into()],
        failure: Failure::Error(ApiError::PbxPoolNotFound),
    },
    // Accountants and managers belong to the system: a reseller sees none of them.
    Rule {
        r: Ref::ResponsibleAccountant,
        passes: Some(-1),
        sql: "SELECT 1 FROM users WHERE id = ?1 AND usertype IN ('accountant', 'manager')
               AND owner_id = 0 AND ?2",
        args: |s| vec![(!s.reseller).into()],
        failure: Failure::Error(ApiError::ResponsibleAccountantInvalid),
    },
    Rule {
        r: Ref::Currency,
        passes: None,
        sql: "SELECT 1 FROM currencies WHERE id = ?1",
        args: |_| vec![],
        failure: Failure::NotFound,
    },
    Rule {
        r: Ref::NumberPool,
        passes: Some(0),
        sql: "SELECT 1 FROM number_pools WHERE id = ?1 AND owner_id = ?2",
        args: |s| vec![s.caller_scope.into()],
        failure: Failure::NotFound,
    },
    Rule {
        r: Ref::Location,
        passes: None,
        sql: "SELECT 1 FROM locations WHERE id = ?1 AND user_id = ?2",
        args: |s| vec![s.target_owner.into()],
        failure: Failure::NotFound,
    },
    Rule {
        r: Ref::Country,
        passes: None,
        sql: "SELECT 1 FROM directions WHERE id = ?1",
        args: |_| vec![],
        failure: Failure::NotFound,
    },
];

fn rule(r: Ref) -> &'static Rule {
    REFS.iter().find(|x| x.r == r).unwrap_or(&REFS[0])
}

/// Whether reference `r` to row `id` exists in reach.
pub fn exists(conn: &Connection, r: Ref, id: i64, s: &RefScope) -> rusqlite::Result<bool> {
    let rule = rule(r);
    if rule.passes == Some(id) {
        return Ok(true);
    }
    let mut args: Vec<Value> = vec![id.into()];
    args.extend((rule.args)(s));
    conn.prepare_cached(rule.sql)?
        .exists(rusqlite::params_from_iter(args))
}

/// What a miss of `r` is answered with.
pub fn failure(r: Ref) -> Failure {
    rule(r).failure.clone()
}

/// Every reference's query, for the check that hot statements use indexes.
pub fn all_sql() -> impl Iterator<Item = &'static str> {
    REFS.iter().map(|r| r.sql)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reference_has_one_rule() {
        use Ref::*;
        for r in [
            Lcr,
            Tariff,
            QuickForwardRule,
            PbxPool,
            ResponsibleAccountant,
            Currency,
            NumberPool,
            Location,
            Country,
        ] {
            assert_eq!(REFS.iter().filter(|x| x.r == r).count(), 1, "{r:?}");
        }
    }
}
