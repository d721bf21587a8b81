//! Exactly as MOR, again: side effects committed before the answer, a refused write answered
//! with the call's own text, `XML_API_Extension` on `user_login`, REAL text as Ruby prints it,
//! printf's sign, JSON integers of any length, and a registration's device caller id.

use crate::util::*;

#[test]
fn a_wrong_hash_is_audited_before_its_answer() {
    let s = Server::fixture_f(&["--hash-failure-limit", "0"]);
    let failed = || s.value("SELECT COUNT(*) FROM actions WHERE action = 'hash_failed'");
    assert_eq!(failed(), "0");
    // Counted right after each answer: before, the row was written after it (a race).
    for i in 1..=25 {
        let r = s.post(
            "user_details_get",
            &[
                ("u", "admin"),
                ("user_id", "2"),
                ("hash", "0000000000000000000000000000000000000000"),
            ],
        );
        assert!(r.body.contains("Incorrect hash"), "{}", r.body);
        assert_eq!(failed(), i.to_string(), "after wrong hash {i}");
    }
}

#[test]
fn a_write_the_database_refuses_answers_the_calls_own_text() {
    let s = Server::fixture_f(&[]);
    // An integrator's own rules, as triggers: no balance change for alice, no new payments,
    // bob may not be deleted.
    s.sql(
        "CREATE TRIGGER frozen BEFORE UPDATE OF balance ON users WHEN NEW.id = 2
           BEGIN SELECT RAISE(ABORT, 'alice is frozen'); END;
         CREATE TRIGGER no_payments BEFORE INSERT ON payments
           BEGIN SELECT RAISE(ABORT, 'closed'); END;
         CREATE TRIGGER keep_bob BEFORE DELETE ON users WHEN OLD.id = 6
           BEGIN SELECT RAISE(ABORT, 'keep'); END;
         INSERT INTO users (id, username, usertype, owner_id) VALUES (6, 'keeper', 'user', 0);",
    );
    let counts = || {
        s.value(
            "SELECT (SELECT COUNT(*) FROM actions) || '/' || (SELECT COUNT(*) FROM payments) || '/' \
             || (SELECT COUNT(*) FROM users) || '/' || (SELECT balance FROM users WHERE id = 2)",
        )
    };
    let before = counts();
    let r = s.signed(
        "user_balance_update",
        &[("u", "admin"), ("user_id", "2"), ("balance", "5")],
        &["user_id", "balance"],
        "secret",
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.xml(),
        "<page>\n  <error>User balance not updated</error>\n</page>\n"
    );
    let r = s.signed(
        "payment_create",
        &[
            ("u", "admin"),
            ("user_id", "2"),
            ("p_currency", "USD"),
            ("amount", "5"),
        ],
        &["user_id", "p_currency", "amount"],
        "secret",
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.xml(),
        "<page>\n  <error>Payment was not saved</error>\n  <message>The database refused to store it</message>\n</page>\n"
    );
    let r = s.signed(
        "user_delete",
        &[("u", "admin"), ("user_id", "6")],
        &["user_id"],
        "secret",
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.xml(),
        "<page>\n  <error>User was not deleted</error>\n</page>\n"
    );
    // Nothing written by any of them, audit rows included.
    assert_eq!(counts(), before);
    // The integrator's rule is all that refused them: another user's balance still changes.
    let r = s.signed(
        "user_balance_update",
        &[("u", "admin"), ("user_id", "3"), ("balance", "5")],
        &["user_id", "balance"],
        "secret",
    );
    assert!(r.body.contains("User balance updated"), "{}", r.body);
}

#[test]
fn user_login_honours_xml_api_extension() {
    let s = Server::fixture_f(&[]);
    s.sql("INSERT INTO conflines (name, value, owner_id) VALUES ('XML_API_Extension', '1', 0)");
    let login = |p: &str, test: bool| {
        let mut params = vec![("u", "alice"), ("p", p)];
        if test {
            params.push(("test", "1"));
        }
        s.signed("user_login", &params, &["u", "p"], "secret")
    };
    for (p, status) in [("Alice123", "ok"), ("wrong", "failed")] {
        let r = login(p, false);
        assert!(
            r.body.contains(&format!("<status>{status}</status>")),
            "{}",
            r.body
        );
        assert_eq!(
            r.header("content-type"),
            Some("text/xml; charset=utf-8"),
            "{p}"
        );
        assert_eq!(
            r.header("content-disposition"),
            Some("attachment; filename=\"mor_api_response.xml\""),
            "{p}"
        );
        let r = login(p, true);
        assert_eq!(
            r.header("content-type"),
            Some("text/xml; charset=utf-8"),
            "{p}"
        );
        assert_eq!(r.header("content-disposition"), None, "{p}");
    }
}

#[test]
fn real_text_is_the_shortest_that_reads_back() {
    let s = Server::fixture_f(&[]);
    let update = |user: &str, delta: &str| {
        s.signed(
            "user_balance_update",
            &[("u", "admin"), ("user_id", user), ("balance", delta)],
            &["user_id", "balance"],
            "secret",
        )
    };
    // 12.5 − 11.7: SQLite's CAST says 0.80000000000000071, Ruby 0.8000000000000007 (16 digits).
    let r = update("2", "-11.7");
    assert!(
        r.body.contains("<balance>0.8000000000000007</balance>"),
        "{}",
        r.body
    );
    assert_eq!(
        s.value("SELECT data2 FROM actions WHERE action = 'User balance changed from API'"),
        "0.8000000000000007"
    );
    let r = s.signed(
        "users_get",
        &[("u", "admin"), ("p", "admin1")],
        &["u", "p"],
        "secret",
    );
    assert!(
        r.body.contains("<balance>0.8000000000000007</balance>"),
        "{}",
        r.body
    );
    let r = s.signed(
        "user_details_get",
        &[("u", "admin"), ("user_id", "2")],
        &["user_id"],
        "secret",
    );
    assert!(
        r.body
            .contains("<balance_number>0.8000000000000007</balance_number>"),
        "{}",
        r.body
    );
    // 17 digits and 15 digits, each as short as it can be and no shorter.
    s.sql("UPDATE users SET balance = 0.1 WHERE id = 3");
    let r = update("3", "0.2");
    assert!(
        r.body.contains("<balance>0.30000000000000004</balance>"),
        "{}",
        r.body
    );
    s.sql("UPDATE users SET balance = 0 WHERE id = 3");
    let r = update("3", "0.123456789012345");
    assert!(
        r.body.contains("<balance>0.123456789012345</balance>"),
        "{}",
        r.body
    );
    // Whole numbers end in .0; past 1e16 the exponent form.
    let r = update("3", "99999999999999999999.877");
    assert!(r.body.contains("<balance>1.0e+20</balance>"), "{}", r.body);
    // A payment's audit row says its numbers the same way (3.5 at 21 %: the gross is the double
    // 4.2349999999999994…, whose shortest text is 4.234999999999999).
    s.signed(
        "payment_create",
        &[
            ("u", "admin"),
            ("user_id", "2"),
            ("p_currency", "USD"),
            ("amount", "3.5"),
        ],
        &["user_id", "p_currency", "amount"],
        "secret",
    );
    assert_eq!(
        s.value("SELECT data2 FROM actions WHERE action LIKE 'payment:%' ORDER BY id DESC LIMIT 1"),
        "3.5 USD | tax: 0.7349999999999994 USD | sent: 4.234999999999999 USD"
    );
}

#[test]
fn a_negative_amount_keeps_its_sign_when_rounded() {
    let s = Server::fixture_f(&[]);
    s.sql("UPDATE users SET balance = -0.004 WHERE id = 2");
    let r = s.signed(
        "user_balance_get",
        &[("username", "alice")],
        &["username"],
        "secret",
    );
    assert_eq!(r.xml(), "<page>\n  <balance>-0.00</balance>\n</page>\n");
    let r = s.signed(
        "user_details_get",
        &[("u", "admin"), ("user_id", "2")],
        &["user_id"],
        "secret",
    );
    assert!(
        r.body.contains("<balance>-0.00 USD</balance>"),
        "{}",
        r.body
    );
}

#[test]
fn json_integers_keep_every_digit() {
    let s = Server::demo();
    let id = "123456789012345678901234567890";
    let hash = sha1_hex(&format!("{id}secret"));
    let body = format!(r#"{{"u":"admin","user_id":{id},"hash":"{hash}"}}"#);
    let r = s.send(
        "POST",
        "/billing/api/user_details_get",
        Some("application/json"),
        body.as_bytes(),
    );
    // Hashed as sent: the hash matches, and no such user.
    assert!(r.body.contains("User was not found"), "{}", r.body);
}

#[test]
fn a_registrations_device_caller_id_follows_the_vendors_rule() {
    for (settings, want) in [
        (
            vec![("Default_device_cid_name", "Front desk")],
            "\"Front desk\"",
        ),
        (
            vec![("Default_device_cid_number", "37060000")],
            "<37060000>",
        ),
        (
            vec![
                ("Default_device_cid_name", "Desk"),
                ("Default_device_cid_number", "370"),
            ],
            "\"Desk\" <370>",
        ),
        (vec![], ""),
    ] {
        let s = Server::fixture_f(&[]);
        for (name, value) in &settings {
            s.sql(&format!(
                "INSERT INTO conflines (name, value, owner_id) VALUES ('{name}', '{value}', 0)"
            ));
        }
        let r = s.signed("user_register", CAROL, REGISTER_HASHED, "secret");
        assert!(r.body.contains("Registration successful"), "{}", r.body);
        let id = field(r.xml(), "device_id").to_string();
        assert_eq!(
            s.value(&format!("SELECT callerid FROM devices WHERE id = {id}")),
            want,
            "{settings:?}"
        );
    }
}
