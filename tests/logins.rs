//! users_get (docs/accounts.md) and user_login on fixture F: the worked examples, the
//! proofs, and failures that count as password guesses and never show a password.

use crate::util::*;
use std::time::{Duration, Instant};

fn user(
    id: &str,
    username: &str,
    first: &str,
    last: &str,
    balance: &str,
    rest: [&str; 6],
) -> String {
    let [blocked, lcr, tariff, owner, usertype, hidden] = rest;
    format!(
        "      <user>\n        <id>{id}</id>\n        <username>{username}</username>\n        <first_name>{first}</first_name>\n        <last_name>{last}</last_name>\n        <balance>{balance}</balance>\n        <blocked>{blocked}</blocked>\n        <lcr_id>{lcr}</lcr_id>\n        <tariff_id>{tariff}</tariff_id>\n        <owner_id>{owner}</owner_id>\n        <usertype>{usertype}</usertype>\n        <hidden>{hidden}</hidden>\n      </user>\n"
    )
}

fn list(users: &[String]) -> String {
    format!(
        "<page>\n  <status>\n    <users>\n{}    </users>\n  </status>\n</page>\n",
        users.concat()
    )
}

fn alice() -> String {
    user(
        "2",
        "alice",
        "Alice",
        "Smith",
        "12.5",
        ["0", "1", "1", "0", "user", "0"],
    )
}
fn res() -> String {
    user(
        "3",
        "res",
        "Rita",
        "Seller",
        "100.0",
        ["0", "1", "1", "0", "reseller", "0"],
    )
}
fn acc() -> String {
    user(
        "4",
        "acc",
        "Andy",
        "Count",
        "0.0",
        ["0", "0", "0", "0", "accountant", "0"],
    )
}
fn bob() -> String {
    user(
        "5",
        "bob",
        "Bob",
        "Brown",
        "3.0",
        ["0", "1", "3", "3", "user", "1"],
    )
}

#[test]
fn users_get_examples() {
    let s = Server::fixture_f(&[]);
    // 1. The admin, with the wiki's own hash.
    s.post(
        "users_get",
        &[
            ("u", "admin"),
            ("p", "admin1"),
            ("hash", "c420ef706a02e6449994b7575b25ef5f74cc722b"),
        ],
    )
    .is(&list(&[alice(), res(), acc(), bob()]));
    // 2. The reseller, by password or by uniquehash.
    s.post(
        "users_get",
        &[
            ("u", "res"),
            ("p", "res1pass"),
            ("hash", "68ef858b78bbdda8f3837226d080dfaa8c80c89a"),
        ],
    )
    .is(&list(&[bob()]));
    s.post(
        "users_get",
        &[
            ("u", "res"),
            ("uniquehash", "r3s3ll3r00"),
            ("hash", "9c4b311fec44368ccf983d18018eba1153db04ec"),
        ],
    )
    .is(&list(&[bob()]));
    // 3. A plain user.
    s.post(
        "users_get",
        &[
            ("u", "alice"),
            ("p", "Alice123"),
            ("hash", "806da0a263cefda0934792e74ac5ac386a3b93e3"),
        ],
    )
    .is(&page_status_error("Access Denied"));
    // 4. The accountant with read right; without it.
    let acc_req = [
        ("u", "acc"),
        ("p", "acc1pass"),
        ("hash", "ae14993b3b5d2799cf5fb180d9717d5a197d7ada"),
    ];
    s.post("users_get", &acc_req)
        .is(&list(&[alice(), res(), bob()]));
    // Assigned-only: only its assigned users.
    s.sql("UPDATE users SET show_only_assigned_users = 1 WHERE id = 4; UPDATE users SET responsible_accountant_id = 4 WHERE id = 5;");
    s.post("users_get", &acc_req).is(&list(&[bob()]));
    s.sql("UPDATE users SET show_only_assigned_users = 0 WHERE id = 4;");
    s.sql("UPDATE acc_group_rights SET value = 0;");
    s.post("users_get", &acc_req).is(&page_status_error(
        "You are not authorized to view this page",
    ));
}

#[test]
fn users_get_proofs() {
    let s = Server::fixture_f(&[]);
    let denied = page_status_error("Access Denied");
    // Unknown caller: no gate runs.
    s.post("users_get", &[("u", "nobody"), ("p", "x")])
        .is(&denied);
    // A wrong password, even with the right uniquehash beside it (p alone decides).
    let signed = |p: &[(&str, &str)]| s.signed("users_get", p, &["u", "p"], "secret");
    signed(&[("u", "admin"), ("p", "wrong")]).is(&denied);
    signed(&[("u", "admin"), ("p", "wrong"), ("uniquehash", "adm0hash00")]).is(&denied);
    signed(&[("u", "admin"), ("uniquehash", "nothash")]).is(&denied);
    signed(&[("u", "admin")]).is(&denied);
    // The right uniquehash alone.
    let r = signed(&[("u", "admin"), ("uniquehash", "adm0hash00")]);
    assert!(r.xml().contains("<username>bob</username>"), "{}", r.body);
    // The gates come first: a wrong hash is Incorrect hash whatever p is.
    s.post(
        "users_get",
        &[("u", "admin"), ("p", "admin1"), ("hash", "00")],
    )
    .is(&gate_error("Incorrect hash"));
    // A reseller with no users: No Users found.
    s.sql("DELETE FROM devices; DELETE FROM users WHERE id = 5;");
    s.post(
        "users_get",
        &[
            ("u", "res"),
            ("p", "res1pass"),
            ("hash", "68ef858b78bbdda8f3837226d080dfaa8c80c89a"),
        ],
    )
    .is(&page_status_error("No Users found"));
}

const LOGIN_FAILED: &str = "<action>\n  <name>login</name>\n  <status>failed</status>\n  <status_message>Login failed</status_message>\n</action>\n";

fn login_ok(id: &str) -> String {
    format!(
        "<action>\n  <name>login</name>\n  <status>ok</status>\n  <user_id>{id}</user_id>\n  <status_message>Successfully logged in</status_message>\n</action>\n"
    )
}

#[test]
fn user_login_examples() {
    let s = Server::fixture_f(&[]);
    // 1. Success: logged, audited with the client's address.
    s.post(
        "user_login",
        &[
            ("u", "alice"),
            ("p", "Alice123"),
            ("hash", "806da0a263cefda0934792e74ac5ac386a3b93e3"),
        ],
    )
    .is(&login_ok("2"));
    assert_eq!(s.value("SELECT logged FROM users WHERE id = 2"), "1");
    assert_eq!(
        s.value("SELECT user_id || '|' || data FROM actions WHERE action = 'login'"),
        "2|127.0.0.1"
    );
    // 2. A wrong password: failed, whatever the hash; audited with u only.
    s.post(
        "user_login",
        &[
            ("u", "alice"),
            ("p", "wrong"),
            ("hash", "26a09ceb661ac9ddee8bc7abe732d20b390482f9"),
        ],
    )
    .is(LOGIN_FAILED);
    assert_eq!(
        s.value(
            "SELECT user_id || '|' || data || '|' || data2 FROM actions WHERE action = 'bad_login'"
        ),
        "0|alice|"
    );
    // 3. bob signs with his reseller's key, not the system's.
    s.post(
        "user_login",
        &[
            ("u", "bob"),
            ("p", "Bob12345"),
            ("hash", "d857d4cd25f1e344ce17f2e85592b77ce7c63063"),
        ],
    )
    .is(&gate_error("Incorrect hash"));
    s.post(
        "login",
        &[
            ("u", "bob"),
            ("p", "Bob12345"),
            ("hash", "3ac2abb307a225fb02980feffbffe0f760a92a2c"),
        ],
    )
    .is(&login_ok("5"));
}

#[test]
fn user_login_rules() {
    let s = Server::fixture_f(&[]);
    let login =
        |u: &str, p: &str| s.signed("user_login", &[("u", u), ("p", p)], &["u", "p"], "secret");
    // Unknown user, empty password, blocked user: failed.
    login("nobody", "x").is(LOGIN_FAILED);
    login("alice", "").is(LOGIN_FAILED);
    s.sql("UPDATE users SET blocked = 1 WHERE id = 2;");
    login("alice", "Alice123").is(LOGIN_FAILED);
    s.sql("UPDATE users SET blocked = 0 WHERE id = 2;");
    // The e-mail only with Allow_login_by_email.
    login("alice@example.com", "Alice123").is(LOGIN_FAILED);
    s.sql("INSERT INTO conflines (name, value, owner_id) VALUES ('Allow_login_by_email', '1', 0);");
    login("alice@example.com", "Alice123").is(&login_ok("2"));
    // A password imported from MOR as SHA1 hex.
    s.sql(&format!(
        "UPDATE users SET password = '{}' WHERE id = 2;",
        sha1_hex("Imported9")
    ));
    login("alice", "Imported9").is(&login_ok("2"));
    // GET is subject to Allow_GET_API once authenticated.
    let hash = sha1_hex("aliceImported9secret");
    s.get(
        "user_login",
        &[("u", "alice"), ("p", "Imported9"), ("hash", &hash)],
    )
    .is(&gate_error("GET Requests are disabled"));
    // No password reaches the audit table.
    for secret in ["Alice123", "Imported9", "wrong"] {
        assert_eq!(
            s.value(&format!("SELECT COUNT(*) FROM actions WHERE data LIKE '%{secret}%' OR data2 LIKE '%{secret}%'")),
            "0"
        );
    }
}

#[test]
fn password_guessing_is_held_back_by_the_lockout() {
    let s = Server::fixture_f(&["--hash-failure-limit", "3"]);
    let started = Instant::now();
    let mut statuses = Vec::new();
    for i in 0..6 {
        let r = s.signed(
            "user_login",
            &[("u", "alice"), ("p", &format!("guess{i}"))],
            &["u", "p"],
            "secret",
        );
        statuses.push(r.status);
    }
    // Three answered guesses, then 429 (the bad_login rows stop with them).
    assert_eq!(statuses, [200, 200, 200, 429, 429, 429]);
    assert!(started.elapsed() < Duration::from_secs(60));
    assert_eq!(
        s.value("SELECT COUNT(*) FROM actions WHERE action = 'bad_login'"),
        "3"
    );
    // From the guesser's address, even the right password is refused until the count drains
    // (a right guess must not tell itself apart), and no password is verified meanwhile.
    let r = s.signed(
        "user_login",
        &[("u", "alice"), ("p", "Alice123")],
        &["u", "p"],
        "secret",
    );
    assert_eq!(r.status, 429);
    assert!(r.header("retry-after").is_some());
    // Another address logs in as alice as usual.
    let body = encode(&[
        ("u", "alice"),
        ("p", "Alice123"),
        ("hash", &sha1_hex("aliceAlice123secret")),
    ]);
    let r = send_from(
        "127.0.0.3",
        &s.addr,
        "POST",
        "/billing/api/user_login",
        body.as_bytes(),
    );
    assert_eq!(r.xml(), login_ok("2"));
    // users_get guesses count as well: three from 127.0.0.4, then 429.
    let body = encode(&[
        ("u", "admin"),
        ("p", "wrong"),
        ("hash", &sha1_hex("adminwrongsecret")),
    ]);
    let statuses: Vec<u16> = (0..5)
        .map(|_| {
            send_from(
                "127.0.0.4",
                &s.addr,
                "POST",
                "/billing/api/users_get",
                body.as_bytes(),
            )
            .status
        })
        .collect();
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
}
