//! Who is calling: gate 1 (the caller named by `u`), the settings of its scope, gates 2–4
//! ([`crate::auth::check_gates`]) with the hash order of the call's row, and the lockout
//! around them. A failure is counted and, past the limit, answered 429; a pass is never
//! refused. A wrong hash is logged, audited and, with `--explain-hash-errors`, explained.

use super::{ApiRequest, Authed, Backend, Identity, Proof};
use crate::auth::{self, Caller, Role};
use crate::error::ApiError;
use crate::explain::Explanation;
use crate::explain::{Mistake, hashed_values, named_keys};
use crate::guard::Attempt;
use crate::settings::{ALLOW_LOGIN_BY_EMAIL, API_SECRET_KEY, Settings, XML_API_EXTENSION};
use crate::store::queries::CallerRow;
use crate::store::{ReadCtx, audit, queries};
use rusqlite::Connection;

/// What authentication learned, whether it let the request through or not.
pub struct Authentication {
    /// `XML_API_Extension` is on (the answer, error or not, is `text/xml`).
    pub xml_extension: bool,
    /// The caller's id, once found (for the log line).
    pub caller_id: Option<i64>,
    /// The caller and its settings, or why the request is refused.
    pub result: Result<Authed, ApiError>,
    /// For `Incorrect hash`, when the log or the test kit asks: the explanation to make (off
    /// this snapshot and off the async workers, by [`Pending::finish`]).
    pub explanation: Option<Pending>,
    /// For `Incorrect hash`: the audit row to write, committed before the answer
    /// ([`Authentication::settle`]): (caller id, `u`).
    pub hash_failure: Option<(i64, String)>,
}

impl Authentication {
    /// What an authentication leaves to do off its read snapshot, before the answer: the
    /// audit row of a wrong hash, committed (as every write is before its answer), and the
    /// explanation, made. Returns the explanation.
    pub async fn settle(
        &mut self,
        backend: &Backend,
        req: &ApiRequest,
    ) -> Result<Option<Explanation>, ApiError> {
        if let Some((caller, u)) = self.hash_failure.take() {
            record_hash_failure(backend, req, u, caller).await?;
        }
        Ok(match self.explanation.take() {
            Some(p) => Some(p.finish(backend).await),
            None => None,
        })
    }
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
        hash_failure: None,
    };
    out.result = match gates(conn, ctx, backend, req, &mut out) {
        Ok(authed) => Ok(authed),
        Err(Some(e)) => Err(e),
        // Nobody to act as: the call's own answer, under the system's settings.
        Err(None) => match (&req.call.unnamed, subject_name(req)) {
            (Some(e), None) => Err(e.clone()),
            _ => match ctx.settings(conn, 0) {
                Ok(system) => Err((req.call.unknown)(&system)),
                Err(e) => Err(e.into()),
            },
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
            target: None,
        };
        return Err(backend.guard.fail(unknown).map(ApiError::TooManyFailures));
    };
    out.caller_id = Some(caller.id);
    if req.call.shut_out.contains(&caller.role) {
        // Refused as an unknown caller is, before any gate: no hash is asked of it.
        return Err(None);
    }
    let u = name.unwrap_or("");
    let gates = req.call.gates;
    let hashing = gates.hash.then(|| req.call.hashing());
    let is_get = req.is_get && gates.get;
    match auth::check_gates(hashing, &caller, is_get, &settings, &req.params) {
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
                target: None,
            };
            if let Some(wait) = backend.guard.fail(attempt) {
                return Err(Some(ApiError::TooManyFailures(wait)));
            }
            if backend.explain_hash_errors || backend.explain_in_journal {
                out.explanation = Some(pending(conn, req, &caller, &settings));
            }
            out.hash_failure = Some((caller.id, u.to_string()));
            Err(Some(ApiError::IncorrectHash))
        }
        Err(e) => Err(Some(e)),
    }
}

fn db(e: rusqlite::Error) -> Option<ApiError> {
    Some(e.into())
}

/// Logs a failed hash check and writes it to the audit table (never the hash or the key),
/// committed before the answer is sent. Only failures under the lockout's limit get here,
/// which bounds the writes a guesser can cause (and the writer commits them in groups).
async fn record_hash_failure(
    backend: &Backend,
    req: &ApiRequest,
    u: String,
    caller: i64,
) -> Result<(), ApiError> {
    let peer = req.peer;
    tracing::warn!(%peer, u = %u, "hash check failed");
    let now = crate::dates::now();
    let peer = peer.to_string();
    backend
        .store
        .writer()
        .write(move |conn| Ok(audit::hash_failed(conn, &now, caller, &u, &peer)?))
        .await
}

/// An explanation still to make: the job, bounded before anything is copied (a request too
/// large to explain carries no job, only its verdict), and what the journal shows with it.
pub struct Pending {
    job: Result<crate::explain::Job, Mistake>,
    reseller: bool,
    key_scope: String,
    order: Vec<(String, String)>,
    call: &'static str,
    u: String,
}

/// What an `Incorrect hash` needs explained, read on the request's snapshot.
fn pending(conn: &Connection, req: &ApiRequest, caller: &Caller, settings: &Settings) -> Pending {
    let hashing = req.call.hashing();
    let job = crate::explain::admit(&req.params).map(|()| crate::explain::Job {
        hashing,
        params: req.params.clone(),
        raw: req.raw.clone(),
        key: settings.scoped(API_SECRET_KEY).to_string(),
        others: named_keys(queries::all_keys(conn).unwrap_or_default()),
        given: req.params.get("hash").unwrap_or("").to_string(),
    });
    let order = match &job {
        Ok(_) => hashed_values(hashing, &req.params)
            .into_iter()
            .map(|(n, v)| (n.to_string(), v))
            .collect(),
        Err(_) => Vec::new(),
    };
    Pending {
        job,
        reseller: caller.role == Role::Reseller,
        key_scope: auth::scope_name(caller.scope()),
        order,
        call: req.call.name(),
        u: subject_name(req).unwrap_or("").chars().take(64).collect(),
    }
}

impl Pending {
    /// Which usual mistake explains the `Incorrect hash` (on the explainer's thread), logged
    /// with `--explain-hash-errors`; the explanation as the journal shows it (the string
    /// hashed with the key named by its scope; never a key, its length, or a hash).
    pub async fn finish(self, backend: &Backend) -> Explanation {
        let mut why = match self.job {
            Ok(job) => backend.explainer.explain(job).await,
            Err(too_large) => Some(too_large),
        };
        // A reseller may sign with the system key: a match there is no mistake.
        if self.reseller && matches!(&why, Some(Mistake::WrongKey(s)) if *s == auth::scope_name(0))
        {
            why = None;
        }
        let verdict = why.as_ref().map_or_else(
            || "the hash matches another key this caller may use".to_string(),
            ToString::to_string,
        );
        if backend.explain_hash_errors && why.is_some() {
            tracing::warn!(call = self.call, u = %self.u, why = %verdict, "incorrect hash explained");
        }
        Explanation {
            order: self.order,
            key_scope: self.key_scope,
            verdict,
        }
    }
}
