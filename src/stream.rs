//! Answers sent while they are written (the design card's streaming XML). A read whose answer
//! may be long (a month of everyone's calls) runs on a thread of its own, one of
//! [`SLOTS`] at most, and hands its document over a piece at a time ([`Pieces`]) through a
//! queue [`AHEAD`] pieces deep; the response body ([`AnswerBody`]) takes them as the client
//! reads. So the memory an answer holds is the queue, whatever its length: a client that reads
//! slowly stops the read at a full queue (and the server's write timeout ends a client that
//! stops reading), and a client that goes away drops the queue, so the read ends at its next
//! piece, and its read transaction with it.
//!
//! An answer that never fills a piece is sent whole, with its length; an error before the
//! first piece is answered as any error is. Once a piece has gone, the status is sent: an error
//! after it cuts the connection, so the client never takes a cut document for a whole one.

use crate::error::ApiError;
use crate::xml::Doc;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::{Body, Frame, SizeHint};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::sync::{Semaphore, mpsc, oneshot};

/// The size of a piece: a document is handed over once this much of it is written.
pub const PIECE: usize = 64 * 1024;

/// How many pieces wait for the client at most.
const AHEAD: usize = 4;

/// How many long reads run at once; more wait for a slot. Two per core: a long read is mostly
/// work, and each thread keeps a connection and its page cache.
pub const SLOTS: usize = 4;

/// What a long read hands over after its first piece: a piece, or word that it failed.
type Next = Result<Bytes, Broken>;

/// What a long read tells the request first: its answer whole (`false`) or its first piece
/// (`true`), or its error.
type First = Result<(Vec<u8>, bool), ApiError>;

/// The long reads' slots.
pub struct Streams {
    slots: Arc<Semaphore>,
}

impl Default for Streams {
    fn default() -> Self {
        Streams {
            slots: Arc::new(Semaphore::new(SLOTS)),
        }
    }
}

/// An answer's first bytes, and, when it goes on, the rest.
pub struct Started {
    /// The whole answer, or its first piece.
    pub first: Vec<u8>,
    /// The pieces after the first (`None`: `first` is the whole answer).
    pub rest: Option<Rest>,
}

/// The pieces of an answer after its first, as the read hands them over.
pub struct Rest(mpsc::Receiver<Next>);

impl std::fmt::Debug for Rest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Rest")
    }
}

/// Where a long read hands its document over.
pub struct Pieces {
    mode: Mode,
}

enum Mode {
    /// On the request's own thread, for an answer that fits in one piece: the read gives up
    /// as soon as it would not ([`Pieces::gave_up`]), and runs again on a thread of its own.
    Trial { gave_up: bool },
    /// On a thread of its own, sent as it is written.
    Live {
        /// Taken by the first piece: the request waits on it.
        first: Option<oneshot::Sender<First>>,
        rest: mpsc::Sender<Next>,
    },
}

impl Pieces {
    /// For a first try on the request's thread: the answer must fit in one piece.
    pub fn trial() -> Pieces {
        Pieces {
            mode: Mode::Trial { gave_up: false },
        }
    }

    /// Whether this is a first try, which gives up on a long answer: a read may then bound
    /// what it does before it knows (count no further than a piece's worth of rows).
    pub fn trying(&self) -> bool {
        matches!(self.mode, Mode::Trial { .. })
    }

    /// Whether a first try gave up: the answer is long, and is to be read again, sent as it
    /// is written ([`Streams::run`]).
    pub fn gave_up(&self) -> bool {
        matches!(self.mode, Mode::Trial { gave_up: true })
    }

    /// On a first try, gives up: the error the read returns at once.
    pub fn give_up(&mut self) -> ApiError {
        if let Mode::Trial { gave_up } = &mut self.mode {
            *gave_up = true;
        }
        ApiError::Internal
    }

    /// Hands over what `doc` holds once it is a piece's worth. `Err` when the client went
    /// away (the read stops there), or on a first try (the answer is long).
    pub fn offer(&mut self, doc: &mut Doc) -> Result<(), ApiError> {
        if self.trying() {
            return match doc.len() >= PIECE {
                true => Err(self.give_up()),
                false => Ok(()),
            };
        }
        match doc.spill(PIECE) {
            Some(piece) => self.send(piece),
            None => Ok(()),
        }
    }

    /// Hands over what `doc` holds now, however little (the head of a long answer, so that
    /// the client has it while the rest is read); a first try gives up here.
    pub fn flush(&mut self, doc: &mut Doc) -> Result<(), ApiError> {
        if self.trying() {
            return Err(self.give_up());
        }
        match doc.spill(1) {
            Some(piece) => self.send(piece),
            None => Ok(()),
        }
    }

    fn send(&mut self, piece: Vec<u8>) -> Result<(), ApiError> {
        let Mode::Live { first, rest } = &mut self.mode else {
            return Err(self.give_up());
        };
        let sent = match first.take() {
            Some(first) => first.send(Ok((piece, true))).is_ok(),
            None => rest.blocking_send(Ok(Bytes::from(piece))).is_ok(),
        };
        if sent {
            Ok(())
        } else {
            tracing::debug!("the client went away before the answer was whole");
            Err(ApiError::Internal)
        }
    }
}

impl Streams {
    /// Runs `read` on a thread of its own once a slot is free, and returns as soon as it
    /// has handed over its first piece or finished: its answer whole, its first piece and
    /// the rest to come, or its error.
    pub async fn run<F>(&self, read: F) -> Result<Started, ApiError>
    where
        F: FnOnce(&mut Pieces) -> Result<Vec<u8>, ApiError> + Send + 'static,
    {
        let slot = Arc::clone(&self.slots)
            .acquire_owned()
            .await
            .map_err(|_| ApiError::Internal)?;
        let (first_tx, first_rx) = oneshot::channel();
        let (tx, rx) = mpsc::channel(AHEAD);
        tokio::task::spawn_blocking(move || {
            let mut pieces = Pieces {
                mode: Mode::Live {
                    first: Some(first_tx),
                    rest: tx,
                },
            };
            let result = read(&mut pieces);
            let Mode::Live { first, rest } = &mut pieces.mode else {
                return;
            };
            match (first.take(), result) {
                (Some(first), result) => {
                    let _ = first.send(result.map(|whole| (whole, false)));
                }
                (None, Ok(last)) => {
                    let _ = rest.blocking_send(Ok(Bytes::from(last)));
                }
                (None, Err(e)) => {
                    tracing::warn!(error = %e, "an answer failed after its first piece");
                    let _ = rest.blocking_send(Err(Broken));
                }
            }
            // The slot is free once the read (and its transaction) has ended.
            drop(slot);
        });
        match first_rx.await {
            Ok(Ok((first, more))) => Ok(Started {
                first,
                rest: more.then_some(Rest(rx)),
            }),
            Ok(Err(e)) => Err(e),
            // The read panicked: logged by the runtime.
            Err(_) => Err(ApiError::Internal),
        }
    }
}

/// Why an answer was cut: its read failed after its first piece was sent.
#[derive(Debug)]
pub struct Broken;

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the answer could not be finished")
    }
}

impl std::error::Error for Broken {}

/// A response body: a whole answer (sent with its length), or one sent as it is written.
pub enum AnswerBody {
    /// All of it, now.
    Whole(Full<Bytes>),
    /// Its first piece, then the rest as the read hands it over.
    Streamed {
        /// Not yet sent.
        first: Option<Bytes>,
        /// The rest.
        rest: mpsc::Receiver<Next>,
    },
}

impl AnswerBody {
    /// `first`, then the pieces of `rest`.
    pub fn streamed(first: Bytes, rest: Rest) -> AnswerBody {
        AnswerBody::Streamed {
            first: Some(first),
            rest: rest.0,
        }
    }
}

impl From<Full<Bytes>> for AnswerBody {
    fn from(full: Full<Bytes>) -> AnswerBody {
        AnswerBody::Whole(full)
    }
}

impl Body for AnswerBody {
    type Data = Bytes;
    type Error = Broken;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Broken>>> {
        match self.get_mut() {
            AnswerBody::Whole(full) => Pin::new(full)
                .poll_frame(cx)
                .map_err(|never| match never {}),
            AnswerBody::Streamed { first, rest } => match first.take() {
                Some(bytes) => Poll::Ready(Some(Ok(Frame::data(bytes)))),
                None => rest
                    .poll_recv(cx)
                    .map(|next| next.map(|piece| piece.map(Frame::data))),
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            AnswerBody::Whole(full) => full.is_end_stream(),
            AnswerBody::Streamed { .. } => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            AnswerBody::Whole(full) => full.size_hint(),
            AnswerBody::Streamed { .. } => SizeHint::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap()
    }

    /// A document of `rows` rows, offered after each.
    fn rows(pieces: &mut Pieces, rows: usize) -> Result<Vec<u8>, ApiError> {
        let mut d = Doc::new();
        d.open("page");
        for i in 0..rows {
            d.leaf_int("row", i as i64);
            pieces.offer(&mut d)?;
        }
        d.close();
        d.finish()
    }

    #[test]
    fn a_short_answer_is_whole_and_a_long_one_comes_in_pieces_that_make_the_document() {
        let rt = rt();
        let streams = Streams::default();
        let short = rt.block_on(streams.run(|p| rows(p, 3))).unwrap();
        assert!(short.rest.is_none());
        let mut whole = Doc::new();
        whole.open("page");
        for i in 0..100_000 {
            whole.leaf_int("row", i);
        }
        whole.close();
        let whole = whole.finish().unwrap();
        let long = rt.block_on(streams.run(|p| rows(p, 100_000))).unwrap();
        let rest = long.rest.expect("more than a piece");
        assert!(long.first.len() >= PIECE && long.first.len() < whole.len());
        let body = AnswerBody::streamed(Bytes::from(long.first), rest);
        let got = rt.block_on(body.collect()).unwrap().to_bytes();
        assert_eq!(got.as_ref(), whole.as_slice());
    }

    #[test]
    fn a_client_gone_stops_the_read_and_frees_its_slot() {
        let rt = rt();
        let streams = Streams::default();
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        let started = rt
            .block_on(streams.run(move |p| {
                let r = rows(p, 10_000_000);
                let _ = done_tx.send(r.is_err());
                r
            }))
            .unwrap();
        // The client takes the first piece and goes.
        drop(started);
        let stopped = done_rx
            .recv_timeout(std::time::Duration::from_secs(20))
            .unwrap();
        assert!(stopped, "the read ended early, with an error");
        // Every slot is free again: SLOTS more reads start at once.
        for _ in 0..SLOTS {
            let s = rt.block_on(streams.run(|p| rows(p, 1))).unwrap();
            assert!(s.rest.is_none());
        }
        // (each frees its slot just after its answer is handed over)
        let freed = std::time::Instant::now();
        while streams.slots.available_permits() < SLOTS {
            assert!(freed.elapsed() < std::time::Duration::from_secs(5));
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    #[test]
    fn a_first_try_keeps_a_short_answer_and_gives_up_on_a_long_one() {
        let mut short = Pieces::trial();
        assert!(rows(&mut short, 3).is_ok() && !short.gave_up());
        let mut long = Pieces::trial();
        assert!(rows(&mut long, 100_000).is_err() && long.gave_up());
        let mut flushed = Pieces::trial();
        let mut d = Doc::new();
        assert!(flushed.flush(&mut d).is_err() && flushed.gave_up());
    }

    #[test]
    fn an_error_before_the_first_piece_is_the_answer_and_after_it_cuts_the_body() {
        let rt = rt();
        let streams = Streams::default();
        let early = rt.block_on(streams.run(|_| Err(ApiError::UserNotFound)));
        assert_eq!(early.err(), Some(ApiError::UserNotFound));
        let late = rt
            .block_on(streams.run(|p| {
                rows(p, 100_000)?;
                Err(ApiError::Internal)
            }))
            .unwrap();
        let body = AnswerBody::streamed(Bytes::from(late.first), late.rest.unwrap());
        assert!(rt.block_on(body.collect()).is_err());
    }
}
