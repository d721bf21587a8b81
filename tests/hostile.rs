//! The hostile-input battery: generated malformed requests over real sockets, each answered
//! with well-formed XML (or a call's plain text) and HTTP 200 or 4xx (never a 5xx, never a
//! hang). What it aims at comes from the call table: every path of every call, every
//! parameter of its table, and a few that no call takes; a new call is in the battery the
//! moment its row is.

use crate::util::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A small deterministic generator (xorshift64*), so that a failure can be replayed by seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, S: AsRef<str>>(&mut self, items: &'a [S]) -> &'a str {
        items[self.below(items.len())].as_ref()
    }
}

/// Paths no call has.
const NO_CALL: &[&str] = &["/api/unknown", "/", "/api/"];
const CALLERS: &[&str] = &[
    "admin",
    "reseller1",
    "user1",
    "accountant",
    "manager",
    "nobody",
    "",
    "admin%00",
    "' OR 1=1 --",
];
/// Names no call takes, or that every call reads, beside the tables' own.
const ODD_NAMES: &[&str] = &[
    "test", "x", "hash", "u", "%zz", "na%00me", "<x>", "pgui", "credit", "i1",
];
const VALUES: &[&str] = &[
    "",
    "0",
    "-1",
    "5",
    "007",
    "999999999999999999999999",
    "-9223372036854775808",
    "1e308",
    "NaN",
    "inf",
    "12,5",
    "abc",
    "<script>",
    "]]>",
    "&amp;",
    "\"'",
    "'; DROP TABLE users; --",
    "1 OR 1=1",
    "%00",
    "%ff%fe",
    "%zz",
    "%",
    "%C3%28",
    "Z%C3%BCrich",
    "+",
    "%2B",
    "admin",
    "user2",
    "2024",
    "2",
    "29",
    "Mars/Olympus",
    "a@b",
    "blacklist",
    "\u{1}\u{2}",
    "%EF%BF%BF",
];

fn value(r: &mut Rng) -> String {
    match r.below(10) {
        0 => "x".repeat(r.below(5000)),
        1 => (0..r.below(50))
            .map(|_| format!("%{:02X}", r.below(256)))
            .collect(),
        _ => r.pick(VALUES).to_string(),
    }
}

fn hash(r: &mut Rng) -> String {
    let good = sha1_hex(&format!("{}secret", r.below(20)));
    match r.below(6) {
        0 => good.to_uppercase(),
        1 => good[..r.below(41)].to_string(),
        2 => format!("{good}{}", "0".repeat(r.below(5))),
        3 => String::new(),
        4 => value(r),
        _ => good,
    }
}

/// What a battery aims at: the paths and the parameter names it mixes.
#[derive(Clone)]
struct Aim {
    calls: Vec<String>,
    names: Vec<String>,
}

/// Every path of `calls` (each name under each prefix, and the path parameter where a call has
/// one), paths of no call, and every parameter of their tables with the odd names.
fn aim(calls: impl Iterator<Item = morbox::api::Call> + Clone) -> Aim {
    let mut paths: Vec<String> = NO_CALL.iter().map(|p| p.to_string()).collect();
    let mut names: Vec<String> = ODD_NAMES.iter().map(|n| n.to_string()).collect();
    for c in calls {
        for n in c.names {
            for prefix in morbox::api::PREFIXES {
                paths.push(format!("{prefix}{n}"));
                if c.path_param.is_some() {
                    paths.push(format!("{prefix}{n}/a1b2c3d4e5"));
                    paths.push(format!("{prefix}{n}/%zz"));
                }
            }
        }
        names.extend((c.params)().iter().map(|p| p.name.to_string()));
    }
    names.sort();
    names.dedup();
    Aim {
        calls: paths,
        names,
    }
}

/// The calls of one family.
fn family(name: &str) -> impl Iterator<Item = morbox::api::Call> + Clone + use<'_> {
    morbox::api::CALLS
        .iter()
        .filter(move |f| f.name == name)
        .flat_map(|f| f.calls.iter())
}

/// One generated request: raw bytes, sometimes with a broken framing of its own.
fn request(r: &mut Rng, aim: &Aim) -> Vec<u8> {
    let mut params: Vec<String> = Vec::new();
    if r.below(8) != 0 {
        params.push(format!("u={}", r.pick(CALLERS)));
    }
    for _ in 0..r.below(12) {
        params.push(format!("{}={}", r.pick(&aim.names), value(r)));
    }
    // Every update that could be signed right also names a tariff nobody has, so that no
    // request of the battery can succeed in writing.
    params.push("u5=999999".into());
    if r.below(5) != 0 {
        params.push(format!("hash={}", hash(r)));
    }
    let q = params.join("&");
    let call = r.pick(&aim.calls).to_string();
    let method = ["POST", "POST", "GET", "PUT", "DELETE"][r.below(5)];
    let (target, body, ctype) = match r.below(4) {
        0 => (
            format!("{call}?{q}"),
            String::new(),
            "application/x-www-form-urlencoded",
        ),
        1 => (call.clone(), q, "application/x-www-form-urlencoded"),
        2 => {
            let json = params
                .iter()
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap_or((p, ""));
                    format!("{:?}:{:?}", k, v)
                })
                .collect::<Vec<_>>()
                .join(",");
            let body = if r.below(4) == 0 {
                format!("{{{json}")
            } else {
                format!("{{{json}}}")
            };
            (call.clone(), body, "application/json")
        }
        _ => {
            let b = "XyZ";
            let mut body = String::new();
            for p in &params {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                body.push_str(&format!(
                    "--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                ));
            }
            if r.below(4) != 0 {
                body.push_str(&format!("--{b}--\r\n"));
            }
            (call.clone(), body, "multipart/form-data; boundary=XyZ")
        }
    };
    let mut out = format!(
        "{method} {target} HTTP/1.1\r\nHost: x\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body.as_bytes());
    // A few raw bytes that are not UTF-8 at all, in the body.
    if r.below(20) == 0 && !body.is_empty() {
        let n = out.len();
        out[n - 1] = 0xff;
    }
    out
}

/// Sends one request on a fresh connection and reads the whole answer.
fn exchange(addr: &str, req: &[u8]) -> (u16, String) {
    let mut c = TcpStream::connect(addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    // Ask the server to close after answering, so that reading to the end is the framing.
    let text = String::from_utf8_lossy(req);
    let head_end = req.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let mut bytes = req[..head_end].to_vec();
    bytes.extend_from_slice(b"\r\nConnection: close");
    bytes.extend_from_slice(&req[head_end..]);
    c.write_all(&bytes).unwrap();
    let mut buf = Vec::new();
    c.read_to_end(&mut buf)
        .unwrap_or_else(|e| panic!("no answer ({e}) to {text}"));
    let buf = unzipped(buf).unwrap_or_else(|e| panic!("a broken ZIP ({e}) for {text}"));
    let resp = String::from_utf8(buf).unwrap_or_else(|_| panic!("answer not UTF-8 for {text}"));
    let status: u16 = resp
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status for {text}: {resp:?}"));
    let body = resp
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// A ZIP answer (a call whose row says so) with its one file unpacked in place of the archive,
/// so that the document inside is held to the same rules; any other answer as it is.
fn unzipped(resp: Vec<u8>) -> Result<Vec<u8>, String> {
    use flate2::read::DeflateDecoder;
    let Some(at) = resp.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(resp);
    };
    let head = String::from_utf8_lossy(&resp[..at]).to_ascii_lowercase();
    if !head.contains("content-type: application/zip") {
        return Ok(resp);
    }
    let zip = &resp[at + 4..];
    if zip.len() < 30 || &zip[..4] != b"PK\x03\x04" {
        return Err("no local file header".into());
    }
    let u32_at =
        |i: usize| u32::from_le_bytes([zip[i], zip[i + 1], zip[i + 2], zip[i + 3]]) as usize;
    let (packed, size) = (u32_at(18), u32_at(22));
    let start = 30 + u16::from_le_bytes([zip[26], zip[27]]) as usize;
    let data = zip.get(start..start + packed).ok_or("short data")?;
    let mut xml = Vec::with_capacity(size);
    DeflateDecoder::new(data)
        .read_to_end(&mut xml)
        .map_err(|e| e.to_string())?;
    if xml.len() != size {
        return Err(format!("{} bytes, the header says {size}", xml.len()));
    }
    let mut out = resp[..at + 4].to_vec();
    out.extend_from_slice(&xml);
    Ok(out)
}

/// A checksum of every row of every table but the audit log (which records refusals).
fn checksum(s: &Server) -> String {
    let conn = s.conn();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'actions' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut all = String::new();
    for t in tables {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {t} ORDER BY rowid"))
            .unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..n {
                let v: rusqlite::types::Value = row.get(i).unwrap();
                all.push_str(&format!("{v:?}|"));
            }
            all.push('\n');
        }
    }
    sha1_hex(&all)
}

/// Sends `count` generated requests from each of two threads; returns the statuses seen by
/// hundreds (index 2 = 2xx, …).
fn battery(s: &Server, seed: u64, count: usize, aim: &Aim) -> [usize; 6] {
    let threads: Vec<_> = (0..2u64)
        .map(|t| {
            let addr = s.addr.clone();
            let aim = aim.clone();
            std::thread::spawn(move || {
                let mut r = Rng(0x9E37_79B9_7F4A_7C15 ^ (seed * 16 + t + 1));
                let mut seen = [0usize; 6];
                for _ in 0..count {
                    let req = request(&mut r, &aim);
                    let (status, body) = exchange(&addr, &req);
                    let text = String::from_utf8_lossy(&req);
                    assert!((200..500).contains(&status), "status {status} for {text}");
                    let plain = ["12.50", "User was not found", "Feature disabled"];
                    if plain.contains(&body.as_str()) || body.parse::<f64>().is_ok() {
                        // The plain-text balance call's answers.
                        assert!(text.contains("simple_balance"), "{text} -> {body}");
                    } else if !body.is_empty() {
                        assert!(
                            body.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
                            "{text} -> {body}"
                        );
                        assert!(well_formed(&body), "not well-formed for {text}: {body}");
                    } else {
                        // Only hyper's own refusals of broken framing come without our XML.
                        assert!(status >= 400, "empty {status} for {text}");
                    }
                    seen[(status / 100) as usize] += 1;
                }
                seen
            })
        })
        .collect();
    let mut total = [0usize; 6];
    for t in threads {
        let seen = t.join().unwrap();
        for i in 0..6 {
            total[i] += seen[i];
        }
    }
    total
}

#[test]
fn ten_thousand_malformed_requests() {
    // Half against the demo world as it is (most stop at the gates), half with hash checking
    // off, so that every request reaches the calls' own rules.
    let gated = Server::demo_with(&["--hash-failure-limit", "0"]);
    let open = Server::with_sql(
        "UPDATE conflines SET value = '1' WHERE name = 'API_Disable_hash_checking';",
    );
    let mut total = [0usize; 6];
    for (n, s) in [&gated, &open].into_iter().enumerate() {
        let before = checksum(s);
        let seen = battery(s, n as u64, 2500, &aim(family("details")));
        for i in 0..6 {
            total[i] += seen[i];
        }
        assert_eq!(
            checksum(s),
            before,
            "a rejected request changed the database"
        );
        let ok: String = s
            .conn()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
    }
    assert_eq!(total.iter().sum::<usize>(), 10_000);
    assert_eq!(total[5], 0);
    assert!(
        total[2] > 1000 && total[4] > 1000,
        "too little variety: {total:?}"
    );
}

#[test]
fn the_accounts_calls_under_hostile_input() {
    // 2 × 1,000 generated requests at the eight accounts calls on fixture F, with hash
    // checking on and off: no 5xx, no hang, every answer well-formed XML or the plain-text
    // balance, and a database that is still whole (these calls may write: payments and
    // registrations with values that happen to be valid are fine).
    let gated = Server::fixture_f(&["--hash-failure-limit", "0"]);
    let open = Server::fixture_f(&["--hash-failure-limit", "0"]);
    open.sql("UPDATE conflines SET value = '1' WHERE name = 'API_Disable_hash_checking';");
    let mut total = [0usize; 6];
    for (n, s) in [&gated, &open].into_iter().enumerate() {
        let seen = battery(s, 10 + n as u64, 500, &aim(family("accounts")));
        for i in 0..6 {
            total[i] += seen[i];
        }
        let ok: String = s
            .conn()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
        // And it still answers.
        assert_eq!(s.send("GET", "/health", None, b"").status, 200);
    }
    assert_eq!(total.iter().sum::<usize>(), 2_000);
    assert_eq!(total[5], 0);
}

#[test]
fn every_call_in_the_table_under_hostile_input() {
    // 200 requests aimed at each call alone (its paths, its parameters), hash checking off so
    // that they reach its own rules: no 5xx, no hang, every answer well-formed.
    let s = Server::fixture_f(&["--hash-failure-limit", "0"]);
    s.sql("UPDATE conflines SET value = '1' WHERE name = 'API_Disable_hash_checking';");
    for (n, c) in morbox::api::calls().enumerate() {
        let one = aim(std::iter::once(c));
        let seen = battery(&s, 100 + n as u64, 100, &one);
        assert_eq!(seen[5], 0, "{}", c.name());
        assert_eq!(seen.iter().sum::<usize>(), 200, "{}", c.name());
    }
    let ok: String = s
        .conn()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}
