//! Where log lines go, and the access log's line. Every line, tracing's events and the access
//! log alike, is appended to one buffer that is written to stderr when it holds
//! [`FLUSH_AT`] bytes, every [`FLUSH_EVERY`] (a background thread), at once after a warning or
//! an error, and at exit — nginx's `access_log … buffer= flush=`. One `write` per 32 KiB
//! instead of one per request; the order of lines is kept. On a graceful stop nothing is lost;
//! a crash (SIGKILL, abort) loses at most the last [`FLUSH_EVERY`] of lines.
//!
//! The access line is formatted here by hand in tracing-subscriber's own text layout (a unit
//! test holds the two together), since formatting it through tracing's machinery cost more
//! than the rest of a read's answer; JSON logs and a terminal's colours still go through
//! tracing.

use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tracing::Level;

/// Lines are written once this many bytes wait.
pub const FLUSH_AT: usize = 32 * 1024;

/// The longest a line waits in the buffer.
pub const FLUSH_EVERY: Duration = Duration::from_millis(100);

/// The buffered lines, and the lock that keeps whole buffers in order on their way out.
struct Sink {
    lines: Mutex<Vec<u8>>,
    writing: Mutex<Vec<u8>>,
}

static SINK: Sink = Sink {
    lines: Mutex::new(Vec::new()),
    writing: Mutex::new(Vec::new()),
};

/// Whether access lines are formatted here (plain text) rather than through tracing.
static PLAIN_TEXT: AtomicBool = AtomicBool::new(false);

/// Appends whole lines; writes them out when the buffer is full or `now` is set.
pub fn append(bytes: &[u8], now: bool) {
    let full = match SINK.lines.lock() {
        Ok(mut lines) => {
            lines.extend_from_slice(bytes);
            lines.len() >= FLUSH_AT
        }
        Err(_) => {
            let _ = std::io::stderr().write_all(bytes);
            false
        }
    };
    if full || now {
        flush();
    }
}

/// Writes out whatever waits. The buffer's lock is held only to swap it for an empty one, so
/// requests never wait for stderr; the second lock keeps two flushes in order.
pub fn flush() {
    let Ok(mut out) = SINK.writing.lock() else {
        return;
    };
    if let Ok(mut lines) = SINK.lines.lock() {
        if lines.is_empty() {
            return;
        }
        std::mem::swap(&mut *lines, &mut *out);
    }
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(&out);
    let _ = err.flush();
    out.clear();
}

/// Starts the thread that writes out waiting lines every [`FLUSH_EVERY`], and says whether
/// access lines are plain text (formatted here) or go through tracing (JSON, colours).
pub fn start(plain_text: bool) {
    PLAIN_TEXT.store(plain_text, Ordering::Relaxed);
    let _ = std::thread::Builder::new()
        .name("log-flush".into())
        .spawn(|| {
            loop {
                std::thread::sleep(FLUSH_EVERY);
                flush();
            }
        });
    // A panic's message goes to stderr directly: the lines before it go first.
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        flush();
        default(info);
    }));
}

/// tracing-subscriber's writer: into the buffer, written out at once for warnings and errors.
#[derive(Clone, Copy, Default)]
pub struct Buffered;

/// One event's writer (tracing-subscriber formats a whole line, then writes it once).
pub struct LineWriter {
    urgent: bool,
}

impl Write for LineWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        append(buf, self.urgent);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buffered {
    type Writer = LineWriter;

    fn make_writer(&'a self) -> LineWriter {
        LineWriter { urgent: false }
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> LineWriter {
        LineWriter {
            urgent: *meta.level() <= Level::WARN,
        }
    }
}

/// One answered request, as the access log shows it.
pub struct Access<'a> {
    /// The HTTP method.
    pub method: &'a str,
    /// The path, a credential in it masked.
    pub path: &'a str,
    /// The call's name, or `-`.
    pub call: &'a str,
    /// The caller's id, once known.
    pub caller: Option<i64>,
    /// `ok`, or the error's text.
    pub outcome: &'a dyn std::fmt::Display,
    /// The HTTP status.
    pub status: u16,
    /// Microseconds from the head read to the answer.
    pub us: u64,
}

thread_local! {
    /// This thread's line being formatted (reused: no allocation per request).
    static LINE: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(Vec::with_capacity(256));
}

/// Logs one answered request at INFO, target `morbox::router`, unless that level is off.
pub fn access(a: &Access<'_>) {
    if !tracing::enabled!(target: "morbox::router", Level::INFO) {
        return;
    }
    if !PLAIN_TEXT.load(Ordering::Relaxed) {
        through_tracing(a);
        return;
    }
    LINE.with(|cell| {
        let Ok(mut line) = cell.try_borrow_mut() else {
            return;
        };
        line.clear();
        timestamp(&mut line, SystemTime::now());
        format_access(&mut line, a);
        append(&line, false);
    });
}

/// The access line as a tracing event (JSON logs, a terminal's colours; and the reference the
/// hand-formatted line is tested against).
fn through_tracing(a: &Access<'_>) {
    let caller = a.caller.map_or_else(|| "-".to_string(), |c| c.to_string());
    tracing::info!(
        target: "morbox::router",
        method = %a.method,
        path = %a.path,
        call = a.call,
        caller = caller,
        outcome = %a.outcome,
        status = a.status,
        us = a.us,
        "request"
    );
}

/// The line after its timestamp, as tracing-subscriber's default format writes the event
/// (`Display` fields bare, `&str` and `String` fields quoted as `Debug` does).
fn format_access(line: &mut Vec<u8>, a: &Access<'_>) {
    let mut digits = crate::numbers::Digits::default();
    line.extend_from_slice(b"  INFO morbox::router: request method=");
    line.extend_from_slice(a.method.as_bytes());
    line.extend_from_slice(b" path=");
    line.extend_from_slice(a.path.as_bytes());
    line.extend_from_slice(b" call=");
    debug_str(line, a.call);
    line.extend_from_slice(b" caller=");
    match a.caller {
        Some(c) => {
            line.push(b'"');
            line.extend_from_slice(digits.of(c).as_bytes());
            line.push(b'"');
        }
        None => line.extend_from_slice(b"\"-\""),
    }
    line.extend_from_slice(b" outcome=");
    let _ = write!(line, "{}", a.outcome);
    line.extend_from_slice(b" status=");
    line.extend_from_slice(digits.of(i64::from(a.status)).as_bytes());
    line.extend_from_slice(b" us=");
    line.extend_from_slice(digits.of(a.us.min(i64::MAX as u64) as i64).as_bytes());
    line.push(b'\n');
}

/// A string as `Debug` shows it: quoted, plain ASCII as is, anything else through `Debug`.
fn debug_str(line: &mut Vec<u8>, s: &str) {
    if s.bytes()
        .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\' || b == b' ')
    {
        line.push(b'"');
        line.extend_from_slice(s.as_bytes());
        line.push(b'"');
    } else {
        let _ = write!(line, "{s:?}");
    }
}

/// `2026-12-04T20:31:00.958074Z`, as tracing-subscriber's `SystemTime` timer writes it.
fn timestamp(line: &mut Vec<u8>, now: SystemTime) {
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let [y, mo, d, h, mi, s] = crate::dates::utc_fields(since.as_secs());
    let two = |line: &mut Vec<u8>, v: u64, after: &[u8]| {
        line.push(b'0' + (v / 10 % 10) as u8);
        line.push(b'0' + (v % 10) as u8);
        line.extend_from_slice(after);
    };
    two(line, y / 100, b"");
    two(line, y % 100, b"-");
    two(line, mo, b"-");
    two(line, d, b"T");
    two(line, h, b":");
    two(line, mi, b":");
    two(line, s, b".");
    let micros = since.subsec_micros();
    for div in [100_000, 10_000, 1_000, 100, 10, 1] {
        line.push(b'0' + (micros / div % 10) as u8);
    }
    line.push(b'Z');
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex as StdMutex};

    /// Captures what tracing-subscriber writes.
    #[derive(Clone, Default)]
    struct Capture(Arc<StdMutex<Vec<u8>>>);

    impl Write for Capture {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The same event through tracing-subscriber's default text format, time left out.
    fn by_tracing(a: &Access<'_>) -> String {
        let cap = Capture::default();
        let out = cap.clone();
        let sub = tracing_subscriber::fmt()
            .with_ansi(false)
            .without_time()
            .with_writer(move || out.clone())
            .finish();
        tracing::subscriber::with_default(sub, || through_tracing(a));
        String::from_utf8(cap.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn the_access_line_is_tracings_own_layout() {
        for (path, call, caller, outcome, status) in [
            (
                "/api/user_details_get",
                "user_details_get",
                Some(0),
                "ok",
                200,
            ),
            (
                "/billing/api/simple_balance/***",
                "user_simple_balance_get",
                None,
                "User was not found",
                200,
            ),
            ("/nope", "-", Some(-3), "Unknown method", 404),
            (
                "/api/x",
                "with \"quote\" and é",
                Some(12),
                "Incorrect hash",
                200,
            ),
        ] {
            let a = Access {
                method: "POST",
                path,
                call,
                caller,
                outcome: &outcome,
                status,
                us: 1241,
            };
            let mut ours = Vec::new();
            format_access(&mut ours, &a);
            let ours = String::from_utf8(ours).unwrap();
            // tracing pads the level to five and puts one blank after the (absent) time.
            assert_eq!(format!(" {}", by_tracing(&a)), ours);
        }
    }

    #[test]
    fn timestamps_as_tracing_writes_them() {
        let t = UNIX_EPOCH + Duration::new(1_796_416_260, 958_074_000);
        let mut line = Vec::new();
        timestamp(&mut line, t);
        assert_eq!(
            String::from_utf8(line).unwrap(),
            "2026-12-04T20:31:00.958074Z"
        );
        let mut line = Vec::new();
        timestamp(&mut line, UNIX_EPOCH + Duration::new(0, 5_000));
        assert_eq!(
            String::from_utf8(line).unwrap(),
            "1970-01-01T00:00:00.000005Z"
        );
    }
}
