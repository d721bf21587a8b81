//! The API calls: their names and aliases, their hash parameters and error wrappers (the
//! [`CALLS`] table), and the shared first steps of every call: find the caller, load the
//! settings of its scope, run the gates. Each call's own rules and XML live in its own file.

pub mod update_params;
pub mod user_details_get;
pub mod user_details_raw_get;
pub mod user_details_update;

use crate::auth::{self, Caller};
use crate::error::ApiError;
use crate::guard::{Attempt, HashGuard};
use crate::params::Params;
use crate::settings::{Settings, XML_API_EXTENSION};
use crate::store::{ReadCtx, Store, queries};
use rusqlite::Connection;
use std::net::IpAddr;
use std::sync::Arc;

/// The calls morbox answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// `user_details_get` (alias `user_details`).
    UserDetailsGet,
    /// `user_details_raw_get`.
    UserDetailsRawGet,
    /// `user_details_update` (alias `user_update_api`).
    UserDetailsUpdate,
}

/// How a call wraps its own errors (gate errors always use [`ErrorShape::Status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorShape {
    /// `<error>TEXT</error>`
    Bare,
    /// `<status><error>TEXT</error></status>`
    Status,
    /// `<page><status><error>TEXT</error></status></page>`
    PageStatus,
    /// `<page><error>TEXT</error><message>…</message>…</page>`
    Page,
}

/// Where a call's hash parameters come from.
#[derive(Debug, Clone, Copy)]
pub enum HashParams {
    /// A fixed list, in hash order.
    Fixed(&'static [&'static str]),
    /// The hashed rows of the update parameter table, in its order.
    UpdateTable,
}

/// One row of the call table.
pub struct CallSpec {
    /// The call.
    pub call: Call,
    /// The names it answers to under `/api/` and `/billing/api/`, the main one first.
    pub names: &'static [&'static str],
    /// Its hash parameters (NOTES.md section 5).
    pub hash: HashParams,
    /// How its own errors are wrapped (NOTES.md section 2).
    pub errors: ErrorShape,
}

/// The legacy API's calls, as the vendor's pages define them.
pub const CALLS: &[CallSpec] = &[
    CallSpec {
        call: Call::UserDetailsGet,
        names: &["user_details_get", "user_details"],
        hash: HashParams::Fixed(&["user_id", "username"]),
        errors: ErrorShape::Bare,
    },
    CallSpec {
        call: Call::UserDetailsRawGet,
        names: &["user_details_raw_get"],
        hash: HashParams::Fixed(&["u", "user_id"]),
        errors: ErrorShape::PageStatus,
    },
    CallSpec {
        call: Call::UserDetailsUpdate,
        names: &["user_details_update", "user_update_api"],
        hash: HashParams::UpdateTable,
        errors: ErrorShape::Page,
    },
];

impl Call {
    /// The call a path segment names, aliases included.
    pub fn from_name(name: &str) -> Option<Call> {
        CALLS
            .iter()
            .find(|s| s.names.contains(&name))
            .map(|s| s.call)
    }

    /// This call's row of [`CALLS`].
    pub fn spec(self) -> &'static CallSpec {
        CALLS.iter().find(|s| s.call == self).unwrap_or(&CALLS[0])
    }

    /// The main name, for logs.
    pub fn name(self) -> &'static str {
        self.spec().names[0]
    }

    /// The parameters that go into the hash, in order.
    pub fn hash_order(self) -> &'static [&'static str] {
        match self.spec().hash {
            HashParams::Fixed(list) => list,
            HashParams::UpdateTable => &UPDATE_HASH_ORDER,
        }
    }
}

/// The hashed rows of the update parameter table, in its order (made once).
static UPDATE_HASH_ORDER: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    update_params::PARAMS
        .iter()
        .filter(|p| p.hashed)
        .map(|p| p.name)
        .collect()
});

/// One API request, routed and parsed.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    /// Which call.
    pub call: Call,
    /// Whether it came as GET (subject to `Allow_GET_API`).
    pub is_get: bool,
    /// Its parameters.
    pub params: Params,
    /// The client's address (for the hash-failure lockout and the audit).
    pub peer: IpAddr,
    /// The parameters as they travelled (not decoded), kept only to explain hash errors.
    pub raw: Vec<(String, String)>,
}

/// What the calls run against: the database and the lockout state.
pub struct Backend {
    /// The database.
    pub store: Arc<Store>,
    /// Failed-hash counts per address and caller.
    pub guard: HashGuard,
    /// Snapshot/reset and the request journal, with `serve --test-endpoints`.
    pub kit: Option<crate::kit::TestKit>,
    /// Log why each `Incorrect hash` did not match (`serve --explain-hash-errors`).
    pub explain_hash_errors: bool,
    /// Where passwords are hashed (bounded: one at a time per core).
    pub passwords: crate::passwords::Pool,
}

/// What a call produced, for the router to send.
#[derive(Debug)]
pub struct Outcome {
    /// The XML document, or the error to render.
    pub result: Result<Vec<u8>, ApiError>,
    /// `XML_API_Extension` was on (answer as `text/xml`).
    pub xml_extension: bool,
    /// The caller's id, once known (for the log line).
    pub caller: Option<i64>,
    /// For an update: the columns it changed (`table.column`), for the journal.
    pub changed: Vec<String>,
}

impl Outcome {
    /// An outcome not decided yet.
    pub fn new() -> Outcome {
        Outcome {
            result: Err(ApiError::Internal),
            xml_extension: false,
            caller: None,
            changed: Vec::new(),
        }
    }
}

impl Default for Outcome {
    fn default() -> Self {
        Outcome::new()
    }
}

/// The caller after the gates, with the settings of its scope.
pub struct Authed {
    /// Who is calling.
    pub caller: Caller,
    /// The system's settings and those of the caller's scope.
    pub settings: Arc<Settings>,
}

/// Runs one API request to its outcome.
pub async fn handle(backend: &Backend, req: ApiRequest) -> Outcome {
    let peer = req.peer;
    let u = req.params.get("u").unwrap_or("").to_string();
    let outcome = match req.call {
        Call::UserDetailsGet => read_call(backend, &req, user_details_get::answer),
        Call::UserDetailsRawGet => read_call(backend, &req, user_details_raw_get::answer),
        Call::UserDetailsUpdate => user_details_update::handle(backend, req).await,
    };
    if outcome.result == Err(ApiError::IncorrectHash) {
        record_hash_failure(backend, peer, &u, outcome.caller.unwrap_or(0));
    }
    outcome
}

/// Logs a failed hash check and writes it to the audit table (never the hash or the key). The
/// audit write is not waited for: the answer does not depend on it. Only failures under the
/// lockout's limit get here, which bounds the writes a guesser can cause.
fn record_hash_failure(backend: &Backend, peer: IpAddr, u: &str, caller: i64) {
    tracing::warn!(%peer, u, "hash check failed");
    let store = Arc::clone(&backend.store);
    let (u, peer) = (u.to_string(), peer.to_string());
    tokio::spawn(async move {
        let now = crate::dates::now();
        let _ = store
            .writer()
            .write(move |conn| {
                conn.prepare_cached(
                    "INSERT INTO actions (date, user_id, target_id, action, data, data2)
                     VALUES (?1, ?2, 0, 'hash_failed', ?3, ?4)",
                )?
                .execute(rusqlite::params![now, caller, u, peer])?;
                Ok(())
            })
            .await;
    });
}

type ReadAnswer =
    fn(&Connection, &crate::store::ReadCtx<'_>, &ApiRequest, &Authed) -> Result<Vec<u8>, ApiError>;

/// A read call: caller, gates and answer, all on one read snapshot.
fn read_call(backend: &Backend, req: &ApiRequest, answer: ReadAnswer) -> Outcome {
    let mut outcome = Outcome::new();
    if let Err(e) = backend.store.read(|conn, ctx| {
        outcome.result = authenticate(conn, ctx, backend, req, &mut outcome)
            .and_then(|authed| answer(conn, ctx, req, &authed));
    }) {
        outcome.result = Err(e);
    }
    outcome
}

/// Gate 1 (the caller by `u`) and, through [`auth::check_gates`], gates 2–4, with the
/// lockout: a failure (unknown caller, wrong hash) is counted, and answered `429` while its
/// counts are over the limit; a pass is never refused. Records in `out` what the response
/// needs to know even when a gate refuses.
pub fn authenticate(
    conn: &Connection,
    ctx: &ReadCtx<'_>,
    backend: &Backend,
    req: &ApiRequest,
    out: &mut Outcome,
) -> Result<Authed, ApiError> {
    let u = req.params.get("u");
    let caller = match u {
        Some(u) => queries::caller_by_username(conn, u)?,
        None => None,
    };
    let scope = caller.as_ref().map_or(0, Caller::scope);
    let settings = ctx.settings(conn, scope)?;
    out.xml_extension = settings.system_on(XML_API_EXTENSION);
    let Some(caller) = caller else {
        // An unknown `u` enumerates usernames: it counts toward the address.
        let unknown = Attempt {
            addr: req.peer,
            caller: None,
            scopes: &[],
        };
        return Err(match backend.guard.fail(unknown) {
            Some(wait) => ApiError::TooManyFailures(wait),
            None => ApiError::AccessDenied,
        });
    };
    out.caller = Some(caller.id);
    let u = u.unwrap_or("");
    let gates = auth::check_gates(
        req.call.hash_order(),
        &caller,
        req.is_get,
        &settings,
        &req.params,
    );
    match gates {
        Ok(matched) => {
            backend.guard.pass(req.peer, u, matched);
            Ok(Authed { caller, settings })
        }
        Err(ApiError::IncorrectHash) => {
            let scopes: Vec<i64> = auth::keys(&caller, &settings)
                .iter()
                .map(|(s, _)| *s)
                .collect();
            let attempt = Attempt {
                addr: req.peer,
                caller: Some(u),
                scopes: &scopes,
            };
            if let Some(wait) = backend.guard.fail(attempt) {
                return Err(ApiError::TooManyFailures(wait));
            }
            if backend.explain_hash_errors {
                explain_in_log(conn, req, &caller, &settings);
            }
            Err(ApiError::IncorrectHash)
        }
        Err(e) => Err(e),
    }
}

/// Logs which usual mistake explains an `Incorrect hash` (never a key or a hash).
fn explain_in_log(conn: &Connection, req: &ApiRequest, caller: &Caller, settings: &Settings) {
    use crate::explain::{explain, named_keys};
    let key = settings.scoped(crate::settings::API_SECRET_KEY);
    let others = named_keys(queries::all_keys(conn).unwrap_or_default());
    let given = req.params.get("hash").unwrap_or("");
    let mut why = explain(req.call, &req.params, &req.raw, key, &others, given);
    // A reseller may sign with the system key: a match there is no mistake.
    if caller.role == crate::auth::Role::Reseller
        && matches!(&why, Some(crate::explain::Mistake::WrongKey(s)) if *s == crate::auth::scope_name(0))
    {
        why = None;
    }
    if let Some(why) = why {
        tracing::warn!(call = req.call.name(), u = req.params.get("u").unwrap_or(""), %why, "incorrect hash explained");
    }
}

/// An amount as the vendor's `nice_number` shows it: fixed decimals per `Nice_Number_Digits`.
pub fn nice_number(value: f64, settings: &Settings) -> String {
    let digits = settings
        .system_int(crate::settings::NICE_NUMBER_DIGITS, 2)
        .clamp(0, 10) as usize;
    let s = format!("{value:.digits$}");
    // -0.00 reads as a debt of nothing; show it as 0.00.
    if s.starts_with('-') && s[1..].bytes().all(|b| b == b'0' || b == b'.') {
        s[1..].to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases() {
        assert_eq!(Call::from_name("user_details"), Some(Call::UserDetailsGet));
        assert_eq!(
            Call::from_name("user_update_api"),
            Some(Call::UserDetailsUpdate)
        );
        assert_eq!(Call::from_name("user_details_raw"), None);
    }

    #[test]
    fn nice_numbers() {
        let s = Settings::default();
        assert_eq!(nice_number(12.5, &s), "12.50");
        assert_eq!(nice_number(-0.001, &s), "0.00");
        assert_eq!(nice_number(-7.5, &s), "-7.50");
        let s3 = Settings::from_rows(0, [(0, "Nice_Number_Digits".into(), "3".into())]);
        assert_eq!(nice_number(42.1234, &s3), "42.123");
    }
}
