//! The test bed: `TestBroker::new().with_config(|c| …).start()` runs the real broker on
//! 127.0.0.1 port 0 with `config/dev.toml` loaded into the raw (serde) config types, edited as
//! typed values and validated through the one path (`Config::from_raw`). An edit that names a
//! field the file no longer has does not compile, where a text replacement did nothing silently.
//!
//! The listener is bound once and handed to the server (no bind-drop-rebind race); the issuer and
//! the URLs dev.toml derives from it are moved to the bound address as typed values. `.app()`
//! builds the same broker as an in-process `Router` for `tower::ServiceExt::oneshot` when a rule
//! needs no socket.
//!
//! Shared by the integration tests (`tests/it`) and the benches (`#[path]` include), so it uses
//! nothing but the library and dev-dependencies: a test module, not test code in the library.

#![allow(dead_code)]

use axum::body::Body;
use buergerkonto::audit::{Audit, MemorySink};
use buergerkonto::clock::{Clock, SystemClock};
use buergerkonto::config::raw::{RawClient, RawConfig, RawMethod, RawSaml, RawTls, RawUpstream};
use buergerkonto::config::{Config, ConfigError};
use buergerkonto::session::Records;
use buergerkonto::AppState;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// `config/dev.toml`.
pub const DEV_CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config/dev.toml");
/// The issuer written in `config/dev.toml`; the URLs below it move with the bound address.
pub const DEV_ISSUER: &str = "http://127.0.0.1:8080";
/// `config/dev.toml` as raw, unvalidated values.
pub fn dev_raw() -> RawConfig {
    let text = std::fs::read_to_string(DEV_CONFIG).expect("config/dev.toml");
    RawConfig::from_toml(&text, DEV_CONFIG).unwrap_or_else(|e| panic!("config/dev.toml does not parse:\n{e}"))
}

/// `config/dev.toml` edited by `edit` and validated (for configuration-rule tests).
pub fn dev_config(edit: impl FnOnce(&mut RawConfig)) -> Result<Config, ConfigError> {
    let mut raw = dev_raw();
    edit(&mut raw);
    Config::from_raw(raw)
}

/// Typed access to the entries of a raw configuration by name; a name that is not there panics
/// (the edit would otherwise do nothing).
pub trait RawConfigExt {
    /// `[saml]`.
    fn saml_mut(&mut self) -> &mut RawSaml;
    /// The `[[saml.upstreams]]` entry `name`.
    fn upstream_mut(&mut self, name: &str) -> &mut RawUpstream;
    /// The `[[methods]]` entry `id`.
    fn method_mut(&mut self, id: &str) -> &mut RawMethod;
    /// The `[[clients]]` entry `id`.
    fn client_mut(&mut self, id: &str) -> &mut RawClient;
}

impl RawConfigExt for RawConfig {
    fn saml_mut(&mut self) -> &mut RawSaml {
        self.saml.as_mut().expect("[saml] in the configuration")
    }

    fn upstream_mut(&mut self, name: &str) -> &mut RawUpstream {
        self.saml_mut()
            .upstreams
            .iter_mut()
            .find(|u| u.name == name)
            .unwrap_or_else(|| panic!("no saml upstream {name:?}"))
    }

    fn method_mut(&mut self, id: &str) -> &mut RawMethod {
        self.methods
            .iter_mut()
            .find(|m| m.id == id)
            .unwrap_or_else(|| panic!("no method {id:?}"))
    }

    fn client_mut(&mut self, id: &str) -> &mut RawClient {
        self.clients
            .iter_mut()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("no client {id:?}"))
    }
}

/// Move the issuer, the listener and every URL dev.toml derives from the issuer (demo client
/// redirects, SAML entity id, ACS, simulator SSO URLs, the bank-ID simulator's issuer) to
/// `issuer` / `listen`.
pub fn rebase(c: &mut RawConfig, issuer: &str, listen: SocketAddr) {
    let old = std::mem::replace(&mut c.server.issuer, issuer.to_owned());
    c.server.listen = listen.to_string();
    let move_url = |u: &mut String| {
        if let Some(rest) = u.strip_prefix(old.as_str()) {
            *u = format!("{issuer}{rest}");
        }
    };
    for client in &mut c.clients {
        client.redirect_uris.iter_mut().for_each(move_url);
        client.post_logout_redirect_uris.iter_mut().for_each(move_url);
    }
    for u in &mut c.oidc_upstreams {
        move_url(&mut u.issuer);
    }
    if let Some(saml) = &mut c.saml {
        move_url(&mut saml.entity_id);
        move_url(&mut saml.acs_url);
        for u in &mut saml.upstreams {
            u.sso_url.iter_mut().for_each(move_url);
            u.slo_url.iter_mut().for_each(move_url);
        }
    }
}

/// Further tables (`[[clients]]`, `[[methods]]`, `[certificate]`) written as TOML, deserialized
/// into the raw types (unknown keys refused) and appended: for long fixed client lists that read
/// best as the operator would write them. Nothing is substituted in the file's text.
pub fn append_toml(c: &mut RawConfig, tables: &str) {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Tables {
        #[serde(default)]
        clients: Vec<RawClient>,
        #[serde(default)]
        methods: Vec<buergerkonto::config::raw::RawMethod>,
        #[serde(default)]
        certificate: Option<buergerkonto::config::raw::RawCertificate>,
    }
    let t: Tables = toml::from_str(tables).unwrap_or_else(|e| panic!("test tables do not parse: {e}\n{tables}"));
    c.clients.extend(t.clients);
    c.methods.extend(t.methods);
    if t.certificate.is_some() {
        c.certificate = t.certificate;
    }
}

/// A running broker; stopped when dropped.
pub struct TestBroker {
    /// The issuer: `http://127.0.0.1:<port>` (`https://localhost:<port>` with TLS).
    pub base: String,
    /// The bound address.
    pub addr: SocketAddr,
    /// Its state (for inspecting the store in tests).
    pub state: AppState,
    /// The raw configuration it runs with (for a second instance or a config file).
    pub raw: RawConfig,
    /// Its audit trail, kept in memory.
    pub audit: MemorySink,
    handle: axum_server::Handle<SocketAddr>,
    /// Background work (back-channel logout delivery), stopped with the broker.
    workers: Option<buergerkonto::app::Workers>,
}

type Edit = Box<dyn FnOnce(&mut RawConfig) + Send>;

/// Builder of a [`TestBroker`] (or an in-process [`TestApp`]).
pub struct TestBrokerBuilder {
    edits: Vec<Edit>,
    clock: Arc<dyn Clock>,
    records: Option<Records>,
    tls: Option<(PathBuf, PathBuf)>,
}

impl TestBroker {
    /// The development configuration, a system clock, the configured store.
    #[allow(clippy::new_ret_no_self)]
    pub fn new() -> TestBrokerBuilder {
        TestBrokerBuilder {
            edits: Vec::new(),
            clock: Arc::new(SystemClock),
            records: None,
            tls: None,
        }
    }

    /// Start with the development configuration.
    pub async fn start() -> Self {
        Self::new().start().await
    }

    /// Start with a controllable clock.
    pub async fn start_with_clock(clock: Arc<dyn Clock>) -> Self {
        Self::new().with_clock(clock).start().await
    }

    /// An absolute URL on this broker.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

impl TestBroker {
    /// Stop the background work only (the listener keeps serving): an instance that crashed
    /// before delivering what it queued.
    pub fn stop_workers(&mut self) {
        self.workers = None;
    }
}

impl Drop for TestBroker {
    fn drop(&mut self) {
        self.handle.shutdown();
        self.workers = None;
    }
}

impl TestBrokerBuilder {
    /// Edit the raw configuration. Edits run in order, after the issuer has been moved to the
    /// bound address (so `c.server.issuer` is the broker's own base URL).
    pub fn with_config(mut self, edit: impl FnOnce(&mut RawConfig) + Send + 'static) -> Self {
        self.edits.push(Box::new(edit));
        self
    }

    /// Use `clock` instead of the system clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Share an existing store (a second instance behind the same load balancer) instead of
    /// connecting the configured one.
    pub fn with_store(mut self, records: Records) -> Self {
        self.records = Some(records);
        self
    }

    /// Serve TLS with this certificate chain and key; the issuer becomes
    /// `https://localhost:<port>`.
    pub fn with_tls(mut self, cert: PathBuf, key: PathBuf) -> Self {
        self.tls = Some((cert, key));
        self
    }

    /// The raw configuration for `issuer` / `listen`, with every edit applied.
    pub fn raw_config(&mut self, issuer: &str, listen: SocketAddr) -> RawConfig {
        let mut raw = dev_raw();
        rebase(&mut raw, issuer, listen);
        if let Some((cert, key)) = &self.tls {
            raw.server.tls = Some(RawTls {
                cert: cert.clone(),
                key: key.clone(),
            });
        }
        for edit in self.edits.drain(..) {
            edit(&mut raw);
        }
        raw
    }

    async fn state(&self, raw: RawConfig, audit: &MemorySink) -> Result<AppState, String> {
        let config = Config::from_raw(raw).map_err(|e| format!("test config invalid:\n{e}"))?;
        let trail = Audit::new(Arc::new(audit.clone()));
        match &self.records {
            None => buergerkonto::app::build_state_with_audit(config, self.clock.clone(), None, trail)
                .await
                .map_err(|e| format!("broker start failed: {e}")),
            Some(records) => {
                let keys = buergerkonto::app::build_keys(&config).map_err(|e| e.to_string())?;
                let methods = buergerkonto::app::build_methods(&config, records, &self.clock).map_err(|e| e.to_string())?;
                Ok(AppState::with_audit(
                    config,
                    records.clone(),
                    keys,
                    self.clock.clone(),
                    methods,
                    None,
                    trail,
                ))
            }
        }
    }

    /// Start on 127.0.0.1 port 0; panics with the reason on failure.
    pub async fn start(self) -> TestBroker {
        self.try_start().await.unwrap_or_else(|e| panic!("{e}"))
    }

    /// Start on 127.0.0.1 port 0. The listener stays open from bind to serve.
    pub async fn try_start(mut self) -> Result<TestBroker, String> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind port 0: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let base = match self.tls {
            Some(_) => format!("https://localhost:{}", addr.port()),
            None => format!("http://{addr}"),
        };
        let raw = self.raw_config(&base, addr);
        let audit = MemorySink::default();
        let state = self.state(raw.clone(), &audit).await?;
        let workers = buergerkonto::app::start_workers(&state).map_err(|e| e.to_string())?;
        let tls = state.config().server.tls.clone();
        let app = buergerkonto::build_app(state.clone());
        let handle = axum_server::Handle::new();
        let h2 = handle.clone();
        tokio::spawn(async move {
            if let Err(e) = buergerkonto::http::server::serve_on(listener, app, tls.as_ref(), h2).await {
                eprintln!("test broker stopped: {e}");
            }
        });
        handle.listening().await;
        Ok(TestBroker {
            base,
            addr,
            state,
            raw,
            audit,
            handle,
            workers: Some(workers),
        })
    }

    /// The broker as an in-process router (no socket) with the issuer of config/dev.toml.
    pub async fn app(mut self) -> TestApp {
        let listen: SocketAddr = "127.0.0.1:8080".parse().expect("address");
        let raw = self.raw_config(DEV_ISSUER, listen);
        let state = self.state(raw, &MemorySink::default()).await.unwrap_or_else(|e| panic!("{e}"));
        TestApp {
            router: buergerkonto::build_app(state.clone()),
            state,
            base: DEV_ISSUER.to_owned(),
        }
    }
}

/// The broker's router, driven with `tower::ServiceExt::oneshot`: for protocol rules that need no
/// socket, TLS or browser.
pub struct TestApp {
    /// The router.
    pub router: axum::Router,
    /// Its state.
    pub state: AppState,
    /// The issuer (`http://127.0.0.1:8080`; nothing listens there).
    pub base: String,
}

/// A response read to the end.
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: http::HeaderMap,
    /// Body as text.
    pub body: String,
}

impl Reply {
    /// The body as JSON (`Null` if it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl TestApp {
    /// An absolute URL on this broker.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Send one request through the router (as from a loopback peer).
    pub async fn send(&self, mut req: http::Request<Body>) -> Reply {
        use tower::ServiceExt;
        let peer: SocketAddr = "127.0.0.1:50000".parse().expect("address");
        req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
        let res = self.router.clone().oneshot(req).await.expect("router is infallible");
        let (parts, body) = res.into_parts();
        let bytes = axum::body::to_bytes(body, 16 * 1024 * 1024).await.expect("body");
        Reply {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// GET a path (with query).
    pub async fn get(&self, path_and_query: &str) -> Reply {
        self.send(http::Request::get(path_and_query).body(Body::empty()).expect("request"))
            .await
    }

    /// POST a form, with optional `Authorization`.
    pub async fn post_form(&self, path: &str, authorization: Option<&str>, form: &[(&str, &str)]) -> Reply {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let mut req = http::Request::post(path).header("content-type", "application/x-www-form-urlencoded");
        if let Some(a) = authorization {
            req = req.header("authorization", a);
        }
        self.send(req.body(Body::from(body)).expect("request")).await
    }
}
