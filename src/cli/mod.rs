//! The command line: subcommands, flags and what each does. `main.rs` parses it and calls
//! [`run`].

pub mod ops;

use crate::api::Backend;
use crate::guard::HashGuard;
use crate::kit::TestKit;
use crate::router::App;
use crate::server::{self, Limits};
use crate::store::{self, Durability, Store};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::error::Error;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// morbox: a MOR-compatible billing API (user details and accounts calls) in one binary, on one SQLite file.
#[derive(Debug, Parser)]
#[command(name = "morbox", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new database file (never touches an existing one).
    ///
    /// Without --demo it holds only the admin (`admin`, id 0) with API access on and a new
    /// random API_Secret_Key, printed (it stays in table conflines: `settings get` shows it). With --demo it holds the demo world of
    /// data/demo.sql (system key `secret`; see the README).
    Init(InitArgs),
    /// Serve the API until SIGINT or SIGTERM, then finish the requests in flight.
    ///
    /// Prints one line on stdout once listening: `morbox listening on http://ADDR`.
    Serve(ServeArgs),
    /// Ask a running server's /health; exit 0 when it answers ok, 1 otherwise.
    Health(HealthArgs),
    /// Work out a call's hash: the parameters in order, the string hashed, the hash; with
    /// hash=… given, whether it matches and which usual mistake explains it if not.
    ///
    /// Example: morbox hash user_details_update --db data/morbox.db u=admin user_id=123 u15=1
    Hash(HashArgs),
    /// List, show, add users and set their passwords.
    #[command(subcommand)]
    Users(UsersCommand),
    /// List, get and set the settings of table conflines.
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Show recent audit rows (table actions), newest first.
    Audit(AuditArgs),
    /// List payments (table payments), newest first.
    #[command(subcommand)]
    Payments(PaymentsCommand),
    /// List devices (table devices) by id; secrets masked unless asked.
    #[command(subcommand)]
    Devices(DevicesCommand),
    /// List DIDs (table dids) by number, with their state, user, device and stock.
    #[command(subcommand)]
    Dids(DidsCommand),
    /// Put calls into the database (table calls) from a seed file.
    #[command(subcommand)]
    Calls(CallsCommand),
    /// Check the database: integrity, schema version, row counts. Exit 1 when not ok.
    Check(DbArgs),
    /// Copy the database consistently while it is being served (VACUUM INTO).
    Backup(BackupArgs),
    /// Put a backup back: --db's content becomes --from's in one SQLite transaction, through
    /// SQLite (never a file renamed over a database: a server's WAL would be applied to it). Safe
    /// while a server holds --db: its requests see the old content or the new, never a mix.
    Restore(RestoreArgs),
    /// Print the reference of every call (or of one family), made from the call table: the
    /// generated part of docs/FAMILY.md. With --write DIR, bring DIR/FAMILY.md in step.
    Reference(ReferenceArgs),
}

/// The database file of an operator's command, and the output format.
#[derive(Debug, Args)]
pub struct DbArgs {
    /// The database file.
    #[arg(long, env = "MORBOX_DB", default_value = "data/morbox.db")]
    pub db: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `morbox hash`.
#[derive(Debug, Args)]
pub struct HashArgs {
    /// The call, by any of its names (`morbox reference` lists them all).
    pub call: String,
    /// The parameters as they would be sent, NAME=VALUE (percent-encoding as on the wire).
    pub params: Vec<String>,
    /// The database to take the caller's key from.
    #[arg(long, env = "MORBOX_DB", default_value = "data/morbox.db")]
    pub db: PathBuf,
    /// Use this key instead of the database's.
    #[arg(long)]
    pub key: Option<String>,
    /// Print the key in the hashed string instead of masking it.
    #[arg(long)]
    pub show_key: bool,
}

/// `morbox users …`.
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// List users.
    List {
        #[command(flatten)]
        db: DbArgs,
        /// Only users of this owner (0: the system).
        #[arg(long)]
        owner: Option<i64>,
        /// Only users of this type.
        #[arg(long = "type")]
        usertype: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// Show one user (by id or username), every column but the secret ones.
    Show {
        #[command(flatten)]
        db: DbArgs,
        /// Id or username.
        user: String,
    },
    /// Add a user.
    Add {
        #[command(flatten)]
        db: DbArgs,
        /// The new username (unique).
        #[arg(long)]
        username: String,
        /// admin, reseller, accountant, manager or user.
        #[arg(long = "type", default_value = "user")]
        usertype: String,
        /// The owning reseller's id (0: the system).
        #[arg(long, default_value_t = 0)]
        owner: i64,
        /// The password (else read from standard input); stored as an argon2id hash.
        #[arg(long)]
        password: Option<String>,
        /// First name.
        #[arg(long, default_value = "")]
        first_name: String,
        /// Last name.
        #[arg(long, default_value = "")]
        last_name: String,
    },
    /// Set a user's password (read from standard input unless --password).
    Passwd {
        #[command(flatten)]
        db: DbArgs,
        /// Id or username.
        user: String,
        /// The new password.
        #[arg(long)]
        password: Option<String>,
    },
}

/// `morbox settings …`.
#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Every known setting with its value and meaning (and any other rows present).
    List {
        #[command(flatten)]
        db: DbArgs,
        /// The scope: 0 the system, or a reseller's id.
        #[arg(long, default_value_t = 0)]
        owner: i64,
    },
    /// One setting's value (its default when there is no row).
    Get {
        #[command(flatten)]
        db: DbArgs,
        /// The setting's name, e.g. Allow_API.
        name: String,
        /// The scope: 0 the system, or a reseller's id.
        #[arg(long, default_value_t = 0)]
        owner: i64,
    },
    /// Set a setting (a name morbox does not know needs --force).
    Set {
        #[command(flatten)]
        db: DbArgs,
        /// The setting's name, e.g. Allow_GET_API.
        name: String,
        /// The new value.
        value: String,
        /// The scope: 0 the system, or a reseller's id.
        #[arg(long, default_value_t = 0)]
        owner: i64,
        /// Accept a name morbox does not know.
        #[arg(long)]
        force: bool,
    },
}

/// `morbox payments …`.
#[derive(Debug, Subcommand)]
pub enum PaymentsCommand {
    /// List payments, newest first.
    List {
        #[command(flatten)]
        db: DbArgs,
        /// Only this user's (id or username).
        #[arg(long)]
        user: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
}

/// `morbox devices …`.
#[derive(Debug, Subcommand)]
pub enum DevicesCommand {
    /// List devices by id: user, type, group, primary, username, secret, address, port, hidden.
    List {
        #[command(flatten)]
        db: DbArgs,
        /// Only this user's (id or username).
        #[arg(long)]
        user: Option<String>,
        /// Show each device's secret in clear (masked as *** otherwise).
        #[arg(long)]
        show_secrets: bool,
    },
}

/// `morbox dids …`.
#[derive(Debug, Subcommand)]
pub enum DidsCommand {
    /// List DIDs by number: id, number, status, user, device, stock (reseller_id, 0: the
    /// system's), dial plan.
    List {
        #[command(flatten)]
        db: DbArgs,
        /// Only DIDs in this state: free, reserved, active, closed or terminated.
        #[arg(long)]
        status: Option<String>,
        /// Only this user's (id or username).
        #[arg(long)]
        user: Option<String>,
    },
}

/// `morbox calls …`.
#[derive(Debug, Subcommand)]
pub enum CallsCommand {
    /// Load a seed file of calls: CSV with a header row, or JSON Lines, on the calls column
    /// names (calldate and user_id or dst_user_id needed). Missing values are derived and
    /// priced from the tariffs; the whole file loads in one transaction, or nothing does and
    /// the error names the line and column.
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// The seed file (`-`: standard input).
        file: PathBuf,
        /// Take each call's user price from its user's balance, as the call engine does.
        #[arg(long)]
        charge: bool,
    },
    /// Make up calls that look like production: a working day's hours, a mix of dispositions,
    /// log-normal billed seconds, the destinations each user's tariff rates, its devices as
    /// callers, priced from the tariffs. The same seed gives the same calls.
    Generate {
        #[command(flatten)]
        db: DbArgs,
        /// The first day (YYYY-MM-DD).
        #[arg(long)]
        from: String,
        /// The last day (YYYY-MM-DD), included.
        #[arg(long)]
        till: String,
        /// How many calls in all.
        #[arg(long, conflicts_with = "per_day", required_unless_present = "per_day")]
        count: Option<u64>,
        /// How many calls a day.
        #[arg(long)]
        per_day: Option<u64>,
        /// The users: ids separated by commas, or all (every plain user).
        #[arg(long, default_value = "all")]
        users: String,
        /// The seed of the random choices.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The share of answered calls (the others keep the default mix's proportions).
        #[arg(long, conflicts_with = "mix")]
        answer_rate: Option<f64>,
        /// The shares of ANSWERED, NO ANSWER, BUSY and FAILED, separated by commas.
        #[arg(long)]
        mix: Option<String>,
        /// Only these destination prefixes, separated by commas.
        #[arg(long)]
        destinations: Option<String>,
        /// The share of incoming calls to the users (dst_user_id).
        #[arg(long, default_value_t = 0.0)]
        did_share: f64,
        /// Write a seed file (CSV, for `calls import`) instead of the database.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// `morbox audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Only rows made by this caller id.
    #[arg(long)]
    pub user: Option<i64>,
    /// Only rows about this target user id.
    #[arg(long)]
    pub target: Option<i64>,
    /// At most this many.
    #[arg(long, default_value_t = 50)]
    pub limit: i64,
}

/// `morbox backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The database file.
    #[arg(long, env = "MORBOX_DB", default_value = "data/morbox.db")]
    pub db: PathBuf,
    /// The copy to write (must not exist).
    #[arg(long)]
    pub to: PathBuf,
}

/// `morbox reference`.
#[derive(Debug, Args)]
pub struct ReferenceArgs {
    /// One family (details, accounts, …); all of them when left out.
    pub family: Option<String>,
    /// Write each family's reference into DIR/FAMILY.md (between its markers, under the prose)
    /// instead of printing it.
    #[arg(long, value_name = "DIR")]
    pub write: Option<PathBuf>,
}

/// `morbox restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The database to restore into (served or not; made when missing).
    #[arg(long, env = "MORBOX_DB", default_value = "data/morbox.db")]
    pub db: PathBuf,
    /// The backup to restore (a morbox database, e.g. from `morbox backup`); an older schema
    /// is brought up to date on the way, never in the file.
    #[arg(long)]
    pub from: PathBuf,
}

/// `morbox health`.
#[derive(Debug, Args)]
pub struct HealthArgs {
    /// The server's base URL (an IP address and port; names are not resolved).
    #[arg(long, env = "MORBOX_URL", default_value = "http://127.0.0.1:8080")]
    pub url: String,
}

/// `morbox init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The database file to create.
    #[arg(long, env = "MORBOX_DB", default_value = "data/morbox.db")]
    pub db: PathBuf,
    /// Load the demo world (users, tariffs, settings with demo secrets).
    #[arg(long)]
    pub demo: bool,
    /// SQL fixture files applied after the schema (and demo world), in order, in the same
    /// transaction; on any error nothing is left behind.
    #[arg(long = "seed", value_name = "FILE.sql")]
    pub seeds: Vec<PathBuf>,
}

/// `morbox serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The database file to serve (create it with `morbox init`).
    #[arg(long, env = "MORBOX_DB", default_value = "data/morbox.db")]
    pub db: PathBuf,
    /// The address to listen on, IP:PORT (`localhost:PORT` means 127.0.0.1); port 0 picks a
    /// free port.
    #[arg(long, env = "MORBOX_LISTEN", default_value = "127.0.0.1:8080", value_parser = parse_listen)]
    pub listen: SocketAddr,
    /// The largest request body accepted, in bytes (larger: HTTP 413 with an XML error).
    #[arg(long, env = "MORBOX_BODY_LIMIT", default_value_t = 64 * 1024)]
    pub body_limit: usize,
    /// The server's time zone (an IANA name): call times are its naive local times, unix
    /// times in requests are read in it, "today" is its day.
    #[arg(long, env = "MORBOX_TZ", default_value = "UTC")]
    pub tz: String,
    /// Seconds a client may take to send a request body (slower: HTTP 408).
    #[arg(long, env = "MORBOX_BODY_TIMEOUT", default_value_t = 10)]
    pub body_timeout: u64,
    /// Seconds a client may take to send its request headers (also the idle keep-alive limit).
    #[arg(long, env = "MORBOX_HEADER_TIMEOUT", default_value_t = 10)]
    pub header_timeout: u64,
    /// The most headers one request may have.
    #[arg(long, env = "MORBOX_MAX_HEADERS", default_value_t = 64)]
    pub max_headers: usize,
    /// The most bytes a request line and its headers may take.
    #[arg(long, env = "MORBOX_MAX_HEADER_BYTES", default_value_t = 16 * 1024)]
    pub max_header_bytes: usize,
    /// The most connections served at once.
    #[arg(long, env = "MORBOX_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,
    /// The most connections one client address may hold open at once; more are closed as
    /// soon as they are accepted.
    #[arg(
        long,
        env = "MORBOX_MAX_CONNECTIONS_PER_ADDRESS",
        default_value_t = 256
    )]
    pub max_connections_per_address: usize,
    /// Seconds a new connection may stay silent before its first byte (then it is closed).
    #[arg(long, env = "MORBOX_FIRST_BYTE_TIMEOUT", default_value_t = 3)]
    pub first_byte_timeout: u64,
    /// Seconds shutdown waits for requests in flight.
    #[arg(long, env = "MORBOX_GRACE", default_value_t = 10)]
    pub grace: u64,
    /// Failed hash checks in a row allowed per client address and per caller (`u`) within a
    /// minute; past it, their requests get `Too many failed hash checks` until the minute
    /// passes. A passed check clears the count. 0: no limit.
    #[arg(long, env = "MORBOX_HASH_FAILURE_LIMIT", default_value_t = 20)]
    pub hash_failure_limit: u32,
    /// Serve on a non-loopback address even though a demo or short (< 16 characters)
    /// API_Secret_Key is in use, or API_Disable_hash_checking is 1 in some scope. Without it,
    /// serve refuses.
    #[arg(long, env = "MORBOX_ALLOW_WEAK_SECRET")]
    pub allow_weak_secret: bool,
    /// Write durability: `full` (an acknowledged update survives power loss) or `normal`.
    #[arg(long, env = "MORBOX_SYNCHRONOUS", value_enum, default_value_t = Sync::Full)]
    pub synchronous: Sync,
    /// Serve a throwaway database made in a temporary folder at start (with --demo and
    /// --seed as for init) and removed at exit, SIGINT and SIGTERM included. --db is ignored.
    #[arg(long, env = "MORBOX_EPHEMERAL")]
    pub ephemeral: bool,
    /// With --ephemeral: load the demo world.
    #[arg(long, env = "MORBOX_DEMO", requires = "ephemeral")]
    pub demo: bool,
    /// With --ephemeral: SQL fixture files applied after the schema, in order (in the
    /// environment variable: separated by commas).
    #[arg(
        long = "seed",
        value_name = "FILE.sql",
        env = "MORBOX_SEED",
        value_delimiter = ',',
        requires = "ephemeral"
    )]
    pub seeds: Vec<PathBuf>,
    /// Turn on the test endpoints: POST /_morbox/snapshot, POST /_morbox/reset, the request
    /// journal GET|DELETE /_morbox/requests and the request inspector /_morbox/. Whoever
    /// reaches them holds every key: the inspector's workbench signs any call with the real
    /// key. They answer only a loopback Host, localhost, the listen address or an --allow-host
    /// name, and a request that changes something only with Content-Type: application/json or
    /// an X-Morbox header and no foreign Origin. Refused off loopback unless
    /// --allow-test-endpoints-off-loopback is given too.
    #[arg(long, env = "MORBOX_TEST_ENDPOINTS")]
    pub test_endpoints: bool,
    /// Allow --test-endpoints on a non-loopback address (a private compose network, say).
    #[arg(long, env = "MORBOX_ALLOW_TEST_ENDPOINTS_OFF_LOOPBACK")]
    pub allow_test_endpoints_off_loopback: bool,
    /// A host name the test endpoints answer besides loopback addresses, `localhost` and the
    /// listen address (repeatable; in the environment variable: separated by commas). Any other
    /// Host is refused, so that a web page cannot reach them by DNS rebinding.
    #[arg(
        long = "allow-host",
        value_name = "NAME",
        env = "MORBOX_ALLOW_HOST",
        value_delimiter = ','
    )]
    pub allow_hosts: Vec<String>,
    /// Seconds a write to a client may make no progress (a client that stops reading its
    /// answer); then the connection is closed.
    #[arg(long, env = "MORBOX_WRITE_TIMEOUT", default_value_t = 30)]
    pub write_timeout: u64,
    /// How many API requests the journal keeps (with --test-endpoints).
    #[arg(long, env = "MORBOX_JOURNAL_SIZE", default_value_t = 1000)]
    pub journal_size: usize,
    /// Log, for each `Incorrect hash`, which usual mistake explains it (never a key or a
    /// hash). Refused on a non-loopback address: it helps whoever guesses.
    #[arg(long, env = "MORBOX_EXPLAIN_HASH_ERRORS")]
    pub explain_hash_errors: bool,
    /// Log format on stderr (lines are written every 100 ms or 32 KiB, warnings at once).
    #[arg(long, env = "MORBOX_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// An address to listen on: IP:PORT, or `localhost:PORT` (names are never resolved).
fn parse_listen(s: &str) -> Result<SocketAddr, String> {
    if let Some(port) = s.strip_prefix("localhost:") {
        return format!("127.0.0.1:{port}").parse().map_err(|_| {
            format!("{s}: the port must be a number; use IP:PORT, e.g. 127.0.0.1:8080")
        });
    }
    s.parse()
        .map_err(|_| format!("{s} is not an address: use IP:PORT, e.g. 127.0.0.1:8080"))
}

/// `--synchronous` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Sync {
    /// SQLite `synchronous=FULL`.
    Full,
    /// SQLite `synchronous=NORMAL`.
    Normal,
}

/// `--log-format` values.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum LogFormat {
    /// One human-readable line per event.
    Text,
    /// One JSON object per event.
    Json,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<(), Box<dyn Error>> {
    match cli.command {
        Command::Init(args) => init(&args),
        Command::Serve(args) => serve(&args),
        Command::Health(args) => health(&args),
        Command::Hash(args) => ops::hash(&args),
        Command::Users(cmd) => ops::users(&cmd),
        Command::Settings(cmd) => ops::settings(&cmd),
        Command::Audit(args) => ops::audit(&args),
        Command::Payments(cmd) => ops::payments(&cmd),
        Command::Devices(cmd) => ops::devices(&cmd),
        Command::Dids(cmd) => ops::dids(&cmd),
        Command::Calls(cmd) => ops::calls(&cmd),
        Command::Check(args) => ops::check(&args),
        Command::Backup(args) => ops::backup(&args),
        Command::Restore(args) => ops::restore(&args),
        Command::Reference(args) => ops::reference(&args),
    }
}

fn init(args: &InitArgs) -> Result<(), Box<dyn Error>> {
    let created = store::init::create_with(
        &args.db,
        args.demo,
        &args.seeds,
        Some(&crate::callgen::demo_month),
    )?;
    println!("created {}", args.db.display());
    match created.generated_key {
        Some(key) => {
            println!("admin user: admin (id 0); API access is on");
            println!(
                "API_Secret_Key (kept in table conflines; `morbox settings get API_Secret_Key --db {}` shows it again): {key}",
                args.db.display()
            );
        }
        None => println!("demo world loaded; system API_Secret_Key is `secret` (demo only)"),
    }
    Ok(())
}

fn serve(args: &ServeArgs) -> Result<(), Box<dyn Error>> {
    crate::localtime::set(&args.tz)?;
    if args.explain_hash_errors && !args.listen.ip().is_loopback() {
        return Err(format!(
            "refusing --explain-hash-errors on {}: it is for loopback only",
            args.listen
        )
        .into());
    }
    if args.test_endpoints
        && !args.listen.ip().is_loopback()
        && !args.allow_test_endpoints_off_loopback
    {
        return Err(format!(
            "refusing --test-endpoints on {}: anyone who reaches it could reset the database; \
             add --allow-test-endpoints-off-loopback for a private network",
            args.listen
        )
        .into());
    }
    // An ephemeral database lives in a folder of its own, removed however serve ends (but SIGKILL).
    let ephemeral = if args.ephemeral {
        let dir = std::env::temp_dir().join(format!(
            "morbox-ephemeral-{}-{}",
            std::process::id(),
            store::init::random_key()?.get(..8).unwrap_or("0")
        ));
        std::fs::create_dir_all(&dir)?;
        let db = dir.join("morbox.db");
        match store::init::create_with(
            &db,
            args.demo,
            &args.seeds,
            Some(&crate::callgen::demo_month),
        ) {
            // stdout carries only the ready line: the key goes to stderr.
            Ok(created) => {
                if let Some(key) = created.generated_key {
                    eprintln!("morbox: this ephemeral database's API_Secret_Key is {key}");
                }
            }
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(e);
            }
        }
        Some(EphemeralDir(dir))
    } else {
        None
    };
    let db = match &ephemeral {
        Some(dir) => dir.0.join("morbox.db"),
        None => args.db.clone(),
    };
    let durability = match args.synchronous {
        Sync::Full => Durability::Full,
        Sync::Normal => Durability::Normal,
    };
    let store = Store::open(&db, durability)?;
    if !args.listen.ip().is_loopback() && !args.allow_weak_secret {
        let weak = store::init::weak_secrets(&db)?;
        if !weak.is_empty() {
            store.close();
            return Err(format!(
                "refusing to serve on {}: the API_Secret_Key of {} is a demo or short key; \
                 set a strong key (at least 16 characters) or pass --allow-weak-secret",
                args.listen,
                scope_names(&weak)
            )
            .into());
        }
        let unsigned = store::init::unsigned_scopes(&db)?;
        if !unsigned.is_empty() {
            store.close();
            return Err(format!(
                "refusing to serve on {}: API_Disable_hash_checking is 1 for {}, so anyone who \
                 reaches this address could call the API unsigned; set it to 0 or pass \
                 --allow-weak-secret",
                args.listen,
                scope_names(&unsigned)
            )
            .into());
        }
    }
    let limits = Limits {
        header_timeout: Duration::from_secs(args.header_timeout.max(1)),
        max_headers: args.max_headers,
        max_header_bytes: args.max_header_bytes,
        max_connections: args.max_connections,
        max_connections_per_address: args.max_connections_per_address,
        first_byte_timeout: Duration::from_secs(args.first_byte_timeout.max(1)),
        grace: Duration::from_secs(args.grace),
        write_timeout: Duration::from_secs(args.write_timeout.max(1)),
    };
    let app = Arc::new(App {
        backend: Backend {
            store: Arc::clone(&store),
            guard: HashGuard::new(args.hash_failure_limit),
            explain_hash_errors: args.explain_hash_errors,
            passwords: crate::passwords::Pool::new(),
            explain_in_journal: args.test_endpoints,
            explainer: crate::explain::Explainer::new(),
            streams: crate::stream::Streams::default(),
        },
        kit: args
            .test_endpoints
            .then(|| TestKit::new(args.journal_size, args.listen.ip(), &args.allow_hosts)),
        body_limit: args.body_limit,
        body_timeout: Duration::from_secs(args.body_timeout.max(1)),
    });
    // Workers keep a read transaction between requests while the database is unchanged, and
    // end it before they go idle (only worker threads park and unpark).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_unpark(crate::store::hold_reads_between_requests)
        .on_thread_park(crate::store::release_held_reads)
        .build()?;
    let result = runtime.block_on(async {
        // The state at start is what a reset goes back to until a snapshot is taken.
        if let Some(kit) = &app.kit {
            kit.snapshot(&store).await?;
        }
        server::serve(
            Arc::clone(&app),
            args.listen,
            limits,
            server::shutdown_signal(),
        )
        .await
        .map_err(|e| listen_error(args.listen, e))
    });
    drop(app);
    drop(runtime);
    store.close();
    drop(ephemeral);
    tracing::info!("stopped");
    result
}

/// A failure to listen, naming the address and the way out.
fn listen_error(addr: SocketAddr, e: std::io::Error) -> Box<dyn Error> {
    match e.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "cannot listen on {addr}: the address is already in use (another morbox?); choose \
             another with --listen, e.g. `make run LISTEN=127.0.0.1:{}`",
            addr.port().wrapping_add(1).max(1)
        )
        .into(),
        std::io::ErrorKind::AddrNotAvailable => {
            format!("cannot listen on {addr}: this machine has no such address").into()
        }
        _ => format!("cannot listen on {addr}: {e}").into(),
    }
}

/// Scopes as people name them: "the system, reseller 2".
fn scope_names(owners: &[i64]) -> String {
    owners
        .iter()
        .map(|o| crate::auth::scope_name(*o))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A temporary folder removed when dropped.
struct EphemeralDir(PathBuf);

impl Drop for EphemeralDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn health(args: &HealthArgs) -> Result<(), Box<dyn Error>> {
    let (status, body) = crate::client::get(&args.url, "/health")?;
    if status == 200 && body.contains("\"status\":\"ok\"") {
        println!("{body}");
        Ok(())
    } else {
        Err(format!("unhealthy: HTTP {status} {body}").into())
    }
}
