//! `user_details_get` (alias `user_details`), NOTES.md section 6: who may see whom, and the
//! nested document of the vendor's 2014 page with the 2019 page's fields.

use super::reach::{self, Access, Targets};
use super::{ApiRequest, Authed, Form, ParamDoc, Read};
use crate::auth::{Caller, Role, target_id};
use crate::error::ApiError;
use crate::numbers::nice_number;
use crate::store::ReadCtx;
use crate::store::queries::{self, TargetKey, UserDetails};
use crate::xml::Doc;
use rusqlite::Connection;

/// Admin: anyone; reseller: itself and its users; anyone else: itself.
const REACH: reach::Table = &[
    Access::open(Role::Admin, Targets::Anyone),
    Access::open(Role::Reseller, Targets::ItselfAndOwned),
    Access::open(Role::Accountant, Targets::Itself),
    Access::open(Role::Manager, Targets::Itself),
    Access::open(Role::User, Targets::Itself),
];

/// The parameters, for the API description.
pub fn params() -> Vec<ParamDoc> {
    vec![
        ParamDoc {
            name: "user_id",
            form: Form::Digits,
            doc: "ID of the user (all digits; hashed as a plain integer).".into(),
        },
        ParamDoc {
            name: "username",
            form: Form::Text,
            doc: "Username of the user (with user_id: both must name the same user).".into(),
        },
    ]
}

/// A request for one user's details: whom, by id and/or username.
pub struct Get {
    /// `user_id` when all digits, then `username`.
    target: (Option<i64>, Option<String>),
}

impl Read for Get {
    fn parse(req: &ApiRequest) -> Result<Get, ApiError> {
        let id = target_id(&req.params);
        let name = req.params.get("username").map(str::to_string);
        if id.is_none() && name.is_none() {
            return Err(ApiError::UserNotFound);
        }
        Ok(Get { target: (id, name) })
    }

    fn answer(
        self,
        conn: &Connection,
        ctx: &ReadCtx<'_>,
        who: &Authed,
    ) -> Result<Vec<u8>, ApiError> {
        let targets = reach::admit(conn, &who.caller, REACH)?;
        let key = match &self.target {
            (Some(id), Some(name)) => TargetKey::Both(*id, name),
            (Some(id), None) => TargetKey::Id(*id),
            (None, Some(name)) => TargetKey::Username(name),
            (None, None) => return Err(ApiError::UserNotFound),
        };
        queries::user_details(conn, ctx.keep(conn)?, key, |user| {
            reach::check(targets, &who.caller, &user.facts())?;
            render(user, &who.caller, who)
        })?
        .ok_or(ApiError::UserNotFound)?
    }
}

fn render(user: &UserDetails, caller: &Caller, authed: &Authed) -> Result<Vec<u8>, ApiError> {
    let s = &authed.settings;
    let nice = |v: f64| nice_number(v, s);
    let privileged = matches!(caller.role, Role::Admin | Role::Reseller);
    let mut d = Doc::new();
    d.open("page")
        .leaf("pagename", "Personal_details")
        .leaf("language", "en")
        .leaf_int("userid", user.id)
        .open("details");

    d.open("main_detail")
        .leaf(
            "account",
            if user.postpaid { "Postpaid" } else { "Prepaid" },
        )
        .leaf_parts("balance", &[&nice(user.balance), " ", user.currency])
        .leaf("balance_number", user.balance_text)
        .leaf("balance_currency", user.currency)
        .leaf("daily_balance_limit", &nice(user.daily_spend_limit));
    if user.credit == -1.0 {
        d.leaf("credit", "Unlimited");
    } else {
        d.leaf("credit", &nice(user.credit));
    }
    if privileged {
        d.leaf("pbx_pool_id", user.pbx_pool_id);
        if user.usertype == "user" {
            d.leaf("hide_non_answered_calls", user.hide_non_answered_calls);
        }
    }
    d.leaf("blocked", user.blocked)
        .leaf("hidden", user.hidden)
        .close();

    let today;
    let agreement_date = match user.agreement_date.get(..10) {
        Some(date) if !date.trim().is_empty() => date,
        _ if !user.agreement_date.trim().is_empty() => user.agreement_date,
        _ => {
            today = crate::dates::today();
            &today
        }
    };
    d.open("other_details")
        .leaf("username", user.username)
        .leaf("first_name", user.first_name)
        .leaf("surname", user.last_name)
        .leaf("personalid", user.clientid)
        .leaf("agreement_number", user.agreement_number)
        .leaf("agreement_date", agreement_date);
    if let Some(country) = user.taxation_country {
        // The vendor shows at most 22 characters of the country's name.
        let end = country
            .char_indices()
            .nth(22)
            .map_or(country.len(), |(i, _)| i);
        d.leaf("taxation_country", &country[..end]);
    }
    d.leaf("vat_reg_number", user.vat_number)
        .leaf("vat_percent", user.vat_percent)
        .leaf("call_limit", user.call_limit)
        .leaf("accounting_number", user.accounting_number)
        .close();

    if let Some(a) = &user.address {
        d.open("registration")
            .leaf("reg_address", a.address)
            .leaf("reg_postcode", a.postcode)
            .leaf("reg_city", a.city)
            .leaf("reg_country", a.county)
            .leaf("reg_state", a.state)
            .leaf("reg_direction", a.direction)
            .leaf("reg_phone", a.phone)
            .leaf("reg_mobile", a.mob_phone)
            .leaf("reg_fax", a.fax)
            .leaf("reg_email", a.email)
            .close();
    }

    if matches!(user.usertype, "admin" | "reseller" | "user") {
        let bit = |b: i64| {
            if user.send_invoice_types & b != 0 {
                "1"
            } else {
                "0"
            }
        };
        d.open("invoices")
            .leaf("generate_invoices", user.generate_invoice)
            .leaf("simplified_pdf", bit(2))
            .leaf("simplified_csv", bit(4))
            .leaf("detailed_pdf", bit(8))
            .leaf("detailed_csv", bit(16))
            .leaf("show_zero_calls", user.invoice_zero_calls)
            .close();
        d.open("warning_balance")
            .leaf("active", user.warning_email_active)
            .open("send_email_when_balance_drops_lower_than")
            .leaf("user", &nice(user.warning_email_balance))
            .close()
            .leaf("warning_email_hour", user.warning_email_hour)
            .close();
    }
    d.close().close();
    d.finish()
}
