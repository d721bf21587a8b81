//! Nothing acknowledged is ever lost: SIGKILL at random moments under a stream of updates,
//! storage faults (read-only, full disk) that heal, and concurrent writers and readers.
//! `MORBOX_CRASH_CYCLES` (default 100) and `MORBOX_CONCURRENCY_SECS` (default 15) size the
//! runs; `make soak` runs 1,000 cycles.

use crate::util::*;
use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One update of `u33` (the comment) for `user`; `Some(body)` when an answer came.
fn update_comment(addr: &str, user: i64, comment: &str) -> Option<String> {
    let id = user.to_string();
    post_signed(
        addr,
        "user_details_update",
        &[("u", "admin"), ("user_id", &id), ("u33", comment)],
        &["user_id"],
    )
}

/// The comment values the audit log says were written.
fn audited_comments(s: &Server) -> HashSet<String> {
    let conn = s.conn();
    let mut stmt = conn
        .prepare("SELECT json_extract(data2, '$.new') FROM actions WHERE data = 'users.comment'")
        .unwrap();
    stmt.query_map([], |r| r.get::<_, Option<String>>(0))
        .unwrap()
        .filter_map(|v| v.unwrap())
        .collect()
}

#[test]
fn acknowledged_updates_survive_sigkill() {
    let cycles = env_num("MORBOX_CRASH_CYCLES", 100);
    let mut s = Server::demo();
    let users = [5i64, 6, 10, 11];
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut acked_total = 0;
    for cycle in 0..cycles {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let kill_after = 3 + (seed % 40) as usize;
        let acks = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let clients: Vec<_> = users
            .iter()
            .enumerate()
            .map(|(t, &user)| {
                let (addr, acks, stop) = (s.addr.clone(), Arc::clone(&acks), Arc::clone(&stop));
                std::thread::spawn(move || {
                    let mut acked = Vec::new();
                    for n in 0.. {
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        let value = format!("c{cycle}-t{t}-{n}");
                        match update_comment(&addr, user, &value) {
                            Some(resp) if resp.contains("User was updated") => {
                                acked.push(value);
                                acks.fetch_add(1, Ordering::Relaxed);
                            }
                            Some(resp) if resp.starts_with("HTTP/1.1 200") => {
                                panic!("unexpected answer {resp}")
                            }
                            // The server died mid-request: not acknowledged.
                            _ => break,
                        }
                    }
                    acked
                })
            })
            .collect();
        let deadline = Instant::now() + Duration::from_secs(30);
        while acks.load(Ordering::Relaxed) < kill_after && Instant::now() < deadline {
            std::thread::yield_now();
        }
        s.crash();
        stop.store(true, Ordering::Relaxed);
        let acked: Vec<Vec<String>> = clients.into_iter().map(|c| c.join().unwrap()).collect();
        s.restart(&[]);
        let integrity: String = s
            .conn()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(integrity, "ok", "cycle {cycle}");
        let written = audited_comments(&s);
        for (t, values) in acked.iter().enumerate() {
            for v in values {
                assert!(
                    written.contains(v),
                    "cycle {cycle}: acknowledged {v} was lost"
                );
            }
            // The row holds the last acknowledged value or a later one (committed, unanswered).
            if let Some(last) = values.last() {
                let now = s.value(&format!(
                    "SELECT comment FROM users WHERE id = {}",
                    users[t]
                ));
                let n = |v: &str| v.rsplit('-').next().unwrap().parse::<usize>().unwrap();
                assert!(
                    now.starts_with(&format!("c{cycle}-t{t}-")) && n(&now) >= n(last),
                    "cycle {cycle}: row has {now}, last ack {last}"
                );
            }
            acked_total += values.len();
        }
    }
    assert!(
        acked_total >= cycles * 3,
        "only {acked_total} acknowledged updates in {cycles} cycles"
    );
    eprintln!("crash durability: {cycles} SIGKILLs, {acked_total} acknowledged updates, 0 lost");
}

/// A 2 MiB tmpfs of our own, unmounted on drop.
struct SmallDisk(TempDir);

impl SmallDisk {
    fn mount() -> Option<SmallDisk> {
        let dir = TempDir::new();
        let ok = std::process::Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                "size=2m",
                "tmpfs",
                dir.0.to_str().unwrap(),
            ])
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(SmallDisk(dir))
    }
    fn remount(&self, mode: &str) {
        let ok = std::process::Command::new("mount")
            .args(["-o", &format!("remount,{mode}"), self.0.0.to_str().unwrap()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "remount {mode}");
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0.0).status();
    }
}

#[test]
fn storage_faults_give_clear_errors_and_heal() {
    let Some(disk) = SmallDisk::mount() else {
        // Mounting needs root. Every machine of this project (CI included) runs as root, so
        // there a failed mount fails the test; elsewhere it is skipped, loudly.
        let uid = std::process::Command::new("id").arg("-u").output().unwrap();
        assert_ne!(
            String::from_utf8_lossy(&uid.stdout).trim(),
            "0",
            "root could not mount a tmpfs"
        );
        eprintln!("SKIPPED storage_faults_give_clear_errors_and_heal: not root, cannot mount");
        return;
    };
    let db = disk.0.0.join("m.db");
    assert!(morbox(&["init", "--db", db.to_str().unwrap(), "--demo"]).0);

    // A read-only database: serve says so clearly and changes nothing; once writable, it serves.
    disk.remount("ro");
    let err = must_fail(&[
        "serve",
        "--db",
        db.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(
        err.contains("cannot open") && err.contains("for writing") && err.contains("writable"),
        "{err}"
    );
    disk.remount("rw");
    let s = Server::start_on(TempDir::new(), db.clone(), &[]);
    let get = || {
        s.signed(
            "user_details_get",
            &[("u", "admin"), ("user_id", "5")],
            &["user_id"],
            "secret",
        )
    };
    assert!(get().xml().contains("<userid>5</userid>"));
    assert!(
        update_comment(&s.addr, 5, "before")
            .unwrap()
            .contains("User was updated")
    );

    // A full disk while serving: writes refused with a clear error, reads still served,
    // and writes work again once there is room.
    let filler = disk.0.0.join("filler");
    let mut f = std::fs::File::create(&filler).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    while f.write_all(&chunk).is_ok() {}
    let _ = f.flush();
    let big = "x".repeat(60_000);
    let mut full_seen = false;
    for i in 0..20 {
        let resp = update_comment(&s.addr, 5 + (i % 2), &format!("{big}{i}")).unwrap();
        if resp.contains("<error>The database storage is full; nothing was changed</error>") {
            assert!(resp.starts_with("HTTP/1.1 503"), "{resp}");
            full_seen = true;
            break;
        }
        assert!(resp.contains("User was updated"), "{resp}");
    }
    assert!(full_seen, "a full disk never showed");
    assert!(get().xml().contains("<userid>5</userid>"));
    drop(f);
    std::fs::remove_file(&filler).unwrap();
    assert!(
        update_comment(&s.addr, 5, "after-full")
            .unwrap()
            .contains("User was updated")
    );
    assert_eq!(
        s.value("SELECT comment FROM users WHERE id = 5"),
        "after-full"
    );
    let integrity: String = s
        .conn()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    drop(s);
}

#[test]
fn sixteen_writers_and_readers_at_once() {
    let secs = env_num("MORBOX_CONCURRENCY_SECS", 15) as u64;
    let s = Server::demo();
    let users = [5i64, 6, 10, 11, 2, 3];
    let end = Instant::now() + Duration::from_secs(secs);
    let writers: Vec<_> = (0..16)
        .map(|w| {
            let addr = s.addr.clone();
            std::thread::spawn(move || {
                let mut acked = Vec::new();
                let mut n = 0;
                while Instant::now() < end {
                    // Writers 0-5 each own a user; the rest share them.
                    let user = users[if w < 6 { w } else { n % users.len() }];
                    let value = format!("w{w}-{n}");
                    let resp = update_comment(&addr, user, &value).expect("no answer");
                    assert!(resp.contains("User was updated"), "writer {w}: {resp}");
                    acked.push((user, value));
                    n += 1;
                }
                acked
            })
        })
        .collect();
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let addr = s.addr.clone();
            std::thread::spawn(move || {
                let mut n = 0;
                while Instant::now() < end {
                    let user = users[n % users.len()];
                    let hash = sha1_hex(&format!("{user}secret"));
                    let mut c = TcpStream::connect(&addr).unwrap();
                    c.write_all(format!("POST /api/user_details_get?u=admin&user_id={user}&hash={hash} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").as_bytes()).unwrap();
                    let mut buf = String::new();
                    c.read_to_string(&mut buf).unwrap();
                    assert!(buf.contains(&format!("<userid>{user}</userid>")), "{buf}");
                    n += 1;
                }
                n
            })
        })
        .collect();
    let acked: Vec<(i64, String)> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let reads: usize = readers.into_iter().map(|r| r.join().unwrap()).sum();
    let written = audited_comments(&s);
    for (_, v) in &acked {
        assert!(written.contains(v), "acknowledged {v} missing");
    }
    // Each row holds the value of the last write the writer committed for it.
    for user in users {
        let last: String = s.value(&format!(
            "SELECT json_extract(data2, '$.new') FROM actions WHERE data = 'users.comment' AND target_id = {user} ORDER BY id DESC LIMIT 1"
        ));
        assert_eq!(
            s.value(&format!("SELECT comment FROM users WHERE id = {user}")),
            last
        );
        assert!(acked.iter().any(|(u, v)| *u == user && *v == last));
    }
    eprintln!(
        "concurrency: {} acknowledged updates, {reads} reads in {secs} s, no errors",
        acked.len()
    );
}

/// One signed POST to `call`; `Some(body)` when an answer came.
fn post_signed(addr: &str, call: &str, params: &[(&str, &str)], hashed: &[&str]) -> Option<String> {
    let hash = sign(params, hashed, "secret");
    let mut all = params.to_vec();
    all.push(("hash", &hash));
    let body = encode(&all);
    let mut c = TcpStream::connect(addr).ok()?;
    c.set_read_timeout(Some(Duration::from_secs(20))).ok()?;
    let req = format!(
        "POST /api/{call} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    c.write_all(req.as_bytes()).ok()?;
    let mut buf = Vec::new();
    c.read_to_end(&mut buf).ok()?;
    let text = String::from_utf8(buf).ok()?;
    text.contains("\r\n\r\n").then_some(text)
}

#[test]
fn acknowledged_payments_and_balance_changes_survive_sigkill() {
    let cycles = env_num("MORBOX_CRASH_CYCLES", 100).div_ceil(4);
    let mut s = Server::demo();
    // Payments in the default currency for reseller1 (no tax row: net = gross), balance
    // changes by the admin: every acknowledged one must be there after a crash, and the
    // balance must equal its start plus every payment and change on record (nothing half
    // written: a payment without its credit, or the reverse).
    let start: f64 = s
        .value("SELECT balance FROM users WHERE id = 2")
        .parse()
        .unwrap();
    s.sql("UPDATE users SET tax_id = 0 WHERE id = 2;");
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for cycle in 0..cycles {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let kill_after = 2 + (seed % 30) as usize;
        let acks = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let clients: Vec<_> = (0..4)
            .map(|t| {
                let (addr, acks, stop) = (s.addr.clone(), Arc::clone(&acks), Arc::clone(&stop));
                std::thread::spawn(move || {
                    let (mut payments, mut changes) = (Vec::new(), 0usize);
                    for n in 0.. {
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        let tx = format!("c{cycle}-t{t}-{n}");
                        let answer = if n % 2 == 0 {
                            post_signed(
                                &addr,
                                "payment_create",
                                &[
                                    ("u", "admin"),
                                    ("user_id", "2"),
                                    ("p_currency", "EUR"),
                                    ("amount", "1.25"),
                                    ("transaction", &tx),
                                ],
                                &[
                                    "user_id",
                                    "p_currency",
                                    "paymenttype",
                                    "tax_in_amount",
                                    "amount",
                                    "transaction",
                                    "payer_email",
                                ],
                            )
                        } else {
                            post_signed(
                                &addr,
                                "user_balance_update",
                                &[("u", "admin"), ("user_id", "2"), ("balance", "-0.5")],
                                &["user_id", "balance"],
                            )
                        };
                        match answer {
                            Some(r) if r.contains("<status>ok</status>") => payments.push(tx),
                            Some(r) if r.contains("User balance updated") => changes += 1,
                            Some(r) if r.starts_with("HTTP/1.1 200") => {
                                panic!("unexpected answer {r}")
                            }
                            _ => break,
                        }
                        acks.fetch_add(1, Ordering::Relaxed);
                    }
                    (payments, changes)
                })
            })
            .collect();
        let deadline = Instant::now() + Duration::from_secs(30);
        while acks.load(Ordering::Relaxed) < kill_after && Instant::now() < deadline {
            std::thread::yield_now();
        }
        s.crash();
        stop.store(true, Ordering::Relaxed);
        let acked: Vec<(Vec<String>, usize)> =
            clients.into_iter().map(|c| c.join().unwrap()).collect();
        s.restart(&[]);
        let conn = s.conn();
        let stored: HashSet<String> = conn
            .prepare("SELECT transaction_id FROM payments WHERE user_id = 2")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for (payments, _) in &acked {
            for tx in payments {
                assert!(stored.contains(tx), "cycle {cycle}: payment {tx} was lost");
            }
        }
        let changes_acked: usize = acked.iter().map(|(_, c)| c).sum();
        let (paid, changes, balance): (f64, i64, f64) = conn
            .query_row(
                "SELECT (SELECT COALESCE(SUM(amount), 0) FROM payments WHERE user_id = 2 AND completed = 1 AND transaction_id != ''),
                        (SELECT COUNT(*) FROM actions WHERE action = 'User balance changed from API' AND target_id = 2),
                        (SELECT balance FROM users WHERE id = 2)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert!(
            changes as usize >= changes_acked,
            "cycle {cycle}: a balance change was lost"
        );
        let expected = start + paid - 0.5 * changes as f64;
        assert!(
            (balance - expected).abs() < 1e-6,
            "cycle {cycle}: balance {balance}, payments and changes on record say {expected}"
        );
    }
}
