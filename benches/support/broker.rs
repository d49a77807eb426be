//! One release broker process (`buergerkonto serve`, the binary `cargo bench` builds with the bench
//! profile) with a configuration derived from config/dev.toml, and its CPU time and resident
//! memory read from `/proc/<pid>`: the load generator runs in another process, so the broker's
//! `utime + stime` is exactly the broker's work (proc(5), `/proc/<pid>/stat` fields 14 and 15).

use super::idp::Idp;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The broker binary, built by `cargo bench` with the bench (release) profile.
pub const BIN: &str = env!("CARGO_BIN_EXE_buergerkonto");

/// The binary to run: [`BIN`], or `BK_BROKER_BIN` (an A/B run against a build of another commit;
/// it must understand this commit's config/dev.toml).
pub fn bin() -> String {
    std::env::var("BK_BROKER_BIN").unwrap_or_else(|_| BIN.to_owned())
}
/// The repository root: the broker runs there so config/dev.toml's relative paths resolve.
pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// The issuer of config/dev.toml; redirects name it, the bench maps it to the real port.
pub use super::web::ISSUER;

/// Where the broker keeps its records.
#[derive(Debug, Clone)]
pub enum Store {
    /// Redis at [`super::redis_url`], in this key namespace.
    Redis(String),
    /// The in-process memory store.
    Memory,
}

/// One broker process; killed when dropped.
pub struct Broker {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Broker {
    /// Start `buergerkonto serve --config <config>` and wait for its "listening" log line.
    pub fn start(config: &Path) -> Result<Broker, String> {
        let bin = bin();
        let mut child = Command::new(&bin)
            .args(["serve", "--config", &config.display().to_string()])
            .current_dir(ROOT)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("the broker binary {bin}: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        // Keeps draining the log (one JSON line per request) so the broker never blocks on the pipe.
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
                if v["fields"]["message"] == "buergerkonto listening" {
                    let _ = tx.send(v["fields"]["listen"].as_str().unwrap_or_default().to_owned());
                }
            }
        });
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(listen) => Ok(Broker {
                child,
                base: format!("http://{listen}"),
            }),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                Err("the broker did not start within 60 s (see its log above)".into())
            }
        }
    }

    /// A bare axum server in a process of its own: this bench binary run again with [`BARE_ENV`]
    /// (see [`serve_bare_if_asked`]). Its CPU per request is what tokio, hyper, axum and the
    /// loopback TCP of this machine cost without anything of the broker.
    pub fn start_bare() -> Result<Broker, String> {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut child = Command::new(&exe)
            .env(BARE_ENV, "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("{}: {e}", exe.display()))?;
        let mut line = String::new();
        let read = child.stdout.take().map(|out| std::io::BufReader::new(out).read_line(&mut line));
        match (read, line.trim().strip_prefix("listening ")) {
            (Some(Ok(_)), Some(addr)) => Ok(Broker {
                base: format!("http://{addr}"),
                child,
            }),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                Err(format!("the bare server did not start: {line:?}"))
            }
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `url` (absolute on [`ISSUER`], or a path) on this broker's real address.
    pub fn at(&self, url: &str) -> String {
        format!("{}{}", self.base, url.strip_prefix(ISSUER).unwrap_or(url))
    }

    /// User + system CPU time of the whole process (all threads, also exited ones) so far.
    pub fn cpu(&self) -> Duration {
        process_cpu(self.pid()).unwrap_or_default()
    }

    /// Resident memory (VmRSS) in KiB.
    pub fn rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
            })
            .unwrap_or(0)
    }
}

/// The environment variable that makes a bench binary serve as the bare server.
pub const BARE_ENV: &str = "BK_BENCH_BARE_SERVER";

/// When [`BARE_ENV`] is set, serve `GET /healthz` with the body the broker sends, through the
/// broker's own listener code (`serve_on`: axum-server, `TCP_NODELAY`) on a default multi-thread
/// runtime like the broker's, and never return; otherwise return at once. Call first in `main`.
pub fn serve_bare_if_asked() {
    if std::env::var_os(BARE_ENV).is_none() {
        return;
    }
    let served = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
        .and_then(|rt| {
            rt.block_on(async {
                let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
                println!("listening {}", listener.local_addr().map_err(|e| e.to_string())?);
                let app = axum::Router::new().route(
                    "/healthz",
                    axum::routing::get(|| async { axum::Json(serde_json::json!({ "status": "ok" })) }),
                );
                buergerkonto::http::server::serve_on(listener, app, None, axum_server::Handle::new())
                    .await
                    .map_err(|e| e.to_string())
            })
        });
    eprintln!("bare server stopped: {served:?}");
    std::process::exit(1);
}

/// User + system CPU time of process `pid` so far (`None` if it is not on this machine).
pub fn process_cpu(pid: u32) -> Option<Duration> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may contain spaces: count fields after its ')'.
    let rest = s.rsplit_once(')')?.1.split_whitespace().collect::<Vec<_>>();
    // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
    let ticks = rest.get(11)?.parse::<u64>().ok()? + rest.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_secs_f64(ticks as f64 / clock_ticks() as f64))
}

/// `sysconf(_SC_CLK_TCK)` through `getconf` (no libc binding in the project); 100 on Linux.
fn clock_ticks() -> u64 {
    static TICKS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100)
    })
}

/// Write the broker's configuration into `dir`: config/dev.toml on port 0 with JSON logs, the
/// given store, the eID upstream pointed at the bench's IdP (its metadata, its SSO URL) and our
/// SP encryption key of the IdP's transport variant. The built-in eID simulator is switched off:
/// its work would run inside the broker.
pub fn config(dir: &Path, store: &Store, idp: &Idp) -> Result<PathBuf, String> {
    let text = std::fs::read_to_string(format!("{ROOT}/config/dev.toml")).map_err(|e| format!("config/dev.toml: {e}"))?;
    let mut c: toml::Table = toml::from_str(&text).map_err(|e| format!("config/dev.toml: {e}"))?;
    let table = |c: &mut toml::Table, name: &str| -> Result<toml::Table, String> {
        match c.remove(name) {
            Some(toml::Value::Table(t)) => Ok(t),
            _ => Err(format!("config/dev.toml has no [{name}]")),
        }
    };
    let mut server = table(&mut c, "server")?;
    server.insert("listen".into(), "127.0.0.1:0".into());
    server.insert("log_format".into(), "json".into());
    c.insert("server".into(), server.into());
    let mut st = table(&mut c, "store")?;
    match store {
        Store::Redis(ns) => {
            st.insert("backend".into(), "redis".into());
            st.insert("namespace".into(), ns.as_str().into());
            st.insert("redis_url".into(), super::redis_url().into());
        }
        Store::Memory => {
            st.insert("backend".into(), "memory".into());
        }
    }
    c.insert("store".into(), st.into());
    let mut saml = table(&mut c, "saml")?;
    saml.remove("dev_simulator");
    saml.insert("encryption_key".into(), idp.sp_encryption_key.display().to_string().into());
    saml.insert("encryption_cert".into(), idp.sp_encryption_cert.display().to_string().into());
    if let Some(toml::Value::Array(ups)) = saml.get_mut("upstreams") {
        for up in ups.iter_mut() {
            if let toml::Value::Table(t) = up {
                if t.get("name").and_then(|v| v.as_str()) == Some("eid") {
                    t.insert("metadata_file".into(), idp.metadata.display().to_string().into());
                    t.insert("sso_url".into(), super::idp::SSO_URL.into());
                }
            }
        }
    }
    c.insert("saml".into(), saml.into());
    let path = dir.join(format!("broker-{}.toml", idp.variant.name()));
    let out = toml::to_string(&c).map_err(|e| e.to_string())?;
    std::fs::write(&path, out).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}
