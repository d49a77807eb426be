//! Application state: the axum state of the HTTP edge — the broker core's context
//! ([`Broker`]), the validated configuration the edge reads (listeners, simulators, SAML, TLS) and
//! the metrics handle. Style guide: `Arc<dyn Trait>` services, no globals.

use crate::audit::Audit;
use crate::authenticators::AuthenticatorRegistry;
use crate::clock::Clock;
use crate::config::Config;
use crate::keys::KeyRing;
use crate::oidc_provider::broker::{Broker, Issuer, ProviderSettings};
use crate::session::Records;
use std::sync::Arc;

/// Shared state. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    broker: Broker,
    config: Config,
    metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
}

impl AppState {
    /// Assemble the state without an audit trail (tools, tests that do not read it).
    pub fn new(
        config: Config,
        records: Records,
        keys: KeyRing,
        clock: Arc<dyn Clock>,
        methods: AuthenticatorRegistry,
        metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    ) -> Self {
        Self::with_audit(config, records, keys, clock, methods, metrics, Audit::discard())
    }

    /// Assemble the state; the core's context is built from the configuration here.
    pub fn with_audit(
        config: Config,
        records: Records,
        keys: KeyRing,
        clock: Arc<dyn Clock>,
        methods: AuthenticatorRegistry,
        metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
        audit: Audit,
    ) -> Self {
        let settings = ProviderSettings {
            issuer: Issuer::new(&config.server.issuer),
            clients: config.clients.clone(),
            oidc: config.oidc.clone(),
            sessions: config.store.sessions.clone(),
        };
        Self {
            inner: Arc::new(Inner {
                broker: Broker::new(settings, records, keys, clock, methods, audit),
                config,
                metrics,
            }),
        }
    }

    /// The broker core's context.
    pub fn broker(&self) -> &Broker {
        &self.inner.broker
    }
    /// The page chrome: branding and legal links.
    pub fn site(&self) -> &crate::config::Site {
        &self.inner.config.site
    }
    /// Validated configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }
    /// The record store.
    pub fn records(&self) -> &Records {
        self.inner.broker.records()
    }
    /// Signing keys.
    pub fn keys(&self) -> &KeyRing {
        self.inner.broker.keys()
    }
    /// The clock.
    pub fn clock(&self) -> &dyn Clock {
        self.inner.broker.clock()
    }
    /// Upstream methods.
    pub fn methods(&self) -> &AuthenticatorRegistry {
        self.inner.broker.methods()
    }
    /// Prometheus handle, when metrics are enabled.
    pub fn metrics(&self) -> Option<&metrics_exporter_prometheus::PrometheusHandle> {
        self.inner.metrics.as_ref()
    }
}
