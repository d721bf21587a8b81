//! The HTTP front (docs/README.md): paths, methods, headers, every body encoding,
//! and malformed input answered with a clear XML error.

use crate::util::*;

const GET: &str = "user_details_get";

fn h5() -> String {
    sha1_hex("5secret")
}

fn is_user5(r: &Resp) {
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.xml().contains("<userid>5</userid>"), "{}", r.body);
}

#[test]
fn default_headers_are_the_vendors() {
    let s = Server::demo();
    let r = s.post(GET, &[("u", "admin"), ("user_id", "5"), ("hash", &h5())]);
    is_user5(&r);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(
        r.header("content-disposition"),
        Some("attachment; filename=\"mor_api_response.html\"")
    );
    // Errors carry the same headers and HTTP 200.
    let r = s.post(GET, &[("u", "admin"), ("user_id", "5"), ("hash", "x")]);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(r.header("content-disposition").is_some());
}

#[test]
fn xml_api_extension_and_test_mode() {
    let s = Server::with_sql("UPDATE conflines SET value = '1' WHERE name = 'XML_API_Extension';");
    let r = s.post(GET, &[("u", "admin"), ("user_id", "5"), ("hash", &h5())]);
    assert_eq!(r.header("content-type"), Some("text/xml; charset=utf-8"));
    assert_eq!(
        r.header("content-disposition"),
        Some("attachment; filename=\"mor_api_response.xml\"")
    );
    let r = s.post(GET, &[("u", "admin"), ("user_id", "5"), ("hash", "x")]);
    assert_eq!(r.header("content-type"), Some("text/xml; charset=utf-8"));
    // test=1: the same type, inline.
    let r = s.post(
        GET,
        &[
            ("u", "admin"),
            ("user_id", "5"),
            ("hash", &h5()),
            ("test", "1"),
        ],
    );
    is_user5(&r);
    assert_eq!(r.header("content-type"), Some("text/xml; charset=utf-8"));
    assert_eq!(r.header("content-disposition"), None);
    s.sql("UPDATE conflines SET value = '0' WHERE name = 'XML_API_Extension';");
    let r = s.post(
        GET,
        &[
            ("u", "admin"),
            ("user_id", "5"),
            ("hash", "x"),
            ("test", "1"),
        ],
    );
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(r.header("content-disposition"), None);
    r.is(&gate_error("Incorrect hash"));
}

#[test]
fn unknown_paths_are_404_and_other_methods_405() {
    let s = Server::demo();
    for path in [
        "/",
        "/api/",
        "/api/no_such_call",
        "/billing/api/",
        "/billing/user_details_get",
        "/api/user_details_get/x",
    ] {
        let r = s.send("POST", path, None, b"");
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(r.xml(), bare_error("Unknown API method"));
    }
    for method in ["PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"] {
        let r = s.send(method, "/api/user_details_get?u=admin", None, b"");
        assert_eq!(r.status, 405, "{method}");
        assert_eq!(r.header("allow"), Some("GET, POST"));
        if method != "HEAD" {
            assert_eq!(r.xml(), bare_error("Method not allowed"));
        }
    }
    // A trailing slash is the same call.
    is_user5(&s.send(
        "POST",
        &format!("/api/user_details_get/?u=admin&user_id=5&hash={}", h5()),
        None,
        b"",
    ));
}

#[test]
fn urlencoded_body_overrides_query() {
    let s = Server::demo();
    let body = format!("user_id=5&hash={}", h5());
    is_user5(&s.send(
        "POST",
        "/api/user_details_get?u=admin&user_id=6",
        Some("application/x-www-form-urlencoded"),
        body.as_bytes(),
    ));
    // No content type: read as a form, as curl -d sends.
    is_user5(&s.send(
        "POST",
        "/api/user_details_get?u=admin",
        None,
        body.as_bytes(),
    ));
    // Duplicates within one source: the last wins.
    let body = format!("user_id=6&user_id=5&hash={}", h5());
    is_user5(&s.send(
        "POST",
        "/api/user_details_get?u=admin",
        Some("application/x-www-form-urlencoded; charset=UTF-8"),
        body.as_bytes(),
    ));
}

#[test]
fn percent_decoding_before_hashing() {
    let s = Server::demo();
    // username "John Smith & Co" arrives encoded; the hash is over the decoded text.
    s.sql("UPDATE users SET username = 'John Smith & Co' WHERE id = 5;");
    let h = sha1_hex("John Smith & Cosecret");
    is_user5(&s.send(
        "POST",
        &format!("/api/user_details_get?u=admin&username=John+Smith%20%26%20Co&hash={h}"),
        None,
        b"",
    ));
    let wrong = sha1_hex("John+Smith%20%26%20Cosecret");
    s.send(
        "POST",
        &format!("/api/user_details_get?u=admin&username=John+Smith%20%26%20Co&hash={wrong}"),
        None,
        b"",
    )
    .is(&gate_error("Incorrect hash"));
}

#[test]
fn multipart_body() {
    let s = Server::demo();
    let body = format!(
        "--b0undary\r\nContent-Disposition: form-data; name=\"u\"\r\n\r\nadmin\r\n\
         --b0undary\r\nContent-Disposition: form-data; name=\"user_id\"\r\n\r\n5\r\n\
         --b0undary\r\nContent-Disposition: form-data; name=\"hash\"\r\n\r\n{}\r\n--b0undary--\r\n",
        h5()
    );
    is_user5(&s.send(
        "POST",
        "/api/user_details_get?user_id=6",
        Some("multipart/form-data; boundary=b0undary"),
        body.as_bytes(),
    ));
    let r = s.send(
        "POST",
        "/api/user_details_get",
        Some("multipart/form-data; boundary=\"b0undary\""),
        b"--b0undary\r\nno end",
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        r.xml(),
        gate_error("Malformed request: invalid multipart body")
    );
}

#[test]
fn json_body() {
    let s = Server::demo();
    let body = format!(
        r#"{{"u":"admin","user_id":5,"hash":"{}","extra":null,"list":[1]}}"#,
        h5()
    );
    is_user5(&s.send(
        "POST",
        "/api/user_details_get?user_id=6",
        Some("application/json"),
        body.as_bytes(),
    ));
    // A number is hashed as its shortest text: 5.0 → "5".
    let body = format!(r#"{{"u":"admin","user_id":5.0,"hash":"{}"}}"#, h5());
    let r = s.send(
        "POST",
        "/api/user_details_get",
        Some("application/json"),
        body.as_bytes(),
    );
    is_user5(&r);
    for bad in ["[1,2]", "{\"u\":", "\"admin\"", "{\"u\":\"a\u{0}\"}"] {
        let r = s.send(
            "POST",
            "/api/user_details_get",
            Some("application/json"),
            bad.as_bytes(),
        );
        assert_eq!(r.status, 400, "{bad}");
        assert!(
            r.xml()
                .starts_with("<status>\n  <error>Malformed request: "),
            "{}",
            r.body
        );
    }
}

#[test]
fn unreadable_body_types_are_ignored() {
    let s = Server::demo();
    is_user5(&s.send(
        "POST",
        &format!("/api/user_details_get?u=admin&user_id=5&hash={}", h5()),
        Some("text/plain"),
        b"user_id=6",
    ));
}

#[test]
fn get_reads_only_the_query() {
    let s = Server::demo();
    is_user5(&s.send(
        "GET",
        &format!("/api/user_details_get?u=admin&user_id=5&hash={}", h5()),
        Some("application/x-www-form-urlencoded"),
        b"user_id=6",
    ));
}

#[test]
fn malformed_input_is_a_clear_xml_error() {
    let s = Server::demo();
    let cases: &[(&[u8], &str)] = &[
        (b"POST /api/user_details_get?u=admin&user_id=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", "Malformed request: invalid percent-encoding"),
        (b"POST /api/user_details_get?u=admin&user_id=5% HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", "Malformed request: invalid percent-encoding"),
        (b"POST /api/user_details_get?u=%C3%28 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", "Malformed request: parameters must be UTF-8"),
        (b"POST /api/user_details_get?u=ad%00min HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", "Malformed request: NUL byte in a parameter"),
        (b"POST /api/user_details_get HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 6\r\n\r\nu=\xff\xfe\xfd\xfc", "Malformed request: parameters must be UTF-8"),
    ];
    for (req, text) in cases {
        let r = s.raw(req);
        assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(req));
        assert_eq!(r.xml(), gate_error(text));
    }
    // Raw non-UTF-8 bytes in the request line are refused by the HTTP layer, not a crash.
    let r = s.raw(b"POST /api/user_details_get?u=\xff HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    assert!(r.status >= 400 && r.status < 500, "{}", r.status);
    // The server still answers.
    is_user5(&s.post(GET, &[("u", "admin"), ("user_id", "5"), ("hash", &h5())]));
}

#[test]
fn huge_values_and_bodies() {
    let s = Server::demo();
    // A 60 KB value is just a value (here: a username nobody has).
    let long = "a".repeat(60_000);
    s.post(GET, &[("u", &long), ("user_id", "5")])
        .is(&bare_error("Access Denied"));
    let h = sha1_hex(&format!("{long}secret"));
    s.post(GET, &[("u", "admin"), ("username", &long), ("hash", &h)])
        .is(&bare_error("User was not found"));
    // Over the 64 KiB body limit.
    let body = format!("u=admin&x={}", "b".repeat(70_000));
    let r = s.send(
        "POST",
        "/api/user_details_get",
        Some("application/x-www-form-urlencoded"),
        body.as_bytes(),
    );
    assert_eq!(r.status, 413);
    assert_eq!(r.xml(), gate_error("Request body is too large"));
    // Many parameters, many duplicates.
    let body: String = (0..5000)
        .map(|i| format!("user_id={i}&"))
        .collect::<String>()
        + &format!("user_id=5&u=admin&hash={}", h5());
    is_user5(&s.send(
        "POST",
        "/api/user_details_get",
        Some("application/x-www-form-urlencoded"),
        body.as_bytes(),
    ));
    // Huge numbers.
    let h = sha1_hex(&format!("{}secret", "9".repeat(400)));
    s.post(
        GET,
        &[("u", "admin"), ("user_id", &"9".repeat(400)), ("hash", &h)],
    )
    .is(&bare_error("User was not found"));
}

#[test]
fn xml_metacharacters_in_parameters_never_break_the_document() {
    let s = Server::demo();
    for u in ["<admin>", "a&b", "]]>", "\"'", "<?xml?>"] {
        s.post(GET, &[("u", u), ("user_id", "5")])
            .is(&bare_error("Access Denied"));
    }
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    use std::io::{Read, Write};
    let s = Server::demo();
    let mut c = std::net::TcpStream::connect(&s.addr).unwrap();
    let one = format!(
        "POST /api/user_details_get?u=admin&user_id=5&hash={} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
        h5()
    );
    let last = one.replace("Host: x\r\n", "Host: x\r\nConnection: close\r\n");
    c.write_all(format!("{one}{one}{last}").as_bytes()).unwrap();
    let mut all = String::new();
    c.read_to_string(&mut all).unwrap();
    assert_eq!(all.matches("HTTP/1.1 200 OK").count(), 3);
    assert_eq!(all.matches("<userid>5</userid>").count(), 3);
}
