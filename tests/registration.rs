//! user_register (docs/accounts.md) on fixture F: the worked examples, the refusals in their
//! order (each writing nothing), and what the new user gets.

use crate::util::*;

fn counts(s: &Server) -> String {
    s.value("SELECT (SELECT COUNT(*) FROM users) || '/' || (SELECT COUNT(*) FROM addresses) || '/' || (SELECT COUNT(*) FROM taxes) || '/' || (SELECT COUNT(*) FROM devices) || '/' || (SELECT COUNT(*) FROM callerids)")
}

#[test]
fn registration_under_the_admin() {
    let s = Server::fixture_f(&[]);
    // The example's hash, as the spec spells it.
    assert_eq!(
        sign(CAROL, REGISTER_HASHED, "secret"),
        "4748f2cde89f98ad1c128cc9575c81cfb1b8cf7a"
    );
    let r = s.signed("user_register", CAROL, REGISTER_HASHED, "secret");
    assert_eq!(r.status, 200, "{}", r.body);
    let body = r.xml();
    let password = field(body, "password");
    let pin = field(body, "pin");
    assert_eq!(password.len(), 12);
    assert!(
        password
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    );
    assert_eq!(pin.len(), 6);
    assert!(pin.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(
        body,
        format!(
            "<page>\n  <status>\n    <success>Registration successful</success>\n  </status>\n  <user_device_settings>\n    <user_id>6</user_id>\n    <device_type>SIP</device_type>\n    <device_id>2</device_id>\n    <username>1001</username>\n    <password>{password}</password>\n    <pin>{pin}</pin>\n    <server_ip>10.0.0.5</server_ip>\n    <registration_notice>*ATTENTION! These settings are for you to configure your DEVICE. \nIn order to login to this system you need to use settings you have entered before!</registration_notice>\n  </user_device_settings>\n</page>\n"
        )
    );
    assert_eq!(
        s.value("SELECT owner_id || '|' || tariff_id || '|' || lcr_id || '|' || currency_id || '|' || agreement_number || '|' || taxation_country || '|' || primary_device_id || '|' || usertype || '|' || length(uniquehash) || '|' || logged FROM users WHERE id = 6"),
        "0|1|1|1|0000000004|1|2|user|10|0"
    );
    assert!(
        s.value("SELECT password FROM users WHERE id = 6")
            .starts_with("$argon2id$")
    );
    assert_eq!(
        s.value("SELECT a.direction_id || '|' || a.email FROM users u JOIN addresses a ON a.id = u.address_id WHERE u.id = 6"),
        "1|new@example.com"
    );
    assert_eq!(
        s.value("SELECT device_type || '|' || extension || '|' || name || '|' || port || '|' || context || '|' || host || '|' || user_id || '|' || secret || '|' || pin FROM devices WHERE id = 2"),
        format!("SIP|1001|1001|5060|mor_local|dynamic|6|{password}|{pin}")
    );
    assert_eq!(
        s.value("SELECT COUNT(*) FROM taxes WHERE id = (SELECT tax_id FROM users WHERE id = 6)"),
        "1"
    );
    assert_eq!(
        s.value("SELECT user_id || '|' || target_id || '|' || data FROM actions WHERE action = 'user_registered'"),
        "0|6|carol"
    );
    // The new user logs in with the password it registered.
    let r = s.signed(
        "user_login",
        &[("u", "carol"), ("p", "Carol1234")],
        &["u", "p"],
        "secret",
    );
    assert!(r.xml().contains("<user_id>6</user_id>"), "{}", r.body);
    // Sending lcr_id changes the hash string.
    let mut with_lcr = CAROL.to_vec();
    with_lcr.push(("lcr_id", "1"));
    assert_eq!(
        sign(&with_lcr, REGISTER_HASHED, "secret"),
        "fc203d091f662fbd4903ec3fbc079436890f1647"
    );
}

#[test]
fn registration_refusals_write_nothing() {
    let s = Server::fixture_f(&[]);
    let before = counts(&s);
    // 2. Under the reseller, no password; its key and the system key both sign.
    let dan = [
        ("id", "r3s3ll3r00"),
        ("username", "dan"),
        ("first_name", "Dan"),
        ("last_name", "Brown"),
        ("country_id", "2"),
        ("email", "dan@example.com"),
        ("device_type", "IAX2"),
    ];
    assert_eq!(
        sign(&dan, REGISTER_HASHED, "rsecret"),
        "efec25237b328d0ac85239b8e9274f1c933a5ad3"
    );
    let refused = page_status_error("Please enter password");
    s.signed("user_register", &dan, REGISTER_HASHED, "rsecret")
        .is(&refused);
    s.signed("user_register", &dan, REGISTER_HASHED, "secret")
        .is(&refused);
    // 3. Unknown owner: no hash needed.
    s.post("user_register", &[("id", "nosuchhash"), ("username", "x")])
        .is(&page_status_error("Access Denied"));
    // A plain user's uniquehash: Access Denied.
    let mut as_alice = CAROL.to_vec();
    as_alice[0] = ("id", "a1b2c3d4e5");
    s.signed("user_register", &as_alice, REGISTER_HASHED, "secret")
        .is(&page_status_error("Access Denied"));
    // Each field rule, in order, with the rest of the request right.
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("username", " ")], "Please enter username"),
        (&[("username", "bob")], "Such username is already taken"),
        (&[("username", "BOB")], "Such username is already taken"),
        (&[("password2", "Carol12345")], "Passwords do not match"),
        (
            &[("password", "Ca1"), ("password2", "Ca1")],
            "Password must be longer than 5 characters",
        ),
        (
            &[
                ("password", "carol"),
                ("password2", "carol"),
                ("username", "carol"),
            ],
            "Password must be longer than 5 characters",
        ),
        (
            &[
                ("password", "carol1"),
                ("password2", "carol1"),
                ("username", "carol1"),
            ],
            "Please enter password not equal to username",
        ),
        (&[("first_name", "")], "Please enter first name"),
        (&[("last_name", " ")], "Please enter last name"),
        (&[("country_id", "99")], "Please select country"),
        (&[("email", "not-an-email")], "Please enter correct email"),
        (
            &[("email", "ALICE@example.com")],
            "This email address is already in use.",
        ),
        (&[("device_type", "sip")], "Enter device type"),
        (&[("lcr_id", "9")], "LCR was not found"),
        (&[("device_location_id", "7")], "Location was not found"),
        (&[("tariff", "3")], "Tariff was not found"),
    ];
    // The one password rule's cap (hashing is bounded before it starts): before, a
    // registration hashed a password of any length.
    let long = format!("Carol{}", "1".repeat(124));
    let longer: &[(&str, &str)] = &[("password", &long), ("password2", &long)];
    let cases: Vec<(&[(&str, &str)], &str)> = cases
        .iter()
        .copied()
        .chain([(longer, "Password is too long (maximum is 128 characters)")])
        .collect();
    for (changes, text) in cases {
        let mut p: Vec<(&str, &str)> = CAROL.to_vec();
        for (k, v) in changes.iter() {
            p.retain(|(n, _)| n != k);
            p.push((k, v));
        }
        s.signed("user_register", &p, REGISTER_HASHED, "secret")
            .is(&page_status_error(text));
    }
    // Phone numbers that are somebody's caller id.
    s.sql("INSERT INTO callerids (cli, device_id) VALUES ('37061234567', 1);");
    for (param, text) in [
        (
            "mob_phone",
            "User with such mobile phone number already exists",
        ),
        ("phone", "User with such phone number already exists"),
        ("fax", "User with such fax number already exists"),
    ] {
        let mut p = CAROL.to_vec();
        p.push((param, "+370 612 34567"));
        s.signed("user_register", &p, REGISTER_HASHED, "secret")
            .is(&page_status_error(text));
    }
    s.sql("DELETE FROM callerids;");
    // Strong passwords.
    s.sql("INSERT INTO conflines (name, value, owner_id) VALUES ('Use_strong_password', '1', 0);");
    let mut weak = CAROL.to_vec();
    weak.retain(|(k, _)| *k != "password" && *k != "password2");
    weak.extend([("password", "carolcarol"), ("password2", "carolcarol")]);
    s.signed("user_register", &weak, REGISTER_HASHED, "secret")
        .is(&page_status_error(
            "Password must contain at least one numeric value, capital and lowercase symbol",
        ));
    s.sql("DELETE FROM conflines WHERE name = 'Use_strong_password';");
    // Defaults missing.
    s.sql(
        "UPDATE conflines SET value = '3' WHERE name = 'Default_User_tariff_id' AND owner_id = 0;",
    );
    s.signed("user_register", CAROL, REGISTER_HASHED, "secret")
        .is(&page_status_error("Tariff was not found cannot create"));
    s.sql(
        "UPDATE conflines SET value = '1' WHERE name = 'Default_User_tariff_id' AND owner_id = 0;",
    );
    s.sql("UPDATE conflines SET value = '9' WHERE name = 'Default_User_lcr_id' AND owner_id = 0;");
    s.signed("user_register", CAROL, REGISTER_HASHED, "secret")
        .is(&page_status_error("Default user does not have and LCR set"));
    s.sql("UPDATE conflines SET value = '1' WHERE name = 'Default_User_lcr_id' AND owner_id = 0;");
    // No extension left.
    s.sql("UPDATE conflines SET value = '1000' WHERE name = 'Device_Range_MAX';");
    s.signed("user_register", CAROL, REGISTER_HASHED, "secret")
        .is(&page_status_error(
            "Configuration error. Please contact System Administrator",
        ));
    s.sql("UPDATE conflines SET value = '1999' WHERE name = 'Device_Range_MAX';");
    // 4. The setting off: its own text, for a known and an unknown owner.
    s.sql("UPDATE conflines SET value = '0' WHERE name = 'API_Allow_registration_ower_API';");
    let off = page_status_error("Registration over API is disabled");
    s.signed("user_register", CAROL, REGISTER_HASHED, "secret")
        .is(&off);
    s.post("user_register", &[("id", "nosuchhash"), ("username", "x")])
        .is(&off);
    assert_eq!(counts(&s), before);
}

#[test]
fn registration_under_a_reseller_and_the_options() {
    let s = Server::fixture_f(&[]);
    s.sql("INSERT INTO locations (id, name, user_id) VALUES (4, 'Office', 3);");
    let p = [
        ("id", "r3s3ll3r00"),
        ("username", "erin"),
        ("password", "Erin12345"),
        ("password2", "Erin12345"),
        ("first_name", "Erin"),
        ("last_name", "Hall"),
        ("country_id", "2"),
        ("email", "erin@example.com"),
        ("device_type", "Virtual"),
        ("caller_id", "37060000001"),
        ("device_location_id", "4"),
        ("mob_phone", "+370 600 00002"),
        ("credit_limit", "-1"),
        ("call_limit", "3"),
    ];
    let r = s.signed("user_register", &p, REGISTER_HASHED, "rsecret");
    let body = r.xml();
    assert!(
        body.contains("<caller_id>&lt;37060000001&gt;</caller_id>"),
        "{body}"
    );
    let id = field(body, "user_id").to_string();
    let device = field(body, "device_id").to_string();
    assert_eq!(field(body, "username"), format!("virtual_{device}"));
    assert_eq!(
        s.value(&format!("SELECT owner_id || '|' || tariff_id || '|' || lcr_id || '|' || credit || '|' || call_limit FROM users WHERE id = {id}")),
        "3|3|1|-1.0|3"
    );
    assert_eq!(
        s.value(&format!("SELECT name || '|' || extension || '|' || port || '|' || location_id || '|' || callerid FROM devices WHERE id = {device}")),
        format!("virtual_{device}|virtual_{device}|0|4|<37060000001>")
    );
    assert_eq!(
        s.value(&format!(
            "SELECT cli || '|' || description FROM callerids WHERE device_id = {device}"
        )),
        "37060000002|Mobile Phone"
    );
}
