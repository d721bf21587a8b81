//! `dids_get`, docs/dids.md: the DIDs in the caller's reach, searched, ordered by number, with
//! the elements the caller's role sees; sent as it is written (a stock may be large). Read only.

use crate::api::dids::MANAGE_DIDS;
use crate::api::reach::{self, Access, Admit, Targets};
use crate::api::{
    ApiRequest, Authed, CallSpec, ErrorShape, Fields, Form, Param, ReadStreamed, Run,
};
use crate::auth::Role;
use crate::dids::Status;
use crate::error::ApiError;
use crate::store::ReadCtx;
use crate::store::dids::{self as store, Search, StatusIs};
use crate::stream::Pieces;
use crate::xml::Doc;
use rusqlite::Connection;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["dids_get"],
    hash_order: hash_order!(PARAMS),
    hash_rules: crate::auth::AS_SENT,
    errors: ErrorShape::PageStatus,
    run: Run::streamed::<DidsGet>(),
    params: || PARAMS,
    summary: "The DIDs in reach, searched by number, status, owner, user, device, provider…",
    reach: REACH,
    ..CallSpec::DEFAULT
};

/// The admin and staff with the DID right (read): every DID; a reseller: its stock; a user:
/// its own DIDs.
const REACH: reach::Table = did_reach!(
    Admit::Right(MANAGE_DIDS, 1, ApiError::NotAuthorizedDids),
    Access::open(Role::User, Targets::Itself)
);

/// The parameters besides `hash` and `test`: none is hashed.
const PARAMS: &[Param] = &[
    Param::plain(
        "search_did_number",
        Form::Text,
        "The number, as SQL LIKE (% and _ are wildcards; nothing is added).",
    ),
    Param::plain(
        "search_status",
        Form::Choice(&["free", "reserved", "active", "closed", "terminated"]),
        "The state. The admin's free and active are the system stock's; its reserved adds every reseller's stock.",
    ),
    Param::plain(
        "search_did_owner",
        Form::Text,
        "DIDs not free whose user's name (first and last, or username) is LIKE this.",
    ),
    Param::plain(
        "search_dialplan",
        Form::Digits,
        "A dial plan's id (not for users).",
    ),
    Param::plain(
        "search_user",
        Form::Digits,
        "A user's DIDs, or a reseller's stock.",
    ),
    Param::plain("search_device", Form::Text, "A device's id; `all`: any."),
    Param::plain(
        "search_provider",
        Form::Digits,
        "A provider's id (the admin, staff, and resellers with their own providers).",
    ),
    Param::plain(
        "search_language",
        Form::Text,
        "The language, whatever its case; `all` (the default): any; empty: none set.",
    ),
    Param::plain(
        "search_hide_terminated_dids",
        Form::Flag,
        "1: leave out terminated DIDs.",
    ),
    Param::plain("from", Form::Count, "The first row to answer, from 1."),
    Param::plain(
        "max_results",
        Form::Count,
        "How many rows at most (default: all).",
    ),
];

/// A search, as sent.
pub struct DidsGet {
    number: Option<String>,
    status: Option<String>,
    owner: Option<String>,
    dialplan: Option<String>,
    user: Option<String>,
    device: Option<String>,
    provider: Option<String>,
    language: Option<String>,
    hide_terminated: bool,
    from: i64,
    max_results: Option<i64>,
}

/// A search parameter's value: `None` when not sent or blank.
fn search(f: &Fields<'_>, name: &str) -> Option<String> {
    let v = f.trimmed(name);
    (!v.is_empty()).then_some(v)
}

/// A count of 1 or more, else `None`.
fn positive(f: &Fields<'_>, name: &str) -> Option<i64> {
    f.id(name).filter(|n| *n >= 1)
}

impl ReadStreamed for DidsGet {
    fn parse(req: &ApiRequest) -> Result<DidsGet, ApiError> {
        let f = Fields::of(req);
        Ok(DidsGet {
            number: search(&f, "search_did_number"),
            status: search(&f, "search_status").map(|s| s.to_lowercase()),
            owner: search(&f, "search_did_owner"),
            dialplan: search(&f, "search_dialplan"),
            user: search(&f, "search_user"),
            device: search(&f, "search_device").filter(|d| d != "all"),
            provider: search(&f, "search_provider"),
            language: f
                .sent("search_language")
                .map(|v| v.trim().to_string())
                .filter(|v| v != "all"),
            hide_terminated: f.trimmed("search_hide_terminated_dids") == "1",
            from: positive(&f, "from").unwrap_or(1),
            max_results: positive(&f, "max_results"),
        })
    }

    fn answer(
        self,
        conn: &Connection,
        _ctx: &ReadCtx<'_>,
        who: &Authed,
        out: &mut Pieces,
    ) -> Result<Vec<u8>, ApiError> {
        let caller = &who.caller;
        reach::admit(conn, caller, REACH)?;
        let role = caller.role;
        let system = matches!(role, Role::Admin | Role::Accountant | Role::Manager);
        let status = self.status.map(|s| match (system, s.as_str()) {
            (true, "free" | "active") => StatusIs::InSystemStock(s),
            (true, "reserved") => StatusIs::ReservedOrResellers,
            _ => StatusIs::Exactly(s),
        });
        let provider_filter =
            system || (role == Role::Reseller && store::own_providers(conn, caller.id)?);
        let s = Search {
            number: self.number,
            status,
            owner: self.owner,
            dialplan: self.dialplan.filter(|_| role != Role::User),
            user: self.user,
            device: self.device,
            provider: self.provider.filter(|_| provider_filter),
            language: self.language,
            hide_terminated: self.hide_terminated,
            reseller: (role == Role::Reseller).then_some(caller.id),
            of_user: (role == Role::User).then_some(caller.id),
            skip: self.from - 1,
            take: self.max_results,
        };
        let mut d = Doc::new();
        d.open("page").open("dids");
        let n = store::list(conn, &s, |r| {
            d.open("did").leaf("did", &r.did);
            if system {
                d.leaf("provider", &r.provider);
            }
            d.leaf("language", &r.language)
                .leaf("status", &Status::shown(&r.status));
            if system && r.reseller_id > 0 {
                d.leaf("reseller", &r.reseller);
            }
            if !(r.reseller_id > 0 && r.user_id == 0) {
                d.leaf("owner", &r.owner);
            }
            d.leaf("device", &r.device);
            if role != Role::User {
                d.leaf("dial_plan", &r.dial_plan);
            }
            let limit = match r.call_limit {
                0 => "Unlimited".to_string(),
                n => n.to_string(),
            };
            d.leaf("simultaneous_call_limit", &limit);
            let comment = if role == Role::Reseller {
                &r.reseller_comment
            } else {
                &r.comment
            };
            if let Some(c) = comment {
                let c: String = c.chars().take(25).collect();
                d.leaf("comment", &c);
            }
            if role != Role::User {
                d.leaf("tone_zone", &r.tonezone);
            }
            d.leaf_int("id", r.id).close();
            out.offer(&mut d)
        })?;
        if n == 0 {
            return Err(ApiError::NoDids);
        }
        d.close().close();
        d.finish()
    }
}
