//! The one per-client check of an authenticated identity (issue 9 item 3, design brief §6): does
//! this login — fresh from an upstream, or an SSO session being reused — satisfy this client?
//!
//! - the method is one the client accepts (`allowed_methods`; `organisation_only` clients only
//!   methods that can yield an organisation),
//! - the level reached is at least the requirement (which already includes the client's
//!   `min_level`, `acr_values` and an essential `acr`; the client minimum is checked again here),
//! - an `organisation_only` client gets only logins that carry an organisation: ELSTER may log a
//!   person in with a personal certificate, and that session must not serve a business service.
//!
//! `finish.rs` (fresh login) and `authorize.rs` (SSO reuse) both call [`check`]; there is no
//! other path to a code.

use super::methods;
use crate::authenticators::Authenticator;
use crate::oidc_provider::settings::ClientConfig;
use crate::trust::TrustLevel;

/// Why an identity does not satisfy a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The method is unknown now or the client does not accept it.
    #[error("method not accepted by the client")]
    MethodNotAllowed,
    /// The level reached is below what the request needs.
    #[error("level below the requirement")]
    LevelTooLow,
    /// The client serves organisations only and the login carries none.
    #[error("organisation required")]
    OrganisationRequired,
}

impl Refusal {
    /// A stable token for the audit trail.
    pub fn token(&self) -> &'static str {
        match self {
            Self::MethodNotAllowed => "method_not_allowed",
            Self::LevelTooLow => "level_not_reached",
            Self::OrganisationRequired => "organisation_required",
        }
    }
}

/// What is known about the login being checked.
#[derive(Clone, Copy)]
pub struct Login<'a> {
    /// The method that authenticated (None: no longer configured).
    pub method: Option<&'a dyn Authenticator>,
    /// The level it counts for now (capped by the method ceiling, decayed for sessions).
    pub level: TrustLevel,
    /// Whether it carries an organisation.
    pub has_organisation: bool,
}

/// The check. Order matters only for which reason is reported first: method, organisation, level.
pub fn check(client: &ClientConfig, login: Login<'_>, required: TrustLevel) -> Result<(), Refusal> {
    let Some(method) = login.method else {
        return Err(Refusal::MethodNotAllowed);
    };
    if !methods::client_allows(client, method) {
        return Err(Refusal::MethodNotAllowed);
    }
    if client.organisation_only && !login.has_organisation {
        return Err(Refusal::OrganisationRequired);
    }
    if login.level < required.max(client.min_level) {
        return Err(Refusal::LevelTooLow);
    }
    Ok(())
}
