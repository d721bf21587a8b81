//! The balance calls (docs/accounts.md) on fixture F: user_balance_get, user_simple_balance_get
//! and user_balance_update, every worked example, over a real socket.

use crate::util::*;

fn get(s: &Server, target: &str) -> Resp {
    s.send("GET", target, None, b"")
}

#[test]
fn user_balance_get_examples() {
    let s = Server::fixture_f(&[]);
    // 1. GET works although Allow_GET_API is 0.
    get(
        &s,
        "/billing/api/user_balance_get?username=alice&hash=be2ce0751d4a56709c4b7a4ba81acc6bf754465e",
    )
    .is("<page>\n  <balance>12.50</balance>\n</page>\n");
    // 2. Converted: 12.5 × 0.9.
    get(
        &s,
        "/billing/api/user_balance_get?username=alice&currency=EUR&hash=5bd55b90132476a00360c4bbad28b005084f328e",
    )
    .is("<page>\n  <balance>11.25</balance>\n</page>\n");
    // 3. The user's own currency, named; USER gives the same balance without the name.
    get(
        &s,
        "/billing/api/user_balance_get?username=alice&user_currency=1&hash=be2ce0751d4a56709c4b7a4ba81acc6bf754465e",
    )
    .is("<page>\n  <balance>11.25</balance>\n  <currency>EUR</currency>\n</page>\n");
    get(
        &s,
        "/billing/api/user_balance_get?username=alice&currency=USER&hash=2c58b4ad9032d81c75f8856705537b1099fbaa1d",
    )
    .is("<page>\n  <balance>11.25</balance>\n</page>\n");
    // 4. bob belongs to reseller 3: its key signs, the system's does not; `u` is ignored.
    get(
        &s,
        "/billing/api/balance?u=res&username=bob&hash=99dd242169e9a48a19462b9d6c75c99a4f4e2e8b",
    )
    .is("<page>\n  <balance>3.00</balance>\n</page>\n");
    get(
        &s,
        "/billing/api/balance?u=res&username=bob&hash=bb20f63bb59e0455a4c09b19bd12540161ff7726",
    )
    .is(&gate_error("Incorrect hash"));
    // 5. Nobody: no hash needed.
    get(&s, "/billing/api/user_balance_get?username=nobody")
        .is(&page_error("User was not found", &[]));
    // An unknown currency: the default one.
    let r = s.post(
        "user_balance_get",
        &[
            ("username", "alice"),
            ("currency", "XYZ"),
            ("hash", &sha1_hex("aliceXYZsecret")),
        ],
    );
    r.is("<page>\n  <balance>12.50</balance>\n</page>\n");
    // The setting off: Feature disabled, for a known and an unknown user alike.
    s.sql("UPDATE conflines SET value = '0' WHERE name = 'Devices_Check_Ballance';");
    get(
        &s,
        "/billing/api/user_balance_get?username=alice&hash=be2ce0751d4a56709c4b7a4ba81acc6bf754465e",
    )
    .is(&page_error("Feature disabled", &[]));
    get(&s, "/billing/api/user_balance_get?username=nobody")
        .is(&page_error("Feature disabled", &[]));
}

#[test]
fn user_simple_balance_get_examples() {
    let s = Server::fixture_f(&[]);
    let text = |r: Resp| {
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
        assert_eq!(r.header("content-disposition"), None);
        r.body
    };
    // 1. Plain text; any hash (or none) is ignored.
    assert_eq!(
        text(get(
            &s,
            "/billing/api/user_simple_balance_get?id=a1b2c3d4e5"
        )),
        "12.50"
    );
    assert_eq!(
        text(get(
            &s,
            "/billing/api/user_simple_balance_get?id=a1b2c3d4e5&hash=e52ad0ff9325836ffc136b0aeb0a38a3f6a09d3c"
        )),
        "12.50"
    );
    assert_eq!(
        text(get(
            &s,
            "/billing/api/user_simple_balance_get?id=a1b2c3d4e5&hash=nonsense"
        )),
        "12.50"
    );
    // 2. The id as the last path segment, converted.
    assert_eq!(
        text(get(
            &s,
            "/billing/api/simple_balance/a1b2c3d4e5?currency=GBP"
        )),
        "10.00"
    );
    // A query id wins over the path's.
    assert_eq!(
        text(get(&s, "/api/simple_balance/zzz?id=b0b0b0b0b0")),
        "3.00"
    );
    // USER is not special here: the default currency.
    assert_eq!(
        text(get(
            &s,
            "/billing/api/simple_balance?id=a1b2c3d4e5&currency=USER"
        )),
        "12.50"
    );
    // 3. Unknown, empty or missing id.
    for target in [
        "/billing/api/simple_balance?id=zzz",
        "/billing/api/simple_balance?id=",
        "/billing/api/simple_balance",
    ] {
        assert_eq!(text(get(&s, target)), "User was not found", "{target}");
    }
    // The API off in the user's scope: the XML gate error.
    s.sql("UPDATE conflines SET value = '0' WHERE name = 'Allow_API' AND owner_id = 0;");
    let r = get(&s, "/billing/api/simple_balance?id=a1b2c3d4e5");
    r.is(&gate_error("API Requests are disabled"));
    s.sql("UPDATE conflines SET value = '1' WHERE name = 'Allow_API' AND owner_id = 0;");
    // 4. The setting off.
    s.sql("UPDATE conflines SET value = '0' WHERE name = 'Devices_Check_Ballance';");
    assert_eq!(
        text(get(
            &s,
            "/billing/api/user_simple_balance_get?id=a1b2c3d4e5"
        )),
        "Feature disabled"
    );
    assert_eq!(
        text(get(&s, "/billing/api/user_simple_balance_get?id=zzz")),
        "Feature disabled"
    );
}

const UPDATED_ALICE: &str = "<page>\n  <page>\n    <status>User balance updated</status>\n    <user>\n      <username>alice</username>\n      <id>2</id>\n      <balance>20.0</balance>\n    </user>\n  </page>\n</page>\n";

#[test]
fn user_balance_update_examples() {
    let s = Server::fixture_f(&[]);
    // 1. 12.5 + 7.5.
    s.post(
        "user_balance_update",
        &[
            ("u", "admin"),
            ("user_id", "2"),
            ("balance", "7.5"),
            ("hash", "6b98b32efbbc271a8ed212e40578d0e1a9c364de"),
        ],
    )
    .is(UPDATED_ALICE);
    assert_eq!(s.value("SELECT balance FROM users WHERE id = 2"), "20.0");
    assert_eq!(
        s.value("SELECT data || ' -> ' || data2 || ' by ' || user_id || ' on ' || target_id FROM actions WHERE action = 'User balance changed from API'"),
        "12.5 -> 20.0 by 0 on 2"
    );
    // 2. alice is not the reseller's.
    s.post(
        "user_balance_update",
        &[
            ("u", "res"),
            ("user_id", "2"),
            ("balance", "10"),
            ("hash", "206ac8d8ad5ac7af91814b222a0b50910f9cb8ed"),
        ],
    )
    .is(&page_error("User was not found", &[]));
    // 3. Letters: not hashed, and not a number.
    s.post(
        "user_balance_update",
        &[
            ("u", "admin"),
            ("user_id", "2"),
            ("balance", "abc"),
            ("hash", "38282ca5e65e63746498ef5b39a2fe71c6448df4"),
        ],
    )
    .is(&page_error("User balance not updated", &[]));
    assert_eq!(s.value("SELECT balance FROM users WHERE id = 2"), "20.0");
    // 4. An unknown caller: no gate runs.
    s.post(
        "user_balance_update",
        &[
            ("u", "nobody"),
            ("user_id", "2"),
            ("balance", "1"),
            ("hash", "x"),
        ],
    )
    .is(&page_error("Bad login", &[]));
    // The reseller changes its own user's balance, with its own key; a negative delta.
    let r = s.post(
        "user_balance_update",
        &[
            ("u", "res"),
            ("user_id", "5"),
            ("balance", "-1.25"),
            ("hash", &sha1_hex("5-1.25rsecret")),
        ],
    );
    assert!(r.xml().contains("<balance>1.75</balance>"), "{}", r.body);
    // The admin owns itself (the vendor's test does this).
    let r = s.post(
        "user_balance_update",
        &[
            ("u", "admin"),
            ("user_id", "0"),
            ("balance", "5"),
            ("hash", &sha1_hex("05secret")),
        ],
    );
    assert!(r.xml().contains("<balance>5.0</balance>"), "{}", r.body);
    // Not owned, missing or not digits: User was not found; a missing balance is refused.
    for (id, bal) in [("5", "1"), ("99", "1"), ("2x", "1")] {
        let hash = sha1_hex(&format!("{}{bal}secret", if id == "2x" { "" } else { id }));
        s.post(
            "user_balance_update",
            &[
                ("u", "admin"),
                ("user_id", id),
                ("balance", bal),
                ("hash", &hash),
            ],
        )
        .is(&page_error("User was not found", &[]));
    }
    s.post(
        "user_balance_update",
        &[
            ("u", "admin"),
            ("user_id", "2"),
            ("hash", &sha1_hex("2secret")),
        ],
    )
    .is(&page_error("User balance not updated", &[]));
    // The alias; the wiki's own hash vector.
    assert_eq!(
        sha1_hex("123100456789"),
        "b1bef44691c237b574263e09b2838ad1e658e507"
    );
    let r = s.post(
        "user_balance_change",
        &[
            ("u", "admin"),
            ("user_id", "2"),
            ("balance", "+0.5"),
            ("hash", &sha1_hex("2+0.5secret")),
        ],
    );
    assert!(r.xml().contains("<balance>20.5</balance>"), "{}", r.body);
}

#[test]
fn a_balance_update_in_the_callers_currency_is_converted() {
    let s = Server::fixture_f(&[]);
    // The reseller keeps EUR: its 9 EUR are 10 USD on bob's balance (3 + 10 = 13), and the
    // answer shows the result in EUR (13 × 0.9).
    s.sql("UPDATE users SET currency_id = 2 WHERE id = 3;");
    let r = s.post(
        "user_balance_update",
        &[
            ("u", "res"),
            ("user_id", "5"),
            ("balance", "9"),
            ("hash", &sha1_hex("59rsecret")),
        ],
    );
    // The REAL text of 13 × 0.9 in doubles, as the vendor's Ruby prints it.
    assert!(
        r.xml().contains("<balance>11.700000000000001</balance>"),
        "{}",
        r.body
    );
    assert_eq!(s.value("SELECT balance FROM users WHERE id = 5"), "13.0");
}

#[test]
fn a_uniquehash_never_shows_in_the_journal() {
    let s = Server::fixture_f(&["--test-endpoints"]);
    assert_eq!(
        get(&s, "/billing/api/simple_balance/a1b2c3d4e5").body,
        "12.50"
    );
    assert_eq!(
        get(&s, "/billing/api/simple_balance?id=a1b2c3d4e5").body,
        "12.50"
    );
    s.post("users_get", &[("u", "res"), ("uniquehash", "r3s3ll3r00")]);
    let journal = get(&s, "/_morbox/requests").body;
    for secret in ["a1b2c3d4e5", "r3s3ll3r00"] {
        assert!(!journal.contains(secret), "{secret} in {journal}");
    }
    assert!(
        journal.contains("/billing/api/simple_balance/***"),
        "{journal}"
    );
}

#[test]
fn a_new_exchange_rate_shows_on_the_next_request() {
    // Currencies are kept per read connection while the database is unchanged: a rate (or a
    // code) changed by another connection must show at once.
    let s = Server::fixture_f(&[]);
    let eur = "/billing/api/user_balance_get?username=alice&currency=EUR&hash=5bd55b90132476a00360c4bbad28b005084f328e";
    for _ in 0..3 {
        get(&s, eur).is("<page>\n  <balance>11.25</balance>\n</page>\n");
    }
    s.sql("UPDATE currencies SET exchange_rate = exchange_rate * 2 WHERE name = 'EUR'");
    get(&s, eur).is("<page>\n  <balance>22.50</balance>\n</page>\n");
    // Renamed away, EUR is unknown: the default currency.
    s.sql("UPDATE currencies SET name = 'EUX' WHERE name = 'EUR'");
    get(&s, eur).is("<page>\n  <balance>12.50</balance>\n</page>\n");
}
