//! The one harness every integration test uses: a real `morbox` process on 127.0.0.1:0 serving
//! a fresh SQLite file (the demo world plus the test's own SQL), and a raw HTTP/1.1 client, so
//! that a test can send exactly the bytes it wants, malformed ones included.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_morbox");

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!(
            "morbox-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `morbox ARGS`, returning (exit ok, stdout, stderr).
pub fn morbox(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A server's log lines (stderr), collected as they come: shown only when the test using the
/// server fails, and waited on as readiness signals.
#[derive(Default)]
pub struct Log {
    lines: Mutex<Vec<String>>,
    more: Condvar,
}

impl Log {
    /// Reads `stderr` line by line into a new log, on a thread of its own.
    fn collect(stderr: impl Read + Send + 'static) -> Arc<Log> {
        let log = Arc::new(Log::default());
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                sink.lines.lock().unwrap().push(line);
                sink.more.notify_all();
            }
        });
        log
    }

    /// Waits until a line contains `needle` (up to `within`); whether one did.
    pub fn wait_for(&self, needle: &str, within: Duration) -> bool {
        let deadline = std::time::Instant::now() + within;
        let mut lines = self.lines.lock().unwrap();
        loop {
            if lines.iter().any(|l| l.contains(needle)) {
                return true;
            }
            let now = std::time::Instant::now();
            if now >= deadline {
                return false;
            }
            lines = self.more.wait_timeout(lines, deadline - now).unwrap().0;
        }
    }

    /// Everything logged so far.
    pub fn text(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }
}

/// A running server on its own database.
pub struct Server {
    pub addr: String,
    pub db: PathBuf,
    /// What it logged (at `warn` unless started with another level).
    pub log: Arc<Log>,
    child: Option<Child>,
    _dir: TempDir,
}

impl Server {
    /// The demo world.
    pub fn demo() -> Server {
        Server::with_sql("")
    }

    /// The demo world served with extra `serve` flags.
    pub fn demo_with(flags: &[&str]) -> Server {
        let (dir, db) = demo_db();
        Server::start_on(dir, db, flags)
    }

    /// The demo world, then `sql`.
    pub fn with_sql(sql: &str) -> Server {
        let (dir, db) = demo_db();
        if !sql.is_empty() {
            rusqlite::Connection::open(&db)
                .unwrap()
                .execute_batch(sql)
                .unwrap();
        }
        Server::start_on(dir, db, &[])
    }

    /// Serves an existing database file in `dir` with extra flags.
    pub fn start_on(dir: TempDir, db: PathBuf, flags: &[&str]) -> Server {
        Server::start_logging(dir, db, flags, "warn")
    }

    /// Fixture F of docs/accounts.md (a database made without `--demo`, then the fixture),
    /// served with extra flags.
    pub fn fixture_f(flags: &[&str]) -> Server {
        let dir = TempDir::new();
        let db = dir.0.join("f.db");
        let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fixture_f.sql");
        let (ok, _, err) = morbox(&["init", "--db", db.to_str().unwrap(), "--seed", seed]);
        assert!(ok, "init failed: {err}");
        Server::start_on(dir, db, flags)
    }

    /// Fixture F as devices.md extends it (accounts.md's, then tests/fixtures/fixture_f_devices.sql).
    pub fn fixture_f_devices(flags: &[&str]) -> Server {
        let dir = TempDir::new();
        let db = dir.0.join("f.db");
        let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fixture_f.sql");
        let more = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/fixture_f_devices.sql"
        );
        let (ok, _, err) = morbox(&[
            "init",
            "--db",
            db.to_str().unwrap(),
            "--seed",
            seed,
            "--seed",
            more,
        ]);
        assert!(ok, "init failed: {err}");
        Server::start_on(dir, db, flags)
    }

    /// Fixture F as calls.md extends it (accounts.md's, devices.md's, then
    /// tests/fixtures/fixture_f_calls.sql).
    pub fn fixture_f_calls(flags: &[&str]) -> Server {
        let dir = TempDir::new();
        let db = dir.0.join("f.db");
        let dir_of = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
        let seeds = [
            "fixture_f.sql",
            "fixture_f_devices.sql",
            "fixture_f_calls.sql",
        ]
        .map(|f| format!("{dir_of}{f}"));
        let (ok, _, err) = morbox(&[
            "init",
            "--db",
            db.to_str().unwrap(),
            "--seed",
            &seeds[0],
            "--seed",
            &seeds[1],
            "--seed",
            &seeds[2],
        ]);
        assert!(ok, "init failed: {err}");
        Server::start_on(dir, db, flags)
    }

    /// Fixture D (dids.md): fixture F, devices.md's part, then tests/fixtures/fixture_d.sql.
    pub fn fixture_d(flags: &[&str]) -> Server {
        Server::seeded(
            &["fixture_f.sql", "fixture_f_devices.sql", "fixture_d.sql"],
            flags,
        )
    }

    /// A database made without --demo, then these files of tests/fixtures in order.
    pub fn seeded(files: &[&str], flags: &[&str]) -> Server {
        let dir = TempDir::new();
        let db = dir.0.join("f.db");
        let dir_of = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
        let mut args = vec![
            "init".to_string(),
            "--db".into(),
            db.to_str().unwrap().into(),
        ];
        for f in files {
            args.push("--seed".into());
            args.push(format!("{dir_of}{f}"));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (ok, _, err) = morbox(&args);
        assert!(ok, "init failed: {err}");
        Server::start_on(dir, db, flags)
    }

    /// The demo world served with extra flags, logging at `level` (`RUST_LOG`).
    pub fn demo_logging(flags: &[&str], level: &str) -> Server {
        let (dir, db) = demo_db();
        Server::start_logging(dir, db, flags, level)
    }

    fn start_logging(dir: TempDir, db: PathBuf, flags: &[&str], level: &str) -> Server {
        let (child, addr, log) = spawn_serve(&db, flags, level);
        Server {
            addr,
            db,
            log,
            child: Some(child),
            _dir: dir,
        }
    }

    /// Runs SQL on the served file (settings, fixtures), as an operator's tool would.
    pub fn sql(&self, sql: &str) {
        self.conn().execute_batch(sql).unwrap();
    }

    /// A connection to the served file, for checks.
    pub fn conn(&self) -> rusqlite::Connection {
        let c = rusqlite::Connection::open(&self.db).unwrap();
        c.busy_timeout(Duration::from_secs(10)).unwrap();
        c
    }

    /// One text value by SQL.
    pub fn value(&self, sql: &str) -> String {
        self.conn()
            .query_row(&format!("SELECT CAST(({sql}) AS TEXT)"), [], |r| {
                r.get::<_, Option<String>>(0)
            })
            .unwrap()
            .unwrap_or_default()
    }

    /// Sends raw bytes and reads the whole answer (the request must ask to close).
    pub fn raw(&self, request: &[u8]) -> Resp {
        exchange_raw(&self.addr, request)
    }

    /// A request with a raw (already encoded) target and optional body.
    pub fn send(&self, method: &str, target: &str, ctype: Option<&str>, body: &[u8]) -> Resp {
        send_to(&self.addr, method, target, ctype, body)
    }

    /// GET with the parameters in the query string.
    pub fn get(&self, call: &str, params: &[(&str, &str)]) -> Resp {
        self.send(
            "GET",
            &format!("/billing/api/{call}?{}", encode(params)),
            None,
            b"",
        )
    }

    /// POST with a urlencoded body.
    pub fn post(&self, call: &str, params: &[(&str, &str)]) -> Resp {
        self.send(
            "POST",
            &format!("/billing/api/{call}"),
            Some("application/x-www-form-urlencoded"),
            encode(params).as_bytes(),
        )
    }

    /// POST, signed with `key` over the call's hash parameters (given in hash order).
    pub fn signed(&self, call: &str, params: &[(&str, &str)], hashed: &[&str], key: &str) -> Resp {
        let hash = sign(params, hashed, key);
        let mut all: Vec<(&str, &str)> = params.to_vec();
        all.push(("hash", &hash));
        self.post(call, &all)
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    /// Kills the server with SIGKILL (a crash) and waits for it.
    pub fn crash(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Serves the same database again after a stop or crash.
    pub fn restart(&mut self, flags: &[&str]) {
        self.crash();
        let (child, addr, log) = spawn_serve(&self.db, flags, "warn");
        self.child = Some(child);
        self.addr = addr;
        self.log = log;
    }

    /// Sends SIGTERM and waits for the exit; returns whether it exited cleanly.
    pub fn terminate(&mut self) -> bool {
        stop_with(&mut self.child.take().unwrap(), "-TERM")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        // The server's log is shown only for a failing test (libtest shows a failing test's
        // output and hides a passing one's).
        if std::thread::panicking() {
            eprintln!("--- server log ({}) ---\n{}", self.addr, self.log.text());
        }
    }
}

/// A new folder with a demo-world database made by `morbox init --demo`.
pub fn demo_db() -> (TempDir, PathBuf) {
    let dir = TempDir::new();
    let db = dir.0.join("morbox.db");
    let (ok, _, err) = morbox(&["init", "--db", db.to_str().unwrap(), "--demo"]);
    assert!(ok, "init failed: {err}");
    (dir, db)
}

/// Runs `morbox ARGS`, which must fail; returns what it said on stderr.
#[track_caller]
pub fn must_fail(args: &[&str]) -> String {
    let (ok, out, err) = morbox(args);
    assert!(!ok, "morbox {args:?} succeeded: {out}");
    err
}

/// Sends `signal` (`-TERM`, `-INT`) to a morbox process and waits; whether it exited cleanly.
pub fn stop_with(child: &mut Child, signal: &str) -> bool {
    Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap().success()
}

/// Sends raw bytes to `addr` and reads the whole answer (the request must ask to close).
pub fn exchange_raw(addr: &str, request: &[u8]) -> Resp {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(request).unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let resp = Resp::parse(&buf);
    record(request, &resp);
    resp
}

/// With `MORBOX_RECORD=DIR`, appends each API request and its answer to `DIR/<test>.txt`,
/// so that two runs (before and after a change that must not change behaviour) can be
/// compared answer by answer.
fn record(request: &[u8], resp: &Resp) {
    let Ok(dir) = std::env::var("MORBOX_RECORD") else {
        return;
    };
    let text = String::from_utf8_lossy(request);
    let line = text.lines().next().unwrap_or("");
    if !line.contains("/api/") {
        return;
    }
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    let test = std::thread::current()
        .name()
        .unwrap_or("unnamed")
        .replace("::", ".");
    let entry = format!(
        "{line} {body}\n=> {} {}\n{}\n\n",
        resp.status,
        resp.header("content-type").unwrap_or(""),
        resp.body
    );
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(std::path::Path::new(&dir).join(format!("{test}.txt")))
        .unwrap();
    f.write_all(entry.as_bytes()).unwrap();
}

/// One request to `addr` that asks to close: the target as given (already encoded).
pub fn send_to(addr: &str, method: &str, target: &str, ctype: Option<&str>, body: &[u8]) -> Resp {
    let mut req = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(ct) = ctype {
        req.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    if method == "POST" || !body.is_empty() {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    exchange_raw(addr, &bytes)
}

/// Starts `morbox serve` on `db` at 127.0.0.1:0 logging at `level`, reads its ready line, and
/// collects its log.
fn spawn_serve(db: &std::path::Path, flags: &[&str], level: &str) -> (Child, String, Arc<Log>) {
    let mut args = vec![
        "serve",
        "--db",
        db.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ];
    args.extend_from_slice(flags);
    let (mut child, addr) = spawn_ready(&args, level, Stdio::piped());
    let log = Log::collect(child.stderr.take().unwrap());
    (child, addr, log)
}

/// Starts `morbox ARGS` (a `serve`) with `RUST_LOG=log_level` and stderr to `stderr`, and
/// reads its one ready line; returns the process and its 127.0.0.1 address.
pub fn spawn_ready(args: &[&str], log_level: &str, stderr: Stdio) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .env("RUST_LOG", log_level)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("morbox listening on http://")
        .unwrap_or_else(|| panic!("unexpected ready line {line:?}"))
        .to_string();
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    (child, addr)
}

/// The hash of `params` named in `hashed` (in that order), user_id as sent, then `key`.
pub fn sign(params: &[(&str, &str)], hashed: &[&str], key: &str) -> String {
    use sha1::{Digest, Sha1};
    let mut s = String::new();
    for name in hashed {
        if let Some((_, v)) = params.iter().rev().find(|(k, _)| k == name) {
            s.push_str(v);
        }
    }
    s.push_str(key);
    hex::encode(Sha1::digest(s.as_bytes()))
}

pub fn sha1_hex(s: &str) -> String {
    use sha1::{Digest, Sha1};
    hex::encode(Sha1::digest(s.as_bytes()))
}

/// application/x-www-form-urlencoded.
pub fn encode(params: &[(&str, &str)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn pct(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// An HTTP response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn parse(buf: &[u8]) -> Resp {
        let end = buf
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("no header end");
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        let mut lines = head.split("\r\n");
        let status: u16 = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let mut body = buf[end + 4..].to_vec();
        if headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
        {
            body = dechunk(&body);
        }
        Resp {
            status,
            headers,
            body: String::from_utf8(body).expect("body is not UTF-8"),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body without the XML declaration line.
    pub fn xml(&self) -> &str {
        self.body
            .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
            .unwrap_or_else(|| panic!("no XML declaration: {:?}", self.body))
    }

    /// Asserts a 200 with exactly this document (after the declaration).
    #[track_caller]
    pub fn is(&self, expected: &str) {
        assert_eq!(self.status, 200, "{}", self.body);
        assert_eq!(self.xml(), expected);
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let i = b.windows(2).position(|w| w == b"\r\n").unwrap();
        let n = usize::from_str_radix(std::str::from_utf8(&b[..i]).unwrap().trim(), 16).unwrap();
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&b[i + 2..i + 2 + n]);
        b = &b[i + 4 + n..];
    }
}

/// `<error>TEXT</error>` (user_details_get's own errors).
pub fn bare_error(text: &str) -> String {
    format!("<error>{text}</error>\n")
}

/// `<status><error>TEXT</error></status>` (the gates).
pub fn gate_error(text: &str) -> String {
    format!("<status>\n  <error>{text}</error>\n</status>\n")
}

/// `<page><status><error>TEXT</error></status></page>` (user_details_raw_get).
pub fn page_status_error(text: &str) -> String {
    format!("<page>\n  <status>\n    <error>{text}</error>\n  </status>\n</page>\n")
}

/// `<page><error>TEXT</error><message>…</message></page>` (user_details_update).
pub fn page_error(text: &str, messages: &[&str]) -> String {
    let mut s = format!("<page>\n  <error>{text}</error>\n");
    for m in messages {
        s.push_str(&format!("  <message>{m}</message>\n"));
    }
    s.push_str("</page>\n");
    s
}

/// Whether `body` is one well-formed XML document.
pub fn well_formed(body: &str) -> bool {
    let reader = xml::reader::EventReader::new(body.as_bytes());
    let mut elements = 0;
    for e in reader {
        match e {
            Ok(xml::reader::XmlEvent::StartElement { .. }) => elements += 1,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    elements > 0
}

/// A connection to `addr` from the loopback address `from` (127.0.0.2, 127.0.0.9…), to be
/// another client.
pub fn connect_from(from: &str, addr: &str) -> TcpStream {
    connect_from_with(from, addr, None)
}

/// [`connect_from`], with a receive buffer of `recv_buffer` bytes (as small as the kernel
/// allows) when given: a client that takes in little of what the server sends.
pub fn connect_from_with(from: &str, addr: &str, recv_buffer: Option<u32>) -> TcpStream {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let sock = tokio::net::TcpSocket::new_v4().unwrap();
        if let Some(size) = recv_buffer {
            sock.set_recv_buffer_size(size).unwrap();
        }
        sock.bind(format!("{from}:0").parse().unwrap()).unwrap();
        let stream = sock.connect(addr.parse().unwrap()).await.unwrap();
        let std = stream.into_std().unwrap();
        std.set_nonblocking(false).unwrap();
        std
    })
}

/// One request that asks to close, from the loopback address `from`.
pub fn send_from(from: &str, addr: &str, method: &str, target: &str, body: &[u8]) -> Resp {
    let mut c = connect_from(from, addr);
    c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let head = format!(
        "{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    c.write_all(head.as_bytes()).unwrap();
    c.write_all(body).unwrap();
    let mut buf = Vec::new();
    c.read_to_end(&mut buf).unwrap();
    Resp::parse(&buf)
}

/// The value of `<name>` in an answer.
pub fn field<'a>(body: &'a str, name: &str) -> &'a str {
    let open = format!("<{name}>");
    let start = body
        .find(&open)
        .unwrap_or_else(|| panic!("no <{name}> in {body}"))
        + open.len();
    let end = body[start..].find('<').unwrap() + start;
    &body[start..end]
}

/// user_register's hash order.
pub const REGISTER_HASHED: &[&str] = &[
    "email",
    "id",
    "lcr_id",
    "device_type",
    "username",
    "first_name",
    "last_name",
    "caller_id",
    "state",
    "device_location_id",
];

/// Fixture F's worked registration: carol, under the admin (its uniquehash as `id`).
pub const CAROL: &[(&str, &str)] = &[
    ("id", "adm0hash00"),
    ("username", "carol"),
    ("password", "Carol1234"),
    ("password2", "Carol1234"),
    ("first_name", "Carol"),
    ("last_name", "Jones"),
    ("country_id", "1"),
    ("email", "new@example.com"),
    ("device_type", "SIP"),
];
