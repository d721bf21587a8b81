//! `user_balance_update` (alias `user_balance_change`), docs/accounts.md: add `balance` (a delta
//! in the caller's currency) to the balance of a user the caller owns, in one statement, with
//! its audit row; the answer sits in a doubled `<page>`.

use crate::api::reach::{self, Access, Targets};
use crate::api::{ApiRequest, Authed, CallSpec, Fields, Form, Param, Run, Write, Written};
use crate::auth::Role;
use crate::error::ApiError;
use crate::store::{balances, currencies};
use crate::xml::Doc;
use rusqlite::Connection;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["user_balance_update", "user_balance_change"],
    hash_order: hash_order!(PARAMS),
    unknown: |_| ApiError::BadLogin,
    run: Run::write::<BalanceUpdate>(),
    params: || PARAMS,
    summary: "Add an amount to the balance of a user the caller owns",
    reach: REACH,
    ..CallSpec::DEFAULT
};

/// Whoever owns the target: the admin the system's users (itself included), a reseller its
/// own; others own nobody.
const REACH: reach::Table = &[
    Access::open(Role::Admin, Targets::Owned),
    Access::open(Role::Reseller, Targets::Owned),
    Access::open(Role::Accountant, Targets::Owned),
    Access::open(Role::Manager, Targets::Owned),
    Access::open(Role::User, Targets::Owned),
];

/// The parameters besides `hash` and `test` (`u` where it is hashed), hashed ones first in
/// hash order.
const PARAMS: &[Param] = &[
    Param::hashed("user_id", Form::Digits, "The user whose balance changes."),
    Param::hashed(
        "balance",
        Form::Decimal,
        "The amount to add (negative subtracts), in the caller's currency; `.` as the decimal mark. Hashed as sent, only when made of 0-9 . + -.",
    ),
];

/// A balance change.
pub struct BalanceUpdate {
    target: Option<i64>,
    amount: Option<f64>,
}

impl Write for BalanceUpdate {
    fn parse(req: &ApiRequest) -> Result<BalanceUpdate, ApiError> {
        Ok(BalanceUpdate {
            target: Fields::of(req).target(),
            amount: Fields::of(req).amount("balance"),
        })
    }

    fn refused() -> ApiError {
        ApiError::BalanceNotUpdated
    }

    fn apply(
        self,
        conn: &Connection,
        who: &Authed,
        _password_hash: Option<String>,
    ) -> Result<Written, ApiError> {
        let caller = &who.caller;
        let user = reach::target_facts(
            conn,
            caller,
            REACH,
            self.target,
            ApiError::UserNotFound,
            |_| None,
        )?;
        let id = user.id;
        let amount = self.amount.ok_or(ApiError::BalanceNotUpdated)?;
        // The amount is in the caller's currency; balances are kept in the default one.
        let caller_currency = balances::of(conn, caller.id)?
            .map(|c| c.currency_id)
            .unwrap_or(1);
        let rate = match currencies::by_id(conn, caller_currency)? {
            Some(c) => c.rate,
            None => 1.0,
        };
        // A delta or a balance that is not a finite double is no money (MOR's column would
        // refuse it): refused before anything is written.
        let delta = amount / rate;
        let before = balances::of(conn, id)?.map_or(0.0, |b| b.balance);
        if !delta.is_finite() || !(before + delta).is_finite() {
            return Err(ApiError::BalanceNotUpdated);
        }
        let now = crate::dates::now();
        balances::add(
            conn,
            &now,
            caller.id,
            id,
            delta,
            "User balance changed from API",
        )?;
        let after = balances::of(conn, id)?.ok_or(ApiError::UserNotFound)?;
        let shown = crate::numbers::real_text(after.balance * rate);
        let mut d = Doc::new();
        d.open("page")
            .open("page")
            .leaf("status", "User balance updated")
            .open("user")
            .leaf("username", &after.username)
            .leaf("id", &after.id.to_string())
            .leaf("balance", &shown)
            .close()
            .close()
            .close();
        Ok(Written {
            body: d.finish()?,
            changed: vec!["users.balance".into()],
            changes: Vec::new(),
        })
    }
}
