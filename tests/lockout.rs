//! The hash-failure lockout (issue "Hardened, second pass", items 1–3), each attack over a real
//! socket from its own loopback address: the guesser is held back, the real caller never is.

use crate::util::*;
use std::time::{Duration, Instant};

/// user_details_get of user 5 as admin, signed right (`good`) or not.
fn get5(hash: &str) -> String {
    format!("/api/user_details_get?u=admin&user_id=5&hash={hash}")
}

fn good5() -> String {
    sha1_hex("5secret")
}

const WRONG: &str = "0000000000000000000000000000000000000000";

#[test]
fn a_guessers_lockout_never_refuses_the_real_caller() {
    let s = Server::demo_with(&["--hash-failure-limit", "5"]);
    // The attacker, from 127.0.0.9: 20 wrong hashes as admin.
    let mut incorrect = 0;
    let mut last = None;
    for _ in 0..20 {
        let r = send_from("127.0.0.9", &s.addr, "POST", &get5(WRONG), b"");
        if r.status == 200 {
            assert_eq!(r.xml(), gate_error("Incorrect hash"));
            incorrect += 1;
        } else {
            last = Some(r);
        }
    }
    assert_eq!(incorrect, 5, "the pair's limit");
    let locked = last.expect("the guesser was never locked out");
    assert_eq!(locked.status, 429);
    assert_eq!(
        locked.xml(),
        gate_error("Too many failed hash checks, try again later")
    );
    // Retry-After: the seconds until the count has drained below the limit (5 a minute).
    let wait: u64 = locked.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=240).contains(&wait), "{wait}");
    // The real admin, from 127.0.0.1, correctly signed: served.
    let r = s.send("POST", &get5(&good5()), None, b"");
    assert!(r.xml().contains("<userid>5</userid>"), "{}", r.body);
    // Even from the guesser's own address a correct signature passes (it proves the key).
    let r = send_from("127.0.0.9", &s.addr, "POST", &get5(&good5()), b"");
    assert!(r.xml().contains("<userid>5</userid>"), "{}", r.body);
    // Only the answered failures were audited (bounded writes), with address and caller.
    let deadline = Instant::now() + Duration::from_secs(10);
    while s.value("SELECT COUNT(*) FROM actions WHERE action = 'hash_failed'") != "5" {
        assert!(Instant::now() < deadline, "audit rows missing");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        s.value("SELECT group_concat(DISTINCT data || '@' || data2) FROM actions WHERE action = 'hash_failed'"),
        "admin@127.0.0.9"
    );
}

#[test]
fn guessing_the_shared_key_across_usernames_is_held_to_the_address_limit() {
    // Eight usernames, each tried four times with a wrong hash, each round followed by a good
    // request of the guesser's own (`username`, key 456789), which used to clear the count.
    let s = Server::demo_with(&["--hash-failure-limit", "5"]);
    let names = [
        "admin",
        "user1",
        "user2",
        "accountant",
        "manager",
        "accountant2",
        "r1_user1",
        "r1_user2",
    ];
    let own = format!(
        "/api/user_details_get?u=username&user_id=123&hash={}",
        sha1_hex("123456789")
    );
    let (mut through, mut refused) = (0, 0);
    for _ in 0..5 {
        for u in names {
            for _ in 0..4 {
                let target = format!("/api/user_details_get?u={u}&user_id=5&hash={WRONG}");
                let r = send_from("127.0.0.9", &s.addr, "POST", &target, b"");
                match r.status {
                    200 => through += 1,
                    429 => refused += 1,
                    other => panic!("{other}: {}", r.body),
                }
            }
            let r = send_from("127.0.0.9", &s.addr, "POST", &own, b"");
            assert!(r.xml().contains("<userid>123</userid>"), "{}", r.body);
        }
    }
    // The address may fail three times the pair's limit (15), then waits; before the fix 160
    // wrong hashes got an answer.
    assert_eq!(through, 15, "wrong hashes answered");
    assert_eq!(refused, 160 - 15);
    // Another address signing for itself is untouched.
    let r = s.send("POST", &get5(&good5()), None, b"");
    assert!(r.xml().contains("<userid>5</userid>"), "{}", r.body);
}

#[test]
fn unknown_usernames_count_toward_the_address() {
    let s = Server::demo_with(&["--hash-failure-limit", "2"]);
    let mut statuses = Vec::new();
    for i in 0..8 {
        let target = format!("/api/user_details_get?u=nobody{i}&user_id=5&hash={WRONG}");
        let r = send_from("127.0.0.7", &s.addr, "POST", &target, b"");
        if r.status == 200 {
            assert_eq!(r.xml(), bare_error("Access Denied"));
        }
        statuses.push(r.status);
    }
    // The address's limit is 3 × 2: six enumerations answered, then 429.
    assert_eq!(statuses, [200, 200, 200, 200, 200, 200, 429, 429]);
    // A correctly signed request from that address still passes.
    let r = send_from("127.0.0.7", &s.addr, "POST", &get5(&good5()), b"");
    assert!(r.xml().contains("<userid>5</userid>"), "{}", r.body);
}

#[test]
fn a_client_mixing_right_and_wrong_hashes_is_never_locked_out() {
    // A test suite probing `Incorrect hash` between good calls, well past the default limit.
    let s = Server::demo();
    for _ in 0..30 {
        for _ in 0..3 {
            s.post(
                "user_details_get",
                &[("u", "admin"), ("user_id", "5"), ("hash", "0000")],
            )
            .is(&gate_error("Incorrect hash"));
        }
        let r = s.post(
            "user_details_get",
            &[("u", "admin"), ("user_id", "5"), ("hash", &good5())],
        );
        assert!(r.xml().contains("<userid>5</userid>"), "{}", r.body);
    }
}
