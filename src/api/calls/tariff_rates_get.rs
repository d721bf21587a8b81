//! `tariff_rates_get` (alias `get_tariff`), docs/calls.md: a tariff's rates, retail (by
//! destination group, with their price bands) or wholesale (one row per price), in a ZIP
//! archive unless `test=1`. Which tariff: the one named, the user's, or the caller's own.
//! Read only.

use crate::api::reach::{self, Access, Targets};
use crate::api::{ApiRequest, Authed, Body, CallSpec, ErrorShape, Fields, Form, Param, Read, Run};
use crate::auth::{HashValue, Role};
use crate::error::ApiError;
use crate::numbers::{fixed, real_text};
use crate::settings::{NICE_NUMBER_DIGITS, RESELLERS_USE_ADMIN_TARIFFS};
use crate::store::rates::{self, Tariff};
use crate::store::{ReadCtx, queries};
use crate::xml::Doc;
use rusqlite::Connection;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["tariff_rates_get", "get_tariff"],
    hash_order: hash_order!(PARAMS),
    hash_rules: &[
        ("user_id", HashValue::PlainInteger),
        ("tariff_id", HashValue::PlainInteger),
    ],
    errors: ErrorShape::PageStatus,
    unknown: |_| ApiError::BadLogin,
    body: Body::Zip("get_tariff"),
    run: Run::read::<TariffRatesGet>(),
    params: || PARAMS,
    summary: "A tariff's rates, retail or wholesale, in a ZIP archive (inline XML with test=1)",
    reach: REACH,
    ..CallSpec::DEFAULT
};

/// Whose tariff `user_id` may name: the admin and staff anyone's, a reseller its own and its
/// users', a user its own.
const REACH: reach::Table = &[
    Access::open(Role::Admin, Targets::Anyone),
    Access::open(Role::Accountant, Targets::Anyone),
    Access::open(Role::Manager, Targets::Anyone),
    Access::open(Role::Reseller, Targets::ItselfAndOwned),
    Access::open(Role::User, Targets::Itself),
];

/// The parameters besides `hash` and `test`, hashed ones first in hash order.
const PARAMS: &[Param] = &[
    Param::hashed("user_id", Form::Digits, "Whose tariff (a user in reach)."),
    Param::hashed(
        "tariff_id",
        Form::Digits,
        "Which tariff (without user_id: the admin any, a reseller its own, or the system's non-provider ones when allowed).",
    ),
    Param::plain(
        "additional_retail_info",
        Form::Flag,
        "Accepted and ignored.",
    ),
];

/// A tariff request.
pub struct TariffRatesGet {
    user: Option<i64>,
    tariff: Option<i64>,
}

impl Read for TariffRatesGet {
    fn parse(req: &ApiRequest) -> Result<TariffRatesGet, ApiError> {
        let f = Fields::of(req);
        Ok(TariffRatesGet {
            user: f.target(),
            tariff: f.id("tariff_id"),
        })
    }

    fn answer(
        self,
        conn: &Connection,
        _ctx: &ReadCtx<'_>,
        who: &Authed,
    ) -> Result<Vec<u8>, ApiError> {
        let tariff = self.which(conn, who)?.ok_or(ApiError::NoTariffFound)?;
        let digits = who.settings.system_int(NICE_NUMBER_DIGITS, 2).clamp(0, 10) as usize;
        let mut d = Doc::new();
        d.open("page")
            .leaf("pagename", "Tariff")
            .leaf("tariff_name", &tariff.name)
            .leaf("purpose", &tariff.purpose)
            .leaf("currency", &tariff.currency)
            .open("rates");
        if tariff.purpose == "user" {
            let mut open: Option<i64> = None;
            rates::retail(conn, tariff.id, |group, name, band| {
                if open != Some(group) {
                    if open.is_some() {
                        d.close();
                    }
                    d.open("destination").leaf("destination_group_name", name);
                    open = Some(group);
                }
                if let Some(b) = band {
                    let duration = match b.duration {
                        -1 => "Infinity".to_string(),
                        n => n.to_string(),
                    };
                    d.open("rate")
                        .leaf("duration", &duration)
                        .leaf("type", &b.artype)
                        .leaf_int("round_by", b.round)
                        .leaf("tariff_rate", &real_text(b.price))
                        .leaf("start_time", &b.start_time)
                        .leaf("end_time", &b.end_time)
                        .leaf("daytype", &b.daytype)
                        .leaf_int("from", b.from)
                        .close();
                }
            })?;
            if open.is_some() {
                d.close();
            }
        } else {
            rates::wholesale(conn, tariff.id, |r| {
                d.open("rate")
                    .leaf("direction", &r.direction)
                    .leaf("destination", &r.destination)
                    .leaf("prefix", &r.prefix)
                    .leaf("code", &r.code)
                    .leaf("tariff_rate", &fixed(r.rate, digits))
                    .leaf("con_fee", &fixed(r.connection_fee, digits))
                    .leaf_int("increment", r.increment)
                    .leaf_int("min_time", r.min_time)
                    .leaf("start_time", &r.start_time)
                    .leaf("end_time", &r.end_time)
                    .leaf("daytype", &r.daytype)
                    .close();
            })?;
        }
        d.close().close();
        d.finish()
    }
}

impl TariffRatesGet {
    /// The tariff the request names (docs/calls.md): by id alone for the admin, resellers and
    /// managers; else the user's in reach; else the caller's own.
    fn which(&self, conn: &Connection, who: &Authed) -> Result<Option<Tariff>, ApiError> {
        let caller = &who.caller;
        if let (Some(id), None) = (self.tariff, self.user)
            && matches!(caller.role, Role::Admin | Role::Reseller | Role::Manager)
        {
            let admin_tariffs = who.settings.system_on(RESELLERS_USE_ADMIN_TARIFFS);
            return Ok(rates::tariff(conn, id)?.filter(|t| match caller.role {
                Role::Admin => true,
                Role::Reseller if admin_tariffs => t.purpose != "provider",
                _ => t.owner_id == caller.id,
            }));
        }
        let whose = match self.user {
            Some(id) => {
                let targets = reach::targets_of(REACH, caller).unwrap_or(Targets::Itself);
                match queries::target_facts(conn, id)? {
                    Some(t) if reach::check(targets, caller, &t).is_ok() => id,
                    _ => return Ok(None),
                }
            }
            None => caller.id,
        };
        let Some(user) = rates::user_by_id(conn, whose)? else {
            return Ok(None);
        };
        Ok(rates::tariff(conn, user.tariff_id)?)
    }
}
