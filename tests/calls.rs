//! user_calls_get (docs/calls.md) on fixture F as calls.md extends it: every worked example of
//! §2.8 with the spec's own hashes, whole rows compared element by element.

use crate::util::*;
use std::io::{Read, Write};
use std::time::Duration;

const HASHED: &[&str] = &[
    "user_id",
    "period_start",
    "period_end",
    "direction",
    "calltype",
    "device",
    "s_user",
    "s_call_type",
    "s_device",
    "s_provider",
    "s_hgc",
    "s_did",
    "s_destination",
    "order_by",
    "order_desc",
    "only_did",
    "s_uniqueid",
    "s_callback_uniqueid",
    "originator_codec_name",
    "terminator_codec_name",
];

/// The `<call>` elements of an answer, each as (element, text) pairs in order.
fn rows(body: &str) -> Vec<Vec<(String, String)>> {
    let mut out = Vec::new();
    for part in body.split("<call>").skip(1) {
        let inner = part.split("</call>").next().unwrap();
        let mut row = Vec::new();
        for line in inner.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let name = &line[1..line.find('>').unwrap()];
            let text = &line[name.len() + 2..line.len() - name.len() - 3];
            row.push((name.to_string(), unescape(text)));
        }
        out.push(row);
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

fn row(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

const MARCH_1: &str = "1709251200";
const MARCH_1_END: &str = "1709337599";
const MARCH_2_END: &str = "1709423999";

fn call_101_admin() -> Vec<(String, String)> {
    row(&[
        ("calldate2", "2024-03-01 09:15:00"),
        ("timezone", "GMT +00:00"),
        ("clid", "\"Alice\" <1001>"),
        ("destination", "Lithuania Lithuania mobile"),
        ("did", ""),
        ("did_inc_price", "0.0"),
        ("did_price", "0.0"),
        ("did_prov_price", "0.0"),
        ("dispod", "ANSWERED(16)"),
        ("dst", "37060012345"),
        ("nice_billsec", "62"),
        ("nice_reseller", " "),
        ("prefix", "3706"),
        ("profit", "0.07"),
        ("provider_name", "Carrier A"),
        ("provider_price", "0.05"),
        ("provider_rate", "0.05"),
        ("reseller_price", "0.0"),
        ("reseller_rate", "0.0"),
        ("server_id", "1"),
        ("src", "1001"),
        ("user", "Alice Smith"),
        ("user_id", "2"),
        ("user_price", "0.12"),
        ("user_rate", "0.12"),
        ("uniqueid", "1709284500.101"),
    ])
}

fn call_102_admin() -> Vec<(String, String)> {
    row(&[
        ("calldate2", "2024-03-01 14:02:10"),
        ("timezone", "GMT +00:00"),
        ("clid", "\"Alice\" <1001>"),
        ("destination", "Albania Albania proper"),
        ("did", ""),
        ("did_inc_price", "0.0"),
        ("did_price", "0.0"),
        ("did_prov_price", "0.0"),
        ("dispod", "NO ANSWER(19)"),
        ("dst", "35541234567"),
        ("nice_billsec", "0"),
        ("nice_reseller", " "),
        ("prefix", "355"),
        ("profit", "0.00"),
        ("provider_name", "Carrier A"),
        ("provider_price", "0.0"),
        ("provider_rate", "0.1"),
        ("reseller_price", "0.0"),
        ("reseller_rate", "0.0"),
        ("server_id", "1"),
        ("src", "1001"),
        ("user", "Alice Smith"),
        ("user_id", "2"),
        ("user_price", "0.0"),
        ("user_rate", "0.2"),
        ("uniqueid", "1709301730.102"),
    ])
}

/// The answer's head up to `<calls>`, for the given caller, count and filters shown.
fn head(
    userid: &str,
    username: &str,
    total: usize,
    from: &str,
    till: &str,
    show: &[(&str, &str)],
) -> String {
    let mut s = format!(
        "<page>\n  <pagename>Calls</pagename>\n  <language>en</language>\n  <error_msg></error_msg>\n  \
         <userid>{userid}</userid>\n  <username>{username}</username>\n  <total_calls>{total}</total_calls>\n  \
         <currency>USD</currency>\n  <calls_stat>\n    <period>\n      <period_start>{from}</period_start>\n      \
         <period_end>{till}</period_end>\n    </period>\n"
    );
    for (k, v) in show {
        s.push_str(&format!("    <{k}>{v}</{k}>\n"));
    }
    s
}

fn shows(user: &str, status: &str) -> Vec<(&'static str, String)> {
    vec![
        ("show_user", user.to_string()),
        ("show_device", "all".into()),
        ("show_status", status.to_string()),
        ("show_provider", "all".into()),
        ("show_hgc", "all".into()),
        ("show_reseller", "all".into()),
        ("show_did", "all".into()),
    ]
}

#[test]
fn user_calls_get_examples_1_and_7() {
    let s = Server::fixture_f_calls(&[]);
    // 1. The admin, alice's calls on 1 March.
    let params = [
        ("u", "admin"),
        ("s_user", "2"),
        ("period_start", MARCH_1),
        ("period_end", MARCH_1_END),
    ];
    assert_eq!(
        sign(&params, HASHED, "secret"),
        "4dabbd1651e944bcdce17bc77392147ce0188654"
    );
    let r = s.signed("user_calls_get", &params, HASHED, "secret");
    let show: Vec<(&str, String)> = shows("2", "all");
    let show: Vec<(&str, &str)> = show.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert!(
        r.xml().starts_with(&head(
            "0",
            "admin",
            2,
            "2024-03-01 00:00:00",
            "2024-03-01 23:59:59",
            &show
        )),
        "{}",
        r.body
    );
    assert_eq!(rows(r.xml()), vec![call_101_admin(), call_102_admin()]);
    assert!(
        r.xml()
            .ends_with("    </calls>\n  </calls_stat>\n</page>\n"),
        "{}",
        r.body
    );
    // 7. laravel-kolmisoft sends all sixteen keys with their defaults: the same answer.
    let all = [
        ("u", "admin"),
        ("p", "whatever"),
        ("period_start", MARCH_1),
        ("period_end", MARCH_1_END),
        ("s_user", "2"),
        ("s_call_type", "all"),
        ("s_device", "all"),
        ("s_provider", "all"),
        ("s_hgc", "all"),
        ("s_did", "all"),
        ("s_destination", ""),
        ("order_by", "time"),
        ("order_desc", "0"),
        ("only_did", "0"),
        ("s_uniqueid", ""),
        ("s_callback_uniqueid", ""),
        ("originator_codec_name", ""),
        ("terminator_codec_name", ""),
    ];
    assert_eq!(
        sign(&all, HASHED, "secret"),
        "dfb633fc299af6a867e172935a41ada03e6ad5e3"
    );
    let r7 = s.signed("user_calls_get", &all, HASHED, "secret");
    assert_eq!(r7.xml(), r.xml());
    // 8. No u.
    s.post("user_calls_get", &[("s_user", "2"), ("hash", "x")])
        .is(&bare_error("Access Denied"));
    // 10. MOR 8 style: user_id, hashed first, with s_call_type.
    let mor8 = [
        ("u", "admin"),
        ("user_id", "2"),
        ("period_start", MARCH_1),
        ("period_end", MARCH_1_END),
        ("s_call_type", "all"),
    ];
    assert_eq!(
        sign(&mor8, HASHED, "secret"),
        "91e0c3061154da00851783e2c3f065c980a47873"
    );
    let r10 = s.signed("user_calls", &mor8, HASHED, "secret");
    assert_eq!(rows(r10.xml()), vec![call_101_admin(), call_102_admin()]);
    assert!(r10.xml().contains("<show_user>2</show_user>"));
    s.sql("UPDATE conflines SET value = '1' WHERE name = 'API_Disable_hash_checking' AND owner_id = 0");
    let mut unsigned = mor8.to_vec();
    unsigned.push(("hash", "0123456789"));
    assert_eq!(
        rows(s.post("user_calls_get", &unsigned).xml()),
        vec![call_101_admin(), call_102_admin()]
    );
}

#[test]
fn user_calls_get_examples_2_to_6_and_9_to_11() {
    let s = Server::fixture_f_calls(&[]);
    let post = |params: &[(&str, &str)], hash: &str| {
        let mut all = params.to_vec();
        all.push(("hash", hash));
        s.post("user_calls_get", &all)
    };
    // 2. A plain user asking for someone else gets its own calls, in the user's columns.
    let ask = [
        ("u", "alice"),
        ("s_user", "3"),
        ("period_start", MARCH_1),
        ("period_end", MARCH_1_END),
    ];
    let r = post(&ask, "dea73c6951b8ab72e4613928d78936533cc25bd6");
    let x = r.xml();
    assert!(
        x.contains("<userid>2</userid>\n  <username>alice</username>"),
        "{x}"
    );
    assert!(x.contains("<show_user>3</show_user>"), "{x}");
    let user_row = |date: &str,
                    dest: &str,
                    dispod: &str,
                    dst: &str,
                    bill: &str,
                    prefix: &str,
                    price: &str,
                    uid: &str| {
        row(&[
            ("calldate2", date),
            ("timezone", "GMT +00:00"),
            ("clid", "\"Alice\" <1001>"),
            ("destination", dest),
            ("dispod", dispod),
            ("dst", dst),
            ("nice_billsec", bill),
            ("prefix", prefix),
            ("src", "1001"),
            ("user_price", price),
            ("uniqueid", uid),
        ])
    };
    assert_eq!(
        rows(x),
        vec![
            user_row(
                "2024-03-01 09:15:00",
                "Lithuania Lithuania mobile",
                "ANSWERED",
                "37060012345",
                "62",
                "3706",
                "0.12",
                "1709284500.101"
            ),
            user_row(
                "2024-03-01 14:02:10",
                "Albania Albania proper",
                "NO ANSWER",
                "35541234567",
                "0",
                "355",
                "0.0",
                "1709301730.102"
            ),
        ]
    );
    s.sql("UPDATE users SET hide_destination_end = 1 WHERE id = 2");
    let dsts: Vec<String> = rows(post(&ask, "dea73c6951b8ab72e4613928d78936533cc25bd6").xml())
        .iter()
        .map(|r| r.iter().find(|(k, _)| k == "dst").unwrap().1.clone())
        .collect();
    assert_eq!(dsts, ["37060012XXX", "35541234XXX"]);
    // 3. The reseller, all its users, its own key (the system key passes too).
    let res = [
        ("u", "res"),
        ("s_user", "all"),
        ("period_start", MARCH_1),
        ("period_end", MARCH_1_END),
    ];
    for hash in [
        "0484b631c4e07b5ae267e21c3f3762b57cd11320",
        "6781575e9f18ed84921a0fc518ee833a6c3c3f96",
    ] {
        let r = post(&res, hash);
        let x = r.xml();
        assert!(
            x.contains("<userid>3</userid>") && x.contains("<total_calls>2</total_calls>"),
            "{x}"
        );
        assert_eq!(
            rows(x),
            vec![
                row(&[
                    ("calldate2", "2024-03-01 11:30:00"),
                    ("timezone", "GMT +00:00"),
                    ("clid", "\"Bob\" <1000>"),
                    ("destination", "Lithuania Lithuania mobile"),
                    ("did", ""),
                    ("did_inc_price", "0.0"),
                    ("did_price", "0.0"),
                    ("dispod", "ANSWERED(16)"),
                    ("dst", "37060099999"),
                    ("nice_billsec", "30"),
                    ("profit", "0.10"),
                    ("self_cost_price", "0.05"),
                    ("self_cost_rate", "0.10"),
                    ("src", "1000"),
                    ("user", "Bob Brown"),
                    ("user_id", "5"),
                    ("user_price", "0.15"),
                    ("user_rate", "0.3"),
                    ("uniqueid", "1709292600.104"),
                ]),
                row(&[
                    ("calldate2", "2024-03-01 16:45:00"),
                    ("timezone", "GMT +00:00"),
                    ("clid", "\"Bob\" <1000>"),
                    ("destination", "Albania Albania proper"),
                    ("did", ""),
                    ("did_inc_price", "0.0"),
                    ("did_price", "0.0"),
                    ("dispod", "BUSY(17)"),
                    ("dst", "35540000000"),
                    ("nice_billsec", "0"),
                    ("profit", "0.00"),
                    ("self_cost_price", "0.00"),
                    ("self_cost_rate", "0.08"),
                    ("src", "1000"),
                    ("user", "Bob Brown"),
                    ("user_id", "5"),
                    ("user_price", "0.0"),
                    ("user_rate", "0.2"),
                    ("uniqueid", "1709311500.105"),
                ]),
            ]
        );
    }
    // 4. The reseller asking for a user it does not own.
    post(
        &[
            ("u", "res"),
            ("s_user", "2"),
            ("period_start", MARCH_1),
            ("period_end", MARCH_1_END),
        ],
        "2e1fbd071275a8fc47b6e9b16aa20df19f6f7b61",
    )
    .is(&bare_error("User was not found"));
    // 5. alice's answered calls over two days, newest first.
    let r = post(
        &[
            ("u", "admin"),
            ("s_user", "2"),
            ("period_start", MARCH_1),
            ("period_end", MARCH_2_END),
            ("s_call_type", "answered"),
            ("order_desc", "1"),
        ],
        "c475370824ec7ed05398ad29d244ab8f479100b7",
    );
    let x = r.xml();
    assert!(x.contains("<show_status>answered</show_status>"), "{x}");
    assert!(
        x.contains("<period_end>2024-03-02 23:59:59</period_end>"),
        "{x}"
    );
    let got = rows(x);
    let value =
        |r: &Vec<(String, String)>, k: &str| r.iter().find(|(n, _)| n == k).unwrap().1.clone();
    assert_eq!(got.len(), 2);
    assert_eq!(value(&got[0], "uniqueid"), "1709366400.103");
    assert_eq!(got[1], call_101_admin());
    for (k, v) in [
        ("dst", "37052000000"),
        ("destination", "Lithuania Lithuania proper"),
        ("nice_billsec", "120"),
        ("profit", "0.08"),
        ("provider_price", "0.04"),
        ("user_price", "0.12"),
        ("user_rate", "0.06"),
    ] {
        assert_eq!(value(&got[0], k), v, "{k}");
    }
    // 6. A destination pattern across all users.
    let r = post(
        &[
            ("u", "admin"),
            ("period_start", MARCH_1),
            ("period_end", MARCH_1_END),
            ("s_destination", "3706%"),
        ],
        "0d326d023da14de77aa1398674572ed753584387",
    );
    let x = r.xml();
    assert!(x.contains("<show_user>all</show_user>"), "{x}");
    assert!(
        x.contains("<show_did>all</show_did>\n    <show_destination>3706%</show_destination>"),
        "{x}"
    );
    let got = rows(x);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0], call_101_admin());
    for (k, v) in [
        ("nice_reseller", "Rita Seller"),
        ("reseller_price", "0.05"),
        ("reseller_rate", "0.1"),
        ("profit", "0.03"),
        ("provider_price", "0.03"),
        ("user", "Bob Brown"),
    ] {
        assert_eq!(value(&got[1], k), v, "{k}");
    }
    // 9. Bob (reseller 3's user) must sign with its reseller's key.
    let bob = [
        ("u", "bob"),
        ("period_start", MARCH_1),
        ("period_end", MARCH_1_END),
    ];
    post(&bob, "6781575e9f18ed84921a0fc518ee833a6c3c3f96").is(&gate_error("Incorrect hash"));
    let r = post(&bob, "0484b631c4e07b5ae267e21c3f3762b57cd11320");
    let got = rows(r.xml());
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].len(), 11, "{:?}", got[0]);
    assert_eq!(value(&got[0], "uniqueid"), "1709292600.104");
    // 11. Nothing to list: no <calls>.
    let r = post(
        &[
            ("u", "admin"),
            ("s_user", "4"),
            ("period_start", MARCH_1),
            ("period_end", MARCH_1_END),
        ],
        "5fdb90cd29f0a483a8774664f9e6cb11d27ba2e9",
    );
    let x = r.xml();
    assert!(
        x.contains("<total_calls>0</total_calls>") && !x.contains("<calls>"),
        "{x}"
    );
    assert!(
        x.ends_with("    <show_did>all</show_did>\n  </calls_stat>\n</page>\n"),
        "{x}"
    );
}

#[test]
fn user_calls_get_filters_orders_and_column_sets() {
    let s = Server::fixture_f_calls(&[]);
    s.sql("UPDATE conflines SET value = '1' WHERE name = 'API_Disable_hash_checking' AND owner_id = 0");
    let ids = |u: &str, params: &[(&str, &str)]| -> Vec<String> {
        let mut all = vec![
            ("u", u),
            ("period_start", MARCH_1),
            ("period_end", MARCH_2_END),
        ];
        all.extend_from_slice(params);
        let r = s.post("user_calls_get", &all);
        rows(r.xml())
            .iter()
            .map(|row| {
                row.last()
                    .unwrap()
                    .1
                    .rsplit('.')
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let admin = |params: &[(&str, &str)]| ids("admin", params);
    assert_eq!(admin(&[]), ["101", "104", "102", "105", "103"]);
    assert_eq!(admin(&[("s_call_type", "no answer")]), ["102"]);
    assert_eq!(admin(&[("s_call_type", "busy")]), ["105"]);
    assert_eq!(admin(&[("s_call_type", "bogus")]), Vec::<String>::new());
    assert_eq!(admin(&[("s_device", "1")]), ["104", "105"]);
    assert_eq!(admin(&[("s_device", "324a")]).len(), 5);
    assert_eq!(admin(&[("s_provider", "1")]).len(), 5);
    assert_eq!(admin(&[("s_provider", "9")]), Vec::<String>::new());
    assert_eq!(admin(&[("s_hgc", "17")]), ["105"]);
    assert_eq!(admin(&[("s_hgc", "500")]), Vec::<String>::new());
    assert_eq!(admin(&[("s_did", "0")]).len(), 5);
    assert_eq!(admin(&[("s_did", "7")]), Vec::<String>::new());
    assert_eq!(admin(&[("only_did", "1")]), Vec::<String>::new());
    assert_eq!(admin(&[("s_reseller", "3")]), ["104", "105"]);
    assert_eq!(admin(&[("s_reseller", "x")]).len(), 5);
    assert_eq!(admin(&[("s_uniqueid", "1709301730.102")]), ["102"]);
    assert_eq!(admin(&[("s_destination", "355%")]), ["102", "105"]);
    assert_eq!(admin(&[("s_destination", "3554%0")]), ["105"]);
    assert_eq!(admin(&[("s_destination", "35%x")]).len(), 5);
    assert_eq!(
        admin(&[("order_by", "nice_billsec"), ("order_desc", "1")]),
        ["103", "101", "104", "102", "105"]
    );
    assert_eq!(
        admin(&[("order_by", "dst")]),
        ["105", "102", "103", "101", "104"]
    );
    assert_eq!(
        admin(&[("order_by", "nonsense")]),
        ["101", "104", "102", "105", "103"]
    );
    assert_eq!(admin(&[("s_user", "all"), ("user_id", "2")]).len(), 5);
    assert_eq!(admin(&[("s_user", ""), ("user_id", "2")]).len(), 5);
    assert_eq!(admin(&[("user_id", "5")]), ["104", "105"]);
    // A period the wrong way round is an empty list; a huge one is the last second there is.
    let r = s.post(
        "user_calls_get",
        &[
            ("u", "admin"),
            ("period_start", MARCH_2_END),
            ("period_end", MARCH_1),
        ],
    );
    assert!(r.xml().contains("<total_calls>0</total_calls>"));
    let r = s.post(
        "user_calls_get",
        &[
            ("u", "admin"),
            ("period_start", "0"),
            ("period_end", "99999999999999999999999"),
        ],
    );
    assert!(
        r.xml()
            .contains("<period_end>9999-12-31 23:59:59</period_end>"),
        "{}",
        r.body
    );
    assert!(
        r.xml().contains("<total_calls>6</total_calls>"),
        "{}",
        r.body
    );
    // Unknown and foreign targets.
    for bad in ["99", "abc", "-1", "99999999999999999999"] {
        s.post("user_calls_get", &[("u", "admin"), ("s_user", bad)])
            .is(&bare_error("User was not found"));
    }
    // A plain user's filters are its own calls only; the reseller's s_reseller changes nothing.
    assert_eq!(ids("alice", &[("s_device", "1")]), Vec::<String>::new());
    assert_eq!(ids("res", &[("s_reseller", "99")]), ["104", "105"]);
    assert_eq!(ids("res", &[("s_user", "5")]), ["104", "105"]);
    assert_eq!(ids("res", &[("s_user", "3")]), Vec::<String>::new());
    // Resellers filter by provider only with providers of their own, by cause only when
    // allowed.
    assert_eq!(ids("res", &[("s_provider", "9")]).len(), 2);
    assert_eq!(ids("res", &[("s_hgc", "17")]).len(), 2);
    s.sql(
        "INSERT INTO conflines (name, value, owner_id) VALUES ('Show_HGC_for_Resellers', '1', 0)",
    );
    assert_eq!(ids("res", &[("s_hgc", "17")]), ["105"]);
    // An accountant sees everything but prices unless its group may see finances.
    let r = s.post(
        "user_calls_get",
        &[
            ("u", "acc"),
            ("s_user", "2"),
            ("period_start", MARCH_1),
            ("period_end", MARCH_1_END),
        ],
    );
    let names: Vec<String> = rows(r.xml())[0].iter().map(|(k, _)| k.clone()).collect();
    assert_eq!(
        names,
        [
            "calldate2",
            "timezone",
            "clid",
            "destination",
            "did",
            "dispod",
            "dst",
            "nice_billsec",
            "nice_reseller",
            "prefix",
            "provider_name",
            "server_id",
            "src",
            "user",
            "user_id",
            "uniqueid"
        ]
    );
    s.sql(
        "INSERT INTO acc_rights (id, name) VALUES (8, 'see_financial_data');
         INSERT INTO acc_group_rights (acc_group_id, acc_right_id, value) VALUES (1, 8, 1);",
    );
    let r = s.post(
        "user_calls_get",
        &[
            ("u", "acc"),
            ("s_user", "2"),
            ("period_start", MARCH_1),
            ("period_end", MARCH_1_END),
        ],
    );
    assert_eq!(rows(r.xml()), vec![call_101_admin(), call_102_admin()]);
    // Without the reseller add-on, no reseller columns; a plain user under the HGC-16 rule.
    s.sql(
        "INSERT INTO conflines (name, value, owner_id) VALUES ('RS_Active', '0', 0),
           ('Change_ANSWER_to_FAILED_if_HGC_not_equal_to_16_for_Users', '1', 0);
         UPDATE calls SET hangupcause = 34 WHERE id = 103;",
    );
    let r = s.post(
        "user_calls_get",
        &[
            ("u", "admin"),
            ("s_user", "5"),
            ("period_start", MARCH_1),
            ("period_end", MARCH_1_END),
        ],
    );
    let x = r.xml();
    assert!(
        !x.contains("nice_reseller") && !x.contains("reseller_price"),
        "{x}"
    );
    // Profit then uses the user price: 0.15 − 0.025.
    assert!(x.contains("<profit>0.13</profit>"), "{x}");
    assert_eq!(ids("alice", &[("s_call_type", "failed")]), ["103"]);
    assert_eq!(ids("alice", &[("s_call_type", "answered")]), ["101"]);
    let r = s.post(
        "user_calls_get",
        &[
            ("u", "alice"),
            ("s_uniqueid", "1709366400.103"),
            ("period_start", MARCH_1),
            ("period_end", MARCH_2_END),
        ],
    );
    assert!(r.xml().contains("<dispod>FAILED</dispod>"), "{}", r.body);
    // A user that must not see billing information sees no price.
    s.sql("UPDATE users SET show_billing_info = 0 WHERE id = 2");
    let r = s.post(
        "user_calls_get",
        &[
            ("u", "alice"),
            ("period_start", MARCH_1),
            ("period_end", MARCH_1_END),
        ],
    );
    assert!(!r.xml().contains("user_price"), "{}", r.body);
}

#[test]
fn the_readmes_call_history_example_on_the_demo_world() {
    let s = Server::demo();
    let r = s.post(
        "user_calls_get",
        &[
            ("u", "admin"),
            ("s_user", "5"),
            ("period_start", "1768435200"),
            ("period_end", "1768521599"),
            ("hash", &sha1_hex("176843520017685215995secret")),
        ],
    );
    let got = rows(r.xml());
    assert_eq!(got.len(), 4, "{}", r.body);
    let value = |k: &str| got[0].iter().find(|(n, _)| n == k).unwrap().1.clone();
    assert_eq!(value("destination"), "Lithuania Lithuania mobile");
    assert_eq!(value("user_price"), "0.23");
    // 0.225 − 0.14 is 0.08499999999999999 as a double: 0.08.
    assert_eq!(value("profit"), "0.08");
    // reseller1 sees its customer's call with its own key.
    let r = s.post(
        "user_calls_get",
        &[
            ("u", "reseller1"),
            ("period_start", "1768435200"),
            ("period_end", "1768521599"),
            ("hash", &sha1_hex("17684352001768521599reseller1secret")),
        ],
    );
    let got = rows(r.xml());
    assert_eq!(got.len(), 1, "{}", r.body);
    assert!(
        got[0].contains(&("profit".to_string(), "0.05".to_string())),
        "{:?}",
        got[0]
    );
}

#[test]
fn calls_import_derives_prices_and_loads_all_or_nothing() {
    let s = Server::fixture_f_calls(&[]);
    s.sql("UPDATE providers SET tariff_id = 2 WHERE id = 1");
    let db = s.db.to_str().unwrap().to_string();
    let dir = TempDir::new();
    let file = dir.0.join("calls.csv");
    std::fs::write(
        &file,
        "calldate,user_id,dst,duration,disposition,src\n\
         2024-03-04 10:00:00,2,37060012345,100,ANSWERED,1001\n\
         2024-03-04 10:05:00,5,35541234567,20,NO ANSWER,1000\n\
         \"2024-03-04 10:06:00\",2,\"37052,000000\",61,BUSY,\"10\"\"01\"\n",
    )
    .unwrap();
    let (ok, out, err) = morbox(&["calls", "import", "--db", &db, file.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "loaded 3 calls");
    let row = |id: i64, cols: &str| s.value(&format!("SELECT {cols} FROM calls WHERE id = {id}"));
    // Alice's answered mobile call: prefix, billed seconds, cause, her retail price (0.12 a
    // minute for 100 s), the provider's wholesale price (0.08 a minute), its uniqueid.
    assert_eq!(
        row(
            106,
            "localized_dst || '|' || prefix || '|' || billsec || '|' || user_billsec || '|' || hangupcause || '|' || reseller_id || '|' || provider_id || '|' || user_rate || '|' || user_price || '|' || provider_rate || '|' || uniqueid"
        ),
        "37060012345|3706|100|100|16|0|1|0.12|0.2|0.08|1709546400.106"
    );
    // Bob's unanswered call: no billed seconds, cause 19, his reseller and its rate.
    assert_eq!(
        row(
            107,
            "billsec || '|' || hangupcause || '|' || reseller_id || '|' || user_rate || '|' || reseller_rate || '|' || user_price || '|' || provider_id"
        ),
        "0|19|3|0.25|0.2|0.0|0"
    );
    // Quoted fields; the digits of the number find its prefix.
    assert_eq!(
        row(108, "src || '|' || prefix || '|' || hangupcause"),
        "10\"01|370|17"
    );
    // A bad line at the end: nothing of the file is loaded; the error names line and column.
    let count = s.value("SELECT COUNT(*) FROM calls");
    std::fs::write(
        &file,
        "calldate,user_id,duration\n2024-03-05 09:00:00,2,10\n2024-03-05 09:01:00,2,ten\n",
    )
    .unwrap();
    let (ok, _, err) = morbox(&["calls", "import", "--db", &db, file.to_str().unwrap()]);
    assert!(!ok);
    assert!(
        err.contains("line 3, column duration: not a whole number; nothing was loaded"),
        "{err}"
    );
    assert_eq!(s.value("SELECT COUNT(*) FROM calls"), count);
    for (text, why) in [
        (
            "calldate,user_id\n2024-13-01 00:00:00,2\n",
            "line 2, column calldate",
        ),
        (
            "calldate,user_id,colour\n2024-03-01 00:00:00,2,red\n",
            "line 2, column colour: no such column",
        ),
        (
            "calldate,dst\n2024-03-01 00:00:00,370\n",
            "line 2, column user_id: missing",
        ),
        (
            "calldate,user_id\n2024-03-01 00:00:00,99\n",
            "line 2, column user_id: no user 99",
        ),
        (
            "calldate,user_id,disposition\n2024-03-01 00:00:00,2,MAYBE\n",
            "line 2, column disposition",
        ),
        (
            "calldate,user_id\n2024-03-01 00:00:00,2,3\n",
            "line 2: 3 fields, the header has 2",
        ),
        (
            "calldate,user_id\n\"2024-03-01 00:00:00,2\n",
            "line 2: a quoted field is never closed",
        ),
        (
            "{\"calldate\": \"2024-03-01 00:00:00\", \"user_id\": 2}\n[1]\n",
            "line 2: not a JSON object",
        ),
        (
            "calldate,user_id,user_price\n2024-03-01 00:00:00,2,1e999\n",
            "line 2, column user_price",
        ),
    ] {
        std::fs::write(&file, text).unwrap();
        let (ok, _, err) = morbox(&["calls", "import", "--db", &db, file.to_str().unwrap()]);
        assert!(!ok && err.contains(why), "{text:?}: {err}");
    }
    assert_eq!(s.value("SELECT COUNT(*) FROM calls"), count);
    // JSON Lines, a given price kept, and --charge taking it from the balance.
    std::fs::write(
        &file,
        "{\"calldate\": \"2024-03-05 09:00:00\", \"user_id\": 2, \"dst\": \"3706123\", \"duration\": 60, \"disposition\": \"ANSWERED\", \"user_price\": 0.125}\n",
    )
    .unwrap();
    let before = s.value("SELECT balance FROM users WHERE id = 2");
    let (ok, out, err) = morbox(&[
        "calls",
        "import",
        "--charge",
        "--db",
        &db,
        file.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("loaded 1 calls; charged 0.125"), "{out}");
    assert_eq!(before, "12.5");
    assert_eq!(s.value("SELECT balance FROM users WHERE id = 2"), "12.375");
    assert_eq!(row(109, "user_price || '|' || user_rate"), "0.125|0.12");
    // The same loader behind the test kit.
    let kit = Server::fixture_f_calls(&["--test-endpoints"]);
    let post = |body: &str| {
        let req = format!(
            "POST /_morbox/calls HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            kit.addr,
            body.len()
        );
        exchange_raw(&kit.addr, req.as_bytes())
    };
    let r = post(
        r#"[{"calldate": "2024-03-01 12:00:00", "user_id": 2, "dst": "37060000000", "duration": 30, "disposition": "ANSWERED"}]"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("\"calls\":1"), "{}", r.body);
    let r = post(
        r#"[{"calldate": "2024-03-01 12:00:00", "user_id": 2}, {"calldate": "x", "user_id": 2}]"#,
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("line 2, column calldate"), "{}", r.body);
    // It shows in the answer of the call.
    kit.sql("UPDATE conflines SET value = '1' WHERE name = 'API_Disable_hash_checking' AND owner_id = 0");
    let r = kit.post(
        "user_calls_get",
        &[
            ("u", "admin"),
            ("s_user", "2"),
            ("period_start", MARCH_1),
            ("period_end", MARCH_1_END),
        ],
    );
    assert!(
        r.xml().contains("<total_calls>3</total_calls>"),
        "{}",
        r.body
    );
}

#[test]
fn calls_generate_is_deterministic_and_its_seed_file_loads() {
    let s = Server::demo();
    let db = s.db.to_str().unwrap().to_string();
    let dir = TempDir::new();
    let (a, b) = (dir.0.join("a.csv"), dir.0.join("b.csv"));
    for out in [&a, &b] {
        let (ok, text, err) = morbox(&[
            "calls",
            "generate",
            "--db",
            &db,
            "--from",
            "2026-02-02",
            "--till",
            "2026-02-08",
            "--per-day",
            "300",
            "--seed",
            "42",
            "--users",
            "5,10",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(ok, "{err}");
        assert_eq!(text.trim(), "made 2100 calls");
    }
    let (ta, tb) = (
        std::fs::read_to_string(&a).unwrap(),
        std::fs::read_to_string(&b).unwrap(),
    );
    assert_eq!(ta, tb, "the same seed makes the same calls");
    assert_eq!(ta.lines().count(), 2101);
    // Only the users asked for, each call from one of their devices, on the days asked for.
    for line in ta.lines().skip(1).take(200) {
        assert!(line.starts_with("2026-02-0"), "{line}");
        let user = line.split(',').nth(15).unwrap();
        assert!(user == "5" || user == "10", "{line}");
    }
    // Another seed, other calls.
    let (ok, _, _) = morbox(&[
        "calls",
        "generate",
        "--db",
        &db,
        "--from",
        "2026-02-02",
        "--till",
        "2026-02-08",
        "--per-day",
        "300",
        "--seed",
        "43",
        "--users",
        "5,10",
        "--out",
        b.to_str().unwrap(),
    ]);
    assert!(ok);
    assert_ne!(ta, std::fs::read_to_string(&b).unwrap());
    // The seed file loads as it is, and the calls answer.
    let before: i64 = s.value("SELECT COUNT(*) FROM calls").parse().unwrap();
    let (ok, out, err) = morbox(&["calls", "import", "--db", &db, a.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "loaded 2100 calls");
    let after: i64 = s.value("SELECT COUNT(*) FROM calls").parse().unwrap();
    assert_eq!(after - before, 2100);
    // Answered calls have billed seconds (log-normal, capped); the others none.
    assert_eq!(s.value("SELECT COUNT(*) FROM calls WHERE calldate >= '2026-02-02' AND disposition != 'ANSWERED' AND billsec != 0"), "0");
    assert_eq!(s.value("SELECT MAX(billsec) <= 3600 AND MIN(billsec) >= 1 FROM calls WHERE calldate >= '2026-02-02' AND disposition = 'ANSWERED'"), "1");
    // Straight into the database, with a mix of answered calls only.
    let (ok, _, err) = morbox(&[
        "calls",
        "generate",
        "--db",
        &db,
        "--from",
        "2026-03-01",
        "--till",
        "2026-03-01",
        "--count",
        "50",
        "--answer-rate",
        "1",
        "--users",
        "5",
    ]);
    assert!(ok, "{err}");
    assert_eq!(s.value("SELECT COUNT(*) FROM calls WHERE calldate LIKE '2026-03-01%' AND disposition = 'ANSWERED' AND user_price > 0"), "50");
    // Bad plans are refused.
    for (args, why) in [
        (
            vec![
                "--from",
                "2026-03-02",
                "--till",
                "2026-03-01",
                "--count",
                "1",
            ],
            "before",
        ),
        (
            vec![
                "--from",
                "2026-02-30",
                "--till",
                "2026-03-01",
                "--count",
                "1",
            ],
            "YYYY-MM-DD",
        ),
        (
            vec![
                "--from",
                "2026-03-01",
                "--till",
                "2026-03-01",
                "--count",
                "1",
                "--answer-rate",
                "2",
            ],
            "--answer-rate",
        ),
        (
            vec![
                "--from",
                "2026-03-01",
                "--till",
                "2026-03-01",
                "--count",
                "1",
                "--mix",
                "1,2",
            ],
            "--mix",
        ),
        (
            vec![
                "--from",
                "2026-03-01",
                "--till",
                "2026-03-01",
                "--count",
                "1",
                "--users",
                "x",
            ],
            "--users",
        ),
        (
            vec![
                "--from",
                "2026-03-01",
                "--till",
                "2026-03-01",
                "--count",
                "1",
                "--users",
                "999",
            ],
            "no user",
        ),
    ] {
        let mut all = vec!["calls", "generate", "--db", &db];
        all.extend(args);
        let (ok, _, err) = morbox(&all);
        assert!(!ok && err.contains(why), "{err}");
    }
}

#[test]
fn the_servers_time_zone_reads_unix_times_and_names_its_offset() {
    let s = Server::fixture_f_calls(&["--tz", "Europe/Vilnius"]);
    s.sql("UPDATE conflines SET value = '1' WHERE name = 'API_Disable_hash_checking' AND owner_id = 0");
    // 1 March 00:00 UTC is 02:00 in Vilnius: the period is 02:00 to 01:59:59 the next day.
    let r = s.post(
        "user_calls_get",
        &[
            ("u", "admin"),
            ("s_user", "2"),
            ("period_start", MARCH_1),
            ("period_end", MARCH_1_END),
        ],
    );
    let x = r.xml();
    assert!(
        x.contains("<period_start>2024-03-01 02:00:00</period_start>"),
        "{x}"
    );
    assert!(
        x.contains("<period_end>2024-03-02 01:59:59</period_end>"),
        "{x}"
    );
    let got = rows(x);
    assert_eq!(got.len(), 2);
    // Stored times are shown as they are; the zone's offset now (winter or summer time).
    let tz = &got[0][1].1;
    assert!(tz == "GMT +02:00" || tz == "GMT +03:00", "{tz}");
    assert_eq!(got[0][0].1, "2024-03-01 09:15:00");
    // An unknown zone stops the server before it serves.
    let err = must_fail(&[
        "serve",
        "--db",
        s.db.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
        "--tz",
        "Mars/Olympus",
    ]);
    assert!(err.contains("not an IANA time zone name"), "{err}");
}

/// 2 March 2026, 00:00:00 and 23:59:59 UTC.
const MARCH_2_2026: (&str, &str) = ("1772409600", "1772495999");

/// The demo world with `n` generated calls on 2 March 2026 (users 5 and 10), served.
fn demo_with_a_busy_day(n: usize) -> Server {
    let s = Server::demo();
    let count = n.to_string();
    let (ok, _, err) = morbox(&[
        "calls",
        "generate",
        "--db",
        s.db.to_str().unwrap(),
        "--from",
        "2026-03-02",
        "--till",
        "2026-03-02",
        "--count",
        &count,
        "--seed",
        "7",
        "--users",
        "5,10",
    ]);
    assert!(ok, "{err}");
    s
}

/// Everyone's calls of 2 March 2026, as the admin asks for them: the request's target and
/// body.
fn everyones_day() -> String {
    let (from, till) = MARCH_2_2026;
    encode(&[
        ("u", "admin"),
        ("period_start", from),
        ("period_end", till),
        ("hash", &sha1_hex(&format!("{from}{till}secret"))),
    ])
}

#[test]
fn a_long_call_history_is_sent_as_it_is_written_and_is_the_same_document() {
    let s = demo_with_a_busy_day(20_000);
    let r = s.send(
        "POST",
        "/billing/api/user_calls_get",
        Some("application/x-www-form-urlencoded"),
        everyones_day().as_bytes(),
    );
    assert_eq!(r.status, 200);
    // Sent as it is written: in chunks, no length known ahead; the vendor's headers.
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    assert_eq!(r.header("content-length"), None);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(
        r.header("content-disposition"),
        Some("attachment; filename=\"mor_api_response.html\"")
    );
    assert!(well_formed(&r.body));
    assert_eq!(field(r.xml(), "total_calls"), "20000");
    // Every call of the day once, in the listing's order (time, then id).
    let got: Vec<String> = rows(r.xml())
        .into_iter()
        .map(|row| row.last().unwrap().1.clone())
        .collect();
    let want: Vec<String> = {
        let c = s.conn();
        let mut stmt = c
            .prepare(
                "SELECT uniqueid FROM calls WHERE calldate BETWEEN '2026-03-02 00:00:00' \
                 AND '2026-03-02 23:59:59' ORDER BY calldate, id",
            )
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(got.len(), 20_000);
    assert_eq!(got, want);
    // A row of the long answer is the row a short answer (sent whole) gives for that call.
    let (from, till) = MARCH_2_2026;
    let one = &want[12_345];
    let short = s.post(
        "user_calls_get",
        &[
            ("u", "admin"),
            ("period_start", from),
            ("period_end", till),
            ("s_uniqueid", one),
            ("hash", &sha1_hex(&format!("{from}{till}{one}secret"))),
        ],
    );
    assert!(short.header("content-length").is_some());
    assert_eq!(short.header("transfer-encoding"), None);
    assert_eq!(field(short.xml(), "total_calls"), "1");
    let short_rows = rows(short.xml());
    assert_eq!(short_rows.len(), 1);
    assert_eq!(short_rows[0], rows(r.xml())[12_345]);
}

#[test]
fn a_client_that_leaves_a_long_call_history_holds_no_read_and_others_are_served() {
    let s = demo_with_a_busy_day(20_000);
    let body = everyones_day();
    let mut c = connect_from_with("127.0.0.1", &s.addr, Some(4096));
    c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        c,
        "POST /billing/api/user_calls_get HTTP/1.1\r\nHost: x\r\nContent-Type: \
         application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut first = vec![0u8; 16 * 1024];
    let mut got = 0;
    while got < first.len() {
        let n = c.read(&mut first[got..]).unwrap();
        assert!(n > 0);
        got += n;
    }
    let head = String::from_utf8_lossy(&first);
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("<total_calls>20000</total_calls>"), "{head}");
    // The client stops reading. A commit made meanwhile cannot be checkpointed away while
    // the answer's snapshot is held (this proves the check below can fail)…
    s.sql("UPDATE users SET first_name = 'Streamed' WHERE id = 5");
    let checkpoint = || -> (i64, i64) {
        let conn = rusqlite::Connection::open(&s.db).unwrap();
        conn.busy_timeout(Duration::ZERO).unwrap();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap()
    };
    assert_eq!(checkpoint().0, 1, "the long answer's read is still open");
    // …while others are served.
    let r = s.post(
        "user_calls_get",
        &[
            ("u", "admin"),
            ("s_user", "5"),
            ("period_start", "1768435200"),
            ("period_end", "1768521599"),
            ("hash", &sha1_hex("176843520017685215995secret")),
        ],
    );
    assert_eq!(rows(r.xml()).len(), 4, "{}", r.body);
    // The client goes away: the read ends, and the next checkpoint empties the log.
    drop(c);
    let wal = s.db.with_extension("db-wal");
    let since = std::time::Instant::now();
    loop {
        let (busy, frames) = checkpoint();
        let size = std::fs::metadata(&wal).map_or(0, |m| m.len());
        if busy == 0 && frames == 0 && size == 0 {
            break;
        }
        assert!(
            since.elapsed() < Duration::from_secs(20),
            "the read was not ended: busy {busy}, {frames} frames, {size} bytes of log"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // And the server goes on serving.
    let r = s.post(
        "user_calls_get",
        &[
            ("u", "admin"),
            ("s_user", "5"),
            ("period_start", "1768435200"),
            ("period_end", "1768521599"),
            ("hash", &sha1_hex("176843520017685215995secret")),
        ],
    );
    assert_eq!(rows(r.xml()).len(), 4, "{}", r.body);
}

#[test]
fn a_large_generation_sorts_the_indexes_once_and_leaves_them_as_they_were() {
    let s = Server::demo();
    let indexes = || {
        s.value(
            "SELECT group_concat(name || ':' || sql, ' | ') FROM \
             (SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls' \
              AND sql IS NOT NULL ORDER BY name)",
        )
    };
    let before = indexes();
    assert!(before.contains("calls_user:") && before.contains("calls_calldate:"));
    let calls_before: i64 = s.value("SELECT COUNT(*) FROM calls").parse().unwrap();
    // More calls than the table holds, and at least 100,000: the indexes are dropped inside the
    // load's transaction and made again at its end.
    let (ok, out, err) = morbox(&[
        "calls",
        "generate",
        "--db",
        s.db.to_str().unwrap(),
        "--from",
        "2026-04-01",
        "--till",
        "2026-04-02",
        "--count",
        "100000",
        "--seed",
        "3",
        "--users",
        "5,10",
    ]);
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "made 100000 calls");
    assert_eq!(indexes(), before);
    assert_eq!(
        s.value("SELECT integrity_check FROM pragma_integrity_check"),
        "ok"
    );
    let calls_after: i64 = s.value("SELECT COUNT(*) FROM calls").parse().unwrap();
    assert_eq!(calls_after - calls_before, 100_000);
    // Each index holds every row: counted through it, the same number.
    assert_eq!(
        s.value(
            "SELECT COUNT(*) FROM calls INDEXED BY calls_calldate WHERE calldate >= '2026-04-01'"
        ),
        "100000"
    );
    assert_eq!(
        s.value("SELECT COUNT(*) FROM calls INDEXED BY calls_user WHERE user_id IN (5, 10) AND calldate >= '2026-04-01'"),
        "100000"
    );
    // And the server answers from them: user1's first of April, through its own listing.
    let r = s.post(
        "user_calls_get",
        &[
            ("u", "admin"),
            ("s_user", "5"),
            ("period_start", "1775001600"),
            ("period_end", "1775087999"),
            ("hash", &sha1_hex("177500160017750879995secret")),
        ],
    );
    let want = s.value(
        "SELECT COUNT(*) FROM calls WHERE user_id = 5 AND calldate BETWEEN '2026-04-01 00:00:00' AND '2026-04-01 23:59:59'",
    );
    assert!(want.parse::<i64>().unwrap() > 1000);
    assert_eq!(field(r.xml(), "total_calls"), want);
    assert_eq!(rows(r.xml()).len().to_string(), want);
}

#[test]
fn a_long_seed_file_with_a_bad_last_line_loads_nothing_and_names_the_line() {
    let s = Server::demo();
    let db = s.db.to_str().unwrap().to_string();
    let dir = TempDir::new();
    let file = dir.0.join("calls.csv");
    let (ok, _, err) = morbox(&[
        "calls",
        "generate",
        "--db",
        &db,
        "--from",
        "2026-04-06",
        "--till",
        "2026-04-06",
        "--count",
        "120000",
        "--seed",
        "5",
        "--users",
        "5,10",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    // The last line's hour is 25: every line before it is good, and more than enough for the
    // load to have set the indexes aside when it reaches it.
    let text = std::fs::read_to_string(&file).unwrap();
    let last = text.lines().last().unwrap();
    let bad = format!("2026-04-06 25{}", &last["2026-04-06 12".len()..]);
    std::fs::write(&file, format!("{text}{bad}\n")).unwrap();
    let schema = || {
        s.value(
            "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master ORDER BY name)",
        )
    };
    let (before, names) = (s.value("SELECT COUNT(*) FROM calls"), schema());
    let (ok, _, err) = morbox(&["calls", "import", "--db", &db, file.to_str().unwrap()]);
    assert!(!ok);
    assert!(
        err.contains(
            "line 120002, column calldate: not a YYYY-MM-DD HH:MM:SS time; nothing was loaded"
        ),
        "{err}"
    );
    assert_eq!(s.value("SELECT COUNT(*) FROM calls"), before);
    assert_eq!(schema(), names, "the indexes are as they were");
    // Without the bad line, the same file loads whole, and its indexes hold every row.
    std::fs::write(&file, &text).unwrap();
    let (ok, out, err) = morbox(&["calls", "import", "--db", &db, file.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "loaded 120000 calls");
    assert_eq!(schema(), names);
    assert_eq!(
        s.value("SELECT COUNT(*) FROM calls INDEXED BY calls_user WHERE user_id IN (5, 10) AND calldate LIKE '2026-04-06%'"),
        "120000"
    );
    assert_eq!(
        s.value("SELECT integrity_check FROM pragma_integrity_check"),
        "ok"
    );
}

#[test]
fn the_names_calls_md_does_not_serve_answer_unknown_api_method() {
    let s = Server::demo();
    for name in [
        "calls_get",
        "cdrs_get",
        "calls",
        "local_calls_get",
        "tariffs_get",
        "active_calls_get",
        "new_calls_list",
        "user_rates",
        "quickstats_get",
        "recordings_get",
    ] {
        for prefix in ["/billing/api/", "/api/"] {
            let r = s.send(
                "POST",
                &format!("{prefix}{name}"),
                Some("application/x-www-form-urlencoded"),
                b"u=admin&hash=x",
            );
            assert_eq!(r.status, 404, "{prefix}{name}");
            assert_eq!(r.xml(), bare_error("Unknown API method"), "{prefix}{name}");
        }
    }
    for path in ["/api/v2/calls", "/api/v2/rates", "/api/v2/tariff_rates"] {
        let r = s.send("GET", path, None, b"");
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(r.xml(), bare_error("Unknown API method"), "{path}");
    }
}
