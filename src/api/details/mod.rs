//! The user-details family: reading a user (as its own page shows it, or its raw row) and
//! changing it. `docs/details.md` describes each call.

pub mod update_params;
pub mod user_details_get;
pub mod user_details_raw_get;
pub mod user_details_update;

use crate::api::CallSpec;

/// The family's rows, in the order the reference lists them.
pub const SPECS: &[CallSpec] = &[
    user_details_get::SPEC,
    user_details_raw_get::SPEC,
    user_details_update::SPEC,
];
