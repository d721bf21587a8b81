//! payment_create (docs/accounts.md) on fixture F: every worked example, bad input that writes
//! nothing, and money that adds up exactly under 16 concurrent clients.

use crate::util::*;
use std::sync::Arc;

const HASHED: &[&str] = &[
    "user_id",
    "p_currency",
    "paymenttype",
    "tax_in_amount",
    "amount",
    "transaction",
    "payer_email",
];

fn pay(s: &Server, u: &str, key: &str, params: &[(&str, &str)]) -> Resp {
    let mut p = vec![("u", u)];
    p.extend_from_slice(params);
    s.signed("payment_create", &p, HASHED, key)
}

fn answer(confirmed: &str, cur: &str, id: i64, tax: &str, amount: &str, gross: &str) -> String {
    format!(
        "<page>\n  <response>\n    <status>ok</status>\n    <confirmed>{confirmed}</confirmed>\n    <payment currency=\"{cur}\">\n      <payment_id>{id}</payment_id>\n      <tax>{tax}</tax>\n      <amount>{amount}</amount>\n      <gross>{gross}</gross>\n    </payment>\n  </response>\n</page>\n"
    )
}

#[test]
fn payment_create_examples() {
    let s = Server::fixture_f(&[]);
    // 1. The vendor's own test vector.
    let r = s.post(
        "payment_create",
        &[
            ("u", "admin"),
            ("user_id", "2"),
            ("p_currency", "EUR"),
            ("amount", "100"),
            ("hash", "7b26759389e87c590ff88f733f6cc7fe4c18df73"),
        ],
    );
    r.is(&answer("Yes", "EUR", 2, "21.00", "100.00", "121.00"));
    assert_eq!(
        s.value("SELECT balance FROM users WHERE id = 2"),
        "123.61111111111111"
    );
    assert_eq!(
        s.value("SELECT paymenttype || '|' || currency || '|' || completed || '|' || pending_reason || '|' || amount || '|' || gross || '|' || (shipped_at = date_added) FROM payments WHERE id = 2"),
        "from_api : |EUR|1|completed|100.0|121.0|1"
    );
    assert_eq!(
        s.value("SELECT action || '|' || data || '|' || user_id || '|' || target_id FROM actions WHERE action LIKE 'payment:%'"),
        "payment: from_api : |payment id: 2|0|2"
    );
    // 2. Gross given, every hashed parameter sent.
    let r = s.post(
        "payment_create",
        &[
            ("u", "admin"),
            ("user_id", "2"),
            ("p_currency", "EUR"),
            ("paymenttype", "Card"),
            ("tax_in_amount", "1"),
            ("amount", "121"),
            ("transaction", "T-1001"),
            ("payer_email", "payer@example.com"),
            ("hash", "ce4b55c7e421923bf5b36b8edaec4ed01459d2ab"),
        ],
    );
    r.is(&answer("Yes", "EUR", 3, "21.00", "100.00", "121.00"));
    assert_eq!(
        s.value("SELECT paymenttype || '|' || transaction_id || '|' || payer_email FROM payments WHERE id = 3"),
        "from_api : Card|T-1001|payer@example.com"
    );
    // laravel-kolmisoft's hash (three parameters only) is refused.
    let r = s.post(
        "payment_create",
        &[
            ("u", "admin"),
            ("user_id", "2"),
            ("p_currency", "EUR"),
            ("paymenttype", "Card"),
            ("tax_in_amount", "1"),
            ("amount", "121"),
            ("transaction", "T-1001"),
            ("payer_email", "payer@example.com"),
            ("hash", "a71090019330d3829f606157a0df3e8744c3a97d"),
        ],
    );
    r.is(&gate_error("Incorrect hash"));
    // 3. Unknown currency.
    s.post(
        "payment_create",
        &[
            ("u", "admin"),
            ("user_id", "2"),
            ("p_currency", "XYZ"),
            ("amount", "50"),
            ("hash", "604af2611e6022c6d948edc7118bbd0d495c58a4"),
        ],
    )
    .is(&page_error("No currency", &[]));
    // 5. The reseller pays for its user (no tax); the admin may not.
    let r = s.post(
        "payment_create",
        &[
            ("u", "res"),
            ("user_id", "5"),
            ("p_currency", "USD"),
            ("amount", "10"),
            ("hash", "8ff5c3277877917f4e114b657b06dd7433e1730c"),
        ],
    );
    r.is(&answer("Yes", "USD", 4, "0.00", "10.00", "10.00"));
    assert_eq!(s.value("SELECT balance FROM users WHERE id = 5"), "13.0");
    s.post(
        "payment_create",
        &[
            ("u", "admin"),
            ("user_id", "5"),
            ("p_currency", "USD"),
            ("amount", "10"),
            ("hash", "c58908f56891f6ace7477795f89afd5967746aa0"),
        ],
    )
    .is(&page_error("Access Denied", &[]));
    // An unknown caller: <status><error>Bad login</error></status>, no gate runs.
    s.post(
        "payment_create",
        &[
            ("u", "nobody"),
            ("user_id", "2"),
            ("p_currency", "USD"),
            ("amount", "1"),
        ],
    )
    .is(&gate_error("Bad login"));
    // 4. Waiting for confirmation: the balance stays.
    s.sql("UPDATE conflines SET value = '1' WHERE name = 'API_payment_confirmation';");
    let before = s.value("SELECT balance FROM users WHERE id = 2");
    let r = s.post(
        "payment_create",
        &[
            ("u", "admin"),
            ("user_id", "2"),
            ("p_currency", "EUR"),
            ("amount", "100"),
            ("hash", "7b26759389e87c590ff88f733f6cc7fe4c18df73"),
        ],
    );
    r.is(&answer("No", "EUR", 5, "21.00", "100.00", "121.00"));
    assert_eq!(s.value("SELECT balance FROM users WHERE id = 2"), before);
    assert_eq!(
        s.value("SELECT completed || '|' || pending_reason || '|' || COALESCE(shipped_at, 'NULL') FROM payments WHERE id = 5"),
        "0|Waiting for confirmation|NULL"
    );
    // Payments off.
    s.sql("UPDATE conflines SET value = '0' WHERE name = 'API_Allow_payments_ower_API';");
    s.post(
        "payment_create",
        &[
            ("u", "admin"),
            ("user_id", "2"),
            ("p_currency", "EUR"),
            ("amount", "100"),
            ("hash", "7b26759389e87c590ff88f733f6cc7fe4c18df73"),
        ],
    )
    .is(&page_error("Payments not allow from api", &[]));
}

#[test]
fn bad_payments_answer_their_error_and_write_nothing() {
    let s = Server::fixture_f(&[]);
    let count = || {
        s.value("SELECT (SELECT COUNT(*) FROM payments) || '/' || (SELECT SUM(balance) FROM users) || '/' || (SELECT COUNT(*) FROM actions)")
    };
    let before = count();
    let cases: &[(&[(&str, &str)], String)] = &[
        (
            &[("user_id", "2"), ("p_currency", "EUR")],
            page_error("Payment was not saved", &["Amount must be a number"]),
        ),
        (
            &[("user_id", "2"), ("p_currency", "EUR"), ("amount", "abc")],
            page_error("Payment was not saved", &["Amount must be a number"]),
        ),
        (
            &[("user_id", "2"), ("p_currency", "EUR"), ("amount", "1e300")],
            page_error("Payment was not saved", &["Amount must be a number"]),
        ),
        (
            &[
                ("user_id", "2"),
                ("p_currency", "EUR"),
                (
                    "amount",
                    "99999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999.0",
                ),
            ],
            page_error("Payment was not saved", &["Amount must be a number"]),
        ),
        (
            &[("user_id", "2"), ("p_currency", ""), ("amount", "5")],
            page_error("No currency", &[]),
        ),
        (
            &[("user_id", "2"), ("amount", "5")],
            page_error("No currency", &[]),
        ),
        (
            &[("user_id", "99"), ("p_currency", "EUR"), ("amount", "5")],
            page_error("Access Denied", &[]),
        ),
        (
            &[("p_currency", "EUR"), ("amount", "5")],
            page_error("Access Denied", &[]),
        ),
    ];
    for (params, expected) in cases {
        pay(&s, "admin", "secret", params).is(expected);
    }
    // A user_id that is not all digits is left out of the hash, and reaches nobody.
    s.post(
        "payment_create",
        &[
            ("u", "admin"),
            ("user_id", "2x"),
            ("p_currency", "EUR"),
            ("amount", "5"),
            ("hash", &sha1_hex("EUR5secret")),
        ],
    )
    .is(&page_error("Access Denied", &[]));
    // A plain user pays for nobody; a currency with no rate does not exist.
    pay(
        &s,
        "alice",
        "secret",
        &[("user_id", "2"), ("p_currency", "EUR"), ("amount", "5")],
    )
    .is(&page_error("Access Denied", &[]));
    s.sql("INSERT INTO currencies (id, name, exchange_rate) VALUES (9, 'ZRO', 0);");
    pay(
        &s,
        "admin",
        "secret",
        &[("user_id", "2"), ("p_currency", "zro"), ("amount", "5")],
    )
    .is(&page_error("No currency", &[]));
    // Currency codes match in any case; the stored code is echoed.
    let r = pay(
        &s,
        "admin",
        "secret",
        &[("user_id", "3"), ("p_currency", "gbp"), ("amount", "8")],
    );
    assert!(r.xml().contains("<payment currency=\"GBP\">"), "{}", r.body);
    assert_eq!(s.value("SELECT balance FROM users WHERE id = 3"), "110.0");
    s.sql("DELETE FROM payments WHERE currency = 'GBP'; DELETE FROM actions WHERE action LIKE 'payment:%'; UPDATE users SET balance = 100.0 WHERE id = 3;");
    assert_eq!(count(), before);
}

#[test]
fn sixteen_clients_paying_at_once_add_up_to_the_cent() {
    let s = Server::fixture_f(&[]);
    let addr = Arc::new(s.addr.clone());
    // The admin pays for the reseller (no tax row: net = gross), 16 clients × 500 payments of
    // amounts with cents; the balance must equal the start plus every acknowledged payment.
    let threads: Vec<_> = (0..16)
        .map(|t| {
            let addr = Arc::clone(&addr);
            std::thread::spawn(move || {
                let mut sum_cents: i64 = 0;
                let mut acked = 0;
                for i in 0..500 {
                    let cents = 1 + ((t * 500 + i) * 37) % 9999;
                    let amount = format!("{}.{:02}", cents / 100, cents % 100);
                    let params = [
                        ("u", "admin"),
                        ("user_id", "3"),
                        ("p_currency", "USD"),
                        ("amount", amount.as_str()),
                    ];
                    let hash = sign(&params, HASHED, "secret");
                    let mut all = params.to_vec();
                    all.push(("hash", &hash));
                    let body = encode(&all);
                    let r = send_to(
                        &addr,
                        "POST",
                        "/billing/api/payment_create",
                        Some("application/x-www-form-urlencoded"),
                        body.as_bytes(),
                    );
                    if r.body.contains("<status>ok</status>") {
                        sum_cents += cents;
                        acked += 1;
                    }
                }
                (sum_cents, acked)
            })
        })
        .collect();
    let (mut cents, mut acked) = (0i64, 0i64);
    for t in threads {
        let (c, a) = t.join().unwrap();
        cents += c;
        acked += a;
    }
    assert_eq!(acked, 16 * 500);
    let balance: f64 = s
        .value("SELECT balance FROM users WHERE id = 3")
        .parse()
        .unwrap();
    let expected = 100.0 + cents as f64 / 100.0;
    assert!(
        (balance - expected).abs() < 0.005,
        "balance {balance}, expected {expected}"
    );
    assert_eq!(
        s.value("SELECT COUNT(*) FROM payments WHERE user_id = 3"),
        acked.to_string()
    );
}

#[test]
fn the_cli_lists_payments_and_explains_a_payments_hash() {
    let s = Server::fixture_f(&[]);
    pay(
        &s,
        "admin",
        "secret",
        &[
            ("user_id", "2"),
            ("p_currency", "EUR"),
            ("amount", "100"),
            ("transaction", "T-9"),
        ],
    );
    let db = s.db.to_str().unwrap();
    let (ok, out, err) = morbox(&["payments", "list", "--db", db, "--user", "alice", "--json"]);
    assert!(ok, "{err}");
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["transaction_id"], "T-9");
    assert_eq!(rows[0]["amount"], "100.0");
    assert_eq!(rows[0]["gross"], "121.0");
    assert_eq!(rows[1]["id"], "1");
    // `morbox hash` knows the call's order: amount before p_currency is a wrong order.
    let wrong = sha1_hex("2100EURsecret");
    let (ok, out, _) = morbox(&[
        "hash",
        "payment_create",
        "--db",
        db,
        "u=admin",
        "user_id=2",
        "p_currency=EUR",
        "amount=100",
        &format!("hash={wrong}"),
    ]);
    assert!(!ok);
    assert!(
        out.contains("string hashed: 2EUR100<key of the system"),
        "{out}"
    );
    assert!(
        out.contains("wrong order (user_id, amount, p_currency)"),
        "{out}"
    );
    // And for the balance call, the key of the target's scope (bob: reseller 3).
    let (ok, out, _) = morbox(&[
        "hash",
        "balance",
        "--db",
        db,
        "u=admin",
        "username=bob",
        &format!("hash={}", sha1_hex("bobsecret")),
    ]);
    assert!(!ok);
    assert!(out.contains("<key of reseller 3"), "{out}");
    assert!(out.contains("made with the key of the system"), "{out}");
}
