//! user_delete (docs/accounts.md) on fixture F: the worked examples, each refusal in its order,
//! reach per role, and what goes with a deleted user.

use crate::util::*;

fn delete(s: &Server, u: &str, key: &str, id: &str) -> Resp {
    s.signed(
        "user_delete",
        &[("u", u), ("user_id", id)],
        &["user_id"],
        key,
    )
}

const DELETED: &str = "<page>\n  <status>User deleted</status>\n</page>\n";

#[test]
fn user_delete_examples() {
    let s = Server::fixture_f(&[]);
    // 2. alice has a payment.
    s.post(
        "user_delete",
        &[
            ("u", "admin"),
            ("user_id", "2"),
            ("hash", "38282ca5e65e63746498ef5b39a2fe71c6448df4"),
        ],
    )
    .is(&page_error("Cannot delete user - he has payments", &[]));
    // 3. bob is the reseller's.
    s.post(
        "user_delete",
        &[
            ("u", "admin"),
            ("user_id", "5"),
            ("hash", "d303ad2eaef52ff1993350cf96ca3fecbadf78ce"),
        ],
    )
    .is(&page_error("User was not found", &[]));
    // 1. The reseller deletes bob, with his device, address and tax row.
    s.sql("INSERT INTO callerids (cli, device_id) VALUES ('37060000000', 1);");
    s.post(
        "user_delete",
        &[
            ("u", "res"),
            ("user_id", "5"),
            ("hash", "2e9e920268c4ae2ef8649886459695f89e02bd6c"),
        ],
    )
    .is(DELETED);
    assert_eq!(
        s.value("SELECT (SELECT COUNT(*) FROM users WHERE id = 5) || (SELECT COUNT(*) FROM devices WHERE id = 1) || (SELECT COUNT(*) FROM addresses WHERE id = 2) || (SELECT COUNT(*) FROM taxes WHERE id = 2) || (SELECT COUNT(*) FROM callerids)"),
        "00000"
    );
    assert_eq!(
        s.value("SELECT user_id || '|' || target_id || '|' || data FROM actions WHERE action = 'user_deleted'"),
        "3|5|bob"
    );
    // Again: nobody there.
    delete(&s, "res", "rsecret", "5").is(&page_error("User was not found", &[]));
}

#[test]
fn each_refusal_in_its_order_and_nothing_changes() {
    let s = Server::fixture_f(&[]);
    // A fresh customer of the system with everything that forbids deleting it.
    s.sql(
        "INSERT INTO users (id, username, usertype, owner_id) VALUES (10, 'full', 'user', 0);
         INSERT INTO dids (did, user_id) VALUES ('37000', 10);
         INSERT INTO calls (user_id) VALUES (10);
         INSERT INTO payments (user_id) VALUES (10);
         INSERT INTO invoices (user_id, number) VALUES (10, 'INV-1');",
    );
    let steps = [
        (
            "Cannot delete user - it has DIDs",
            "DELETE FROM dids WHERE user_id = 10;",
        ),
        (
            "Cannot delete user - he has some calls",
            "DELETE FROM calls WHERE user_id = 10;",
        ),
        (
            "Cannot delete user - he has payments",
            "DELETE FROM payments WHERE user_id = 10;",
        ),
        (
            "Cannot delete User - he has Invoices",
            "DELETE FROM invoices WHERE user_id = 10;",
        ),
    ];
    for (text, clear) in steps {
        delete(&s, "admin", "secret", "10").is(&page_error(text, &[]));
        assert_eq!(s.value("SELECT COUNT(*) FROM users WHERE id = 10"), "1");
        s.sql(clear);
    }
    delete(&s, "admin", "secret", "10").is(DELETED);
    // A reseller with users; an accountant with assigned users.
    delete(&s, "admin", "secret", "3").is(&page_error(
        "Unable to delete this reseller - he has users",
        &[],
    ));
    s.sql("UPDATE users SET responsible_accountant_id = 4 WHERE id = 2;");
    delete(&s, "admin", "secret", "4").is(&page_error(
        "Unable to delete accountant - he has users",
        &[],
    ));
    assert_eq!(s.value("SELECT COUNT(*) FROM users"), "5");
}

#[test]
fn who_may_delete_whom() {
    let s = Server::fixture_f(&[]);
    s.sql("INSERT INTO users (id, username, usertype, owner_id) VALUES (10, 'plain', 'user', 0), (11, 'other', 'user', 0);");
    // Oneself and the admin: Access Denied before reach.
    delete(&s, "res", "rsecret", "3").is(&page_error("Access Denied", &[]));
    delete(&s, "admin", "secret", "0").is(&page_error("Access Denied", &[]));
    // A plain user: never; an unknown caller: Access Denied, no gate.
    delete(&s, "alice", "secret", "10").is(&page_error("Access Denied", &[]));
    s.post("user_delete", &[("u", "nobody"), ("user_id", "10")])
        .is(&page_error("Access Denied", &[]));
    // The accountant's group reads only: no editing permission; with write, it may delete a
    // system customer but not staff.
    delete(&s, "acc", "secret", "10").is(&page_error("You have no editing permission", &[]));
    s.sql("UPDATE acc_group_rights SET value = 2;");
    delete(&s, "acc", "secret", "10").is(DELETED);
    s.sql("INSERT INTO users (id, username, usertype, owner_id) VALUES (12, 'acc2', 'accountant', 0);");
    delete(&s, "acc", "secret", "12").is(&page_error("User was not found", &[]));
    // Assigned-only staff: only their assigned users.
    s.sql("UPDATE users SET show_only_assigned_users = 1 WHERE id = 4;");
    delete(&s, "acc", "secret", "11").is(&page_error("User was not found", &[]));
    s.sql("UPDATE users SET responsible_accountant_id = 4 WHERE id = 11;");
    delete(&s, "acc", "secret", "11").is(DELETED);
    // The reseller cannot delete a system user; bad ids are not found.
    delete(&s, "res", "rsecret", "2").is(&page_error("User was not found", &[]));
    delete(&s, "admin", "secret", "999").is(&page_error("User was not found", &[]));
    s.post(
        "user_delete",
        &[
            ("u", "admin"),
            ("user_id", "x"),
            ("hash", &sha1_hex("secret")),
        ],
    )
    .is(&page_error("User was not found", &[]));
}
