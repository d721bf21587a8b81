//! morbox: a MOR-compatible billing API (the user-details and accounts calls) in one binary on one SQLite
//! file.
//!
//! # Module map
//! - [`cli`]: subcommands and flags (`main.rs` only parses and calls it); [`cli::ops`] the
//!   operator's commands (`hash`, `users`, `settings`, `audit`, `check`, `backup`).
//! - [`server`]: accept loop, connection limits (global and per address), timeouts, graceful
//!   shutdown; knows no endpoint. [`repoll`]: a connection that wakes itself while polled is
//!   polled again at once, not sent to the back of the run queue.
//! - [`router`]: (method, path) → call, body → parameters, and the one place an error becomes
//!   an HTTP response ([`router::error_response`]).
//! - [`service`]: `/health`, the OpenAPI document and the test kit's endpoints.
//! - [`params`]: query string and bodies (urlencoded, multipart, JSON) → one parameter set.
//! - [`auth`]: roles, the caller, the gates and the hash string (pure functions).
//! - [`api`]: the call table ([`api::CALLS`], family by family: [`api::details`],
//!   [`api::accounts`], [`api::devices`], [`api::calls`], [`api::dids`]), the way through a call, reach tables ([`api::reach`]), the one
//!   parameter reader ([`api::Fields`]), and one file per call that parses its request into a
//!   typed value once.
//! - [`store`]: all SQL: opening, pragmas, schema, typed reads into plain rows, the reference
//!   table ([`store::refs`]), the single writer.
//! - [`settings`]: the `conflines` settings, their defaults and meanings.
//! - [`guard`]: the lockout after repeated failed hash checks.
//! - [`passwords`]: argon2id hashing, the one password rule, the longest password, the bounded
//!   hashing pool; [`rules`]: the other value rules calls share (e-mail addresses);
//!   [`devices`]: the device rules (types, ports, caller ids, random secrets and PINs);
//!   [`dids`]: the DID life cycle (its states and the one table of moves).
//! - [`logging`]: the buffered way out for log lines, and the access log's line.
//! - [`kit`]: snapshot/reset and the request journal for integrators' test suites.
//! - [`openapi`]: the API description, generated from the call table; [`reference`](mod@reference): the
//!   reference of every call in `docs/`, generated from it too.
//! - [`explain`]: which usual mistake explains a wrong hash (`morbox hash`, the log).
//! - [`client`]: the tiny HTTP client of `morbox health`.
//! - [`xml`]: the XML writer (declaration, indentation, escaping); [`zip`]: a one-file ZIP
//!   archive (tariff_rates_get's answer); [`stream`]: an answer sent while it is written (a
//!   long read on a thread of its own, a short queue of pieces, the response body).
//! - [`numbers`]: amounts as the vendor formats them; [`rating`]: the pricing rule of the
//!   call tools; [`callfile`]: the call seed file (read, derive, price, load); [`callgen`]:
//!   the call generator.
//! - [`error`]: the error table; `Display` is the vendor's exact text.
//! - [`dates`]: UTC dates without a date crate; [`timezones`]: the accepted time zone names;
//!   [`localtime`]: the server's zone (`--tz`, `MORBOX_TZ`), for the call history.
//! - [`fuzzing`]: how fuzz inputs become requests (shared by the fuzz target and its replay).
//!
//! # One request
//! accept ([`server`]) → route ([`router::route`]) → parameters ([`params::Params`]) → caller
//! and gates ([`api::caller::authenticate`], [`auth::check_gates`]) → the call's typed request
//! and rules ([`api::Read`], [`api::Write`]) → store ([`store`]) → XML ([`xml::Doc`]) →
//! response ([`router`]).
//!
//! # Walls (each an absence; `tests/walls.rs` reads every path of the source, `crate::` and
//! `super::`, and fails on a breach)
//! - Nothing imports back up: no two modules name each other, directly or in a circle.
//! - The store knows no call, no caller, no HTTP, no XML and no access log ([`logging`]): it
//!   returns plain rows.
//! - The gates ([`auth`]) and the explainer know no call: they take a hash order and the
//!   parameters.
//! - The XML writer knows no store; [`error`] knows nothing above it.
//! - The accept loop knows no endpoint.
//!
//! # Invariants
//! - Reads run on a pool of read connections, each request in one read transaction whose
//!   snapshot is the database as it is when the request reads; SQLite is in WAL mode, so reads
//!   never wait for writes. A worker keeps its transaction for the next request only while
//!   the WAL index ([`store::wal_index`]) shows no commit, and ends it before going idle. Rows
//!   kept between requests ([`store::kept`], bounded) are used only by a request whose
//!   snapshot is the state they were read in.
//! - A read whose answer may be long ([`api::ReadStreamed`]) runs on one of a bounded number
//!   of threads and holds at most a short queue of pieces for its client; a client that goes
//!   away ends it, and its read transaction, at its next piece.
//! - Every write goes through the one writer thread ([`store::writer`]), which commits waiting
//!   requests together and answers each only after its commit.
//! - No SQLite message, secret or hash key is ever sent to a client, nor logged.
//! - The rules of the legacy API live in tables, once: [`api::CALLS`] (names, hash order, error
//!   wrappers, how a call runs, its parameters), each call's reach table,
//!   [`api::details::update_params::PARAMS`] (every update parameter), [`store::refs`] (references),
//!   [`settings::SETTINGS`], and [`error::ApiError`] (every text, status and gate).
//! - Work an unauthenticated request can cause is bounded before it starts: a password is
//!   hashed only after every other check, on a pool of one thread per core.

#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod callfile;
pub mod callgen;
pub mod cli;
pub mod client;
pub mod dates;
pub mod devices;
pub mod dids;
pub mod error;
pub mod explain;
pub mod fuzzing;
pub mod guard;
pub mod kit;
pub mod localtime;
pub mod logging;
pub mod numbers;
pub mod openapi;
pub mod params;
pub mod passwords;
pub mod rating;
pub mod reference;
pub mod repoll;
pub mod router;
pub mod rules;
pub mod server;
pub mod service;
pub mod settings;
pub mod store;
pub mod stream;
pub mod timezones;
pub mod xml;
pub mod zip;
