//! Audit sinks: standard output, a file reopened on demand (SIGHUP after logrotate moved it),
//! memory (tests), nothing. A write failure is logged, never a panic: a full disk must not take
//! logins down with it, and the application log says the trail has a gap.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Where finished lines go. One line per call, without the newline.
pub trait AuditSink: Send + Sync {
    /// Append one line.
    fn write_line(&self, line: &str);
    /// Reopen an underlying file (no-op elsewhere).
    fn reopen(&self) {}
}

/// Standard output, one line each (a container's log driver collects it), through the batching
/// writer thread when the binary installed one ([`crate::stdout_lines`]).
#[derive(Debug, Default)]
pub struct StdoutSink;

impl AuditSink for StdoutSink {
    fn write_line(&self, line: &str) {
        if let Err(e) = crate::stdout_lines::write_line(line) {
            tracing::error!(error = %e, "audit line lost: stdout not writable");
        }
    }
}

/// An append-only file, reopened by [`AuditSink::reopen`] so that logrotate can move it away
/// (`postrotate kill -HUP`), with no lines lost to the old inode after the reopen.
#[derive(Debug)]
pub struct FileSink {
    path: PathBuf,
    file: Mutex<std::fs::File>,
}

fn open_append(path: &Path) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o640);
    }
    opts.open(path)
}

impl FileSink {
    /// Open (create) `path` for appending.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        Ok(Self {
            path: path.to_owned(),
            file: Mutex::new(open_append(path)?),
        })
    }
}

impl AuditSink for FileSink {
    fn write_line(&self, line: &str) {
        let Ok(mut file) = self.file.lock() else {
            tracing::error!("audit line lost: file lock poisoned");
            return;
        };
        if let Err(e) = writeln!(file, "{line}") {
            tracing::error!(error = %e, path = %self.path.display(), "audit line lost: write failed");
        }
    }

    fn reopen(&self) {
        match open_append(&self.path) {
            Ok(new) => {
                if let Ok(mut file) = self.file.lock() {
                    *file = new;
                    tracing::info!(path = %self.path.display(), "audit file reopened");
                }
            }
            Err(e) => {
                tracing::error!(error = %e, path = %self.path.display(), "audit file could not be reopened; still writing to the old one")
            }
        }
    }
}

/// Lines kept in memory (tests read them back).
#[derive(Debug, Default, Clone)]
pub struct MemorySink {
    lines: Arc<Mutex<Vec<String>>>,
}

impl MemorySink {
    /// Every line so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl AuditSink for MemorySink {
    fn write_line(&self, line: &str) {
        if let Ok(mut l) = self.lines.lock() {
            l.push(line.to_owned());
        }
    }
}

/// Nothing.
#[derive(Debug)]
pub(super) struct Discard;

impl AuditSink for Discard {
    fn write_line(&self, _line: &str) {}
}
