//! The one gate for tests that need an external peer (issue 9 item 7: no vacuous passes).
//!
//! A test that needs Python (signxml + cryptography + lxml + jwcrypto), the `xmlsec1` CLI, Redis, a
//! `redis-server` binary, `curl`, Node + Chromium, Node + panva's `oidc-provider`, or Node + the
//! test wallet calls
//! `require_…()` first:
//!
//! - peer present → `true`, the test runs;
//! - peer missing → the test **fails** with what to install;
//! - peer missing and the whole run opted out with `BK_ALLOW_SKIP=1` → `false` (the test returns
//!   at once) and a `SKIPPED <test>: …` line goes straight to the process's stderr with
//!   `std::io::Write::write_all`, which libtest's output capture does not intercept, so the skip
//!   is visible in every run, named by the test.
//!
//! `BK_TEST_HIDE_PEERS=python,xmlsec1,redis,redis-server,curl,browser,oidc-provider,wallet` (or `all`) makes the gate
//! treat those peers as missing, to prove the gate itself on a machine that has them all.

#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

/// An external program or service some tests need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// python3 with signxml, cryptography, lxml and jwcrypto (tests/peers/requirements.txt).
    Python,
    /// The xmlsec1 command-line tool.
    Xmlsec1,
    /// The shared Redis (`REDIS_URL`, default `redis://127.0.0.1:6379`).
    Redis,
    /// A `redis-server` binary (tests that run a private server to stop and restart it).
    RedisServer,
    /// The curl command-line client (independent TLS client for the mTLS listener).
    Curl,
    /// Node, Chromium and tests/browser/node_modules (the headless-browser test).
    Browser,
    /// Node and tests/peers/oidc-provider/node_modules (the independent OP of the bank-ID tests).
    OidcProvider,
    /// Node and tests/peers/wallet/node_modules (the independent EUDI test wallet).
    Wallet,
}

impl Peer {
    fn name(self) -> &'static str {
        match self {
            Self::Python => "python",
            Self::Xmlsec1 => "xmlsec1",
            Self::Redis => "redis",
            Self::RedisServer => "redis-server",
            Self::Curl => "curl",
            Self::Browser => "browser",
            Self::OidcProvider => "oidc-provider",
            Self::Wallet => "wallet",
        }
    }

    fn cell(self) -> &'static OnceLock<Result<(), String>> {
        static CELLS: [OnceLock<Result<(), String>>; 8] = [const { OnceLock::new() }; 8];
        &CELLS[self as usize]
    }

    /// Probed once per process: `Err(what is missing and how to install it)`.
    fn probe(self) -> Result<(), String> {
        self.cell()
            .get_or_init(|| {
                if hidden(self) {
                    return Err(format!("{} hidden by BK_TEST_HIDE_PEERS", self.name()));
                }
                match self {
                    Self::Python => runs("python3", &["-c", "import signxml, cryptography, lxml, jwcrypto"]).map_err(|e| {
                        format!("python3 with signxml/cryptography/lxml/jwcrypto ({e}; pip install -r tests/peers/requirements.txt)")
                    }),
                    Self::Xmlsec1 => runs("xmlsec1", &["--version"]).map_err(|e| format!("xmlsec1 ({e}; apt-get install xmlsec1)")),
                    Self::RedisServer => {
                        runs("redis-server", &["--version"]).map_err(|e| format!("redis-server ({e}; apt-get install redis-server)"))
                    }
                    Self::Curl => runs("curl", &["--version"]).map_err(|e| format!("curl ({e}; apt-get install curl)")),
                    Self::Redis => redis_answers(&redis_url()),
                    Self::Browser => browser_ready(),
                    Self::OidcProvider => oidc_provider_ready(),
                    Self::Wallet => wallet_ready(),
                }
            })
            .clone()
    }
}

/// `REDIS_URL` or the shared local Redis.
pub fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// Whether this run opted out of failing on missing peers (`BK_ALLOW_SKIP=1`).
pub fn skip_allowed() -> bool {
    std::env::var("BK_ALLOW_SKIP").is_ok_and(|v| v == "1")
}

fn hidden(peer: Peer) -> bool {
    std::env::var("BK_TEST_HIDE_PEERS").is_ok_and(|v| v.split(',').map(str::trim).any(|p| p == "all" || p == peer.name()))
}

fn runs(program: &str, args: &[&str]) -> Result<(), String> {
    match Command::new(program).args(args).output() {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!("`{program}` exited with {}", o.status)),
        Err(e) => Err(format!("`{program}` not found: {e}")),
    }
}

/// A plain RESP `PING` over TCP (blocking, bounded): the gate must not depend on the code under test.
fn redis_answers(url: &str) -> Result<(), String> {
    use std::io::Read;
    use std::net::ToSocketAddrs;
    let parsed = url::Url::parse(url).map_err(|e| format!("REDIS_URL {url:?} invalid: {e}"))?;
    let host = parsed.host_str().unwrap_or("127.0.0.1");
    let port = parsed.port().unwrap_or(6379);
    let missing = |e: String| format!("Redis at {url} ({e}; apt-get install redis-server, or set REDIS_URL)");
    let addr = (host, port)
        .to_socket_addrs()
        .map_err(|e| missing(e.to_string()))?
        .next()
        .ok_or_else(|| missing("no address".into()))?;
    let mut s = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2)).map_err(|e| missing(e.to_string()))?;
    s.set_read_timeout(Some(Duration::from_secs(2)))
        .map_err(|e| missing(e.to_string()))?;
    s.write_all(b"PING\r\n").map_err(|e| missing(e.to_string()))?;
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).map_err(|e| missing(e.to_string()))?;
    // `+PONG`, or `-NOAUTH` from a password-protected server: either way a Redis answers.
    if n > 0 && (buf[0] == b'+' || buf[0] == b'-') {
        Ok(())
    } else {
        Err(missing("no RESP answer".into()))
    }
}

fn browser_ready() -> Result<(), String> {
    let mut missing = Vec::new();
    if runs("node", &["--version"]).is_err() {
        missing.push("node (Debian package nodejs / Node 20)".to_owned());
    }
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    if !Path::new(&chromium).exists() {
        missing.push(format!("{chromium} (apt-get install chromium chromium-driver)"));
    }
    let modules = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/node_modules");
    for module in ["playwright-core", "axe-core"] {
        if !modules.join(module).join("package.json").exists() {
            missing.push(format!(
                "tests/browser/node_modules/{module} (npm ci --prefix tests/browser --no-audit --no-fund)"
            ));
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing.join(", "))
    }
}

/// The directory of the independent OP (tests/peers/oidc-provider).
pub fn oidc_provider_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/oidc-provider")
}

fn oidc_provider_ready() -> Result<(), String> {
    let mut missing = Vec::new();
    if runs("node", &["--version"]).is_err() {
        missing.push("node (Debian package nodejs / Node 20)".to_owned());
    }
    if !oidc_provider_dir().join("node_modules/oidc-provider/package.json").exists() {
        missing.push(
            "tests/peers/oidc-provider/node_modules/oidc-provider (npm ci --prefix tests/peers/oidc-provider --no-audit --no-fund)"
                .to_owned(),
        );
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing.join(", "))
    }
}

/// The directory of the independent test wallet (tests/peers/wallet).
pub fn wallet_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/wallet")
}

fn wallet_ready() -> Result<(), String> {
    let mut missing = Vec::new();
    if runs("node", &["--version"]).is_err() {
        missing.push("node (Debian package nodejs / Node 20)".to_owned());
    }
    let modules = wallet_dir().join("node_modules");
    for module in ["jose", "@sd-jwt/sd-jwt-vc", "@sd-jwt/jwt-status-list", "@peculiar/x509", "dcql"] {
        if !modules.join(module).join("package.json").exists() {
            missing.push(format!(
                "tests/peers/wallet/node_modules/{module} (npm ci --prefix tests/peers/wallet --no-audit --no-fund)"
            ));
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing.join(", "))
    }
}

/// What the gate does with a probe result.
#[derive(Debug, PartialEq, Eq)]
pub enum Gate {
    /// The peer is there.
    Run,
    /// Missing, and the run opted out: skip with a visible note.
    Skip(String),
    /// Missing: the test fails.
    Fail(String),
}

/// The decision, without side effects (tested below).
pub fn decide(probe: Result<(), String>, allow_skip: bool) -> Gate {
    match probe {
        Ok(()) => Gate::Run,
        Err(what) if allow_skip => Gate::Skip(what),
        Err(what) => Gate::Fail(what),
    }
}

/// The running test's name: libtest names each test's thread after it.
fn test_name() -> String {
    std::thread::current().name().unwrap_or("<unnamed test>").to_owned()
}

/// The gate. `true`: run the test. `false`: return now (skipped, noted on stderr). Panics (the
/// test fails) when the peer is missing and `BK_ALLOW_SKIP=1` is not set.
#[must_use]
pub fn require(peer: Peer) -> bool {
    match decide(peer.probe(), skip_allowed()) {
        Gate::Run => true,
        Gate::Skip(what) => {
            let note = format!("SKIPPED {}: needs {what} (BK_ALLOW_SKIP=1)\n", test_name());
            // Straight to fd 2: eprintln! would be captured by libtest and hidden on success.
            let _ = std::io::stderr().write_all(note.as_bytes());
            false
        }
        Gate::Fail(what) => panic!(
            "{} needs {what}. Install it, or opt the whole run out of peer tests explicitly with BK_ALLOW_SKIP=1",
            test_name()
        ),
    }
}

/// [`require`] for python3 + signxml + cryptography + lxml + jwcrypto.
#[must_use]
pub fn require_python() -> bool {
    require(Peer::Python)
}

/// [`require`] for the xmlsec1 CLI.
#[must_use]
pub fn require_xmlsec1() -> bool {
    require(Peer::Xmlsec1)
}

/// [`require`] for the shared Redis.
#[must_use]
pub fn require_redis() -> bool {
    require(Peer::Redis)
}

/// [`require`] for a `redis-server` binary.
#[must_use]
pub fn require_redis_server() -> bool {
    require(Peer::RedisServer)
}

/// [`require`] for curl.
#[must_use]
pub fn require_curl() -> bool {
    require(Peer::Curl)
}

/// [`require`] for Node + Chromium + the npm modules of tests/browser.
#[must_use]
pub fn require_browser() -> bool {
    require(Peer::Browser)
}

/// [`require`] for Node + panva's oidc-provider (tests/peers/oidc-provider).
#[must_use]
pub fn require_oidc_provider() -> bool {
    require(Peer::OidcProvider)
}

/// [`require`] for Node + the test wallet (tests/peers/wallet).
#[must_use]
pub fn require_wallet() -> bool {
    require(Peer::Wallet)
}

#[test]
fn gate_fails_a_missing_peer_unless_the_run_opted_out() {
    assert_eq!(decide(Ok(()), false), Gate::Run);
    assert_eq!(decide(Ok(()), true), Gate::Run);
    assert_eq!(decide(Err("x".into()), false), Gate::Fail("x".into()));
    assert_eq!(decide(Err("x".into()), true), Gate::Skip("x".into()));
    // A program that does not exist is reported missing, never as present.
    assert!(runs("bk-no-such-peer-program", &[]).is_err());
    assert!(redis_answers("redis://127.0.0.1:1").is_err(), "nothing listens on port 1");
}
