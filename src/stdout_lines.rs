//! Standard output as a line sink that stays off the request path.
//!
//! The application log (one JSON line per request) and the audit trail both go to standard output
//! in a container. Written from the request thread, every line is its own `write(2)` on a pipe,
//! under the stdout lock, and wakes the log collector: issue 13's profile showed these writes and
//! their formatting among the largest costs of a login that are not cryptography. Here one writer
//! thread takes whole lines from a bounded channel and hands them to standard output in batches
//! (a 64 KiB buffer, flushed whenever the channel is empty), so a quiet broker still writes each
//! line at once and a busy one writes many lines per system call.
//!
//! Lines are never dropped: when the channel is full (128,000 lines), writers wait — an audit
//! trail with silent gaps would be worse than a slower request. Standard output is one per
//! process, so the writer is too: [`install`] starts it once, and the [`crate::audit::StdoutSink`]
//! uses it when installed (tests, which never call [`install`], write directly). The integration
//! test `instances::a_login_crosses_two_broker_processes_on_one_redis` reads the JSON log and audit lines of real
//! broker processes through this writer: every line arrives whole.

use std::io::Write;
use std::sync::OnceLock;
use tracing_appender::non_blocking::{NonBlocking, NonBlockingBuilder, WorkerGuard};

/// Capacity of the writer's buffer: many lines per `write(2)` when the broker is busy.
const BUFFER: usize = 64 * 1024;

static WRITER: OnceLock<NonBlocking> = OnceLock::new();

/// Start the writer thread (first call only) and return the handle the tracing subscriber writes
/// through, with the guard that flushes what is queued when it is dropped — keep it until exit.
/// A second call returns `None`: the first writer stays the only one.
pub fn install() -> Option<(NonBlocking, WorkerGuard)> {
    if WRITER.get().is_some() {
        return None;
    }
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("stdout-lines")
        .finish(std::io::BufWriter::with_capacity(BUFFER, std::io::stdout()));
    WRITER.set(writer.clone()).ok()?;
    Some((writer, guard))
}

/// Write one line (a newline is appended) through the writer thread, or straight to standard
/// output when none is installed. Errors are returned, never panicked on.
pub fn write_line(line: &str) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(line.len() + 1);
    buf.extend_from_slice(line.as_bytes());
    buf.push(b'\n');
    match WRITER.get() {
        // One `write_all` = one message: a line is never split between batches.
        Some(w) => w.clone().write_all(&buf),
        None => std::io::stdout().lock().write_all(&buf),
    }
}
