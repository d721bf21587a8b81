//! Why a hash does not match: the usual mistakes integrators make, tried one by one against
//! the hash they sent. Used by `morbox hash` and, with `serve --explain-hash-errors` or
//! `--test-endpoints`, for each `Incorrect hash`. Nothing here ever prints or logs a key.
//!
//! A server explains on a thread of its own ([`Explainer`]), never on the workers that answer
//! other requests, and the work is bounded before it starts: a request with more than
//! [`MAX_PARAMS`] parameters or [`MAX_BYTES`] of them is not explained, one explanation makes
//! at most [`MAX_TRIES`] SHA1s over at most [`MAX_HASHED`] bytes, and at most [`QUEUE`]
//! explanations wait; past that a wrong hash is answered unexplained.

use crate::auth::{Hashing, hash_string, hashed_parts, sha1_hex};
use crate::params::Params;
use std::cell::Cell;

/// The most parameters a request may have and still be explained.
pub const MAX_PARAMS: usize = 64;

/// The most bytes (names and values) its parameters may take and still be explained.
pub const MAX_BYTES: usize = 16 * 1024;

/// The most SHA1s one explanation makes.
pub const MAX_TRIES: usize = 20_000;

/// The most bytes one explanation hashes in all.
pub const MAX_HASHED: usize = 4 << 20;

/// The most explanations waiting for the explainer's thread.
pub const QUEUE: usize = 8;

/// A key that could have been used, named by its scope ("the system", "reseller 2").
#[derive(Debug, Clone)]
pub struct NamedKey {
    /// Whose key it is.
    pub scope: String,
    /// The key.
    pub key: String,
}

/// Names keys by their owner (`conflines.owner_id`, as [`crate::store::queries::all_keys`] lists them).
pub fn named_keys(rows: Vec<(i64, String)>) -> Vec<NamedKey> {
    rows.into_iter()
        .map(|(owner, key)| NamedKey {
            scope: crate::auth::scope_name(owner),
            key,
        })
        .collect()
}

/// Why a hash did not match, as the journal shows it.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// The parameters the call hashes that were sent, in its order, with their hashed values.
    pub order: Vec<(String, String)>,
    /// Whose key the hash is checked with ("the system", "reseller 2"): never the key, nor
    /// its length.
    pub key_scope: String,
    /// The usual mistake found, in words.
    pub verdict: String,
}

impl Explanation {
    /// The string hashed as shown: the values in order, then the key named by its scope.
    pub fn string(&self) -> String {
        let base: String = self.order.iter().map(|(_, v)| v.as_str()).collect();
        format!("{base}<key of {}>", self.key_scope)
    }
}

/// The mistake that explains a wrong hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mistake {
    /// The right hash in uppercase hex.
    UppercaseHex,
    /// The right values, another order.
    WrongOrder(Vec<String>),
    /// A parameter that is not hashed was hashed too.
    NonHashedIncluded(String),
    /// `u` was hashed, but this call does not hash it.
    UIncluded,
    /// `u` was left out, but this call hashes it.
    ULeftOut,
    /// Values were hashed percent-encoded, as they travel, not decoded.
    PercentEncoded,
    /// `user_id` was hashed as sent (leading zeros), not as a plain integer: (sent, hashed).
    UserIdAsSent(String, String),
    /// These hashed parameters were sent but left out of the hash.
    LeftOut(Vec<String>),
    /// The `hash` sent is not 40 hexadecimal characters (its length in characters).
    NotAHash(usize),
    /// Signed with the key of another scope.
    WrongKey(String),
    /// None of the usual mistakes.
    Unknown,
    /// Not looked into: the request has more parameters or bytes than the explainer takes
    /// (parameters, bytes).
    TooLarge(usize, usize),
    /// Looked into until the explainer's budget ran out, without finding the mistake.
    GaveUp,
    /// Not looked into: the explainer had too many requests waiting.
    Busy,
}

impl std::fmt::Display for Mistake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mistake::UppercaseHex => {
                f.write_str("the hash is right but in uppercase hex; send it in lowercase")
            }
            Mistake::WrongOrder(order) => write!(
                f,
                "the values were hashed in the wrong order ({}); hash them in the call's order",
                order.join(", ")
            ),
            Mistake::NonHashedIncluded(p) => write!(
                f,
                "`{p}` was hashed, but it is not a hash parameter of this call"
            ),
            Mistake::UIncluded => f.write_str("`u` was hashed, but this call does not hash `u`"),
            Mistake::ULeftOut => f.write_str("`u` was left out, but this call hashes `u` first"),
            Mistake::PercentEncoded => {
                f.write_str("the values were hashed percent-encoded; hash the decoded values")
            }
            Mistake::UserIdAsSent(sent, hashed) => write!(
                f,
                "`user_id` was hashed as sent ({sent}); it is hashed as a plain integer ({hashed})"
            ),
            Mistake::LeftOut(names) => {
                let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                match quoted.as_slice() {
                    [one] => write!(
                        f,
                        "{one} was left out of the hash, but it is hashed when sent"
                    ),
                    [rest @ .., last] => write!(
                        f,
                        "{} and {last} were left out of the hash, but they are hashed when sent",
                        rest.join(", ")
                    ),
                    [] => f.write_str("a parameter was left out"),
                }
            }
            Mistake::NotAHash(n) => write!(
                f,
                "the hash sent is not 40 hexadecimal characters (it has {n}): send the lowercase hex SHA1"
            ),
            Mistake::WrongKey(scope) => write!(
                f,
                "the hash was made with the key of {scope}, not the caller's"
            ),
            Mistake::Unknown => {
                f.write_str("none of the usual mistakes explains it: check the key and every value")
            }
            Mistake::TooLarge(n, bytes) => write!(
                f,
                "not explained: the request has {n} parameters and {bytes} bytes of them; the \
                 explainer looks at requests of up to {MAX_PARAMS} parameters and {MAX_BYTES} bytes"
            ),
            Mistake::GaveUp => f.write_str(
                "not explained: none of the usual mistakes found within the explainer's budget; \
                 check the key and every value",
            ),
            Mistake::Busy => f.write_str("not explained: the explainer was busy"),
        }
    }
}

/// The parameters a call hashes that were sent, in hash order, with their hashed values.
pub fn hashed_values(hashing: Hashing<'_>, params: &Params) -> Vec<(&'static str, String)> {
    hashed_parts(hashing, params)
        .map(|(n, v)| (n, v.to_string()))
        .collect()
}

/// Whether a request is small enough to explain: `Err(TooLarge)` otherwise, decided before
/// any work.
pub fn admit(params: &Params) -> Result<(), Mistake> {
    let (mut n, mut bytes) = (0usize, 0usize);
    for (k, v) in params.iter() {
        n += 1;
        bytes += k.len() + v.len();
    }
    if n > MAX_PARAMS || bytes > MAX_BYTES {
        return Err(Mistake::TooLarge(n, bytes));
    }
    Ok(())
}

/// Finds the mistake behind `given`, or `None` when it matches. `raw` are the parameters as
/// they travelled (not percent-decoded); `other_keys` the keys of other scopes. Bounded: a
/// request [`admit`] refuses is not looked into, and past [`MAX_TRIES`] SHA1s or
/// [`MAX_HASHED`] bytes the answer is [`Mistake::GaveUp`].
pub fn explain(
    hashing: Hashing<'_>,
    params: &Params,
    raw: &[(String, String)],
    key: &str,
    other_keys: &[NamedKey],
    given: &str,
) -> Option<Mistake> {
    if let Err(too_large) = admit(params) {
        return Some(too_large);
    }
    let hash_order = hashing.order;
    let base = hash_string(hashing, params);
    let expected = sha1_hex(&base, key);
    if given == expected {
        return None;
    }
    if given.len() != 40 || !given.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some(Mistake::NotAHash(given.chars().count()));
    }
    let given = given.to_ascii_lowercase();
    if given == expected {
        return Some(Mistake::UppercaseHex);
    }
    // Every try spends from one budget; once it is spent nothing more hits.
    let budget = Cell::new((MAX_TRIES, MAX_HASHED));
    let spend = |bytes: usize| -> bool {
        let (tries, left) = budget.get();
        if tries == 0 || left < bytes {
            budget.set((0, 0));
            return false;
        }
        budget.set((tries - 1, left - bytes));
        true
    };
    let hits = |s: &str| spend(s.len() + key.len()) && sha1_hex(s, key) == given;
    let spent = || budget.get().0 == 0;
    for k in other_keys {
        if k.key != key && spend(base.len() + k.key.len()) && sha1_hex(&base, &k.key) == given {
            return Some(Mistake::WrongKey(k.scope.clone()));
        }
    }
    let u = params.get("u").unwrap_or("");
    let hashes_u = hash_order.contains(&"u");
    if hashes_u {
        if hits(&base.replacen(u, "", 1)) {
            return Some(Mistake::ULeftOut);
        }
    } else if hits(&format!("{u}{base}")) || hits(&format!("{base}{u}")) {
        return Some(Mistake::UIncluded);
    }
    let values = hashed_values(hashing, params);
    // user_id as sent.
    if let Some(sent) = params.get("user_id")
        && sent.bytes().all(|b| b.is_ascii_digit())
        && !sent.is_empty()
    {
        let s: String = values
            .iter()
            .map(|(n, v)| if *n == "user_id" { sent } else { v.as_str() })
            .collect();
        if s != base && hits(&s) {
            let hashed = values
                .iter()
                .find(|(n, _)| *n == "user_id")
                .map_or(String::new(), |(_, v)| v.clone());
            return Some(Mistake::UserIdAsSent(sent.to_string(), hashed));
        }
    }
    // Percent-encoded values.
    let raw_value = |name: &str| {
        raw.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let encoded: String = values
        .iter()
        .map(|(n, v)| raw_value(n).unwrap_or(v).to_string())
        .collect();
    if encoded != base && hits(&encoded) {
        return Some(Mistake::PercentEncoded);
    }
    // Hashed parameters that were sent but left out: each one, each pair, and all but the
    // first (a client that signs an update over `user_id` alone).
    if let Some(names) = left_out(&values, &hits) {
        return Some(Mistake::LeftOut(names));
    }
    // A parameter that is not hashed, put in at any place.
    for (name, v) in params.iter() {
        if name == "hash" || name == "u" || hash_order.contains(&name) {
            continue;
        }
        for at in 0..=values.len() {
            let mut s = String::new();
            for (i, (_, hv)) in values.iter().enumerate() {
                if i == at {
                    s.push_str(v);
                }
                s.push_str(hv);
            }
            if at == values.len() {
                s.push_str(v);
            }
            if hits(&s) {
                return Some(Mistake::NonHashedIncluded(name.to_string()));
            }
            if spent() {
                return Some(Mistake::GaveUp);
            }
        }
    }
    // Another order: every permutation of up to 7 values, else the usual ones.
    if values.len() > 1 {
        for order in orders(values.len()) {
            let s: String = order.iter().map(|&i| values[i].1.as_str()).collect();
            if s != base && hits(&s) {
                return Some(Mistake::WrongOrder(
                    order.iter().map(|&i| values[i].0.to_string()).collect(),
                ));
            }
            if spent() {
                return Some(Mistake::GaveUp);
            }
        }
    }
    Some(if spent() {
        Mistake::GaveUp
    } else {
        Mistake::Unknown
    })
}

/// One explanation to make, owned, so that it can run on the explainer's thread.
#[derive(Debug)]
pub struct Job {
    /// The call's hash order and value rules.
    pub hashing: Hashing<'static>,
    /// The parameters as decoded.
    pub params: Params,
    /// The parameters as they travelled.
    pub raw: Vec<(String, String)>,
    /// The key the hash was checked with.
    pub key: String,
    /// The keys of other scopes.
    pub others: Vec<NamedKey>,
    /// The hash sent.
    pub given: String,
}

impl Job {
    /// Runs [`explain`] on the job.
    pub fn run(&self) -> Option<Mistake> {
        explain(
            self.hashing,
            &self.params,
            &self.raw,
            &self.key,
            &self.others,
            &self.given,
        )
    }
}

type Reply = tokio::sync::oneshot::Sender<Option<Mistake>>;

/// One thread that explains, fed by a queue of [`QUEUE`] places: the async workers hand it
/// jobs and wait without blocking; when the queue is full the answer is [`Mistake::Busy`] at
/// once.
#[derive(Debug)]
pub struct Explainer {
    jobs: std::sync::mpsc::SyncSender<(Job, Reply)>,
}

impl Explainer {
    /// Starts the explainer's thread.
    pub fn new() -> Explainer {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(Job, Reply)>(QUEUE);
        let spawned = std::thread::Builder::new()
            .name("morbox-explainer".into())
            .spawn(move || {
                for (job, reply) in rx {
                    let _ = reply.send(job.run());
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the hash explainer's thread");
        }
        Explainer { jobs: tx }
    }

    /// The mistake behind a job's hash (`None`: it matches), or [`Mistake::Busy`] when too
    /// many wait.
    pub async fn explain(&self, job: Job) -> Option<Mistake> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        if self.jobs.try_send((job, tx)).is_err() {
            return Some(Mistake::Busy);
        }
        rx.await.unwrap_or(Some(Mistake::Busy))
    }
}

impl Default for Explainer {
    fn default() -> Self {
        Explainer::new()
    }
}

/// The hashed values whose leaving out explains the hash, if some do.
fn left_out(values: &[(&'static str, String)], hits: &dyn Fn(&str) -> bool) -> Option<Vec<String>> {
    let n = values.len();
    let without = |skip: &[usize]| -> String {
        values
            .iter()
            .enumerate()
            .filter(|(i, _)| !skip.contains(i))
            .map(|(_, (_, v))| v.as_str())
            .collect()
    };
    let mut tries: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    for i in 0..n {
        for j in i + 1..n {
            tries.push(vec![i, j]);
        }
    }
    if n > 3 {
        tries.push((1..n).collect());
    }
    tries
        .into_iter()
        .filter(|skip| skip.len() < n)
        .find(|skip| hits(&without(skip)))
        .map(|skip| skip.iter().map(|&i| values[i].0.to_string()).collect())
}

/// Orders to try for `n` values.
fn orders(n: usize) -> Vec<Vec<usize>> {
    if n <= 7 {
        let mut all = Vec::new();
        permute(&mut (0..n).collect(), 0, &mut all);
        return all;
    }
    let mut out = vec![(0..n).rev().collect::<Vec<_>>()];
    for i in 0..n {
        for j in i + 1..n {
            let mut o: Vec<usize> = (0..n).collect();
            o.swap(i, j);
            out.push(o);
        }
    }
    out
}

fn permute(v: &mut Vec<usize>, k: usize, out: &mut Vec<Vec<usize>>) {
    if k == v.len() {
        out.push(v.clone());
        return;
    }
    for i in k..v.len() {
        v.swap(k, i);
        permute(v, k + 1, out);
        v.swap(k, i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(q: &str) -> Params {
        Params::from_request(Some(q), None, b"").unwrap()
    }

    const GET: &[&str] = &["user_id", "username"];
    const RAW_GET: &[&str] = &["u", "user_id"];
    const UPDATE: &[&str] = &["user_id", "u15"];
    const UPDATE_LONG: &[&str] = &["user_id", "u15", "u23"];

    fn check(call: &[&'static str], q: &str, hashed: &str, key: &str) -> Option<Mistake> {
        let given = sha1_hex(hashed, key);
        let mut params = p(q);
        params.set("hash".into(), given.clone());
        explain(
            Hashing::usual(call),
            &params,
            &crate::params::raw_pairs(q),
            "secret",
            &[NamedKey {
                scope: "reseller 2".into(),
                key: "r2key".into(),
            }],
            &given,
        )
    }

    #[test]
    fn each_usual_mistake_is_named() {
        assert_eq!(check(GET, "u=admin&user_id=5", "5", "secret"), None);
        let upper = sha1_hex("5", "secret").to_uppercase();
        assert_eq!(
            explain(
                Hashing::usual(GET),
                &p("u=admin&user_id=5"),
                &[],
                "secret",
                &[],
                &upper
            ),
            Some(Mistake::UppercaseHex)
        );
        assert_eq!(
            check(GET, "u=admin&user_id=5&username=x", "x5", "secret"),
            Some(Mistake::WrongOrder(vec![
                "username".into(),
                "user_id".into()
            ]))
        );
        assert_eq!(
            check(UPDATE, "u=admin&user_id=5&u15=1&u33=hi", "51hi", "secret"),
            Some(Mistake::NonHashedIncluded("u33".into()))
        );
        assert_eq!(
            check(GET, "u=admin&user_id=5", "admin5", "secret"),
            Some(Mistake::UIncluded)
        );
        assert_eq!(
            check(RAW_GET, "u=admin&user_id=5", "5", "secret"),
            Some(Mistake::ULeftOut)
        );
        assert_eq!(
            check(GET, "u=admin&username=a%20b", "a%20b", "secret"),
            Some(Mistake::PercentEncoded)
        );
        assert_eq!(
            check(GET, "u=admin&user_id=007", "007", "secret"),
            Some(Mistake::UserIdAsSent("007".into(), "7".into()))
        );
        assert_eq!(
            check(UPDATE_LONG, "u=admin&user_id=5&u15=1&u23=Jo", "5", "secret"),
            Some(Mistake::LeftOut(vec!["u15".into(), "u23".into()]))
        );
        assert_eq!(
            check(
                UPDATE_LONG,
                "u=admin&user_id=5&u15=1&u23=Jo",
                "5Jo",
                "secret"
            ),
            Some(Mistake::LeftOut(vec!["u15".into()]))
        );
        assert_eq!(
            explain(
                Hashing::usual(GET),
                &p("u=admin&user_id=5"),
                &[],
                "secret",
                &[],
                "abc"
            ),
            Some(Mistake::NotAHash(3))
        );
        assert_eq!(
            check(GET, "u=admin&user_id=5", "5", "r2key"),
            Some(Mistake::WrongKey("reseller 2".into()))
        );
        assert_eq!(
            check(GET, "u=admin&user_id=5", "6", "secret"),
            Some(Mistake::Unknown)
        );
    }
}
