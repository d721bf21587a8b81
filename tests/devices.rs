//! The devices family (docs/devices.md) on fixture F as devices.md extends it: every worked
//! example with the spec's own hashes, each refusal in its order with nothing written, reach
//! and staff rights per call, and two clients racing for extensions and PINs.

use crate::util::*;

const KEY: &str = "secret";
const RKEY: &str = "rsecret";

/// The device rows' count and a digest of every row: a refused request changes neither.
fn devices_state(s: &Server) -> String {
    s.value(
        "SELECT COUNT(*) || ':' || group_concat(id || name || username || secret || extension \
         || pin || callerid || host || ipaddr || port || location_id || hidden || description, '|') \
         FROM devices",
    )
}

const CREATE_HASHED: &[&str] = &[
    "user_id",
    "description",
    "pin",
    "type",
    "devicegroup_id",
    "caller_id",
];
const UPDATE_HASHED: &[&str] = &["device", "authentication", "username", "host", "port"];

fn created(r: &Resp) -> (String, String, String) {
    assert_eq!(r.status, 200, "{}", r.body);
    let x = r.xml();
    assert!(
        x.starts_with("<page>\n  <status>Device created</status>\n  <id>"),
        "{x}"
    );
    (
        field(x, "id").to_string(),
        field(x, "username").to_string(),
        field(x, "password").to_string(),
    )
}

#[test]
fn device_create_examples() {
    let s = Server::fixture_f_devices(&[]);
    let before = devices_state(&s);
    // 3. The admin for the reseller's user.
    s.post(
        "device_create",
        &[
            ("u", "admin"),
            ("user_id", "5"),
            ("hash", "d303ad2eaef52ff1993350cf96ca3fecbadf78ce"),
        ],
    )
    .is(&page_error("Access Denied", &[]));
    // 4. Bob's PIN.
    s.post(
        "device_create",
        &[
            ("u", "admin"),
            ("user_id", "2"),
            ("pin", "123456"),
            ("hash", "62bf757a1718bab9312eeaaa3332f71867f7f6b7"),
        ],
    )
    .is(&page_error("PIN is already used", &[]));
    // 5. No such type.
    s.post(
        "device_create",
        &[
            ("u", "admin"),
            ("user_id", "2"),
            ("type", "SIPX"),
            ("hash", "9fb701c2be85bee436bcfe93270df434be7a2e3a"),
        ],
    )
    .is(&page_error("Device type invalid", &[]));
    // 6. A taken extension (not hashed).
    s.post(
        "device_create",
        &[
            ("u", "admin"),
            ("user_id", "2"),
            ("extension", "1001"),
            ("hash", "38282ca5e65e63746498ef5b39a2fe71c6448df4"),
        ],
    )
    .is(&page_error(
        "Extension already exists in User's PBX Pool",
        &[],
    ));
    // 7. Bob's group.
    s.post(
        "device_create",
        &[
            ("u", "admin"),
            ("user_id", "2"),
            ("devicegroup_id", "2"),
            ("hash", "215b5f23b2258f7fed84c02c8f291671b8f00c83"),
        ],
    )
    .is(&page_error("Device group invalid", &[]));
    // 8. Nobody.
    s.post("device_create", &[("u", "nobody"), ("user_id", "2")])
        .is(&page_error("Bad login", &[]));
    assert_eq!(devices_state(&s), before);
    // 1. A desk phone for alice.
    let r = s.post(
        "device_create",
        &[
            ("u", "admin"),
            ("user_id", "2"),
            ("description", "Desk phone"),
            ("pin", "4444"),
            ("type", "SIP"),
            ("hash", "adfa093fa4ceda920b28dda116b752446c9b5d24"),
        ],
    );
    let (id, username, password) = created(&r);
    assert_eq!((id.as_str(), username.as_str()), ("4", "1003"));
    assert_eq!(password.len(), 12);
    assert!(
        password
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    );
    assert_eq!(
        s.value(
            "SELECT user_id || '|' || device_type || '|' || name || '|' || username || '|' || \
             extension || '|' || pin || '|' || port || '|' || location_id || '|' || secret || '|' \
             || description || '|' || host || '|' || context || '|' || callerid || '|' || \
             COALESCE(devicegroup_id, 'NULL') || '|' || max_timeout FROM devices WHERE id = 4"
        ),
        format!("2|SIP|1003|1003|1003|4444|5060|1|{password}|Desk phone|dynamic|mor_local||NULL|0")
    );
    // Alice had a primary device: it stays.
    assert_eq!(
        s.value("SELECT primary_device_id FROM users WHERE id = 2"),
        "2"
    );
}

#[test]
fn device_create_by_the_reseller_with_a_caller_id() {
    // 2. Its own key; the system key is accepted too.
    for key in [RKEY, KEY] {
        let s = Server::fixture_f_devices(&[]);
        let params = [
            ("u", "res"),
            ("user_id", "5"),
            ("type", "IAX2"),
            ("caller_id", "37060000005"),
        ];
        let hash = sign(&params, CREATE_HASHED, key);
        assert_eq!(
            hash,
            if key == RKEY {
                "39883d36f3810cac7b7e2203da1cfb514dbaee7a"
            } else {
                "d896908427f67f9b09036157e61e679cb2d34008"
            }
        );
        let (id, username, _) = created(&s.signed("device_create", &params, CREATE_HASHED, key));
        assert_eq!((id.as_str(), username.as_str()), ("4", "1003"));
        assert_eq!(
            s.value(
                "SELECT callerid || '|' || port || '|' || device_type FROM devices WHERE id = 4"
            ),
            "<37060000005>|4569|IAX2"
        );
        let pin = s.value("SELECT pin FROM devices WHERE id = 4");
        assert!(
            pin.len() == 6 && pin.bytes().all(|b| b.is_ascii_digit()),
            "{pin}"
        );
    }
}

#[test]
fn device_create_refusals_in_order_write_nothing() {
    let s = Server::fixture_f_devices(&[]);
    let before = devices_state(&s);
    let create = |u: &str, key: &str, params: &[(&str, &str)]| {
        let mut all = vec![("u", u)];
        all.extend_from_slice(params);
        s.signed("device_create", &all, CREATE_HASHED, key)
    };
    let admin = |params: &[(&str, &str)]| create("admin", KEY, params);
    // A non-digit user_id: `User was not found`, whoever asks; missing or unknown: denied.
    // (A non-digit user_id is not hashed.)
    let bare = sha1_hex(KEY);
    for u in ["admin", "alice"] {
        s.post(
            "device_create",
            &[("u", u), ("user_id", "2x"), ("hash", &bare)],
        )
        .is(&page_error("User was not found", &[]));
    }
    admin(&[]).is(&page_error("Access Denied", &[]));
    admin(&[("user_id", "99")]).is(&page_error("Access Denied", &[]));
    admin(&[("user_id", "99999999999999999999999")]).is(&page_error("Access Denied", &[]));
    // A plain user, and the reseller on the admin's user.
    create("alice", KEY, &[("user_id", "2")]).is(&page_error("Access Denied", &[]));
    create("res", RKEY, &[("user_id", "2")]).is(&page_error("Access Denied", &[]));
    // Staff without device_create read/write.
    create("acc", KEY, &[("user_id", "2")]).is(&page_error("Access Denied", &[]));
    // The extension before the PIN; a taken PIN before a non-numeric one.
    admin(&[("user_id", "2"), ("extension", "1000"), ("pin", "123456")]).is(&page_error(
        "Extension already exists in User's PBX Pool",
        &[],
    ));
    admin(&[("user_id", "2"), ("pin", "12a4")]).is(&page_error("PIN must be numeric", &[]));
    admin(&[("user_id", "2"), ("pin", "4444"), ("devicegroup_id", "x")])
        .is(&page_error("Device group invalid", &[]));
    admin(&[("user_id", "2"), ("devicegroup_id", "99999999999999999999")])
        .is(&page_error("Device group invalid", &[]));
    admin(&[("user_id", "2"), ("type", "sip")]).is(&page_error("Device type invalid", &[]));
    admin(&[("user_id", "2"), ("type", "PJSIP")]).is(&page_error("Device type invalid", &[]));
    // Resellers may not create Virtual or dahdi devices unless allowed.
    create("res", RKEY, &[("user_id", "5"), ("type", "Virtual")])
        .is(&page_error("Device type invalid", &[]));
    create("res", RKEY, &[("user_id", "5"), ("type", "dahdi")])
        .is(&page_error("Device type invalid", &[]));
    admin(&[("user_id", "2"), ("call_timeout", "-5")]).is(&page_error(
        "Device Call Timeout must be greater than or equal to 0",
        &[],
    ));
    admin(&[
        ("user_id", "2"),
        ("call_timeout", "99999999999999999999999"),
    ])
    .is(&page_error(
        "Device Call Timeout must be greater than or equal to 0",
        &[],
    ));
    admin(&[("user_id", "2"), ("caller_id", "3706x")])
        .is(&page_error("CallerID must be numeric", &[]));
    let long = "d".repeat(256);
    admin(&[("user_id", "2"), ("description", &long)]).is(&page_error(
        "Device was not created",
        &["Description is too long (maximum is 255 characters)"],
    ));
    // Staff with device_create but not device_edit_opt_4: no caller id (before the digits).
    s.sql("INSERT INTO acc_group_rights (acc_group_id, acc_right_id, value) VALUES (1, 3, 2)");
    create("acc", KEY, &[("user_id", "2"), ("caller_id", "x")]).is(&page_error(
        "You are not authorized to manage callerid",
        &[],
    ));
    // Not the admin's devices, even with the right.
    create("acc", KEY, &[("user_id", "0")]).is(&page_error("Access Denied", &[]));
    // No free extension.
    s.sql("UPDATE conflines SET value = '1001' WHERE name = 'Device_Range_MAX' AND owner_id = 0");
    admin(&[("user_id", "2")]).is(&page_error(
        "Configuration error. Please contact System Administrator",
        &[],
    ));
    // No free PIN of the length set (one digit, all ten taken).
    s.sql(
        "UPDATE conflines SET value = '1999' WHERE name = 'Device_Range_MAX' AND owner_id = 0;
           INSERT INTO conflines (name, value, owner_id) VALUES ('Device_PIN_Length', '1', 0);",
    );
    let taken: Vec<String> = (0..10)
        .map(|d| format!("({}, 5, 'pin{d}', '{d}')", 100 + d))
        .collect();
    s.sql(&format!(
        "INSERT INTO devices (id, user_id, extension, pin) VALUES {};",
        taken.join(", ")
    ));
    admin(&[("user_id", "2")]).is(&page_error(
        "Configuration error. Please contact System Administrator",
        &[],
    ));
    s.sql("DELETE FROM devices WHERE id >= 100; DELETE FROM conflines WHERE name = 'Device_PIN_Length';");
    assert_eq!(devices_state(&s), before);
    // With the range back, the accountant creates one (for itself too: staff are in reach).
    s.sql("UPDATE conflines SET value = '1999' WHERE name = 'Device_Range_MAX' AND owner_id = 0");
    let (id, username, _) = created(&create("acc", KEY, &[("user_id", "4")]));
    assert_eq!((id.as_str(), username.as_str()), ("4", "1003"));
    // The accountant had none: the new device is its primary one.
    assert_eq!(
        s.value("SELECT primary_device_id FROM users WHERE id = 4"),
        "4"
    );
}

#[test]
fn device_create_types_pins_extensions_and_defaults() {
    let s = Server::fixture_f_devices(&[]);
    let admin = |params: &[(&str, &str)]| {
        let mut all = vec![("u", "admin")];
        all.extend_from_slice(params);
        s.signed("device_create", &all, CREATE_HASHED, KEY)
    };
    // An empty PIN: none; any extension text; fromuser and call timeout stored.
    let (id, username, _) = created(&admin(&[
        ("user_id", "2"),
        ("pin", ""),
        ("extension", " dgdfgfdg "),
        ("fromuser", "from1"),
        ("call_timeout", "123"),
    ]));
    assert_eq!(username, "dgdfgfdg");
    assert_eq!(
        s.value(&format!(
            "SELECT '[' || pin || ']' || name || extension || fromuser || max_timeout FROM devices WHERE id = {id}"
        )),
        "[]dgdfgfdgdgdfgfdgfrom1123"
    );
    // H323: no host, port 1720. Virtual: named virtual_<id>.
    let (id, _, _) = created(&admin(&[("user_id", "2"), ("type", "H323")]));
    assert_eq!(
        s.value(&format!(
            "SELECT '[' || host || ']' || port FROM devices WHERE id = {id}"
        )),
        "[]1720"
    );
    let (id, username, _) = created(&admin(&[("user_id", "2"), ("type", "Virtual")]));
    assert_eq!(username, format!("virtual_{id}"));
    assert_eq!(
        s.value(&format!(
            "SELECT name || extension || port FROM devices WHERE id = {id}"
        )),
        format!("virtual_{id}virtual_{id}0")
    );
    // The caller's default type, caller id and location; strong secrets.
    s.sql(
        "INSERT INTO conflines (name, value, owner_id) VALUES ('Default_device_type', 'IAX2', 0),
           ('Default_device_cid_name', 'Office', 0), ('Default_device_cid_number', '3705', 0),
           ('Default_device_location_id', '7', 0), ('Use_strong_password', '1', 0),
           ('Device_PIN_Length', '9', 0);",
    );
    let (id, _, password) = created(&admin(&[("user_id", "2")]));
    assert_eq!(
        s.value(&format!(
            "SELECT device_type || callerid || location_id || length(pin) FROM devices WHERE id = {id}"
        )),
        "IAX2\"Office\" <3705>79"
    );
    assert!(password.bytes().all(|b| b.is_ascii_alphanumeric()));
    // Resellers with Virtual allowed.
    s.sql("INSERT INTO conflines (name, value, owner_id) VALUES ('Resellers_Allow_Use_Virtual_Device', '1', 0)");
    let params = [("u", "res"), ("user_id", "5"), ("type", "Virtual")];
    let (id, username, _) = created(&s.signed("device_create", &params, CREATE_HASHED, RKEY));
    assert_eq!(username, format!("virtual_{id}"));
    // A user without devices gets the new one as primary.
    s.sql("UPDATE users SET primary_device_id = 0 WHERE id = 5");
    let (id, _, _) = created(&s.signed(
        "device_create",
        &[("u", "res"), ("user_id", "5")],
        CREATE_HASHED,
        RKEY,
    ));
    assert_eq!(
        s.value("SELECT primary_device_id FROM users WHERE id = 5"),
        id
    );
}

#[test]
fn device_create_hash_proofs() {
    // devices.md 1.2: the vendor's and the wiki's vectors, whatever the URL order.
    for (params, want) in [
        (
            vec![
                ("user_id", "2"),
                ("description", "desription1"),
                ("pin", "3"),
            ],
            "6e79d4a82f68102f43be11d873177f47817f84df",
        ),
        (
            vec![
                ("type", "IAX2"),
                ("user_id", "2"),
                ("pin", "33333333"),
                ("description", "desription2"),
            ],
            "1c66d91d96215b2c7f23de143de14b2ac83272d2",
        ),
        (
            vec![
                ("devicegroup_id", "4"),
                ("type", "SIP"),
                ("user_id", "2"),
                ("description", "desription1"),
                ("pin", "12333"),
            ],
            "c7c7863a37fadaf23473aeef823c7916f93c3ac0",
        ),
        (
            vec![
                ("caller_id", "3333333333"),
                ("user_id", "2"),
                ("description", "desription2"),
                ("pin", "4325"),
            ],
            "728af6a3434938cf507c605737b971f35bf0be47",
        ),
    ] {
        assert_eq!(sign(&params, CREATE_HASHED, KEY), want);
        // And the server takes it: the answer is no gate error.
        let s = Server::fixture_f_devices(&[]);
        s.sql("INSERT INTO devicegroups (id, user_id, name) VALUES (4, 2, 'four')");
        let mut all = vec![("u", "admin"), ("hash", want)];
        all.extend(params);
        let r = s.post("device_create", &all);
        assert!(!r.body.contains("Incorrect hash"), "{}", r.body);
    }
}

#[test]
fn device_update_examples() {
    let s = Server::fixture_f_devices(&[]);
    let before = devices_state(&s);
    let ok = "<page>\n  <status>\n    <success>Device successfully updated</success>\n  </status>\n</page>\n";
    // 3. The reseller on the admin's user's device.
    s.post(
        "device_update",
        &[
            ("u", "res"),
            ("device", "2"),
            ("hash", "e46fe96135a02781a8a0dddadd6e7c22fa04aa2c"),
        ],
    )
    .is(&page_status_error("Device was not found"));
    // 5. Refused username and password: success, nothing changed.
    s.post(
        "device_update",
        &[
            ("u", "admin"),
            ("device", "2"),
            ("username", "anonymous"),
            ("password", "short"),
            ("hash", "a81ed3e46d6a843a27765f1f4bcb6aba260edc82"),
        ],
    )
    .is(ok);
    // 6. A bad call timeout.
    s.post(
        "device_update",
        &[
            ("u", "admin"),
            ("device", "2"),
            ("call_timeout", "abc"),
            ("hash", "38282ca5e65e63746498ef5b39a2fe71c6448df4"),
        ],
    )
    .is(&page_status_error(
        "Device Call Timeout must be greater than or equal to 0",
    ));
    // 7. The accountant's group lacks device_manage.
    s.post(
        "device_update",
        &[
            ("u", "acc"),
            ("device", "2"),
            ("hash", "38282ca5e65e63746498ef5b39a2fe71c6448df4"),
        ],
    )
    .is(&page_status_error(
        "You are not authorized to use this functionality",
    ));
    // An unknown caller.
    s.post("device_update", &[("u", "nobody"), ("device", "2")])
        .is(&page_status_error("Access Denied"));
    assert_eq!(devices_state(&s), before);
    // 1. A new password.
    s.post(
        "device_update",
        &[
            ("u", "admin"),
            ("device", "2"),
            ("password", "NewPass123"),
            ("hash", "38282ca5e65e63746498ef5b39a2fe71c6448df4"),
        ],
    )
    .is(ok);
    assert_eq!(
        s.value("SELECT secret FROM devices WHERE id = 2"),
        "NewPass123"
    );
    // 2. To IP authentication.
    s.post(
        "device_update",
        &[
            ("u", "admin"),
            ("device", "2"),
            ("authentication", "1"),
            ("host", "192.168.5.20"),
            ("port", "5062"),
            ("hash", "85e762060ae970931d31026746e9abc631ed37ad"),
        ],
    )
    .is(ok);
    assert_eq!(
        s.value("SELECT '[' || username || '][' || secret || ']' || host || '|' || ipaddr || '|' || port FROM devices WHERE id = 2"),
        "[][]192.168.5.20|192.168.5.20|5062"
    );
    let name = s.value("SELECT name FROM devices WHERE id = 2");
    assert!(name.starts_with("ipauth") && name.len() == 14, "{name}");
    // 4. The wisecall pattern: the reseller echoes all five hashed fields.
    let params = [
        ("u", "res"),
        ("device", "1"),
        ("authentication", "0"),
        ("username", "1000"),
        ("host", "dynamic"),
        ("port", "5060"),
        ("password", "BobDevice99"),
        ("description", "Front desk"),
    ];
    assert_eq!(
        sign(&params, UPDATE_HASHED, RKEY),
        "39b4b94e6874f45ec1869c9dbbf38bd83779ef44"
    );
    s.signed("device_update", &params, UPDATE_HASHED, RKEY)
        .is(ok);
    assert_eq!(
        s.value(
            "SELECT secret || '|' || description || '|' || location_id FROM devices WHERE id = 1"
        ),
        "BobDevice99|Front desk|1"
    );
}

#[test]
fn device_update_rules() {
    let s = Server::fixture_f_devices(&[]);
    let ok = "<page>\n  <status>\n    <success>Device successfully updated</success>\n  </status>\n</page>\n";
    let update = |u: &str, key: &str, params: &[(&str, &str)]| {
        let mut all = vec![("u", u)];
        all.extend_from_slice(params);
        s.signed("device_update", &all, UPDATE_HASHED, key)
    };
    let admin = |params: &[(&str, &str)]| update("admin", KEY, params);
    let row = |cols: &str, id: i64| s.value(&format!("SELECT {cols} FROM devices WHERE id = {id}"));
    let before = devices_state(&s);
    // Missing, unknown and non-digit devices; plain users reach none.
    admin(&[]).is(&page_status_error("Device was not found"));
    admin(&[("device", "99")]).is(&page_status_error("Device was not found"));
    admin(&[("device", "2x")]).is(&page_status_error("Device was not found"));
    admin(&[("device", "99999999999999999999999")]).is(&page_status_error("Device was not found"));
    update("alice", KEY, &[("device", "2")]).is(&page_status_error("Device was not found"));
    admin(&[("device", "1")]).is(&page_status_error("Device was not found"));
    // Locations: the reseller's, not the admin's.
    admin(&[("device", "2"), ("new_location_id", "2")])
        .is(&page_status_error("Location was not found"));
    admin(&[("device", "2"), ("new_location_id", "abc")])
        .is(&page_status_error("Location was not found"));
    // IP authentication needs an IPv4 host, a port in range.
    admin(&[
        ("device", "2"),
        ("authentication", "1"),
        ("host", "example.com"),
    ])
    .is(&page_status_error("Host is not valid"));
    admin(&[("device", "2"), ("authentication", "1")]).is(&page_status_error("Host is not valid"));
    admin(&[
        ("device", "2"),
        ("authentication", "1"),
        ("host", "10.0.0.9"),
        ("port", "70000"),
    ])
    .is(&page_status_error("Port is not valid"));
    // Extension and PIN.
    admin(&[("device", "2"), ("extension", "1000")]).is(&page_status_error(
        "Extension already exists in User's PBX Pool",
    ));
    admin(&[("device", "2"), ("pin", "333333")]).is(&page_status_error("PIN is already used"));
    admin(&[("device", "2"), ("pin", "12 34")]).is(&page_status_error("PIN must be numeric"));
    let long = "x".repeat(300);
    admin(&[("device", "2"), ("description", &long)])
        .is(&page_status_error("Device was not updated"));
    // A failure after changes already decided writes none of them.
    admin(&[
        ("device", "2"),
        ("call_limit", "5"),
        ("password", "Another123"),
        ("pin", "1x"),
    ])
    .is(&page_status_error("PIN must be numeric"));
    assert_eq!(devices_state(&s), before);
    // Everything else, applied.
    admin(&[
        ("device", "2"),
        ("call_limit", "-3"),
        ("fromuser", "fu"),
        ("call_timeout", "45"),
        ("trunk", "2"),
        ("comment", "c1"),
        ("language", "lt"),
        ("hidden", "1"),
        ("pin", ""),
        ("extension", "ext#1"),
        ("callerid_number", "37069999999"),
        ("new_location_id", "1"),
    ])
    .is(ok);
    assert_eq!(
        row(
            "call_limit || fromuser || max_timeout || istrunk || ani || comment || language || hidden || '[' || pin || ']' || extension || name || callerid",
            2
        ),
        "0fu4511c1lt1[]ext#11001\"Alice\" <37069999999>"
    );
    // An extension outside [a-z0-9#*] is left as it was; trunk 9 is no trunk.
    admin(&[
        ("device", "2"),
        ("extension", "EXT"),
        ("trunk", "9"),
        ("callerid_name", ""),
    ])
    .is(ok);
    assert_eq!(
        row("extension || istrunk || ani || callerid", 2),
        "ext#100<37069999999>"
    );
    // device_name wins over username; a username equal to the password changes nothing.
    admin(&[
        ("device", "2"),
        ("username", "u1"),
        ("device_name", "alice2"),
    ])
    .is(ok);
    assert_eq!(row("name || '|' || username", 2), "alice2|alice2");
    admin(&[
        ("device", "2"),
        ("username", "same1234"),
        ("password", "same1234"),
    ])
    .is(ok);
    assert_eq!(row("username || '|' || secret", 2), "alice2|alicepass1");
    // Duplicate usernames, when disallowed, are not applied.
    s.sql("INSERT INTO conflines (name, value, owner_id) VALUES ('Disalow_Duplicate_Device_Usernames', '1', 0)");
    admin(&[("device", "2"), ("username", "1002")]).is(ok);
    assert_eq!(row("username", 2), "alice2");
    // To IP authentication and back: the secret is then too short until one is sent.
    admin(&[
        ("device", "3"),
        ("authentication", "1"),
        ("host", "10.0.0.9"),
        ("port", "0"),
    ])
    .is(ok);
    assert_eq!(
        row("host || '|' || port || '|' || username", 3),
        "10.0.0.9|4569|"
    );
    // Still IP authenticated: a change that sends no authentication keeps the address.
    admin(&[("device", "3"), ("description", "spare")]).is(ok);
    assert_eq!(row("host || '|' || description", 3), "10.0.0.9|spare");
    admin(&[("device", "3"), ("authentication", "0")])
        .is(&page_status_error("Password is too short"));
    admin(&[
        ("device", "3"),
        ("authentication", "0"),
        ("password", "BackAgain1"),
    ])
    .is(ok);
    assert_eq!(
        row("host || '|' || name || '|' || username || '|' || secret", 3),
        "dynamic|1002|1002|BackAgain1"
    );
    // Short passwords, when allowed.
    s.sql("INSERT INTO conflines (name, value, owner_id) VALUES ('Allow_short_passwords_in_devices', '1', 0)");
    admin(&[("device", "3"), ("password", "abc")]).is(ok);
    assert_eq!(row("secret", 3), "abc");
}

#[test]
fn device_update_locations_for_resellers_and_staff() {
    let s = Server::fixture_f_devices(&[]);
    let ok = "<page>\n  <status>\n    <success>Device successfully updated</success>\n  </status>\n</page>\n";
    let res = |params: &[(&str, &str)]| {
        let mut all = vec![("u", "res")];
        all.extend_from_slice(params);
        s.signed("device_update", &all, UPDATE_HASHED, RKEY)
    };
    // At location 1 the device moves to the reseller's default, new_location_id ignored.
    s.sql("INSERT INTO conflines (name, value, owner_id) VALUES ('Default_device_location_id', '2', 3)");
    res(&[("device", "1"), ("new_location_id", "99")]).is(ok);
    assert_eq!(s.value("SELECT location_id FROM devices WHERE id = 1"), "2");
    // Elsewhere: its own locations; the admin's only when allowed (or the current one).
    s.sql("INSERT INTO locations (id, name, user_id) VALUES (3, 'Admin two', 0)");
    res(&[("device", "1"), ("new_location_id", "3")])
        .is(&page_status_error("Location was not found"));
    res(&[("device", "1"), ("new_location_id", "2")]).is(ok);
    s.sql("INSERT INTO conflines (name, value, owner_id) VALUES ('Allow_Resellers_to_use_Admin_Localization_Rules', '1', 0)");
    res(&[("device", "1"), ("new_location_id", "3")]).is(ok);
    assert_eq!(s.value("SELECT location_id FROM devices WHERE id = 1"), "3");
    // Staff with device_manage read/write reach the system's users' devices.
    s.sql("INSERT INTO acc_group_rights (acc_group_id, acc_right_id, value) VALUES (1, 2, 2)");
    s.signed(
        "device_update",
        &[("u", "acc"), ("device", "2"), ("description", "by acc")],
        UPDATE_HASHED,
        KEY,
    )
    .is(ok);
    s.signed(
        "device_update",
        &[("u", "acc"), ("device", "1")],
        UPDATE_HASHED,
        KEY,
    )
    .is(&page_status_error("Device was not found"));
    assert_eq!(
        s.value("SELECT description FROM devices WHERE id = 2"),
        "by acc"
    );
}

#[test]
fn device_delete_examples() {
    let s = Server::fixture_f_devices(&[]);
    let deleted = "<page>\n  <status>Device was deleted</status>\n</page>\n";
    // 2. Device 2 has a call.
    s.post(
        "device_delete",
        &[
            ("u", "admin"),
            ("device", "2"),
            ("hash", "38282ca5e65e63746498ef5b39a2fe71c6448df4"),
        ],
    )
    .is(&page_error(
        "Cannot delete device - it has calls. You can only hide device's user. Why is that and how to do that - please read in manual.",
        &[],
    ));
    // 3. Bob belongs to the reseller.
    s.post(
        "device_delete",
        &[
            ("u", "admin"),
            ("device", "1"),
            ("hash", "bc2f114099d16656d37e45fd9e8744cb9386d462"),
        ],
    )
    .is(&page_error("Access Denied", &[]));
    // 5. No such device.
    s.post(
        "device_delete",
        &[
            ("u", "admin"),
            ("device", "99"),
            ("hash", "0790d02d2945ff6c1bc219d49abc9ff4d30e8d5e"),
        ],
    )
    .is(&page_error("Device was not found", &[]));
    s.post("device_delete", &[("u", "nobody"), ("device", "3")])
        .is(&page_error("Bad login", &[]));
    assert_eq!(s.value("SELECT COUNT(*) FROM devices"), "3");
    // 1. Device 3 goes.
    s.post(
        "device_delete",
        &[
            ("u", "admin"),
            ("device", "3"),
            ("hash", "7f544a3f166563efce4dc5da5425cdd0d7a41634"),
        ],
    )
    .is(deleted);
    assert_eq!(s.value("SELECT COUNT(*) FROM devices WHERE id = 3"), "0");
    // 4. The alias, by the reseller: bob's primary device is cleared, his caller ids and
    // DIDs go or are released.
    s.sql(
        "INSERT INTO callerids (cli, device_id) VALUES ('37060000005', 1);
         INSERT INTO dids (id, did, user_id, device_id) VALUES (1, '37052000000', 5, 1);",
    );
    s.post(
        "device_destroy",
        &[
            ("u", "res"),
            ("device", "1"),
            ("hash", "9e463ebc9d0ea849deea76a2fad5770be8e8b21c"),
        ],
    )
    .is(deleted);
    assert_eq!(
        s.value(
            "SELECT (SELECT primary_device_id FROM users WHERE id = 5) || '|' || \
             (SELECT COUNT(*) FROM devices WHERE id = 1) || '|' || \
             (SELECT COUNT(*) FROM callerids WHERE device_id = 1) || '|' || \
             (SELECT device_id FROM dids WHERE id = 1)"
        ),
        "0|0|0|0"
    );
}

#[test]
fn device_delete_refusals_and_rights() {
    let s = Server::fixture_f_devices(&[]);
    let delete = |u: &str, key: &str, device: &str| {
        s.signed(
            "device_delete",
            &[("u", u), ("device", device)],
            &["device"],
            key,
        )
    };
    // A device another device forwards to, before its calls.
    s.sql("UPDATE devices SET forward_to = 2 WHERE id = 3");
    delete("admin", KEY, "2").is(&page_error(
        "Device has forwarded calls - we cannot delete it",
        &[],
    ));
    // A device whose user is gone.
    s.sql("INSERT INTO devices (id, user_id, extension) VALUES (9, 77, '1777')");
    delete("admin", KEY, "9").is(&page_error("User was not found", &[]));
    // Plain users: denied; staff: reach first, then device_manage read/write.
    delete("alice", KEY, "3").is(&page_error("Access Denied", &[]));
    delete("acc", KEY, "1").is(&page_error("Access Denied", &[]));
    delete("acc", KEY, "3").is(&page_error("You do not have rights to edit this", &[]));
    s.sql("INSERT INTO acc_group_rights (acc_group_id, acc_right_id, value) VALUES (1, 2, 1)");
    delete("acc", KEY, "3").is(&page_error("You do not have rights to edit this", &[]));
    // (A non-digit device is not hashed.)
    s.post(
        "device_delete",
        &[("u", "acc"), ("device", "abc"), ("hash", &sha1_hex(KEY))],
    )
    .is(&page_error("Device was not found", &[]));
    assert_eq!(s.value("SELECT COUNT(*) FROM devices"), "4");
    s.sql("UPDATE acc_group_rights SET value = 2 WHERE acc_group_id = 1 AND acc_right_id = 2");
    delete("acc", KEY, "3").is("<page>\n  <status>Device was deleted</status>\n</page>\n");
}

fn device_xml(
    id: i64,
    ty: &str,
    group: &str,
    primary: &str,
    user: &str,
    secret: &str,
    port: i64,
) -> String {
    format!(
        "    <device>\n      <device_id>{id}</device_id>\n      <device_type>{ty}</device_type>\n      \
         <devicegroup_id>{group}</devicegroup_id>\n      <primary_device>{primary}</primary_device>\n      \
         <username>{user}</username>\n      <secret>{secret}</secret>\n      <ipaddr></ipaddr>\n      \
         <port>{port}</port>\n    </device>\n"
    )
}

#[test]
fn devices_get_examples() {
    let s = Server::fixture_f_devices(&[]);
    let two = device_xml(2, "SIP", "1", "yes", "1001", "alicepass1", 5060);
    let three = device_xml(3, "IAX2", "", "no", "1002", "iaxsecret99", 4569);
    let hash = "38282ca5e65e63746498ef5b39a2fe71c6448df4";
    // 1. Both of alice's devices.
    s.post(
        "devices_get",
        &[("u", "admin"), ("user_id", "2"), ("hash", hash)],
    )
    .is(&format!(
        "<page>\n  <devices>\n{two}{three}  </devices>\n</page>\n"
    ));
    // 2. Without the hidden one.
    s.post(
        "devices_get",
        &[
            ("u", "admin"),
            ("user_id", "2"),
            ("show_hidden_devices", "0"),
            ("hash", hash),
        ],
    )
    .is(&format!(
        "<page>\n  <devices>\n{two}  </devices>\n</page>\n"
    ));
    // 3. Bob is the reseller's.
    s.post(
        "devices_get",
        &[
            ("u", "admin"),
            ("user_id", "5"),
            ("hash", "d303ad2eaef52ff1993350cf96ca3fecbadf78ce"),
        ],
    )
    .is(&page_error("Access Denied", &[]));
    // 4. Nobody.
    s.post(
        "devices_get",
        &[
            ("u", "admin"),
            ("user_id", "99"),
            ("hash", "0790d02d2945ff6c1bc219d49abc9ff4d30e8d5e"),
        ],
    )
    .is(&page_error("User not found", &[]));
    // 5. No user_id.
    s.post(
        "devices_get",
        &[
            ("u", "admin"),
            ("hash", "e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4"),
        ],
    )
    .is(&page_error("user_id is empty", &[]));
    // 6. The alias by GET, refused; by POST, bob's device.
    let q = [
        ("u", "res"),
        ("user_id", "5"),
        ("hash", "2e9e920268c4ae2ef8649886459695f89e02bd6c"),
    ];
    s.get("device_list", &q)
        .is(&gate_error("GET Requests are disabled"));
    s.post("device_list", &q).is(&format!(
        "<page>\n  <devices>\n{}  </devices>\n</page>\n",
        device_xml(1, "SIP", "2", "yes", "1000", "s3cr3tpw", 5060)
    ));
    // 7. The accountant has none.
    s.post(
        "devices_get",
        &[
            ("u", "admin"),
            ("user_id", "4"),
            ("hash", "9a9d292176f7b8adb10d0d037732446bae1ef4dd"),
        ],
    )
    .is(&page_error("Device not found", &[]));
    // Unknown caller, plain users, staff rights, hidden only.
    s.post("devices_get", &[("u", "nobody"), ("user_id", "2")])
        .is(&page_error("Bad login", &[]));
    s.signed(
        "devices_get",
        &[("u", "alice"), ("user_id", "2")],
        &["user_id"],
        KEY,
    )
    .is(&page_error("Access Denied", &[]));
    s.signed(
        "devices_get",
        &[("u", "acc"), ("user_id", "2")],
        &["user_id"],
        KEY,
    )
    .is(&page_error("You are not authorized to view this page", &[]));
    s.post(
        "devices_get",
        &[("u", "admin"), ("user_id", "x"), ("hash", &sha1_hex(KEY))],
    )
    .is(&page_error("User not found", &[]));
    s.sql("INSERT INTO acc_group_rights (acc_group_id, acc_right_id, value) VALUES (1, 2, 1)");
    s.signed(
        "devices_get",
        &[("u", "acc"), ("user_id", "2"), ("show_hidden_devices", "0")],
        &["user_id"],
        KEY,
    )
    .is(&format!(
        "<page>\n  <devices>\n{two}  </devices>\n</page>\n"
    ));
    s.signed(
        "devices_get",
        &[("u", "acc"), ("user_id", "0")],
        &["user_id"],
        KEY,
    )
    .is(&page_error("Access Denied", &[]));
    s.sql("UPDATE devices SET hidden = 1 WHERE id = 2");
    s.signed(
        "devices_get",
        &[
            ("u", "admin"),
            ("user_id", "2"),
            ("show_hidden_devices", "0"),
        ],
        &["user_id"],
        KEY,
    )
    .is(&page_error("Device not found", &[]));
}

/// Device 2's details page, as 6.5 example 1 shows it (its `&quot;` written as `"`: the same
/// text to any XML parser, as calls.md allows, and xml-rs's bytes).
const DEVICE_2: &str = "<page>
  <id>2</id>
  <name>1001</name>
  <host>dynamic</host>
  <secret>alicepass1</secret>
  <context>mor_local</context>
  <ipaddr></ipaddr>
  <port>5060</port>
  <regseconds>0</regseconds>
  <accountcode>0</accountcode>
  <callerid>\"Alice\" &lt;37060000001&gt;</callerid>
  <extension>1001</extension>
  <voicemail_active>0</voicemail_active>
  <username>1001</username>
  <device_type>SIP</device_type>
  <user_id>2</user_id>
  <primary_did_id>0</primary_did_id>
  <works_not_logged>1</works_not_logged>
  <forward_to>0</forward_to>
  <record>0</record>
  <nat>no</nat>
  <qualify>yes</qualify>
  <devicegroup_id>1</devicegroup_id>
  <dtmfmode>rfc2833</dtmfmode>
  <fromuser></fromuser>
  <fromdomain></fromdomain>
  <insecure>no</insecure>
  <location_id>1</location_id>
  <description>Alice desk</description>
  <istrunk>0</istrunk>
  <cid_from_dids>0</cid_from_dids>
  <pin>222222</pin>
  <ani>0</ani>
  <timeout>60</timeout>
  <call_limit>0</call_limit>
  <max_timeout>0</max_timeout>
  <language></language>
  <transport>udp</transport>
  <encryption>no</encryption>
  <trunk>no</trunk>
  <hidden>0</hidden>
  <comment></comment>
  <codecs>
    <audio_codecs></audio_codecs>
    <video_codecs></video_codecs>
  </codecs>
</page>
";

#[test]
fn device_details_get_examples() {
    let s = Server::fixture_f_devices(&[]);
    let hash = "38282ca5e65e63746498ef5b39a2fe71c6448df4";
    // 1. By id.
    s.post(
        "device_details_get",
        &[("u", "admin"), ("device_id", "2"), ("hash", hash)],
    )
    .is(DEVICE_2);
    // 2. By username.
    s.post(
        "device_details_get",
        &[
            ("u", "admin"),
            ("device_u", "1001"),
            ("hash", "08be53f5618251a6daa6ceb2fffea75a151f19f9"),
        ],
    )
    .is(DEVICE_2);
    // 3. Bob's device is the reseller's user's.
    s.post(
        "device_details_get",
        &[
            ("u", "admin"),
            ("device_id", "1"),
            ("hash", "bc2f114099d16656d37e45fd9e8744cb9386d462"),
        ],
    )
    .is(&bare_error("Device was not found"));
    // 4. A plain user.
    s.post(
        "device_details_get",
        &[("u", "alice"), ("device_id", "2"), ("hash", hash)],
    )
    .is(&bare_error("You are not authorized to view this page"));
    // 5. No caller.
    s.post("device_details_get", &[("device_id", "2"), ("hash", hash)])
        .is(&bare_error("Access Denied"));
    // Nothing named, a non-digit id, an unknown username.
    s.signed(
        "device_details_get",
        &[("u", "admin")],
        &["device_id", "device_u"],
        KEY,
    )
    .is(&bare_error("Device was not found"));
    s.signed(
        "device_details_get",
        &[("u", "admin"), ("device_id", "2a")],
        &["device_id", "device_u"],
        KEY,
    )
    .is(&bare_error("Device was not found"));
    s.signed(
        "device_details_get",
        &[("u", "admin"), ("device_u", "nope")],
        &["device_id", "device_u"],
        KEY,
    )
    .is(&bare_error("Device was not found"));
    // Staff need both rights (group 1 has user_manage read only).
    s.signed(
        "device_details_get",
        &[("u", "acc"), ("device_id", "2")],
        &["device_id"],
        KEY,
    )
    .is(&bare_error("You are not authorized to view this page"));
    s.sql("INSERT INTO acc_group_rights (acc_group_id, acc_right_id, value) VALUES (1, 2, 1)");
    s.signed(
        "device_details_get",
        &[("u", "acc"), ("device_id", "2")],
        &["device_id"],
        KEY,
    )
    .is(DEVICE_2);
    // The reseller's own user's device.
    let r = s.signed(
        "device_details_get",
        &[("u", "res"), ("device_id", "1")],
        &["device_id"],
        RKEY,
    );
    assert_eq!(field(r.xml(), "secret"), "s3cr3tpw");
    assert_eq!(field(r.xml(), "devicegroup_id"), "2");
}

#[test]
fn racing_creates_never_share_an_extension_or_a_pin() {
    let s = Server::fixture_f_devices(&[]);
    let addr = s.addr.clone();
    let clients: Vec<_> = (0..16)
        .map(|c| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let mut acked = Vec::new();
                for _ in 0..50 {
                    let user = if c % 2 == 0 { "2" } else { "4" };
                    let params = [("u", "admin"), ("user_id", user)];
                    let hash = sign(&params, CREATE_HASHED, KEY);
                    let mut all = params.to_vec();
                    all.push(("hash", &hash));
                    let r = send_to(
                        &addr,
                        "POST",
                        "/billing/api/device_create",
                        Some("application/x-www-form-urlencoded"),
                        encode(&all).as_bytes(),
                    );
                    let (id, username, password) = created(&r);
                    acked.push((id, username, password));
                }
                acked
            })
        })
        .collect();
    let acked: Vec<(String, String, String)> = clients
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    assert_eq!(acked.len(), 800);
    let conn = s.conn();
    for (id, username, password) in &acked {
        let row: (String, String) = conn
            .query_row(
                "SELECT extension, secret FROM devices WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(&row, &(username.clone(), password.clone()));
    }
    let distinct = |col: &str| {
        s.value(&format!(
            "SELECT COUNT(DISTINCT {col}) = COUNT(*) FROM devices"
        ))
    };
    assert_eq!(distinct("extension"), "1");
    assert_eq!(distinct("pin"), "1");
    assert_eq!(s.value("SELECT COUNT(*) FROM devices"), "803");
}

#[test]
fn the_readmes_device_examples_on_the_demo_world() {
    let s = Server::demo_with(&["--test-endpoints"]);
    let h = |v: &str| sha1_hex(v);
    // devices_get: user1's three, then without the hidden spare.
    let r = s.post(
        "devices_get",
        &[("u", "admin"), ("user_id", "5"), ("hash", &h("5secret"))],
    );
    assert_eq!(r.xml().matches("<device>").count(), 3, "{}", r.body);
    let r = s.post(
        "device_list",
        &[
            ("u", "admin"),
            ("user_id", "5"),
            ("show_hidden_devices", "0"),
            ("hash", &h("5secret")),
        ],
    );
    assert_eq!(r.xml().matches("<device>").count(), 2, "{}", r.body);
    // reseller1's customer's IP-authenticated trunk, with reseller1's key.
    let r = s.post(
        "devices_get",
        &[
            ("u", "reseller1"),
            ("user_id", "11"),
            ("hash", &h("11reseller1secret")),
        ],
    );
    assert!(
        r.xml().contains("<ipaddr>192.0.2.10</ipaddr>"),
        "{}",
        r.body
    );
    assert!(r.xml().contains("<username></username>"), "{}", r.body);
    // device_details_get by id and by username.
    let r = s.post(
        "device_details_get",
        &[("u", "admin"), ("device_id", "1"), ("hash", &h("1secret"))],
    );
    assert_eq!(field(r.xml(), "secret"), "demo5sip");
    let r = s.post(
        "device_details_get",
        &[
            ("u", "admin"),
            ("device_u", "1003"),
            ("hash", &h("1003secret")),
        ],
    );
    assert_eq!(field(r.xml(), "device_type"), "IAX2");
    // device_create for user2.
    let (id, _, password) = created(&s.post(
        "device_create",
        &[
            ("u", "admin"),
            ("user_id", "6"),
            ("description", "Desk"),
            ("type", "IAX2"),
            ("hash", &h("6DeskIAX2secret")),
        ],
    ));
    assert_eq!(
        s.value(&format!(
            "SELECT user_id || device_type FROM devices WHERE id = {id}"
        )),
        "6IAX2"
    );
    let ok = "<page>\n  <status>\n    <success>Device successfully updated</success>\n  </status>\n</page>\n";
    s.post(
        "device_update",
        &[
            ("u", "admin"),
            ("device", "3"),
            ("password", "NewSecret99"),
            ("hash", &h("3secret")),
        ],
    )
    .is(ok);
    s.post(
        "device_update",
        &[
            ("u", "admin"),
            ("device", "3"),
            ("authentication", "1"),
            ("host", "192.0.2.20"),
            ("port", "4569"),
            ("hash", &h("31192.0.2.204569secret")),
        ],
    )
    .is(ok);
    s.post(
        "device_delete",
        &[("u", "admin"), ("device", "4"), ("hash", &h("4secret"))],
    )
    .is("<page>\n  <status>Device was deleted</status>\n</page>\n");
    // The journal keeps none of the secrets these answers and requests carried.
    let journal = send_to(&s.addr, "GET", "/_morbox/requests", None, b"").body;
    assert!(journal.contains("device_create"), "{journal}");
    for secret in ["demo5sip", &password, "NewSecret99"] {
        assert!(!journal.contains(secret), "the journal shows {secret}");
    }
    // morbox devices list: masked, unless asked.
    let db = s.db.to_str().unwrap().to_string();
    let (ok, out, err) = morbox(&["devices", "list", "--db", &db, "--user", "user1", "--json"]);
    assert!(ok, "{err}");
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["1", "3"]);
    assert_eq!(rows[0]["secret"], "***");
    let (ok, out, _) = morbox(&["devices", "list", "--db", &db, "--show-secrets"]);
    assert!(
        ok && out.contains("demo5sip") && out.contains("192.0.2.10"),
        "{out}"
    );
}

#[test]
fn each_call_hashes_its_values_by_its_own_rule() {
    let s = Server::fixture_f_devices(&[]);
    // device_delete: `device` only when all digits, as sent (leading zeros kept).
    s.post(
        "device_delete",
        &[("u", "admin"), ("device", "abc"), ("hash", &sha1_hex(KEY))],
    )
    .is(&page_error("Device was not found", &[]));
    s.post(
        "device_delete",
        &[
            ("u", "admin"),
            ("device", "abc"),
            ("hash", &sha1_hex("abcsecret")),
        ],
    )
    .is(&gate_error("Incorrect hash"));
    s.post(
        "device_delete",
        &[
            ("u", "admin"),
            ("device", "003"),
            ("hash", &sha1_hex("003secret")),
        ],
    )
    .is("<page>\n  <status>Device was deleted</status>\n</page>\n");
    // device_update: every value as sent, digits or not.
    s.post(
        "device_update",
        &[
            ("u", "admin"),
            ("device", "abc"),
            ("hash", &sha1_hex("abcsecret")),
        ],
    )
    .is(&page_status_error("Device was not found"));
    s.post(
        "device_update",
        &[("u", "admin"), ("device", "abc"), ("hash", &sha1_hex(KEY))],
    )
    .is(&gate_error("Incorrect hash"));
    // device_details_get: as sent; devices_get and device_create: user_id as a plain integer.
    s.post(
        "device_details_get",
        &[
            ("u", "admin"),
            ("device_id", "x2"),
            ("hash", &sha1_hex("x2secret")),
        ],
    )
    .is(&bare_error("Device was not found"));
    let r = s.post(
        "devices_get",
        &[
            ("u", "admin"),
            ("user_id", "002"),
            ("hash", &sha1_hex("2secret")),
        ],
    );
    assert!(r.xml().contains("<device_id>2</device_id>"), "{}", r.body);
    created(&s.post(
        "device_create",
        &[
            ("u", "admin"),
            ("user_id", "02"),
            ("hash", &sha1_hex("2secret")),
        ],
    ));
    // morbox hash says the same.
    let db = s.db.to_str().unwrap().to_string();
    let (ok, out, err) = morbox(&[
        "hash",
        "--db",
        &db,
        "device_delete",
        "u=admin",
        "device=abc",
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains("(none sent)") && out.contains(&sha1_hex(KEY)),
        "{out}"
    );
}

/// A kit request (POST needs the `X-Morbox` header).
fn kit(s: &Server, method: &str, path: &str) -> Resp {
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
        s.addr
    );
    if method != "GET" {
        req.push_str("X-Morbox: 1\r\nContent-Length: 0\r\n");
    }
    req.push_str("\r\n");
    exchange_raw(&s.addr, req.as_bytes())
}

#[test]
fn the_test_kit_knows_the_device_calls() {
    let s = Server::fixture_f_devices(&["--test-endpoints"]);
    // Snapshot, create, reset: the device is gone, the extension free again.
    assert_eq!(kit(&s, "POST", "/_morbox/snapshot").status, 200);
    let (id, username, _) = created(&s.signed(
        "device_create",
        &[("u", "admin"), ("user_id", "2")],
        CREATE_HASHED,
        KEY,
    ));
    assert_eq!((id.as_str(), username.as_str()), ("4", "1003"));
    assert_eq!(kit(&s, "POST", "/_morbox/reset").status, 200);
    assert_eq!(s.value("SELECT COUNT(*) FROM devices"), "3");
    // wisecall's mistake (devices.md 7): signed over user_id alone while description and type
    // are sent. The explainer names the left-out values.
    let r = s.post(
        "device_create",
        &[
            ("u", "res"),
            ("user_id", "5"),
            ("description", "Agent"),
            ("type", "SIP"),
            ("hash", &sha1_hex("5rsecret")),
        ],
    );
    r.is(&gate_error("Incorrect hash"));
    let journal = kit(&s, "GET", "/_morbox/requests").body;
    let v: serde_json::Value = serde_json::from_str(&journal).unwrap();
    let failed = v["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["outcome"] == "Incorrect hash")
        .unwrap();
    let verdict = failed["explanation"]["verdict"].as_str().unwrap();
    assert!(
        verdict.contains("`description` and `type` were left out"),
        "{verdict}"
    );
    // The OpenAPI document describes the five calls and their aliases.
    let doc = kit(&s, "GET", "/_morbox/openapi.json").body;
    for path in [
        "/billing/api/device_create",
        "/billing/api/device_update",
        "/billing/api/device_destroy",
        "/billing/api/device_list",
        "/billing/api/device_details_get",
    ] {
        assert!(doc.contains(path), "{path}");
    }
}

#[test]
fn duplicated_and_odd_parameters() {
    let s = Server::fixture_f_devices(&[]);
    // The last duplicate wins (and is what is hashed).
    s.post(
        "device_delete",
        &[
            ("u", "admin"),
            ("device", "3"),
            ("device", "99"),
            ("hash", &sha1_hex("99secret")),
        ],
    )
    .is(&page_error("Device was not found", &[]));
    assert_eq!(s.value("SELECT COUNT(*) FROM devices WHERE id = 3"), "1");
    // Over-long extension and fromuser on create: nothing written.
    let long = "9".repeat(300);
    s.signed(
        "device_create",
        &[
            ("u", "admin"),
            ("user_id", "2"),
            ("extension", &long),
            ("fromuser", &long),
        ],
        CREATE_HASHED,
        KEY,
    )
    .is(&page_error(
        "Device was not created",
        &[
            "Extension is too long (maximum is 255 characters)",
            "From user is too long (maximum is 255 characters)",
        ],
    ));
    // A JSON body works as a form does.
    let hash = sha1_hex("2secret");
    let body =
        format!(r#"{{"u": "admin", "user_id": 2, "show_hidden_devices": 0, "hash": "{hash}"}}"#);
    let r = s.send(
        "POST",
        "/api/devices_get",
        Some("application/json"),
        body.as_bytes(),
    );
    assert_eq!(r.xml().matches("<device>").count(), 1, "{}", r.body);
    assert_eq!(s.value("SELECT COUNT(*) FROM devices"), "3");
}

#[test]
fn the_hash_proofs_of_devices_md() {
    // device_update: the vendor's five-name vector, and device_name unhashed.
    let s = Server::fixture_f_devices(&[]);
    let params = [
        ("u", "admin"),
        ("device", "2"),
        ("authentication", "1"),
        ("username", "GerasUserioDevaisas"),
        ("host", "192.168.0.123"),
        ("port", "9876"),
    ];
    let hash = "6ef26a72d1163b21417e9f366c1ef136b3efd0b9";
    assert_eq!(sign(&params, UPDATE_HASHED, KEY), hash);
    let mut all = params.to_vec();
    all.push(("hash", hash));
    s.post("device_update", &all).is(
        "<page>\n  <status>\n    <success>Device successfully updated</success>\n  </status>\n</page>\n",
    );
    assert_eq!(
        s.value("SELECT ipaddr || ':' || port FROM devices WHERE id = 2"),
        "192.168.0.123:9876"
    );
    s.post(
        "device_update",
        &[
            ("u", "admin"),
            ("device", "4"),
            ("device_name", "unknown"),
            ("hash", "9a9d292176f7b8adb10d0d037732446bae1ef4dd"),
        ],
    )
    .is(&page_status_error("Device was not found"));
    // The wiki's vectors with its key 456789: the demo world's reseller `username` (id 123)
    // signs with it. Devices 123 and 5 and user 100 are not its users': the hash passes and
    // the call's own answer follows.
    let d = Server::demo();
    d.post(
        "device_delete",
        &[
            ("u", "username"),
            ("device", "123"),
            ("hash", "f7c3bc1d808e04732adf679965ccc34ca7ae3441"),
        ],
    )
    .is(&page_error("Device was not found", &[]));
    d.post(
        "devices_get",
        &[
            ("u", "username"),
            ("user_id", "100"),
            ("hash", "71516eea4850f7e0300ac86adf9fb64bca845aa7"),
        ],
    )
    .is(&page_error("User not found", &[]));
    d.post(
        "device_details_get",
        &[
            ("u", "username"),
            ("device_id", "5"),
            ("hash", "65fd575c441513bd114b84c7dbdb01e0f2716d27"),
        ],
    )
    .is(&bare_error("Device was not found"));
    // Its own customer's devices: wiki_customer (124) has none yet; the reseller makes one.
    let (id, _, _) = created(&d.post(
        "device_create",
        &[
            ("u", "username"),
            ("user_id", "124"),
            ("hash", &sha1_hex("124456789")),
        ],
    ));
    let r = d.post(
        "devices_get",
        &[
            ("u", "username"),
            ("user_id", "124"),
            ("hash", &sha1_hex("124456789")),
        ],
    );
    assert!(
        r.xml().contains(&format!("<device_id>{id}</device_id>")),
        "{}",
        r.body
    );
}
