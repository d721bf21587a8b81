//! The integrator's test kit: `/health`, and — only with `serve --test-endpoints` — the
//! snapshot/reset endpoints and the request journal that test suites assert against.

use crate::error::ApiError;
use crate::store::Store;
use rusqlite::Connection;
use rusqlite::backup::Backup;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Names whose values never appear in the journal, by exact name (any case): passwords, the
/// signature, uniquehashes (a credential of their own: `id` of user_register and
/// user_simple_balance_get is one) and a device's PIN.
const MASKED: &[&str] = &["p", "pswd", "hash", "uniquehash", "id", "pin"];

/// Nor those whose name contains one of these (any case): `password`, `password2`, `secret`,
/// `api_key`, `SecretKey`…
const MASKED_PARTS: &[&str] = &["pass", "secret", "key", "token"];

/// The most parameters one entry keeps (the rest are counted, not kept).
pub const ENTRY_MAX_PARAMS: usize = 100;

/// The most characters of one kept value.
pub const ENTRY_MAX_VALUE: usize = 256;

/// The most bytes the journal holds in all (the oldest entries go first).
pub const JOURNAL_MAX_BYTES: usize = 8 << 20;

/// The most entries one page of the journal's list holds.
pub const PAGE_MAX: usize = 1000;

/// About the most bytes of entries one page of the list holds (its JSON is about as large).
pub const PAGE_BYTES: usize = 1 << 20;

/// The most pages of the list being sent at once: a page holds its place until the client
/// has read it all (or the write timeout closes the connection), so that clients that never
/// read cannot make the server hold more than this many pages.
pub const LISTS_IN_FLIGHT: usize = 4;

/// The one masking rule: whether a value named `name` (a parameter, a hashed value in an
/// explanation, an element of an answer, a changed column) is masked wherever it is kept or
/// shown: the journal, the inspector, log lines.
pub fn is_masked(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    MASKED.contains(&lower.as_str()) || MASKED_PARTS.iter().any(|p| lower.contains(p))
}

/// What is shown of a value named `name`: `***` when [`is_masked`].
pub fn masked<'a>(name: &str, value: &'a str) -> &'a str {
    if is_masked(name) { "***" } else { value }
}

/// An XML answer with the text of every element whose name [`is_masked`] replaced by `***`
/// (`<password>s3cret</password>` → `<password>***</password>`). Attributes and the rest are
/// kept as they are.
pub fn mask_answer(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find('>') else { break };
        let tag = &rest[..=end];
        out.push_str(tag);
        rest = &rest[end + 1..];
        let name_end = tag[1..]
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .map_or(tag.len(), |i| i + 1);
        let name = &tag[1..name_end];
        let opening =
            !name.is_empty() && !name.starts_with(['/', '?', '!']) && !tag.ends_with("/>");
        if opening && is_masked(name) {
            // A leaf: its text runs to its own end tag.
            let close = format!("</{name}>");
            if let Some(text_end) = rest.find('<')
                && rest[text_end..].starts_with(&close)
                && text_end > 0
            {
                out.push_str("***");
                rest = &rest[text_end..];
            }
        }
    }
    out.push_str(rest);
    out
}

impl Entry {
    /// The entry with the masking rule applied to everything it keeps: parameters, the
    /// explanation's hashed values, changed columns and the answer. Every entry goes through
    /// here on its way into the journal.
    fn masked(mut self) -> Entry {
        for (k, v, _) in &mut self.params {
            if is_masked(k) {
                *v = "***".into();
            }
        }
        if let Some(e) = &mut self.explanation {
            for (k, v) in &mut e.order {
                if is_masked(k) {
                    *v = "***".into();
                }
            }
        }
        for (column, old, new) in &mut self.changes {
            let name = column.rsplit('.').next().unwrap_or(column);
            if is_masked(name) {
                for v in [old, new].into_iter().flatten() {
                    *v = "***".into();
                }
            }
        }
        self.answer.3 = mask_answer(&self.answer.3);
        self
    }
}

/// The parameters of a request as an entry keeps them: at most [`ENTRY_MAX_PARAMS`] of them,
/// each value cut at [`ENTRY_MAX_VALUE`] characters; and how many were sent, when that is more
/// than were kept whole. Secrets are masked with the rest of the entry ([`Journal::record`]).
pub fn journal_params<'a>(
    params: impl Iterator<Item = (&'a str, &'a str, &'static str)>,
) -> (Vec<(String, String, &'static str)>, Option<usize>) {
    let shorten = |s: &str, cut: &mut bool| -> String {
        match s.char_indices().nth(ENTRY_MAX_VALUE) {
            Some((i, _)) => {
                *cut = true;
                s[..i].to_string()
            }
            None => s.to_string(),
        }
    };
    let mut kept = Vec::new();
    let (mut sent, mut cut) = (0, false);
    for (k, v, source) in params {
        sent += 1;
        if kept.len() >= ENTRY_MAX_PARAMS {
            continue;
        }
        let v = shorten(v, &mut cut);
        kept.push((shorten(k, &mut cut), v, source));
    }
    let truncated = sent > kept.len() || cut;
    (kept, truncated.then_some(sent))
}

/// One API request as the journal keeps it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// UTC time it was answered.
    pub time: String,
    /// HTTP method.
    pub method: String,
    /// Request path.
    pub path: String,
    /// The call's main name.
    pub call: String,
    /// A number of its own, in the order requests were answered.
    pub id: u64,
    /// The parameters as [`journal_params`] keeps them (name, value, where it came from):
    /// secrets masked, bounded.
    pub params: Vec<(String, String, &'static str)>,
    /// When the parameters were cut: how many were sent.
    pub params_sent: Option<usize>,
    /// The caller's `u`, if sent.
    pub caller: Option<String>,
    /// The caller's user id, when found.
    pub caller_id: Option<i64>,
    /// `ok` or the error text answered.
    pub outcome: String,
    /// Time taken, in microseconds.
    pub duration_us: u64,
    /// For an update: the columns it changed (`table.column`).
    pub changed: Vec<String>,
    /// For an update: each changed column with its old and new value (passwords masked).
    pub changes: Vec<(String, Option<String>, Option<String>)>,
    /// The answer as sent: HTTP status, `Content-Type`, `Content-Disposition`, body (cut at
    /// [`ANSWER_MAX`] bytes).
    pub answer: (u16, String, Option<String>, String),
    /// For `Incorrect hash`: what the explainer found (never a key or a hash).
    pub explanation: Option<crate::explain::Explanation>,
}

/// The most bytes of an answer an entry keeps.
pub const ANSWER_MAX: usize = 16 * 1024;

impl Entry {
    /// About how many bytes the entry takes, for the journal's bound.
    fn size(&self) -> usize {
        let strings = [
            &self.time,
            &self.method,
            &self.path,
            &self.call,
            &self.outcome,
        ];
        std::mem::size_of::<Entry>()
            + strings.iter().map(|s| s.len()).sum::<usize>()
            + self.caller.as_ref().map_or(0, String::len)
            + self
                .params
                .iter()
                .map(|(k, v, _)| k.len() + v.len() + 48)
                .sum::<usize>()
            + self.changed.iter().map(|c| c.len() + 24).sum::<usize>()
            + self
                .changes
                .iter()
                .map(|(c, o, n)| {
                    c.len()
                        + o.as_ref().map_or(0, String::len)
                        + n.as_ref().map_or(0, String::len)
                        + 48
                })
                .sum::<usize>()
            + self.answer.1.len()
            + self.answer.3.len()
            + self.explanation.as_ref().map_or(0, |e| {
                e.key_scope.len()
                    + e.verdict.len()
                    + e.order
                        .iter()
                        .map(|(a, b)| a.len() + b.len() + 32)
                        .sum::<usize>()
            })
    }

    fn to_json(&self) -> Value {
        let params: serde_json::Map<String, Value> = self
            .params
            .iter()
            .map(|(k, v, _)| (k.clone(), Value::String(v.clone())))
            .collect();
        let sources: serde_json::Map<String, Value> = self
            .params
            .iter()
            .map(|(k, _, s)| (k.clone(), Value::String(s.to_string())))
            .collect();
        let changes: Vec<Value> = self
            .changes
            .iter()
            .map(|(c, o, n)| json!({"column": c, "old": o, "new": n}))
            .collect();
        let (status, ctype, disposition, body) = &self.answer;
        json!({
            "id": self.id,
            "sources": sources,
            "changes": changes,
            "answer": {"status": status, "content_type": ctype, "content_disposition": disposition, "body": body},
            "explanation": self.explanation.as_ref().map(|e| json!({
                "order": e.order.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
                "string": e.string(),
                "verdict": e.verdict,
            })),
            "time": self.time,
            "method": self.method,
            "path": self.path,
            "call": self.call,
            "params": params,
            "truncated": self.params_sent.is_some(),
            "params_sent": self.params_sent.unwrap_or(self.params.len()),
            "caller": self.caller,
            "caller_id": self.caller_id,
            "outcome": self.outcome,
            "duration_us": self.duration_us,
            "changed": self.changed,
        })
    }
}

/// The last N API requests, oldest first, within [`JOURNAL_MAX_BYTES`].
#[derive(Debug)]
pub struct Journal {
    capacity: usize,
    entries: Mutex<(VecDeque<Entry>, usize)>,
    next_id: std::sync::atomic::AtomicU64,
}

impl Journal {
    /// A journal keeping the last `capacity` requests.
    pub fn new(capacity: usize) -> Journal {
        Journal {
            capacity: capacity.max(1),
            entries: Mutex::new((VecDeque::new(), 0)),
            next_id: std::sync::atomic::AtomicU64::new(1),
        }
    }

    /// Adds one request (numbering it), dropping the oldest past the capacity or the bound.
    pub fn record(&self, entry: Entry) {
        let mut entry = entry.masked();
        entry.id = self
            .next_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Ok(mut guard) = self.entries.lock() {
            let (entries, bytes) = &mut *guard;
            *bytes += entry.size();
            entries.push_back(entry);
            while entries.len() > self.capacity || *bytes > JOURNAL_MAX_BYTES {
                let Some(old) = entries.pop_front() else {
                    break;
                };
                *bytes -= old.size();
            }
        }
    }

    /// The bytes the journal holds now (about).
    pub fn bytes(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.1)
    }

    /// One page of the entries as JSON, filtered by call name (aliases count) and caller `u`:
    /// those numbered after `after`, oldest first, at most `limit` ([`PAGE_MAX`] at most) and
    /// about [`PAGE_BYTES`] (one entry at least). `next` is the `after` of the next page, or
    /// null on the last; `first_id` the oldest entry's number (the next number when empty) and
    /// `last_id` the newest's (0 when empty), so that a reader can drop what the journal no
    /// longer holds.
    pub fn list(&self, call: Option<&str>, u: Option<&str>, after: u64, limit: usize) -> Value {
        let wanted = call.map(|c| crate::api::call(c).map(|c| c.name()));
        let limit = limit.clamp(1, PAGE_MAX);
        let mut items = Vec::new();
        let (mut bytes, mut next, mut last_id, mut first_id) = (0usize, None, 0u64, 0u64);
        if let Ok(guard) = self.entries.lock() {
            last_id = guard.0.back().map_or(0, |e| e.id);
            first_id = guard.0.front().map_or_else(
                || self.next_id.load(std::sync::atomic::Ordering::Relaxed),
                |e| e.id,
            );
            let matching = guard
                .0
                .iter()
                .filter(|e| e.id > after)
                .filter(|e| match wanted {
                    Some(Some(name)) => e.call == name,
                    Some(None) => false,
                    None => true,
                })
                .filter(|e| u.is_none_or(|u| e.caller.as_deref() == Some(u)));
            for e in matching {
                if items.len() >= limit || (!items.is_empty() && bytes + e.size() > PAGE_BYTES) {
                    next = items.last().map(|(id, _): &(u64, Value)| *id);
                    break;
                }
                bytes += e.size();
                items.push((e.id, e.to_json()));
            }
        }
        let items: Vec<Value> = items.into_iter().map(|(_, v)| v).collect();
        json!({ "requests": items, "next": next, "first_id": first_id, "last_id": last_id })
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        if let Ok(mut e) = self.entries.lock() {
            *e = (VecDeque::new(), 0);
        }
    }
}

/// The journal and the snapshot to reset to.
pub struct TestKit {
    /// The request journal.
    pub journal: Journal,
    snapshot: tokio::sync::Mutex<Option<Connection>>,
    /// Places for pages of the list being sent ([`LISTS_IN_FLIGHT`]).
    lists: Arc<tokio::sync::Semaphore>,
    /// The host names `/_morbox/*` answers besides loopback addresses, `localhost` and the
    /// listen address (lowercase).
    pub hosts: Vec<String>,
    /// The address the server listens on.
    pub listen: std::net::IpAddr,
}

/// A page of the list as sent: its bytes keep its place among [`LISTS_IN_FLIGHT`] until the
/// connection has written them (or dropped them).
struct Page {
    json: Vec<u8>,
    _place: tokio::sync::OwnedSemaphorePermit,
}

impl AsRef<[u8]> for Page {
    fn as_ref(&self) -> &[u8] {
        &self.json
    }
}

impl TestKit {
    /// A kit whose journal keeps `journal_size` requests, answering a server on `listen` and
    /// the host names `hosts` (any case, a trailing dot ignored); call [`TestKit::snapshot`]
    /// once at start so that a reset without a snapshot goes back to the state at start.
    pub fn new(journal_size: usize, listen: std::net::IpAddr, hosts: &[String]) -> TestKit {
        TestKit {
            journal: Journal::new(journal_size),
            snapshot: tokio::sync::Mutex::new(None),
            lists: Arc::new(tokio::sync::Semaphore::new(LISTS_IN_FLIGHT)),
            hosts: hosts
                .iter()
                .map(|h| h.trim().trim_end_matches('.').to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
            listen,
        }
    }

    /// One page of the journal's list ([`Journal::list`]) as bytes that hold a place among
    /// [`LISTS_IN_FLIGHT`] until sent; `None` when every place is taken.
    pub fn list_page(
        &self,
        call: Option<&str>,
        u: Option<&str>,
        after: u64,
        limit: usize,
    ) -> Option<bytes::Bytes> {
        let place = Arc::clone(&self.lists).try_acquire_owned().ok()?;
        let json = self
            .journal
            .list(call, u, after, limit)
            .to_string()
            .into_bytes();
        Some(bytes::Bytes::from_owner(Page {
            json,
            _place: place,
        }))
    }

    /// Records the database as it is now (an in-memory copy), between two write batches.
    pub async fn snapshot(&self, store: &Store) -> Result<Duration, ApiError> {
        let mut slot = self.snapshot.lock().await;
        let started = Instant::now();
        let copy = store
            .writer()
            .exclusive(|conn| {
                let mut mem = Connection::open_in_memory()?;
                Backup::new(conn, &mut mem)?.step(-1)?;
                Ok(mem)
            })
            .await?;
        *slot = Some(copy);
        Ok(started.elapsed())
    }

    /// Brings the database back to the last snapshot in one write transaction: a request in
    /// flight sees the old state or the new one, never a mix.
    pub async fn reset(&self, store: &Store) -> Result<Duration, ApiError> {
        let mut slot = self.snapshot.lock().await;
        let Some(snap) = slot.take() else {
            return Err(ApiError::Internal);
        };
        let started = Instant::now();
        let (snap, result) = store
            .writer()
            .exclusive(move |conn| {
                let result = Backup::new(&snap, conn)
                    .and_then(|b| b.step(-1).map(|_| ()))
                    .map_err(ApiError::from);
                Ok((snap, result))
            })
            .await?;
        *slot = Some(snap);
        result.map(|()| started.elapsed())
    }
}

/// The `/health` document: `status`, `schema_version`, `users`, once a query succeeds.
pub fn health(store: &Store) -> Result<Value, ApiError> {
    let (version, users): (i64, i64) = store.read(|conn, _| {
        conn.prepare_cached(
            "SELECT (SELECT MAX(version) FROM schema_version), (SELECT COUNT(*) FROM users)",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
    })??;
    Ok(json!({ "status": "ok", "schema_version": version, "users": users }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(call: &str, u: &str) -> Entry {
        Entry {
            time: String::new(),
            method: "POST".into(),
            path: "/api/x".into(),
            call: call.into(),
            id: 0,
            params: vec![],
            params_sent: None,
            caller: Some(u.into()),
            caller_id: None,
            outcome: "ok".into(),
            duration_us: 1,
            changed: vec![],
            changes: vec![],
            answer: (200, String::new(), None, String::new()),
            explanation: None,
        }
    }

    #[test]
    fn ring_buffer_and_filters() {
        let j = Journal::new(2);
        j.record(entry("user_details_get", "a"));
        j.record(entry("user_details_update", "b"));
        j.record(entry("user_details_update", "a"));
        let all = j.list(None, None, 0, 100);
        assert_eq!(all["requests"].as_array().unwrap().len(), 2);
        assert_eq!(all["last_id"], 3);
        assert_eq!(all["next"], Value::Null);
        let first = j.list(None, None, 0, 1);
        assert_eq!(first["requests"][0]["id"], 2);
        assert_eq!(first["next"], 2);
        assert_eq!(j.list(None, None, 2, 1)["requests"][0]["id"], 3);
        assert_eq!(
            j.list(Some("user_update_api"), None, 0, 100)["requests"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            j.list(Some("user_details_update"), Some("a"), 0, 100)["requests"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            j.list(Some("nope"), None, 0, 100)["requests"]
                .as_array()
                .unwrap()
                .len(),
            0
        );
        j.clear();
        assert_eq!(
            j.list(None, None, 0, 100)["requests"]
                .as_array()
                .unwrap()
                .len(),
            0
        );
        assert_eq!(j.bytes(), 0);
    }

    #[test]
    fn pages_in_flight_are_bounded_until_sent() {
        let kit = TestKit::new(10, [127, 0, 0, 1].into(), &[]);
        kit.journal.record(entry("user_details_get", "a"));
        let held: Vec<bytes::Bytes> = (0..LISTS_IN_FLIGHT)
            .map(|_| kit.list_page(None, None, 0, 10).unwrap())
            .collect();
        assert!(kit.list_page(None, None, 0, 10).is_none());
        // A copy shares the page: the place is given back when the last one goes.
        let copy = held[0].clone();
        drop(held);
        assert!(kit.list_page(None, None, 0, 10).is_some());
        drop(copy);
        assert!(kit.list_page(None, None, 0, 10).is_some());
    }

    #[test]
    fn answers_keep_their_shape_with_secrets_masked() {
        let body = "<?xml version=\"1.0\"?>\n<page>\n  <user_device_settings>\n    <username>1001</username>\n    <password>s3cr3t</password>\n    <pin>123456</pin>\n    <empty/>\n    <id>5</id>\n  </user_device_settings>\n</page>\n";
        assert_eq!(
            mask_answer(body),
            "<?xml version=\"1.0\"?>\n<page>\n  <user_device_settings>\n    <username>1001</username>\n    <password>***</password>\n    <pin>***</pin>\n    <empty/>\n    <id>***</id>\n  </user_device_settings>\n</page>\n"
        );
        assert_eq!(mask_answer("plain text"), "plain text");
        assert_eq!(mask_answer("<secret"), "<secret");
    }

    #[test]
    fn masks_by_name_in_any_case_and_bounds_each_entry() {
        for name in [
            "p",
            "P",
            "pswd",
            "PSWD",
            "hash",
            "Hash",
            "password",
            "Password2",
            "secret",
            "api_key",
            "SecretKey",
            "token",
        ] {
            assert!(is_masked(name), "{name}");
        }
        for name in ["u", "user_id", "u15", "username", "a8"] {
            assert!(!is_masked(name), "{name}");
        }
        let long = "x".repeat(1000);
        let many: Vec<(String, String)> =
            (0..500).map(|i| (format!("k{i}"), long.clone())).collect();
        let (kept, sent) =
            journal_params(many.iter().map(|(k, v)| (k.as_str(), v.as_str(), "query")));
        assert_eq!(kept.len(), ENTRY_MAX_PARAMS);
        assert_eq!(sent, Some(500));
        assert!(kept.iter().all(|(_, v, _)| v.len() == ENTRY_MAX_VALUE));
        let (kept, sent) =
            journal_params([("u", "admin", "query"), ("PassWord", "hunter2", "json")].into_iter());
        assert_eq!(sent, None);
        // Masked on the way into the journal, with the rest of the entry.
        let mut e = entry("user_details_get", "admin");
        e.params = kept;
        let kept = e.masked().params;
        assert_eq!(kept[0], ("u".to_string(), "admin".to_string(), "query"));
        assert_eq!(kept[1], ("PassWord".to_string(), "***".to_string(), "json"));
    }
}
