//! The service endpoints beside the API: `GET /health`, `GET /_morbox/openapi.json`, and with
//! `--test-endpoints` the test kit's snapshot, reset and request journal. Each answers JSON;
//! the router sends it.

use crate::error::ApiError;
use crate::kit::TestKit;
use crate::params::Params;
use crate::store::Store;
use hyper::Method;
use serde_json::{Value, json};
use std::time::Duration;

/// The answer of a service endpoint (HTTP status, JSON), or `None` when `path` names none.
pub async fn answer(
    store: &Store,
    kit: Option<&TestKit>,
    method: &Method,
    path: &str,
    query: Option<&str>,
) -> Option<(u16, Value)> {
    match (path, method) {
        ("/health", &Method::GET) => Some(match crate::kit::health(store) {
            Ok(v) => (200, v),
            Err(_) => (503, json!({"status": "unavailable"})),
        }),
        ("/_morbox/openapi.json", &Method::GET) => Some((200, crate::openapi::document())),
        _ => {
            let kit = kit?;
            Some(match (path, method) {
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
                _ => return None,
            })
        }
    }
}

/// The answer of a snapshot or reset: how long it took, or why it failed.
fn timed(result: Result<Duration, ApiError>) -> (u16, Value) {
    match result {
        Ok(t) => (200, json!({"status": "ok", "ms": t.as_secs_f64() * 1e3})),
        Err(e) => (503, json!({"status": "failed", "error": e.to_string()})),
    }
}
