//! `payment_create` (alias `create_payment`), docs/accounts.md: record a payment for a user in
//! the caller's reach, with tax from the user's `taxes` row and the amount converted from the
//! payment's currency; completed at once (the balance credited with the net) unless payments
//! wait for confirmation. One transaction: the payment row and its balance change together.

use crate::api::reach::{self, Access, Targets};
use crate::api::{
    ApiRequest, Authed, CallSpec, ErrorShape, Fields, Form, Param, Run, Write, Written,
};
use crate::auth::Role;
use crate::error::{ApiError, Problem};
use crate::numbers::nice_number;
use crate::settings::{API_ALLOW_PAYMENTS, API_PAYMENT_CONFIRMATION};
use crate::store::payments::{self, NewPayment};
use crate::store::{balances, currencies};
use crate::xml::Doc;
use rusqlite::Connection;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["payment_create", "create_payment"],
    hash_order: hash_order!(PARAMS),
    shapes: &[(ApiError::BadLogin, ErrorShape::Status)],
    unknown: |_| ApiError::BadLogin,
    run: Run::write::<Payment>(),
    params: || PARAMS,
    summary: "Record a payment (tax, currency conversion) and credit the user's balance",
    reach: REACH,
    ..CallSpec::DEFAULT
};

/// The admin pays for the system's users (itself included), staff likewise (the vendor asks
/// no right), a reseller for its own; a user for nobody.
const REACH: reach::Table = &[
    Access::open(Role::Admin, Targets::Owned),
    Access::open(Role::Accountant, Targets::OwnedBySystem),
    Access::open(Role::Manager, Targets::OwnedBySystem),
    Access::open(Role::Reseller, Targets::Owned),
    Access::refused(Role::User, ApiError::AccessDenied),
];

/// The parameters besides `hash` and `test` (`u` where it is hashed), hashed ones first in
/// hash order.
const PARAMS: &[Param] = &[
    Param::hashed("user_id", Form::Digits, "The paying user."),
    Param::hashed(
        "p_currency",
        Form::Text,
        "The currency code of the money received.",
    ),
    Param::hashed(
        "paymenttype",
        Form::Text,
        "The gateway's name; stored as `from_api : <value>`.",
    ),
    Param::hashed(
        "tax_in_amount",
        Form::Flag,
        "1: amount already includes tax; else tax is added on top.",
    ),
    Param::hashed(
        "amount",
        Form::Decimal,
        "The amount, `.` as the decimal mark; negative for a refund. Hashed as sent.",
    ),
    Param::hashed("transaction", Form::Text, "External transaction id."),
    Param::hashed("payer_email", Form::Text, "The payer's e-mail."),
    Param::plain(
        "comments_for_user",
        Form::Text,
        "A note for the user (not hashed).",
    ),
];

/// A payment request, read once.
pub struct Payment {
    target: Option<i64>,
    currency: String,
    paymenttype: String,
    tax_in_amount: bool,
    amount: Option<f64>,
    transaction: String,
    payer_email: String,
    comments: String,
}

impl Write for Payment {
    fn parse(req: &ApiRequest) -> Result<Payment, ApiError> {
        let f = Fields::of(req);
        Ok(Payment {
            target: f.target(),
            currency: f.text("p_currency"),
            paymenttype: f.text("paymenttype"),
            tax_in_amount: f.flag("tax_in_amount"),
            amount: f.amount("amount"),
            transaction: f.text("transaction"),
            payer_email: f.text("payer_email"),
            comments: f.text("comments_for_user"),
        })
    }

    fn refused() -> ApiError {
        ApiError::PaymentNotSaved(vec![Problem::NotStored])
    }

    fn apply(
        self,
        conn: &Connection,
        who: &Authed,
        _password_hash: Option<String>,
    ) -> Result<Written, ApiError> {
        let settings = &who.settings;
        if !settings.system_on(API_ALLOW_PAYMENTS) {
            return Err(ApiError::PaymentsNotAllowed);
        }
        let id = reach::target_facts(
            conn,
            &who.caller,
            REACH,
            self.target,
            ApiError::AccessDenied,
            |_| None,
        )?
        .id;
        let currency = currencies::by_code(conn, &self.currency)?
            .filter(|_| !self.currency.is_empty())
            .ok_or(ApiError::NoCurrency)?;
        let Some(amount) = self.amount else {
            return Err(ApiError::PaymentNotSaved(vec![Problem::NotANumber(
                "Amount",
            )]));
        };
        let payer = payments::payer(conn, id)?.ok_or(ApiError::AccessDenied)?;
        let m = payer.tax_multiplier;
        let (net, gross) = if self.tax_in_amount {
            (amount / m, amount)
        } else {
            (amount, amount * m)
        };
        let tax = gross - net;
        let completed = !settings.system_on(API_PAYMENT_CONFIRMATION);
        // Every stored number, and the balance it makes, a finite double: else nothing is written.
        let credit = net / currency.rate;
        let before = balances::of(conn, id)?.map_or(0.0, |b| b.balance);
        let finite = [net, tax, gross, credit].iter().all(|x| x.is_finite())
            && (!completed || (before + credit).is_finite());
        if !finite {
            return Err(ApiError::PaymentNotSaved(vec![Problem::OutOfRange(
                "Amount",
            )]));
        }
        let now = crate::dates::now();
        let payment_id = payments::record(
            conn,
            &now,
            who.caller.id,
            &NewPayment {
                payer: &payer,
                paymenttype: format!("from_api : {}", self.paymenttype),
                net,
                tax,
                gross,
                currency: &currency.name,
                rate: currency.rate,
                completed,
                transaction_id: &self.transaction,
                payer_email: &self.payer_email,
                comments_for_user: &self.comments,
            },
        )?;
        let nice = |x: f64| nice_number(x, settings);
        let mut d = Doc::new();
        d.open("page")
            .open("response")
            .leaf("status", "ok")
            .leaf("confirmed", if completed { "Yes" } else { "No" })
            .open_with("payment", "currency", &currency.name)
            .leaf_int("payment_id", payment_id)
            .leaf("tax", &nice(tax))
            .leaf("amount", &nice(net))
            .leaf("gross", &nice(gross))
            .close()
            .close()
            .close();
        let mut changed = vec!["payments.id".to_string()];
        if completed {
            changed.push("users.balance".into());
        }
        Ok(Written {
            body: d.finish()?,
            changed,
            changes: Vec::new(),
        })
    }
}
