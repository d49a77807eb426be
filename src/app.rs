//! Start-up: turn a validated [`Config`] into running services ([`AppState`]), and the
//! application [`router`] over them (the top of the module map: it merges the routes of every
//! edge module, the development ones included).

use crate::audit::{Audit, FileSink, StdoutSink};
use crate::authenticators::AuthenticatorRegistry;
use crate::authenticators::MethodKind;
use crate::clock::Clock;
use crate::config::{AuditConfig, Config, StoreBackend};
use crate::keys::{KeyRing, RingKey};
use crate::session::memory::MemoryStore;
use crate::session::redis::RedisStore;
use crate::session::{Records, Sealer, SessionStore};
use crate::state::AppState;
use axum::Router;
use std::sync::Arc;

/// Why the broker could not start (each names the file or key at fault).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartupError {
    /// A key file could not be loaded.
    #[error(transparent)]
    Keys(#[from] crate::keys::KeyError),
    /// The store is unreachable or misconfigured.
    #[error("store.backend: {0}")]
    Store(String),
    /// An upstream method could not be built.
    #[error("methods ({method}): {reason}")]
    Method { method: String, reason: String },
    /// The audit file could not be opened.
    #[error("audit.file: {0}")]
    Audit(String),
    /// A background worker could not start.
    #[error(transparent)]
    Worker(#[from] crate::logout::worker::WorkerError),
}

/// The background work of one instance; stopped when dropped.
#[derive(Debug)]
pub struct Workers {
    _backchannel_logout: crate::logout::worker::Worker,
}

/// Start the background work on the current tokio runtime: the delivery of back-channel logout
/// tokens (logout/worker.rs). Every instance runs it; the queue's leases keep them from
/// delivering anything twice.
pub fn start_workers(state: &AppState) -> Result<Workers, StartupError> {
    Ok(Workers {
        _backchannel_logout: crate::logout::worker::spawn(state.broker().clone(), state.config().logout.clone())?,
    })
}

/// Build the key ring from configuration.
pub fn build_keys(config: &Config) -> Result<KeyRing, StartupError> {
    let mut keys = Vec::new();
    for k in &config.keys.signing {
        let path = k.file.display().to_string();
        let pem = std::fs::read(&k.file).map_err(|e| crate::keys::KeyError::Read {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        keys.push(RingKey::from_pem(k.alg, &pem, !k.publish_only, &path)?);
    }
    if config.keys.generate_dev_keys {
        tracing::warn!("!!! DEVELOPMENT SIGNING KEYS: generated in memory, lost on restart, refused in production !!!");
        keys.extend(KeyRing::generate_dev()?.into_keys());
    }
    Ok(KeyRing::new(keys))
}

/// Connect the configured store backend.
pub async fn build_store(config: &Config) -> Result<Arc<dyn SessionStore>, StartupError> {
    Ok(match &config.store.backend {
        StoreBackend::Memory => Arc::new(MemoryStore::new()),
        StoreBackend::Redis { settings, describe } => {
            // The redis crate builds its own rustls config for rediss:// on the process default.
            crate::tls::install_process_default().map_err(|e| StartupError::Store(e.into()))?;
            let store = RedisStore::connect_with(settings)
                .await
                .map_err(|e| StartupError::Store(format!("cannot reach {describe}: {e}")))?;
            Arc::new(store)
        }
    })
}

/// Build the upstream methods. Each SAML upstream gets one metadata holder, shared by the methods
/// naming it and refreshed in the background (`saml::refresh`) on `clock`'s time.
pub fn build_methods(config: &Config, records: &Records, clock: &Arc<dyn Clock>) -> Result<AuthenticatorRegistry, StartupError> {
    let mut registry = AuthenticatorRegistry::new();
    let mut holders: std::collections::HashMap<String, Arc<crate::saml::refresh::IdpHolder>> = std::collections::HashMap::new();
    for m in &config.methods {
        match &m.kind {
            MethodKind::Dev => {
                tracing::warn!(method = %m.id, "development login enabled: test persons only");
                registry.register(Arc::new(crate::dev::dev_login::DevLogin::new(m, &config.server.issuer)));
            }
            MethodKind::Certificate => {
                let cert = config.certificate.as_ref().ok_or_else(|| StartupError::Method {
                    method: m.id.to_string(),
                    reason: "certificate login needs a [certificate] section".into(),
                })?;
                let auth =
                    crate::authenticators::certificate::CertificateAuthenticator::new(m, cert).map_err(|reason| StartupError::Method {
                        method: m.id.to_string(),
                        reason,
                    })?;
                registry.register(Arc::new(auth));
            }
            MethodKind::Saml { upstream } => {
                // One SAML authenticator per method; config validation guarantees the upstream exists.
                let saml = config.saml.as_ref().ok_or_else(|| StartupError::Method {
                    method: m.id.to_string(),
                    reason: "no [saml] section".into(),
                })?;
                let up = saml.upstream(upstream).ok_or_else(|| StartupError::Method {
                    method: m.id.to_string(),
                    reason: format!("no [[saml.upstreams]] entry named {upstream:?}"),
                })?;
                let holder = match holders.get(upstream) {
                    Some(h) => h.clone(),
                    None => {
                        let h = crate::saml::refresh::IdpHolder::new(up.clone()).map_err(|reason| StartupError::Method {
                            method: m.id.to_string(),
                            reason,
                        })?;
                        h.spawn_refresh(clock.clone());
                        holders.insert(upstream.clone(), h.clone());
                        h
                    }
                };
                let sp = Arc::new(saml.sp.clone());
                registry.register(Arc::new(crate::authenticators::saml::SamlAuthenticator::new(
                    m,
                    sp,
                    holder,
                    records.clone(),
                )));
            }
            MethodKind::Oidc { upstream } => registry.register(Arc::new(oidc_method(config, m, upstream, records)?)),
            MethodKind::EudiWallet => {
                let flow = wallet_flow(config, m, records, clock)?;
                registry.set_wallet(flow.clone());
                registry.register(Arc::new(crate::authenticators::wallet::WalletAuthenticator::new(m, flow)));
            }
        }
    }
    Ok(registry)
}

/// The EUDI wallet service of the `kind = "eudi_wallet"` method: status lists fetched over HTTPS
/// (plain HTTP too in development), on the broker's rustls client.
fn wallet_flow(
    config: &Config,
    m: &crate::authenticators::MethodConfig,
    records: &Records,
    clock: &Arc<dyn Clock>,
) -> Result<Arc<crate::eudi::flow::WalletFlow>, StartupError> {
    let fail = |reason: String| StartupError::Method {
        method: m.id.to_string(),
        reason,
    };
    let settings = config.wallet.clone().ok_or_else(|| fail("no [wallet] section".into()))?;
    let client = crate::tls::http_client_builder()
        .map_err(|e| fail(e.to_string()))?
        .timeout(std::time::Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| fail(e.to_string()))?;
    let status = Arc::new(crate::eudi::status_list::HttpStatusSource::new(
        client,
        clock.clone(),
        settings.development,
    ));
    Ok(Arc::new(crate::eudi::flow::WalletFlow::new(
        settings,
        records.clone(),
        config.server.issuer.as_str(),
        status,
    )))
}

/// One `kind = "oidc"` method: its upstream client (discovery refreshed in the background from
/// here on) and the authenticator.
fn oidc_method(
    config: &Config,
    m: &crate::authenticators::MethodConfig,
    upstream: &str,
    records: &Records,
) -> Result<crate::authenticators::oidc::OidcAuthenticator, StartupError> {
    let fail = |reason: String| StartupError::Method {
        method: m.id.to_string(),
        reason,
    };
    let up = config
        .oidc_upstreams
        .iter()
        .find(|u| u.settings.name == upstream)
        .ok_or_else(|| fail(format!("no [[oidc_upstreams]] entry named {upstream:?}")))?;
    let redirect_uri = url::Url::parse(&config.server.url(&format!("/oidc/callback/{}", m.id))).map_err(|e| fail(e.to_string()))?;
    let client = crate::oidc_upstream::OidcUpstream::new(up.settings.clone()).map_err(fail)?;
    // The development simulator is the broker itself, not listening yet: fetched at first use.
    if up.dev_simulator.is_none() {
        client.spawn_refresh();
    }
    Ok(crate::authenticators::oidc::OidcAuthenticator::new(
        crate::authenticators::oidc::OidcMethod {
            id: m.id.clone(),
            ceiling: m.level,
            label_de: m.label_de.clone(),
            label_en: m.label_en.clone(),
            redirect_uri,
        },
        client,
        records.clone(),
    ))
}

/// Open the configured audit sink.
pub fn build_audit(config: &Config) -> Result<Audit, StartupError> {
    Ok(match &config.audit {
        AuditConfig::Stdout => Audit::new(Arc::new(StdoutSink)),
        AuditConfig::File(path) => {
            let sink = FileSink::open(path).map_err(|e| StartupError::Audit(format!("{}: {e}", path.display())))?;
            Audit::new(Arc::new(sink))
        }
    })
}

/// Assemble everything, with the configured audit sink.
pub async fn build_state(
    config: Config,
    clock: Arc<dyn Clock>,
    metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
) -> Result<AppState, StartupError> {
    let audit = build_audit(&config)?;
    build_state_with_audit(config, clock, metrics, audit).await
}

/// Assemble everything, writing the audit trail to `audit`.
pub async fn build_state_with_audit(
    config: Config,
    clock: Arc<dyn Clock>,
    metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    audit: Audit,
) -> Result<AppState, StartupError> {
    let keys = build_keys(&config)?;
    let store = build_store(&config).await?;
    let sealing = config.store.build_sealing_keys().map_err(StartupError::Store)?;
    let records = Records::new(store, Arc::new(Sealer::new(sealing)), &config.store.namespace);
    let methods = build_methods(&config, &records, &clock)?;
    Ok(AppState::with_audit(config, records, keys, clock, methods, metrics, audit))
}

/// The admin listener's router (`server.admin_listen`): metrics and probes, nothing else.
pub fn admin_router(state: AppState) -> Router {
    let max_body = state.config().server.max_body_bytes;
    crate::http::harden(crate::http::health::admin_routes().with_state(state), max_body, false)
}

/// The whole application router (tests drive it with `tower::ServiceExt::oneshot`).
pub fn router(state: AppState) -> Router {
    let max_body = state.config().server.max_body_bytes;
    let tls = state.config().server.tls.is_some();
    let mut router = Router::new()
        .merge(crate::http::health::routes(state.config().server.admin_listen.is_none()))
        .merge(crate::http::oidc::routes())
        .merge(crate::http::logout::routes())
        .merge(crate::http::logout_return::routes())
        .merge(crate::http::login::routes())
        .merge(crate::http::saml::routes())
        .merge(crate::http::cert_return::routes())
        .merge(crate::http::oidc_callback::routes(&state))
        .merge(crate::http::wallet::routes())
        .merge(crate::web::static_routes())
        .merge(crate::http::site::routes());
    if state.config().server.development {
        router = router.merge(crate::dev::routes());
    }
    // Unknown paths: the 404 page in the site's design (issue 15 item 3), never an empty body.
    let router = router.fallback(crate::http::site::not_found);
    // The language switch sets the language cookie (http/language.rs).
    let secure = state.broker().issuer().secure();
    let router = router.layer(axum::middleware::from_fn(move |req, next| {
        crate::http::language::remember(secure, req, next)
    }));
    crate::http::harden(router.with_state(state), max_body, tls)
}
