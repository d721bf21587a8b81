//! The operator's command line: `morbox hash` naming each usual mistake, users, settings,
//! audit, check, backup, schema upgrades, and `serve --explain-hash-errors`.

use crate::util::*;

fn demo_db(dir: &TempDir) -> String {
    let db = dir.0.join("ops.db");
    assert!(morbox(&["init", "--db", db.to_str().unwrap(), "--demo"]).0);
    db.to_str().unwrap().to_string()
}

/// `morbox hash CALL --db DB ARGS...` → (matched, stdout).
fn hash(db: &str, call: &str, args: &[&str]) -> (bool, String) {
    let mut all = vec!["hash", call, "--db", db];
    all.extend_from_slice(args);
    let (ok, out, err) = morbox(&all);
    (ok, format!("{out}{err}"))
}

#[test]
fn hash_shows_the_order_the_string_and_the_hash() {
    let dir = TempDir::new();
    let db = demo_db(&dir);
    let (ok, out) = hash(
        &db,
        "user_details_update",
        &["u=username", "user_id=123", "u15=1"],
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("hash parameters, in order: user_id=123, u15=1"),
        "{out}"
    );
    assert!(out.contains("sent but not hashed: u"), "{out}");
    assert!(
        out.contains("string hashed: 1231<key of reseller 123>"),
        "{out}"
    );
    assert!(
        !out.contains("456789"),
        "key shown without --show-key: {out}"
    );
    assert!(
        out.contains("hash: 0ab3ede4e93a55c38855a2cc9b9e169d35442c48"),
        "{out}"
    );
    let (_, out) = hash(
        &db,
        "user_update_api",
        &["u=username", "user_id=123", "u15=1", "--show-key"],
    );
    assert!(out.contains("string hashed: 1231456789"), "{out}");
    let (ok, out) = hash(
        &db,
        "user_details_update",
        &[
            "u=username",
            "user_id=123",
            "u15=1",
            "hash=0ab3ede4e93a55c38855a2cc9b9e169d35442c48",
        ],
    );
    assert!(ok && out.contains("given hash: matches"), "{out}");
    // --key instead of a database.
    let (ok, out) = hash(
        "/nonexistent.db",
        "user_details_get",
        &["user_id=5", "--key", "k"],
    );
    assert!(ok && out.contains(&sha1_hex("5k")), "{out}");
}

fn mistake(db: &str, call: &str, args: &[&str], hashed: &str, key: &str, expect: &str) {
    let h = sha1_hex(&format!("{hashed}{key}"));
    let h = if expect.contains("uppercase") {
        h.to_uppercase()
    } else {
        h
    };
    let hash_arg = format!("hash={h}");
    let mut all = args.to_vec();
    all.push(&hash_arg);
    let (ok, out) = hash(db, call, &all);
    assert!(!ok, "{out}");
    assert!(out.contains(expect), "expected {expect:?} in {out}");
}

#[test]
fn hash_names_each_usual_mistake() {
    let dir = TempDir::new();
    let db = demo_db(&dir);
    let get = "user_details_get";
    mistake(
        &db,
        get,
        &["u=admin", "user_id=5", "username=user1"],
        "user15",
        "secret",
        "wrong order (username, user_id)",
    );
    mistake(
        &db,
        "user_details_update",
        &["u=admin", "user_id=5", "u15=1", "u33=note"],
        "51note",
        "secret",
        "`u33` was hashed, but it is not a hash parameter",
    );
    mistake(
        &db,
        get,
        &["u=admin", "user_id=5"],
        "admin5",
        "secret",
        "`u` was hashed, but this call does not hash `u`",
    );
    mistake(
        &db,
        "user_details_raw_get",
        &["u=admin", "user_id=5"],
        "5",
        "secret",
        "`u` was left out, but this call hashes `u` first",
    );
    mistake(
        &db,
        get,
        &["u=admin", "user_id=5"],
        "5",
        "secret",
        "uppercase hex",
    );
    mistake(
        &db,
        get,
        &["u=admin", "username=John%20Smith"],
        "John%20Smith",
        "secret",
        "hashed percent-encoded",
    );
    mistake(
        &db,
        get,
        &["u=user1", "user_id=5"],
        "5",
        "reseller1secret",
        "made with the key of reseller 2",
    );
    mistake(
        &db,
        get,
        &["u=admin", "user_id=007"],
        "007",
        "secret",
        "`user_id` was hashed as sent",
    );
    mistake(
        &db,
        get,
        &["u=admin", "user_id=5"],
        "6",
        "secret",
        "none of the usual mistakes",
    );
}

#[test]
fn serve_explains_hash_errors_in_its_log_when_asked() {
    let dir = TempDir::new();
    let db = demo_db(&dir);
    let log = dir.0.join("log.txt");
    let (mut child, addr) = spawn_ready(
        &[
            "serve",
            "--db",
            &db,
            "--listen",
            "127.0.0.1:0",
            "--explain-hash-errors",
        ],
        "warn",
        std::fs::File::create(&log).unwrap().into(),
    );
    let wrong = sha1_hex("admin5secret");
    let r = send_to(
        &addr,
        "POST",
        &format!("/api/user_details_get?u=admin&user_id=5&hash={wrong}"),
        None,
        b"",
    );
    assert!(r.body.contains("Incorrect hash"), "{}", r.body);
    assert!(stop_with(&mut child, "-TERM"));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("incorrect hash explained") && text.contains("this call does not hash"),
        "{text}"
    );
    assert!(!text.contains(&wrong) && !text.contains("secret"), "{text}");
    // Never off loopback.
    let err = must_fail(&[
        "serve",
        "--db",
        &db,
        "--listen",
        "0.0.0.0:0",
        "--explain-hash-errors",
    ]);
    assert!(err.contains("loopback"), "{err}");
}

#[test]
fn users_commands() {
    let dir = TempDir::new();
    let db = demo_db(&dir);
    let (ok, out, _) = morbox(&["users", "list", "--db", &db, "--owner", "2"]);
    assert!(ok);
    assert!(
        out.lines().next().unwrap().starts_with("id") && out.contains("r1_user1"),
        "{out}"
    );
    assert!(
        !out.lines().any(|l| l.starts_with("5 ")),
        "a system user listed: {out}"
    );
    let (_, out, _) = morbox(&["users", "list", "--db", &db, "--type", "reseller", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 3);
    let (ok, out, _) = morbox(&["users", "show", "--db", &db, "user1"]);
    assert!(
        ok && out.contains("agreement_number") && out.contains("AG-2020-17"),
        "{out}"
    );
    assert!(
        !out.contains("uniquehash") && !out.contains("u1s2e3r4"),
        "{out}"
    );
    let (ok, out, err) = morbox(&[
        "users",
        "add",
        "--db",
        &db,
        "--username",
        "newbie",
        "--type",
        "user",
        "--owner",
        "2",
        "--password",
        "Longenough1",
        "--json",
    ]);
    assert!(ok, "{err}");
    let id = serde_json::from_str::<serde_json::Value>(&out).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (owner, pw): (i64, String) = conn
        .query_row(
            "SELECT owner_id, password FROM users WHERE id = ?1",
            [&id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(owner, 2);
    assert!(pw.starts_with("$argon2id$"));
    let err = must_fail(&[
        "users",
        "add",
        "--db",
        &db,
        "--username",
        "newbie",
        "--password",
        "Longenough1",
    ]);
    assert!(err.contains("has already been taken"), "{err}");
    let err = must_fail(&[
        "users",
        "add",
        "--db",
        &db,
        "--username",
        "x1",
        "--password",
        "Longenough1",
    ]);
    assert!(err.contains("too short"), "{err}");
    let err = must_fail(&[
        "users",
        "add",
        "--db",
        &db,
        "--username",
        "other",
        "--password",
        "short",
    ]);
    assert!(err.contains("Password is too short"), "{err}");
    let (ok, _, err) = morbox(&[
        "users",
        "passwd",
        "--db",
        &db,
        "newbie",
        "--password",
        "Another-pass-2",
    ]);
    assert!(ok, "{err}");
    let pw2: String = conn
        .query_row("SELECT password FROM users WHERE id = ?1", [&id], |r| {
            r.get(0)
        })
        .unwrap();
    assert_ne!(pw, pw2);
    let err = must_fail(&["users", "show", "--db", &db, "ghost"]);
    assert!(err.contains("no user ghost"), "{err}");
}

#[test]
fn settings_audit_check_and_backup() {
    let dir = TempDir::new();
    let db = demo_db(&dir);
    let (ok, out, _) = morbox(&["settings", "list", "--db", &db]);
    assert!(ok);
    for s in morbox::settings::SETTINGS {
        assert!(out.contains(s.name), "{} missing", s.name);
    }
    assert!(!out.contains("secret"), "a key is shown: {out}");
    assert_eq!(
        morbox(&["settings", "get", "--db", &db, "Allow_GET_API"])
            .1
            .trim(),
        "1"
    );
    assert_eq!(
        morbox(&["settings", "get", "--db", &db, "Allow_API", "--owner", "3"])
            .1
            .trim(),
        "1"
    );
    assert!(morbox(&["settings", "set", "--db", &db, "Allow_GET_API", "0"]).0);
    assert_eq!(
        morbox(&["settings", "get", "--db", &db, "Allow_GET_API"])
            .1
            .trim(),
        "0"
    );
    let err = must_fail(&["settings", "set", "--db", &db, "Allow_Everything", "1"]);
    assert!(err.contains("--force"), "{err}");
    assert!(
        morbox(&[
            "settings",
            "set",
            "--db",
            &db,
            "Allow_Everything",
            "1",
            "--force"
        ])
        .0
    );
    // A served database sees the change at once.
    let s = Server::start_on(TempDir::new(), std::path::PathBuf::from(&db), &[]);
    let h = sha1_hex("5secret");
    s.get(
        "user_details_get",
        &[("u", "admin"), ("user_id", "5"), ("hash", &h)],
    )
    .is(&gate_error("GET Requests are disabled"));
    assert!(
        s.post(
            "user_details_update",
            &[
                ("u", "admin"),
                ("user_id", "5"),
                ("u33", "audited"),
                ("hash", &h)
            ]
        )
        .body
        .contains("User was updated")
    );
    let (ok, out, _) = morbox(&["audit", "--db", &db, "--target", "5", "--json"]);
    assert!(ok);
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(rows[0]["data"], "users.comment");
    assert_eq!(rows[0]["user_id"], "0");
    let (ok, out, _) = morbox(&["check", "--db", &db]);
    assert!(
        ok && out.contains("integrity") && out.contains("ok"),
        "{out}"
    );
    // A consistent copy while serving.
    let copy = dir.0.join("copy.db");
    assert!(morbox(&["backup", "--db", &db, "--to", copy.to_str().unwrap()]).0);
    let (ok, out, _) = morbox(&["check", "--db", copy.to_str().unwrap(), "--json"]);
    assert!(ok, "{out}");
    let (ok, _, _) = morbox(&["backup", "--db", &db, "--to", copy.to_str().unwrap()]);
    assert!(!ok, "backup overwrote an existing file");
}

#[test]
fn an_older_database_is_upgraded_in_place_and_a_newer_one_refused() {
    let dir = TempDir::new();
    let db = dir.0.join("v1.db");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(include_str!("fixtures/schema-v1.sql"))
            .unwrap();
        conn.execute_batch(morbox::store::init::DEMO_SQL).unwrap();
        let v: i64 = conn
            .query_row("SELECT version FROM schema_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, 1);
    }
    let (ok, out, _) = morbox(&["check", "--db", db.to_str().unwrap()]);
    assert!(!ok && out.contains("schema_version           1"), "{out}");
    let s = Server::start_on(TempDir::new(), db.clone(), &[]);
    assert_eq!(
        s.value("SELECT version FROM schema_version"),
        morbox::store::init::SCHEMA_VERSION.to_string()
    );
    assert_eq!(
        s.value("SELECT COUNT(*) FROM sqlite_master WHERE name = 'actions_user'"),
        "1"
    );
    let r = s.signed(
        "user_details_get",
        &[("u", "admin"), ("user_id", "5")],
        &["user_id"],
        "secret",
    );
    assert!(r.xml().contains("<userid>5</userid>"));
    drop(s);
    assert!(morbox(&["check", "--db", db.to_str().unwrap()]).0);
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("UPDATE schema_version SET version = 99;")
        .unwrap();
    let err = must_fail(&[
        "serve",
        "--db",
        db.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(err.contains("newer morbox") && err.contains("99"), "{err}");
}

#[test]
fn settings_and_users_refuse_what_the_api_would_not_take() {
    let s = Server::demo();
    let db = s.db.to_str().unwrap();
    for (args, says) in [
        (
            vec!["settings", "set", "--db", db, "Allow_GET_API", "banana"],
            "Allow_GET_API takes 0 or 1",
        ),
        (
            vec![
                "settings",
                "set",
                "--db",
                db,
                "Default_User_password_length",
                "3",
            ],
            "a whole number from 6 to 128",
        ),
        (
            vec!["settings", "set", "--db", db, "Nice_Number_Digits", "x"],
            "a whole number from 0 to 10",
        ),
        (
            vec![
                "settings",
                "set",
                "--db",
                db,
                "Allow_GET_API",
                "1",
                "--owner",
                "2",
            ],
            "is a system setting",
        ),
        (
            vec!["users", "list", "--db", db, "--type", "customer"],
            "unknown type customer",
        ),
        (
            vec![
                "users",
                "add",
                "--db",
                db,
                "--username",
                "second",
                "--type",
                "admin",
                "--password",
                "GoodPass1",
            ],
            "there is an admin already",
        ),
        (
            vec![
                "users",
                "add",
                "--db",
                db,
                "--username",
                "orphan",
                "--owner",
                "999",
                "--password",
                "GoodPass1",
            ],
            "owner 999 does not exist",
        ),
        (
            vec![
                "users",
                "add",
                "--db",
                db,
                "--username",
                "under_user",
                "--owner",
                "5",
                "--password",
                "GoodPass1",
            ],
            "owner 5 is a user",
        ),
        (
            vec![
                "users",
                "add",
                "--db",
                db,
                "--username",
                "r_acc",
                "--owner",
                "2",
                "--type",
                "accountant",
                "--password",
                "GoodPass1",
            ],
            "a reseller owns users only",
        ),
    ] {
        let err = must_fail(&args);
        assert!(err.contains(says), "{args:?}: {err}");
    }
    // Settings list prints each meaning whole (the last column is never cut).
    let (ok, out, _) = morbox(&["settings", "list", "--db", db]);
    assert!(ok);
    assert!(
        out.contains(
            "1: user_balance_get and user_simple_balance_get answer (the vendor's spelling)"
        ),
        "{out}"
    );
    // What is refused was not written; what is right is.
    assert_eq!(
        s.value(
            "SELECT value FROM conflines WHERE name = 'Allow_GET_API' ORDER BY id DESC LIMIT 1"
        ),
        "1"
    );
    assert!(
        morbox(&[
            "settings",
            "set",
            "--db",
            db,
            "Allow_API",
            "0",
            "--owner",
            "2"
        ])
        .0
    );
    assert!(
        morbox(&[
            "users",
            "add",
            "--db",
            db,
            "--username",
            "r_user",
            "--owner",
            "2",
            "--password",
            "GoodPass1"
        ])
        .0
    );
    assert_eq!(
        s.value("SELECT owner_id FROM users WHERE username = 'r_user'"),
        "2"
    );
    assert_eq!(s.value("SELECT COUNT(*) FROM users WHERE username IN ('second', 'orphan', 'under_user', 'r_acc')"), "0");
}

#[test]
fn the_hash_explainer_names_left_out_parameters_and_bad_hashes() {
    let dir = TempDir::new();
    let db = demo_db(&dir);
    let hash = |args: &[&str]| {
        let mut all = vec!["hash", "--db", db.as_str()];
        all.extend_from_slice(args);
        morbox(&all)
    };
    // A real client's mistake: an update signed over user_id alone while u15 and u23 are sent.
    let (ok, out, _) = hash(&[
        "user_details_update",
        "u=admin",
        "user_id=5",
        "u15=1",
        "u23=Jo",
        &format!("hash={}", sha1_hex("5secret")),
    ]);
    assert!(!ok);
    assert!(
        out.contains("`u15` and `u23` were left out of the hash"),
        "{out}"
    );
    // A hash that is not one.
    let (ok, out, _) = hash(&["user_details_get", "u=admin", "user_id=5", "hash=12345"]);
    assert!(!ok);
    assert!(
        out.contains("not 40 hexadecimal characters (it has 5)"),
        "{out}"
    );
    // The leading-zero mistake names the value sent.
    let (_, out, _) = hash(&[
        "user_details_get",
        "u=admin",
        "user_id=0042",
        &format!("hash={}", sha1_hex("0042secret")),
    ]);
    assert!(
        out.contains("hashed as sent (0042)") && out.contains("plain integer (42)"),
        "{out}"
    );
    // A parameter without `=` is an error, not dropped.
    let (ok, _, err) = hash(&["user_details_get", "u=admin", "user_id"]);
    assert!(
        !ok && err.contains("user_id: parameters are NAME=VALUE"),
        "{err}"
    );
}

#[test]
fn passwords_are_prompted_without_echo_at_a_terminal() {
    // `script` (util-linux) gives the command a terminal; the password is typed into it.
    let dir = TempDir::new();
    let db = demo_db(&dir);
    let cmd = format!("{BIN} users passwd --db {db} user2");
    let mut child = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("script (util-linux) is needed for this test");
    let mut stdin = child.stdin.take().unwrap();
    // Typed once the prompt is up (the terminal would otherwise take it before it turns echo
    // off): the reading side waits for the prompt on stdout.
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !String::from_utf8_lossy(&seen).contains("Password: ") {
        assert_eq!(
            std::io::Read::read(&mut stdout, &mut byte).unwrap(),
            1,
            "no prompt"
        );
        seen.push(byte[0]);
    }
    // rpassword prints the prompt and then turns echo off: type only once morbox is blocked
    // reading the terminal (its current system call is read, number 0), or the terminal
    // could echo what came in between.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let reading = std::fs::read_dir("/proc").unwrap().flatten().any(|e| {
            let dir = e.path();
            let cmd = std::fs::read(dir.join("cmdline")).unwrap_or_default();
            let cmd = String::from_utf8_lossy(&cmd);
            cmd.contains(db.as_str())
                && cmd.contains("passwd")
                && !cmd.contains("-qec")
                && std::fs::read_to_string(dir.join("syscall")).is_ok_and(|s| s.starts_with("0 "))
        });
        if reading {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "morbox never read the terminal"
        );
        std::thread::yield_now();
    }
    std::io::Write::write_all(&mut stdin, b"Typed-Secret9\n").unwrap();
    drop(stdin);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert!(child.wait().unwrap().success());
    assert!(rest.contains("password of user 6 changed"), "{rest}");
    assert!(
        !rest.contains("Typed-Secret9"),
        "the password was echoed: {rest}"
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let stored: String = conn
        .query_row("SELECT password FROM users WHERE id = 6", [], |r| r.get(0))
        .unwrap();
    assert!(morbox::passwords::verify("Typed-Secret9", &stored));
}
