//! The lockout against hash guessing. Failed hash checks are counted three ways: per client
//! address and caller (`u`), per client address (all callers, unknown ones included, so that
//! rotating usernames does not help), and per key scope (the key being guessed, from any
//! address). Each count decays at `limit` per window, so a guesser is held to that rate.
//!
//! A locked count never refuses a correctly signed request: the lockout only turns the answer
//! to a *wrong* hash (or an unknown `u`) into `429 Too many failed hash checks`, so knowing a
//! username is not enough to lock its owner out. A pass proves the key of its (address, `u`):
//! it clears that pair's failures, and takes them back out of the address count and of the
//! count of the scope whose key matched; no other failures. A test suite that probes
//! `Incorrect hash` between good calls as the same `u` is therefore never locked out, while a
//! guesser whose good requests are signed as somebody else is.
//!
//! Failed passwords are counted a fourth way: per target user, from every address, so that
//! guessing one user's password is bounded however many addresses are used. A locked target
//! never refuses anyone by itself: it makes the login check the hash before the password, so
//! that a guesser without the key learns nothing, while a right password with a right hash
//! still logs in.
//!
//! Other clients pay nothing while nobody fails: one atomic load, no lock.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The window a count decays over: `limit` failures drain in one window.
pub const WINDOW: Duration = Duration::from_secs(60);

/// An address, or a key scope, may fail this many times the per-(address, `u`) limit: one
/// address can be an integrator's server signing for many users.
pub const WIDE_FACTOR: u32 = 3;

/// Past this many tracked counts, drained ones are dropped (bounds memory under a flood from
/// many addresses).
const PRUNE_AT: usize = 10_000;

/// A count that drains at `rate` per second.
#[derive(Debug, Clone, Copy)]
struct Count {
    value: f64,
    at: Instant,
}

impl Count {
    fn now(&self, now: Instant, rate: f64) -> f64 {
        let drained = now.saturating_duration_since(self.at).as_secs_f64() * rate;
        (self.value - drained).max(0.0)
    }

    fn add(&mut self, now: Instant, rate: f64, x: f64) {
        self.value = (self.now(now, rate) + x).max(0.0);
        self.at = now;
    }
}

/// The failures of one (address, `u`) pair and the key scopes they were checked against.
#[derive(Debug, Clone)]
struct Pair {
    count: Count,
    scopes: Vec<i64>,
}

#[derive(Debug, Default)]
struct Counts {
    pairs: HashMap<(IpAddr, String), Pair>,
    addrs: HashMap<IpAddr, Count>,
    scopes: HashMap<i64, Count>,
    targets: HashMap<String, Count>,
}

impl Counts {
    fn len(&self) -> usize {
        self.pairs.len() + self.addrs.len() + self.scopes.len() + self.targets.len()
    }
}

/// What a failed request is: who sent it, as whom, and which keys its hash was checked with.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    /// The client's address.
    pub addr: IpAddr,
    /// The caller's `u`, when it names a user; `None` for an unknown or missing `u`.
    pub caller: Option<&'a str>,
    /// The key scopes the hash was checked against (0 the system, else a reseller's id).
    pub scopes: &'a [i64],
    /// For a failed password: the user it was tried against (a name of the caller's making,
    /// the same for every address; see [`HashGuard::target_locked`]).
    pub target: Option<&'a str>,
}

/// Failure counts and the lockout they make.
#[derive(Debug)]
pub struct HashGuard {
    limit: u32,
    window: Duration,
    counts: Mutex<Counts>,
    /// How many counts are held: while 0 (no failure lately, the usual case) a pass reads this
    /// atomic and never takes the lock.
    tracked: AtomicUsize,
}

impl HashGuard {
    /// A guard allowing `limit` failures per (address, `u`) per window; 0 turns it off.
    pub fn new(limit: u32) -> HashGuard {
        HashGuard::with_window(limit, WINDOW)
    }

    /// A guard with another window (for tests).
    pub fn with_window(limit: u32, window: Duration) -> HashGuard {
        HashGuard {
            limit,
            window,
            counts: Mutex::new(Counts::default()),
            tracked: AtomicUsize::new(0),
        }
    }

    /// How many failures drain per second.
    fn rate(&self) -> f64 {
        f64::from(self.limit) / self.window.as_secs_f64().max(1e-9)
    }

    /// Counts one failure; returns `Some(seconds to wait)` when the attempt is locked out
    /// (this failure included), `None` when it may be answered as the plain failure it is.
    pub fn fail(&self, attempt: Attempt<'_>) -> Option<u64> {
        self.fail_at(Instant::now(), attempt)
    }

    /// [`HashGuard::fail`] at a given instant (the clock is injected for tests).
    pub fn fail_at(&self, now: Instant, a: Attempt<'_>) -> Option<u64> {
        if self.limit == 0 {
            return None;
        }
        let Ok(mut c) = self.counts.lock() else {
            return None;
        };
        let rate = self.rate();
        let fresh = Count {
            value: 0.0,
            at: now,
        };
        if c.len() >= PRUNE_AT {
            c.pairs.retain(|_, p| p.count.now(now, rate) > 0.0);
            c.addrs.retain(|_, n| n.now(now, rate) > 0.0);
            c.scopes.retain(|_, n| n.now(now, rate) > 0.0);
            c.targets.retain(|_, n| n.now(now, rate) > 0.0);
        }
        let pair_limit = f64::from(self.limit);
        let wide_limit = f64::from(self.limit.saturating_mul(WIDE_FACTOR));
        let mut over = Vec::with_capacity(2 + a.scopes.len());
        if let Some(u) = a.caller {
            let p = c.pairs.entry((a.addr, u.to_string())).or_insert(Pair {
                count: fresh,
                scopes: Vec::new(),
            });
            p.count.add(now, rate, 1.0);
            for s in a.scopes {
                if !p.scopes.contains(s) {
                    p.scopes.push(*s);
                }
            }
            over.push(p.count.value - pair_limit);
        }
        let n = c.addrs.entry(a.addr).or_insert(fresh);
        n.add(now, rate, 1.0);
        over.push(n.value - wide_limit);
        for s in a.scopes {
            let n = c.scopes.entry(*s).or_insert(fresh);
            n.add(now, rate, 1.0);
            over.push(n.value - wide_limit);
        }
        if let Some(t) = a.target {
            // Counted, not a reason for 429 by itself: the target's lock changes the order of
            // the login's checks instead (no victim lockout).
            let n = c.targets.entry(t.to_string()).or_insert(fresh);
            n.add(now, rate, 1.0);
        }
        self.tracked.store(c.len(), Ordering::Release);
        // Locked once a count is past its limit (this failure is the limit-th + 1); the wait is
        // until the fullest count has drained back below it.
        let worst = over.into_iter().fold(f64::NEG_INFINITY, f64::max);
        (worst > 0.0).then(|| (worst / rate).ceil().max(1.0) as u64)
    }

    /// Whether (address, `u`) or the address is over its limit now: `Some(seconds to wait)`.
    /// Asked before a password is verified, so that a locked-out guesser costs no argon2 work
    /// and learns nothing from a right guess; key scopes are not asked, so a guesser elsewhere
    /// never locks a user out of logging in from its own address.
    pub fn locked(&self, addr: IpAddr, caller: Option<&str>) -> Option<u64> {
        self.locked_at(Instant::now(), addr, caller)
    }

    /// [`HashGuard::locked`] at a given instant.
    pub fn locked_at(&self, now: Instant, addr: IpAddr, caller: Option<&str>) -> Option<u64> {
        if self.limit == 0 || self.tracked.load(Ordering::Acquire) == 0 {
            return None;
        }
        let c = self.counts.lock().ok()?;
        let rate = self.rate();
        let pair = caller
            .and_then(|u| c.pairs.get(&(addr, u.to_string())))
            .map(|p| p.count.now(now, rate) - f64::from(self.limit));
        let wide = c
            .addrs
            .get(&addr)
            .map(|n| n.now(now, rate) - f64::from(self.limit.saturating_mul(WIDE_FACTOR)));
        // Locked once a count has reached its limit (the next failure would be over it).
        let worst = [pair, wide]
            .into_iter()
            .flatten()
            .fold(f64::NEG_INFINITY, f64::max);
        (worst >= 0.0).then(|| ((worst + 1.0) / rate).ceil().max(1.0) as u64)
    }

    /// Whether the passwords tried against `target` from all addresses have reached the wide
    /// limit (`limit` × [`WIDE_FACTOR`] per window): `Some(seconds until it drains)`.
    pub fn target_locked(&self, target: &str) -> Option<u64> {
        self.target_locked_at(Instant::now(), target)
    }

    /// [`HashGuard::target_locked`] at a given instant.
    pub fn target_locked_at(&self, now: Instant, target: &str) -> Option<u64> {
        if self.limit == 0 || self.tracked.load(Ordering::Acquire) == 0 {
            return None;
        }
        let c = self.counts.lock().ok()?;
        let rate = self.rate();
        let over = c.targets.get(target)?.now(now, rate)
            - f64::from(self.limit.saturating_mul(WIDE_FACTOR));
        (over >= 0.0).then(|| ((over + 1.0) / rate).ceil().max(1.0) as u64)
    }

    /// Forgets the failures of (address, `u`) after a pass with the key of `matched_scope`
    /// (`None`: no key was checked), taking them back out of the address count and of that
    /// scope's count.
    pub fn pass(&self, addr: IpAddr, caller: &str, matched_scope: Option<i64>) {
        self.pass_at(Instant::now(), addr, caller, matched_scope)
    }

    /// [`HashGuard::pass`] at a given instant.
    pub fn pass_at(&self, now: Instant, addr: IpAddr, caller: &str, matched: Option<i64>) {
        if self.limit == 0 || self.tracked.load(Ordering::Acquire) == 0 {
            return;
        }
        let Ok(mut c) = self.counts.lock() else {
            return;
        };
        let rate = self.rate();
        if let Some(p) = c.pairs.remove(&(addr, caller.to_string())) {
            let n = p.count.now(now, rate);
            if let Some(a) = c.addrs.get_mut(&addr) {
                a.add(now, rate, -n);
            }
            if let Some(s) = matched.filter(|s| p.scopes.contains(s))
                && let Some(sc) = c.scopes.get_mut(&s)
            {
                sc.add(now, rate, -n);
            }
        }
        self.tracked.store(c.len(), Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn attempt<'a>(addr: &str, u: &'a str, scopes: &'a [i64]) -> Attempt<'a> {
        Attempt {
            addr: ip(addr),
            caller: Some(u),
            scopes,
            target: None,
        }
    }

    #[test]
    fn the_pair_locks_at_its_limit_and_drains_over_the_window() {
        let g = HashGuard::with_window(3, Duration::from_secs(60));
        let t = Instant::now();
        for _ in 0..3 {
            assert_eq!(g.fail_at(t, attempt("10.0.0.1", "admin", &[0])), None);
        }
        // The fourth is locked; one failure drains every 20 s, so the wait is 20 s.
        assert_eq!(g.fail_at(t, attempt("10.0.0.1", "admin", &[0])), Some(20));
        // Another address for the same caller is not locked (no victim lockout).
        assert_eq!(g.fail_at(t, attempt("10.0.0.2", "admin", &[0])), None);
        // A minute and a half later the count has drained.
        let later = t + Duration::from_secs(90);
        assert_eq!(g.fail_at(later, attempt("10.0.0.1", "admin", &[0])), None);
    }

    #[test]
    fn a_pass_clears_its_own_pair_and_nothing_else() {
        let g = HashGuard::with_window(3, Duration::from_secs(60));
        let t = Instant::now();
        // A test suite: wrong and right hashes as the same caller, far past the limit.
        for _ in 0..50 {
            for _ in 0..2 {
                assert_eq!(g.fail_at(t, attempt("10.0.0.1", "admin", &[0])), None);
            }
            g.pass_at(t, ip("10.0.0.1"), "admin", Some(0));
        }
        // A guesser: failures as many callers, passes as itself (another scope's key).
        let names = ["a", "b", "c", "d", "e", "f", "g", "h"];
        let mut through = 0;
        'guess: for _ in 0..10 {
            for u in names {
                for _ in 0..2 {
                    if g.fail_at(t, attempt("10.0.0.9", u, &[0])).is_some() {
                        break 'guess;
                    }
                    through += 1;
                }
                g.pass_at(t, ip("10.0.0.9"), "mine", Some(7));
            }
        }
        // The address count (3 × 3 = 9) stops it, whatever its own passes.
        assert_eq!(through, 9);
    }

    #[test]
    fn the_scope_count_stops_guessing_from_many_addresses() {
        let g = HashGuard::with_window(2, Duration::from_secs(60));
        let t = Instant::now();
        let mut through = 0;
        for i in 0..50 {
            let addr = format!("10.0.1.{i}");
            if g.fail_at(t, attempt(&addr, "admin", &[0])).is_some() {
                break;
            }
            through += 1;
        }
        assert_eq!(through, 6);
        // A reseller's own scope is another count.
        assert_eq!(g.fail_at(t, attempt("10.0.2.1", "r", &[2])), None);
    }

    #[test]
    fn unknown_callers_count_toward_the_address() {
        let g = HashGuard::with_window(2, Duration::from_secs(60));
        let t = Instant::now();
        let unknown = Attempt {
            addr: ip("10.0.0.5"),
            caller: None,
            scopes: &[],
            target: None,
        };
        for _ in 0..6 {
            assert_eq!(g.fail_at(t, unknown), None);
        }
        assert!(g.fail_at(t, unknown).is_some());
        // A known caller from that address is locked too (on its wrong hashes).
        assert!(g.fail_at(t, attempt("10.0.0.5", "admin", &[0])).is_some());
    }

    #[test]
    fn passwords_tried_from_many_addresses_lock_the_target_only() {
        let g = HashGuard::with_window(2, Duration::from_secs(60));
        let t = Instant::now();
        for i in 0..6 {
            let a = Attempt {
                addr: ip(&format!("10.0.3.{i}")),
                caller: Some("user1"),
                scopes: &[],
                target: Some("#5"),
            };
            assert_eq!(g.target_locked_at(t, "#5"), None, "after {i}");
            // Never a 429 by itself: each address has failed once.
            assert_eq!(g.fail_at(t, a), None);
        }
        assert_eq!(g.target_locked_at(t, "#5"), Some(30));
        assert_eq!(g.target_locked_at(t, "#6"), None);
        // A clean address is not locked (only the order of the checks changes).
        assert_eq!(g.locked_at(t, ip("10.0.4.1"), Some("user1")), None);
        assert_eq!(g.target_locked_at(t + Duration::from_secs(31), "#5"), None);
    }

    #[test]
    fn zero_turns_it_off() {
        let g = HashGuard::new(0);
        for _ in 0..100 {
            assert_eq!(g.fail(attempt("10.0.0.1", "x", &[0])), None);
        }
    }
}
