//! What proves a subject besides the hash (the row's [`Proof`](super::Proof)): a password
//! verified on the bounded pool, or a uniquehash. A failure counts toward the lockout as a
//! password guess (past the limit: 429), and a failed login is audited with `u` only. A
//! locked-out (address, `u`) or address is refused before any password is verified, even a
//! right one: otherwise a right guess would still tell itself apart.

use super::{ApiRequest, Authed, Backend, caller};
use crate::error::ApiError;
use crate::guard::Attempt;
use crate::store::{audit, queries};
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// Before any gate: the subject's password must verify and the subject must not be blocked.
///
/// The same work whoever is named: an unknown or blocked user's password is verified against
/// a fixed hash ([`crate::passwords::DUMMY`]) on the same pool, and counts the same. Failed
/// passwords count per target user from every address; once a target has had too many, the
/// hash is checked before the password, so that a request with a wrong hash gets the same
/// answer whether its password is right or wrong (and a right login with a right hash still
/// gets through, from an address with no failures).
pub async fn password_first(
    backend: &Backend,
    req: &ApiRequest,
    param: &str,
) -> Result<(), ApiError> {
    not_locked(backend, req)?;
    let (found, system) = backend.store.read(|conn, ctx| -> Result<_, ApiError> {
        let found = match caller::identify(conn, ctx, req)? {
            Some(row) => queries::credentials(conn, row.id)?.map(|c| (row.id, c)),
            None => None,
        };
        Ok((found, ctx.settings(conn, 0)?))
    })??;
    let target = match &found {
        Some((id, _)) => format!("#{id}"),
        None => format!(
            "?{}",
            caller::subject_name(req)
                .unwrap_or("")
                .chars()
                .take(256)
                .collect::<String>()
                .to_lowercase()
        ),
    };
    if let Some(wait) = backend.guard.target_locked(&target) {
        let mut signed = backend
            .store
            .read(|conn, ctx| caller::authenticate(conn, ctx, backend, req))?;
        signed.settle(backend, req).await?;
        if signed.result.is_err() {
            // Not the password's fault, whatever it is: nothing here depends on it.
            return Err(ApiError::TooManyFailures(wait));
        }
    }
    let pw = req.params.get(param).unwrap_or("");
    let usable = found.as_ref().filter(|(_, c)| !c.blocked);
    let stored = usable.map_or_else(
        || crate::passwords::DUMMY.to_string(),
        |(_, c)| c.password.clone(),
    );
    let verified = backend.passwords.verify(pw.to_string(), stored).await?;
    if verified && usable.is_some() && !pw.is_empty() {
        return Ok(());
    }
    failed(backend, req, Some(&target))?;
    let u = caller::subject_name(req).unwrap_or("").to_string();
    let store = Arc::clone(&backend.store);
    let now = crate::dates::now();
    // The audit row is written before the answer: a failed login leaves its trace.
    store
        .writer()
        .write(move |conn| Ok(audit::bad_login(conn, &now, &u)?))
        .await?;
    Err((req.call.unknown)(&system))
}

/// After the gates: the caller's password in `password`, or when that is absent the
/// caller's uniquehash in `uniquehash`; neither matching: `Access Denied`.
pub async fn password_or_uniquehash(
    backend: &Backend,
    req: &ApiRequest,
    who: &Authed,
    password: &str,
    uniquehash: &str,
) -> Result<(), ApiError> {
    not_locked(backend, req)?;
    let creds = backend
        .store
        .read(|conn, _| queries::credentials(conn, who.caller.id))??
        .ok_or(ApiError::AccessDenied)?;
    let ok = match (req.params.get(password), req.params.get(uniquehash)) {
        // When `p` is sent it alone decides.
        (Some(pw), _) if !pw.is_empty() => {
            backend
                .passwords
                .verify(pw.to_string(), creds.password)
                .await?
        }
        (Some(_), _) => false,
        (None, Some(h)) => {
            !h.is_empty() && bool::from(h.as_bytes().ct_eq(creds.uniquehash.as_bytes()))
        }
        (None, None) => false,
    };
    if ok {
        backend
            .guard
            .pass(req.peer, caller::subject_name(req).unwrap_or(""), None);
        return Ok(());
    }
    failed(backend, req, Some(&format!("#{}", who.caller.id)))?;
    Err(ApiError::AccessDenied)
}

/// A guesser that used up its failures gets 429 before any password is verified.
fn not_locked(backend: &Backend, req: &ApiRequest) -> Result<(), ApiError> {
    match backend.guard.locked(req.peer, caller::subject_name(req)) {
        Some(wait) => Err(ApiError::TooManyFailures(wait)),
        None => Ok(()),
    }
}

/// Counts a failed proof as a password guess against `target`; past the limit the answer is
/// 429.
fn failed(backend: &Backend, req: &ApiRequest, target: Option<&str>) -> Result<(), ApiError> {
    let attempt = Attempt {
        addr: req.peer,
        caller: caller::subject_name(req),
        scopes: &[],
        target,
    };
    match backend.guard.fail(attempt) {
        Some(wait) => Err(ApiError::TooManyFailures(wait)),
        None => Ok(()),
    }
}
