//! The independent EUDI test wallet (tests/peers/wallet, Node: jose, @sd-jwt/*, @peculiar/x509,
//! dcql) for the wallet interop and attack tests (issue 16 item 6), and what runs beside it:
//!
//! - [`NodeWallet`]: `wallet.mjs` as a child process per command (`init`, `status-list`,
//!   `present`), one JSON line on stdout, exit 0 ok / 2 a check on the broker's request failed /
//!   1 the wallet broke. It has its own test PID provider CA; the broker knows only that CA's
//!   certificate, written into its configuration as the PID trust anchor.
//! - [`StatusServer`]: the PID provider's Token Status List on 127.0.0.1 port 0 over plain http
//!   (development allows http), with [`REVOKED`] set, counting how often the broker fetched it.
//! - [`bed`]: the broker with the `eudi_wallet` method in front of both, and a browser's hops.
//!
//! The wallet runs through `tokio::process`, never blocking: the broker it talks to runs on the
//! same runtime as the test.

#![allow(dead_code)]

pub mod bed;

use axum::routing::get;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Indices the test PID provider's status list marks revoked.
pub const REVOKED: [u32; 2] = [3, 7];
/// The index an honest PID carries (valid in the list).
pub const VALID_INDEX: u32 = 5;

/// A liveness bound for one wallet run, not a timing assertion: a cold Node start beside a full
/// parallel test run on two cores has taken over 30 s.
const RUN_BOUND: Duration = Duration::from_secs(180);

/// What one `wallet.mjs` run printed.
#[derive(Debug, Clone)]
pub struct Run {
    /// Its exit code (0 ok, 2 a check on the broker's request failed, 1 the wallet broke).
    pub code: i32,
    /// The JSON line on stdout.
    pub out: Value,
    /// stderr, for assertion messages.
    pub stderr: String,
}

impl Run {
    /// The broker's HTTP status at `response_uri` (first post).
    pub fn status(&self) -> u16 {
        self.ok().out["status"].as_u64().map_or(0, |s| s as u16)
    }

    /// The broker's answer at `response_uri` (first post): JSON, or a string when not JSON.
    pub fn body(&self) -> &Value {
        &self.out["body"]
    }

    /// The `redirect_uri` of the broker's answer (same-device flow), if any.
    pub fn redirect_uri(&self) -> Option<url::Url> {
        self.body()["redirect_uri"].as_str().and_then(|u| url::Url::parse(u).ok())
    }

    /// Every answer when the response was posted more than once (`--repeat`).
    pub fn responses(&self) -> Vec<Value> {
        self.out["responses"].as_array().cloned().unwrap_or_default()
    }

    /// The claim names the wallet disclosed.
    pub fn disclosed(&self) -> Vec<String> {
        strings(&self.out["disclosed"])
    }

    /// The claim paths the broker's DCQL query asked for, each joined with `.`.
    pub fn asked(&self) -> Vec<String> {
        self.out["asked"]
            .as_array()
            .map(|paths| paths.iter().map(|p| strings(p).join(".")).collect::<Vec<_>>())
            .unwrap_or_default()
    }

    /// Panics unless the wallet accepted the broker's request and posted its answer.
    pub fn ok(&self) -> &Self {
        assert_eq!(
            self.code, 0,
            "the wallet refused or broke (2 = a check on the broker's request failed): {}\n{}",
            self.out, self.stderr
        );
        self
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().map_or_else(|| s.to_string(), str::to_owned)).collect())
        .unwrap_or_default()
}

/// How the wallet answers one wallet URL (`wallet.mjs present`).
#[derive(Debug, Clone)]
pub struct Present<'a> {
    /// `get` or `post` (`request_uri_method`; POST sends `wallet_nonce` and checks the echo).
    pub request_method: &'a str,
    /// `erika` or `max`.
    pub person: &'a str,
    /// `A128GCM` or `A256GCM`.
    pub enc: &'a str,
    /// One of the wallet's attacks (`wrong-nonce`, `disclosure-added`, …).
    pub attack: Option<&'a str>,
    /// Post the answer here instead of the request's `response_uri` (another transaction's).
    pub post_to: Option<String>,
    /// Post the same answer this many times (2: replay).
    pub repeat: u32,
    /// The status list index of the PID (ignored by the `revoked` attack, which picks a revoked one).
    pub index: u32,
}

impl Default for Present<'_> {
    fn default() -> Self {
        Present {
            request_method: "get",
            person: "erika",
            enc: "A128GCM",
            attack: None,
            post_to: None,
            repeat: 1,
            index: VALID_INDEX,
        }
    }
}

impl<'a> Present<'a> {
    /// The honest answer with one attack.
    pub fn attack(attack: &'a str) -> Self {
        Present {
            attack: Some(attack),
            ..Present::default()
        }
    }
}

/// The wallet's PID provider directory (its CA, issuer key, the foreign CA) and its commands.
pub struct NodeWallet {
    dir: tempfile::TempDir,
    /// The test PID provider's root CA (PEM): the broker's trust anchor.
    pub ca: PathBuf,
    /// That CA's keyIdentifier, base64url (what the broker's DCQL `trusted_authorities` must list).
    pub aki: String,
    /// The foreign PID provider's root CA (never given to the broker).
    pub foreign_ca: PathBuf,
}

/// Run `wallet.mjs` with `args`.
pub async fn run(args: &[&str]) -> Run {
    let dir = crate::peers::wallet_dir();
    let child = tokio::process::Command::new("node")
        .arg(dir.join("wallet.mjs"))
        .args(args)
        .current_dir(&dir)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(RUN_BOUND, child)
        .await
        .unwrap_or_else(|_| panic!("wallet.mjs {args:?} did not finish"))
        .unwrap_or_else(|e| panic!("start node wallet.mjs: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let out = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("wallet.mjs {args:?} printed no JSON line ({e}): {stdout}\n{stderr}"));
    Run {
        code: output.status.code().unwrap_or(-1),
        out,
        stderr,
    }
}

impl NodeWallet {
    /// A fresh PID provider (trusted CA + issuer, foreign CA + issuer) in a temporary directory.
    pub async fn init() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().to_str().expect("utf-8 path").to_owned();
        let r = run(&["init", "--dir", &path]).await;
        assert_eq!(r.code, 0, "wallet init: {}\n{}", r.out, r.stderr);
        let field = |k: &str| r.out[k].as_str().unwrap_or_else(|| panic!("{k} in {}", r.out)).to_owned();
        NodeWallet {
            ca: PathBuf::from(field("ca")),
            aki: field("aki"),
            foreign_ca: PathBuf::from(field("foreign_ca")),
            dir,
        }
    }

    fn dir(&self) -> &str {
        self.dir.path().to_str().expect("utf-8 path")
    }

    /// A status list token for `uri` signed by the PID provider, `revoked` set.
    pub async fn status_list(&self, uri: &str, revoked: &[u32]) -> String {
        let out = self.dir.path().join("status.jwt");
        let revoked = revoked.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        let r = run(&[
            "status-list",
            "--dir",
            self.dir(),
            "--uri",
            uri,
            "--revoked",
            &revoked,
            "--out",
            out.to_str().expect("utf-8 path"),
        ])
        .await;
        assert_eq!(r.code, 0, "wallet status-list: {}\n{}", r.out, r.stderr);
        std::fs::read_to_string(out).expect("status list token").trim().to_owned()
    }

    /// Answer `wallet_url` (as found on the broker's start page) as `how` says; the PID points at
    /// `status_uri`.
    pub async fn present(&self, wallet_url: &str, status_uri: &str, how: &Present<'_>) -> Run {
        let index = how.index.to_string();
        let repeat = how.repeat.to_string();
        let mut args = vec![
            "present",
            "--dir",
            self.dir(),
            "--url",
            wallet_url,
            "--status-uri",
            status_uri,
            "--index",
            &index,
            "--request-method",
            how.request_method,
            "--person",
            how.person,
            "--enc",
            how.enc,
            "--repeat",
            &repeat,
        ];
        if let Some(attack) = how.attack {
            args.extend(["--attack", attack]);
        }
        if let Some(to) = &how.post_to {
            args.extend(["--post-to", to.as_str()]);
        }
        run(&args).await
    }
}

/// The PID provider's status list endpoint: `GET /status/pid` → the token (`application/statuslist+jwt`).
pub struct StatusServer {
    /// Its URI (the PIDs' `status.status_list.uri`).
    pub uri: String,
    token: Arc<Mutex<String>>,
    hits: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl StatusServer {
    /// Bind 127.0.0.1 port 0 and serve an empty token until [`Self::set_token`].
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind status server");
        let uri = format!("http://{}/status/pid", listener.local_addr().expect("address"));
        let token: Arc<Mutex<String>> = Arc::default();
        let hits: Arc<AtomicUsize> = Arc::default();
        let (t, h) = (token.clone(), hits.clone());
        let app = axum::Router::new().route(
            "/status/pid",
            get(move || {
                let (t, h) = (t.clone(), h.clone());
                async move {
                    h.fetch_add(1, Ordering::SeqCst);
                    let body = t.lock().map(|t| t.clone()).unwrap_or_default();
                    ([(http::header::CONTENT_TYPE, "application/statuslist+jwt")], body)
                }
            }),
        );
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        StatusServer { uri, token, hits, task }
    }

    /// Serve `token` from now on.
    pub fn set_token(&self, token: String) {
        *self.token.lock().expect("token") = token;
    }

    /// How often the list was fetched.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for StatusServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
