//! The single writer: one thread owns the one connection that writes. Requests hand it jobs
//! over a channel; it runs every job that is waiting inside one `BEGIN IMMEDIATE` transaction,
//! each job in its own savepoint (so each keeps its all-or-nothing outcome), commits once, and
//! only then answers each job (group commit: one fsync for many acknowledged writes).

use super::Durability;
use crate::error::ApiError;
use rusqlite::Connection;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use tokio::sync::oneshot;

/// The most jobs one transaction takes, so that one commit never waits on an endless queue.
const MAX_BATCH: usize = 512;

trait Job: Send {
    /// Runs the job inside its savepoint; `true` when it wants its changes kept.
    fn run(&mut self, conn: &Connection) -> bool;
    /// Delivers the outcome once the transaction is over: `Ok` when it committed, else why not.
    fn finish(self: Box<Self>, committed: Result<(), ApiError>);
}

struct Pending<T, F> {
    work: Option<F>,
    result: Option<Result<T, ApiError>>,
    reply: oneshot::Sender<Result<T, ApiError>>,
}

impl<T, F> Job for Pending<T, F>
where
    T: Send,
    F: FnOnce(&Connection) -> Result<T, ApiError> + Send,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let Some(work) = self.work.take() else {
            return false;
        };
        let result = catch_unwind(AssertUnwindSafe(|| work(conn))).unwrap_or_else(|_| {
            tracing::error!("a write job panicked");
            Err(ApiError::Internal)
        });
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn finish(self: Box<Self>, committed: Result<(), ApiError>) {
        let result = match (self.result, committed) {
            (Some(Err(e)), _) => Err(e),
            (Some(Ok(v)), Ok(())) => Ok(v),
            (_, Err(e)) => Err(e),
            (None, Ok(())) => Err(ApiError::Internal),
        };
        // The requester may have gone away; then nobody is waiting for the answer.
        let _ = self.reply.send(result);
    }
}

/// What the writer thread is asked to do.
enum Msg {
    /// A request's write, batched with others.
    Job(Box<dyn Job>),
    /// Work that needs the connection to itself, outside any transaction (snapshot, reset).
    Exclusive(Box<dyn FnOnce(&mut Connection) + Send>),
}

/// The handle requests use to reach the writer thread.
pub struct Writer {
    tx: Mutex<Option<mpsc::Sender<Msg>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    commits: Arc<AtomicU64>,
}

impl Writer {
    /// Starts the writer thread on `conn`.
    pub fn start(
        conn: Connection,
        durability: Durability,
    ) -> Result<Writer, Box<dyn std::error::Error>> {
        conn.pragma_update(None, "synchronous", durability.pragma())?;
        let (tx, rx) = mpsc::channel::<Msg>();
        let commits = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&commits);
        let thread = std::thread::Builder::new()
            .name("morbox-writer".into())
            .spawn(move || run(conn, rx, &counter))?;
        Ok(Writer {
            tx: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
            commits,
        })
    }

    /// Runs `work` in the writer's transaction and answers after the commit that holds it. An
    /// `Err` from `work` rolls back everything it did.
    pub async fn write<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, ApiError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job = Box::new(Pending {
            work: Some(work),
            result: None,
            reply,
        });
        if !self.send(Msg::Job(job)) {
            return Err(ApiError::Internal);
        }
        answer.await.unwrap_or(Err(ApiError::Internal))
    }

    /// Runs `work` with the writer's connection to itself, between two batches: no request's
    /// write is in progress while it runs, and none starts before it ends.
    pub async fn exclusive<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, ApiError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let msg = Msg::Exclusive(Box::new(move |conn| {
            let _ = reply.send(work(conn));
        }));
        if !self.send(msg) {
            return Err(ApiError::Internal);
        }
        answer.await.unwrap_or(Err(ApiError::Internal))
    }

    fn send(&self, msg: Msg) -> bool {
        let sent = match self.tx.lock() {
            Ok(guard) => guard.as_ref().is_some_and(|tx| tx.send(msg).is_ok()),
            Err(_) => false,
        };
        if !sent {
            tracing::error!("the writer is stopped");
        }
        sent
    }

    /// How many transactions the writer has committed (for tests of batching).
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// Lets the queued jobs finish, then stops the thread (which checkpoints the WAL).
    pub fn stop(&self) {
        if let Ok(mut tx) = self.tx.lock() {
            tx.take();
        }
        let thread = self.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(t) = thread {
            let _ = t.join();
        }
    }
}

fn run(mut conn: Connection, rx: mpsc::Receiver<Msg>, commits: &AtomicU64) {
    let mut pending: Option<Msg> = None;
    loop {
        let first = match pending.take() {
            Some(m) => m,
            None => match rx.recv() {
                Ok(m) => m,
                Err(_) => break,
            },
        };
        let first = match first {
            Msg::Exclusive(work) => {
                work(&mut conn);
                continue;
            }
            Msg::Job(job) => job,
        };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(Msg::Job(job)) => batch.push(job),
                // An exclusive task waits for this batch to finish.
                Ok(other) => {
                    pending = Some(other);
                    break;
                }
                Err(_) => break,
            }
        }
        let committed = match run_batch(&conn, &mut batch) {
            Ok(()) => {
                commits.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Err(e) => {
                tracing::error!(error = %e, jobs = batch.len(), "write transaction failed");
                let _ = conn.execute_batch("ROLLBACK");
                Err(ApiError::from(e))
            }
        };
        for job in batch {
            job.finish(committed.clone());
        }
    }
    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())) {
        tracing::warn!(error = %e, "checkpoint at exit failed");
    }
}

fn run_batch(conn: &Connection, batch: &mut [Box<dyn Job>]) -> rusqlite::Result<()> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    for job in batch.iter_mut() {
        conn.execute_batch("SAVEPOINT job")?;
        if job.run(conn) {
            conn.execute_batch("RELEASE job")?;
        } else {
            conn.execute_batch("ROLLBACK TO job; RELEASE job")?;
        }
    }
    conn.execute_batch("COMMIT")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Durability, Store};
    use std::sync::mpsc as std_mpsc;

    /// N concurrent updates produce fewer than N commits, each still all or nothing: while the
    /// first job holds the writer, the others queue, and then share one transaction.
    #[test]
    fn concurrent_writes_share_commits_and_keep_their_own_outcome() {
        let dir = std::env::temp_dir().join(format!("morbox-writer-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("w.db");
        crate::store::init::create(&path, true, &[]).unwrap();
        let store = Store::open(&path, Durability::Full).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        const N: i64 = 50;
        let (release_tx, release_rx) = std_mpsc::channel::<()>();
        let outcomes = rt.block_on(async {
            let mut tasks = Vec::new();
            let st = Arc::clone(&store);
            tasks.push(tokio::spawn(async move {
                st.writer()
                    .write(move |conn| {
                        // Hold the writer until every other job is queued.
                        release_rx.recv().unwrap();
                        conn.execute("UPDATE users SET comment = 'first' WHERE id = 5", [])?;
                        Ok(0)
                    })
                    .await
            }));
            for i in 1..N {
                let st = Arc::clone(&store);
                tasks.push(tokio::spawn(async move {
                    st.writer()
                        .write(move |conn| {
                            conn.execute("UPDATE users SET call_limit = ?1 WHERE id = 6", [i])?;
                            // Every tenth job fails after writing: its write must not survive.
                            if i % 10 == 0 {
                                conn.execute("UPDATE users SET comment = 'lost' WHERE id = 6", [])?;
                                return Err(ApiError::TariffNotFound);
                            }
                            Ok(i)
                        })
                        .await
                }));
            }
            // On this one-thread runtime each yield lets every spawned task run once: after
            // a few, every job has been sent and waits behind the first.
            for _ in 0..10 {
                tokio::task::yield_now().await;
            }
            release_tx.send(()).unwrap();
            let mut out = Vec::new();
            for t in tasks {
                out.push(t.await.unwrap());
            }
            out
        });
        let oks = outcomes.iter().filter(|o| o.is_ok()).count() as i64;
        assert_eq!(oks, N - (N - 1) / 10, "{outcomes:?}");
        assert!(outcomes.contains(&Err(ApiError::TariffNotFound)));
        let commits = store.writer().commits();
        assert!(commits <= 3, "{commits} commits for {N} writes");
        let conn = crate::store::open_connection(&path).unwrap();
        let (limit, comment): (i64, String) = conn
            .query_row(
                "SELECT call_limit, comment FROM users WHERE id = 6",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(limit, N - 1);
        assert_ne!(comment, "lost");
        store.close();
        let _ = std::fs::remove_dir_all(dir);
    }
}
