//! The command line: init and serve as an operator meets them.

use crate::util::*;

#[test]
fn init_refuses_an_existing_file_and_leaves_it_alone() {
    let dir = TempDir::new();
    let db = dir.0.join("x.db");
    std::fs::write(&db, b"precious").unwrap();
    let err = must_fail(&["init", "--db", db.to_str().unwrap(), "--demo"]);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), b"precious");
}

#[test]
fn init_without_demo_makes_only_the_admin_with_a_random_key() {
    let dir = TempDir::new();
    let db = dir.0.join("x.db");
    let (ok, out, err) = morbox(&["init", "--db", db.to_str().unwrap()]);
    assert!(ok, "{err}");
    let key = out
        .lines()
        .find_map(|l| {
            l.split_once("API_Secret_Key")
                .map(|(_, k)| k.rsplit(' ').next().unwrap().to_string())
        })
        .unwrap();
    assert!(key.len() >= 32, "{key}");
    assert!(key.chars().all(|c| c.is_ascii_hexdigit()));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let users: i64 = conn
        .query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(users, 1);
    let stored: String = conn
        .query_row(
            "SELECT value FROM conflines WHERE name = 'API_Secret_Key' AND owner_id = 0",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, key);
    // A second init makes a different key.
    let db2 = dir.0.join("y.db");
    let (_, out2, _) = morbox(&["init", "--db", db2.to_str().unwrap()]);
    assert!(!out2.contains(&key));
    // And the server answers the admin signed with that key.
    drop(conn);
    let s = Server::start_on(TempDir::new(), db, &[]);
    let r = s.signed(
        "user_details_get",
        &[("u", "admin"), ("user_id", "0")],
        &["user_id"],
        &key,
    );
    assert!(r.xml().contains("<userid>0</userid>"), "{}", r.body);
}

#[test]
fn serve_refuses_a_missing_database_and_says_how_to_make_one() {
    let dir = TempDir::new();
    let db = dir.0.join("missing.db");
    let err = must_fail(&[
        "serve",
        "--db",
        db.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(
        err.contains("does not exist") && err.contains("morbox init"),
        "{err}"
    );
    assert!(!db.exists(), "serve must not create a database");
}

#[test]
fn serve_refuses_a_file_that_is_not_a_morbox_database() {
    let dir = TempDir::new();
    let db = dir.0.join("other.db");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("CREATE TABLE t (x);")
        .unwrap();
    let err = must_fail(&[
        "serve",
        "--db",
        db.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(err.contains("not a morbox database"), "{err}");
}

#[test]
fn sigterm_stops_cleanly() {
    let mut s = Server::demo();
    let r = s.signed(
        "user_details_get",
        &[("u", "admin"), ("user_id", "5")],
        &["user_id"],
        "secret",
    );
    assert_eq!(r.status, 200);
    assert!(s.terminate());
    // The WAL was checkpointed on the way out.
    let wal = std::path::PathBuf::from(format!("{}-wal", s.db.display()));
    assert!(!wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0);
}

#[test]
fn help_names_every_subcommand_and_flag() {
    let (ok, out, _) = morbox(&["--help"]);
    assert!(ok);
    assert!(out.contains("init") && out.contains("serve"));
    let (_, out, _) = morbox(&["serve", "--help"]);
    for flag in [
        "--db",
        "--listen",
        "--body-limit",
        "--header-timeout",
        "--max-connections",
        "--grace",
        "MORBOX_DB",
        "MORBOX_LISTEN",
    ] {
        assert!(out.contains(flag), "{flag} missing from serve --help");
    }
}
