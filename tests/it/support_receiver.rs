//! Back-channel logout receivers for the tests: a controllable one in Rust (counts, can be
//! "down" = 503, can answer slowly) and the independent one in Python (tests/peers/
//! backchannel_receiver.py, jwcrypto), plus the broker configuration that points the demo client
//! at a receiver with fast retries.

#![allow(dead_code)]

use crate::support::RawConfigExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A free port on 127.0.0.1 (bound, read, released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Point the demo client at `uri` and make delivery fast: poll 50 ms, first retry 100 ms, at most
/// 1 s apart, POST timeout 2 s.
pub fn backchannel_to(uri: String) -> impl FnOnce(&mut buergerkonto::config::raw::RawConfig) + Send + 'static {
    move |c| {
        crate::support_logout::with_logout_clients(c);
        let demo = c.client_mut("demo");
        demo.backchannel_logout_uri = Some(uri);
        demo.backchannel_logout_session_required = true;
        c.logout.backchannel_poll_ms = Some(50);
        c.logout.backchannel_backoff_initial_ms = Some(100);
        c.logout.backchannel_backoff_max_secs = Some(1);
        c.logout.backchannel_timeout_secs = Some(2);
    }
}

/// Use the shared Redis under namespace `ns`.
pub fn on_redis(ns: String) -> impl FnOnce(&mut buergerkonto::config::raw::RawConfig) + Send + 'static {
    move |c| {
        c.store.backend = Some("redis".into());
        c.store.redis_url = Some(crate::peers::redis_url());
        c.store.namespace = Some(ns);
    }
}

/// A receiver in the test process.
#[derive(Clone)]
pub struct Receiver {
    /// Its endpoint.
    pub url: String,
    /// Logout tokens received while up.
    pub tokens: Arc<Mutex<Vec<String>>>,
    /// POSTs answered 503 while down.
    pub refused: Arc<Mutex<usize>>,
    up: Arc<AtomicBool>,
    delay: Duration,
}

impl Receiver {
    /// Start; `up` decides whether it answers 200 or 503; `delay` before answering.
    pub async fn start(up: bool, delay: Duration) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let r = Self {
            url: format!("http://{addr}/backchannel-logout"),
            tokens: Arc::default(),
            refused: Arc::default(),
            up: Arc::new(AtomicBool::new(up)),
            delay,
        };
        let state = r.clone();
        let app = axum::Router::new().route(
            "/backchannel-logout",
            axum::routing::post(move |body: axum::body::Bytes| {
                let s = state.clone();
                async move {
                    tokio::time::sleep(s.delay).await;
                    if !s.up.load(Ordering::SeqCst) {
                        *s.refused.lock().unwrap() += 1;
                        return http::StatusCode::SERVICE_UNAVAILABLE;
                    }
                    let token = url::form_urlencoded::parse(&body)
                        .find(|(k, _)| k == "logout_token")
                        .map(|(_, v)| v.into_owned())
                        .unwrap_or_default();
                    s.tokens.lock().unwrap().push(token);
                    http::StatusCode::OK
                }
            }),
        );
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        r
    }

    /// Bring it up (or down).
    pub fn set_up(&self, up: bool) {
        self.up.store(up, Ordering::SeqCst);
    }

    /// Tokens received so far.
    pub fn received(&self) -> Vec<String> {
        self.tokens.lock().unwrap().clone()
    }

    /// Wait until `n` tokens arrived (bounded).
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<String> {
        let start = std::time::Instant::now();
        while start.elapsed() < within {
            if self.received().len() >= n {
                return self.received();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} logout tokens within {within:?}, got {}", self.received().len());
    }
}

/// The Python receiver (jwcrypto), killed when dropped.
pub struct PyReceiver {
    child: std::process::Child,
    out: PathBuf,
    _dir: tempfile::TempDir,
}

impl PyReceiver {
    /// Start it on `port`, validating against the broker at `issuer` for `client_id`.
    pub async fn start(port: u16, issuer: &str, client_id: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("received.txt");
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers/backchannel_receiver.py");
        let mut child = std::process::Command::new("python3")
            .arg(script)
            .args([
                &port.to_string(),
                &format!("{issuer}/jwks"),
                issuer,
                client_id,
                &out.display().to_string(),
            ])
            .spawn()
            .expect("python3");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Self { child, out, _dir: dir };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("python receiver did not start on port {port}");
    }

    /// Lines written so far (`OK <claims>` or `REJECTED <reason>`).
    pub fn lines(&self) -> Vec<String> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Wait for the first line (bounded).
    pub async fn wait_line(&self, within: Duration) -> String {
        let start = std::time::Instant::now();
        while start.elapsed() < within {
            if let Some(l) = self.lines().into_iter().next() {
                return l;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("python receiver got nothing within {within:?}");
    }
}

impl Drop for PyReceiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
