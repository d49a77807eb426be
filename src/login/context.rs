//! What the login core needs from the running broker, in one place (issue 14 item 1).
//!
//! The login core takes its context as [`Broker`] and reaches configuration only through the
//! accessors of [`BrokerView`]: the store (`records()`), the clock, the methods, the issuer, a
//! client by id, the session limits and the OIDC settings. Until the context type
//! `oidc_provider::Broker` exists, [`Broker`] is the application state and this file is the only
//! one of `login` that names it; switching is then a change of this file.

use crate::config::{ClientConfig, OidcConfig, SessionLimits};
use crate::trust::TrustLevel;

/// The context every login step takes.
pub type Broker = crate::state::AppState;

/// Settings and lookups of the context (named as on `oidc_provider::Broker`).
pub trait BrokerView {
    /// The issuer as sent in `iss` and in discovery (RFC 9207 §2), without a trailing slash.
    fn issuer(&self) -> &str;
    /// A registered client.
    fn client(&self, id: &str) -> Option<&ClientConfig>;
    /// The session limits of a level (`store.session_limits`).
    fn limits_for(&self, level: TrustLevel) -> SessionLimits;
    /// `[oidc]`: TTLs and pairwise secrets.
    fn oidc(&self) -> &OidcConfig;
}

impl BrokerView for Broker {
    fn issuer(&self) -> &str {
        self.config().server.issuer.as_str().trim_end_matches('/')
    }

    fn client(&self, id: &str) -> Option<&ClientConfig> {
        self.config().clients.iter().find(|c| c.id == id)
    }

    fn limits_for(&self, level: TrustLevel) -> SessionLimits {
        self.config().store.limits_for(level)
    }

    fn oidc(&self) -> &OidcConfig {
        &self.config().oidc
    }
}
