//! The real binary as a child process: `serve` with a configuration file, JSON logs on stdout read
//! as they come, the addresses bound on port 0 learnt from the log lines. Killed when dropped.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_buergerkonto");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A running `buergerkonto serve`.
pub struct Process {
    child: Child,
    lines: Receiver<String>,
    /// Every stdout line read so far.
    pub seen: Vec<String>,
}

impl Process {
    /// Start `serve --config path` with `env`.
    pub fn serve(path: &Path, env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(BIN)
            .args(["serve", "--config", path.to_str().unwrap()])
            .current_dir(ROOT)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Wait for the JSON log line whose message is `message`; return its field `field`.
    pub fn field_of(&mut self, message: &str, field: &str) -> String {
        loop {
            let Ok(line) = self.lines.recv_timeout(Duration::from_secs(30)) else {
                let _ = self.child.kill();
                panic!("no log line {message:?}; stdout so far:\n{}", self.seen.join("\n"));
            };
            self.seen.push(line.clone());
            let log: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
            if log["fields"]["message"] == message {
                return log["fields"][field].as_str().unwrap_or_default().to_owned();
            }
        }
    }

    /// The process id (for signals).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Wait (up to 30 s) until a line satisfying `found` has arrived, looking at the lines seen so
    /// far first. Log and audit lines are written by the broker's writer thread
    /// (`src/stdout_lines.rs`), so a line may follow the HTTP response it belongs to.
    pub fn wait_for(&mut self, what: &str, found: impl Fn(&str) -> bool) {
        if self.drain().iter().any(|l| found(l)) {
            return;
        }
        loop {
            let Ok(line) = self.lines.recv_timeout(Duration::from_secs(30)) else {
                let _ = self.child.kill();
                panic!("no line {what}; stdout so far:\n{}", self.seen.join("\n"));
            };
            self.seen.push(line.clone());
            if found(&line) {
                return;
            }
        }
    }

    /// Every line that arrived by now (audit lines included).
    pub fn drain(&mut self) -> &[String] {
        while let Ok(line) = self.lines.try_recv() {
            self.seen.push(line);
        }
        &self.seen
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
