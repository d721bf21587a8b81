//! `user_details_update` (alias `user_update_api`), NOTES.md section 8.

use super::{ApiRequest, Outcome};
use crate::error::ApiError;
use crate::store::Store;
use std::sync::Arc;

/// One row of the update parameter table.
pub struct Param {
    /// The parameter's name.
    pub name: &'static str,
    /// Whether it goes into the hash (rows that do are in hash order).
    pub hashed: bool,
}

const fn h(name: &'static str) -> Param {
    Param { name, hashed: true }
}

/// Every parameter of the update call.
pub const PARAMS: &[Param] = &[
    h("user_id"),
    h("u0"),
    h("u1"),
    h("u2"),
    h("u3"),
    h("u4"),
    h("u5"),
    h("u6"),
    h("u7"),
    h("u8"),
    h("u9"),
    h("u10"),
    h("u11"),
    h("u12"),
    h("u13"),
    h("u14"),
    h("u15"),
    h("u16"),
    h("u17"),
    h("u18"),
    h("u19"),
    h("u20"),
    h("u21"),
    h("u22"),
    h("u23"),
    h("u24"),
    h("u25"),
    h("u26"),
    h("u27"),
    h("u28"),
    h("ay"),
    h("am"),
    h("ad"),
    h("by"),
    h("bm"),
    h("bd"),
    h("pswd"),
];

/// Runs one update request.
pub async fn handle(store: &Arc<Store>, req: ApiRequest) -> Outcome {
    let run = store
        .read_async(move |conn, _| {
            let mut outcome = Outcome {
                result: Err(ApiError::Internal),
                xml_extension: false,
                caller: None,
            };
            outcome.result = super::authenticate(conn, &req, &mut outcome).map(|_| Vec::new());
            outcome
        })
        .await;
    run.unwrap_or_else(|e| Outcome {
        result: Err(e),
        xml_extension: false,
        caller: None,
    })
}
