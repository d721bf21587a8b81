//! `user_calls_get` (alias `user_calls`), docs/calls.md: the calls of a user, of a reseller's
//! users or of everyone in a period, filtered and sorted, each row with the columns the
//! caller's role may see, in the vendor's number formats. Read only.

use crate::api::{
    ApiRequest, Authed, CallSpec, ErrorShape, Fields, Form, Param, ReadStreamed, Run,
};
use crate::auth::{HashValue, Role};
use crate::error::ApiError;
use crate::numbers::{fixed, rounded};
use crate::settings::{
    ANSWER_TO_FAILED, HGC_FOR_RESELLERS, NICE_NUMBER_DIGITS, RS_ACTIVE, RSPRO_ACTIVE,
    USER_BILLSEC_SHOW,
};
use crate::store::calls::{self, CallRow, Disposition, Listing, Sort, Whose};
use crate::store::{ReadCtx, currencies, queries};
use crate::stream::Pieces;
use crate::xml::Doc;
use rusqlite::Connection;

/// The call's row of the call table.
pub const SPEC: CallSpec = CallSpec {
    names: &["user_calls_get", "user_calls"],
    hash_order: hash_order!(PARAMS),
    hash_rules: HASH_RULES,
    errors: ErrorShape::Bare,
    run: Run::streamed::<UserCallsGet>(),
    params: || PARAMS,
    summary: "Calls of a user, a reseller's users or everyone in a period, filtered and sorted",
    ..CallSpec::DEFAULT
};

/// The call types `calltype` is hashed for (any other value counts as not sent).
const CALLTYPES: &[&str] = &[
    "all",
    "answered",
    "busy",
    "no_answer",
    "failed",
    "missed",
    "missed_inc",
    "missed_inc_all",
    "missed_not_processed_inc",
];

/// How each hashed value goes into the hash (docs/calls.md; the rest as sent).
const HASH_RULES: crate::auth::HashRules = &[
    ("user_id", HashValue::PlainInteger),
    ("period_start", HashValue::PlainInteger),
    ("period_end", HashValue::PlainInteger),
    ("only_did", HashValue::PlainInteger),
    ("s_user", HashValue::Digits),
    ("s_device", HashValue::DigitsOrAll),
    ("s_provider", HashValue::DigitsOrAll),
    ("s_hgc", HashValue::DigitsOrAll),
    ("s_did", HashValue::DigitsOrAll),
    ("device", HashValue::DigitsOrAll),
    ("direction", HashValue::OneOf(&["outgoing", "incoming"])),
    ("calltype", HashValue::OneOf(CALLTYPES)),
];

/// The parameters besides `hash` and `test`, hashed ones first in hash order.
const PARAMS: &[Param] = &[
    Param::hashed(
        "user_id",
        Form::Digits,
        "The MOR 8 name of s_user (used when s_user is not sent).",
    ),
    Param::hashed(
        "period_start",
        Form::Count,
        "The period's first second, a unix time (default: today 00:00:00).",
    ),
    Param::hashed(
        "period_end",
        Form::Count,
        "The period's last second, a unix time (default: today 23:59:59).",
    ),
    Param::hashed(
        "direction",
        Form::Choice(&["outgoing", "incoming"]),
        "MOR 8; hashed, otherwise ignored.",
    ),
    Param::hashed("calltype", Form::Text, "MOR 8; hashed, otherwise ignored."),
    Param::hashed("device", Form::Text, "MOR 8; hashed, otherwise ignored."),
    Param::hashed(
        "s_user",
        Form::Text,
        "Whose calls: a user id, or all (default; empty counts as all).",
    ),
    Param::hashed(
        "s_call_type",
        Form::Text,
        "all, answered, failed, no answer, busy.",
    ),
    Param::hashed(
        "s_device",
        Form::Text,
        "A device id (made or received), or all.",
    ),
    Param::hashed(
        "s_provider",
        Form::Text,
        "A provider id, or all (staff; resellers with own providers).",
    ),
    Param::hashed(
        "s_hgc",
        Form::Text,
        "A hang-up cause id, or all (staff; resellers when allowed).",
    ),
    Param::hashed("s_did", Form::Text, "A DID id, or all (staff)."),
    Param::hashed(
        "s_destination",
        Form::Text,
        "A pattern of digits and % on the dialled number.",
    ),
    Param::hashed(
        "order_by",
        Form::Text,
        "time (default), src, dst, nice_billsec, hgc, server, p_name, p_rate, p_price, reseller, r_rate, r_price, user, u_rate, u_price, number, d_provider, d_inc, d_owner, prefix, direction, destination, duration.",
    ),
    Param::hashed("order_desc", Form::Int, "Non-zero: descending."),
    Param::hashed("only_did", Form::Flag, "1: only calls to a DID."),
    Param::hashed(
        "s_uniqueid",
        Form::Text,
        "Only the call with this uniqueid.",
    ),
    Param::hashed(
        "s_callback_uniqueid",
        Form::Text,
        "Hashed, otherwise ignored.",
    ),
    Param::hashed(
        "originator_codec_name",
        Form::Text,
        "Hashed, otherwise ignored.",
    ),
    Param::hashed(
        "terminator_codec_name",
        Form::Text,
        "Hashed, otherwise ignored.",
    ),
    Param::plain(
        "s_reseller",
        Form::Text,
        "Staff: only calls of this reseller (reseller_id).",
    ),
];

/// `order_by` values and the orders they name (anything else: time).
const ORDER_BY: &[(&str, Sort)] = &[
    ("time", Sort::Time),
    ("src", Sort::Src),
    ("dst", Sort::Dst),
    ("nice_billsec", Sort::Billsec),
    ("hgc", Sort::Cause),
    ("server", Sort::Server),
    ("p_name", Sort::ProviderName),
    ("p_rate", Sort::ProviderRate),
    ("p_price", Sort::ProviderPrice),
    ("reseller", Sort::Reseller),
    ("r_rate", Sort::ResellerRate),
    ("r_price", Sort::ResellerPrice),
    ("user", Sort::User),
    ("u_rate", Sort::UserRate),
    ("u_price", Sort::UserPrice),
    ("number", Sort::DidNumber),
    ("d_provider", Sort::DidProvider),
    ("d_inc", Sort::DidIncPrice),
    ("d_owner", Sort::DidOwner),
    ("prefix", Sort::Prefix),
    ("direction", Sort::Direction),
    ("destination", Sort::Destination),
    ("duration", Sort::Duration),
];

/// About how many rows fit in one piece of an answer: a listing of more sends its head before
/// its first row is read.
const ROWS_IN_ONE_PIECE: i64 = 64;

/// The most seconds a period's unix times may name (9999-12-31 23:59:59 UTC).
const LAST_SECOND: u64 = 253_402_300_799;

/// A listing request, as sent.
pub struct UserCallsGet {
    period_start: Option<u64>,
    period_end: Option<u64>,
    /// `s_user`, or `user_id` when `s_user` is not sent; `None`: neither.
    s_user: Option<String>,
    s_reseller: Option<String>,
    s_call_type: String,
    s_device: String,
    s_provider: String,
    s_hgc: String,
    s_did: String,
    s_destination: String,
    order_by: String,
    order_desc: bool,
    only_did: bool,
    s_uniqueid: String,
}

/// A unix time sent as digits (too large: the last second there is), or `None`.
fn unix_time(f: &Fields<'_>, name: &str) -> Option<u64> {
    let v = f.sent(name)?;
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(v.parse::<u64>().map_or(LAST_SECOND, |t| t.min(LAST_SECOND)))
}

/// A positive id sent as digits.
fn positive(v: &str) -> Option<i64> {
    id(v).filter(|n| *n != 0)
}

/// An id sent as digits (too large for any row: -1, which matches nothing), or `None`.
fn id(v: &str) -> Option<i64> {
    (!v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())).then(|| v.parse::<i64>().unwrap_or(-1))
}

impl ReadStreamed for UserCallsGet {
    fn parse(req: &ApiRequest) -> Result<UserCallsGet, ApiError> {
        let f = Fields::of(req);
        let or_all = |name: &str| match f.text(name).as_str() {
            "" => "all".to_string(),
            v => v.to_string(),
        };
        Ok(UserCallsGet {
            period_start: unix_time(&f, "period_start"),
            period_end: unix_time(&f, "period_end"),
            s_user: f.sent("s_user").or_else(|| f.sent("user_id")),
            s_reseller: f.sent("s_reseller"),
            s_call_type: or_all("s_call_type"),
            s_device: or_all("s_device"),
            s_provider: or_all("s_provider"),
            s_hgc: or_all("s_hgc"),
            s_did: or_all("s_did"),
            s_destination: f.trimmed("s_destination"),
            order_by: f.text("order_by"),
            order_desc: f.int("order_desc").is_some_and(|n| n != 0),
            only_did: f.text("only_did").trim() == "1",
            s_uniqueid: f.text("s_uniqueid"),
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
        let s = &who.settings;
        let staff = matches!(caller.role, Role::Admin | Role::Accountant | Role::Manager);
        // Whose calls (docs/calls.md 2.2).
        let s_user = self.s_user.clone().filter(|v| !v.is_empty());
        let whose = match caller.role {
            Role::User => Whose::User {
                id: caller.id,
                dst_devices: false,
            },
            _ => match s_user.as_deref() {
                None | Some("all") if caller.role == Role::Reseller => Whose::Reseller(caller.id),
                None | Some("all") => Whose::All,
                Some(v) => {
                    let id = id(v).ok_or(ApiError::UserNotFound)?;
                    let target = queries::target_facts(conn, id)?.ok_or(ApiError::UserNotFound)?;
                    if caller.role == Role::Reseller
                        && target.id != caller.id
                        && target.owner_id != caller.id
                    {
                        return Err(ApiError::UserNotFound);
                    }
                    Whose::User {
                        id: target.id,
                        dst_devices: staff,
                    }
                }
            },
        };
        let user_caller = caller.role == Role::User;
        let hgc16 = user_caller && s.system_on(ANSWER_TO_FAILED);
        let disposition = match self.s_call_type.as_str() {
            "all" => Disposition::Any,
            "answered" if hgc16 => Disposition::AnsweredNormally,
            "failed" if hgc16 => Disposition::FailedOrAbnormal,
            other => Disposition::Is(other.to_string()),
        };
        let viewer = calls::viewer(conn, caller.id)?.unwrap_or_default();
        let own_providers = caller.role == Role::Reseller && viewer.own_providers;
        let provider = (staff || own_providers)
            .then(|| positive(&self.s_provider))
            .flatten();
        let hgc = (staff || (caller.role == Role::Reseller && s.system_on(HGC_FOR_RESELLERS)))
            .then(|| positive(&self.s_hgc))
            .flatten();
        let destination = (!self.s_destination.is_empty()
            && self
                .s_destination
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'%'))
        .then(|| self.s_destination.clone());
        let today = crate::localtime::today();
        let from = self.period_start.map_or_else(
            || format!("{today} 00:00:00"),
            |t| crate::localtime::local(t as i64),
        );
        let till = self.period_end.map_or_else(
            || format!("{today} 23:59:59"),
            |t| crate::localtime::local(t as i64),
        );
        let listing = Listing {
            from: from.clone(),
            till: till.clone(),
            whose,
            assigned_to: (caller.role.is_staff() && caller.show_only_assigned_users)
                .then_some(caller.id),
            reseller: if staff {
                self.s_reseller.as_deref().and_then(id)
            } else {
                None
            },
            disposition,
            device: id(&self.s_device),
            provider,
            cause_row: hgc,
            did: if staff { positive(&self.s_did) } else { None },
            destination,
            only_did: self.only_did,
            uniqueid: (!self.s_uniqueid.is_empty()).then(|| self.s_uniqueid.clone()),
            sort: ORDER_BY
                .iter()
                .find(|(n, _)| *n == self.order_by)
                .map_or(Sort::Time, |(_, s)| *s),
            descending: self.order_desc,
        };
        let view = View {
            role: caller.role,
            caller: caller.id,
            finances: match caller.role {
                Role::Admin | Role::Reseller => true,
                Role::Accountant | Role::Manager => {
                    queries::group_right(conn, caller.acc_group_id, "see_financial_data")? >= 1
                }
                Role::User => false,
            },
            billing_info: viewer.show_billing_info,
            own_providers,
            provider_filter: provider.is_some(),
            rs: s.system_on(RS_ACTIVE),
            rspro: s.system_on(RSPRO_ACTIVE),
            hgc16,
            user_billsec: user_caller && s.scoped_on(USER_BILLSEC_SHOW),
            // A negative setting is unset; bit 1 (GUI) or 2 (CSV) hides.
            hide_end: user_caller
                && viewer.hide_destination_end > 0
                && viewer.hide_destination_end & 3 != 0,
            digits: s.system_int(NICE_NUMBER_DIGITS, 2).clamp(0, 10) as usize,
        };
        // The count heads the answer: counted first, in the same snapshot as the rows (on a
        // first try, no further than a piece's worth: past that, the answer is long).
        let total = if out.trying() {
            match calls::count_up_to(conn, &listing, ROWS_IN_ONE_PIECE + 1)? {
                n if n > ROWS_IN_ONE_PIECE => return Err(out.give_up()),
                n => n,
            }
        } else {
            calls::count(conn, &listing)?
        };
        let currency = currencies::default(conn)?;
        let username = viewer.username.clone();
        let shown = |v: &str| {
            if v.is_empty() {
                "all".to_string()
            } else {
                v.to_string()
            }
        };
        let mut d = Doc::new();
        d.open("page")
            .leaf("pagename", "Calls")
            .leaf("language", "en")
            .leaf("error_msg", "")
            .leaf_int("userid", caller.id)
            .leaf("username", &username)
            .leaf_int("total_calls", total)
            .leaf("currency", &currency.name)
            .open("calls_stat")
            .open("period")
            .leaf("period_start", &from)
            .leaf("period_end", &till)
            .close()
            .leaf(
                "show_user",
                &self.s_user.as_deref().map_or("all".to_string(), shown),
            )
            .leaf("show_device", &self.s_device)
            .leaf("show_status", &self.s_call_type)
            .leaf("show_provider", &self.s_provider)
            .leaf(
                "show_hgc",
                &positive(&self.s_hgc).map_or("all".to_string(), |n| n.to_string()),
            )
            .leaf(
                "show_reseller",
                &self.s_reseller.as_deref().map_or("all".to_string(), shown),
            )
            .leaf("show_did", &self.s_did);
        if !self.s_destination.is_empty() {
            d.leaf("show_destination", &self.s_destination);
        }
        if total > 0 {
            d.open("calls");
            // A long answer's head goes at once; its rows follow as they are read.
            if total > ROWS_IN_ONE_PIECE {
                out.flush(&mut d)?;
            }
            let timezone = crate::localtime::gmt_offset(crate::localtime::now());
            let timezone = timezone.as_str();
            calls::list(conn, &listing, |r| {
                d.open("call");
                for (name, value) in view.row(&r, timezone) {
                    d.leaf(name, &value);
                }
                d.close();
                out.offer(&mut d)
            })?;
            d.close();
        }
        d.close().close();
        d.finish()
    }
}

/// What a caller sees of a call row.
struct View {
    role: Role,
    caller: i64,
    finances: bool,
    billing_info: bool,
    own_providers: bool,
    provider_filter: bool,
    rs: bool,
    rspro: bool,
    hgc16: bool,
    user_billsec: bool,
    hide_end: bool,
    digits: usize,
}

impl View {
    /// The row's elements, in the answer's order, with their text.
    fn row(&self, r: &CallRow, timezone: &str) -> Vec<(&'static str, String)> {
        let n = self.digits;
        let rnd = |x: f64| rounded(x, n);
        let fix = |x: f64| fixed(x, n);
        // A reseller's own provider hides the admin's provider and reseller prices.
        let resellers_provider = r.provider.as_ref().is_some_and(|(_, owner, _)| *owner > 0);
        let hidden = self.rspro && resellers_provider;
        let destination = format!("{} {}", r.direction, r.destination);
        let dst = if r.localized_dst.is_empty() {
            r.dst.clone()
        } else {
            r.localized_dst.clone()
        };
        let nice_billsec = if self.user_billsec {
            r.user_billsec.ceil() as i64
        } else if r.billsec == 0 && r.real_billsec > 1.0 {
            r.real_billsec.ceil() as i64
        } else {
            r.billsec
        };
        let user = match &r.user {
            Some((first, last, username, _)) => match (first.is_empty(), last.is_empty()) {
                (false, false) => format!("{first} {last}"),
                (false, true) => first.clone(),
                (true, false) => last.clone(),
                (true, true) => username.clone(),
            },
            None => String::new(),
        };
        let mut out: Vec<(&'static str, String)> = vec![
            ("calldate2", r.calldate.clone()),
            ("timezone", timezone.to_string()),
            ("clid", r.clid.clone()),
            ("destination", destination),
        ];
        match self.role {
            Role::Admin | Role::Accountant | Role::Manager => {
                let f = self.finances;
                let (provider_rate, provider_price) = if hidden {
                    (0.0, 0.0)
                } else {
                    (r.provider_rate, r.provider_price)
                };
                let (reseller_rate, reseller_price) = if hidden {
                    (0.0, 0.0)
                } else {
                    (r.reseller_rate, r.reseller_price)
                };
                out.push(("did", r.did.clone()));
                if f {
                    out.push(("did_inc_price", rnd(r.did_inc_price)));
                    out.push(("did_price", rnd(r.did_price)));
                    out.push(("did_prov_price", rnd(r.did_prov_price)));
                }
                out.push(("dispod", format!("{}({})", r.disposition, r.hangupcause)));
                out.push(("dst", dst));
                out.push(("nice_billsec", nice_billsec.to_string()));
                if self.rs {
                    let name = match &r.reseller {
                        Some((first, last)) => format!("{first} {last}"),
                        None => " ".to_string(),
                    };
                    out.push(("nice_reseller", name));
                }
                out.push(("prefix", r.prefix.clone()));
                if f {
                    // The reseller's price as the row shows it (0 under the RSPRO rule).
                    let base = if r.reseller_id > 0 && self.rs {
                        reseller_price
                    } else {
                        r.user_price
                    };
                    let profit =
                        base + r.did_inc_price - provider_price + r.did_price + r.did_prov_price;
                    out.push(("profit", fix(profit)));
                }
                out.push((
                    "provider_name",
                    r.provider
                        .as_ref()
                        .map_or(String::new(), |(name, _, _)| name.clone()),
                ));
                if f {
                    out.push(("provider_price", rnd(provider_price)));
                    out.push(("provider_rate", rnd(provider_rate)));
                    if self.rs {
                        out.push(("reseller_price", rnd(reseller_price)));
                        out.push(("reseller_rate", rnd(reseller_rate)));
                    }
                }
                out.push(("server_id", r.server_id.to_string()));
                out.push(("src", r.src.clone()));
                out.push(("user", user));
                out.push(("user_id", r.user_id.to_string()));
                if f {
                    out.push(("user_price", rnd(r.user_price)));
                    out.push(("user_rate", rnd(r.user_rate)));
                }
            }
            Role::Reseller => {
                let owner_is_me = r
                    .user
                    .as_ref()
                    .is_some_and(|(_, _, _, owner)| *owner == self.caller);
                let (cost_rate, cost_price) = if resellers_provider {
                    (r.provider_rate, r.provider_price)
                } else {
                    (r.reseller_rate, r.reseller_price)
                };
                let profit = r.user_price - cost_price;
                if self.billing_info {
                    out.push(("did", r.did.clone()));
                    out.push((
                        "did_inc_price",
                        rnd(if owner_is_me { r.did_inc_price } else { 0.0 }),
                    ));
                    out.push((
                        "did_price",
                        rnd(if owner_is_me { 0.0 } else { r.did_price }),
                    ));
                }
                out.push(("dispod", format!("{}({})", r.disposition, r.hangupcause)));
                out.push(("dst", dst));
                out.push(("nice_billsec", nice_billsec.to_string()));
                out.push(("profit", fix(profit)));
                if self.billing_info {
                    if self.own_providers {
                        if self.provider_filter {
                            out.push(("provider_id", r.provider_id.to_string()));
                        }
                        let name = match &r.provider {
                            Some((_, 0, false)) => "admin".to_string(),
                            Some((_, _, true)) => format!("Provider {}", r.provider_id),
                            Some((name, _, _)) => name.clone(),
                            None => String::new(),
                        };
                        out.push(("provider_name", name));
                        out.push(("provider_price", rnd(cost_price)));
                        out.push(("provider_rate", rnd(cost_rate)));
                    } else {
                        out.push(("self_cost_price", fix(r.reseller_price)));
                        out.push(("self_cost_rate", fix(r.reseller_rate)));
                    }
                }
                out.push(("src", r.src.clone()));
                if self.billing_info {
                    out.push(("user", user));
                    out.push(("user_id", r.user_id.to_string()));
                    out.push(("user_price", rnd(r.user_price)));
                    out.push(("user_rate", rnd(r.user_rate)));
                }
            }
            Role::User => {
                let dispod = if self.hgc16 && r.disposition == "ANSWERED" && r.hangupcause != 16 {
                    "FAILED".to_string()
                } else {
                    r.disposition.clone()
                };
                out.push(("dispod", dispod));
                out.push(("dst", if self.hide_end { hide_end(&dst) } else { dst }));
                out.push(("nice_billsec", nice_billsec.to_string()));
                out.push(("prefix", r.prefix.clone()));
                out.push(("src", r.src.clone()));
                if self.billing_info {
                    let price = if r.user_id == self.caller {
                        r.user_price + r.did_inc_price
                    } else {
                        r.did_price
                    };
                    out.push(("user_price", rnd(price)));
                }
            }
        }
        out.push(("uniqueid", r.uniqueid.clone()));
        out
    }
}

/// A number with its last three characters as `XXX` (a shorter one: all `X`).
fn hide_end(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    let keep = chars.len().saturating_sub(3);
    chars[..keep].iter().collect::<String>() + &"X".repeat(chars.len() - keep)
}
