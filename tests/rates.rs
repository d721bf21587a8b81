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

const RETAIL: &str = "<page>
  <pagename>Tariff</pagename>
  <tariff_name>Retail</tariff_name>
  <purpose>user</purpose>
  <currency>USD</currency>
  <rates>
    <destination>
      <destination_group_name>Albania proper</destination_group_name>
      <rate>
        <duration>Infinity</duration>
        <type>minute</type>
        <round_by>1</round_by>
        <tariff_rate>0.2</tariff_rate>
        <start_time>00:00:00</start_time>
        <end_time>23:59:59</end_time>
        <daytype></daytype>
        <from>1</from>
      </rate>
    </destination>
    <destination>
      <destination_group_name>Lithuania mobile</destination_group_name>
      <rate>
        <duration>Infinity</duration>
        <type>minute</type>
        <round_by>1</round_by>
        <tariff_rate>0.12</tariff_rate>
        <start_time>00:00:00</start_time>
        <end_time>23:59:59</end_time>
        <daytype></daytype>
        <from>1</from>
      </rate>
    </destination>
  </rates>
</page>
";

const WHOLESALE: &str = "<page>
  <pagename>Tariff</pagename>
  <tariff_name>Wholesale</tariff_name>
  <purpose>user_wholesale</purpose>
  <currency>USD</currency>
  <rates>
    <rate>
      <direction>Lithuania</direction>
      <destination>Lithuania proper</destination>
      <prefix>370</prefix>
      <code>LTU</code>
      <tariff_rate>0.03</tariff_rate>
      <con_fee>0.01</con_fee>
      <increment>60</increment>
      <min_time>60</min_time>
      <start_time>00:00:00</start_time>
      <end_time>23:59:59</end_time>
      <daytype></daytype>
    </rate>
    <rate>
      <direction>Lithuania</direction>
      <destination>Lithuania mobile</destination>
      <prefix>3706</prefix>
      <code>LTU</code>
      <tariff_rate>0.08</tariff_rate>
      <con_fee>0.00</con_fee>
      <increment>1</increment>
      <min_time>0</min_time>
      <start_time>00:00:00</start_time>
      <end_time>23:59:59</end_time>
      <daytype></daytype>
    </rate>
  </rates>
</page>
";

/// The single file of a ZIP archive, unpacked by Python's zipfile: (its name, its text).
fn unzip(bytes: &[u8]) -> (String, String) {
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .args([
            "-c",
            "import io, sys, zipfile\nz = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))\n\
             assert z.testzip() is None\nn = z.namelist()\nassert len(n) == 1, n\n\
             print(n[0])\nsys.stdout.write(z.read(n[0]).decode())",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let (name, body) = text.split_once('\n').unwrap();
    (name.to_string(), body.to_string())
}

/// The raw answer (the ZIP's bytes are not text).
fn raw_post(s: &Server, call: &str, params: &[(&str, &str)]) -> (String, Vec<u8>) {
    let body = encode(params);
    let req = format!(
        "POST /billing/api/{call} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        s.addr,
        body.len()
    );
    let mut stream = std::net::TcpStream::connect(&s.addr).unwrap();
    use std::io::{Read, Write};
    stream.write_all(req.as_bytes()).unwrap();
    let mut all = Vec::new();
    stream.read_to_end(&mut all).unwrap();
    let at = all.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&all[..at]).to_lowercase();
    (head, all[at + 4..].to_vec())
}

#[test]
fn tariff_rates_get_examples() {
    let s = Server::fixture_f_calls(&[]);
    // 1. alice's own (retail) tariff, nothing hashed.
    s.post(
        "tariff_rates_get",
        &[
            ("u", "alice"),
            ("test", "1"),
            ("hash", "e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4"),
        ],
    )
    .is(RETAIL);
    // 2. The admin names the wholesale tariff.
    let two = [
        ("u", "admin"),
        ("tariff_id", "2"),
        ("hash", "38282ca5e65e63746498ef5b39a2fe71c6448df4"),
    ];
    let mut inline = two.to_vec();
    inline.push(("test", "1"));
    s.post("tariff_rates_get", &inline).is(WHOLESALE);
    // 3. The same without test=1: a ZIP whose one file holds that XML.
    let (head, body) = raw_post(&s, "get_tariff", &two);
    assert!(head.contains("content-type: application/zip"), "{head}");
    let (name, xml) = unzip(&body);
    assert!(
        name.starts_with("get_tariff_") && name.ends_with(".xml"),
        "{name}"
    );
    assert!(
        head.contains(&format!("attachment; filename=\"{name}.zip\"")),
        "{head}"
    );
    assert_eq!(
        xml,
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{WHOLESALE}")
    );
    // 4. The reseller may not read the admin's tariff, unless allowed.
    let res = [
        ("u", "res"),
        ("tariff_id", "1"),
        ("test", "1"),
        ("hash", "9e463ebc9d0ea849deea76a2fad5770be8e8b21c"),
    ];
    s.post("tariff_rates_get", &res)
        .is(&page_status_error("No tariff found"));
    s.sql("INSERT INTO conflines (name, value, owner_id) VALUES ('Allow_Resellers_to_use_Admin_Tariffs', '1', 0)");
    s.post("tariff_rates_get", &res).is(RETAIL);
    // 5. A user's tariff: bob's Res retail.
    let r = s.post(
        "tariff_rates_get",
        &[
            ("u", "admin"),
            ("user_id", "5"),
            ("test", "1"),
            ("hash", "d303ad2eaef52ff1993350cf96ca3fecbadf78ce"),
        ],
    );
    let x = r.xml();
    assert_eq!(field(x, "tariff_name"), "Res retail");
    assert_eq!(x.matches("<destination>").count(), 1, "{x}");
    assert_eq!(field(x, "destination_group_name"), "Albania proper");
    assert_eq!(field(x, "tariff_rate"), "0.25");
    // 6. Nobody; zipped without test=1 (an endpoint error), a gate error never.
    s.post("tariff_rates_get", &[("u", "nobody"), ("test", "1")])
        .is(&page_status_error("Bad login"));
    let (head, body) = raw_post(&s, "tariff_rates_get", &[("u", "nobody")]);
    assert!(head.contains("application/zip"), "{head}");
    assert!(unzip(&body).1.contains("<error>Bad login</error>"));
    let (head, body) = raw_post(&s, "tariff_rates_get", &[("u", "admin"), ("hash", "0")]);
    assert!(!head.contains("application/zip"), "{head}");
    assert!(String::from_utf8_lossy(&body).contains("Incorrect hash"));
}

#[test]
fn tariff_rates_get_whose_tariff() {
    let s = Server::fixture_f_calls(&[]);
    let get = |u: &str, key: &str, params: &[(&str, &str)]| {
        let mut all = vec![("u", u), ("test", "1")];
        all.extend_from_slice(params);
        s.signed("tariff_rates_get", &all, &["user_id", "tariff_id"], key)
    };
    // The vendor's own hash vector: tariff_id=22.
    assert_eq!(
        sign(&[("tariff_id", "22")], &["user_id", "tariff_id"], "secret"),
        "215b5f23b2258f7fed84c02c8f291671b8f00c83"
    );
    get("admin", "secret", &[("tariff_id", "22")]).is(&page_status_error("No tariff found"));
    // A user sending only tariff_id gets its own tariff; user_id: only itself.
    assert_eq!(
        field(
            get("alice", "secret", &[("tariff_id", "2")]).xml(),
            "tariff_name"
        ),
        "Retail"
    );
    get("alice", "secret", &[("user_id", "5")]).is(&page_status_error("No tariff found"));
    // The reseller: its own tariff by id, its user's; not the admin's users'.
    assert_eq!(
        field(
            get("res", "rsecret", &[("tariff_id", "3")]).xml(),
            "tariff_name"
        ),
        "Res retail"
    );
    assert_eq!(
        field(
            get("res", "rsecret", &[("user_id", "5")]).xml(),
            "tariff_name"
        ),
        "Res retail"
    );
    get("res", "rsecret", &[("user_id", "2")]).is(&page_status_error("No tariff found"));
    // Even when allowed, a provider tariff is not the reseller's to read.
    s.sql(
        "INSERT INTO conflines (name, value, owner_id) VALUES ('Allow_Resellers_to_use_Admin_Tariffs', '1', 0);
         INSERT INTO tariffs (id, name, purpose, owner_id, currency) VALUES (9, 'Carrier', 'provider', 0, 'USD');",
    );
    get("res", "rsecret", &[("tariff_id", "9")]).is(&page_status_error("No tariff found"));
    assert_eq!(
        field(
            get("admin", "secret", &[("tariff_id", "9")]).xml(),
            "purpose"
        ),
        "provider"
    );
    // The accountant sending only tariff_id: its own (none).
    get("acc", "secret", &[("tariff_id", "2")]).is(&page_status_error("No tariff found"));
    // A retail rate without price bands is a destination without rates; an empty tariff has
    // an empty list.
    s.sql("INSERT INTO rates (tariff_id, destinationgroup_id) VALUES (1, 1)");
    let x = get("admin", "secret", &[("tariff_id", "1")])
        .xml()
        .to_string();
    assert!(
        x.contains("<destination>\n      <destination_group_name>Lithuania proper</destination_group_name>\n    </destination>"),
        "{x}"
    );
    s.sql("INSERT INTO tariffs (id, name, purpose, owner_id, currency) VALUES (10, 'Empty', 'user', 0, 'USD')");
    let x = get("admin", "secret", &[("tariff_id", "10")])
        .xml()
        .to_string();
    assert!(x.contains("<rates>\n  </rates>"), "{x}");
}

#[test]
fn the_readmes_tariff_examples_on_the_demo_world() {
    let s = Server::demo();
    let x = s
        .post(
            "tariff_rates_get",
            &[
                ("u", "admin"),
                ("tariff_id", "2"),
                ("test", "1"),
                ("hash", &sha1_hex("2secret")),
            ],
        )
        .xml()
        .to_string();
    assert_eq!(field(&x, "tariff_name"), "Wholesale");
    assert_eq!(x.matches("<rate>").count(), 3, "{x}");
    let (head, body) = raw_post(
        &s,
        "get_tariff",
        &[
            ("u", "admin"),
            ("tariff_id", "2"),
            ("hash", &sha1_hex("2secret")),
        ],
    );
    assert!(head.contains("application/zip"), "{head}");
    assert!(
        unzip(&body)
            .1
            .contains("<tariff_name>Wholesale</tariff_name>")
    );
    let x = s
        .post(
            "tariff_rates_get",
            &[("u", "user1"), ("test", "1"), ("hash", &sha1_hex("secret"))],
        )
        .xml()
        .to_string();
    assert_eq!(field(&x, "tariff_name"), "Retail");
    assert_eq!(x.matches("<destination>").count(), 4, "{x}");
}
