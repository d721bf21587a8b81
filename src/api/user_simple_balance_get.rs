//! `user_simple_balance_get` (alias `simple_balance`), accounts.md §7: the balance of the user
//! whose uniquehash is `id` (also the last path segment), as plain text for phones. No hash is
//! checked and GET always works; `Devices_Check_Ballance` must be 1.

use super::user_balance_get::{currency_or_default, subject_balance};
use super::{ApiRequest, Authed, Form, ParamDoc, Read};
use crate::error::ApiError;
use crate::numbers::nice_number;
use crate::store::ReadCtx;
use rusqlite::Connection;

/// The parameters, for the API description.
pub fn params() -> Vec<ParamDoc> {
    vec![
        ParamDoc {
            name: "id",
            form: Form::Text,
            doc: "The user's uniquehash (or as the last path segment: …/simple_balance/<id>)."
                .into(),
        },
        ParamDoc {
            name: "currency",
            form: Form::Text,
            doc: "A currency code to convert into; unknown or empty: the default currency.".into(),
        },
    ]
}

/// A plain balance request.
pub struct SimpleBalance {
    currency: String,
}

impl Read for SimpleBalance {
    fn parse(req: &ApiRequest) -> Result<SimpleBalance, ApiError> {
        Ok(SimpleBalance {
            currency: req.params.get("currency").unwrap_or("").to_string(),
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
