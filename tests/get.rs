//! user_details_get (docs/README.md): reach per role and every field of the document.

use crate::util::*;

const GET: &str = "user_details_get";

fn get_as(s: &Server, u: &str, key: &str, target: &[(&str, &str)]) -> Resp {
    let mut p = vec![("u", u)];
    p.extend_from_slice(target);
    s.signed(GET, &p, &["user_id", "username"], key)
}

fn userid(r: &Resp) -> String {
    assert_eq!(r.status, 200);
    let x = r.xml();
    match x.split_once("<userid>") {
        Some((_, rest)) => rest.split_once("</userid>").unwrap().0.to_string(),
        None => x.to_string(),
    }
}

const NOT_FOUND: &str = "<error>User was not found</error>\n";

#[test]
fn admin_reaches_everyone() {
    let s = Server::demo();
    for id in ["0", "2", "3", "5", "6", "7", "8", "10", "12", "123"] {
        assert_eq!(
            userid(&get_as(&s, "admin", "secret", &[("user_id", id)])),
            id
        );
    }
    get_as(&s, "admin", "secret", &[("user_id", "999")]).is(NOT_FOUND);
}

#[test]
fn reseller_reaches_itself_and_its_users() {
    let s = Server::demo();
    let k = "reseller1secret";
    assert_eq!(
        userid(&get_as(&s, "reseller1", k, &[("user_id", "2")])),
        "2"
    );
    assert_eq!(
        userid(&get_as(&s, "reseller1", k, &[("user_id", "10")])),
        "10"
    );
    assert_eq!(
        userid(&get_as(&s, "reseller1", k, &[("username", "r1_user2")])),
        "11"
    );
    for other in ["0", "3", "5", "12", "123"] {
        get_as(&s, "reseller1", k, &[("user_id", other)]).is(NOT_FOUND);
    }
    get_as(&s, "reseller1", k, &[("username", "r2_user1")]).is(NOT_FOUND);
}

#[test]
fn users_and_staff_reach_only_themselves() {
    let s = Server::demo();
    assert_eq!(
        userid(&get_as(&s, "user1", "secret", &[("user_id", "5")])),
        "5"
    );
    assert_eq!(
        userid(&get_as(&s, "user1", "secret", &[("username", "user1")])),
        "5"
    );
    for other in ["0", "6", "2"] {
        get_as(&s, "user1", "secret", &[("user_id", other)]).is(NOT_FOUND);
    }
    assert_eq!(
        userid(&get_as(&s, "accountant", "secret", &[("user_id", "7")])),
        "7"
    );
    get_as(&s, "accountant", "secret", &[("user_id", "5")]).is(NOT_FOUND);
    get_as(&s, "manager", "secret", &[("user_id", "5")]).is(NOT_FOUND);
    s.sql("INSERT INTO conflines (name, value, owner_id) VALUES ('Allow_API', '1', 2) ON CONFLICT DO NOTHING;");
    assert_eq!(
        userid(&get_as(
            &s,
            "r1_user1",
            "reseller1secret",
            &[("user_id", "10")]
        )),
        "10"
    );
    get_as(&s, "r1_user1", "reseller1secret", &[("user_id", "11")]).is(NOT_FOUND);
}

#[test]
fn target_by_id_username_or_both() {
    let s = Server::demo();
    assert_eq!(
        userid(&get_as(&s, "admin", "secret", &[("username", "user2")])),
        "6"
    );
    assert_eq!(
        userid(&get_as(
            &s,
            "admin",
            "secret",
            &[("user_id", "6"), ("username", "user2")]
        )),
        "6"
    );
    // Both given, naming different users.
    get_as(
        &s,
        "admin",
        "secret",
        &[("user_id", "5"), ("username", "user2")],
    )
    .is(NOT_FOUND);
    get_as(&s, "admin", "secret", &[("username", "ghost")]).is(NOT_FOUND);
    // Neither given.
    get_as(&s, "admin", "secret", &[]).is(NOT_FOUND);
    get_as(&s, "admin", "secret", &[("user_id", "")]).is(NOT_FOUND);
    // Too large to be an id.
    get_as(
        &s,
        "admin",
        "secret",
        &[("user_id", "99999999999999999999999")],
    )
    .is(NOT_FOUND);
}

#[test]
fn full_document_of_a_system_user_for_the_admin() {
    let s = Server::demo();
    get_as(&s, "admin", "secret", &[("user_id", "5")]).is("<page>
  <pagename>Personal_details</pagename>
  <language>en</language>
  <userid>5</userid>
  <details>
    <main_detail>
      <account>Postpaid</account>
      <balance>12.50 EUR</balance>
      <balance_number>12.5</balance_number>
      <balance_currency>EUR</balance_currency>
      <daily_balance_limit>50.00</daily_balance_limit>
      <credit>100.00</credit>
      <pbx_pool_id>1</pbx_pool_id>
      <hide_non_answered_calls>1</hide_non_answered_calls>
      <blocked>0</blocked>
      <hidden>0</hidden>
    </main_detail>
    <other_details>
      <username>user1</username>
      <first_name>John</first_name>
      <surname>Smith</surname>
      <personalid>LT-4455</personalid>
      <agreement_number>AG-2020-17</agreement_number>
      <agreement_date>2020-05-17</agreement_date>
      <taxation_country>Lithuania</taxation_country>
      <vat_reg_number>LT100001</vat_reg_number>
      <vat_percent>21.0</vat_percent>
      <call_limit>5</call_limit>
      <accounting_number>ACC-0005</accounting_number>
    </other_details>
    <registration>
      <reg_address>Gedimino pr. 1</reg_address>
      <reg_postcode>LT-01100</reg_postcode>
      <reg_city>Vilnius</reg_city>
      <reg_country>Vilniaus</reg_country>
      <reg_state></reg_state>
      <reg_direction>Lithuania</reg_direction>
      <reg_phone>+37052000001</reg_phone>
      <reg_mobile>+37060000001</reg_mobile>
      <reg_fax></reg_fax>
      <reg_email>john.smith@example.com</reg_email>
    </registration>
    <invoices>
      <generate_invoices>1</generate_invoices>
      <simplified_pdf>1</simplified_pdf>
      <simplified_csv>0</simplified_csv>
      <detailed_pdf>1</detailed_pdf>
      <detailed_csv>0</detailed_csv>
      <show_zero_calls>1</show_zero_calls>
    </invoices>
    <warning_balance>
      <active>1</active>
      <send_email_when_balance_drops_lower_than>
        <user>5.00</user>
      </send_email_when_balance_drops_lower_than>
      <warning_email_hour>8</warning_email_hour>
    </warning_balance>
  </details>
</page>
");
}

#[test]
fn the_same_user_asking_for_itself_sees_no_admin_fields() {
    let s = Server::demo();
    let r = get_as(&s, "user1", "secret", &[("user_id", "5")]);
    let x = r.xml();
    assert!(!x.contains("<pbx_pool_id>"), "{x}");
    assert!(!x.contains("<hide_non_answered_calls>"), "{x}");
    assert!(
        x.contains("      <credit>100.00</credit>\n      <blocked>0</blocked>\n"),
        "{x}"
    );
}

#[test]
fn reseller_user_document_with_four_decimals_and_negative_balance() {
    let s = Server::demo();
    get_as(&s, "reseller1", "reseller1secret", &[("user_id", "11")]).is("<page>
  <pagename>Personal_details</pagename>
  <language>en</language>
  <userid>11</userid>
  <details>
    <main_detail>
      <account>Prepaid</account>
      <balance>-7.50 EUR</balance>
      <balance_number>-7.5</balance_number>
      <balance_currency>EUR</balance_currency>
      <daily_balance_limit>0.00</daily_balance_limit>
      <credit>20.00</credit>
      <pbx_pool_id>3</pbx_pool_id>
      <hide_non_answered_calls>0</hide_non_answered_calls>
      <blocked>0</blocked>
      <hidden>1</hidden>
    </main_detail>
    <other_details>
      <username>r1_user2</username>
      <first_name>Pierre</first_name>
      <surname>Martin</surname>
      <personalid></personalid>
      <agreement_number></agreement_number>
      <agreement_date>TODAY</agreement_date>
      <vat_reg_number></vat_reg_number>
      <vat_percent>0.0</vat_percent>
      <call_limit>0</call_limit>
      <accounting_number></accounting_number>
    </other_details>
    <registration>
      <reg_address>2 Rue de Rivoli</reg_address>
      <reg_postcode>75001</reg_postcode>
      <reg_city>Paris</reg_city>
      <reg_country></reg_country>
      <reg_state></reg_state>
      <reg_direction>France</reg_direction>
      <reg_phone></reg_phone>
      <reg_mobile>+33600000005</reg_mobile>
      <reg_fax></reg_fax>
      <reg_email></reg_email>
    </registration>
    <invoices>
      <generate_invoices>0</generate_invoices>
      <simplified_pdf>0</simplified_pdf>
      <simplified_csv>0</simplified_csv>
      <detailed_pdf>0</detailed_pdf>
      <detailed_csv>0</detailed_csv>
      <show_zero_calls>1</show_zero_calls>
    </invoices>
    <warning_balance>
      <active>0</active>
      <send_email_when_balance_drops_lower_than>
        <user>0.00</user>
      </send_email_when_balance_drops_lower_than>
      <warning_email_hour>-1</warning_email_hour>
    </warning_balance>
  </details>
</page>
"
    .replace("TODAY", &s.value("date('now')"))
    .as_str());
}

#[test]
fn no_address_no_registration_and_no_taxation_country() {
    let s = Server::demo();
    let x = get_as(&s, "admin", "secret", &[("user_id", "6")])
        .xml()
        .to_string();
    assert!(!x.contains("<registration>"), "{x}");
    assert!(!x.contains("<taxation_country>"), "{x}");
    assert!(x.contains("<account>Prepaid</account>"));
    assert!(x.contains("<blocked>1</blocked>"));
    assert!(x.contains("<balance_number>3.0</balance_number>"));
    assert!(x.contains(&format!(
        "<agreement_date>{}</agreement_date>",
        s.value("date('now')")
    )));
    // An address id pointing nowhere is no address.
    s.sql("UPDATE users SET address_id = 999 WHERE id = 6;");
    let x = get_as(&s, "admin", "secret", &[("user_id", "6")])
        .xml()
        .to_string();
    assert!(!x.contains("<registration>"), "{x}");
}

#[test]
fn long_country_names_are_cut_to_22_characters() {
    let s = Server::demo();
    let x = get_as(&s, "admin", "secret", &[("user_id", "123")])
        .xml()
        .to_string();
    assert!(
        x.contains("<taxation_country>Central African Republ</taxation_country>"),
        "{x}"
    );
    // The address's direction is not cut.
    assert!(
        x.contains("<reg_direction>Central African Republic</reg_direction>"),
        "{x}"
    );
    s.sql("UPDATE directions SET name = 'Žemaitija–Aukštaitija–Dzūkija' WHERE id = 22;");
    let x = get_as(&s, "admin", "secret", &[("user_id", "123")])
        .xml()
        .to_string();
    assert!(
        x.contains("<taxation_country>Žemaitija–Aukštaitija–</taxation_country>"),
        "{x}"
    );
}

#[test]
fn unlimited_credit_and_escaping() {
    let s = Server::demo();
    let x = get_as(&s, "admin", "secret", &[("user_id", "12")])
        .xml()
        .to_string();
    assert!(x.contains("<credit>Unlimited</credit>"), "{x}");
    let x = get_as(&s, "admin", "secret", &[("user_id", "3")])
        .xml()
        .to_string();
    assert!(x.contains("<credit>1000.00</credit>"), "{x}");
    assert!(
        x.contains("<reg_address>10 Water St &amp; Dock &lt;B&gt;</reg_address>"),
        "{x}"
    );
    assert!(x.contains("<simplified_csv>1</simplified_csv>\n      <detailed_pdf>1</detailed_pdf>\n      <detailed_csv>1</detailed_csv>"), "{x}");
    // A reseller target sees no hide_non_answered_calls even for the admin.
    assert!(
        x.contains("<pbx_pool_id>1</pbx_pool_id>\n      <blocked>0</blocked>"),
        "{x}"
    );
}

#[test]
fn staff_targets_have_no_invoices_or_warning_balance() {
    let s = Server::demo();
    let x = get_as(&s, "admin", "secret", &[("user_id", "7")])
        .xml()
        .to_string();
    assert!(
        !x.contains("<invoices>") && !x.contains("<warning_balance>"),
        "{x}"
    );
    assert!(
        x.ends_with("    </other_details>\n  </details>\n</page>\n"),
        "{x}"
    );
    let x = get_as(&s, "admin", "secret", &[("user_id", "0")])
        .xml()
        .to_string();
    assert!(x.contains("<invoices>"), "{x}");
}

#[test]
fn number_format_and_currency_follow_the_settings() {
    let s = Server::with_sql(
        "INSERT INTO conflines (name, value, owner_id) VALUES ('Nice_Number_Digits', '3', 0);
         UPDATE currencies SET name = 'USD' WHERE id = 1;
         UPDATE users SET balance = 1234.5678, daily_spend_limit = 0.0005, warning_email_balance = 2 WHERE id = 10;",
    );
    let x = get_as(&s, "admin", "secret", &[("user_id", "10")])
        .xml()
        .to_string();
    assert!(x.contains("<balance>1234.568 USD</balance>"), "{x}");
    assert!(
        x.contains("<balance_number>1234.5678</balance_number>"),
        "{x}"
    );
    assert!(
        x.contains("<balance_currency>USD</balance_currency>"),
        "{x}"
    );
    assert!(
        x.contains("<daily_balance_limit>0.001</daily_balance_limit>"),
        "{x}"
    );
    assert!(x.contains("<user>2.000</user>"), "{x}");
    s.sql("UPDATE conflines SET value = '0' WHERE name = 'Nice_Number_Digits';");
    let x = get_as(&s, "admin", "secret", &[("user_id", "10")])
        .xml()
        .to_string();
    assert!(x.contains("<balance>1235 USD</balance>"), "{x}");
}

#[test]
fn forbidden_characters_in_data_still_give_well_formed_xml() {
    let s = Server::demo();
    s.conn()
        .execute(
            "UPDATE users SET first_name = ?1 WHERE id = 5",
            ["a\u{1}b\u{b}c]]>d"],
        )
        .unwrap();
    let x = get_as(&s, "admin", "secret", &[("user_id", "5")])
        .xml()
        .to_string();
    assert!(
        x.contains("<first_name>a\u{FFFD}b\u{FFFD}c]]&gt;d</first_name>"),
        "{x}"
    );
}

#[test]
fn a_change_by_another_connection_is_seen_by_the_next_request() {
    // Callers and settings are kept per read connection while the database is unchanged:
    // a commit by anyone else (here an operator's connection) must show at once.
    let s = Server::demo();
    for _ in 0..3 {
        assert_eq!(
            userid(&get_as(&s, "user1", "secret", &[("user_id", "5")])),
            "5"
        );
    }
    s.sql("UPDATE users SET username = 'renamed1' WHERE id = 5");
    let gone = get_as(&s, "user1", "secret", &[("user_id", "5")]);
    assert!(!gone.xml().contains("<userid>"), "{}", gone.body);
    assert!(gone.xml().contains("<error>"), "{}", gone.body);
    assert_eq!(
        userid(&get_as(&s, "renamed1", "secret", &[("user_id", "5")])),
        "5"
    );
    // Made an admin, it reaches everyone at once.
    s.sql("UPDATE users SET usertype = 'admin' WHERE id = 5");
    assert_eq!(
        userid(&get_as(&s, "renamed1", "secret", &[("user_id", "6")])),
        "6"
    );
    s.sql("UPDATE conflines SET value = 'other' WHERE name = 'API_Secret_Key' AND owner_id = 0");
    get_as(&s, "renamed1", "secret", &[("user_id", "6")]).is(&gate_error("Incorrect hash"));
}

/// Each shown element and the column it shows (users `u`, its address `a`).
const SHOWN: &[(&str, &str)] = &[
    ("pbx_pool_id", "u.pbx_pool_id"),
    ("hide_non_answered_calls", "u.hide_non_answered_calls"),
    ("blocked", "u.blocked"),
    ("hidden", "u.hidden"),
    ("first_name", "u.first_name"),
    ("surname", "u.last_name"),
    ("personalid", "u.clientid"),
    ("agreement_number", "u.agreement_number"),
    ("vat_reg_number", "u.vat_number"),
    ("vat_percent", "u.vat_percent"),
    ("call_limit", "u.call_limit"),
    ("accounting_number", "u.accounting_number"),
    ("generate_invoices", "u.generate_invoice"),
    ("show_zero_calls", "u.invoice_zero_calls"),
    ("active", "u.warning_email_active"),
    ("warning_email_hour", "u.warning_email_hour"),
    ("reg_address", "a.address"),
    ("reg_postcode", "a.postcode"),
    ("reg_city", "a.city"),
    ("reg_country", "a.county"),
    ("reg_state", "a.state"),
    ("reg_phone", "a.phone"),
    ("reg_mobile", "a.mob_phone"),
    ("reg_fax", "a.fax"),
    ("reg_email", "a.email"),
];

#[test]
fn any_stored_type_shows_as_sqlites_text() {
    // The shown columns are read as stored (a text as is, an integer by its digits); a REAL or
    // a BLOB among them sends the row through SQLite's CAST instead. Either way each element
    // holds SQLite's text of its column.
    for sql in [
        "UPDATE users SET blocked = -7, call_limit = 9223372036854775807, hidden = '12',
           first_name = '12' WHERE id = 5;",
        "UPDATE users SET call_limit = 1.5 WHERE id = 5;",
        "UPDATE users SET pbx_pool_id = 1e300, warning_email_hour = 'soon' WHERE id = 5;",
        "UPDATE users SET first_name = x'4a6f3e' WHERE id = 5;",
        "UPDATE addresses SET city = x'4369747921', phone = 42 WHERE id = 1;",
        "UPDATE users SET hide_non_answered_calls = -9223372036854775808, vat_percent = 7
           WHERE id = 5;",
    ] {
        let s = Server::with_sql(sql);
        let x = get_as(&s, "admin", "secret", &[("user_id", "5")])
            .xml()
            .to_string();
        let conn = s.conn();
        for (tag, column) in SHOWN {
            let db: Option<String> = conn
                .query_row(
                    &format!(
                        "SELECT CAST({column} AS TEXT) FROM users u
                         LEFT JOIN addresses a ON a.id = u.address_id WHERE u.id = 5"
                    ),
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            let want = db
                .unwrap_or_default()
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            assert!(
                x.contains(&format!("<{tag}>{want}</{tag}>")),
                "{tag} should be {want:?} after {sql}\n{x}"
            );
        }
    }
}

/// The text of `<tag>` in a document.
fn element(x: &str, tag: &str) -> String {
    let open = format!("<{tag}>");
    match x.split_once(&open) {
        Some((_, rest)) => rest.split_once(&format!("</{tag}>")).unwrap().0.to_string(),
        None => panic!("no {tag} in {x}"),
    }
}

#[test]
fn rows_kept_between_requests_never_outlive_a_commit() {
    // A row asked for again is answered from the rows kept in memory while the database is
    // unchanged: any commit, by this server's writer or by anyone else, shows at once.
    let s = Server::demo();
    let first = |s: &Server, key: &[(&str, &str)]| {
        element(get_as(s, "admin", "secret", key).xml(), "first_name")
    };
    let by_id: &[(&str, &str)] = &[("user_id", "5")];
    let by_name: &[(&str, &str)] = &[("username", "user1")];
    let by_both: &[(&str, &str)] = &[("user_id", "5"), ("username", "user1")];
    for key in [by_id, by_name, by_both] {
        assert_eq!(first(&s, key), "John");
        assert_eq!(first(&s, key), "John");
    }
    // Another connection (an operator's SQL).
    s.sql("UPDATE users SET first_name = 'Operator' WHERE id = 5");
    for key in [by_id, by_name, by_both] {
        assert_eq!(first(&s, key), "Operator");
    }
    // This server's own writer.
    let p = [("u", "admin"), ("user_id", "5"), ("u23", "Writer")];
    let hashed = ["user_id", "u23"];
    let r = s.signed("user_details_update", &p, &hashed, "secret");
    assert!(r.xml().contains("User was updated"), "{}", r.body);
    for key in [by_id, by_name, by_both] {
        assert_eq!(first(&s, key), "Writer");
    }
    // A renamed user is not found by its old name, even though that row was kept.
    s.sql("UPDATE users SET username = 'renamed' WHERE id = 5");
    get_as(&s, "admin", "secret", by_name).is(NOT_FOUND);
    get_as(&s, "admin", "secret", by_both).is(NOT_FOUND);
    assert_eq!(first(&s, &[("username", "renamed")]), "Writer");
}

#[test]
fn reads_under_load_never_show_a_state_older_than_a_finished_commit() {
    // Workers keep a read transaction between requests while the WAL index shows no commit.
    // Pipelined keep-alive requests keep the workers busy (so they hold), while another
    // connection commits a rising value: no answer may be older than a commit that had
    // already returned when its request was sent, and no connection sees values go back.
    use std::io::{BufRead, BufReader, Read, Write};
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    let s = Server::demo();
    let hash = sign(&[("user_id", "5")], &["user_id"], "secret");
    let request = format!(
        "GET /billing/api/user_details_get?u=admin&user_id=5&hash={hash} HTTP/1.1\r\n\
         Host: 127.0.0.1\r\n\r\n"
    );
    let batch = request.repeat(4);
    let acked = AtomicU64::new(0);
    let done = AtomicBool::new(false);
    let progress = AtomicU64::new(0);
    let value = |body: &str| -> u64 {
        match element(body, "first_name").as_str() {
            "John" => 0,
            v => v.trim_start_matches('v').parse().unwrap(),
        }
    };
    let answers = std::thread::scope(|scope| {
        let readers: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    let stream = std::net::TcpStream::connect(&s.addr).unwrap();
                    stream
                        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
                        .unwrap();
                    let mut out = stream.try_clone().unwrap();
                    let mut input = BufReader::new(stream);
                    let (mut seen, mut answers) = (0u64, 0u32);
                    while !done.load(Ordering::SeqCst) && answers < 40_000 {
                        let floor = acked.load(Ordering::SeqCst);
                        out.write_all(batch.as_bytes()).unwrap();
                        for _ in 0..4 {
                            let mut length = 0;
                            loop {
                                let mut line = String::new();
                                input.read_line(&mut line).unwrap();
                                if line == "\r\n" {
                                    break;
                                }
                                if let Some((k, v)) = line.split_once(':')
                                    && k.eq_ignore_ascii_case("content-length")
                                {
                                    length = v.trim().parse().unwrap();
                                }
                            }
                            let mut body = vec![0; length];
                            input.read_exact(&mut body).unwrap();
                            let v = value(&String::from_utf8(body).unwrap());
                            assert!(v >= floor, "v{v} answered after v{floor} was committed");
                            assert!(v >= seen, "v{v} after v{seen} on one connection");
                            seen = v;
                            answers += 1;
                            progress.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                    answers
                })
            })
            .collect();
        let conn = s.conn();
        for n in 1..=200u64 {
            conn.execute(
                "UPDATE users SET first_name = ?1 WHERE id = 5",
                [format!("v{n}")],
            )
            .unwrap();
            acked.store(n, Ordering::SeqCst);
            // Several batches between two commits (bounded: a reader that failed has ended).
            let (from, start) = (progress.load(Ordering::SeqCst), std::time::Instant::now());
            while progress.load(Ordering::SeqCst) < from + 8
                && start.elapsed() < std::time::Duration::from_secs(2)
                && !readers.iter().any(|r| r.is_finished())
            {
                std::thread::yield_now();
            }
            if readers.iter().any(|r| r.is_finished()) {
                break;
            }
        }
        done.store(true, Ordering::SeqCst);
        readers.into_iter().map(|r| r.join().unwrap()).sum::<u32>()
    });
    assert!(answers >= 1600, "{answers} answers");
    let last = format!("v{}", acked.load(Ordering::SeqCst));
    assert_eq!(
        element(
            get_as(&s, "admin", "secret", &[("user_id", "5")]).xml(),
            "first_name"
        ),
        last
    );
    // Idle workers hold no snapshot: a checkpoint can restart the log (else it would grow
    // with every write). Workers end what they hold as they go idle, so soon, not at once.
    let conn = s.conn();
    conn.busy_timeout(std::time::Duration::ZERO).unwrap();
    let start = std::time::Instant::now();
    loop {
        let busy: i64 = conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
            .unwrap();
        if busy == 0 {
            break;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(5),
            "the log stays held"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(
        std::fs::metadata(format!("{}-wal", s.db.display()))
            .unwrap()
            .len(),
        0
    );
}
