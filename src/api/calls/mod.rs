//! The call history and rates family: looking up what a dialled number costs a user and, in
//! later rounds, a tariff's rates and the call history. `docs/calls.md` describes each call.

pub mod rate_get;

use crate::api::CallSpec;

/// The family's rows, in the order the reference lists them.
pub const SPECS: &[CallSpec] = &[rate_get::SPEC];
