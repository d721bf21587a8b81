//! Privilege and data rules of updates (issue "Hardened, second pass", items 9–11): staff may
//! not lift staff, the assigned-only rule holds for changes, and usernames follow MOR's rules.

use crate::update::{err, ok, upd_key};
use crate::util::*;

#[test]
fn staff_cannot_change_a_staff_members_group() {
    let s = Server::demo();
    // The accountant (group 1: user_manage read/write) tries to lift the manager (group 2,
    // read-only) and accountant2 (group 3, no user rights) into group 1, and itself.
    for id in ["8", "9"] {
        upd_key(&s, "accountant", "secret", &[("user_id", id), ("u11", "1")])
            .is(&err("Access Denied"));
    }
    assert_eq!(s.value("SELECT acc_group_id FROM users WHERE id = 8"), "2");
    assert_eq!(s.value("SELECT acc_group_id FROM users WHERE id = 9"), "3");
    // Its own account is out of its reach anyway.
    upd_key(
        &s,
        "accountant",
        "secret",
        &[("user_id", "7"), ("u11", "1")],
    )
    .is(&err("User was not found"));
    // Other changes to staff stay allowed, and u11 on a customer too.
    ok(upd_key(
        &s,
        "accountant",
        "secret",
        &[("user_id", "8"), ("u23", "Marcus")],
    ));
    ok(upd_key(
        &s,
        "accountant",
        "secret",
        &[("user_id", "5"), ("u11", "3")],
    ));
    // The admin may.
    ok(upd_key(
        &s,
        "admin",
        "secret",
        &[("user_id", "8"), ("u11", "1")],
    ));
    assert_eq!(s.value("SELECT acc_group_id FROM users WHERE id = 8"), "1");
}

#[test]
fn assigned_only_staff_update_only_their_assigned_users() {
    let s = Server::demo();
    // The manager may write users (group 1) but sees only assigned users (it is user1's
    // responsible accountant, not user2's).
    s.sql("UPDATE users SET acc_group_id = 1 WHERE id = 8;");
    let before = s.value("SELECT comment FROM users WHERE id = 6");
    upd_key(
        &s,
        "manager",
        "secret",
        &[("user_id", "6"), ("u33", "sneaky")],
    )
    .is(&err("User was not found"));
    assert_eq!(s.value("SELECT comment FROM users WHERE id = 6"), before);
    ok(upd_key(
        &s,
        "manager",
        "secret",
        &[("user_id", "5"), ("u33", "mine")],
    ));
    // Without the rule it reaches user2 too.
    s.sql("UPDATE users SET show_only_assigned_users = 0 WHERE id = 8;");
    ok(upd_key(
        &s,
        "manager",
        "secret",
        &[("user_id", "6"), ("u33", "now allowed")],
    ));
}

#[test]
fn usernames_follow_the_rules_and_are_unique_in_any_case() {
    let s = Server::demo();
    let invalid = "Username must not contain control characters or begin or end with a blank";
    upd_key(&s, "admin", "secret", &[("user_id", "5"), ("u9", "")]).is(&page_error(
        "User was not updated",
        &["Username is too short (minimum is 3 characters)"],
    ));
    for bad in [
        " john",
        "john ",
        "jo\u{7}hn",
        "line\nbreak",
        "tab\there",
        " ",
    ] {
        upd_key(&s, "admin", "secret", &[("user_id", "5"), ("u9", bad)])
            .is(&page_error("User was not updated", &[invalid]));
    }
    for taken in ["ADMIN", "Admin", "USER2", "Reseller1"] {
        upd_key(&s, "admin", "secret", &[("user_id", "5"), ("u9", taken)]).is(&page_error(
            "User was not updated",
            &["Username has already been taken"],
        ));
    }
    assert_eq!(s.value("SELECT username FROM users WHERE id = 5"), "user1");
    // A change of case of one's own name is no clash.
    ok(upd_key(
        &s,
        "admin",
        "secret",
        &[("user_id", "5"), ("u9", "User1")],
    ));
    assert_eq!(s.value("SELECT username FROM users WHERE id = 5"), "User1");
}

#[test]
fn users_add_keeps_the_same_username_rules() {
    let s = Server::demo();
    let db = s.db.to_str().unwrap();
    for (name, says) in [
        ("ADMIN", "Username has already been taken"),
        (" padded", "begin or end with a blank"),
        ("", "too short"),
    ] {
        let err = must_fail(&[
            "users",
            "add",
            "--db",
            db,
            "--username",
            name,
            "--password",
            "GoodPass1",
        ]);
        assert!(err.contains(says), "{name:?}: {err}");
    }
    assert_eq!(
        s.value("SELECT COUNT(*) FROM users WHERE lower(username) = 'admin'"),
        "1"
    );
}
