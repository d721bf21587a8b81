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

#[test]
fn errors_name_the_file_and_never_rewrite_it() {
    let dir = TempDir::new();
    let notdb = dir.0.join("notdb.db");
    let empty = dir.0.join("empty.db");
    let folder = dir.0.join("folder.db");
    std::fs::write(&notdb, "garbage\n").unwrap();
    std::fs::write(&empty, "").unwrap();
    std::fs::create_dir(&folder).unwrap();
    let cases = [
        (&notdb, "is not a database"),
        (&empty, "is an empty file, not a morbox database"),
        (&folder, "is a folder, not a database file"),
    ];
    for (path, says) in cases {
        let p = path.to_str().unwrap();
        for args in [
            vec!["check", "--db", p],
            vec!["users", "list", "--db", p],
            vec!["settings", "list", "--db", p],
            vec!["audit", "--db", p],
            vec!["settings", "set", "--db", p, "Allow_API", "1"],
            vec!["serve", "--db", p, "--listen", "127.0.0.1:0"],
        ] {
            let err = must_fail(&args);
            assert!(err.contains(p) && err.contains(says), "{args:?}: {err}");
        }
    }
    // Nothing was rewritten (opening an SQLite file read-write would have made it a database).
    assert_eq!(std::fs::read(&notdb).unwrap(), b"garbage\n");
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0);
    assert!(!dir.0.join("empty.db-wal").exists());
}

#[test]
fn errors_name_the_address_the_folder_and_the_way_out() {
    let (dir, db) = demo_db();
    let d = db.to_str().unwrap();
    // A busy address: named, with the way out.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let err = must_fail(&["serve", "--db", d, "--listen", &addr]);
    assert!(
        err.contains(&format!("cannot listen on {addr}"))
            && err.contains("make run LISTEN=127.0.0.1:"),
        "{err}"
    );
    // Not an address: how to write one; localhost is 127.0.0.1.
    let err = must_fail(&["serve", "--db", d, "--listen", "example.org:80"]);
    assert!(err.contains("use IP:PORT, e.g. 127.0.0.1:8080"), "{err}");
    let s = Server::start_on(dir, db.clone(), &[]);
    let (mut child, addr) = spawn_ready(
        &["serve", "--db", d, "--listen", "localhost:0"],
        "warn",
        std::process::Stdio::null(),
    );
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    let _ = child.kill();
    let _ = child.wait();
    // A backup into a folder that does not exist.
    let missing = db.with_file_name("no-such-folder").join("copy.db");
    let err = must_fail(&["backup", "--db", d, "--to", missing.to_str().unwrap()]);
    assert!(
        err.contains("no-such-folder does not exist") && err.contains("mkdir -p"),
        "{err}"
    );
    // morbox health names the URL it could not reach.
    let err = must_fail(&["health", "--url", "http://127.0.0.1:1"]);
    assert!(err.contains("http://127.0.0.1:1/health"), "{err}");
    drop(s);
}

#[test]
fn an_ephemeral_database_without_demo_tells_its_key_on_stderr() {
    let (mut child, addr) = spawn_ready(
        &["serve", "--ephemeral", "--listen", "127.0.0.1:0"],
        "warn",
        std::process::Stdio::piped(),
    );
    let mut stderr = child.stderr.take().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut text).unwrap();
    let key = text
        .lines()
        .find_map(|l| l.strip_prefix("morbox: this ephemeral database's API_Secret_Key is "))
        .unwrap_or_else(|| panic!("no key on stderr: {text}"));
    assert_eq!(key.len(), 48, "{key} ({addr})");
}
