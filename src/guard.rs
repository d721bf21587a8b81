//! The lockout against hash guessing: failed hash checks counted per client address and per
//! caller (`u`) in a fixed one-minute window. Past the limit, further attempts from that
//! address, or for that caller, are refused before the hash is looked at, until the window
//! passes. A request that passes the hash check clears its address's and its caller's count,
//! so a client that mixes right and wrong hashes (a test suite probing `Incorrect hash`) is
//! not locked out, while a guesser, who never passes, is. Other clients pay nothing: one map
//! lookup under a lock held for microseconds.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The window failures are counted in.
pub const WINDOW: Duration = Duration::from_secs(60);

/// Past this many tracked keys, expired ones are dropped (bounds memory under a flood from
/// many addresses).
const PRUNE_AT: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Addr(IpAddr),
    Caller(String),
}

/// Failure counts per address and per caller.
#[derive(Debug)]
pub struct HashGuard {
    limit: u32,
    window: Duration,
    counts: Mutex<HashMap<Key, (Instant, u32)>>,
    /// How many keys `counts` holds: while 0 (no failure lately, the usual case) a request
    /// reads this atomic and never takes the lock, so the guard puts no global lock on reads.
    tracked: AtomicUsize,
}

impl HashGuard {
    /// A guard allowing `limit` failures per window; 0 turns it off.
    pub fn new(limit: u32) -> HashGuard {
        HashGuard::with_window(limit, WINDOW)
    }

    /// A guard with another window (for tests).
    pub fn with_window(limit: u32, window: Duration) -> HashGuard {
        HashGuard {
            limit,
            window,
            counts: Mutex::new(HashMap::new()),
            tracked: AtomicUsize::new(0),
        }
    }

    /// Whether the address or the caller has used up its failures in the current window.
    pub fn locked_out(&self, addr: IpAddr, caller: &str) -> bool {
        if self.limit == 0 || self.tracked.load(Ordering::Acquire) == 0 {
            return false;
        }
        let Ok(counts) = self.counts.lock() else {
            return false;
        };
        let now = Instant::now();
        [Key::Addr(addr), Key::Caller(caller.to_string())]
            .iter()
            .any(|k| {
                counts.get(k).is_some_and(|(start, n)| {
                    now.duration_since(*start) < self.window && *n >= self.limit
                })
            })
    }

    /// Forgets the failures of an address and a caller that just passed the hash check.
    pub fn record_success(&self, addr: IpAddr, caller: &str) {
        if self.limit == 0 || self.tracked.load(Ordering::Acquire) == 0 {
            return;
        }
        if let Ok(mut counts) = self.counts.lock() {
            counts.remove(&Key::Addr(addr));
            counts.remove(&Key::Caller(caller.to_string()));
            self.tracked.store(counts.len(), Ordering::Release);
        }
    }

    /// Counts one failed hash check.
    pub fn record_failure(&self, addr: IpAddr, caller: &str) {
        if self.limit == 0 {
            return;
        }
        let Ok(mut counts) = self.counts.lock() else {
            return;
        };
        let now = Instant::now();
        if counts.len() >= PRUNE_AT {
            counts.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        for k in [Key::Addr(addr), Key::Caller(caller.to_string())] {
            let entry = counts.entry(k).or_insert((now, 0));
            if now.duration_since(entry.0) >= self.window {
                *entry = (now, 0);
            }
            entry.1 = entry.1.saturating_add(1);
        }
        self.tracked.store(counts.len(), Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_per_address_and_per_caller_until_the_window_passes() {
        let g = HashGuard::with_window(3, Duration::from_millis(200));
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        for _ in 0..3 {
            assert!(!g.locked_out(a, "admin"));
            g.record_failure(a, "admin");
        }
        assert!(g.locked_out(a, "admin"));
        // The same address for another caller: locked (per address).
        assert!(g.locked_out(a, "other"));
        // Another address for the same caller: locked (per caller).
        assert!(g.locked_out(b, "admin"));
        // Another address and caller: free.
        assert!(!g.locked_out(b, "other"));
        std::thread::sleep(Duration::from_millis(250));
        assert!(!g.locked_out(a, "admin"));
    }

    #[test]
    fn a_pass_clears_the_count_but_not_a_lockout() {
        let g = HashGuard::with_window(3, Duration::from_secs(60));
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        for _ in 0..10 {
            g.record_failure(a, "admin");
            g.record_failure(a, "admin");
            g.record_success(a, "admin");
            assert!(!g.locked_out(a, "admin"));
        }
        for _ in 0..3 {
            g.record_failure(a, "admin");
        }
        assert!(g.locked_out(a, "admin"));
    }

    #[test]
    fn zero_turns_it_off() {
        let g = HashGuard::new(0);
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        for _ in 0..100 {
            g.record_failure(a, "x");
        }
        assert!(!g.locked_out(a, "x"));
    }
}
