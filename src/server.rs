//! The accept loop: connection limits, timeouts and graceful shutdown. It knows no endpoint;
//! every request goes to [`crate::router::respond`].

use crate::repoll::Repoll;
use crate::router::{self, App};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::collections::HashMap;
use std::future::Future;
use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// The connection limits a server runs with (the body limits live in [`crate::router::App`]).
#[derive(Debug, Clone)]
pub struct Limits {
    /// How long a client may take to send a request's headers (also the idle keep-alive limit).
    pub header_timeout: Duration,
    /// The most headers a request may have.
    pub max_headers: usize,
    /// The most bytes a request's line and headers may take.
    pub max_header_bytes: usize,
    /// The most connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// The most connections one client address may hold open; more are closed at once, so
    /// that one client cannot take every slot.
    pub max_connections_per_address: usize,
    /// How long a new connection may stay silent before its first byte; then it is closed.
    pub first_byte_timeout: Duration,
    /// How long shutdown waits for requests in flight.
    pub grace: Duration,
    /// How long a write to a client may make no progress (a client that stops reading an
    /// answer); then the connection is closed and what it held is freed.
    pub write_timeout: Duration,
}

/// Binds `listen`, prints the ready line, and serves until `shutdown` completes; then stops
/// accepting and lets requests in flight finish (up to the grace period).
pub async fn serve(
    app: Arc<App>,
    listen: SocketAddr,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let listener = TcpListener::bind(listen).await?;
    let local = listener.local_addr()?;
    {
        // The one line a harness reads to learn the port.
        let mut out = std::io::stdout().lock();
        writeln!(out, "morbox listening on http://{local}")?;
        out.flush()?;
    }
    tracing::info!(%local, "listening");

    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let per_address = PerAddress::new(limits.max_connections_per_address);
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_headers(limits.max_headers)
        .max_buf_size(limits.max_header_bytes.max(8192));
    tokio::pin!(shutdown);

    loop {
        let permit = tokio::select! {
            p = Arc::clone(&permits).acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let ip = peer.ip();
        let Some(held) = per_address.take(ip) else {
            tracing::debug!(%peer, "connection refused: too many open from this address");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = Arc::clone(&app);
        let service = service_fn(move |req| {
            let app = Arc::clone(&app);
            async move { Ok::<_, std::convert::Infallible>(router::respond(app, req, ip).await) }
        });
        let watcher = graceful.watcher();
        let builder = builder.clone();
        let first_byte = limits.first_byte_timeout;
        let write_timeout = limits.write_timeout;
        tokio::spawn(async move {
            // A connection that says nothing is closed early, rather than holding its slot
            // for the whole header timeout.
            let mut first = [0u8; 1];
            if tokio::time::timeout(first_byte, stream.peek(&mut first))
                .await
                .is_err()
            {
                tracing::debug!(%peer, "connection closed: no first byte in time");
            } else {
                let io = TokioIo::new(WriteTimeout::new(stream, write_timeout));
                let conn = watcher.watch(builder.serve_connection(io, service));
                tokio::pin!(conn);
                // hyper's body channel wakes the connection on every request with a body.
                if let Err(e) = Repoll::new(conn.as_mut()).await {
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                }
            }
            drop(held);
            drop(permit);
        });
    }

    drop(listener);
    tracing::info!("shutting down: no new connections; finishing the requests in flight");
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.grace) => {
            tracing::warn!("grace period over; closing the remaining connections");
        }
    }
    Ok(())
}

/// A stream whose writes fail with `TimedOut` once one has made no progress for the limit:
/// a client that stops reading cannot hold an answer (and its memory) for ever. Reads and
/// writes that make progress pay one branch.
pub struct WriteTimeout<S> {
    inner: S,
    limit: Duration,
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<S> WriteTimeout<S> {
    /// `inner` with writes bounded by `limit`.
    pub fn new(inner: S, limit: Duration) -> WriteTimeout<S> {
        WriteTimeout {
            inner,
            limit,
            stalled: None,
        }
    }

    /// What a write that returned `r` means: progress clears the timer, a stall starts it (or
    /// fails once it has run out).
    fn watch<T>(&mut self, cx: &mut Context<'_>, r: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        match r {
            Poll::Pending => {
                let limit = self.limit;
                let timer = self
                    .stalled
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
                match timer.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the client read nothing within the write timeout",
                    ))),
                    Poll::Pending => Poll::Pending,
                }
            }
            ready => {
                self.stalled = None;
                ready
            }
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteTimeout<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WriteTimeout<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.watch(cx, r)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.watch(cx, r)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let r = Pin::new(&mut self.inner).poll_flush(cx);
        self.watch(cx, r)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let r = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.watch(cx, r)
    }
}

/// Open connections per client address, with a cap.
struct PerAddress {
    cap: usize,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One open connection's place in [`PerAddress`]; given back when dropped.
struct Held {
    ip: IpAddr,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl PerAddress {
    fn new(cap: usize) -> PerAddress {
        PerAddress {
            cap: cap.max(1),
            open: Arc::default(),
        }
    }

    /// A place for one more connection from `ip`, unless it already holds the cap.
    fn take(&self, ip: IpAddr) -> Option<Held> {
        let mut open = self.open.lock().ok()?;
        let n = open.entry(ip).or_insert(0);
        if *n >= self.cap {
            return None;
        }
        *n += 1;
        Some(Held {
            ip,
            open: Arc::clone(&self.open),
        })
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Ok(mut open) = self.open.lock()
            && let Some(n) = open.get_mut(&self.ip)
        {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        // Without signal handlers the process still stops on the default action.
        std::future::pending::<()>().await;
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn a_write_nobody_reads_fails_after_the_limit_and_progress_resets_it() {
        // A peer that never reads: the pipe takes 64 bytes, then every write waits.
        let (near, mut far) = tokio::io::duplex(64);
        let mut w = WriteTimeout::new(near, Duration::from_millis(100));
        let started = std::time::Instant::now();
        let err = w.write_all(&[0u8; 4096]).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() >= Duration::from_millis(100));
        // A peer that reads, however slowly within the limit, is never cut off: each write
        // that makes progress starts the clock again.
        let (near, far2) = tokio::io::duplex(64);
        let mut w = WriteTimeout::new(near, Duration::from_millis(100));
        let reader = tokio::spawn(async move {
            let mut far2 = far2;
            let mut got = 0;
            let mut buf = [0u8; 64];
            while got < 640 {
                tokio::time::sleep(Duration::from_millis(30)).await;
                got += far2.read(&mut buf).await.unwrap();
            }
            got
        });
        w.write_all(&[1u8; 640]).await.unwrap();
        assert_eq!(reader.await.unwrap(), 640);
        // The first pipe's peer is still there: it was the write that gave up.
        let mut first = [0u8; 8];
        assert_eq!(far.read(&mut first).await.unwrap(), 8);
    }
}
