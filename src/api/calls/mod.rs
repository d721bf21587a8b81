//! The call history and rates family: a tariff's rates, what a dialled number costs a user
//! and, in a later round, the call history. `docs/calls.md` describes each call.

pub mod rate_get;
pub mod tariff_rates_get;

use crate::api::CallSpec;

/// The family's rows, in the order the reference lists them.
pub const SPECS: &[CallSpec] = &[tariff_rates_get::SPEC, rate_get::SPEC];
