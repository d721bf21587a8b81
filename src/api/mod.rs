//! The API calls: the call table ([`CALLS`], the rows of the families) and the one way every
//! call goes. A family is a folder ([`details`], [`accounts`], [`devices`]); a call is one
//! file in it, which holds everything about the call: its row ([`CallSpec`], written from
//! [`CallSpec::DEFAULT`] so that it says only what differs), its parameter table ([`Param`]:
//! the hash order and the API description come from it), its reach table, its typed value and how it runs. Each call
//! parses the request into its own typed value once ([`Read::parse`], [`Write::parse`]) and
//! then applies it.
//!
//! Adding a call is one file and one line in its family's `mod.rs`; the router, the OpenAPI
//! document, the reference in `docs/`, the hash explainer, the journal and the hostile battery
//! all read the row.

/// A call's hash order, from its parameter table: the names of its hashed rows in the table's
/// order, made once. Used in a row as `hash_order: hash_order!(PARAMS)`.
macro_rules! hash_order {
    ($params:expr) => {{
        fn order() -> &'static [&'static str] {
            static ORDER: std::sync::LazyLock<Vec<&'static str>> =
                std::sync::LazyLock::new(|| $crate::api::hashed_names($params));
            &ORDER
        }
        order
    }};
}

/// A reach table of the families whose callers reach what their scope owns (devices, DIDs):
/// the admin and resellers always, reaching the users they own (for the admin, the system's,
/// itself included); accountants and managers when `$staff` (an [`reach::Admit`]) lets them
/// in, reaching `$staff_targets` (a [`reach::Targets`]); users as the row `$user` says.
macro_rules! owned_reach {
    ($staff:expr, $staff_targets:expr, $user:expr) => {
        &[
            $crate::api::reach::Access::open(
                $crate::auth::Role::Admin,
                $crate::api::reach::Targets::Owned,
            ),
            $crate::api::reach::Access::open(
                $crate::auth::Role::Reseller,
                $crate::api::reach::Targets::Owned,
            ),
            $crate::api::reach::Access {
                role: $crate::auth::Role::Accountant,
                admit: $staff,
                targets: $staff_targets,
            },
            $crate::api::reach::Access {
                role: $crate::auth::Role::Manager,
                admit: $staff,
                targets: $staff_targets,
            },
            $user,
        ]
    };
}

pub mod accounts;
pub mod caller;
pub mod calls;
pub mod details;
pub mod devices;
pub mod dids;
pub mod fields;
pub mod proof;
pub mod reach;
pub mod sign;

pub use fields::Fields;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::guard::HashGuard;
use crate::params::Params;
use crate::settings::Settings;
use crate::settings::XML_API_EXTENSION;
use crate::store::{ReadCtx, Store};
use rusqlite::Connection;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;

/// The path prefixes the vendor serves the API under.
pub const PREFIXES: &[&str] = &["/billing/api/", "/api/"];

/// How a call wraps its own errors (gate errors always use [`ErrorShape::Status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorShape {
    /// `<error>TEXT</error>`
    Bare,
    /// `<status><error>TEXT</error></status>`
    Status,
    /// `<page><status><error>TEXT</error></status></page>`
    PageStatus,
    /// `<page><error>TEXT</error><message>…</message>…</page>`
    Page,
    /// `<page><page><error>TEXT</error></page></page>` (user_balance_update's doubled page).
    PagePage,
    /// The text alone, no XML (the plain-text calls).
    Text,
    /// `<action><name>login</name><status>failed</status><status_message>TEXT</status_message></action>`
    Action,
}

impl ErrorShape {
    /// The wrapper, written out.
    pub fn describe(self) -> &'static str {
        match self {
            ErrorShape::Bare => "<error>TEXT</error>",
            ErrorShape::Status => "<status><error>TEXT</error></status>",
            ErrorShape::PageStatus => "<page><status><error>TEXT</error></status></page>",
            ErrorShape::Page => "<page><error>TEXT</error><message>…</message></page>",
            ErrorShape::PagePage => "<page><page><error>TEXT</error></page></page>",
            ErrorShape::Text => "TEXT (plain text, no XML)",
            ErrorShape::Action => {
                "<action><name>login</name><status>failed</status><status_message>TEXT</status_message></action>"
            }
        }
    }
}

/// What proves the subject besides the hash (docs/accounts.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    /// Nothing.
    None,
    /// Before any gate: the subject's password in this parameter must verify and the subject
    /// must not be blocked; otherwise the row's `unknown` answers (user_login).
    PasswordFirst(&'static str),
    /// After the gates: the password in the first parameter, or when it is absent the
    /// uniquehash in the second, must be the caller's; otherwise `Access Denied` (users_get).
    PasswordOrUniquehash(&'static str, &'static str),
}

/// Whose request it is: how the subject is found before any gate runs (docs/accounts.md).
/// When it is not found, no gate runs and the row's `unknown` answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    /// The caller named by `u` (docs/README.md).
    Caller,
    /// The user whose username is this parameter: the target itself, which signs with the key
    /// of its own scope; `u` is ignored.
    Username(&'static str),
    /// The user whose uniquehash is this parameter.
    Uniquehash(&'static str),
    /// The user named by this parameter: its username, or (with `Allow_login_by_email`) the
    /// e-mail of its address, a username matching first.
    Login(&'static str),
    /// The owner whose uniquehash is this parameter; without it, the admin (user 0).
    Owner(&'static str),
}

/// Which of the gates after the identity a call runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gates {
    /// `Allow_GET_API` applies (false: GET always works).
    pub get: bool,
    /// The hash is checked (false: none is asked for, a sent one is ignored).
    pub hash: bool,
}

impl Gates {
    /// Every gate (docs/README.md).
    pub const ALL: Gates = Gates {
        get: true,
        hash: true,
    };
}

/// What a call's answer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// An XML document with the vendor's headers.
    Xml,
    /// Plain text, inline, whatever `XML_API_Extension` and `test` say.
    Text,
    /// An XML document in a ZIP archive (`<stem>_<unix time>.xml` in `<stem>_<unix
    /// time>.xml.zip`), its own errors too; with `test=1`, the XML inline. Gate errors are
    /// never zipped.
    Zip(&'static str),
}

/// The form of a parameter's value, for the API description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Any text.
    Text,
    /// All digits (an id).
    Digits,
    /// A whole number, signed.
    Int,
    /// A whole number, 0 or more.
    Count,
    /// A decimal number; `,` is accepted as the decimal mark.
    Decimal,
    /// 1 (any value > 0) or 0.
    Flag,
    /// An e-mail address.
    Email,
    /// One of these words.
    Choice(&'static [&'static str]),
}

/// One parameter a call takes: one row of its table. A call's hashed parameters are hashed in
/// the order of its table.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// Its name.
    pub name: &'static str,
    /// The form of its value.
    pub form: Form,
    /// Whether it goes into the hash (in the table's order among the hashed ones).
    pub hashed: bool,
    /// What it is and does.
    pub doc: &'static str,
}

impl Param {
    /// A hashed parameter.
    pub const fn hashed(name: &'static str, form: Form, doc: &'static str) -> Param {
        Param {
            name,
            form,
            hashed: true,
            doc,
        }
    }

    /// A parameter outside the hash.
    pub const fn plain(name: &'static str, form: Form, doc: &'static str) -> Param {
        Param {
            name,
            form,
            hashed: false,
            doc,
        }
    }
}

/// The names of a table's hashed parameters, in its order.
pub fn hashed_names(params: &[Param]) -> Vec<&'static str> {
    params.iter().filter(|p| p.hashed).map(|p| p.name).collect()
}

/// A read call's request, parsed once and answered on one read snapshot.
pub trait Read: Sized {
    /// The call's own reading of the request (after the gates passed).
    fn parse(req: &ApiRequest) -> Result<Self, ApiError>;
    /// The answer, on the snapshot the gates ran on.
    fn answer(
        self,
        conn: &Connection,
        ctx: &ReadCtx<'_>,
        who: &Authed,
    ) -> Result<Vec<u8>, ApiError>;
}

/// A read call whose answer may be long (a month of calls): parsed once, then answered on a
/// read snapshot of its own on a thread of its own ([`crate::stream`]), its document handed
/// over a piece at a time while it is written, so that it is sent as it is written and never
/// held whole. Its gates run first, on the request's thread, as a write's do.
pub trait ReadStreamed: Sized {
    /// The call's own reading of the request (after the gates passed).
    fn parse(req: &ApiRequest) -> Result<Self, ApiError>;
    /// The answer: a document offered to `out` as it grows ([`crate::stream::Pieces::offer`]);
    /// returns its last bytes. An error before the first piece is the answer; after it, the
    /// client's connection is cut.
    fn answer(
        self,
        conn: &Connection,
        ctx: &ReadCtx<'_>,
        who: &Authed,
        out: &mut crate::stream::Pieces,
    ) -> Result<Vec<u8>, ApiError>;
}

/// A write call's request, parsed once, checked on a read snapshot, then applied by the
/// single writer inside its own savepoint (all or nothing).
pub trait Write: Sized + Send + 'static {
    /// The call's own reading of the request (after the gates passed).
    fn parse(req: &ApiRequest) -> Result<Self, ApiError>;
    /// A password the change would store: it is hashed (on the bounded pool) only after
    /// [`Write::check`] found nothing wrong, so a refused request never costs a hash.
    fn password(&self) -> Option<&str> {
        None
    }
    /// Every rule, without writing (on a read snapshot): only asked when there is a password,
    /// so a call that stores none need not say anything.
    fn check(&self, _conn: &Connection, _who: &Authed) -> Result<(), ApiError> {
        Ok(())
    }
    /// The call's answer when the database refuses its write (a constraint or a trigger of
    /// the integrator's own): nothing is written either way.
    fn refused() -> ApiError {
        ApiError::WriteRefused
    }
    /// Every rule again, then the writes and their audit rows.
    fn apply(
        self,
        conn: &Connection,
        who: &Authed,
        password_hash: Option<String>,
    ) -> Result<Written, ApiError>;
}

/// What a write produced.
#[derive(Debug)]
pub struct Written {
    /// The XML answer.
    pub body: Vec<u8>,
    /// The columns it changed (`table.column`), for the journal.
    pub changed: Vec<String>,
    /// Where known, each changed column with its old and new value (passwords masked).
    pub changes: Vec<(String, Option<String>, Option<String>)>,
}

type ReadFn = fn(&Connection, &ReadCtx<'_>, &ApiRequest, &Authed) -> Result<Vec<u8>, ApiError>;
type StreamFn = fn(
    &Connection,
    &ReadCtx<'_>,
    &ApiRequest,
    &Authed,
    &mut crate::stream::Pieces,
) -> Result<Vec<u8>, ApiError>;
type WriteFn = for<'a> fn(
    &'a Backend,
    &'a ApiRequest,
    Authed,
) -> Pin<Box<dyn Future<Output = Result<Written, ApiError>> + Send + 'a>>;

/// How a call runs.
#[derive(Clone, Copy)]
pub enum Run {
    /// Caller, gates and answer on one read snapshot.
    Read(ReadFn),
    /// Gates on a read snapshot, then the writer.
    Write(WriteFn),
    /// Gates on a read snapshot, then the answer on a snapshot and a thread of its own, sent
    /// as it is written.
    Stream(StreamFn),
}

impl Run {
    /// A read call: `C` parsed, then answered on the snapshot the gates ran on.
    pub const fn read<C: Read>() -> Run {
        Run::Read(read::<C>)
    }

    /// A write call: `C` parsed, checked, then applied by the writer.
    pub const fn write<C: Write>() -> Run {
        Run::Write(write::<C>)
    }

    /// A read call whose answer may be long: `C` parsed, then answered piece by piece.
    pub const fn streamed<C: ReadStreamed>() -> Run {
        Run::Stream(streamed::<C>)
    }
}

/// One row of the call table.
pub struct CallSpec {
    /// The names it answers to under [`PREFIXES`], the main one first.
    pub names: &'static [&'static str],
    /// Its hash parameters, in order (docs/README.md).
    pub hash_order: fn() -> &'static [&'static str],
    /// How each hashed value goes into the hash string (a name not listed: as sent).
    pub hash_rules: crate::auth::HashRules,
    /// How its own errors are wrapped (docs/README.md).
    pub errors: ErrorShape,
    /// Errors of its own that take another wrapper than `errors`.
    pub shapes: &'static [(ApiError, ErrorShape)],
    /// How the subject is found.
    pub identity: Identity,
    /// What is answered when the subject is not found (no gate ran); the system's settings.
    pub unknown: fn(&Settings) -> ApiError,
    /// Roles answered as an unknown subject is (`unknown`), before any gate, whatever their
    /// hash (the DID calls refuse plain users so).
    pub shut_out: &'static [crate::auth::Role],
    /// What is answered instead when the subject's parameter was not sent at all (or sent
    /// empty); `None`: as `unknown`.
    pub unnamed: Option<ApiError>,
    /// Which gates run.
    pub gates: Gates,
    /// What else proves the subject.
    pub proof: Proof,
    /// A parameter that may also come as the last path segment (`…/simple_balance/<id>`).
    pub path_param: Option<&'static str>,
    /// XML or plain text.
    pub body: Body,
    /// How it runs.
    pub run: Run,
    /// Its parameters besides `hash` and `test` (`u` only where it is hashed): the hash order
    /// and the API description come from them.
    pub params: fn() -> &'static [Param],
    /// One line on what it does.
    pub summary: &'static str,
    /// Who may call it and whom it reaches, role by role (empty: the subject is the target,
    /// as the identity says).
    pub reach: reach::Table,
}

/// A call: its row of [`CALLS`].
pub type Call = &'static CallSpec;

/// A family of calls: a folder of `src/api/`, a page of `docs/`.
#[derive(Debug)]
pub struct Family {
    /// Its name: the folder and the page (`docs/NAME.md`).
    pub name: &'static str,
    /// What it covers, in a few words.
    pub title: &'static str,
    /// Its calls' rows.
    pub calls: &'static [CallSpec],
}

/// The legacy API's calls, family by family (each family's `mod.rs` lists its rows). A static,
/// so that every row has one address ([`Call`]s compare by it).
pub static CALLS: &[Family] = &[
    Family {
        name: "details",
        title: "User details",
        calls: details::SPECS,
    },
    Family {
        name: "accounts",
        title: "Accounts: users, registration, login, deletion, balances and payments",
        calls: accounts::SPECS,
    },
    Family {
        name: "devices",
        title: "Devices: create, change, delete, list and read a user's devices",
        calls: devices::SPECS,
    },
    Family {
        name: "calls",
        title: "Call history and rates",
        calls: calls::SPECS,
    },
    Family {
        name: "dids",
        title: "DIDs: the stock of inbound numbers, assigning them to devices, their life cycle",
        calls: dids::SPECS,
    },
];

/// Every call, family by family.
pub fn calls() -> impl Iterator<Item = Call> {
    CALLS.iter().flat_map(|family| family.calls.iter())
}

/// The call a path segment names, aliases included.
pub fn call(name: &str) -> Option<Call> {
    calls().find(|s| s.names.contains(&name))
}

impl CallSpec {
    /// The row every call's row starts from: every gate, the caller named by `u`, `Access
    /// Denied` for an unknown one, errors in `<page>`, XML. A row names its names, its
    /// parameters and hash order, how it runs and its summary, and what else differs.
    pub const DEFAULT: CallSpec = CallSpec {
        names: &[],
        hash_order: || &[],
        hash_rules: crate::auth::HASHED_AS,
        errors: ErrorShape::Page,
        shapes: &[],
        identity: Identity::Caller,
        unknown: |_| ApiError::AccessDenied,
        shut_out: &[],
        unnamed: None,
        gates: Gates::ALL,
        proof: Proof::None,
        path_param: None,
        body: Body::Xml,
        run: Run::Read(|_, _, _, _| Err(ApiError::Internal)),
        params: || &[],
        summary: "",
        reach: &[],
    };

    /// Its hash order with its value rules.
    pub fn hashing(&self) -> crate::auth::Hashing<'static> {
        crate::auth::Hashing {
            order: (self.hash_order)(),
            rules: self.hash_rules,
        }
    }

    /// The main name.
    pub fn name(&self) -> &'static str {
        self.names[0]
    }

    /// The wrapper of one of its own errors.
    pub fn shape_of(&self, e: &ApiError) -> ErrorShape {
        self.shapes
            .iter()
            .find(|(x, _)| x == e)
            .map_or(self.errors, |(_, shape)| *shape)
    }
}

impl std::fmt::Debug for CallSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl PartialEq for CallSpec {
    fn eq(&self, other: &CallSpec) -> bool {
        std::ptr::eq(self, other)
    }
}

/// One API request, routed and parsed.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    /// Which call.
    pub call: Call,
    /// Whether it came as GET (subject to `Allow_GET_API`).
    pub is_get: bool,
    /// Its parameters.
    pub params: Params,
    /// The client's address (for the hash-failure lockout and the audit).
    pub peer: IpAddr,
    /// The parameters as they travelled (not decoded), kept only to explain hash errors.
    pub raw: Vec<(String, String)>,
}

/// What the calls run against.
pub struct Backend {
    /// The database.
    pub store: Arc<Store>,
    /// Failed-hash counts per address, caller and key scope.
    pub guard: HashGuard,
    /// Log why each `Incorrect hash` did not match (`serve --explain-hash-errors`).
    pub explain_hash_errors: bool,
    /// Where passwords are hashed (bounded: one at a time per core).
    pub passwords: crate::passwords::Pool,
    /// Explain each `Incorrect hash` in the journal (`serve --test-endpoints`).
    pub explain_in_journal: bool,
    /// Where wrong hashes are explained: a thread of its own, bounded.
    pub explainer: crate::explain::Explainer,
    /// Where long answers are read and written while they are sent: bounded.
    pub streams: crate::stream::Streams,
}

impl Backend {
    /// A backend on `store` with the lockout at `hash_failure_limit` and nothing explained.
    pub fn new(store: Arc<Store>, hash_failure_limit: u32) -> Backend {
        Backend {
            store,
            guard: HashGuard::new(hash_failure_limit),
            explain_hash_errors: false,
            passwords: crate::passwords::Pool::new(),
            explain_in_journal: false,
            explainer: crate::explain::Explainer::new(),
            streams: crate::stream::Streams::default(),
        }
    }
}

/// What a call produced, for the router to send.
#[derive(Debug)]
pub struct Outcome {
    /// The XML document (or its first piece, when `rest` follows), or the error to render.
    pub result: Result<Vec<u8>, ApiError>,
    /// The rest of an answer sent as it is written.
    pub rest: Option<crate::stream::Rest>,
    /// `XML_API_Extension` was on (answer as `text/xml`).
    pub xml_extension: bool,
    /// The caller's id, once known (for the log line).
    pub caller: Option<i64>,
    /// For a write: the columns it changed (`table.column`), for the journal.
    pub changed: Vec<String>,
    /// For a write, where known: each changed column's old and new value.
    pub changes: Vec<(String, Option<String>, Option<String>)>,
    /// For `Incorrect hash` with the test kit on: what the explainer found.
    pub explanation: Option<crate::explain::Explanation>,
}

/// The caller after the gates, with the settings of its scope.
pub struct Authed {
    /// Who is calling.
    pub caller: Caller,
    /// The system's settings and those of the caller's scope.
    pub settings: Arc<Settings>,
    /// The caller's balance (default currency) and currency id, read with it: in the same
    /// snapshot as the answer of a read call.
    pub balance: (f64, i64),
}

/// Runs one API request to its outcome.
pub async fn handle(backend: &Backend, req: ApiRequest) -> Outcome {
    if let Proof::PasswordFirst(param) = req.call.proof
        && let Err(e) = proof::password_first(backend, &req, param).await
    {
        let mut outcome = Outcome::new(Some(Err(e)));
        // Refused before any gate, but answered as every other answer: `XML_API_Extension`
        // is a system setting.
        outcome.xml_extension = backend
            .store
            .read(|conn, ctx| {
                ctx.settings(conn, 0)
                    .map(|s| s.system_on(XML_API_EXTENSION))
            })
            .ok()
            .and_then(Result::ok)
            .unwrap_or(false);
        return outcome;
    }
    match req.call.run {
        Run::Read(answer) if req.call.proof == Proof::None => {
            let mut outcome = Outcome::new(None);
            on_one_snapshot(backend, &req, &mut outcome, |conn, ctx, authed| {
                answer(conn, ctx, &req, &authed)
            })
            .await;
            outcome
        }
        Run::Stream(answer) if req.call.proof == Proof::None => {
            // A first try of the answer on the gates' snapshot, as a read call's: most answers
            // are short. A long one gives up at once and is read again on a thread of its
            // own, sent as it is written.
            let mut outcome = Outcome::new(None);
            let mut trial = crate::stream::Pieces::trial();
            let mut passed = None;
            on_one_snapshot(backend, &req, &mut outcome, |conn, ctx, authed| {
                let tried = answer(conn, ctx, &req, &authed, &mut trial);
                passed = Some(authed);
                tried
            })
            .await;
            if let (true, Some(authed)) = (trial.gave_up(), passed) {
                stream(backend, req, authed, answer, &mut outcome).await;
            }
            outcome
        }
        run => {
            // Gates on one snapshot; the proof after them (it may verify a password on the
            // pool); then the call.
            let auth = backend
                .store
                .read(|conn, ctx| caller::authenticate(conn, ctx, backend, &req));
            let mut auth = match auth {
                Ok(a) => a,
                Err(e) => return Outcome::new(Some(Err(e))),
            };
            let mut outcome = Outcome::new(None);
            outcome.xml_extension = auth.xml_extension;
            outcome.caller = auth.caller_id;
            match auth.settle(backend, &req).await {
                Ok(explanation) => outcome.explanation = explanation,
                Err(e) => {
                    outcome.result = Err(e);
                    return outcome;
                }
            }
            let authed = match auth.result {
                Ok(a) => a,
                Err(e) => {
                    outcome.result = Err(e);
                    return outcome;
                }
            };
            if let Proof::PasswordOrUniquehash(password, uniquehash) = req.call.proof
                && let Err(e) =
                    proof::password_or_uniquehash(backend, &req, &authed, password, uniquehash)
                        .await
            {
                outcome.result = Err(e);
                return outcome;
            }
            match run {
                Run::Read(answer) => {
                    outcome.result = backend
                        .store
                        .read(|conn, ctx| answer(conn, ctx, &req, &authed))
                        .and_then(|r| r);
                }
                Run::Stream(answer) => {
                    // First on this thread, whole: most answers are short. A long one gives up
                    // at once and is read again on a thread of its own, sent as it is written.
                    let mut trial = crate::stream::Pieces::trial();
                    let tried = backend
                        .store
                        .read(|conn, ctx| answer(conn, ctx, &req, &authed, &mut trial))
                        .and_then(|r| r);
                    if !trial.gave_up() {
                        outcome.result = tried;
                        return outcome;
                    }
                    stream(backend, req, authed, answer, &mut outcome).await;
                }
                Run::Write(write) => match write(backend, &req, authed).await {
                    Ok(w) => {
                        outcome.result = Ok(w.body);
                        outcome.changed = w.changed;
                        outcome.changes = w.changes;
                    }
                    Err(e) => outcome.result = Err(e),
                },
            }
            outcome
        }
    }
}

/// The gates and `then` (given the caller they let through) on one read snapshot, then what
/// the authentication leaves to do off it (a wrong hash's audit row, its explanation):
/// `outcome` gets the result.
async fn on_one_snapshot(
    backend: &Backend,
    req: &ApiRequest,
    outcome: &mut Outcome,
    then: impl FnOnce(&Connection, &ReadCtx<'_>, Authed) -> Result<Vec<u8>, ApiError>,
) {
    let mut left = None;
    let read = backend.store.read(|conn, ctx| {
        let mut auth = caller::authenticate(conn, ctx, backend, req);
        outcome.xml_extension = auth.xml_extension;
        outcome.caller = auth.caller_id;
        let result = std::mem::replace(&mut auth.result, Err(ApiError::Internal));
        left = Some(auth);
        result.and_then(|authed| then(conn, ctx, authed))
    });
    outcome.result = read.and_then(|r| r);
    if let Some(mut auth) = left {
        match auth.settle(backend, req).await {
            Ok(explanation) => outcome.explanation = explanation,
            Err(e) => outcome.result = Err(e),
        }
    }
}

/// A long answer read again on a thread of its own and sent as it is written: its first
/// piece and the rest into `outcome`.
async fn stream(
    backend: &Backend,
    req: ApiRequest,
    authed: Authed,
    answer: StreamFn,
    outcome: &mut Outcome,
) {
    let store = Arc::clone(&backend.store);
    let started = backend
        .streams
        .run(move |out| {
            store
                .read(|conn, ctx| answer(conn, ctx, &req, &authed, out))
                .and_then(|r| r)
        })
        .await;
    match started {
        Ok(s) => {
            outcome.result = Ok(s.first);
            outcome.rest = s.rest;
        }
        Err(e) => outcome.result = Err(e),
    }
}

impl Outcome {
    fn new(result: Option<Result<Vec<u8>, ApiError>>) -> Outcome {
        Outcome {
            result: result.unwrap_or(Err(ApiError::Internal)),
            rest: None,
            xml_extension: false,
            caller: None,
            changed: Vec::new(),
            changes: Vec::new(),
            explanation: None,
        }
    }
}

/// A read call's row function: parse, then answer.
fn read<C: Read>(
    conn: &Connection,
    ctx: &ReadCtx<'_>,
    req: &ApiRequest,
    who: &Authed,
) -> Result<Vec<u8>, ApiError> {
    C::parse(req)?.answer(conn, ctx, who)
}

/// A long read call's row function: parse, then answer piece by piece.
fn streamed<C: ReadStreamed>(
    conn: &Connection,
    ctx: &ReadCtx<'_>,
    req: &ApiRequest,
    who: &Authed,
    out: &mut crate::stream::Pieces,
) -> Result<Vec<u8>, ApiError> {
    C::parse(req)?.answer(conn, ctx, who, out)
}

/// A write call's row function: parse; when a password is to be stored, check everything on a
/// read snapshot and hash it on the bounded pool; then apply on the writer.
fn write<'a, C: Write>(
    backend: &'a Backend,
    req: &'a ApiRequest,
    who: Authed,
) -> Pin<Box<dyn Future<Output = Result<Written, ApiError>> + Send + 'a>> {
    Box::pin(async move {
        let cmd = C::parse(req)?;
        let password_hash = match cmd.password() {
            Some(pw) => {
                backend
                    .store
                    .read(|conn, _| cmd.check(conn, &who))
                    .and_then(|r| r)?;
                Some(backend.passwords.hash(pw.to_string()).await?)
            }
            None => None,
        };
        backend
            .store
            .writer()
            .write(move |conn| cmd.apply(conn, &who, password_hash))
            .await
            .map_err(|e| match e {
                ApiError::WriteRefused => C::refused(),
                e => e,
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases() {
        assert_eq!(call("user_details").unwrap().name(), "user_details_get");
        assert_eq!(
            call("user_update_api").unwrap().name(),
            "user_details_update"
        );
        assert!(call("user_details_raw").is_none());
        // Every name belongs to one row only.
        let mut names: Vec<&str> = calls().flat_map(|c| c.names.iter().copied()).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n);
    }

    #[test]
    fn every_row_is_whole_and_hashes_its_tables_hashed_rows_in_order() {
        for c in calls() {
            assert!(!c.names.is_empty() && !c.summary.is_empty(), "{c:?}");
            let params = (c.params)();
            assert_eq!((c.hash_order)(), hashed_names(params).as_slice(), "{c:?}");
            // Each parameter once; the hashed ones first.
            let mut names: Vec<&str> = params.iter().map(|p| p.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), params.len(), "{c:?}");
            let first_plain = params
                .iter()
                .position(|p| !p.hashed)
                .unwrap_or(params.len());
            assert!(params[first_plain..].iter().all(|p| !p.hashed), "{c:?}");
            // An answer sent as it is written is XML (a ZIP or a text is sent whole).
            if matches!(c.run, Run::Stream(_)) {
                assert_eq!(c.body, Body::Xml, "{c:?}");
            }
            // Every call can be found by each of its names, and is the same row.
            for n in c.names {
                assert!(std::ptr::eq(call(n).unwrap(), c), "{n}");
            }
        }
    }
}
