//! The caller and the gates shared by every call (docs/README.md), in their order.

use crate::util::*;

const GET: &str = "user_details_get";
const RAW: &str = "user_details_raw_get";
const UPD: &str = "user_details_update";

/// user_details_get for `u` about user_id, signed with `key`.
fn get_as(s: &Server, u: &str, user_id: &str, key: &str) -> Resp {
    s.signed(
        GET,
        &[("u", u), ("user_id", user_id)],
        &["user_id", "username"],
        key,
    )
}

fn found(r: &Resp, id: &str) {
    assert_eq!(r.status, 200);
    assert!(
        r.xml().contains(&format!("<userid>{id}</userid>")),
        "{}",
        r.body
    );
}

#[test]
fn unknown_or_missing_caller_is_access_denied_in_each_calls_wrapper() {
    let s = Server::with_sql("UPDATE conflines SET value = '0' WHERE name = 'Allow_API';");
    // Gate 1 comes first: even with the API off, an unknown caller learns nothing else.
    get_as(&s, "nobody", "5", "secret").is(&bare_error("Access Denied"));
    s.post(GET, &[("user_id", "5")])
        .is(&bare_error("Access Denied"));
    s.signed(
        RAW,
        &[("u", "nobody"), ("user_id", "5")],
        &["u", "user_id"],
        "secret",
    )
    .is(&page_status_error("Access Denied"));
    s.signed(
        UPD,
        &[("u", "nobody"), ("user_id", "5")],
        &["user_id"],
        "secret",
    )
    .is(&page_error("Access Denied", &[]));
}

#[test]
fn api_disabled_in_the_system_scope() {
    let s = Server::with_sql(
        "UPDATE conflines SET value = '0' WHERE name = 'Allow_API' AND owner_id = 0;",
    );
    for call in [GET, RAW, UPD] {
        s.signed(
            call,
            &[("u", "admin"), ("user_id", "5")],
            &["user_id"],
            "secret",
        )
        .is(&gate_error("API Requests are disabled"));
    }
    // A user of the system scope too.
    get_as(&s, "user1", "5", "secret").is(&gate_error("API Requests are disabled"));
    // A reseller with its own Allow_API still passes.
    found(&get_as(&s, "reseller1", "2", "reseller1secret"), "2");
}

#[test]
fn missing_allow_api_row_reads_as_off() {
    let s = Server::with_sql("DELETE FROM conflines WHERE name = 'Allow_API';");
    get_as(&s, "admin", "5", "secret").is(&gate_error("API Requests are disabled"));
    get_as(&s, "reseller1", "2", "reseller1secret").is(&gate_error("API Requests are disabled"));
}

#[test]
fn reseller_scope_allow_api() {
    // Reseller 2 has no own Allow_API: the system's 1 lets a reseller through...
    let s = Server::with_sql("DELETE FROM conflines WHERE owner_id = 2 AND name = 'Allow_API';");
    found(&get_as(&s, "reseller1", "2", "reseller1secret"), "2");
    // ...but not the reseller's users, whose scope is the reseller's.
    get_as(&s, "r1_user1", "10", "reseller1secret").is(&gate_error("API Requests are disabled"));
    // With the reseller's own Allow_API on, its users pass.
    s.sql("INSERT INTO conflines (name, value, owner_id) VALUES ('Allow_API', '1', 2);");
    found(&get_as(&s, "r1_user1", "10", "reseller1secret"), "10");
    // The reseller's own 0 with the system at 0 refuses the reseller.
    s.sql("UPDATE conflines SET value = '0' WHERE name = 'Allow_API';");
    get_as(&s, "reseller1", "2", "reseller1secret").is(&gate_error("API Requests are disabled"));
}

#[test]
fn get_requests_need_allow_get_api() {
    let s = Server::with_sql("UPDATE conflines SET value = '0' WHERE name = 'Allow_GET_API';");
    let hash = sha1_hex("5secret");
    for call in [GET, RAW, UPD] {
        s.get(call, &[("u", "admin"), ("user_id", "5"), ("hash", &hash)])
            .is(&gate_error("GET Requests are disabled"));
    }
    // POST is unaffected.
    found(&get_as(&s, "admin", "5", "secret"), "5");
    // GET comes after Allow_API: with the API off too, that is the answer.
    s.sql("UPDATE conflines SET value = '0' WHERE name = 'Allow_API';");
    s.get(GET, &[("u", "admin"), ("user_id", "5"), ("hash", &hash)])
        .is(&gate_error("API Requests are disabled"));
    // And before the hash: a wrong hash on a GET says GET.
    s.sql("UPDATE conflines SET value = '1' WHERE name = 'Allow_API';");
    s.get(GET, &[("u", "admin"), ("user_id", "5"), ("hash", "bad")])
        .is(&gate_error("GET Requests are disabled"));
    s.sql("UPDATE conflines SET value = '1' WHERE name = 'Allow_GET_API';");
    found(
        &s.get(GET, &[("u", "admin"), ("user_id", "5"), ("hash", &hash)]),
        "5",
    );
}

#[test]
fn no_secret_key() {
    let s =
        Server::with_sql("DELETE FROM conflines WHERE name = 'API_Secret_Key' AND owner_id = 0;");
    for call in [GET, RAW, UPD] {
        s.signed(call, &[("u", "admin"), ("user_id", "5")], &["user_id"], "")
            .is(&gate_error("API must have Secret Key"));
    }
    // An empty value is no key either.
    s.sql("INSERT INTO conflines (name, value, owner_id) VALUES ('API_Secret_Key', '', 0);");
    get_as(&s, "admin", "5", "").is(&gate_error("API must have Secret Key"));
    // Reseller 3 has no own key and the system has none: no key at all.
    get_as(&s, "reseller2", "3", "").is(&gate_error("API must have Secret Key"));
}

#[test]
fn incorrect_hash_variants() {
    let s = Server::demo();
    let good = sha1_hex("5secret");
    found(
        &s.post(GET, &[("u", "admin"), ("user_id", "5"), ("hash", &good)]),
        "5",
    );
    let upper = good.to_uppercase();
    let short = &good[..39];
    let long = format!("{good}0");
    let wrong_key = sha1_hex("5wrong");
    let key_only = sha1_hex("secret");
    let with_u = sha1_hex("admin5secret");
    for bad in [
        upper.as_str(),
        short,
        long.as_str(),
        wrong_key.as_str(),
        key_only.as_str(),
        with_u.as_str(),
        "",
        " ",
    ] {
        s.post(GET, &[("u", "admin"), ("user_id", "5"), ("hash", bad)])
            .is(&gate_error("Incorrect hash"));
    }
    // No hash at all.
    s.post(GET, &[("u", "admin"), ("user_id", "5")])
        .is(&gate_error("Incorrect hash"));
    // A duplicated hash: the last one counts.
    found(
        &s.post(
            GET,
            &[
                ("u", "admin"),
                ("user_id", "5"),
                ("hash", "bad"),
                ("hash", &good),
            ],
        ),
        "5",
    );
}

#[test]
fn hash_parameters_and_their_order() {
    let s = Server::demo();
    // user_details_get hashes user_id then username; u is not hashed.
    let h = sha1_hex("5user1secret");
    found(
        &s.post(
            GET,
            &[
                ("u", "admin"),
                ("username", "user1"),
                ("user_id", "5"),
                ("hash", &h),
            ],
        ),
        "5",
    );
    let reversed = sha1_hex("user15secret");
    s.post(
        GET,
        &[
            ("u", "admin"),
            ("user_id", "5"),
            ("username", "user1"),
            ("hash", &reversed),
        ],
    )
    .is(&gate_error("Incorrect hash"));
    // Unknown parameters are neither hashed nor an error.
    found(
        &s.post(
            GET,
            &[
                ("u", "admin"),
                ("user_id", "5"),
                ("extra", "x"),
                ("hash", &sha1_hex("5secret")),
            ],
        ),
        "5",
    );
    // user_details_raw_get hashes u then user_id.
    let r = s.post(
        RAW,
        &[
            ("u", "admin"),
            ("user_id", "5"),
            ("hash", &sha1_hex("admin5secret")),
        ],
    );
    assert!(r.xml().contains("<id>5</id>"));
}

#[test]
fn user_id_is_hashed_as_a_plain_integer() {
    let s = Server::demo();
    // 007 is hashed (and looked up) as 7.
    found(
        &s.post(
            GET,
            &[
                ("u", "admin"),
                ("user_id", "007"),
                ("hash", &sha1_hex("7secret")),
            ],
        ),
        "7",
    );
    s.post(
        GET,
        &[
            ("u", "admin"),
            ("user_id", "007"),
            ("hash", &sha1_hex("007secret")),
        ],
    )
    .is(&gate_error("Incorrect hash"));
    // A user_id that is not all digits is left out of the hash and counts as not given.
    let h = sha1_hex("user1secret");
    found(
        &s.post(
            GET,
            &[
                ("u", "admin"),
                ("user_id", "5x"),
                ("username", "user1"),
                ("hash", &h),
            ],
        ),
        "5",
    );
    s.post(
        GET,
        &[
            ("u", "admin"),
            ("user_id", "-5"),
            ("hash", &sha1_hex("secret")),
        ],
    )
    .is(&bare_error("User was not found"));
}

#[test]
fn hash_checking_disabled() {
    let s = Server::with_sql(
        "UPDATE conflines SET value = '1' WHERE name = 'API_Disable_hash_checking';",
    );
    found(&s.post(GET, &[("u", "admin"), ("user_id", "5")]), "5");
    found(
        &s.post(
            GET,
            &[("u", "admin"), ("user_id", "5"), ("hash", "anything")],
        ),
        "5",
    );
    // Disabled with no key at all: still no check.
    s.sql("DELETE FROM conflines WHERE name = 'API_Secret_Key';");
    found(&s.post(GET, &[("u", "admin"), ("user_id", "5")]), "5");
}

#[test]
fn hash_checking_disabled_per_reseller() {
    let s = Server::with_sql(
        "INSERT INTO conflines (name, value, owner_id) VALUES ('API_Disable_hash_checking', '1', 2);",
    );
    found(&s.post(GET, &[("u", "reseller1"), ("user_id", "2")]), "2");
    // Not for the system scope...
    s.post(GET, &[("u", "admin"), ("user_id", "5")])
        .is(&gate_error("Incorrect hash"));
    // ...nor for another reseller.
    s.post(GET, &[("u", "reseller2"), ("user_id", "3")])
        .is(&gate_error("Incorrect hash"));
}

#[test]
fn reseller_passes_when_the_system_disables_hash_checking_with_api_on() {
    let s = Server::with_sql(
        "UPDATE conflines SET value = '1' WHERE name = 'API_Disable_hash_checking' AND owner_id = 0;",
    );
    found(&s.post(GET, &[("u", "reseller2"), ("user_id", "3")]), "3");
    // With the system Allow_API off, the system's setting no longer reaches the reseller.
    // Reseller 2 has no key of its own, and the system key is out of reach: no key at all.
    s.sql("UPDATE conflines SET value = '0' WHERE name = 'Allow_API' AND owner_id = 0;");
    s.post(GET, &[("u", "reseller2"), ("user_id", "3")])
        .is(&gate_error("API must have Secret Key"));
    s.post(GET, &[("u", "reseller1"), ("user_id", "2")])
        .is(&gate_error("Incorrect hash"));
}

#[test]
fn reseller_may_sign_with_the_system_key_while_system_api_is_on() {
    let s = Server::demo();
    found(&get_as(&s, "reseller1", "2", "reseller1secret"), "2");
    found(&get_as(&s, "reseller1", "2", "secret"), "2");
    // Reseller 2 has no key of its own: the system key serves.
    found(&get_as(&s, "reseller2", "3", "secret"), "3");
    // A user of the reseller signs with the reseller's key only.
    s.sql("INSERT INTO conflines (name, value, owner_id) VALUES ('Allow_API', '1', 2) ON CONFLICT DO NOTHING;");
    found(&get_as(&s, "r1_user1", "10", "reseller1secret"), "10");
    get_as(&s, "r1_user1", "10", "secret").is(&gate_error("Incorrect hash"));
    // Another reseller's key is not accepted.
    get_as(&s, "reseller1", "2", "456789").is(&gate_error("Incorrect hash"));
    // With the system API off, only the reseller's own key.
    s.sql("UPDATE conflines SET value = '0' WHERE name = 'Allow_API' AND owner_id = 0;");
    get_as(&s, "reseller1", "2", "secret").is(&gate_error("Incorrect hash"));
    found(&get_as(&s, "reseller1", "2", "reseller1secret"), "2");
    get_as(&s, "reseller2", "3", "secret").is(&gate_error("API must have Secret Key"));
    // With its own Allow_API off as well, the reseller is refused at gate 2.
    s.sql("UPDATE conflines SET value = '0' WHERE name = 'Allow_API' AND owner_id = 3;");
    get_as(&s, "reseller2", "3", "secret").is(&gate_error("API Requests are disabled"));
}

#[test]
fn staff_use_the_system_scope() {
    let s = Server::demo();
    found(&get_as(&s, "accountant", "7", "secret"), "7");
    found(&get_as(&s, "manager", "8", "secret"), "8");
    get_as(&s, "accountant", "7", "reseller1secret").is(&gate_error("Incorrect hash"));
}
