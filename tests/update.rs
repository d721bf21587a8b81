//! user_details_update (docs/README.md): every parameter lands in its column, every
//! coercion, reference, reach rule and validation message, the audit log, the LCR cascade, and
//! all or nothing.

use crate::util::*;
use morbox::api::details::update_params::PARAMS;

const UPD: &str = "user_details_update";

/// The page's "included into the hash" list, in its order (written out from the wiki page, so
/// that the server's own table is checked against it, not against itself).
pub const HASH_ORDER: &[&str] = &[
    "user_id",
    "u0",
    "u1",
    "u2",
    "u3",
    "u4",
    "u5",
    "u6",
    "u7",
    "u8",
    "u9",
    "u10",
    "u11",
    "u12",
    "u13",
    "u14",
    "u15",
    "u16",
    "u17",
    "u18",
    "u19",
    "u20",
    "u21",
    "u22",
    "u23",
    "u24",
    "u25",
    "u26",
    "u27",
    "u28",
    "ay",
    "am",
    "ad",
    "by",
    "bm",
    "bd",
    "pswd",
    "user_warning_email_hour",
    "pgui",
    "pcsv",
    "ppdf",
    "recording_forced_enabled",
    "i4",
    "tax4_enabled",
    "tax2_enabled",
    "accountant_type_invalid",
    "block_at_conditional",
    "tax3_enabled",
    "accountant_type",
    "tax1_value",
    "show_zero_calls",
    "warning_email_active",
    "compound_tax",
    "tax4_name",
    "allow_loss_calls",
    "tax3_name",
    "tax2_name",
    "credit",
    "tax1_name",
    "total_tax_name",
    "tax2_value",
    "tax4_value",
    "i1",
    "tax3_value",
    "cyberplat_active",
    "i2",
    "i3",
    "recording_enabled",
    "email_warning_sent_test",
    "own_providers",
    "a0",
    "a1",
    "a2",
    "a3",
    "a4",
    "a5",
    "a6",
    "a7",
    "a8",
    "a9",
    "company_name",
];

const UPDATED: &str = "<page>\n  <status>User was updated</status>\n</page>\n";

pub fn upd_key(s: &Server, u: &str, key: &str, params: &[(&str, &str)]) -> Resp {
    let mut p = vec![("u", u)];
    p.extend_from_slice(params);
    s.signed(UPD, &p, HASH_ORDER, key)
}

fn upd(s: &Server, params: &[(&str, &str)]) -> Resp {
    upd_key(s, "admin", "secret", params)
}

pub fn ok(r: Resp) {
    r.is(UPDATED);
}

pub fn err(text: &str) -> String {
    page_error(text, &[])
}

/// A whole row as text, for before/after comparisons.
fn row(s: &Server, table: &str, id: i64) -> Vec<Option<String>> {
    let conn = s.conn();
    let cols: Vec<String> = conn
        .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let sql = format!(
        "SELECT {} FROM {table} WHERE id = ?1",
        cols.iter()
            .map(|c| format!("CAST(\"{c}\" AS TEXT)"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    conn.query_row(&sql, [id], |r| (0..cols.len()).map(|i| r.get(i)).collect())
        .unwrap_or_default()
}

fn count(s: &Server, sql: &str) -> i64 {
    s.value(sql).parse().unwrap()
}

const U5: &str = "FROM users WHERE id = 5";
const A5: &str = "FROM addresses WHERE id = (SELECT address_id FROM users WHERE id = 5)";
const T5: &str = "FROM taxes WHERE id = (SELECT tax_id FROM users WHERE id = 5)";

/// (parameter, value sent, column, where, value read back) — admin updating user 5.
const LANDS: &[(&str, &str, &str, &str, &str)] = &[
    ("u0", "LT999", "vat_number", U5, "LT999"),
    ("u1", "2", "lcr_id", U5, "2"),
    ("u2", "13", "warning_email_hour", U5, "13"),
    ("u3", "3", "hide_destination_end", U5, "3"),
    ("u4", "2", "currency_id", U5, "2"),
    ("u5", "2", "tariff_id", U5, "2"),
    ("u6", "7.25", "warning_email_balance", U5, "7.25"),
    ("u7", "44", "spy_device_id", U5, "44"),
    ("u8", "lt", "language", U5, "lt"),
    ("u9", "john_s", "username", U5, "john_s"),
    ("u10", "1", "warning_balance_call", U5, "1"),
    ("u11", "3", "acc_group_id", U5, "3"),
    ("u12", "0", "generate_invoice", U5, "0"),
    ("u14", "41", "taxation_country", U5, "41"),
    ("u15", "1", "blocked", U5, "1"),
    ("u16", "2", "quickforwards_rule_id", U5, "2"),
    ("u17", "Smyth", "last_name", U5, "Smyth"),
    ("u18", "9", "call_limit", U5, "9"),
    ("u19", "CID-9", "clientid", U5, "CID-9"),
    ("u20", "250", "recording_hdd_quota", U5, "250"),
    ("u21", "1", "cyberplat_active", U5, "1"),
    (
        "u22",
        "rec@example.com",
        "recordings_email",
        U5,
        "rec@example.com",
    ),
    ("u23", "Jon", "first_name", U5, "Jon"),
    ("u24", "3", "warning_balance_sound_file_id", U5, "3"),
    ("u25", "0", "postpaid", U5, "0"),
    ("u26", "ACC-9", "accounting_number", U5, "ACC-9"),
    ("u27", "AG-9", "agreement_number", U5, "AG-9"),
    ("u28", "1", "hidden", U5, "1"),
    (
        "recording_forced_enabled",
        "1",
        "recording_forced_enabled",
        U5,
        "1",
    ),
    ("tax4_enabled", "1", "tax4_enabled", T5, "1"),
    ("tax2_enabled", "1", "tax2_enabled", T5, "1"),
    (
        "block_at_conditional",
        "20",
        "block_at_conditional",
        U5,
        "20",
    ),
    ("tax3_enabled", "1", "tax3_enabled", T5, "1"),
    ("tax1_value", "19.5", "tax1_value", T5, "19.5"),
    ("show_zero_calls", "0", "invoice_zero_calls", U5, "0"),
    ("warning_email_active", "0", "warning_email_active", U5, "0"),
    ("compound_tax", "0", "compound_tax", T5, "0"),
    ("tax4_name", "Levy", "tax4_name", T5, "Levy"),
    ("allow_loss_calls", "1", "allow_loss_calls", U5, "1"),
    ("tax3_name", "City tax", "tax3_name", T5, "City tax"),
    ("tax2_name", "State tax", "tax2_name", T5, "State tax"),
    ("credit", "55.5", "credit", U5, "55.5"),
    ("tax1_name", "PVM", "tax1_name", T5, "PVM"),
    (
        "total_tax_name",
        "Mokesčiai",
        "total_tax_name",
        T5,
        "Mokesčiai",
    ),
    ("tax2_value", "2.5", "tax2_value", T5, "2.5"),
    ("tax4_value", "4.0", "tax4_value", T5, "4.0"),
    ("tax3_value", "3", "tax3_value", T5, "3.0"),
    ("cyberplat_active", "1", "cyberplat_active", U5, "1"),
    ("recording_enabled", "1", "recording_enabled", U5, "1"),
    (
        "email_warning_sent_test",
        "1",
        "warning_email_sent",
        U5,
        "1",
    ),
    ("own_providers", "1", "own_providers", U5, "1"),
    ("a0", "Laisvės al. 10", "address", A5, "Laisvės al. 10"),
    ("a1", "Kaunas", "city", A5, "Kaunas"),
    ("a2", "LT-44001", "postcode", A5, "LT-44001"),
    ("a3", "Kauno", "county", A5, "Kauno"),
    ("a4", "+37061111111", "mob_phone", A5, "+37061111111"),
    ("a5", "+37037000000", "fax", A5, "+37037000000"),
    ("a6", "59", "direction_id", A5, "59"),
    ("a7", "+37037111111", "phone", A5, "+37037111111"),
    ("a8", "jon@example.lt", "email", A5, "jon@example.lt"),
    ("a9", "Kaunas county", "state", A5, "Kaunas county"),
    (
        "company_name",
        "ACME & Sons",
        "company_name",
        U5,
        "ACME & Sons",
    ),
    ("u29", "2", "pbx_pool_id", U5, "2"),
    ("u30", "0", "hide_non_answered_calls", U5, "0"),
    ("u31", "7", "responsible_accountant_id", U5, "7"),
    ("u32", "12.75", "daily_spend_limit", U5, "12.75"),
    ("u33", "VIP <gold>", "comment", U5, "VIP <gold>"),
    (
        "ignore_global_monitorings",
        "1",
        "ignore_global_monitorings",
        U5,
        "1",
    ),
    ("time_zone", "Vilnius", "time_zone", U5, "Vilnius"),
    (
        "allow_change_callerid",
        "1",
        "allow_change_callerid",
        U5,
        "1",
    ),
    (
        "enable_static_source_list",
        "blacklist",
        "enable_static_source_list",
        U5,
        "blacklist",
    ),
    (
        "static_source_list_id",
        "1",
        "static_source_list_id",
        U5,
        "1",
    ),
    (
        "enable_static_list",
        "whitelist",
        "enable_static_list",
        U5,
        "whitelist",
    ),
    ("static_list_id", "2", "static_list_id", U5, "2"),
    ("max_devices", "5", "max_devices", U5, "5"),
];

/// Rows tested by the tests named here rather than by `LANDS`. Each is the test function
/// itself, so a test renamed or removed fails to compile instead of leaving a row untested.
const COVERED_ELSEWHERE: &[(&str, fn())] = &[
    ("user_id", wiki_example_blocks_user_123),
    ("user_id", reach_admin_and_reseller),
    ("user_id", reach_accountant_manager_and_user),
    ("u13", usertype_rules),
    ("ay", three_part_dates),
    ("am", three_part_dates),
    ("ad", three_part_dates),
    ("by", three_part_dates),
    ("bm", three_part_dates),
    ("bd", three_part_dates),
    ("pswd", password_is_stored_as_argon2id),
    ("user_warning_email_hour", warning_email_hour_fallback),
    ("pgui", privacy_and_invoice_bitmasks),
    ("pcsv", privacy_and_invoice_bitmasks),
    ("ppdf", privacy_and_invoice_bitmasks),
    ("i1", privacy_and_invoice_bitmasks),
    ("i2", privacy_and_invoice_bitmasks),
    ("i3", privacy_and_invoice_bitmasks),
    ("i4", privacy_and_invoice_bitmasks),
    ("accountant_type", accepted_but_unwritten_parameters),
    ("accountant_type_invalid", accepted_but_unwritten_parameters),
    ("credit_unlimited", credit_coercions),
    ("two_fa_enabled", two_factor_rules),
];

#[test]
fn every_row_of_the_parameter_table_is_tested() {
    for p in PARAMS {
        let listed =
            LANDS.iter().any(|l| l.0 == p.name) || COVERED_ELSEWHERE.iter().any(|c| c.0 == p.name);
        assert!(listed, "parameter {} has no test", p.name);
    }
    assert_eq!(
        PARAMS
            .iter()
            .filter(|p| p.hashed)
            .map(|p| p.name)
            .collect::<Vec<_>>(),
        HASH_ORDER
    );
}

#[test]
fn every_parameter_lands_in_its_column() {
    let s = Server::demo();
    for (param, value, column, from, expected) in LANDS {
        let r = upd(&s, &[("user_id", "5"), (param, value)]);
        assert_eq!(r.xml(), UPDATED, "{param}={value}: {}", r.body);
        assert_eq!(
            &s.value(&format!("SELECT \"{column}\" {from}")),
            expected,
            "{param}"
        );
    }
}

#[test]
fn wiki_example_blocks_user_123() {
    let s = Server::demo();
    assert_eq!(s.value("SELECT blocked FROM users WHERE id = 123"), "0");
    let r = s.send(
        "POST",
        "/billing/api/user_details_update?u=username&user_id=123&u15=1&hash=0ab3ede4e93a55c38855a2cc9b9e169d35442c48",
        None,
        b"",
    );
    ok(r);
    assert_eq!(s.value("SELECT blocked FROM users WHERE id = 123"), "1");
    // The alias, and the example's duplicated u15 (the last one counts).
    let h = sha1_hex("1230456789");
    ok(s.send(
        "POST",
        &format!("/api/user_update_api?u15=1&user_id=123&u=username&u15=0&hash={h}"),
        None,
        b"",
    ));
    assert_eq!(s.value("SELECT blocked FROM users WHERE id = 123"), "0");
}

#[test]
fn unhashed_and_unknown_parameters() {
    let s = Server::demo();
    // u29..u33 and the named ones after them are not hashed: a hash over user_id alone fits.
    let h = sha1_hex("5secret");
    ok(s.post(
        UPD,
        &[
            ("u", "admin"),
            ("user_id", "5"),
            ("u33", "note"),
            ("u30", "0"),
            ("whatever", "1"),
            ("hash", &h),
        ],
    ));
    assert_eq!(s.value("SELECT comment FROM users WHERE id = 5"), "note");
    // A hashed one left out of the hash is refused.
    s.post(
        UPD,
        &[("u", "admin"), ("user_id", "5"), ("u15", "1"), ("hash", &h)],
    )
    .is(&gate_error("Incorrect hash"));
}

#[test]
fn accepted_but_unwritten_parameters() {
    let s = Server::demo();
    let before = row(&s, "users", 5);
    ok(upd(
        &s,
        &[
            ("user_id", "5"),
            ("accountant_type", "x"),
            ("accountant_type_invalid", "y"),
        ],
    ));
    assert_eq!(row(&s, "users", 5), before);
}

#[test]
fn booleans() {
    let s = Server::demo();
    for (v, stored) in [
        ("1", "1"),
        ("2", "1"),
        ("0.5", "1"),
        ("0", "0"),
        ("-1", "0"),
        ("yes", "0"),
        ("", "0"),
        (" 1 ", "1"),
    ] {
        ok(upd(&s, &[("user_id", "5"), ("u15", v)]));
        assert_eq!(
            s.value("SELECT blocked FROM users WHERE id = 5"),
            stored,
            "u15={v:?}"
        );
    }
}

#[test]
fn credit_coercions() {
    let s = Server::demo();
    for (v, stored) in [
        ("12,5", "12.5"),
        ("7.25", "7.25"),
        ("-3", "0.0"),
        ("0", "0.0"),
        ("100", "100.0"),
    ] {
        ok(upd(&s, &[("user_id", "5"), ("credit", v)]));
        assert_eq!(
            s.value("SELECT credit FROM users WHERE id = 5"),
            stored,
            "credit={v}"
        );
    }
    ok(upd(&s, &[("user_id", "5"), ("credit_unlimited", "1")]));
    assert_eq!(s.value("SELECT credit FROM users WHERE id = 5"), "-1.0");
    // Unlimited wins over a credit in the same request.
    ok(upd(
        &s,
        &[
            ("user_id", "5"),
            ("credit", "40"),
            ("credit_unlimited", "1"),
        ],
    ));
    assert_eq!(s.value("SELECT credit FROM users WHERE id = 5"), "-1.0");
    let r = s.signed(
        "user_details_get",
        &[("u", "admin"), ("user_id", "5")],
        &["user_id"],
        "secret",
    );
    assert!(r.xml().contains("<credit>Unlimited</credit>"), "{}", r.body);
    // credit_unlimited=0 changes nothing by itself.
    ok(upd(
        &s,
        &[
            ("user_id", "5"),
            ("credit", "40"),
            ("credit_unlimited", "0"),
        ],
    ));
    assert_eq!(s.value("SELECT credit FROM users WHERE id = 5"), "40.0");
    upd(&s, &[("user_id", "5"), ("credit", "lots")]).is(&page_error(
        "User was not updated",
        &["Credit must be a number"],
    ));
    upd(&s, &[("user_id", "5"), ("credit", "1,000.50")]).is(&page_error(
        "User was not updated",
        &["Credit must be a number"],
    ));
}

#[test]
fn limits_clamp_at_zero() {
    let s = Server::demo();
    ok(upd(&s, &[("user_id", "5"), ("u32", "-5")]));
    assert_eq!(
        s.value("SELECT daily_spend_limit FROM users WHERE id = 5"),
        "0.0"
    );
    ok(upd(&s, &[("user_id", "5"), ("u32", "0")]));
    assert_eq!(
        s.value("SELECT daily_spend_limit FROM users WHERE id = 5"),
        "0.0"
    );
    ok(upd(&s, &[("user_id", "5"), ("u32", "2,5")]));
    assert_eq!(
        s.value("SELECT daily_spend_limit FROM users WHERE id = 5"),
        "2.5"
    );
    ok(upd(&s, &[("user_id", "5"), ("u18", "-2")]));
    assert_eq!(s.value("SELECT call_limit FROM users WHERE id = 5"), "0");
    upd(&s, &[("user_id", "5"), ("u18", "2.5")]).is(&page_error(
        "User was not updated",
        &["Call limit must be a whole number"],
    ));
}

#[test]
fn three_part_dates() {
    let s = Server::demo();
    ok(upd(
        &s,
        &[("user_id", "5"), ("ay", "2024"), ("am", "2"), ("ad", "29")],
    ));
    assert_eq!(
        s.value("SELECT agreement_date FROM users WHERE id = 5"),
        "2024-02-29"
    );
    ok(upd(
        &s,
        &[("user_id", "5"), ("by", "2027"), ("bm", "12"), ("bd", "31")],
    ));
    assert_eq!(
        s.value("SELECT block_at FROM users WHERE id = 5"),
        "2027-12-31"
    );
    let bad_agreement = page_error(
        "User was not updated",
        &["Agreement date is not a valid date"],
    );
    for parts in [
        vec![("ay", "2023"), ("am", "2"), ("ad", "29")],
        vec![("ay", "2023"), ("am", "13"), ("ad", "1")],
        vec![("ay", "2023"), ("am", "4")],
        vec![("ad", "4")],
        vec![("ay", "x"), ("am", "1"), ("ad", "1")],
    ] {
        let mut p = vec![("user_id", "5")];
        p.extend(parts);
        upd(&s, &p).is(&bad_agreement);
    }
    upd(
        &s,
        &[("user_id", "5"), ("by", "2023"), ("bm", "6"), ("bd", "31")],
    )
    .is(&page_error(
        "User was not updated",
        &["Block date is not a valid date"],
    ));
    assert_eq!(
        s.value("SELECT agreement_date FROM users WHERE id = 5"),
        "2024-02-29"
    );
}

#[test]
fn privacy_and_invoice_bitmasks() {
    let s = Server::demo();
    ok(upd(&s, &[("user_id", "5"), ("pgui", "1"), ("ppdf", "1")]));
    assert_eq!(
        s.value("SELECT hide_destination_end FROM users WHERE id = 5"),
        "5"
    );
    ok(upd(&s, &[("user_id", "5"), ("pcsv", "1")]));
    assert_eq!(
        s.value("SELECT hide_destination_end FROM users WHERE id = 5"),
        "2"
    );
    ok(upd(
        &s,
        &[
            ("user_id", "5"),
            ("pgui", "0"),
            ("pcsv", "0"),
            ("ppdf", "0"),
        ],
    ));
    assert_eq!(
        s.value("SELECT hide_destination_end FROM users WHERE id = 5"),
        "0"
    );
    ok(upd(&s, &[("user_id", "5"), ("i1", "2"), ("i3", "8")]));
    assert_eq!(
        s.value("SELECT send_invoice_types FROM users WHERE id = 5"),
        "10"
    );
    ok(upd(
        &s,
        &[
            ("user_id", "5"),
            ("i1", "2"),
            ("i2", "4"),
            ("i3", "8"),
            ("i4", "16"),
        ],
    ));
    assert_eq!(
        s.value("SELECT send_invoice_types FROM users WHERE id = 5"),
        "30"
    );
    ok(upd(&s, &[("user_id", "5"), ("i4", "16"), ("i2", "0")]));
    assert_eq!(
        s.value("SELECT send_invoice_types FROM users WHERE id = 5"),
        "16"
    );
    // The get document shows the bits.
    let r = s.signed(
        "user_details_get",
        &[("u", "admin"), ("user_id", "5")],
        &["user_id"],
        "secret",
    );
    assert!(r.xml().contains("<simplified_pdf>0</simplified_pdf>\n      <simplified_csv>0</simplified_csv>\n      <detailed_pdf>0</detailed_pdf>\n      <detailed_csv>1</detailed_csv>"), "{}", r.body);
}

#[test]
fn warning_email_hour_fallback() {
    let s = Server::demo();
    ok(upd(
        &s,
        &[("user_id", "5"), ("user_warning_email_hour", "17")],
    ));
    assert_eq!(
        s.value("SELECT warning_email_hour FROM users WHERE id = 5"),
        "17"
    );
    ok(upd(
        &s,
        &[
            ("user_id", "5"),
            ("u2", "9"),
            ("user_warning_email_hour", "18"),
        ],
    ));
    assert_eq!(
        s.value("SELECT warning_email_hour FROM users WHERE id = 5"),
        "9"
    );
}

#[test]
fn changed_warning_balance_resets_warning_email_sent() {
    let s = Server::with_sql(
        "UPDATE users SET warning_email_sent = 1, warning_email_balance = 5 WHERE id = 5;",
    );
    ok(upd(&s, &[("user_id", "5"), ("u6", "5")]));
    assert_eq!(
        s.value("SELECT warning_email_sent FROM users WHERE id = 5"),
        "1"
    );
    ok(upd(&s, &[("user_id", "5"), ("u6", "6,5")]));
    assert_eq!(
        s.value("SELECT warning_email_sent FROM users WHERE id = 5"),
        "0"
    );
    assert_eq!(
        s.value("SELECT warning_email_balance FROM users WHERE id = 5"),
        "6.5"
    );
}

#[test]
fn address_and_tax_rows_are_created_when_missing() {
    let s = Server::with_sql("UPDATE users SET tax_id = 0 WHERE id = 6;");
    assert_eq!(s.value("SELECT address_id FROM users WHERE id = 6"), "0");
    let addresses = count(&s, "SELECT COUNT(*) FROM addresses");
    ok(upd(
        &s,
        &[
            ("user_id", "6"),
            ("a1", "Madrid"),
            ("a6", "91"),
            ("tax1_value", "21"),
        ],
    ));
    assert_eq!(count(&s, "SELECT COUNT(*) FROM addresses"), addresses + 1);
    let aid = s.value("SELECT address_id FROM users WHERE id = 6");
    assert_ne!(aid, "0");
    assert_eq!(
        s.value(&format!(
            "SELECT city || '/' || direction_id || '/' || address FROM addresses WHERE id = {aid}"
        )),
        "Madrid/91/"
    );
    let tid = s.value("SELECT tax_id FROM users WHERE id = 6");
    assert_ne!(tid, "0");
    assert_eq!(
        s.value(&format!("SELECT tax1_value FROM taxes WHERE id = {tid}")),
        "21.0"
    );
    // The next update reuses the rows.
    ok(upd(&s, &[("user_id", "6"), ("a2", "28001")]));
    assert_eq!(s.value("SELECT address_id FROM users WHERE id = 6"), aid);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM addresses"), addresses + 1);
    // And the details call now shows a registration block.
    let r = s.signed(
        "user_details_get",
        &[("u", "admin"), ("user_id", "6")],
        &["user_id"],
        "secret",
    );
    assert!(
        r.xml().contains("<reg_city>Madrid</reg_city>")
            && r.xml().contains("<reg_direction>Spain</reg_direction>"),
        "{}",
        r.body
    );
}

#[test]
fn password_is_stored_as_argon2id() {
    use argon2::password_hash::{PasswordVerifier, phc::PasswordHash};
    let s = Server::demo();
    ok(upd(&s, &[("user_id", "5"), ("pswd", "n3w-Passw0rd")]));
    let stored = s.value("SELECT password FROM users WHERE id = 5");
    assert!(stored.starts_with("$argon2id$"), "{stored}");
    let parsed = PasswordHash::new(&stored).unwrap();
    assert!(
        argon2::Argon2::default()
            .verify_password(b"n3w-Passw0rd", &parsed)
            .is_ok()
    );
    assert!(
        argon2::Argon2::default()
            .verify_password(b"wrong", &parsed)
            .is_err()
    );
    assert!(
        !s.value("SELECT password_changed_at FROM users WHERE id = 5")
            .is_empty()
    );
    // The audit says a password changed, and never what it is.
    assert_eq!(
        count(
            &s,
            "SELECT COUNT(*) FROM actions WHERE action = 'password_changed' AND target_id = 5 AND user_id = 0"
        ),
        1
    );
    assert_eq!(
        count(
            &s,
            "SELECT COUNT(*) FROM actions WHERE data2 LIKE '%argon2%' OR data2 LIKE '%n3w-Passw0rd%' OR data LIKE '%n3w%'"
        ),
        0
    );
    // Nor does the raw call show it.
    let r = s.signed(
        "user_details_raw_get",
        &[("u", "admin"), ("user_id", "5")],
        &["u", "user_id"],
        "secret",
    );
    assert!(!r.body.contains("argon2"));
}

#[test]
fn password_rules_follow_the_settings() {
    let s = Server::demo();
    let before = s.value("SELECT password FROM users WHERE id = 5");
    // Demo: minimum 8, strong off.
    upd(&s, &[("user_id", "5"), ("pswd", "short")]).is(&page_error(
        "User was not updated",
        &["Password is too short (minimum is 8 characters)"],
    ));
    s.sql(
        "UPDATE conflines SET value = '1' WHERE name = 'Use_strong_password';
           UPDATE conflines SET value = '6' WHERE name = 'Default_User_password_length';",
    );
    upd(&s, &[("user_id", "5"), ("pswd", "alllower")]).is(&page_error(
        "User was not updated",
        &["Password is too weak: it must contain an uppercase letter, a lowercase letter and a digit"],
    ));
    upd(&s, &[("user_id", "5"), ("pswd", "abc")]).is(&page_error(
        "User was not updated",
        &[
            "Password is too short (minimum is 8 characters)",
            "Password is too weak: it must contain an uppercase letter, a lowercase letter and a digit",
        ],
    ));
    assert_eq!(s.value("SELECT password FROM users WHERE id = 5"), before);
    ok(upd(&s, &[("user_id", "5"), ("pswd", "Strong1pass")]));
}

#[test]
fn username_rules() {
    let s = Server::demo();
    upd(&s, &[("user_id", "5"), ("u9", "user2")]).is(&page_error(
        "User was not updated",
        &["Username has already been taken"],
    ));
    upd(&s, &[("user_id", "5"), ("u9", "ab")]).is(&page_error(
        "User was not updated",
        &["Username is too short (minimum is 3 characters)"],
    ));
    upd(&s, &[("user_id", "5"), ("u9", "")]).is(&page_error(
        "User was not updated",
        &["Username is too short (minimum is 3 characters)"],
    ));
    // Its own name is not "taken".
    ok(upd(&s, &[("user_id", "5"), ("u9", "user1")]));
    ok(upd(&s, &[("user_id", "5"), ("u9", "renamed")]));
    assert_eq!(
        s.value("SELECT username FROM users WHERE id = 5"),
        "renamed"
    );
    // The new name is the caller's name from now on, for the user's own calls.
    let r = s.signed(
        "user_details_get",
        &[("u", "renamed"), ("user_id", "5")],
        &["user_id"],
        "secret",
    );
    assert!(r.xml().contains("<username>renamed</username>"));
}

#[test]
fn other_validation_messages() {
    let s = Server::demo();
    let nu = |msgs: &[&str]| page_error("User was not updated", msgs);
    upd(&s, &[("user_id", "5"), ("a8", "not-an-email")])
        .is(&nu(&["Email is not a valid e-mail address"]));
    upd(&s, &[("user_id", "5"), ("u22", "x@y")])
        .is(&nu(&["Recordings email is not a valid e-mail address"]));
    ok(upd(&s, &[("user_id", "5"), ("a8", "")]));
    upd(&s, &[("user_id", "5"), ("time_zone", "Mars/Olympus")])
        .is(&nu(&["Time zone is not valid"]));
    ok(upd(&s, &[("user_id", "5"), ("time_zone", "Europe/Berlin")]));
    upd(&s, &[("user_id", "5"), ("enable_static_list", "maybe")]).is(&nu(&[
        "Enable static list must be one of: no, blacklist, whitelist",
    ]));
    upd(&s, &[("user_id", "5"), ("static_list_id", "3")]).is(&nu(&["Static list was not found"]));
    upd(&s, &[("user_id", "5"), ("u4", "99")]).is(&nu(&["Currency was not found"]));
    upd(&s, &[("user_id", "5"), ("u2", "noon")])
        .is(&nu(&["Warning email hour must be a whole number"]));
    upd(&s, &[("user_id", "5"), ("u6", "abc")])
        .is(&nu(&["Warning email balance must be a number"]));
    upd(&s, &[("user_id", "5"), ("max_devices", "-1")]).is(&nu(&["Max devices must be 0 or more"]));
    // Several at once, one message each, in the table's order.
    upd(
        &s,
        &[
            ("user_id", "5"),
            ("time_zone", "Nowhere"),
            ("u9", "user2"),
            ("a8", "bad"),
            ("ay", "2023"),
        ],
    )
    .is(&nu(&[
        "Username has already been taken",
        "Email is not a valid e-mail address",
        "Time zone is not valid",
        "Agreement date is not a valid date",
    ]));
}

#[test]
fn two_factor_rules() {
    let s = Server::demo();
    let nu = |msgs: &[&str]| page_error("User was not updated", msgs);
    upd(&s, &[("user_id", "5"), ("two_fa_enabled", "1")]).is(&nu(&[
        "Two-factor authentication is disabled in the system settings",
    ]));
    // Turning it off is always fine.
    ok(upd(&s, &[("user_id", "5"), ("two_fa_enabled", "0")]));
    s.sql("UPDATE conflines SET value = '1' WHERE name = 'Two_FA_enabled';");
    ok(upd(&s, &[("user_id", "5"), ("two_fa_enabled", "1")]));
    assert_eq!(
        s.value("SELECT two_fa_enabled FROM users WHERE id = 5"),
        "1"
    );
    // user2 has no address, so no e-mail...
    upd(&s, &[("user_id", "6"), ("two_fa_enabled", "1")]).is(&nu(&[
        "Two-factor authentication needs the user's e-mail address",
    ]));
    // ...unless the same request gives one.
    ok(upd(
        &s,
        &[
            ("user_id", "6"),
            ("a8", "maria@example.es"),
            ("two_fa_enabled", "1"),
        ],
    ));
    assert_eq!(
        s.value("SELECT two_fa_enabled FROM users WHERE id = 6"),
        "1"
    );
}

#[test]
fn tariff_references() {
    let s = Server::demo();
    let nf = err("Tariff not found");
    ok(upd(&s, &[("user_id", "5"), ("u5", "1")]));
    ok(upd(&s, &[("user_id", "5"), ("u5", "2")]));
    for bad in ["3", "4", "7", "999", "x", ""] {
        upd(&s, &[("user_id", "5"), ("u5", bad)]).is(&nf);
    }
    // Reseller 1: its own non-provider tariffs, and the system's while the setting is on.
    let r1 = |v: &str| {
        upd_key(
            &s,
            "reseller1",
            "reseller1secret",
            &[("user_id", "10"), ("u5", v)],
        )
    };
    ok(r1("4"));
    ok(r1("5"));
    ok(r1("1"));
    ok(r1("2"));
    r1("6").is(&nf);
    r1("3").is(&nf);
    r1("7").is(&nf);
    s.sql("UPDATE conflines SET value = '0' WHERE name = 'Allow_Resellers_to_use_Admin_Tariffs';");
    r1("1").is(&nf);
    ok(r1("4"));
    assert_eq!(s.value("SELECT tariff_id FROM users WHERE id = 10"), "4");
}

#[test]
fn lcr_references() {
    let s = Server::demo();
    let nf = err("LCR was not found");
    ok(upd(&s, &[("user_id", "5"), ("u1", "2")]));
    upd(&s, &[("user_id", "5"), ("u1", "3")]).is(&nf);
    upd(&s, &[("user_id", "5"), ("u1", "0")]).is(&nf);
    // For a reseller's user: the reseller's LCRs.
    ok(upd(&s, &[("user_id", "10"), ("u1", "4")]));
    upd(&s, &[("user_id", "10"), ("u1", "1")]).is(&nf);
    ok(upd_key(
        &s,
        "reseller1",
        "reseller1secret",
        &[("user_id", "11"), ("u1", "4")],
    ));
    upd_key(
        &s,
        "reseller1",
        "reseller1secret",
        &[("user_id", "11"), ("u1", "5")],
    )
    .is(&nf);
}

#[test]
fn quick_forward_rule_references() {
    let s = Server::demo();
    let nf = err("Quickforward Rule was not found");
    ok(upd(&s, &[("user_id", "5"), ("u16", "1")]));
    ok(upd(&s, &[("user_id", "5"), ("u16", "0")]));
    upd(&s, &[("user_id", "5"), ("u16", "3")]).is(&nf);
    let r1 = |v: &str| {
        upd_key(
            &s,
            "reseller1",
            "reseller1secret",
            &[("user_id", "10"), ("u16", v)],
        )
    };
    ok(r1("3"));
    ok(r1("0"));
    r1("1").is(&nf);
    s.sql("UPDATE conflines SET value = '1' WHERE name = 'Allow_Resellers_to_use_Admin_Quick_Forward_Rules';");
    ok(r1("1"));
    assert_eq!(
        s.value("SELECT quickforwards_rule_id FROM users WHERE id = 10"),
        "1"
    );
}

#[test]
fn pbx_pool_and_responsible_accountant_references() {
    let s = Server::demo();
    ok(upd(&s, &[("user_id", "5"), ("u29", "2")]));
    upd(&s, &[("user_id", "5"), ("u29", "3")]).is(&err("PBX Pool was not found"));
    ok(upd_key(
        &s,
        "reseller1",
        "reseller1secret",
        &[("user_id", "10"), ("u29", "3")],
    ));
    upd_key(
        &s,
        "reseller1",
        "reseller1secret",
        &[("user_id", "10"), ("u29", "1")],
    )
    .is(&err("PBX Pool was not found"));
    let bad = err("Responsible accountant is not valid");
    ok(upd(&s, &[("user_id", "5"), ("u31", "8")]));
    ok(upd(&s, &[("user_id", "5"), ("u31", "-1")]));
    assert_eq!(
        s.value("SELECT responsible_accountant_id FROM users WHERE id = 5"),
        "-1"
    );
    for v in ["5", "0", "2", "999", "-2", "x"] {
        upd(&s, &[("user_id", "5"), ("u31", v)]).is(&bad);
    }
    upd_key(
        &s,
        "reseller1",
        "reseller1secret",
        &[("user_id", "10"), ("u31", "7")],
    )
    .is(&bad);
    ok(upd_key(
        &s,
        "reseller1",
        "reseller1secret",
        &[("user_id", "10"), ("u31", "-1")],
    ));
}

#[test]
fn reach_admin_and_reseller() {
    let s = Server::demo();
    for id in ["0", "2", "5", "7", "10", "123"] {
        ok(upd(&s, &[("user_id", id), ("u33", "seen")]));
    }
    upd(&s, &[("user_id", "999")]).is(&err("User was not found"));
    upd(&s, &[]).is(&err("User was not found"));
    // A user_id that is not all digits is not hashed and names nobody.
    s.signed(UPD, &[("u", "admin"), ("user_id", "abc")], &[], "secret")
        .is(&err("User was not found"));
    let r1 = |id: &str| {
        upd_key(
            &s,
            "reseller1",
            "reseller1secret",
            &[("user_id", id), ("u33", "r1")],
        )
    };
    ok(r1("2"));
    ok(r1("10"));
    ok(r1("11"));
    for id in ["0", "3", "5", "12", "123"] {
        r1(id).is(&err("User was not found"));
    }
}

#[test]
fn reach_accountant_manager_and_user() {
    let s = Server::demo();
    let acc = |id: &str| {
        upd_key(
            &s,
            "accountant",
            "secret",
            &[("user_id", id), ("u33", "acc")],
        )
    };
    ok(acc("5"));
    ok(acc("2"));
    ok(acc("8"));
    for id in ["0", "7", "10", "999"] {
        acc(id).is(&err("User was not found"));
    }
    // Read-only group and no-right group.
    upd_key(&s, "manager", "secret", &[("user_id", "5")])
        .is(&err("You have no editing permission"));
    upd_key(&s, "accountant2", "secret", &[("user_id", "5")])
        .is(&err("You have no editing permission"));
    // A manager in the read/write group may.
    s.sql("UPDATE users SET acc_group_id = 1 WHERE id = 8;");
    ok(upd_key(
        &s,
        "manager",
        "secret",
        &[("user_id", "5"), ("u33", "mgr")],
    ));
    // A user never, not even itself.
    upd_key(&s, "user1", "secret", &[("user_id", "5")]).is(&err("Access Denied"));
    upd_key(&s, "user1", "secret", &[("user_id", "999")]).is(&err("Access Denied"));
}

#[test]
fn usertype_rules() {
    let s = Server::demo();
    let denied = err("Access Denied");
    let r1 = |v: &str| {
        upd_key(
            &s,
            "reseller1",
            "reseller1secret",
            &[("user_id", "10"), ("u13", v)],
        )
    };
    ok(r1("user"));
    r1("admin").is(&denied);
    r1("reseller").is(&denied);
    r1("").is(&denied);
    let acc = |v: &str| upd_key(&s, "accountant", "secret", &[("user_id", "5"), ("u13", v)]);
    acc("admin").is(&denied);
    ok(acc("reseller"));
    ok(acc("user"));
    ok(upd(&s, &[("user_id", "5"), ("u13", "admin")]));
    // usertype is never written.
    assert_eq!(s.value("SELECT usertype FROM users WHERE id = 5"), "user");
    assert_eq!(s.value("SELECT usertype FROM users WHERE id = 10"), "user");
    // Access Denied comes before a reference error and validation.
    r1("admin").is(&denied);
    upd_key(
        &s,
        "reseller1",
        "reseller1secret",
        &[("user_id", "10"), ("u5", "999"), ("u13", "admin")],
    )
    .is(&denied);
}

#[test]
fn max_devices_only_for_admin_and_accountant() {
    let s = Server::demo();
    ok(upd(&s, &[("user_id", "2"), ("max_devices", "10")]));
    ok(upd_key(
        &s,
        "accountant",
        "secret",
        &[("user_id", "2"), ("max_devices", "0")],
    ));
    assert_eq!(s.value("SELECT max_devices FROM users WHERE id = 2"), "0");
    let denied = err("Access Denied");
    upd_key(
        &s,
        "reseller1",
        "reseller1secret",
        &[("user_id", "2"), ("max_devices", "3")],
    )
    .is(&denied);
    upd_key(
        &s,
        "reseller1",
        "reseller1secret",
        &[("user_id", "10"), ("max_devices", "3")],
    )
    .is(&denied);
    s.sql("UPDATE users SET acc_group_id = 1, show_only_assigned_users = 0 WHERE id = 8;");
    upd_key(
        &s,
        "manager",
        "secret",
        &[("user_id", "2"), ("max_devices", "3")],
    )
    .is(&denied);
    assert_eq!(s.value("SELECT max_devices FROM users WHERE id = 2"), "0");
}

#[test]
fn reference_errors_come_before_validation_and_in_table_order() {
    let s = Server::demo();
    upd(
        &s,
        &[
            ("user_id", "5"),
            ("u9", "user2"),
            ("u31", "5"),
            ("u5", "999"),
        ],
    )
    .is(&err("Tariff not found"));
    upd(&s, &[("user_id", "5"), ("u5", "999"), ("u1", "999")]).is(&err("LCR was not found"));
}

#[test]
fn all_or_nothing_when_a_request_fails_late() {
    let s = Server::demo();
    let users = row(&s, "users", 5);
    let address = row(&s, "addresses", 1);
    let taxes = row(&s, "taxes", 1);
    let actions = count(&s, "SELECT COUNT(*) FROM actions");
    let addresses = count(&s, "SELECT COUNT(*) FROM addresses");
    let early = [
        ("user_id", "5"),
        ("u0", "CHANGED"),
        ("u15", "1"),
        ("u17", "Changed"),
        ("credit", "1"),
        ("a1", "Changed city"),
        ("tax1_value", "99"),
        ("pswd", "Changed-pass-1"),
    ];
    // Late failures of every kind: validation, reference, access.
    for late in [
        ("max_devices", "-1"),
        ("u31", "5"),
        ("two_fa_enabled", "1"),
        ("time_zone", "x"),
        ("u29", "99"),
    ] {
        let mut p = early.to_vec();
        p.push(late);
        let r = upd(&s, &p);
        assert!(
            r.xml().starts_with("<page>\n  <error>"),
            "{late:?}: {}",
            r.body
        );
        assert_eq!(row(&s, "users", 5), users, "{late:?}");
        assert_eq!(row(&s, "addresses", 1), address);
        assert_eq!(row(&s, "taxes", 1), taxes);
        assert_eq!(count(&s, "SELECT COUNT(*) FROM actions"), actions);
        assert_eq!(count(&s, "SELECT COUNT(*) FROM addresses"), addresses);
    }
    // A user without an address: the new address row is not left behind either.
    let r = upd(&s, &[("user_id", "6"), ("a1", "x"), ("u29", "99")]);
    r.is(&err("PBX Pool was not found"));
    assert_eq!(count(&s, "SELECT COUNT(*) FROM addresses"), addresses);
    assert_eq!(s.value("SELECT address_id FROM users WHERE id = 6"), "0");
}

#[test]
fn audit_rows_name_caller_target_and_each_change() {
    let s = Server::demo();
    ok(upd_key(
        &s,
        "reseller1",
        "reseller1secret",
        &[
            ("user_id", "10"),
            ("u15", "1"),
            ("u17", "Schmitt"),
            ("a1", "Hamburg"),
            ("u33", ""),
        ],
    ));
    let rows: Vec<(i64, i64, String, String, String)> = s
        .conn()
        .prepare("SELECT user_id, target_id, action, data, data2 FROM actions ORDER BY id")
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let changes: Vec<(&str, &str)> = rows.iter().map(|r| (r.3.as_str(), r.4.as_str())).collect();
    assert_eq!(
        changes,
        [
            ("addresses.city", r#"{"new":"Hamburg","old":"Berlin"}"#),
            ("users.blocked", r#"{"new":"1","old":"0"}"#),
            ("users.last_name", r#"{"new":"Schmitt","old":"Schmidt"}"#),
        ]
    );
    assert!(
        rows.iter()
            .all(|r| r.0 == 2 && r.1 == 10 && r.2 == "user_updated")
    );
    let date = s.value("SELECT date FROM actions LIMIT 1");
    assert_eq!(date.len(), 19, "{date}");
    // An update that changes nothing writes no audit row; a refused one neither.
    ok(upd_key(
        &s,
        "reseller1",
        "reseller1secret",
        &[("user_id", "10"), ("u15", "1")],
    ));
    upd(&s, &[("user_id", "10"), ("u5", "999")]);
    assert_eq!(count(&s, "SELECT COUNT(*) FROM actions"), 3);
}

#[test]
fn reseller_lcr_cascades_to_its_users_without_own_providers() {
    let s = Server::demo();
    ok(upd(&s, &[("user_id", "2"), ("u1", "2")]));
    assert_eq!(s.value("SELECT lcr_id FROM users WHERE id = 2"), "2");
    assert_eq!(
        s.value("SELECT group_concat(lcr_id) FROM users WHERE owner_id = 2"),
        "2,2"
    );
    // Reseller 2 has own providers: its users keep theirs.
    ok(upd(&s, &[("user_id", "3"), ("u1", "2")]));
    assert_eq!(s.value("SELECT lcr_id FROM users WHERE id = 12"), "5");
    // Turning own providers off in the same request cascades.
    ok(upd(
        &s,
        &[("user_id", "3"), ("u1", "1"), ("own_providers", "0")],
    ));
    assert_eq!(s.value("SELECT lcr_id FROM users WHERE id = 12"), "1");
    // A plain user's LCR change touches nobody else.
    ok(upd(&s, &[("user_id", "5"), ("u1", "2")]));
    assert_eq!(s.value("SELECT lcr_id FROM users WHERE id = 6"), "1");
}

#[test]
fn body_encodings_reach_the_update() {
    let s = Server::demo();
    let h = sha1_hex("51secret");
    let body = format!(r#"{{"u":"admin","user_id":5,"u15":true,"hash":"{h}"}}"#);
    ok(s.send(
        "POST",
        "/api/user_details_update",
        Some("application/json"),
        body.as_bytes(),
    ));
    assert_eq!(s.value("SELECT blocked FROM users WHERE id = 5"), "1");
    let h = sha1_hex("512.5secret");
    let body = format!(r#"{{"u":"admin","user_id":"5","credit":12.50,"hash":"{h}"}}"#);
    ok(s.send(
        "POST",
        "/api/user_details_update",
        Some("application/json"),
        body.as_bytes(),
    ));
    assert_eq!(s.value("SELECT credit FROM users WHERE id = 5"), "12.5");
}
