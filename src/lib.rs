//! morbox: a MOR-compatible billing API (the user-details calls) in one binary on one SQLite
//! file.
//!
//! # Module map
//! - [`cli`]: subcommands and flags; `main.rs` only parses and calls it.
//! - [`server`]: accept loop, connection limits, timeouts, graceful shutdown; knows no endpoint.
//! - [`router`]: (method, path) → call, body → parameters, and the one place an outcome becomes
//!   an HTTP response (headers, XML error wrappers).
//! - [`params`]: query string and bodies (urlencoded, multipart, JSON) → one parameter set.
//! - [`auth`]: roles, scope, gates and the hash check (pure functions).
//! - [`api`]: the call table ([`api::CALLS`]) and one file per call with its rules and XML.
//! - [`store`]: all SQL: opening, pragmas, schema, typed reads, the single writer.
//! - [`settings`]: the `conflines` settings, their defaults and meanings.
//! - [`guard`]: the lockout after repeated failed hash checks.
//! - [`passwords`]: argon2id hashing, the longest password, and the bounded hashing pool.
//! - [`kit`]: `/health`, snapshot/reset and the request journal for integrators' test suites.
//! - [`openapi`]: the API description, generated from the call and parameter tables.
//! - [`explain`]: which usual mistake explains a wrong hash (`morbox hash`, the log).
//! - [`ops`]: the operator's commands (`hash`, `users`, `settings`, `audit`, `check`, `backup`).
//! - [`client`]: the tiny HTTP client of `morbox health`.
//! - [`xml`]: the XML writer (declaration, indentation, escaping).
//! - [`error`]: the error enum; `Display` is the vendor's exact text.
//! - [`dates`]: UTC dates without a date crate; [`timezones`]: the accepted time zone names.
//! - [`fuzzing`]: how fuzz inputs become requests (shared by the fuzz target and its replay).
//!
//! # One request
//! accept ([`server`]) → route ([`router::route`]) → parameters ([`params::Params`]) → caller
//! and gates ([`api::authenticate`], [`auth::check_gates`]) → the call's rules ([`api`]) →
//! store ([`store`]) → XML ([`xml::Doc`]) → response ([`router`]). Nothing flows back up.
//!
//! # Invariants
//! - Reads run on a pool of read connections, each request in one read transaction; SQLite
//!   is in WAL mode, so reads never wait for writes.
//! - Every write goes through the one writer thread ([`store::writer`]), which commits waiting
//!   requests together and answers each only after its commit.
//! - No SQLite message, secret or hash key is ever sent to a client, nor logged.
//! - The rules of the legacy API live in tables, once: [`api::CALLS`] (names, hash order, error
//!   wrappers), [`api::update_params::PARAMS`] (every update parameter), [`settings::SETTINGS`],
//!   and [`error::ApiError`] (every text).

#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod cli;
pub mod client;
pub mod dates;
pub mod error;
pub mod explain;
pub mod fuzzing;
pub mod guard;
pub mod kit;
pub mod openapi;
pub mod ops;
pub mod params;
pub mod passwords;
pub mod router;
pub mod server;
pub mod settings;
pub mod store;
pub mod timezones;
pub mod xml;
