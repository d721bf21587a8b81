//! rate_get (docs/calls.md) on fixture F as calls.md extends it: every worked example with the
//! spec's own hashes, whose tariff per caller, and each refusal in its order.

use crate::util::*;

fn rate(r: &Resp) -> String {
    r.xml().to_string()
}

fn page_rate(text: &str) -> String {
    format!("<page>\n  <rate>{text}</rate>\n</page>\n")
}

#[test]
fn rate_get_examples() {
    let s = Server::fixture_f_calls(&[]);
    let alice = [
        ("u", "alice"),
        ("username", "alice"),
        ("prefix", "37060012345"),
        ("hash", "be2ce0751d4a56709c4b7a4ba81acc6bf754465e"),
    ];
    // 1. alice's own rate for a mobile number.
    s.post("rate_get", &alice)
        .is(&page_rate("0.12#Lithuania mobile#3706"));
    // 2. The reseller for its user bob, with its own key.
    s.post(
        "rate_get",
        &[
            ("u", "res"),
            ("username", "bob"),
            ("prefix", "35541234567"),
            ("hash", "99dd242169e9a48a19462b9d6c75c99a4f4e2e8b"),
        ],
    )
    .is(&page_rate("0.25#Albania proper#355"));
    // 3. The admin for the reseller's user.
    s.post(
        "rate_get",
        &[
            ("u", "admin"),
            ("username", "bob"),
            ("prefix", "355"),
            ("hash", "bb20f63bb59e0455a4c09b19bd12540161ff7726"),
        ],
    )
    .is(&page_error("User belongs to res", &[]));
    // 4. No destination; no digits.
    let mut unknown = alice;
    unknown[2] = ("prefix", "99");
    s.post("rate_get", &unknown)
        .is(&page_error("Prefix was not found", &[]));
    unknown[2] = ("prefix", "abc");
    s.post("rate_get", &unknown)
        .is(&page_error("Empty prefix", &[]));
    // The alias, and a number written with blanks and a plus.
    let mut spaced = alice;
    spaced[2] = ("prefix", "+370 6001 2345");
    assert_eq!(
        rate(&s.post("rate", &spaced)),
        page_rate("0.12#Lithuania mobile#3706")
    );
    // 5. The feature off.
    s.sql("UPDATE conflines SET value = '0' WHERE name = 'Devices_Check_Rate'");
    s.post("rate_get", &alice)
        .is(&page_error("Feature disabled", &[]));
}

#[test]
fn rate_get_whose_tariff_and_refusals() {
    let s = Server::fixture_f_calls(&[]);
    let ask = |u: &str, key: &str, username: &str, prefix: &str| {
        s.signed(
            "rate_get",
            &[("u", u), ("username", username), ("prefix", prefix)],
            &["username"],
            key,
        )
    };
    // No u at all, an unknown u: no gate runs.
    s.post("rate_get", &[("username", "alice"), ("prefix", "370")])
        .is(&page_error("Access Denied", &[]));
    s.post(
        "rate_get",
        &[("u", "nobody"), ("username", "alice"), ("prefix", "370")],
    )
    .is(&page_error("User was not found", &[]));
    // A plain user gets its own rate whoever it names, but the name must exist.
    ask("alice", "secret", "bob", "35512").is(&page_rate("0.2#Albania proper#355"));
    ask("alice", "secret", "nobody", "35512").is(&page_error("User was not found", &[]));
    // The admin: a system user's tariff; staff targets have none.
    ask("admin", "secret", "alice", "370").is(&page_error("Rate was not found", &[]));
    ask("admin", "secret", "alice", "3706").is(&page_rate("0.12#Lithuania mobile#3706"));
    ask("admin", "secret", "acc", "3706").is(&page_error("Rate was not found", &[]));
    // The reseller: itself (no tariff rate here), its users; the system's users only when
    // allowed.
    ask("res", "rsecret", "alice", "3706").is(&page_error("User was not found", &[]));
    s.sql("INSERT INTO conflines (name, value, owner_id) VALUES ('Allow_Resellers_to_use_Admin_Tariffs', '1', 0)");
    ask("res", "rsecret", "alice", "3706").is(&page_rate("0.12#Lithuania mobile#3706"));
    ask("res", "rsecret", "res", "3706").is(&page_rate("0.12#Lithuania mobile#3706"));
    // Staff need tariff_manage and see_financial_data (group 1 has neither).
    ask("acc", "secret", "alice", "3706")
        .is(&page_error("You are not authorized to view this page", &[]));
    ask("acc", "secret", "admin", "3706")
        .is(&page_error("You are not authorized to view this page", &[]));
    s.sql(
        "INSERT INTO acc_rights (id, name) VALUES (7, 'tariff_manage'), (8, 'see_financial_data');
         INSERT INTO acc_group_rights (acc_group_id, acc_right_id, value) VALUES (1, 7, 1), (1, 8, 1);",
    );
    ask("acc", "secret", "alice", "3706").is(&page_rate("0.12#Lithuania mobile#3706"));
    ask("acc", "secret", "bob", "3706").is(&page_error("User belongs to res", &[]));
    // The group of a shorter prefix serves a destination without one; none at all: refused.
    s.sql("INSERT INTO destinations (id, prefix, direction_code, name, destinationgroup_id) VALUES (4, '37069', 'LTU', 'Lithuania special', 0)");
    ask("alice", "secret", "alice", "370691").is(&page_rate("0.12#Lithuania special#37069"));
    s.sql("INSERT INTO destinations (id, prefix, direction_code, name, destinationgroup_id) VALUES (5, '44', 'GBR', 'United Kingdom', 0)");
    ask("alice", "secret", "alice", "4420").is(&page_error("Destination Group was not found", &[]));
    // A wholesale price wins over a retail one on the same rate.
    s.sql("INSERT INTO ratedetails (rate_id, rate) VALUES (1, 10.0)");
    ask("alice", "secret", "alice", "3706").is(&page_rate("10.0#Lithuania mobile#3706"));
    // A very long number is looked at by its leading digits only.
    let long = format!("3706{}", "1".repeat(5000));
    ask("alice", "secret", "alice", &long).is(&page_rate("10.0#Lithuania mobile#3706"));
}

#[test]
fn the_readmes_rate_example_on_the_demo_world() {
    let s = Server::demo();
    s.post(
        "rate_get",
        &[
            ("u", "admin"),
            ("username", "user1"),
            ("prefix", "37060012345"),
            ("hash", &sha1_hex("user1secret")),
        ],
    )
    .is(&page_rate("0.15#Lithuania mobile#3706"));
    // reseller1's customer, with reseller1's key: its reseller's retail tariff.
    s.post(
        "rate_get",
        &[
            ("u", "reseller1"),
            ("username", "r1_user1"),
            ("prefix", "37052000000"),
            ("hash", &sha1_hex("r1_user1reseller1secret")),
        ],
    )
    .is(&page_rate("0.07#Lithuania fixed#370"));
}
