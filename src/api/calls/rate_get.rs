//! `rate_get` (alias `rate`), docs/calls.md: the price of a dialled number for a user, as
//! `PRICE#DESTINATION#PREFIX`: whose tariff by the vendor's rule, the longest destination
//! prefix, its group, the tariff's rate there. Read only.

use crate::api::{ApiRequest, Authed, CallSpec, Fields, Form, Param, Read, Run};
use crate::auth::{Caller, Role};
use crate::error::ApiError;
use crate::numbers::real_text;
use crate::settings::{DEVICES_CHECK_RATE, RESELLERS_USE_ADMIN_TARIFFS};
use crate::store::ReadCtx;
use crate::store::queries::group_right;
use crate::store::rates::{self, RateUser};
use crate::xml::Doc;
use rusqlite::Connection;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["rate_get", "rate"],
    hash_order: hash_order!(PARAMS),
    unknown: |_| ApiError::UserNotFound,
    unnamed: Some(ApiError::AccessDenied),
    run: Run::read::<RateGet>(),
    params: || PARAMS,
    summary: "The price of a dialled number for a user, as PRICE#DESTINATION#PREFIX",
    ..CallSpec::DEFAULT
};

/// The parameters besides `hash` and `test`, hashed ones first in hash order.
const PARAMS: &[Param] = &[
    Param::hashed(
        "username",
        Form::Text,
        "Whose rate (required; a plain user caller always gets its own).",
    ),
    Param::plain(
        "prefix",
        Form::Text,
        "The dialled number; anything but digits is left out.",
    ),
    Param::plain(
        "by_full_dst",
        Form::Flag,
        "The vendor's every-matching-rate mode: answered as if not sent.",
    ),
];

/// The rights an accountant or manager needs to look up a rate (each read).
const STAFF_RIGHTS: &[&str] = &["tariff_manage", "see_financial_data"];

/// A rate look-up.
pub struct RateGet {
    username: String,
    digits: String,
}

impl Read for RateGet {
    fn parse(req: &ApiRequest) -> Result<RateGet, ApiError> {
        let f = Fields::of(req);
        Ok(RateGet {
            username: f.text("username"),
            digits: f
                .text("prefix")
                .chars()
                .filter(char::is_ascii_digit)
                .collect(),
        })
    }

    fn answer(
        self,
        conn: &Connection,
        _ctx: &ReadCtx<'_>,
        who: &Authed,
    ) -> Result<Vec<u8>, ApiError> {
        let s = &who.settings;
        if !s.system_on(DEVICES_CHECK_RATE) {
            return Err(ApiError::FeatureDisabled);
        }
        if self.digits.is_empty() {
            return Err(ApiError::EmptyPrefix);
        }
        let caller = &who.caller;
        let named = rates::user_by_username(conn, &self.username)?.ok_or(ApiError::UserNotFound)?;
        let whose = whose(
            conn,
            caller,
            &named,
            s.system_on(RESELLERS_USE_ADMIN_TARIFFS),
        )?;
        let tariff = rates::user_by_id(conn, whose)?
            .ok_or(ApiError::UserNotFound)?
            .tariff_id;
        let found = rates::destinations_of(conn, &self.digits)?;
        let destination = found.first().ok_or(ApiError::PrefixNotFound)?;
        // The destination's group, else that of the next shorter destination with one.
        let mut group = None;
        for d in &found {
            if d.group != 0 && rates::group_exists(conn, d.group)? {
                group = Some(d.group);
                break;
            }
        }
        let group = group.ok_or(ApiError::DestinationGroupNotFound)?;
        let price =
            rates::price(conn, tariff, destination.id, group)?.ok_or(ApiError::RateNotFound)?;
        let mut d = Doc::new();
        d.open("page")
            .leaf_parts(
                "rate",
                &[
                    &real_text(price),
                    "#",
                    &destination.name,
                    "#",
                    &destination.prefix,
                ],
            )
            .close();
        d.finish()
    }
}

/// Whose tariff the rate is looked up in (the vendor's `api_rate_get_user`), or the error.
fn whose(
    conn: &Connection,
    caller: &Caller,
    named: &RateUser,
    resellers_use_admin_tariffs: bool,
) -> Result<i64, ApiError> {
    let staff = |usertype: &str| matches!(usertype, "admin" | "accountant" | "manager");
    let staff_allowed = || -> Result<bool, ApiError> {
        for right in STAFF_RIGHTS {
            if group_right(conn, caller.acc_group_id, right)? < 1 {
                return Ok(false);
            }
        }
        Ok(true)
    };
    let unauthorized = matches!(caller.role, Role::Accountant | Role::Manager) && !staff_allowed()?;
    let found = match caller.role {
        Role::User => Some(caller.id),
        Role::Reseller if named.id == caller.id => Some(caller.id),
        Role::Reseller if named.owner_id == 0 && resellers_use_admin_tariffs => Some(named.id),
        _ if staff(&named.usertype) => None,
        Role::Admin => (named.owner_id == 0).then_some(named.id),
        Role::Accountant | Role::Manager => {
            (!unauthorized && named.owner_id == 0).then_some(named.id)
        }
        Role::Reseller => (named.owner_id == caller.id).then_some(named.id),
    };
    if let Some(id) = found {
        return Ok(id);
    }
    let caller_staff = caller.role != Role::User && caller.role != Role::Reseller;
    Err(if unauthorized {
        ApiError::NotAuthorized
    } else if named.usertype == "user" && caller_staff {
        ApiError::UserBelongsTo(named.owner_username.clone())
    } else if caller_staff || staff(&named.usertype) {
        ApiError::RateNotFound
    } else {
        ApiError::UserNotFound
    })
}
