//! Every request example on the vendor's wiki pages, against the demo world (which is made so
//! that they work verbatim: reseller `username` is id 123 with key 456789; the system key is
//! `secret`).

use crate::util::*;

const GET_1: &str = "/billing/api/user_details_get?u=username&user_id=123&hash=f7c3bc1d808e04732adf679965ccc34ca7ae3441";
const GET_2: &str = "/billing/api/user_details_get?u=username&username=username&hash=f7c3bc1d808e04732adf679965ccc34ca7ae3441";
const GET_3: &str = "/billing/api/user_details_get?u=username&user_id=123&username=username&hash=f7c3bc1d808e04732adf679965ccc34ca7ae3441";
const RAW: &str = "/billing/api/user_details_raw_get?u=admin&user_id=5&hash=80ea571b1932bfecb937013966849154cb995e05";

#[test]
fn user_details_get_first_example_answers_the_document() {
    let s = Server::demo();
    let r = s.send("POST", GET_1, None, b"");
    assert_eq!(r.status, 200);
    let x = r.xml();
    assert!(x.starts_with("<page>\n  <pagename>Personal_details</pagename>\n  <language>en</language>\n  <userid>123</userid>\n  <details>\n    <main_detail>\n"), "{x}");
    assert!(x.contains("<username>username</username>"));
}

#[test]
fn user_details_get_second_and_third_example_hashes_are_wrong() {
    let s = Server::demo();
    for target in [GET_2, GET_3] {
        s.send("POST", target, None, b"")
            .is(&gate_error("Incorrect hash"));
    }
    // Signed correctly, the same requests work.
    let h2 = sha1_hex("username456789");
    let r = s.send(
        "POST",
        &format!("/billing/api/user_details_get?u=username&username=username&hash={h2}"),
        None,
        b"",
    );
    assert!(r.xml().contains("<userid>123</userid>"), "{}", r.body);
    let h3 = sha1_hex("123username456789");
    let r = s.send(
        "POST",
        &format!(
            "/billing/api/user_details_get?u=username&user_id=123&username=username&hash={h3}"
        ),
        None,
        b"",
    );
    assert!(r.xml().contains("<userid>123</userid>"), "{}", r.body);
}

#[test]
fn old_name_user_details_and_api_prefix() {
    let s = Server::demo();
    for prefix in ["/billing/api/", "/api/"] {
        let target = GET_1.replace(
            "/billing/api/user_details_get",
            &format!("{prefix}user_details"),
        );
        assert!(
            s.send("POST", &target, None, b"")
                .xml()
                .contains("<userid>123</userid>")
        );
    }
}

#[test]
fn user_details_raw_get_example() {
    let s = Server::demo();
    let r = s.send("POST", RAW, None, b"");
    assert_eq!(r.status, 200);
    assert!(
        r.xml().starts_with(
            "<page>\n  <status>\n    <user>\n      <id>5</id>\n      <username>user1</username>\n"
        ),
        "{}",
        r.body
    );
}

#[test]
fn user_details_update_examples_with_bad_hashes_are_refused() {
    let s = Server::demo();
    for target in [
        "/billing/api/user_update_api?u15=1&user_id=789&u=admin&u15=1&hash=0in2w8n01rwnodv4t0y5zzfp1h5hdp1fyk7z",
        "/billing/api/user_update_api?u16=3&user_id=789&u=admin&u15=1&hash=0in2w8n01rwnodv4t0y5zzfp1h5hdp1fyk7z",
    ] {
        s.send("POST", target, None, b"")
            .is(&gate_error("Incorrect hash"));
    }
}
