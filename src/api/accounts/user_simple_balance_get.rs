//! `user_simple_balance_get` (alias `simple_balance`), docs/accounts.md: the balance of the user
//! whose uniquehash is `id` (also the last path segment), as plain text for phones. No hash is
//! checked and GET always works; `Devices_Check_Ballance` must be 1.

use crate::api::accounts::user_balance_get::{currency_or_default, subject_balance};
use crate::api::{
    ApiRequest, Authed, Body, CallSpec, ErrorShape, Fields, Form, Gates, Identity, Param, Read, Run,
};
use crate::error::ApiError;
use crate::numbers::nice_number;
use crate::store::ReadCtx;
use rusqlite::Connection;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["user_simple_balance_get", "simple_balance"],
    errors: ErrorShape::Text,
    identity: Identity::Uniquehash("id"),
    unknown: crate::api::accounts::user_balance_get::unknown,
    gates: Gates {
        get: false,
        hash: false,
    },
    path_param: Some("id"),
    body: Body::Text,
    run: Run::read::<SimpleBalance>(),
    params: || PARAMS,
    summary: "A user's balance as plain text, by uniquehash (no hash checked)",
    ..CallSpec::DEFAULT
};

/// The parameters besides `hash` and `test` (`u` where it is hashed), hashed ones first in
/// hash order.
const PARAMS: &[Param] = &[
    Param::plain(
        "id",
        Form::Text,
        "The user's uniquehash (or as the last path segment: …/simple_balance/<id>).",
    ),
    Param::plain(
        "currency",
        Form::Text,
        "A currency code to convert into; unknown or empty: the default currency.",
    ),
];

/// A plain balance request.
pub struct SimpleBalance {
    currency: String,
}

impl Read for SimpleBalance {
    fn parse(req: &ApiRequest) -> Result<SimpleBalance, ApiError> {
        Ok(SimpleBalance {
            currency: Fields::of(req).text("currency"),
        })
    }

    fn answer(
        self,
        conn: &Connection,
        ctx: &ReadCtx<'_>,
        who: &Authed,
    ) -> Result<Vec<u8>, ApiError> {
        let user = subject_balance(who)?;
        let currency = currency_or_default(conn, ctx, &self.currency)?;
        Ok(nice_number(user.balance * currency.rate, &who.settings)
            .as_bytes()
            .to_vec())
    }
}
