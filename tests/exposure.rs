//! Secrets at rest and unsafe exposure (issue "Hardened, second pass", items 6 and 7): the
//! database, its WAL files and backups are private to their owner, and serve will not put an
//! unsigned API on a public address.

use crate::util::*;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn the_database_its_wal_files_and_backups_are_private() {
    let (dir, db) = demo_db();
    assert_eq!(mode(&db), 0o600, "init");
    let s = Server::start_on(dir, db.clone(), &[]);
    // A write makes the -wal and -shm files.
    let r = s.signed(
        "user_details_update",
        &[("u", "admin"), ("user_id", "5"), ("u33", "x")],
        crate::update::HASH_ORDER,
        "secret",
    );
    assert!(r.body.contains("User was updated"), "{}", r.body);
    for suffix in ["-wal", "-shm"] {
        let p = std::path::PathBuf::from(format!("{}{suffix}", db.display()));
        assert_eq!(mode(&p), 0o600, "{suffix}");
    }
    let copy = db.with_file_name("backup.db");
    let (ok, _, err) = morbox(&[
        "backup",
        "--db",
        db.to_str().unwrap(),
        "--to",
        copy.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert_eq!(mode(&copy), 0o600, "backup");
    // And the copy is a whole database.
    let users: i64 = rusqlite::Connection::open(&copy)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(users, 13);
}

/// Runs `morbox ARGS`, which must exit with an error before it serves anything; killed after
/// 20 s should it not (so that a regression cannot leave a server behind).
fn must_refuse(args: &[&str]) -> String {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("morbox {args:?} kept running");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "it listened");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn serve_refuses_a_public_address_while_hash_checking_is_off_somewhere() {
    let dir = TempDir::new();
    let db = dir.0.join("real.db");
    // A real install: a strong random key, nothing weak.
    assert!(morbox(&["init", "--db", db.to_str().unwrap()]).0);
    assert!(
        morbox::store::init::unsigned_scopes(&db)
            .unwrap()
            .is_empty()
    );
    // Hash checking off for reseller 2's scope only (the system's row says 0).
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(
            "INSERT INTO conflines (name, value, owner_id) VALUES
               ('API_Disable_hash_checking', '0', 0),
               ('API_Disable_hash_checking', '1', 2);",
        )
        .unwrap();
    assert_eq!(morbox::store::init::unsigned_scopes(&db).unwrap(), [2]);
    // The refusal comes before anything binds.
    let err = must_refuse(&[
        "serve",
        "--db",
        db.to_str().unwrap(),
        "--listen",
        "0.0.0.0:0",
    ]);
    assert!(
        err.contains("API_Disable_hash_checking is 1 for reseller 2")
            && err.contains("--allow-weak-secret"),
        "{err}"
    );
    // Turned off again (a newer row wins), serve would go ahead: checked without binding.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(
            "INSERT INTO conflines (name, value, owner_id) VALUES ('API_Disable_hash_checking', '0', 2);",
        )
        .unwrap();
    assert!(
        morbox::store::init::unsigned_scopes(&db)
            .unwrap()
            .is_empty()
    );
    // On loopback it serves, as a developer's box may run unsigned.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(
            "INSERT INTO conflines (name, value, owner_id) VALUES ('API_Disable_hash_checking', '1', 0);",
        )
        .unwrap();
    let s = Server::start_on(dir, db, &[]);
    assert_eq!(s.send("GET", "/health", None, b"").status, 200);
}
