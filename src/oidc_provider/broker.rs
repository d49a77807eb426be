//! The context of the broker core: what `oidc_provider` and `login` work with — the issuer, the
//! registered relying parties, the OIDC settings, the record store, the signing keys, the clock and
//! the upstream methods. The HTTP edge holds one inside its `AppState` and passes `&Broker` down;
//! the core never sees the configuration loader or axum (issue 14).

use super::settings::{ClientConfig, OidcConfig};
use crate::audit::{Audit, AuditEvent};
use crate::authenticators::AuthenticatorRegistry;
use crate::clock::Clock;
use crate::keys::KeyRing;
use crate::session::{Records, SessionSettings};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// The issuer identifier (OIDC Discovery §3, RFC 9207): the configured URL without a trailing
/// slash, exactly as it appears in `iss`, discovery and authorization responses (the `url` crate
/// adds a slash to an empty path; relying parties configure `https://host`, not `https://host/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    id: String,
    https: bool,
}

impl Issuer {
    /// From the validated issuer URL.
    pub fn new(url: &url::Url) -> Self {
        Self {
            id: url.as_str().trim_end_matches('/').to_owned(),
            https: url.scheme() != "http",
        }
    }

    /// The identifier.
    pub fn as_str(&self) -> &str {
        &self.id
    }

    /// An absolute URL of the broker (`path` starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.id)
    }

    /// Whether cookies get `Secure` and the `__Host-` prefix (everything but a loopback `http`
    /// development issuer).
    pub fn secure(&self) -> bool {
        self.https
    }
}

impl std::fmt::Display for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.id)
    }
}

/// The provider's validated settings (built by `config`).
#[derive(Debug, Clone)]
pub struct ProviderSettings {
    /// The issuer.
    pub issuer: Issuer,
    /// Registered relying parties.
    pub clients: Vec<ClientConfig>,
    /// Lifetimes and pairwise secrets.
    pub oidc: OidcConfig,
    /// How long a broker session may be used at each level.
    pub sessions: SessionSettings,
}

/// The core's services and settings. Cheap to clone.
#[derive(Clone)]
pub struct Broker {
    inner: Arc<Inner>,
}

struct Inner {
    settings: ProviderSettings,
    /// `client_id` → index into `settings.clients`, built once (every token-side request looks
    /// its client up).
    client_index: HashMap<String, usize>,
    /// Verified Argon2id client secrets (see `client_auth::SecretCache`).
    secret_cache: super::client_auth::SecretCache,
    /// The discovery document as served, serialised on first use (settings and keys are fixed
    /// for the life of the broker).
    discovery_json: OnceLock<String>,
    records: Records,
    keys: KeyRing,
    clock: Arc<dyn Clock>,
    methods: AuthenticatorRegistry,
    audit: Audit,
}

impl Broker {
    /// Assemble the context.
    pub fn new(
        settings: ProviderSettings,
        records: Records,
        keys: KeyRing,
        clock: Arc<dyn Clock>,
        methods: AuthenticatorRegistry,
        audit: Audit,
    ) -> Self {
        let client_index = settings
            .clients
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str().to_owned(), i))
            .collect();
        Self {
            inner: Arc::new(Inner {
                client_index,
                secret_cache: super::client_auth::SecretCache::new(),
                discovery_json: OnceLock::new(),
                settings,
                records,
                keys,
                clock,
                methods,
                audit,
            }),
        }
    }

    /// The issuer.
    pub fn issuer(&self) -> &Issuer {
        &self.inner.settings.issuer
    }
    /// Every registered relying party.
    pub fn clients(&self) -> &[ClientConfig] {
        &self.inner.settings.clients
    }
    /// A registered relying party by `client_id`.
    pub fn client(&self, id: &str) -> Option<&ClientConfig> {
        self.inner.client_index.get(id).and_then(|&i| self.clients().get(i))
    }
    /// The cache of verified Argon2id client secrets.
    pub fn secret_cache(&self) -> &super::client_auth::SecretCache {
        &self.inner.secret_cache
    }
    /// The discovery document (OIDC Discovery §4) as JSON, built once.
    pub fn discovery_json(&self) -> &str {
        self.inner
            .discovery_json
            .get_or_init(|| super::discovery::metadata(self).to_string())
    }
    /// Lifetimes and pairwise secrets.
    pub fn oidc(&self) -> &OidcConfig {
        &self.inner.settings.oidc
    }
    /// Per-level session limits.
    pub fn sessions(&self) -> &SessionSettings {
        &self.inner.settings.sessions
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
    /// The audit trail.
    pub fn audit_trail(&self) -> &Audit {
        &self.inner.audit
    }
    /// Record one audit event now (issue 12 item 3; docs/operations.md, "Audit trail").
    /// Each event also counts in `buergerkonto_login_events_total{event, method, level}` (the
    /// labels are bounded: fixed events, configured method ids, four levels).
    pub fn audit(&self, event: AuditEvent) {
        metrics::counter!(
            "buergerkonto_login_events_total",
            "event" => event.kind_name(),
            "method" => event.method_label(),
            "level" => event.level_label(),
        )
        .increment(1);
        self.inner.audit.emit(self.clock().unix(), event);
    }
}
