//! Who is calling: gate 1 (the caller named by `u`), the settings of its scope, gates 2–4
//! ([`crate::auth::check_gates`]) with the hash order of the call's row, and the lockout
//! around them. A failure is counted and, past the limit, answered 429; a pass is never
//! refused. A wrong hash is logged, audited and, with `--explain-hash-errors`, explained.

use super::{ApiRequest, Authed, Backend, Identity, Proof};
use crate::auth::{self, Caller, Role};
use crate::error::ApiError;
use crate::explain::Explanation;
use crate::explain::{Mistake, explain, hashed_values, named_keys};
use crate::guard::Attempt;
use crate::settings::{ALLOW_LOGIN_BY_EMAIL, API_SECRET_KEY, Settings, XML_API_EXTENSION};
use crate::store::queries::CallerRow;
use crate::store::{ReadCtx, audit, queries};
use rusqlite::Connection;
use std::sync::Arc;

/// What authentication learned, whether it let the request through or not.
pub struct Authentication {
    /// `XML_API_Extension` is on (the answer, error or not, is `text/xml`).
    pub xml_extension: bool,
    /// The caller's id, once found (for the log line).
    pub caller_id: Option<i64>,
    /// The caller and its settings, or why the request is refused.
    pub result: Result<Authed, ApiError>,
    /// For `Incorrect hash`, when the test kit asks: what the explainer found.
    pub explanation: Option<crate::explain::Explanation>,
}

/// Runs gate 1 to 4 for `req` on a read snapshot: the subject as the call's row says
/// ([`Identity`]), then the gates the row names.
pub fn authenticate(
    conn: &Connection,
    ctx: &ReadCtx<'_>,
    backend: &Backend,
    req: &ApiRequest,
) -> Authentication {
    let mut out = Authentication {
        xml_extension: false,
        caller_id: None,
        result: Err(ApiError::Internal),
        explanation: None,
    };
    out.result = match gates(conn, ctx, backend, req, &mut out) {
        Ok(authed) => Ok(authed),
        Err(Some(e)) => Err(e),
        // Nobody to act as: the call's own answer, under the system's settings.
        Err(None) => match ctx.settings(conn, 0) {
            Ok(system) => Err((req.call.unknown)(&system)),
            Err(e) => Err(e.into()),
        },
    };
    out
}

/// The parameter that names the subject, and its value.
pub fn subject_name(req: &ApiRequest) -> Option<&str> {
    let param = match req.call.identity {
        Identity::Caller => "u",
        Identity::Username(p)
        | Identity::Uniquehash(p)
        | Identity::Login(p)
        | Identity::Owner(p) => p,
    };
    req.params.get(param).filter(|v| !v.is_empty())
}

/// The subject, as the call's row says to find it.
pub fn identify(
    conn: &Connection,
    ctx: &ReadCtx<'_>,
    req: &ApiRequest,
) -> rusqlite::Result<Option<CallerRow>> {
    let Some(name) = subject_name(req) else {
        return match req.call.identity {
            Identity::Owner(_) => queries::caller_by_id(conn, 0),
            _ => Ok(None),
        };
    };
    match req.call.identity {
        Identity::Owner(_) => queries::caller_by_uniquehash(conn, name),
        Identity::Uniquehash(_) => queries::caller_by_uniquehash(conn, name),
        Identity::Login(_) => match ctx.caller_by_username(conn, name)? {
            Some(row) => Ok(Some(row)),
            None if ctx.settings(conn, 0)?.system_on(ALLOW_LOGIN_BY_EMAIL) => {
                queries::caller_by_email(conn, name)
            }
            None => Ok(None),
        },
        Identity::Caller | Identity::Username(_) => ctx.caller_by_username(conn, name),
    }
}

/// `Err(None)`: no subject (an unknown `u`, username or uniquehash).
fn gates(
    conn: &Connection,
    ctx: &ReadCtx<'_>,
    backend: &Backend,
    req: &ApiRequest,
    out: &mut Authentication,
) -> Result<Authed, Option<ApiError>> {
    let name = subject_name(req);
    let row = identify(conn, ctx, req).map_err(db)?;
    let balance = row
        .as_ref()
        .map_or((0.0, 1), |r| (r.balance, r.currency_id));
    let caller = row.map(Caller::from);
    let scope = caller.as_ref().map_or(0, Caller::scope);
    let settings = ctx.settings(conn, scope).map_err(db)?;
    out.xml_extension = settings.system_on(XML_API_EXTENSION);
    let Some(caller) = caller else {
        // An unknown name enumerates users: it counts toward the address.
        let unknown = Attempt {
            addr: req.peer,
            caller: None,
            scopes: &[],
        };
        return Err(backend.guard.fail(unknown).map(ApiError::TooManyFailures));
    };
    out.caller_id = Some(caller.id);
    let u = name.unwrap_or("");
    let gates = req.call.gates;
    let hash_order = gates.hash.then(|| (req.call.hash_order)());
    let is_get = req.is_get && gates.get;
    match auth::check_gates(hash_order, &caller, is_get, &settings, &req.params) {
        Ok(matched) => {
            // A proof still to come clears the counts only once it passes too.
            if !matches!(req.call.proof, Proof::PasswordOrUniquehash(..)) {
                backend.guard.pass(req.peer, u, matched);
            }
            Ok(Authed {
                caller,
                settings,
                balance,
            })
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
                return Err(Some(ApiError::TooManyFailures(wait)));
            }
            if backend.explain_hash_errors || backend.explain_in_journal {
                let (why, explanation) = explain_failure(conn, req, &caller, &settings);
                if backend.explain_hash_errors && why.is_some() {
                    tracing::warn!(call = req.call.name(), u, why = %explanation.verdict, "incorrect hash explained");
                }
                if backend.explain_in_journal {
                    out.explanation = Some(explanation);
                }
            }
            record_hash_failure(backend, req, u, caller.id);
            Err(Some(ApiError::IncorrectHash))
        }
        Err(e) => Err(Some(e)),
    }
}

fn db(e: rusqlite::Error) -> Option<ApiError> {
    Some(e.into())
}

/// Logs a failed hash check and writes it to the audit table (never the hash or the key). The
/// audit write is not waited for: the answer does not depend on it. Only failures under the
/// lockout's limit get here, which bounds the writes a guesser can cause.
fn record_hash_failure(backend: &Backend, req: &ApiRequest, u: &str, caller: i64) {
    let peer = req.peer;
    tracing::warn!(%peer, u, "hash check failed");
    let store = Arc::clone(&backend.store);
    let (u, peer) = (u.to_string(), peer.to_string());
    tokio::spawn(async move {
        let now = crate::dates::now();
        let _ = store
            .writer()
            .write(move |conn| Ok(audit::hash_failed(conn, &now, caller, &u, &peer)?))
            .await;
    });
}

/// Which usual mistake explains an `Incorrect hash`, and the explanation as the journal shows
/// it (the string hashed with the key masked; never a key or a hash).
fn explain_failure(
    conn: &Connection,
    req: &ApiRequest,
    caller: &Caller,
    settings: &Settings,
) -> (Option<Mistake>, Explanation) {
    let key = settings.scoped(API_SECRET_KEY);
    let others = named_keys(queries::all_keys(conn).unwrap_or_default());
    let given = req.params.get("hash").unwrap_or("");
    let hash_order = (req.call.hash_order)();
    let mut why = explain(hash_order, &req.params, &req.raw, key, &others, given);
    // A reseller may sign with the system key: a match there is no mistake.
    if caller.role == Role::Reseller
        && matches!(&why, Some(Mistake::WrongKey(s)) if *s == auth::scope_name(0))
    {
        why = None;
    }
    let order = hashed_values(hash_order, &req.params)
        .into_iter()
        .map(|(n, v)| (n.to_string(), v))
        .collect::<Vec<_>>();
    let base: String = order.iter().map(|(_, v)| v.as_str()).collect();
    let explanation = Explanation {
        string: format!(
            "{base}<key of {}, {} characters>",
            auth::scope_name(caller.scope()),
            key.chars().count()
        ),
        order,
        verdict: why.as_ref().map_or_else(
            || "the hash matches another key this caller may use".to_string(),
            ToString::to_string,
        ),
    };
    (why, explanation)
}
