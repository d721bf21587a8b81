//! The call history and rates family: the calls of a user, a reseller or everyone, a
//! tariff's rates, and what a dialled number costs a user. `docs/calls.md` describes each call.

pub mod rate_get;
pub mod tariff_rates_get;
pub mod user_calls_get;

use crate::api::CallSpec;

/// The family's rows, in the order the reference lists them.
pub const SPECS: &[CallSpec] = &[user_calls_get::SPEC, tariff_rates_get::SPEC, rate_get::SPEC];
