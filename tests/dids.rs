//! The DID calls (docs/dids.md) on fixture D: every worked example with the spec's own hashes,
//! each refusal in its order with the row left as it was, the life cycle's moves, the audit
//! rows, and sixteen clients racing for one free DID.

use crate::util::*;

/// `<page><status><success>TEXT</success></status>…</page>` with `more` after the status.
fn ok(text: &str, more: &str) -> String {
    format!("<page>\n  <status>\n    <success>{text}</success>\n  </status>\n{more}</page>\n")
}

/// DID `id`'s row as `status|user_id|device_id|reseller_id|dialplan_id`.
fn row(s: &Server, id: i64) -> String {
    s.value(&format!(
        "SELECT status || '|' || user_id || '|' || device_id || '|' || reseller_id || '|' || dialplan_id FROM dids WHERE id = {id}"
    ))
}

/// Every DID row, to prove a refusal wrote nothing.
fn all_rows(s: &Server) -> String {
    s.value(
        "SELECT group_concat(id || ':' || status || ',' || user_id || ',' || device_id || ',' || reseller_id || ',' || call_limit || ',' || closed_till, ';') FROM (SELECT * FROM dids ORDER BY id)",
    )
}

const ADMIN_ALL: &str = "e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4";
const RES_ALL: &str = "329bf56a16f122a8c8706a04b0312afac6f28cc9";

/// A refusal: the answer is `text` in the family's shape and no DID row changed.
#[track_caller]
fn refused(s: &Server, call: &str, params: &[(&str, &str)], text: &str) {
    let before = all_rows(s);
    s.post(call, params).is(&page_status_error(text));
    assert_eq!(all_rows(s), before, "{call} {params:?} wrote");
}

#[test]
fn dids_get_examples() {
    let s = Server::fixture_d(&[]);
    // 1. The admin: all eight, in number order, with every element its role sees.
    let all = s.post("dids_get", &[("u", "admin"), ("hash", ADMIN_ALL)]);
    let expected = "<page>
  <dids>
    <did>
      <did>37052000001</did>
      <provider>Carrier A</provider>
      <language>en</language>
      <status>Free</status>
      <owner>System Admin</owner>
      <device></device>
      <dial_plan></dial_plan>
      <simultaneous_call_limit>Unlimited</simultaneous_call_limit>
      <tone_zone></tone_zone>
      <id>1</id>
    </did>
    <did>
      <did>37052000002</did>
      <provider>Carrier A</provider>
      <language>en</language>
      <status>Active</status>
      <owner>Alice Smith</owner>
      <device>SIP/1001</device>
      <dial_plan></dial_plan>
      <simultaneous_call_limit>Unlimited</simultaneous_call_limit>
      <comment>Alice main</comment>
      <tone_zone></tone_zone>
      <id>2</id>
    </did>
    <did>
      <did>37052000003</did>
      <provider>Carrier A</provider>
      <language>lt</language>
      <status>Reserved</status>
      <owner>Alice Smith</owner>
      <device></device>
      <dial_plan></dial_plan>
      <simultaneous_call_limit>5</simultaneous_call_limit>
      <tone_zone></tone_zone>
      <id>3</id>
    </did>
    <did>
      <did>37052000004</did>
      <provider>Res carrier</provider>
      <language>en</language>
      <status>Free</status>
      <reseller>Rita Seller</reseller>
      <device></device>
      <dial_plan></dial_plan>
      <simultaneous_call_limit>Unlimited</simultaneous_call_limit>
      <tone_zone></tone_zone>
      <id>4</id>
    </did>
    <did>
      <did>37052000005</did>
      <provider>Res carrier</provider>
      <language>en</language>
      <status>Active</status>
      <reseller>Rita Seller</reseller>
      <owner>Bob Brown</owner>
      <device>SIP/1000</device>
      <dial_plan></dial_plan>
      <simultaneous_call_limit>Unlimited</simultaneous_call_limit>
      <tone_zone></tone_zone>
      <id>5</id>
    </did>
    <did>
      <did>37052000006</did>
      <provider>Carrier A</provider>
      <language>en</language>
      <status>Active</status>
      <owner>System Admin</owner>
      <device></device>
      <dial_plan>Auth PIN (authbypin)</dial_plan>
      <simultaneous_call_limit>Unlimited</simultaneous_call_limit>
      <tone_zone>lt</tone_zone>
      <id>6</id>
    </did>
    <did>
      <did>37052000007</did>
      <provider>Carrier A</provider>
      <language>en</language>
      <status>Terminated</status>
      <owner>System Admin</owner>
      <device></device>
      <dial_plan></dial_plan>
      <simultaneous_call_limit>Unlimited</simultaneous_call_limit>
      <tone_zone></tone_zone>
      <id>7</id>
    </did>
    <did>
      <did>37052000008</did>
      <provider>Carrier A</provider>
      <language>en</language>
      <status>Closed</status>
      <owner>Alice Smith</owner>
      <device>IAX2/1002</device>
      <dial_plan></dial_plan>
      <simultaneous_call_limit>Unlimited</simultaneous_call_limit>
      <tone_zone></tone_zone>
      <id>8</id>
    </did>
  </dids>
</page>
";
    all.is(expected);
    // 2. Free for the admin: the system's stock only.
    let free = s.post(
        "dids_get",
        &[
            ("u", "admin"),
            ("search_status", "free"),
            ("hash", ADMIN_ALL),
        ],
    );
    assert_eq!(ids(&free.body), [1]);
    // 3. The reseller: its stock, without provider and reseller; its own comment.
    s.post("dids_get", &[("u", "res"), ("hash", RES_ALL)])
        .is("<page>
  <dids>
    <did>
      <did>37052000004</did>
      <language>en</language>
      <status>Free</status>
      <device></device>
      <dial_plan></dial_plan>
      <simultaneous_call_limit>Unlimited</simultaneous_call_limit>
      <comment>res stock</comment>
      <tone_zone></tone_zone>
      <id>4</id>
    </did>
    <did>
      <did>37052000005</did>
      <language>en</language>
      <status>Active</status>
      <owner>Bob Brown</owner>
      <device>SIP/1000</device>
      <dial_plan></dial_plan>
      <simultaneous_call_limit>Unlimited</simultaneous_call_limit>
      <tone_zone></tone_zone>
      <id>5</id>
    </did>
  </dids>
</page>
");
    // 4. A user: its own, with only the user's elements.
    s.post("dids_get", &[("u", "alice"), ("hash", ADMIN_ALL)])
        .is("<page>
  <dids>
    <did>
      <did>37052000002</did>
      <language>en</language>
      <status>Active</status>
      <owner>Alice Smith</owner>
      <device>SIP/1001</device>
      <simultaneous_call_limit>Unlimited</simultaneous_call_limit>
      <comment>Alice main</comment>
      <id>2</id>
    </did>
    <did>
      <did>37052000003</did>
      <language>lt</language>
      <status>Reserved</status>
      <owner>Alice Smith</owner>
      <device></device>
      <simultaneous_call_limit>5</simultaneous_call_limit>
      <id>3</id>
    </did>
    <did>
      <did>37052000008</did>
      <language>en</language>
      <status>Closed</status>
      <owner>Alice Smith</owner>
      <device>IAX2/1002</device>
      <simultaneous_call_limit>Unlimited</simultaneous_call_limit>
      <id>8</id>
    </did>
  </dids>
</page>
");
    // 5. Nothing found.
    s.post(
        "dids_get",
        &[
            ("u", "admin"),
            ("search_did_number", "99999"),
            ("hash", ADMIN_ALL),
        ],
    )
    .is(&page_status_error("No DIDs found"));
    // 6. An accountant without the DID right.
    s.post("dids_get", &[("u", "acc"), ("hash", ADMIN_ALL)])
        .is(&page_status_error("You are not authorized to manage DIDs"));
    // 7. A wildcard number, terminated ones hidden.
    let r = s.post(
        "dids_get",
        &[
            ("u", "admin"),
            ("search_did_number", "3705200000%"),
            ("search_hide_terminated_dids", "1"),
            ("hash", ADMIN_ALL),
        ],
    );
    assert_eq!(ids(&r.body), [1, 2, 3, 4, 5, 6, 8]);
}

/// The `<id>`s of a dids_get answer, in order.
fn ids(body: &str) -> Vec<i64> {
    body.split("<id>")
        .skip(1)
        .map(|p| p[..p.find('<').unwrap()].parse().unwrap())
        .collect()
}

#[test]
fn dids_get_searches_pages_and_refusals() {
    let s = Server::fixture_d(&[]);
    let get = |extra: &[(&str, &str)]| {
        let mut p = vec![("u", "admin"), ("hash", ADMIN_ALL)];
        p.extend_from_slice(extra);
        ids(&s.post("dids_get", &p).body)
    };
    // The admin's reserved: reserved ones and every reseller's stock, parenthesised so that
    // another filter still narrows it.
    assert_eq!(get(&[("search_status", "Reserved")]), [3, 4, 5]);
    assert_eq!(
        get(&[("search_status", "reserved"), ("search_did_number", "%3")]),
        [3]
    );
    assert_eq!(get(&[("search_status", "closed")]), [8]);
    assert_eq!(get(&[("search_status", "active")]), [2, 6]);
    // Owner by display name, never a free DID.
    assert_eq!(get(&[("search_did_owner", "Alice%")]), [2, 3, 8]);
    assert_eq!(get(&[("search_did_owner", "System%")]), [6, 7]);
    assert_eq!(get(&[("search_dialplan", "1")]), [6]);
    // A user's DIDs, or a reseller's stock.
    assert_eq!(get(&[("search_user", "3")]), [4, 5]);
    assert_eq!(get(&[("search_user", "5")]), [5]);
    assert_eq!(get(&[("search_device", "2")]), [2]);
    assert_eq!(get(&[("search_device", "all")]).len(), 8);
    assert_eq!(get(&[("search_provider", "2")]), [4, 5]);
    assert_eq!(get(&[("search_language", "LT")]), [3]);
    assert_eq!(get(&[("search_language", "all")]).len(), 8);
    // Blank searches are no filter.
    assert_eq!(
        get(&[("search_did_number", " "), ("search_user", "")]).len(),
        8
    );
    // Pages after ordering.
    assert_eq!(get(&[("from", "3"), ("max_results", "2")]), [3, 4]);
    assert_eq!(get(&[("from", "8")]), [8]);
    assert_eq!(get(&[("max_results", "1")]), [1]);
    let past = s.post(
        "dids_get",
        &[("u", "admin"), ("from", "9"), ("hash", ADMIN_ALL)],
    );
    past.is(&page_status_error("No DIDs found"));
    // A reseller without its own providers: the provider search is ignored; the user search
    // stays inside its stock; a dial plan search too.
    let res = |extra: &[(&str, &str)]| {
        let mut p = vec![("u", "res"), ("hash", RES_ALL)];
        p.extend_from_slice(extra);
        ids(&s.post("dids_get", &p).body)
    };
    assert_eq!(res(&[("search_provider", "1")]), [4, 5]);
    assert_eq!(res(&[("search_user", "2")]), Vec::<i64>::new());
    assert_eq!(res(&[("search_status", "free")]), [4]);
    // A user's dial plan search is ignored.
    let alice = s.post(
        "dids_get",
        &[
            ("u", "alice"),
            ("search_dialplan", "1"),
            ("hash", ADMIN_ALL),
        ],
    );
    assert_eq!(ids(&alice.body), [2, 3, 8]);
    // Nothing is hashed: a search signed with the key alone passes, one that hashes the
    // search does not.
    s.post(
        "dids_get",
        &[
            ("u", "admin"),
            ("search_status", "free"),
            ("hash", &sha1_hex("freesecret")),
        ],
    )
    .is(&gate_error("Incorrect hash"));
    // Unknown u; GET while Allow_GET_API is 0; the accountant with the right.
    s.post("dids_get", &[("u", "nobody"), ("hash", ADMIN_ALL)])
        .is(&page_status_error("Access Denied"));
    s.get("dids_get", &[("u", "admin"), ("hash", ADMIN_ALL)])
        .is(&gate_error("GET Requests are disabled"));
    s.sql("INSERT INTO acc_group_rights (acc_group_id, acc_right_id, value) VALUES (1, 5, 1)");
    let acc = s.post("dids_get", &[("u", "acc"), ("hash", ADMIN_ALL)]);
    assert_eq!(ids(&acc.body).len(), 8);
    assert!(acc.body.contains("<provider>Carrier A</provider>"));
}

#[test]
fn did_create_examples() {
    let s = Server::fixture_d(&[]);
    // 1. A new number into the system's stock.
    let make = [
        ("u", "admin"),
        ("provider_id", "1"),
        ("did", "37052000009"),
        ("hash", "49ac8c727c1f8651090dfdd278dc2b57736d18ec"),
    ];
    refused(&s, "did_create", &make[..0], "Access Denied");
    s.post("did_create", &make).is(&ok(
        "DID created",
        "  <did_details>\n    <id>9</id>\n  </did_details>\n",
    ));
    assert_eq!(row(&s, 9), "free|0|0|0|0");
    assert_eq!(
        s.value("SELECT provider_id || did FROM dids WHERE id = 9"),
        "137052000009"
    );
    assert_eq!(
        s.value("SELECT action || ' ' || data FROM actions WHERE action = 'did_created'"),
        "did_created 9"
    );
    // 2. A number already in stock.
    refused(
        &s,
        "did_create",
        &[
            ("u", "admin"),
            ("provider_id", "1"),
            ("did", "37052000001"),
            ("hash", "79a64ae16a5a973d0c4d0c06f4f3d0371d6d74ff"),
        ],
        "DID already exists",
    );
    // 3. A hidden provider.
    refused(
        &s,
        "did_create",
        &[
            ("u", "admin"),
            ("provider_id", "3"),
            ("did", "37052000009"),
            ("hash", "1f7c232fb15cc5f9aa8386e158e707b527271073"),
        ],
        "Provider was not found",
    );
    // 4. A reseller while resellers may not add DIDs; then with the setting on.
    let res = [
        ("u", "res"),
        ("provider_id", "2"),
        ("did", "37052000010"),
        ("hash", &sha1_hex("237052000010rsecret")),
    ];
    let spec_res = [
        ("u", "res"),
        ("provider_id", "2"),
        ("did", "37052000009"),
        ("hash", "4d58a1bf5b167c710f4d3769f1eb1b8e8cecc1b8"),
    ];
    refused(
        &s,
        "did_create",
        &spec_res,
        "You are not authorized to manage DIDs",
    );
    s.sql("INSERT INTO conflines (name, value, owner_id) VALUES ('Resellers_can_add_their_own_DIDs', '1', 0)");
    s.post("did_create", &res).is(&ok(
        "DID created",
        "  <did_details>\n    <id>10</id>\n  </did_details>\n",
    ));
    assert_eq!(row(&s, 10), "free|0|0|3|0");
    // 5. Not digits (hashed as sent).
    refused(
        &s,
        "did_create",
        &[
            ("u", "admin"),
            ("provider_id", "1"),
            ("did", "12ab"),
            ("hash", "18b0c52e1b183d0ac9c6726dd37c4a5a2ce7c419"),
        ],
        "Invalid DID specified",
    );
    // Longer than the vendor's column: not a number (ours).
    let long = "3".repeat(256);
    refused(
        &s,
        "did_create",
        &[
            ("u", "admin"),
            ("provider_id", "1"),
            ("did", &long),
            ("hash", &sha1_hex(&format!("1{long}secret"))),
        ],
        "Invalid DID specified",
    );
    // 6. A plain user, whatever its hash.
    refused(
        &s,
        "did_create",
        &[
            ("u", "alice"),
            ("provider_id", "1"),
            ("did", "37052000011"),
            ("hash", "0000"),
        ],
        "Access Denied",
    );
    // The admin with the reseller's provider; the reseller with the admin's.
    refused(
        &s,
        "did_create",
        &[
            ("u", "admin"),
            ("provider_id", "2"),
            ("did", "37052000011"),
            ("hash", &sha1_hex("237052000011secret")),
        ],
        "Your are not authorized to use this Provider",
    );
    refused(
        &s,
        "did_create",
        &[
            ("u", "res"),
            ("provider_id", "1"),
            ("did", "37052000011"),
            ("hash", &sha1_hex("137052000011rsecret")),
        ],
        "Your are not authorized to use this Provider",
    );
    // A reseller without provider_id: the default provider, when there is one.
    let bare = [
        ("u", "res"),
        ("did", "37052000011"),
        ("hash", &sha1_hex("37052000011rsecret")),
    ];
    refused(&s, "did_create", &bare, "Provider was not found");
    s.sql("INSERT INTO conflines (name, value, owner_id) VALUES ('DID_default_provider_to_resellers', '1', 0)");
    s.post("did_create", &bare).is(&ok(
        "DID created",
        "  <did_details>\n    <id>11</id>\n  </did_details>\n",
    ));
    assert_eq!(
        s.value("SELECT provider_id || '/' || reseller_id FROM dids WHERE id = 11"),
        "1/3"
    );
    // test=1 adds the number; the accountant without the right is refused, with it may.
    let t = s.post(
        "did_create",
        &[
            ("u", "admin"),
            ("provider_id", "1"),
            ("did", "37052000012"),
            ("test", "1"),
            ("hash", &sha1_hex("137052000012secret")),
        ],
    );
    assert!(
        t.body.contains("<id>12</id>\n    <did>37052000012</did>"),
        "{}",
        t.body
    );
    let acc = [
        ("u", "acc"),
        ("provider_id", "1"),
        ("did", "37052000013"),
        ("hash", &sha1_hex("137052000013secret")),
    ];
    refused(
        &s,
        "did_create",
        &acc,
        "You are not authorized to manage DIDs",
    );
    s.sql("INSERT INTO acc_group_rights (acc_group_id, acc_right_id, value) VALUES (1, 5, 2)");
    assert_eq!(field(&s.post("did_create", &acc).body, "id"), "13");
    // A wrong hash is a gate error; GET is refused while Allow_GET_API is 0.
    s.post(
        "did_create",
        &[
            ("u", "admin"),
            ("provider_id", "1"),
            ("did", "5"),
            ("hash", "bad"),
        ],
    )
    .is(&gate_error("Incorrect hash"));
    s.get("did_create", &make)
        .is(&gate_error("GET Requests are disabled"));
}

/// An assign request signed with `key`.
fn assign(u: &str, did: &str, device: &str, key: &str) -> Vec<(String, String)> {
    vec![
        ("u".into(), u.into()),
        ("did".into(), did.into()),
        ("device_id".into(), device.into()),
        ("hash".into(), sha1_hex(&format!("{device}{did}{key}"))),
    ]
}

fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}

#[test]
fn did_device_assign_examples() {
    let s = Server::fixture_d(&[]);
    let assigned = ok("Device assigned to DID", "");
    // 1. A free system DID to alice's desk.
    s.post(
        "did_device_assign",
        &[
            ("u", "admin"),
            ("did", "37052000001"),
            ("device_id", "2"),
            ("hash", "b8fcb8e8d09929a2fc1208ca4ecea1674d7c5ff0"),
        ],
    )
    .is(&assigned);
    assert_eq!(row(&s, 1), "active|2|2|0|0");
    // Its audit row: the caller, the DID's new user, the DID, what changed.
    assert_eq!(
        s.value("SELECT user_id || '|' || target_id || '|' || data || '|' || data2 FROM actions WHERE action = 'did_assigned'"),
        "0|2|1|device_id=2 status=active user_id=2"
    );
    // 2. The alias, a DID reserved for alice.
    s.post(
        "did_assign_device",
        &[
            ("u", "admin"),
            ("device_id", "2"),
            ("did", "37052000003"),
            ("hash", "832ddbf69599cbc04a88f46d67f12f0a73b0fe8e"),
        ],
    )
    .is(&assigned);
    assert_eq!(row(&s, 3), "active|2|2|0|0");
    // 3-6, 8, 9: the refusals in their order.
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        (
            "admin",
            "37052000003",
            "1",
            "724b3313a6f69ca3da8edcf2bfa286d96745e109",
            "Your are not authorized to use this Device",
        ),
        (
            "admin",
            "37052000002",
            "2",
            "0590912881ea4242c92b7be70e4ea093e208a5d2",
            "DID is not free",
        ),
        (
            "admin",
            "37052000007",
            "2",
            "2b0820f7ccbb7408b9d12862bd42b4d51d5ed66d",
            "DID is terminated",
        ),
        (
            "admin",
            "37052000004",
            "2",
            "2da6ed26b43dab47e55a192ac3fad104b7c73972",
            "Your are not authorized to use this DID",
        ),
        (
            "admin",
            "37052000001",
            "99",
            "52d60f8d099f63f4978b851b3f912e678e9f09e6",
            "Device was not found",
        ),
        (
            "acc",
            "37052000001",
            "2",
            "b8fcb8e8d09929a2fc1208ca4ecea1674d7c5ff0",
            "You are not authorized to manage DIDs",
        ),
    ];
    for (u, did, device, hash, text) in cases {
        refused(
            &s,
            "did_device_assign",
            &[
                ("u", u),
                ("did", did),
                ("device_id", device),
                ("hash", hash),
            ],
            text,
        );
    }
    // 7. The reseller, the wisecall pattern (its user_id is ignored, not hashed).
    s.post(
        "did_device_assign",
        &[
            ("u", "res"),
            ("did", "37052000004"),
            ("device_id", "1"),
            ("user_id", "5"),
            ("hash", "6eca3a90a93a658089b02a0919fbfd260fa6265e"),
        ],
    )
    .is(&assigned);
    assert_eq!(row(&s, 4), "active|5|1|3|0");
    // Not a number, no number, a closed DID, a DID on a dial plan, one reserved for another.
    for (did, text) in [
        ("37O52", "DID was not found"),
        ("", "DID was not found"),
        ("37052000008", "DID is not free"),
        ("37052000006", "DID is not free"),
    ] {
        refused(
            &s,
            "did_device_assign",
            &pairs(&assign("admin", did, "2", "secret")),
            text,
        );
    }
    s.sql("UPDATE dids SET status = 'reserved', user_id = 4 WHERE id = 1; UPDATE dids SET status='free', user_id=0, device_id=0 WHERE id = 3");
    refused(
        &s,
        "did_device_assign",
        &pairs(&assign("admin", "37052000001", "2", "secret")),
        "DID is not free",
    );
    // A plain user, whatever its hash; the accountant with all three rights.
    refused(
        &s,
        "did_device_assign",
        &[
            ("u", "alice"),
            ("did", "37052000003"),
            ("device_id", "2"),
            ("hash", "x"),
        ],
        "Access Denied",
    );
    s.sql("INSERT INTO acc_group_rights (acc_group_id, acc_right_id, value) VALUES (1, 5, 2), (1, 2, 1)");
    let t = s.post(
        "did_device_assign",
        &[
            ("u", "acc"),
            ("did", "37052000003"),
            ("device_id", "3"),
            ("test", "1"),
            ("hash", &sha1_hex("337052000003secret")),
        ],
    );
    t.is(&ok(
        "Device assigned to DID",
        "  <did_id>3</did_id>\n  <device_id>3</device_id>\n",
    ));
    assert_eq!(row(&s, 3), "active|2|3|0|0");
    // The reseller and a trunk device: refused until resellers may give DIDs to trunks.
    s.sql("UPDATE devices SET istrunk = 1 WHERE id = 1; UPDATE dids SET status='free', user_id=0, device_id=0 WHERE id = 4");
    let trunk = assign("res", "37052000004", "1", "rsecret");
    refused(
        &s,
        "did_device_assign",
        &pairs(&trunk),
        "Device was not assigned",
    );
    refused(
        &s,
        "did_trunk_device_assign",
        &pairs(&trunk),
        "DID cannot be assigned to Trunk",
    );
    s.sql("INSERT INTO conflines (name, value, owner_id) VALUES ('Resellers_Allow_Assign_DID_To_Trunk', '1', 0)");
    s.post("did_trunk_device_assign", &pairs(&trunk))
        .is(&assigned);
    assert_eq!(row(&s, 4), "active|5|1|3|0");
    // Every assignment left an audit row naming the DID.
    assert_eq!(
        s.value("SELECT group_concat(data, ',') FROM (SELECT data FROM actions WHERE action = 'did_assigned' ORDER BY id)"),
        "1,3,4,3,4"
    );
}

#[test]
fn did_trunk_device_assign_examples() {
    let s = Server::fixture_d(&[]);
    // 1. A free DID to alice's trunk.
    s.post(
        "did_trunk_device_assign",
        &[
            ("u", "admin"),
            ("did", "37052000001"),
            ("device_id", "3"),
            ("hash", "de1e40ace7a8dcd9c1d7e92c6a312229f8d781ce"),
        ],
    )
    .is(&ok("Device assigned to DID", ""));
    assert_eq!(row(&s, 1), "active|2|3|0|0");
    // 2. Not a trunk.
    s.sql("UPDATE dids SET status='free', user_id=0, device_id=0 WHERE id = 1");
    refused(
        &s,
        "did_trunk_device_assign",
        &[
            ("u", "admin"),
            ("did", "37052000001"),
            ("device_id", "2"),
            ("hash", "b8fcb8e8d09929a2fc1208ca4ecea1674d7c5ff0"),
        ],
        "Device is not a trunk",
    );
    refused(
        &s,
        "did_trunk_device_assign",
        &pairs(&assign("admin", "37052000001", "1", "secret")),
        "Your are not authorized to use this Device",
    );
}

#[test]
fn did_device_unassign_examples() {
    let s = Server::fixture_d(&[]);
    let done = ok("Device was unassigned from DID", "");
    // 1. alice's desk DID, by number.
    s.post(
        "did_device_unassign",
        &[
            ("u", "admin"),
            ("did", "37052000002"),
            ("hash", "a54ff5682d80ea8749329f76971fd0186db1aec8"),
        ],
    )
    .is(&done);
    assert_eq!(row(&s, 2), "free|0|0|0|0");
    // The audit row names the user the DID had.
    assert_eq!(
        s.value("SELECT target_id || '|' || data FROM actions WHERE action = 'did_unassigned'"),
        "2|2"
    );
    // 2. The vendor-test form (device_id hashed first) on a fresh copy.
    let s2 = Server::fixture_d(&[]);
    s2.post(
        "did_device_unassign",
        &[
            ("u", "admin"),
            ("did", "37052000002"),
            ("device_id", "2"),
            ("hash", "0590912881ea4242c92b7be70e4ea093e208a5d2"),
        ],
    )
    .is(&done);
    assert_eq!(row(&s2, 2), "free|0|0|0|0");
    // 3-5: free, on a dial plan, another's stock (spelt right here).
    for (did, hash, text) in [
        (
            "37052000001",
            "0462e1523941be55127860e2cb9176c62e3d8955",
            "DID is already free",
        ),
        (
            "37052000006",
            "798dee0ec62d39abcbd719117877c898bfcb3030",
            "DID is assigned to dialplan",
        ),
        (
            "37052000005",
            "f4192b71047af0320d480c0d7c175aa6a8ebc4ef",
            "You are not authorized to use this DID",
        ),
    ] {
        refused(
            &s,
            "did_device_unassign",
            &[("u", "admin"), ("did", did), ("hash", hash)],
            text,
        );
    }
    // 6. The reseller by did_id, on the alias: back to its stock.
    s.post(
        "did_unassign_device",
        &[
            ("u", "res"),
            ("did_id", "5"),
            ("hash", "2e9e920268c4ae2ef8649886459695f89e02bd6c"),
        ],
    )
    .is(&done);
    assert_eq!(row(&s, 5), "free|0|0|3|0");
    // Terminated, closed, reserved, unknown, missing; a user; staff without the rights.
    for (did, text) in [
        ("37052000007", "DID is terminated"),
        ("37052000008", "DID is already free"),
        ("37052000003", "DID is already free"),
        ("99", "DID was not found"),
        ("x1", "DID was not found"),
    ] {
        let p = [
            ("u", "admin"),
            ("did", did),
            ("hash", &sha1_hex(&format!("{did}secret"))),
        ];
        refused(&s, "did_device_unassign", &p, text);
    }
    refused(
        &s,
        "did_device_unassign",
        &[("u", "admin"), ("hash", ADMIN_ALL)],
        "DID was not found",
    );
    refused(
        &s,
        "did_device_unassign",
        &[("u", "bob"), ("did_id", "5"), ("hash", "x")],
        "Access Denied",
    );
    refused(
        &s,
        "did_device_unassign",
        &[
            ("u", "acc"),
            ("did", "37052000002"),
            ("hash", "a54ff5682d80ea8749329f76971fd0186db1aec8"),
        ],
        "You are not authorized to manage DIDs",
    );
    // test=1 names the DID.
    s.sql("UPDATE dids SET status = 'active', user_id = 2, device_id = 2 WHERE id = 1");
    s.post(
        "did_device_unassign",
        &[
            ("u", "admin"),
            ("did", "37052000001"),
            ("test", "1"),
            ("hash", "0462e1523941be55127860e2cb9176c62e3d8955"),
        ],
    )
    .is(&ok(
        "Device was unassigned from DID",
        "  <did_id>1</did_id>\n",
    ));
}

#[test]
fn did_details_update_examples() {
    let s = Server::fixture_d(&[]);
    let done = ok("DID details successfully updated", "");
    let one = "bc2f114099d16656d37e45fd9e8744cb9386d462";
    let two = "38282ca5e65e63746498ef5b39a2fe71c6448df4";
    // 1. A call limit, with its audit row.
    s.post(
        "did_details_update",
        &[
            ("u", "admin"),
            ("did_id", "1"),
            ("call_limit", "10"),
            ("hash", one),
        ],
    )
    .is(&done);
    assert_eq!(s.value("SELECT call_limit FROM dids WHERE id = 1"), "10");
    assert_eq!(
        s.value("SELECT count(*) || ' ' || max(data) || ' ' || max(user_id) FROM actions WHERE action = 'did_edited'"),
        "1 1 0"
    );
    // 2. Into the reseller's stock: still free.
    s.post(
        "did_details_update",
        &[
            ("u", "admin"),
            ("did_id", "1"),
            ("did_user_id", "3"),
            ("hash", one),
        ],
    )
    .is(&done);
    assert_eq!(row(&s, 1), "free|0|0|3|0");
    // 3. Reserved for alice (fresh copy, as each example starts).
    let s3 = Server::fixture_d(&[]);
    s3.post(
        "did_details_update",
        &[
            ("u", "admin"),
            ("did_id", "1"),
            ("did_user_id", "2"),
            ("hash", one),
        ],
    )
    .is(&done);
    assert_eq!(row(&s3, 1), "reserved|2|0|0|0");
    // 4. Another user's DID.
    refused(
        &s3,
        "did_details_update",
        &[
            ("u", "admin"),
            ("did_id", "2"),
            ("did_user_id", "4"),
            ("hash", two),
        ],
        "DID is already assigned",
    );
    // 5. Freed whatever its state.
    s3.post(
        "did_details_update",
        &[
            ("u", "admin"),
            ("did_id", "2"),
            ("did_user_id", "-1"),
            ("hash", two),
        ],
    )
    .is(&done);
    assert_eq!(row(&s3, 2), "free|0|0|0|0");
    // 6. A negative call limit.
    refused(
        &s3,
        "did_details_update",
        &[
            ("u", "admin"),
            ("did_id", "1"),
            ("call_limit", "-5"),
            ("hash", one),
        ],
        "Call limit is incorrect format",
    );
    // 7. The reseller, a DID not of its stock.
    refused(
        &s3,
        "did_details_update",
        &[
            ("u", "res"),
            ("did_id", "1"),
            ("hash", "9e463ebc9d0ea849deea76a2fad5770be8e8b21c"),
        ],
        "DID was not found",
    );
    // 8. The reseller, a user not its own.
    let four = "38d06bde6d755cb0a0ea605bc9a30fa9c8bec562";
    refused(
        &s3,
        "did_details_update",
        &[
            ("u", "res"),
            ("did_id", "4"),
            ("did_user_id", "2"),
            ("hash", four),
        ],
        "User was not found",
    );
    // 9. The reseller to its user; then assign makes it active (wisecall's two steps).
    s3.post(
        "did_details_update",
        &[
            ("u", "res"),
            ("did_id", "4"),
            ("did_user_id", "5"),
            ("hash", four),
        ],
    )
    .is(&done);
    assert_eq!(row(&s3, 4), "reserved|5|0|3|0");
    s3.post(
        "did_device_assign",
        &[
            ("u", "res"),
            ("did", "37052000004"),
            ("device_id", "1"),
            ("hash", "6eca3a90a93a658089b02a0919fbfd260fa6265e"),
        ],
    )
    .is(&ok("Device assigned to DID", ""));
    assert_eq!(row(&s3, 4), "active|5|1|3|0");
    // 10. The accountant without device_manage read and write.
    refused(
        &s3,
        "did_details_update",
        &[("u", "acc"), ("did_id", "1"), ("hash", one)],
        "You are not authorized to use this functionality",
    );
    // A user; an unknown DID; grace time; an error after a -1 writes nothing.
    refused(
        &s3,
        "did_details_update",
        &[("u", "alice"), ("did_id", "1"), ("hash", one)],
        "Access Denied",
    );
    refused(
        &s3,
        "did_details_update",
        &[
            ("u", "admin"),
            ("did_id", "99"),
            ("hash", &sha1_hex("99secret")),
        ],
        "DID was not found",
    );
    refused(
        &s3,
        "did_details_update",
        &[
            ("u", "admin"),
            ("did_id", "1"),
            ("grace_time", "1.5"),
            ("hash", one),
        ],
        "Grace time is incorrect format",
    );
    refused(
        &s3,
        "did_details_update",
        &[
            ("u", "admin"),
            ("did_id", "1"),
            ("did_user_id", "-1"),
            ("call_limit", "x"),
            ("hash", one),
        ],
        "Call limit is incorrect format",
    );
    refused(
        &s3,
        "did_details_update",
        &[
            ("u", "admin"),
            ("did_id", "1"),
            ("did_user_id", "77"),
            ("hash", one),
        ],
        "User was not found",
    );
    s3.post(
        "did_details_update",
        &[
            ("u", "admin"),
            ("did_id", "1"),
            ("grace_time", "30"),
            ("active_from", "1700000000"),
            ("hash", one),
        ],
    )
    .is(&done);
    assert_eq!(s3.value("SELECT grace_time FROM dids WHERE id = 1"), "30");
    // A reseller's -1 keeps its stock; the admin's returns it to the system's.
    s3.post(
        "did_details_update",
        &[
            ("u", "res"),
            ("did_id", "4"),
            ("did_user_id", "-1"),
            ("hash", four),
        ],
    )
    .is(&done);
    assert_eq!(row(&s3, 4), "free|0|0|3|0");
    s3.post(
        "did_details_update",
        &[
            ("u", "admin"),
            ("did_id", "4"),
            ("did_user_id", "-1"),
            ("hash", &sha1_hex("4secret")),
        ],
    )
    .is(&done);
    assert_eq!(row(&s3, 4), "free|0|0|0|0");
    // A terminated DID is freed too.
    s3.post(
        "did_details_update",
        &[
            ("u", "admin"),
            ("did_id", "7"),
            ("did_user_id", "-1"),
            ("hash", &sha1_hex("7secret")),
        ],
    )
    .is(&done);
    assert_eq!(row(&s3, 7), "free|0|0|0|0");
}

#[test]
fn did_subscription_stop_examples() {
    let s = Server::fixture_d(&[]);
    let done = ok("DID was successfully closed", "");
    let two = "38282ca5e65e63746498ef5b39a2fe71c6448df4";
    // 1. alice's desk DID: closed till now (Days_for_did_close 0); the device's primary cleared.
    let before = s.value("SELECT strftime('%Y-%m-%d %H:%M:%S', 'now')");
    s.post(
        "did_subscription_stop",
        &[("u", "admin"), ("dids_id", "2"), ("hash", two)],
    )
    .is(&done);
    assert_eq!(row(&s, 2), "closed|2|2|0|0");
    let till = s.value("SELECT closed_till FROM dids WHERE id = 2");
    assert!(till >= before && till.len() == 19, "{till}");
    assert_eq!(
        s.value("SELECT primary_did_id FROM devices WHERE id = 2"),
        "0"
    );
    // 2. The laravel-kolmisoft form, on a fresh copy.
    let s2 = Server::fixture_d(&[]);
    s2.post(
        "did_subscription_stop",
        &[("u", "admin"), ("did_id", "2"), ("hash", two)],
    )
    .is(&done);
    assert_eq!(row(&s2, 2), "closed|2|2|0|0");
    // 3, 4. Free; on a dial plan.
    refused(
        &s2,
        "did_subscription_stop",
        &[
            ("u", "admin"),
            ("dids_id", "1"),
            ("hash", "bc2f114099d16656d37e45fd9e8744cb9386d462"),
        ],
        "DID is not assigned to Device",
    );
    refused(
        &s2,
        "did_subscription_stop",
        &[
            ("u", "admin"),
            ("dids_id", "6"),
            ("hash", "29e93212610eb053970d2892a08c37e371f37fff"),
        ],
        "DID is not assigned to Device",
    );
    // 5. Already closed: closed_till refreshed, with the days setting.
    s2.sql("INSERT INTO conflines (name, value, owner_id) VALUES ('Days_for_did_close', '30', 0)");
    s2.post(
        "did_subscription_stop",
        &[
            ("u", "admin"),
            ("dids_id", "8"),
            ("hash", "a95b461ed7abd736b96ab5859691fa46c8b6f046"),
        ],
    )
    .is(&done);
    let till = s2.value("SELECT closed_till FROM dids WHERE id = 8");
    let expected = s2.value("SELECT strftime('%Y-%m-%d', 'now', '+30 days')");
    assert!(
        till.starts_with(&expected) || till > expected,
        "{till} vs {expected}"
    );
    // 6. The reseller, the system's DID.
    refused(
        &s2,
        "did_subscription_stop",
        &[
            ("u", "res"),
            ("dids_id", "2"),
            ("hash", "e46fe96135a02781a8a0dddadd6e7c22fa04aa2c"),
        ],
        "DID was not found",
    );
    // 7. The reseller, its own.
    s2.post(
        "did_subscription_stop",
        &[
            ("u", "res"),
            ("dids_id", "5"),
            ("hash", "2e9e920268c4ae2ef8649886459695f89e02bd6c"),
        ],
    )
    .is(&done);
    assert_eq!(row(&s2, 5), "closed|5|1|3|0");
    // 8. The accountant without the DID right.
    refused(
        &s2,
        "did_subscription_stop",
        &[("u", "acc"), ("dids_id", "2"), ("hash", two)],
        "You are not authorized to use this functionality",
    );
    // A user is refused after the gates (a wrong hash is a gate error); both names sent:
    // only dids_id is hashed.
    s2.post(
        "did_subscription_stop",
        &[("u", "alice"), ("dids_id", "2"), ("hash", "x")],
    )
    .is(&gate_error("Incorrect hash"));
    refused(
        &s2,
        "did_subscription_stop",
        &[("u", "alice"), ("dids_id", "2"), ("hash", two)],
        "Access Denied",
    );
    s2.post(
        "did_subscription_stop",
        &[
            ("u", "admin"),
            ("dids_id", "3"),
            ("did_id", "9"),
            ("hash", &sha1_hex("3secret")),
        ],
    )
    .is(&page_status_error("DID is not assigned to Device"));
}

#[test]
fn did_close_make_free_terminate_examples() {
    let s = Server::fixture_d(&[]);
    let two = "38282ca5e65e63746498ef5b39a2fe71c6448df4";
    let one = "bc2f114099d16656d37e45fd9e8744cb9386d462";
    s.post(
        "did_close",
        &[("u", "admin"), ("dids_id", "2"), ("hash", two)],
    )
    .is(&ok(
        "DID successfully closed",
        "  <did_details>\n    <id>2</id>\n  </did_details>\n",
    ));
    assert_eq!(row(&s, 2), "closed|2|2|0|0");
    assert_eq!(
        s.value("SELECT primary_did_id FROM devices WHERE id = 2"),
        "0"
    );
    refused(
        &s,
        "did_close",
        &[("u", "admin"), ("dids_id", "2"), ("hash", two)],
        "DID is already closed",
    );
    refused(
        &s,
        "did_close",
        &[
            ("u", "admin"),
            ("dids_id", "6"),
            ("hash", &sha1_hex("6secret")),
        ],
        "DID is assigned to Dial Plan",
    );
    refused(
        &s,
        "did_close",
        &[("u", "admin"), ("dids_id", "1"), ("hash", one)],
        "DID is not assigned to Device",
    );
    // did_make_free: reserved → free, user 0.
    s.post(
        "did_make_free",
        &[
            ("u", "admin"),
            ("dids_id", "3"),
            ("hash", "7f544a3f166563efce4dc5da5425cdd0d7a41634"),
        ],
    )
    .is(&ok("DID successfully made available", ""));
    assert_eq!(row(&s, 3), "free|0|0|0|0");
    refused(
        &s,
        "did_make_free",
        &[("u", "admin"), ("dids_id", "1"), ("hash", one)],
        "DID was not freed. Only Terminated, Reserved or Closed DIDs can be freed",
    );
    // did_terminate: a free system DID; an active one is refused.
    s.post(
        "did_terminate",
        &[("u", "admin"), ("dids_id", "1"), ("hash", one)],
    )
    .is(&ok("DID successfully terminated", ""));
    assert_eq!(row(&s, 1), "terminated|0|0|0|0");
    refused(
        &s,
        "did_terminate",
        &[
            ("u", "admin"),
            ("dids_id", "5"),
            ("hash", &sha1_hex("5secret")),
        ],
        "DID was not terminated. Only Free or Closed DIDs can be terminate",
    );
    refused(
        &s,
        "did_terminate",
        &[
            ("u", "admin"),
            ("dids_id", "4"),
            ("hash", &sha1_hex("4secret")),
        ],
        "DID was not terminated",
    );
    // A closed DID terminates: nobody's after; a terminated one is made free.
    s.post(
        "did_terminate",
        &[("u", "admin"), ("dids_id", "2"), ("hash", two)],
    )
    .is(&ok("DID successfully terminated", ""));
    assert_eq!(row(&s, 2), "terminated|0|0|0|0");
    s.post(
        "did_make_free",
        &[
            ("u", "admin"),
            ("dids_id", "7"),
            ("hash", &sha1_hex("7secret")),
        ],
    )
    .is(&ok("DID successfully made available", ""));
    assert_eq!(row(&s, 7), "free|0|0|0|0");
    // The reseller reaches only its stock; a user never; staff need the DID right.
    refused(
        &s,
        "did_close",
        &[
            ("u", "res"),
            ("dids_id", "8"),
            ("hash", &sha1_hex("8rsecret")),
        ],
        "DID was not found",
    );
    refused(
        &s,
        "did_terminate",
        &[
            ("u", "alice"),
            ("dids_id", "8"),
            ("hash", &sha1_hex("8secret")),
        ],
        "Access Denied",
    );
    refused(
        &s,
        "did_make_free",
        &[
            ("u", "acc"),
            ("dids_id", "8"),
            ("hash", &sha1_hex("8secret")),
        ],
        "You are not authorized to use this functionality",
    );
    s.post(
        "did_close",
        &[
            ("u", "res"),
            ("dids_id", "5"),
            ("hash", &sha1_hex("5rsecret")),
        ],
    )
    .is(&ok(
        "DID successfully closed",
        "  <did_details>\n    <id>5</id>\n  </did_details>\n",
    ));
    // A reseller's make_free keeps its stock.
    s.post(
        "did_make_free",
        &[
            ("u", "res"),
            ("dids_id", "5"),
            ("hash", &sha1_hex("5rsecret")),
        ],
    )
    .is(&ok("DID successfully made available", ""));
    assert_eq!(row(&s, 5), "free|0|0|3|0");
    // Every move was audited.
    assert_eq!(
        s.value("SELECT group_concat(action, ',') FROM (SELECT action FROM actions WHERE action LIKE 'did_%' ORDER BY id)"),
        "did_closed,did_made_free,did_terminated,did_terminated,did_made_free,did_closed,did_made_free"
    );
}

#[test]
fn left_out_names_are_unknown_methods() {
    let s = Server::fixture_d(&[]);
    for name in [
        "did_delete",
        "did_rates_get",
        "did_rates_update",
        "did_rates_details_get",
        "did_rates_details_update",
    ] {
        for prefix in ["/billing/api/", "/api/"] {
            let r = s.send(
                "POST",
                &format!("{prefix}{name}"),
                Some("application/x-www-form-urlencoded"),
                b"u=admin",
            );
            assert_eq!(r.status, 404, "{name}");
            assert!(r.body.contains("Unknown API method"), "{}", r.body);
        }
    }
}

#[test]
fn sixteen_clients_race_for_one_free_did() {
    let s = Server::fixture_d(&[]);
    // Sixteen devices of alice's, each a client's target.
    let mut sql = String::new();
    for i in 0..16 {
        sql.push_str(&format!(
            "INSERT INTO devices (id, user_id, device_type, name, username, extension, secret, pin) VALUES ({id}, 2, 'SIP', '{n}', '{n}', '{n}', 'pw{n}', '9{n}');",
            id = 100 + i,
            n = 1100 + i
        ));
    }
    s.sql(&sql);
    let addr = s.addr.clone();
    let start = std::sync::Arc::new(std::sync::Barrier::new(16));
    let handles: Vec<_> = (0..16)
        .map(|i| {
            let addr = addr.clone();
            let start = start.clone();
            std::thread::spawn(move || {
                let device = (100 + i).to_string();
                let body = encode(&pairs(&assign("admin", "37052000001", &device, "secret")));
                start.wait();
                let r = send_to(
                    &addr,
                    "POST",
                    "/billing/api/did_device_assign",
                    Some("application/x-www-form-urlencoded"),
                    body.as_bytes(),
                );
                (device, r.body)
            })
        })
        .collect();
    let answers: Vec<(String, String)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let winners: Vec<&String> = answers
        .iter()
        .filter(|(_, b)| b.contains("<success>Device assigned to DID</success>"))
        .map(|(d, _)| d)
        .collect();
    assert_eq!(winners.len(), 1, "{answers:?}");
    for (_, b) in &answers {
        assert!(
            b.contains("Device assigned to DID") || b.contains("<error>DID is not free</error>"),
            "{b}"
        );
    }
    assert_eq!(row(&s, 1), format!("active|2|{}|0|0", winners[0]));
    assert_eq!(
        s.value("SELECT count(*) FROM actions WHERE action = 'did_assigned'"),
        "1"
    );
}

#[test]
fn readme_did_examples_run_in_order_on_the_demo_world() {
    let s = Server::demo();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("### The DID calls, one example each").unwrap();
    let block = &readme[start..];
    let block = &block[block.find("```sh").unwrap()..];
    let block = &block[..block[5..].find("```").unwrap() + 5];
    let mut calls = 0;
    for line in block.lines().filter(|l| l.starts_with("curl -d \"")) {
        // curl -d "PARAMS" $B/CALL, with $(h TEXT) standing for sha1(TEXT).
        let (params, call) = line["curl -d \"".len()..].split_once("\" $B/").unwrap();
        let mut sent: Vec<(String, String)> = Vec::new();
        for kv in params.split('&') {
            let (k, v) = kv.split_once('=').unwrap();
            let v = match v.strip_prefix("$(h ").and_then(|x| x.strip_suffix(')')) {
                Some(text) => sha1_hex(text),
                None => v.to_string(),
            };
            sent.push((k.into(), v));
        }
        let r = s.post(call, &pairs(&sent));
        assert!(
            r.body.contains("<success>") || r.body.contains("<dids>"),
            "{line}: {}",
            r.body
        );
        calls += 1;
    }
    assert_eq!(calls, 10);
    // What the block did, row by row.
    assert_eq!(row(&s, 11), "free|0|0|0|0");
    assert_eq!(row(&s, 1), "free|0|0|0|0");
    assert_eq!(row(&s, 10), "active|11|5|2|0");
    assert_eq!(row(&s, 2), "reserved|5|0|0|0");
    assert_eq!(row(&s, 6), "closed|10|2|2|0");
    assert_eq!(row(&s, 3), "closed|5|1|0|0");
    assert_eq!(
        s.value("SELECT primary_did_id FROM devices WHERE id = 1"),
        "0"
    );
    assert_eq!(row(&s, 4), "free|0|0|0|0");
    assert_eq!(row(&s, 8), "terminated|0|0|0|0");
}

#[test]
fn device_and_user_deletion_follow_the_did_rules() {
    let s = Server::fixture_d(&[]);
    // Deleting bob's phone frees its active DID into the reseller's stock.
    s.post(
        "device_delete",
        &[
            ("u", "res"),
            ("device", "1"),
            ("hash", &sha1_hex("1rsecret")),
        ],
    )
    .is("<page>\n  <status>Device was deleted</status>\n</page>\n");
    assert_eq!(row(&s, 5), "free|0|0|3|0");
    // Deleting alice's spare leaves its closed DID closed and hers, without the device.
    s.post(
        "device_delete",
        &[
            ("u", "admin"),
            ("device", "3"),
            ("hash", &sha1_hex("3secret")),
        ],
    )
    .is("<page>\n  <status>Device was deleted</status>\n</page>\n");
    assert_eq!(row(&s, 8), "closed|2|0|0|0");
    // A reseller with a stock of DIDs is not deleted (nor is a user with DIDs).
    s.sql("DELETE FROM users WHERE id = 5");
    s.post(
        "user_delete",
        &[
            ("u", "admin"),
            ("user_id", "3"),
            ("hash", &sha1_hex("3secret")),
        ],
    )
    .is(&page_error("Cannot delete user - it has DIDs", &[]));
    s.sql("DELETE FROM dids WHERE reseller_id = 3");
    s.post(
        "user_delete",
        &[
            ("u", "admin"),
            ("user_id", "3"),
            ("hash", &sha1_hex("3secret")),
        ],
    )
    .is("<page>\n  <status>User deleted</status>\n</page>\n");
}

#[test]
fn an_older_file_is_upgraded_with_each_did_in_the_state_its_columns_show() {
    let dir = TempDir::new();
    let db = dir.0.join("v7.db");
    {
        let v7 = morbox::store::init::SCHEMA_SQL
            .split("-- Version 8:")
            .next()
            .unwrap();
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(v7).unwrap();
        conn.execute_batch(
            "UPDATE schema_version SET version = 7;
             INSERT INTO users (id, username, usertype) VALUES (0, 'admin', 'admin'), (2, 'a', 'user');
             INSERT INTO devices (id, user_id) VALUES (4, 2);
             INSERT INTO dids (id, did, user_id, device_id) VALUES (1, '100', 0, 0), (2, '200', 2, 4), (3, '300', 2, 0);",
        )
        .unwrap();
    }
    let s = Server::start_on(TempDir::new(), db.clone(), &[]);
    assert_eq!(s.value("SELECT version FROM schema_version"), "8");
    assert_eq!(row(&s, 1), "free|0|0|0|0");
    assert_eq!(row(&s, 2), "active|2|4|0|0");
    assert_eq!(row(&s, 3), "reserved|2|0|0|0");
    assert_eq!(
        s.value("SELECT t_digit || ' ' || t_response || ' ' || closed_till || ' ' || language FROM dids WHERE id = 1"),
        "10 20 2006-01-01 00:00:00 "
    );
    drop(s);
    // The CLI lists them, by state and by user.
    let (ok, out, err) = morbox(&[
        "dids",
        "list",
        "--db",
        db.to_str().unwrap(),
        "--status",
        "reserved",
        "--json",
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains("\"did\":\"300\"") && !out.contains("\"did\":\"200\""),
        "{out}"
    );
    let (ok, out, _) = morbox(&["dids", "list", "--db", db.to_str().unwrap(), "--user", "a"]);
    assert!(
        ok && out.contains("200") && out.contains("300") && !out.contains("100 "),
        "{out}"
    );
    assert!(
        must_fail(&[
            "dids",
            "list",
            "--db",
            db.to_str().unwrap(),
            "--status",
            "lost"
        ])
        .contains("no status lost")
    );
}

#[test]
fn the_test_kit_covers_the_did_family() {
    let s = Server::demo_with(&["--test-endpoints"]);
    let kit = |method: &str, path: &str| {
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {a}\r\nConnection: close\r\nX-Morbox: 1\r\nContent-Length: 0\r\n\r\n",
            a = s.addr
        );
        exchange_raw(&s.addr, req.as_bytes())
    };
    assert_eq!(kit("POST", "/_morbox/snapshot").status, 200);
    // An assignment: journaled with the columns it changed.
    s.post(
        "did_device_assign",
        &[
            ("u", "admin"),
            ("device_id", "3"),
            ("did", "37052100001"),
            ("hash", &sha1_hex("337052100001secret")),
        ],
    )
    .is(&ok("Device assigned to DID", ""));
    // A wrong hash: explained with the call's order (did_id stands in for dids_id).
    s.post(
        "did_subscription_stop",
        &[
            ("u", "admin"),
            ("did_id", "3"),
            ("hash", &sha1_hex("3reseller1secret")),
        ],
    )
    .is(&gate_error("Incorrect hash"));
    let journal = kit("GET", "/_morbox/requests?call=did_assign_device").body;
    assert!(
        journal.contains("\"dids.device_id\"") && journal.contains("\"dids.status\""),
        "{journal}"
    );
    let all = kit("GET", "/_morbox/requests").body;
    assert!(
        all.contains("[\"did_id\",\"3\"]") && all.contains("the key of reseller 2"),
        "{all}"
    );
    // Reset puts the stock back.
    assert_eq!(row(&s, 1), "active|5|3|0|0");
    assert_eq!(kit("POST", "/_morbox/reset").status, 200);
    assert_eq!(row(&s, 1), "free|0|0|0|0");
    // The OpenAPI document has every name of the family, with its hashed parameters.
    let doc = kit("GET", "/_morbox/openapi.json").body;
    for name in [
        "dids_get",
        "did_create",
        "did_assign_device",
        "did_unassign_device",
        "did_trunk_device_assign",
        "did_details_update",
        "did_subscription_stop",
        "did_close",
        "did_make_free",
        "did_terminate",
    ] {
        assert!(doc.contains(&format!("\"/billing/api/{name}\"")), "{name}");
    }
    assert!(doc.contains("Your are not authorized to use this DID"));
}
