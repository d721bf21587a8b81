//! The accounts family: listing users, registration, login, deletion, balances and payments.
//! `docs/accounts.md` describes each call.

pub mod payment_create;
pub mod user_balance_get;
pub mod user_balance_update;
pub mod user_delete;
pub mod user_login;
pub mod user_register;
pub mod user_simple_balance_get;
pub mod users_get;

use crate::api::CallSpec;

/// The family's rows, in the order the reference lists them.
pub const SPECS: &[CallSpec] = &[
    user_balance_get::SPEC,
    user_simple_balance_get::SPEC,
    user_balance_update::SPEC,
    payment_create::SPEC,
    user_delete::SPEC,
    users_get::SPEC,
    user_login::SPEC,
    user_register::SPEC,
];
