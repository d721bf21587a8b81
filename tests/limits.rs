//! Connection limits, graceful shutdown, the hash-failure lockout and the weak-secret refusal
//! (issue "Hardened"), each against a real server.

use crate::util::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn h5() -> String {
    sha1_hex("5secret")
}

/// Reads until the server closes the connection; returns what came and how long it took.
fn read_until_closed(s: &mut TcpStream, bound: Duration) -> (String, Duration) {
    let t = Instant::now();
    s.set_read_timeout(Some(bound)).unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    (String::from_utf8_lossy(&buf).into_owned(), t.elapsed())
}

#[test]
fn slow_headers_are_cut_off() {
    let s = Server::demo_with(&["--header-timeout", "1"]);
    let mut c = TcpStream::connect(&s.addr).unwrap();
    c.write_all(b"POST /api/user_details_get HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let (_, took) = read_until_closed(&mut c, Duration::from_secs(10));
    assert!(
        took < Duration::from_secs(5),
        "connection held for {took:?}"
    );
}

#[test]
fn idle_keep_alive_connections_are_closed() {
    let s = Server::demo_with(&["--header-timeout", "1"]);
    let mut c = TcpStream::connect(&s.addr).unwrap();
    let req = format!(
        "POST /api/user_details_get?u=admin&user_id=5&hash={} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
        h5()
    );
    c.write_all(req.as_bytes()).unwrap();
    let (got, took) = read_until_closed(&mut c, Duration::from_secs(10));
    assert!(got.contains("<userid>5</userid>"), "{got}");
    assert!(
        took < Duration::from_secs(5),
        "idle connection held for {took:?}"
    );
}

#[test]
fn slow_bodies_get_408() {
    let s = Server::demo_with(&["--body-timeout", "1"]);
    let mut c = TcpStream::connect(&s.addr).unwrap();
    c.write_all(b"POST /api/user_details_get HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nu=admin&").unwrap();
    let (got, took) = read_until_closed(&mut c, Duration::from_secs(10));
    assert!(got.starts_with("HTTP/1.1 408"), "{got}");
    assert!(
        got.contains("<error>Request body was not received in time</error>"),
        "{got}"
    );
    assert!(took < Duration::from_secs(5));
}

#[test]
fn header_count_and_size_limits() {
    let s = Server::demo_with(&["--max-headers", "20", "--max-header-bytes", "8192"]);
    let many: String = (0..40).map(|i| format!("X-H{i}: v\r\n")).collect();
    let r = s.raw(format!("POST /api/user_details_get HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{many}Content-Length: 0\r\n\r\n").as_bytes());
    assert!((400..500).contains(&r.status), "{}", r.status);
    let big = format!("X-Big: {}\r\n", "a".repeat(20_000));
    let mut c = TcpStream::connect(&s.addr).unwrap();
    let _ = c.write_all(
        format!("POST /api/user_details_get HTTP/1.1\r\nHost: x\r\n{big}\r\n").as_bytes(),
    );
    let (got, _) = read_until_closed(&mut c, Duration::from_secs(10));
    assert!(got.is_empty() || got.starts_with("HTTP/1.1 4"), "{got}");
    // Still serving.
    assert!(
        s.post(
            "user_details_get",
            &[("u", "admin"), ("user_id", "5"), ("hash", &h5())]
        )
        .xml()
        .contains("<userid>5</userid>")
    );
}

#[test]
fn connection_cap_makes_extra_clients_wait() {
    let s = Server::demo_with(&["--max-connections", "2", "--header-timeout", "30"]);
    let hold1 = TcpStream::connect(&s.addr).unwrap();
    let hold2 = TcpStream::connect(&s.addr).unwrap();
    // Let the server accept both (one answered request each proves they are being served).
    for mut h in [&hold1, &hold2] {
        let req = format!(
            "POST /api/user_details_get?u=admin&user_id=5&hash={} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
            h5()
        );
        h.write_all(req.as_bytes()).unwrap();
        let mut buf = [0u8; 4096];
        h.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        assert!(h.read(&mut buf).unwrap() > 0);
    }
    let mut third = TcpStream::connect(&s.addr).unwrap();
    let req = format!(
        "POST /api/user_details_get?u=admin&user_id=5&hash={} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        h5()
    );
    third.write_all(req.as_bytes()).unwrap();
    third
        .set_read_timeout(Some(Duration::from_millis(700)))
        .unwrap();
    let mut buf = [0u8; 64];
    assert!(
        third.read(&mut buf).is_err(),
        "a third connection was served beyond the cap"
    );
    drop(hold1);
    let (got, _) = read_until_closed(&mut third, Duration::from_secs(10));
    assert!(got.contains("<userid>5</userid>"), "{got}");
    drop(hold2);
}

#[test]
fn sigterm_finishes_the_request_in_flight() {
    let mut s = Server::demo_logging(&[], "morbox=debug");
    let mut c = TcpStream::connect(&s.addr).unwrap();
    let body = format!("u=admin&user_id=5&hash={}", h5());
    let head = format!(
        "POST /api/user_details_get HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    c.write_all(head.as_bytes()).unwrap();
    c.write_all(&body.as_bytes()[..5]).unwrap();
    // The request is in flight once the server says it has read its head.
    assert!(
        s.log.wait_for("request head read", Duration::from_secs(20)),
        "{}",
        s.log.text()
    );
    // Now it is told to stop, and the rest of the body comes once it says it is stopping.
    std::process::Command::new("kill")
        .args(["-TERM", &s.pid().to_string()])
        .status()
        .unwrap();
    assert!(
        s.log.wait_for("shutting down", Duration::from_secs(20)),
        "{}",
        s.log.text()
    );
    c.write_all(&body.as_bytes()[5..]).unwrap();
    let (got, _) = read_until_closed(&mut c, Duration::from_secs(10));
    assert!(got.contains("<userid>5</userid>"), "{got}");
    // And then it exits cleanly.
    assert!(s.terminate());
}

#[test]
fn logs_never_carry_secrets() {
    let dir = TempDir::new();
    let db = dir.0.join("m.db");
    assert!(morbox(&["init", "--db", db.to_str().unwrap(), "--demo"]).0);
    let log = dir.0.join("log.txt");
    let (mut child, addr) = spawn_ready(
        &[
            "serve",
            "--db",
            db.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
            "--log-format",
            "json",
        ],
        "debug",
        std::fs::File::create(&log).unwrap().into(),
    );
    let send = |target: &str, body: &str| {
        send_to(
            &addr,
            "POST",
            target,
            Some("application/x-www-form-urlencoded"),
            body.as_bytes(),
        )
        .body
    };
    let pw_hash = sha1_hex(&format!("5{}secret", "Sup3rSecretPass"));
    let got = send(
        "/api/user_details_update",
        &format!("u=admin&user_id=5&pswd=Sup3rSecretPass&p=PlainP4ss&hash={pw_hash}"),
    );
    assert!(got.contains("User was updated"), "{got}");
    send(
        "/api/user_details_get",
        "u=admin&user_id=5&hash=deadbeefdeadbeefdeadbeefdeadbeefdeadbeef",
    );
    assert!(stop_with(&mut child, "-TERM"));
    let text = std::fs::read_to_string(&log).unwrap();
    // One JSON line per request, with its fields.
    let requests = text
        .lines()
        .filter(|l| {
            l.contains("\"message\":\"request\"") && l.contains("\"call\":\"user_details_update\"")
        })
        .count();
    assert_eq!(requests, 1, "no request log line: {text}");
    assert!(text.contains("hash check failed"), "{text}");
    for secret in [
        "Sup3rSecretPass",
        "PlainP4ss",
        &pw_hash,
        "deadbeefdeadbeef",
        "secret\"",
        "argon2",
    ] {
        assert!(!text.contains(secret), "log contains {secret}: {text}");
    }
}

#[test]
fn serve_refuses_public_addresses_with_a_demo_secret() {
    let dir = TempDir::new();
    let db = dir.0.join("demo.db");
    assert!(morbox(&["init", "--db", db.to_str().unwrap(), "--demo"]).0);
    // The refusal comes before anything binds, so nothing listens on 0.0.0.0.
    let err = must_fail(&[
        "serve",
        "--db",
        db.to_str().unwrap(),
        "--listen",
        "0.0.0.0:0",
    ]);
    assert!(
        err.contains("demo or short key") && err.contains("--allow-weak-secret"),
        "{err}"
    );
    // A database made without --demo has a strong key: checked without binding publicly,
    // through the same check the server uses.
    let db2 = dir.0.join("real.db");
    assert!(morbox(&["init", "--db", db2.to_str().unwrap()]).0);
    assert!(morbox::store::init::weak_secrets(&db2).unwrap().is_empty());
    assert_eq!(morbox::store::init::weak_secrets(&db).unwrap(), [0, 2, 123]);
}

#[test]
fn the_access_log_is_buffered_and_a_graceful_stop_loses_no_line() {
    let mut s = Server::demo_logging(&[], "info");
    let first = s.post(
        "user_details_get",
        &[("u", "admin"), ("user_id", "5"), ("hash", &h5())],
    );
    assert!(first.body.contains("<userid>5</userid>"), "{}", first.body);
    // A line waits at most the flush interval (100 ms), not for the buffer to fill.
    assert!(
        s.log
            .wait_for("call=\"user_details_get\"", Duration::from_secs(20)),
        "{}",
        s.log.text()
    );
    // More lines than the buffer holds (32 KiB), then a stop right after the last answer.
    for _ in 0..299 {
        let r = s.post(
            "user_details_get",
            &[("u", "admin"), ("user_id", "5"), ("hash", &h5())],
        );
        assert_eq!(r.status, 200);
    }
    assert!(s.terminate());
    // "stopped" is the last line; everything before it went through the same buffer.
    assert!(s.log.wait_for("stopped", Duration::from_secs(20)));
    let text = s.log.text();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(" INFO morbox::router: request "))
        .collect();
    assert_eq!(lines.len(), 300, "{text}");
    assert!(lines.iter().all(|l| l.contains(
        "method=POST path=/billing/api/user_details_get call=\"user_details_get\" caller=\"0\" outcome=ok status=200 us="
    )));
}
