//! The kit for integrators' test suites: readiness, health, seeding, ephemeral databases,
//! snapshot/reset, the request journal and the OpenAPI document.

use crate::util::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A request to a test endpoint as a test suite sends it: one that changes something carries
/// the `X-Morbox` header (which no page of another origin can send without a preflight).
fn http(addr: &str, method: &str, path: &str) -> (u16, String) {
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if method != "GET" {
        req.push_str("X-Morbox: 1\r\nContent-Length: 0\r\n");
    }
    req.push_str("\r\n");
    let r = exchange_raw(addr, req.as_bytes());
    (r.status, r.body)
}

/// Every entry of the journal (filtered by `query`, e.g. `call=…&`), page after page.
fn journal(addr: &str, query: &str) -> Vec<serde_json::Value> {
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let (status, body) = http(
            addr,
            "GET",
            &format!("/_morbox/requests?{query}after={after}"),
        );
        assert_eq!(status, 200, "{body}");
        let v = json(&body);
        all.extend(v["requests"].as_array().unwrap().iter().cloned());
        match v["next"].as_u64() {
            Some(next) => after = next,
            None => return all,
        }
    }
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[test]
fn health_answers_once_the_database_does() {
    let s = Server::demo();
    let (status, body) = http(&s.addr, "GET", "/health");
    assert_eq!(status, 200);
    let v = json(&body);
    assert_eq!(v["status"], "ok");
    assert_eq!(v["schema_version"], morbox::store::init::SCHEMA_VERSION);
    assert_eq!(v["users"], 13);
    assert!(!body.contains("secret"));
    let url = format!("http://{}", s.addr);
    assert!(morbox(&["health", "--url", &url]).0);
    // A database that cannot answer the query: 503, and `morbox health` says unhealthy.
    s.sql("ALTER TABLE users RENAME TO users_away;");
    let (status, _) = http(&s.addr, "GET", "/health");
    assert_eq!(status, 503);
    let err = must_fail(&["health", "--url", &url]);
    assert!(err.contains("unhealthy"), "{err}");
    s.sql("ALTER TABLE users_away RENAME TO users;");
    assert_eq!(http(&s.addr, "GET", "/health").0, 200);
    // Nothing listening: unhealthy too.
    assert!(!morbox(&["health", "--url", "http://127.0.0.1:1"]).0);
}

#[test]
fn a_seed_error_names_the_file_and_statement_and_leaves_nothing() {
    let dir = TempDir::new();
    let good = dir.0.join("good.sql");
    let bad = dir.0.join("bad.sql");
    std::fs::write(
        &good,
        "INSERT INTO users (id, username) VALUES (500, 'seeded');",
    )
    .unwrap();
    std::fs::write(&bad, "-- fixture\nINSERT INTO users (id, username) VALUES (501, 'ok');\nINSERT INTO nosuchtable VALUES (1);\n").unwrap();
    let db = dir.0.join("x.db");
    let err = must_fail(&[
        "init",
        "--db",
        db.to_str().unwrap(),
        "--demo",
        "--seed",
        good.to_str().unwrap(),
        "--seed",
        bad.to_str().unwrap(),
    ]);
    assert!(
        err.contains("bad.sql")
            && err.contains("statement 2")
            && err.contains("no such table: nosuchtable")
            && err.contains("INSERT INTO nosuchtable"),
        "{err}"
    );
    for suffix in ["", "-wal", "-shm", "-journal"] {
        assert!(
            !std::path::PathBuf::from(format!("{}{suffix}", db.display())).exists(),
            "{suffix} left behind"
        );
    }
    // With good seeds only, they are applied.
    let (ok, _, err) = morbox(&[
        "init",
        "--db",
        db.to_str().unwrap(),
        "--seed",
        good.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let n: String = conn
        .query_row("SELECT username FROM users WHERE id = 500", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(n, "seeded");
}

/// Starts `serve --ephemeral ...`; returns the child and its address.
fn ephemeral(flags: &[&str]) -> (std::process::Child, String) {
    let mut args = vec!["serve", "--ephemeral", "--listen", "127.0.0.1:0"];
    args.extend_from_slice(flags);
    spawn_ready(&args, "warn", Stdio::inherit())
}

fn ephemeral_dirs(pid: u32) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("morbox-ephemeral-{pid}-"))
        })
        .collect()
}

#[test]
fn ephemeral_databases_vanish_on_sigterm_and_sigint() {
    for signal in ["-TERM", "-INT"] {
        let dir = TempDir::new();
        let seed = dir.0.join("s.sql");
        std::fs::write(
            &seed,
            "UPDATE users SET first_name = 'Seeded' WHERE id = 5;",
        )
        .unwrap();
        let (mut child, addr) = ephemeral(&["--demo", "--seed", seed.to_str().unwrap()]);
        let dirs = ephemeral_dirs(child.id());
        assert_eq!(dirs.len(), 1);
        let h = sha1_hex("5secret");
        let (_, body) = http(
            &addr,
            "POST",
            &format!("/api/user_details_get?u=admin&user_id=5&hash={h}"),
        );
        assert!(body.contains("<first_name>Seeded</first_name>"), "{body}");
        assert!(stop_with(&mut child, signal));
        assert!(
            !dirs[0].exists(),
            "{} left behind after {signal}",
            dirs[0].display()
        );
    }
}

#[test]
fn test_endpoints_are_absent_without_the_flag_and_refused_off_loopback() {
    let s = Server::demo();
    for (m, p) in [
        ("POST", "/_morbox/snapshot"),
        ("POST", "/_morbox/reset"),
        ("GET", "/_morbox/requests"),
        ("DELETE", "/_morbox/requests"),
        ("GET", "/_morbox/"),
        ("POST", "/_morbox/hash"),
        ("GET", "/_morbox/state"),
    ] {
        let (status, body) = http(&s.addr, m, p);
        assert_eq!(status, 404, "{m} {p}");
        assert!(body.contains("<error>Unknown API method</error>"));
    }
    // The description is always there.
    assert_eq!(http(&s.addr, "GET", "/_morbox/openapi.json").0, 200);
    // Refused before anything is created or bound.
    let err = must_fail(&[
        "serve",
        "--ephemeral",
        "--demo",
        "--test-endpoints",
        "--listen",
        "0.0.0.0:0",
    ]);
    assert!(err.contains("--allow-test-endpoints-off-loopback"), "{err}");
}

fn update_comment(s: &Server, comment: &str) -> Resp {
    let h = sha1_hex("5secret");
    s.post(
        "user_details_update",
        &[
            ("u", "admin"),
            ("user_id", "5"),
            ("u33", comment),
            ("hash", &h),
        ],
    )
}

#[test]
fn snapshot_and_reset() {
    let s = Server::demo_with(&["--test-endpoints"]);
    assert!(
        update_comment(&s, "changed")
            .body
            .contains("User was updated")
    );
    // No snapshot taken: reset goes back to the state at start.
    let (status, body) = http(&s.addr, "POST", "/_morbox/reset");
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["status"], "ok");
    assert_eq!(s.value("SELECT comment FROM users WHERE id = 5"), "");
    assert!(update_comment(&s, "kept").body.contains("User was updated"));
    assert_eq!(http(&s.addr, "POST", "/_morbox/snapshot").0, 200);
    assert!(
        update_comment(&s, "dropped")
            .body
            .contains("User was updated")
    );
    s.sql("INSERT INTO users (id, username) VALUES (900, 'added_later');");
    assert_eq!(http(&s.addr, "POST", "/_morbox/reset").0, 200);
    assert_eq!(s.value("SELECT comment FROM users WHERE id = 5"), "kept");
    assert_eq!(s.value("SELECT COUNT(*) FROM users WHERE id = 900"), "0");
    // Settings come back too, and the server answers as before.
    s.sql("UPDATE conflines SET value = '0' WHERE name = 'Allow_API';");
    assert!(
        update_comment(&s, "refused")
            .body
            .contains("API Requests are disabled")
    );
    assert_eq!(http(&s.addr, "POST", "/_morbox/reset").0, 200);
    assert!(
        update_comment(&s, "again")
            .body
            .contains("User was updated")
    );
}

#[test]
fn reset_is_atomic_under_concurrent_reads_and_writes() {
    let s = Server::demo_with(&["--test-endpoints"]);
    // Every write sets two columns together; a reader must never see them apart.
    s.sql("UPDATE users SET comment = 'v0', call_limit = 0 WHERE id = 5;");
    assert_eq!(http(&s.addr, "POST", "/_morbox/snapshot").0, 200);
    let end = Instant::now() + Duration::from_secs(3);
    let addr = s.addr.clone();
    let writer = std::thread::spawn(move || {
        let mut n = 1;
        while Instant::now() < end {
            let h = sha1_hex(&format!("5{n}secret"));
            let body = format!("u=admin&user_id=5&u18={n}&u33=v{n}&hash={h}");
            let mut c = TcpStream::connect(&addr).unwrap();
            write!(c, "POST /api/user_details_update HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}", body.len()).unwrap();
            let mut r = String::new();
            c.read_to_string(&mut r).unwrap();
            assert!(r.contains("User was updated"), "{r}");
            n += 1;
        }
        n
    });
    let addr = s.addr.clone();
    let reader = std::thread::spawn(move || {
        let target = format!(
            "/api/user_details_raw_get?u=admin&user_id=5&hash={}",
            sha1_hex("admin5secret")
        );
        let mut reads = 0;
        while Instant::now() < end {
            let (_, body) = http(&addr, "POST", &target);
            let field = |n: &str| {
                body.split(&format!("<{n}>"))
                    .nth(1)
                    .unwrap()
                    .split('<')
                    .next()
                    .unwrap()
                    .to_string()
            };
            assert_eq!(
                field("comment"),
                format!("v{}", field("call_limit")),
                "torn read: {body}"
            );
            reads += 1;
        }
        reads
    });
    let mut resets = 0;
    while Instant::now() < end {
        assert_eq!(http(&s.addr, "POST", "/_morbox/reset").0, 200);
        resets += 1;
    }
    let writes = writer.join().unwrap();
    let reads = reader.join().unwrap();
    assert!(
        resets >= 3 && reads >= 3 && writes >= 3,
        "resets {resets}, reads {reads}, writes {writes}"
    );
    let integrity: String = s
        .conn()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
}

#[test]
fn the_journal_records_masks_and_filters() {
    let s = Server::demo_with(&["--test-endpoints", "--journal-size", "50"]);
    let pw = "J0urnal-Secret-Pw";
    let hash = sha1_hex(&format!("1231{pw}456789"));
    let r = s.post(
        "user_details_update",
        &[
            ("u", "username"),
            ("user_id", "123"),
            ("u15", "1"),
            ("pswd", pw),
            ("p", "PlainPass99"),
            ("hash", &hash),
        ],
    );
    assert!(r.body.contains("User was updated"), "{}", r.body);
    s.post(
        "user_details_get",
        &[("u", "admin"), ("user_id", "5"), ("hash", "wronghash")],
    );
    let (_, body) = http(&s.addr, "GET", "/_morbox/requests");
    for secret in [pw, "PlainPass99", hash.as_str(), "wronghash"] {
        assert!(!body.contains(secret), "journal shows {secret}: {body}");
    }
    let v = json(&body);
    let reqs = v["requests"].as_array().unwrap();
    assert_eq!(reqs.len(), 2);
    let upd = &reqs[0];
    assert_eq!(upd["call"], "user_details_update");
    assert_eq!(upd["method"], "POST");
    assert_eq!(upd["caller"], "username");
    assert_eq!(upd["caller_id"], 123);
    assert_eq!(upd["outcome"], "ok");
    assert_eq!(upd["params"]["user_id"], "123");
    assert_eq!(upd["params"]["u15"], "1");
    assert_eq!(upd["params"]["pswd"], "***");
    assert_eq!(upd["params"]["p"], "***");
    assert_eq!(upd["params"]["hash"], "***");
    assert_eq!(
        upd["changed"],
        serde_json::json!([
            "users.blocked",
            "users.password_changed_at",
            "users.password"
        ])
    );
    assert!(upd["duration_us"].as_u64().unwrap() > 0);
    assert_eq!(reqs[1]["outcome"], "Incorrect hash");
    // "My code blocked user 123 exactly once."
    let (_, f) = http(
        &s.addr,
        "GET",
        "/_morbox/requests?call=user_update_api&u=username",
    );
    let blocked = json(&f)["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["params"]["u15"] == "1" && r["params"]["user_id"] == "123")
        .count();
    assert_eq!(blocked, 1);
    let (_, f) = http(&s.addr, "GET", "/_morbox/requests?call=user_details_get");
    assert_eq!(json(&f)["requests"].as_array().unwrap().len(), 1);
    // The ring keeps the last N.
    for _ in 0..60 {
        s.post("user_details_get", &[("u", "admin"), ("user_id", "5")]);
    }
    let (_, all) = http(&s.addr, "GET", "/_morbox/requests");
    assert_eq!(json(&all)["requests"].as_array().unwrap().len(), 50);
    assert_eq!(http(&s.addr, "DELETE", "/_morbox/requests").0, 200);
    let (_, none) = http(&s.addr, "GET", "/_morbox/requests");
    assert_eq!(json(&none)["requests"].as_array().unwrap().len(), 0);
}

#[test]
fn the_journal_stays_bounded_and_masks_in_any_case() {
    let s = Server::demo_with(&["--test-endpoints", "--body-limit", "200000"]);
    // 200 requests of 12,000 parameters each, secrets under names in any case among them.
    let mut body: String = (0..12_000).map(|i| format!("k{i}=1&")).collect();
    body.push_str("PSWD=Hidden-1&Password2=Hidden-2&api_key=Hidden-3&Secret=Hidden-4&u=admin");
    let mut c = TcpStream::connect(&s.addr).unwrap();
    for _ in 0..200 {
        let head = format!(
            "POST /api/user_details_get?Hash=Hidden-5 HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        c.write_all(head.as_bytes()).unwrap();
        c.write_all(body.as_bytes()).unwrap();
        read_one_response(&mut c);
    }
    let t = std::time::Instant::now();
    let (status, listed) = http(&s.addr, "GET", "/_morbox/requests");
    let took = t.elapsed();
    assert_eq!(status, 200);
    eprintln!(
        "journal of 200 × 12,000 parameters: {} bytes listed in {took:?}",
        listed.len()
    );
    // Before the bound: 192 MB held, 5 s and 1.1 GB to list.
    assert!(listed.len() < 2 << 20, "{} bytes", listed.len());
    for secret in ["Hidden-1", "Hidden-2", "Hidden-3", "Hidden-4", "Hidden-5"] {
        assert!(!listed.contains(secret), "journal shows {secret}");
    }
    // A page holds about 1 MiB; the rest follows page by page.
    let reqs = journal(&s.addr, "");
    assert_eq!(reqs.len(), 200);
    for r in &reqs {
        assert_eq!(r["truncated"], true);
        assert_eq!(r["params_sent"], 12_006);
        assert_eq!(r["params"].as_object().unwrap().len(), 100);
    }
    // The entries of an ordinary request are whole, with nothing marked.
    s.post("user_details_get", &[("u", "admin"), ("user_id", "5")]);
    let last = journal(&s.addr, "u=admin&").last().unwrap().clone();
    assert_eq!(last["truncated"], false);
    assert_eq!(last["params_sent"], 2);
}

/// Reads one response (with a Content-Length) from a kept-alive connection.
fn read_one_response(c: &mut TcpStream) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        c.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse().unwrap())
        .unwrap();
    let mut body = vec![0u8; len];
    c.read_exact(&mut body).unwrap();
}

#[test]
fn the_openapi_document_is_valid_and_complete() {
    let s = Server::demo();
    let (status, body) = http(&s.addr, "GET", "/_morbox/openapi.json");
    assert_eq!(status, 200);
    let doc = json(&body);
    for name in [
        "user_details_get",
        "user_details",
        "user_details_raw_get",
        "user_details_update",
        "user_update_api",
    ] {
        for prefix in ["/billing/api/", "/api/"] {
            assert!(
                doc["paths"][format!("{prefix}{name}")]["post"].is_object(),
                "{prefix}{name}"
            );
        }
    }
    let props = &doc["paths"]["/api/user_details_update"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]
        ["schema"]["properties"];
    for p in morbox::api::details::update_params::PARAMS {
        assert!(props[p.name].is_object(), "{} missing", p.name);
        assert_eq!(props[p.name]["x-hashed"], p.hashed, "{}", p.name);
    }
    let errors: Vec<String> = doc["paths"]["/api/user_details_get"]["post"]["x-errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap().to_string())
        .collect();
    for text in [
        "Incorrect hash",
        "Access Denied",
        "User was not found",
        "Tariff not found",
        "User was not updated",
        "API must have Secret Key",
    ] {
        assert!(errors.iter().any(|e| e == text), "{text}");
    }
    // Its validity as OpenAPI 3.1 is checked by a maintained validator in the example suite
    // (examples/pytest/test_openapi.py), where Python tools live in their own venv.
}

#[test]
fn fixtures_may_name_only_the_columns_they_care_about() {
    // Two users without usernames, and a setting the demo world already has: the newest wins.
    let s = Server::with_sql(
        "INSERT INTO users (id, owner_id) VALUES (600, 2);
         INSERT INTO users (id, owner_id, balance) VALUES (601, 2, 9.5);
         INSERT INTO conflines (name, value) VALUES ('Nice_Number_Digits', '1');",
    );
    let r = s.signed(
        "user_details_get",
        &[("u", "admin"), ("user_id", "601")],
        &["user_id"],
        "secret",
    );
    assert!(r.xml().contains("<balance>9.5 EUR</balance>"), "{}", r.body);
    assert!(r.xml().contains("<username></username>"), "{}", r.body);
    let r = s.signed(
        "user_details_get",
        &[("u", "reseller1"), ("user_id", "600")],
        &["user_id"],
        "reseller1secret",
    );
    assert!(r.xml().contains("<userid>600</userid>"), "{}", r.body);
    // `morbox settings set` then changes the one value that counts.
    assert!(
        morbox(&[
            "settings",
            "set",
            "--db",
            s.db.to_str().unwrap(),
            "Nice_Number_Digits",
            "3"
        ])
        .0
    );
    let r = s.signed(
        "user_details_get",
        &[("u", "admin"), ("user_id", "601")],
        &["user_id"],
        "secret",
    );
    assert!(
        r.xml().contains("<balance>9.500 EUR</balance>"),
        "{}",
        r.body
    );
}

#[test]
fn the_journal_keeps_sources_answers_changes_and_the_explainers_verdict() {
    let s = Server::demo_with(&["--test-endpoints"]);
    // An update from a query and a JSON body, which blocks user 5.
    let hash = sha1_hex("51secret");
    let r = s.send(
        "POST",
        &format!("/api/user_details_update?u=admin&hash={hash}"),
        Some("application/json"),
        br#"{"user_id": "5", "u15": "1"}"#,
    );
    assert!(r.body.contains("User was updated"), "{}", r.body);
    // A real client's mistake: signed over user_id alone while u15 and u23 are sent.
    let wrong = sha1_hex("5secret");
    s.post(
        "user_details_update",
        &[
            ("u", "admin"),
            ("user_id", "5"),
            ("u15", "0"),
            ("u23", "Jo"),
            ("hash", &wrong),
        ],
    );
    let (_, body) = http(&s.addr, "GET", "/_morbox/requests");
    let v = json(&body);
    let reqs = v["requests"].as_array().unwrap();
    let upd = &reqs[0];
    assert_eq!(upd["sources"]["u"], "query");
    assert_eq!(upd["sources"]["user_id"], "json");
    assert_eq!(upd["answer"]["status"], 200);
    assert_eq!(upd["answer"]["content_type"], "text/html; charset=utf-8");
    assert!(
        upd["answer"]["body"]
            .as_str()
            .unwrap()
            .contains("User was updated")
    );
    let blocked = upd["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == "users.blocked")
        .unwrap();
    assert_eq!(
        (blocked["old"].as_str(), blocked["new"].as_str()),
        (Some("0"), Some("1"))
    );
    let failed = &reqs[1];
    assert_eq!(failed["outcome"], "Incorrect hash");
    let e = &failed["explanation"];
    assert_eq!(
        e["order"],
        serde_json::json!([["user_id", "5"], ["u15", "0"], ["u23", "Jo"]])
    );
    assert_eq!(e["string"], "50Jo<key of the system>");
    assert!(
        e["verdict"]
            .as_str()
            .unwrap()
            .contains("`u15` and `u23` were left out"),
        "{e}"
    );
    assert!(
        failed["answer"]["body"]
            .as_str()
            .unwrap()
            .contains("Incorrect hash")
    );
    // Never a key or a hash.
    for secret in ["secret\"", wrong.as_str(), hash.as_str()] {
        assert!(!body.contains(secret), "journal shows {secret}");
    }
}
