//! `user_details_get` (alias `user_details`), docs/README.md: who may see whom, and the
//! nested document of the vendor's 2014 page with the 2019 page's fields.

use crate::api::reach::{self, Access, Targets};
use crate::api::{ApiRequest, Authed, CallSpec, ErrorShape, Fields, Form, Param, Read, Run};
use crate::auth::{Caller, Role};
use crate::error::ApiError;
use crate::numbers::nice_number;
use crate::store::ReadCtx;
use crate::store::queries::{self, TargetKey, UserDetails};
use crate::xml::{Doc, Tag};
use rusqlite::Connection;
use std::sync::LazyLock;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["user_details_get", "user_details"],
    hash_order: hash_order!(PARAMS),
    errors: ErrorShape::Bare,
    run: Run::read::<Get>(),
    params: || PARAMS,
    summary: "A user's details, as the user's own page shows them",
    reach: REACH,
    ..CallSpec::DEFAULT
};

/// Admin: anyone; reseller: itself and its users; anyone else: itself.
const REACH: reach::Table = &[
    Access::open(Role::Admin, Targets::Anyone),
    Access::open(Role::Reseller, Targets::ItselfAndOwned),
    Access::open(Role::Accountant, Targets::Itself),
    Access::open(Role::Manager, Targets::Itself),
    Access::open(Role::User, Targets::Itself),
];

/// The parameters besides `hash` and `test` (`u` where it is hashed), hashed ones first in
/// hash order.
const PARAMS: &[Param] = &[
    Param::hashed(
        "user_id",
        Form::Digits,
        "ID of the user (all digits; hashed as a plain integer).",
    ),
    Param::hashed(
        "username",
        Form::Text,
        "Username of the user (with user_id: both must name the same user).",
    ),
];

/// Declares the document's leaf elements, each ready-made at its depth ([`Tag`]): `T::x` is
/// element `x`, [`tag`] its tag.
macro_rules! tags {
    ($($id:ident = $name:literal @ $depth:literal,)*) => {
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy)]
        enum T { $($id),* }
        static TAGS: LazyLock<Vec<Tag>> = LazyLock::new(|| vec![$(Tag::new($name, $depth)),*]);
    };
}

tags! {
    pagename = "pagename" @ 1,
    language = "language" @ 1,
    account = "account" @ 3,
    balance_number = "balance_number" @ 3,
    balance_currency = "balance_currency" @ 3,
    daily_balance_limit = "daily_balance_limit" @ 3,
    credit = "credit" @ 3,
    pbx_pool_id = "pbx_pool_id" @ 3,
    hide_non_answered_calls = "hide_non_answered_calls" @ 3,
    blocked = "blocked" @ 3,
    hidden = "hidden" @ 3,
    username = "username" @ 3,
    first_name = "first_name" @ 3,
    surname = "surname" @ 3,
    personalid = "personalid" @ 3,
    agreement_number = "agreement_number" @ 3,
    agreement_date = "agreement_date" @ 3,
    taxation_country = "taxation_country" @ 3,
    vat_reg_number = "vat_reg_number" @ 3,
    vat_percent = "vat_percent" @ 3,
    call_limit = "call_limit" @ 3,
    accounting_number = "accounting_number" @ 3,
    reg_address = "reg_address" @ 3,
    reg_postcode = "reg_postcode" @ 3,
    reg_city = "reg_city" @ 3,
    reg_country = "reg_country" @ 3,
    reg_state = "reg_state" @ 3,
    reg_direction = "reg_direction" @ 3,
    reg_phone = "reg_phone" @ 3,
    reg_mobile = "reg_mobile" @ 3,
    reg_fax = "reg_fax" @ 3,
    reg_email = "reg_email" @ 3,
    generate_invoices = "generate_invoices" @ 3,
    simplified_pdf = "simplified_pdf" @ 3,
    simplified_csv = "simplified_csv" @ 3,
    detailed_pdf = "detailed_pdf" @ 3,
    detailed_csv = "detailed_csv" @ 3,
    show_zero_calls = "show_zero_calls" @ 3,
    active = "active" @ 3,
    warning_email_hour = "warning_email_hour" @ 3,
    user = "user" @ 4,
}

/// Element `t`'s ready-made tag.
fn tag(t: T) -> &'static Tag {
    &TAGS[t as usize]
}

/// A request for one user's details: whom, by id and/or username.
pub struct Get {
    /// `user_id` when all digits, then `username`.
    target: (Option<i64>, Option<String>),
}

impl Read for Get {
    fn parse(req: &ApiRequest) -> Result<Get, ApiError> {
        let f = Fields::of(req);
        let id = f.target();
        let name = f.sent("username");
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
        queries::user_details(conn, ctx.keep(), key, |user| {
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
        .leaf_tag(tag(T::pagename), "Personal_details")
        .leaf_tag(tag(T::language), "en")
        .leaf_int("userid", user.id)
        .open("details");

    d.open("main_detail")
        .leaf_tag(
            tag(T::account),
            if user.postpaid { "Postpaid" } else { "Prepaid" },
        )
        .leaf_parts("balance", &[&nice(user.balance), " ", user.currency])
        .leaf_tag(tag(T::balance_number), user.balance_text)
        .leaf_tag(tag(T::balance_currency), user.currency)
        .leaf_tag(tag(T::daily_balance_limit), &nice(user.daily_spend_limit));
    if user.credit == -1.0 {
        d.leaf_tag(tag(T::credit), "Unlimited");
    } else {
        d.leaf_tag(tag(T::credit), &nice(user.credit));
    }
    if privileged {
        d.leaf_tag(tag(T::pbx_pool_id), user.pbx_pool_id);
        if user.usertype == "user" {
            d.leaf_tag(
                tag(T::hide_non_answered_calls),
                user.hide_non_answered_calls,
            );
        }
    }
    d.leaf_tag(tag(T::blocked), user.blocked)
        .leaf_tag(tag(T::hidden), user.hidden)
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
        .leaf_tag(tag(T::username), user.username)
        .leaf_tag(tag(T::first_name), user.first_name)
        .leaf_tag(tag(T::surname), user.last_name)
        .leaf_tag(tag(T::personalid), user.clientid)
        .leaf_tag(tag(T::agreement_number), user.agreement_number)
        .leaf_tag(tag(T::agreement_date), agreement_date);
    if let Some(country) = user.taxation_country {
        // The vendor shows at most 22 characters of the country's name.
        let end = country
            .char_indices()
            .nth(22)
            .map_or(country.len(), |(i, _)| i);
        d.leaf_tag(tag(T::taxation_country), &country[..end]);
    }
    d.leaf_tag(tag(T::vat_reg_number), user.vat_number)
        .leaf_tag(tag(T::vat_percent), user.vat_percent)
        .leaf_tag(tag(T::call_limit), user.call_limit)
        .leaf_tag(tag(T::accounting_number), user.accounting_number)
        .close();

    if let Some(a) = &user.address {
        d.open("registration")
            .leaf_tag(tag(T::reg_address), a.address)
            .leaf_tag(tag(T::reg_postcode), a.postcode)
            .leaf_tag(tag(T::reg_city), a.city)
            .leaf_tag(tag(T::reg_country), a.county)
            .leaf_tag(tag(T::reg_state), a.state)
            .leaf_tag(tag(T::reg_direction), a.direction)
            .leaf_tag(tag(T::reg_phone), a.phone)
            .leaf_tag(tag(T::reg_mobile), a.mob_phone)
            .leaf_tag(tag(T::reg_fax), a.fax)
            .leaf_tag(tag(T::reg_email), a.email)
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
            .leaf_tag(tag(T::generate_invoices), user.generate_invoice)
            .leaf_tag(tag(T::simplified_pdf), bit(2))
            .leaf_tag(tag(T::simplified_csv), bit(4))
            .leaf_tag(tag(T::detailed_pdf), bit(8))
            .leaf_tag(tag(T::detailed_csv), bit(16))
            .leaf_tag(tag(T::show_zero_calls), user.invoice_zero_calls)
            .close();
        d.open("warning_balance")
            .leaf_tag(tag(T::active), user.warning_email_active)
            .open("send_email_when_balance_drops_lower_than")
            .leaf_tag(tag(T::user), &nice(user.warning_email_balance))
            .close()
            .leaf_tag(tag(T::warning_email_hour), user.warning_email_hour)
            .close();
    }
    d.close().close();
    d.finish()
}
