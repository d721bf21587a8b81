//! The service endpoints beside the API: `GET /health`, `GET /_morbox/openapi.json`, and with
//! `--test-endpoints` the test kit: snapshot, reset, the request journal, the request inspector
//! page (`GET /_morbox/`), its hash workbench (`POST /_morbox/hash`) and its view of the
//! database (`GET /_morbox/state`). The router sends what they answer.
//!
//! Reaching the test kit is holding every key (the workbench signs any call), so it has a
//! gate of its own ([`admit`]): it answers only a `Host` that is a loopback address,
//! `localhost`, the listen address or a name given with `--allow-host` (no DNS rebinding), and a
//! request that changes something must be one no page of another origin can send without a
//! preflight (`Content-Type: application/json` or an `X-Morbox` header, and no `Origin` but
//! the server's own).

use crate::error::ApiError;
use crate::kit::TestKit;
use crate::params::Params;
use crate::settings::{API_SECRET_KEY, SETTINGS};
use crate::store::Store;
use hyper::header::{CONTENT_TYPE, HOST, ORIGIN};
use hyper::{HeaderMap, Method};
use serde_json::{Value, json};
use std::net::IpAddr;
use std::time::Duration;

/// The request inspector, embedded: its page, styles and script as three files (no inline
/// script or style, so that its Content-Security-Policy allows none), and no request to
/// anywhere but this server.
const INSPECTOR: &str = include_str!("inspector.html");
const INSPECTOR_JS: &str = include_str!("inspector.js");
const INSPECTOR_CSS: &str = include_str!("inspector.css");

/// The policy of every inspector file: nothing but this server's own script, styles and
/// requests; never framed, no form sent anywhere.
pub const INSPECTOR_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// What a service endpoint answers.
pub enum Served {
    /// A JSON document with an HTTP status.
    Json(u16, Value),
    /// A JSON document already made (a page of the journal, holding its place until sent).
    JsonBytes(bytes::Bytes),
    /// One of the inspector's files: its `Content-Type` and text.
    Inspector(&'static str, &'static str),
    /// Refused: too many lists being sent; try again in a second.
    Busy,
}

/// Whether the test kit answers this request: `Err` says why not (answered 403).
pub fn admit(kit: &TestKit, method: &Method, headers: &HeaderMap) -> Result<(), &'static str> {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &hyper::header::HeaderValue| v.to_str().ok())
    };
    let host = header(HOST).ok_or("the test endpoints need a Host header")?;
    if !host_allowed(host, kit.listen, &kit.hosts) {
        return Err(
            "the test endpoints answer only a loopback Host, localhost, the listen \
                    address or a name given with --allow-host",
        );
    }
    if matches!(*method, Method::GET | Method::HEAD) {
        return Ok(());
    }
    // What a page of another origin cannot send without a preflight (which is never granted:
    // no CORS headers are sent).
    let json = header(CONTENT_TYPE).is_some_and(|ct| {
        ct.split(';')
            .next()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
    });
    if !json && !headers.contains_key("x-morbox") {
        return Err(
            "a test endpoint that changes something needs Content-Type: \
                    application/json or an X-Morbox header",
        );
    }
    if let Some(origin) = header(ORIGIN) {
        let own = ["http://", "https://"].iter().any(|scheme| {
            origin
                .strip_prefix(scheme)
                .is_some_and(|o| o.eq_ignore_ascii_case(host))
        });
        if !own {
            return Err("a test endpoint answers no other origin");
        }
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return Err("a test endpoint answers no other site");
    }
    Ok(())
}

/// Whether `host` (a `Host` header: a name or an address, with or without a port) is one the
/// test kit answers.
pub fn host_allowed(host: &str, listen: IpAddr, names: &[String]) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host,
        },
    };
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    if name == "localhost" || names.contains(&name) {
        return true;
    }
    match name.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback() || (ip == listen && !ip.is_unspecified()),
        Err(_) => false,
    }
}

/// The answer of a service endpoint, or `None` when `path` names none.
pub async fn answer(
    store: &Store,
    kit: Option<&TestKit>,
    method: &Method,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Option<Served> {
    let json = |status, v| Some(Served::Json(status, v));
    match (path, method) {
        ("/health", &Method::GET) => {
            return match crate::kit::health(store) {
                Ok(v) => json(200, v),
                Err(_) => json(503, json!({"status": "unavailable"})),
            };
        }
        ("/_morbox/openapi.json", &Method::GET) => return json(200, crate::openapi::document()),
        _ => {}
    }
    let kit = kit?;
    if !path.starts_with("/_morbox") {
        return None;
    }
    if let Err(why) = admit(kit, method, headers) {
        return json(403, json!({ "error": why }));
    }
    let (status, v) = match (path, method) {
        ("/_morbox/", &Method::GET) | ("/_morbox", &Method::GET) => {
            return Some(Served::Inspector("text/html; charset=utf-8", INSPECTOR));
        }
        ("/_morbox/inspector.js", &Method::GET) => {
            return Some(Served::Inspector(
                "text/javascript; charset=utf-8",
                INSPECTOR_JS,
            ));
        }
        ("/_morbox/inspector.css", &Method::GET) => {
            return Some(Served::Inspector("text/css; charset=utf-8", INSPECTOR_CSS));
        }
        ("/_morbox/snapshot", &Method::POST) => timed(kit.snapshot(store).await),
        ("/_morbox/reset", &Method::POST) => timed(kit.reset(store).await),
        ("/_morbox/requests", &Method::GET) => {
            let q = Params::from_request(query, None, b"").unwrap_or_default();
            let number = |name, default| {
                q.get(name)
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(default)
            };
            let (after, limit) = (number("after", 0), number("limit", 1000));
            return Some(
                match kit.list_page(q.get("call"), q.get("u"), after, limit as usize) {
                    Some(page) => Served::JsonBytes(page),
                    None => Served::Busy,
                },
            );
        }
        ("/_morbox/requests", &Method::DELETE) => {
            kit.journal.clear();
            (200, json!({"status": "ok"}))
        }
        ("/_morbox/hash", &Method::POST) => workbench(store, body),
        ("/_morbox/calls", &Method::POST) => load_calls(store, body).await,
        ("/_morbox/state", &Method::GET) => state(store),
        _ => return None,
    };
    json(status, v)
}

/// `POST /_morbox/calls`: a JSON array of calls, each an object on the `calls` column names,
/// loaded as a seed file's lines are ([`crate::callfile`]): all in one transaction, or none
/// with the element and column at fault (`line` is the element's place, from 1).
async fn load_calls(store: &Store, body: &[u8]) -> (u16, Value) {
    let Ok(Value::Array(items)) = serde_json::from_slice::<Value>(body) else {
        return (
            400,
            json!({"error": "send a JSON array of calls (objects)"}),
        );
    };
    let mut records = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match crate::callfile::json_record(i + 1, &item.to_string()) {
            Ok(fields) => records.push((i + 1, fields)),
            Err(e) => {
                return (
                    400,
                    json!({"error": e.to_string(), "line": e.line, "column": e.column}),
                );
            }
        }
    }
    let result = store
        .writer()
        .exclusive(move |conn| {
            let tx = conn.transaction()?;
            let mut loader = match crate::callfile::Loader::new(&tx, false) {
                Ok(l) => l,
                Err(e) => return Ok(Err(e)),
            };
            for r in &records {
                if let Err(e) = loader.load(r) {
                    return Ok(Err(e));
                }
            }
            loader.finish()?;
            tx.commit()?;
            Ok(Ok(records.len()))
        })
        .await;
    match result {
        Ok(Ok(n)) => (200, json!({"status": "ok", "calls": n})),
        Ok(Err(e)) => (
            400,
            json!({"error": e.to_string(), "line": e.line, "column": e.column}),
        ),
        Err(e) => (503, json!({"status": "failed", "error": e.to_string()})),
    }
}

/// The answer of a snapshot or reset: how long it took, or why it failed.
fn timed(result: Result<Duration, ApiError>) -> (u16, Value) {
    match result {
        Ok(t) => (200, json!({"status": "ok", "ms": t.as_secs_f64() * 1e3})),
        Err(e) => (503, json!({"status": "failed", "error": e.to_string()})),
    }
}

/// The hash workbench: `{"call": NAME, "params": {NAME: VALUE, …}}` → the parameters in the
/// order the call hashes them, the string hashed (key masked), the hash, and a `curl` line for
/// 127.0.0.1 — the same code as `morbox hash`.
fn workbench(store: &Store, body: &[u8]) -> (u16, Value) {
    let bad = |e: String| (400, json!({"error": e}));
    let Ok(req) = serde_json::from_slice::<Value>(body) else {
        return bad("send {\"call\": NAME, \"params\": {NAME: VALUE}}".into());
    };
    let Some(call) = req["call"].as_str().and_then(crate::api::call) else {
        return bad("unknown call".into());
    };
    let mut params = Params::default();
    if let Some(map) = req["params"].as_object() {
        for (k, v) in map {
            if k != "hash" {
                params.set(k.clone(), v.as_str().unwrap_or_default().to_string());
            }
        }
    }
    let signed = store.read(|conn, _| crate::api::sign::signing_key(conn, call, &params));
    let key = match signed {
        Ok(Ok(k)) => k,
        Ok(Err(e)) => return bad(e),
        Err(e) => return bad(e.to_string()),
    };
    let order = crate::explain::hashed_values(call.hashing(), &params);
    let base: String = order.iter().map(|(_, v)| v.as_str()).collect();
    let hash = crate::auth::sha1_hex(&base, &key.key);
    let mut form: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    form.push(("hash".into(), hash.clone()));
    let encoded: String = form
        .iter()
        .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
        .collect::<Vec<_>>()
        .join("&");
    (
        200,
        json!({
            "call": call.name(),
            "order": order.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
            "string": format!("{base}<key of {}>", key.scope),
            "hash": hash,
            "body": encoded,
            "curl": format!("curl -d '{encoded}' http://127.0.0.1/billing/api/{}", call.name()),
        }),
    )
}

/// Percent-encoding for a form value.
fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The database at a glance: the users (role, owner, balance, blocked) and the settings that
/// differ from their defaults (a key shown as set, never its value).
fn state(store: &Store) -> (u16, Value) {
    let read = store.read(|conn, _| -> rusqlite::Result<(Vec<Value>, Vec<Value>)> {
        let users = crate::store::ops::list_users(conn, None, None, 500)?
            .into_iter()
            .map(|row| {
                Value::Object(
                    row.into_iter()
                        .map(|(k, v)| (k, Value::String(v)))
                        .collect(),
                )
            })
            .collect();
        let settings = crate::store::ops::list_settings(conn, None)?
            .into_iter()
            .filter_map(|row| {
                let get = |k: &str| {
                    row.iter()
                        .find(|(n, _)| n == k)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                };
                let (owner, name, value) = (get("owner_id"), get("name"), get("value"));
                let default = SETTINGS.iter().find(|s| s.name == name).map(|s| s.default);
                if default == Some(value.as_str()) {
                    return None;
                }
                let shown = if name == API_SECRET_KEY {
                    "(set)".to_string()
                } else {
                    value
                };
                Some(json!({"owner_id": owner, "name": name, "value": shown, "default": default}))
            })
            .collect();
        Ok((users, settings))
    });
    match read {
        Ok(Ok((users, settings))) => (200, json!({"users": users, "settings": settings})),
        _ => (503, json!({"error": "the database did not answer"})),
    }
}
