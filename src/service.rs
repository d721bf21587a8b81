//! The service endpoints beside the API: `GET /health`, `GET /_morbox/openapi.json`, and with
//! `--test-endpoints` the test kit: snapshot, reset, the request journal, the request inspector
//! page (`GET /_morbox/`), its hash workbench (`POST /_morbox/hash`) and its view of the
//! database (`GET /_morbox/state`). The router sends what they answer.

use crate::error::ApiError;
use crate::kit::TestKit;
use crate::params::Params;
use crate::settings::{API_SECRET_KEY, SETTINGS};
use crate::store::Store;
use hyper::Method;
use serde_json::{Value, json};
use std::time::Duration;

/// The request inspector, embedded: one HTML file with its styles and script, no request to
/// anywhere but this server.
const INSPECTOR: &str = include_str!("inspector.html");

/// What a service endpoint answers.
pub enum Served {
    /// A JSON document with an HTTP status.
    Json(u16, Value),
    /// The inspector page.
    Page(&'static str),
}

/// The answer of a service endpoint, or `None` when `path` names none.
pub async fn answer(
    store: &Store,
    kit: Option<&TestKit>,
    method: &Method,
    path: &str,
    query: Option<&str>,
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
    let (status, v) = match (path, method) {
        ("/_morbox/", &Method::GET) | ("/_morbox", &Method::GET) => {
            return Some(Served::Page(INSPECTOR));
        }
        ("/_morbox/snapshot", &Method::POST) => timed(kit.snapshot(store).await),
        ("/_morbox/reset", &Method::POST) => timed(kit.reset(store).await),
        ("/_morbox/requests", &Method::GET) => {
            let q = Params::from_request(query, None, b"").unwrap_or_default();
            (200, kit.journal.list(q.get("call"), q.get("u")))
        }
        ("/_morbox/requests", &Method::DELETE) => {
            kit.journal.clear();
            (200, json!({"status": "ok"}))
        }
        ("/_morbox/hash", &Method::POST) => workbench(store, body),
        ("/_morbox/state", &Method::GET) => state(store),
        _ => return None,
    };
    json(status, v)
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
    let order = crate::explain::hashed_values((call.hash_order)(), &params);
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
            "string": format!("{base}<key of {}, {} characters>", key.scope, key.key.chars().count()),
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
