//! `user_balance_get` (alias `balance`), docs/accounts.md: the balance of the user named by
//! `username`, who is the subject itself (its scope's key signs; `u` is ignored), converted
//! into a currency, as a nice number. GET always works; `Devices_Check_Ballance` must be 1.

use crate::api::{ApiRequest, Authed, CallSpec, Fields, Form, Gates, Identity, Param, Read, Run};
use crate::error::ApiError;
use crate::numbers::nice_number;
use crate::settings::{DEVICES_CHECK_BALANCE, Settings};
use crate::store::ReadCtx;
use crate::store::currencies::Currency;
use crate::xml::Doc;
use rusqlite::Connection;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["user_balance_get", "balance"],
    hash_order: hash_order!(PARAMS),
    identity: Identity::Username("username"),
    unknown,
    gates: Gates {
        get: false,
        hash: true,
    },
    run: Run::read::<BalanceGet>(),
    params: || PARAMS,
    summary: "A user's balance, signed with the key of the user's own scope",
    ..CallSpec::DEFAULT
};

/// The parameters besides `hash` and `test` (`u` where it is hashed), hashed ones first in
/// hash order.
const PARAMS: &[Param] = &[
    Param::hashed(
        "username",
        Form::Text,
        "The user whose balance is asked for; its scope's key signs the request.",
    ),
    Param::hashed(
        "currency",
        Form::Text,
        "A currency code to convert into; USER (any case): the user's own; unknown or empty: the default currency. Hashed as sent.",
    ),
    Param::plain(
        "user_currency",
        Form::Flag,
        "1: convert into the user's own currency and name it in <currency> (currency is then ignored).",
    ),
];

/// No such user: the feature setting answers first.
pub fn unknown(system: &Settings) -> ApiError {
    if system.system_on(DEVICES_CHECK_BALANCE) {
        ApiError::UserNotFound
    } else {
        ApiError::FeatureDisabled
    }
}

/// The subject's balance (the caller's, read with it), once the feature setting allows the
/// balance calls.
pub fn subject_balance(who: &Authed) -> Result<Subject, ApiError> {
    if !who.settings.system_on(DEVICES_CHECK_BALANCE) {
        return Err(ApiError::FeatureDisabled);
    }
    let (balance, currency_id) = who.balance;
    Ok(Subject {
        balance,
        currency_id,
    })
}

/// What the balance calls show of their subject.
pub struct Subject {
    /// In the default currency.
    pub balance: f64,
    /// The subject's own currency.
    pub currency_id: i64,
}

/// The currency with this code, or the default one when there is none such.
pub fn currency_or_default(
    conn: &Connection,
    ctx: &ReadCtx<'_>,
    code: &str,
) -> rusqlite::Result<Currency> {
    match ctx.currency_by_code(conn, code)? {
        Some(c) => Ok(c),
        None => ctx.default_currency(conn),
    }
}

/// Which currency the answer is in.
enum Into {
    /// The user's own, named in `<currency>`.
    UsersOwnNamed,
    /// The user's own.
    UsersOwn,
    /// This code (unknown: the default currency).
    Code(String),
}

/// A balance request.
pub struct BalanceGet {
    into: Into,
}

impl Read for BalanceGet {
    fn parse(req: &ApiRequest) -> Result<BalanceGet, ApiError> {
        let f = Fields::of(req);
        let currency = f.text("currency");
        let into = if f.flag("user_currency") {
            Into::UsersOwnNamed
        } else if currency.eq_ignore_ascii_case("USER") {
            Into::UsersOwn
        } else {
            Into::Code(currency)
        };
        Ok(BalanceGet { into })
    }

    fn answer(
        self,
        conn: &Connection,
        ctx: &ReadCtx<'_>,
        who: &Authed,
    ) -> Result<Vec<u8>, ApiError> {
        let user = subject_balance(who)?;
        let own = || -> rusqlite::Result<Currency> {
            Ok(match ctx.currency_by_id(conn, user.currency_id)? {
                Some(c) => c,
                None => ctx.default_currency(conn)?,
            })
        };
        let (currency, named) = match &self.into {
            Into::UsersOwnNamed => (own()?, true),
            Into::UsersOwn => (own()?, false),
            Into::Code(code) => (currency_or_default(conn, ctx, code)?, false),
        };
        let mut d = Doc::new();
        d.open("page").leaf(
            "balance",
            &nice_number(user.balance * currency.rate, &who.settings),
        );
        if named {
            d.leaf("currency", &currency.name);
        }
        d.close();
        d.finish()
    }
}
