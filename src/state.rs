//! Application state: one `Clone` handle to the services every handler needs (style guide:
//! `Arc<dyn Trait>` services, no globals).

use crate::authenticators::AuthenticatorRegistry;
use crate::clock::Clock;
use crate::config::Config;
use crate::keys::KeyRing;
use crate::session::Records;
use std::sync::Arc;

/// Shared state. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    records: Records,
    keys: KeyRing,
    clock: Arc<dyn Clock>,
    methods: AuthenticatorRegistry,
    metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
}

impl AppState {
    /// Assemble the state.
    pub fn new(
        config: Config,
        records: Records,
        keys: KeyRing,
        clock: Arc<dyn Clock>,
        methods: AuthenticatorRegistry,
        metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                config,
                records,
                keys,
                clock,
                methods,
                metrics,
            }),
        }
    }

    /// Validated configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }
    /// The record store.
    pub fn records(&self) -> &Records {
        &self.inner.records
    }
    /// Signing keys.
    pub fn keys(&self) -> &KeyRing {
        &self.inner.keys
    }
    /// The clock.
    pub fn clock(&self) -> &dyn Clock {
        self.inner.clock.as_ref()
    }
    /// Upstream methods.
    pub fn methods(&self) -> &AuthenticatorRegistry {
        &self.inner.methods
    }
    /// Prometheus handle, when metrics are enabled.
    pub fn metrics(&self) -> Option<&metrics_exporter_prometheus::PrometheusHandle> {
        self.inner.metrics.as_ref()
    }
}
