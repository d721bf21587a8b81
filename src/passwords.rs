//! Password hashing: argon2id PHC strings, the one password rule ([`Rule`]) every call shares,
//! the longest password accepted, and the bounded pool
//! that hashes off the async workers. argon2 takes ~19 MiB and tens of milliseconds per hash on
//! purpose, so the work a request can cause is bounded before it starts: at most one hash per
//! core runs at once (others wait their turn), on a fixed set of threads whose memory is reused.

use crate::error::{ApiError, Problem};
use crate::settings::{PASSWORD_LENGTH, Settings, USE_STRONG_PASSWORD};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

/// A stored hash no password matches (random salt and output), with the parameters of every
/// hash morbox makes: an unknown or blocked user's password is verified against it, so that a
/// login takes the same work whether the user exists or not.
pub const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$aGTHwCrC8ZJZyUYIthx4fQ$irUdTkC+RsdejRDdBzW3UTNA/BEuFWYE2lxlrVBnV+M";

/// The longest password accepted, in characters (a longer one is a validation message, never
/// hashed).
pub const MAX_CHARS: usize = 128;

/// A password as an argon2id PHC string (default parameters), with a fresh salt. Slow on
/// purpose: call it off the async workers (the server goes through [`Pool`]).
pub fn hash(pw: &str) -> Result<String, String> {
    hash_in(pw, &mut memory())
}

/// The working memory of one argon2 hash (19 MiB with the default parameters).
fn memory() -> Vec<argon2::Block> {
    vec![argon2::Block::default(); argon2::Params::DEFAULT_M_COST as usize]
}

/// [`hash`] in memory the caller keeps: the pool's threads reuse theirs, because allocating
/// 19 MiB per hash fragments the heap until the process holds one such block per hash ever
/// made (measured: resident memory grew 19 MiB per hash).
fn hash_in(pw: &str, memory: &mut [argon2::Block]) -> Result<String, String> {
    use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
    let params = argon2::Params::default();
    let salt = argon2::password_hash::try_generate_salt().map_err(|e| e.to_string())?;
    let mut out = [0u8; argon2::Params::DEFAULT_OUTPUT_LEN];
    argon2::Argon2::default()
        .hash_password_into_with_memory(pw.as_bytes(), &salt, &mut out, memory)
        .map_err(|e| e.to_string())?;
    let phc = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(argon2::Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| e.to_string())?,
        salt: Some(Salt::new(&salt).map_err(|e| e.to_string())?),
        hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
    };
    Ok(phc.to_string())
}

/// What can be wrong with a new password, in the order the rule finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Fewer characters (blanks at either end not counted) than the minimum.
    Short(usize),
    /// More than [`MAX_CHARS`] characters.
    Long,
    /// Strong passwords are on and it lacks an uppercase letter, a lowercase letter or a digit.
    Weak,
}

/// The password rule of a scope: `Use_strong_password` (the system's) and
/// `Default_User_password_length` (the scope's own, else the system's), at least 6 characters,
/// 8 with strong passwords; at most [`MAX_CHARS`]. Every call that takes a new password (an
/// update, a registration, the operator's commands) asks this one rule and words its answer
/// its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The fewest characters.
    pub min: usize,
    /// Whether strong passwords are on.
    pub strong: bool,
}

impl Rule {
    /// The rule in force under `settings` (a caller's or an owner's scope).
    pub fn of(settings: &Settings) -> Rule {
        let strong = settings.system_on(USE_STRONG_PASSWORD);
        let floor = if strong { 8 } else { 6 };
        Rule {
            min: settings.scoped_int(PASSWORD_LENGTH, floor).max(floor) as usize,
            strong,
        }
    }

    /// Everything wrong with `pw`, in the rule's order.
    pub fn faults(&self, pw: &str) -> Vec<Fault> {
        let mut faults = Vec::new();
        if pw.trim().chars().count() < self.min {
            faults.push(Fault::Short(self.min));
        }
        if pw.chars().count() > MAX_CHARS {
            faults.push(Fault::Long);
        }
        let varied = pw.chars().any(char::is_uppercase)
            && pw.chars().any(char::is_lowercase)
            && pw.chars().any(|c| c.is_ascii_digit());
        if self.strong && !varied {
            faults.push(Fault::Weak);
        }
        faults
    }
}

/// What is wrong with a new password under the password settings, as an update words it.
pub fn problems(pw: &str, settings: &Settings) -> Vec<Problem> {
    Rule::of(settings)
        .faults(pw)
        .into_iter()
        .map(|f| match f {
            Fault::Short(n) => Problem::PasswordTooShort(n),
            Fault::Long => Problem::PasswordTooLong(MAX_CHARS),
            Fault::Weak => Problem::PasswordWeak,
        })
        .collect()
}

/// Whether `pw` is the password `stored` holds: an argon2 PHC string, or (imported MOR data)
/// 40 hex digits of the password's SHA1, compared in constant time. Anything else never
/// matches. Slow on purpose: the server goes through [`Pool`].
pub fn verify(pw: &str, stored: &str) -> bool {
    verify_in(pw, stored, &mut Vec::new())
}

/// [`verify`] in memory the caller keeps (used when the stored hash has the default
/// parameters, which is every hash morbox makes).
fn verify_in(pw: &str, stored: &str, memory: &mut Vec<argon2::Block>) -> bool {
    use argon2::password_hash::phc::PasswordHash;
    use subtle::ConstantTimeEq;
    if stored.len() == 40 && stored.bytes().all(|b| b.is_ascii_hexdigit()) {
        let mine = crate::auth::sha1_hex(pw, "");
        return bool::from(
            mine.as_bytes()
                .ct_eq(stored.to_ascii_lowercase().as_bytes()),
        );
    }
    let Ok(phc) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&phc.salt, &phc.hash) else {
        return false;
    };
    let Ok(params) = argon2::Params::try_from(&phc) else {
        return false;
    };
    let Ok(algorithm) = argon2::Algorithm::try_from(phc.algorithm.as_ref()) else {
        return false;
    };
    let version = phc
        .version
        .and_then(|v| argon2::Version::try_from(v).ok())
        .unwrap_or_default();
    let blocks = params.block_count();
    if memory.len() != blocks {
        // Other parameters than ours (imported data): memory of their size, this once.
        *memory = vec![argon2::Block::default(); blocks];
    }
    let mut out = vec![0u8; expected.len()];
    let argon = argon2::Argon2::new(algorithm, version, params);
    if argon
        .hash_password_into_with_memory(pw.as_bytes(), salt.as_ref(), &mut out, &mut memory[..])
        .is_err()
    {
        return false;
    }
    bool::from(out.as_slice().ct_eq(expected.as_bytes()))
}

/// A job for the pool: hash a new password, or check one against a stored hash.
enum Job {
    Hash(String, oneshot::Sender<Result<String, ApiError>>),
    Verify(String, String, oneshot::Sender<bool>),
}

/// A fixed set of hashing threads, one per core, fed by a bounded queue.
pub struct Pool {
    jobs: mpsc::Sender<Job>,
}

impl Pool {
    /// One hashing thread per core.
    pub fn new() -> Pool {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        Pool::with_threads(threads)
    }

    /// A pool of `threads` hashing threads.
    pub fn with_threads(threads: usize) -> Pool {
        let (tx, rx) = mpsc::channel::<Job>(1024);
        let rx = Arc::new(Mutex::new(rx));
        for _ in 0..threads.max(1) {
            let rx = Arc::clone(&rx);
            let spawned = std::thread::Builder::new()
                .name("morbox-passwords".into())
                .spawn(move || {
                    // Allocated on the first job and kept: memory stays one block per thread.
                    let mut mem = Vec::new();
                    loop {
                        // One thread waits on the queue; the others wait for the lock.
                        let job = match rx.lock() {
                            Ok(mut rx) => rx.blocking_recv(),
                            Err(_) => None,
                        };
                        let Some(job) = job else { return };
                        if mem.is_empty() {
                            mem = memory();
                        }
                        match job {
                            Job::Hash(pw, reply) => {
                                let _ = reply.send(hash_in(&pw, &mut mem).map_err(|e| {
                                    tracing::error!(error = %e, "password hashing failed");
                                    ApiError::Internal
                                }));
                            }
                            Job::Verify(pw, stored, reply) => {
                                let _ = reply.send(verify_in(&pw, &stored, &mut mem));
                            }
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password hashing thread");
            }
        }
        Pool { jobs: tx }
    }

    /// Hashes `pw` on the pool, waiting (without blocking a worker) for a free thread.
    pub async fn hash(&self, pw: String) -> Result<String, ApiError> {
        let (tx, rx) = oneshot::channel();
        self.jobs
            .send(Job::Hash(pw, tx))
            .await
            .map_err(|_| ApiError::Internal)?;
        rx.await.map_err(|_| ApiError::Internal)?
    }

    /// Whether `pw` matches `stored` ([`verify`]), on the pool.
    pub async fn verify(&self, pw: String, stored: String) -> Result<bool, ApiError> {
        let (tx, rx) = oneshot::channel();
        self.jobs
            .send(Job::Verify(pw, stored, tx))
            .await
            .map_err(|_| ApiError::Internal)?;
        rx.await.map_err(|_| ApiError::Internal)
    }
}

impl Default for Pool {
    fn default() -> Self {
        Pool::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordVerifier;
    use argon2::password_hash::phc::PasswordHash;

    #[test]
    fn verifies_its_own_hashes_and_imported_sha1_values() {
        let h = hash("Alice123").unwrap();
        assert!(verify("Alice123", &h));
        assert!(!verify("alice123", &h));
        let sha1 = crate::auth::sha1_hex("Alice123", "");
        assert!(verify("Alice123", &sha1));
        assert!(verify("Alice123", &sha1.to_uppercase()));
        assert!(!verify("Alice124", &sha1));
        for stored in ["", "Alice123", "$argon2id$nonsense", &sha1[..39]] {
            assert!(!verify("Alice123", stored), "{stored}");
        }
    }

    #[test]
    fn hashes_verify_and_carry_the_standard_parameters() {
        let mut mem = memory();
        let a = hash_in("GoodPass1", &mut mem).unwrap();
        let b = hash_in("GoodPass1", &mut mem).unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "a fresh salt each time");
        let argon = argon2::Argon2::default();
        for h in [&a, &b] {
            let parsed = PasswordHash::new(h).unwrap();
            assert!(argon.verify_password(b"GoodPass1", &parsed).is_ok());
            assert!(argon.verify_password(b"GoodPass2", &parsed).is_err());
        }
    }

    fn settings(rows: &[(&str, &str)]) -> Settings {
        Settings::from_rows(
            0,
            rows.iter().map(|(n, v)| (0, n.to_string(), v.to_string())),
        )
    }

    #[test]
    fn password_rules() {
        let plain = settings(&[]);
        assert_eq!(problems("abcdef", &plain), vec![]);
        assert_eq!(
            problems("abcde", &plain),
            vec![Problem::PasswordTooShort(6)]
        );
        let long = settings(&[(PASSWORD_LENGTH, "10")]);
        assert_eq!(
            problems("abcdefgh", &long),
            vec![Problem::PasswordTooShort(10)]
        );
        // The setting cannot go below 6.
        let low = settings(&[(PASSWORD_LENGTH, "2")]);
        assert_eq!(problems("abc", &low), vec![Problem::PasswordTooShort(6)]);
        let strong = settings(&[(USE_STRONG_PASSWORD, "1"), (PASSWORD_LENGTH, "6")]);
        assert_eq!(
            problems("abcdefg", &strong),
            vec![Problem::PasswordTooShort(8), Problem::PasswordWeak]
        );
        assert_eq!(problems("Abcdefg1", &strong), vec![]);
    }
}
