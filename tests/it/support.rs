//! Test harness: `TestBroker` starts the real broker on 127.0.0.1 port 0 with a configuration
//! derived from `config/dev.toml`, and stops it when dropped.

#![allow(dead_code)]

use buergerkonto::clock::{Clock, ManualClock, SystemClock};
use buergerkonto::config::Config;
use buergerkonto::AppState;
use std::sync::Arc;

/// A running broker.
pub struct TestBroker {
    /// `http://127.0.0.1:<port>` (= issuer).
    pub base: String,
    /// Its state (for inspecting the store in tests).
    pub state: AppState,
    handle: axum_server::Handle<std::net::SocketAddr>,
}

/// The development configuration with issuer and listener moved to `addr`.
pub fn dev_config_text(addr: std::net::SocketAddr) -> String {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/dev.toml")).expect("config/dev.toml");
    text.replace("http://127.0.0.1:8080", &format!("http://{addr}"))
        .replace("127.0.0.1:8080", &addr.to_string())
}

/// Unique store namespace for a test (tests share one Redis and never flush it).
pub fn unique_namespace(test: &str) -> String {
    use rand::RngCore;
    format!("bktest-{test}-{:08x}", rand::rngs::OsRng.next_u32())
}

impl TestBroker {
    /// Start with the development configuration.
    pub async fn start() -> Self {
        Self::start_with(|t| t, Arc::new(SystemClock)).await
    }

    /// Start with a controllable clock.
    pub async fn start_with_clock(clock: Arc<ManualClock>) -> Self {
        Self::start_with(|t| t, clock).await
    }

    /// Start with the development configuration edited by `edit` (TOML text in, TOML text out).
    pub async fn start_with(edit: impl FnOnce(String) -> String, clock: Arc<dyn Clock>) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind port 0");
        let addr = listener.local_addr().expect("local addr");
        let text = edit(dev_config_text(addr));
        let config = Config::from_toml(&text, "test config").unwrap_or_else(|e| panic!("test config invalid:\n{e}"));
        let state = buergerkonto::build_state(config, clock, None)
            .await
            .unwrap_or_else(|e| panic!("broker start failed: {e}"));
        let app = buergerkonto::build_app(state.clone());
        let handle = axum_server::Handle::new();
        let h2 = handle.clone();
        tokio::spawn(async move {
            let _ = buergerkonto::http::server::serve_on(listener, app, None, h2).await;
        });
        handle.listening().await;
        Self {
            base: format!("http://{addr}"),
            state,
            handle,
        }
    }

    /// An absolute URL on this broker.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

impl Drop for TestBroker {
    fn drop(&mut self) {
        self.handle.shutdown();
    }
}

/// An HTTP client that does not follow redirects (tests look at each hop).
pub fn http_client() -> openidconnect::reqwest::Client {
    buergerkonto::tls::http_client_builder()
        .expect("rustls client config")
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client")
}
