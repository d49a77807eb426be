//! Which upstream methods a client may use for a level, and the `idp_hint` check (design brief §3:
//! an unknown or insufficient hint is an error, never a silent downgrade).

use super::errors::{codes, ErrorCode, OAuthError};
use crate::authenticators::{Authenticator, AuthenticatorRegistry};
use crate::oidc_provider::settings::ClientConfig;
use crate::trust::TrustLevel;
use std::sync::Arc;

/// Whether the client allows a method at all (`allowed_methods`, `organisation_only`).
pub fn client_allows(client: &ClientConfig, method: &dyn Authenticator) -> bool {
    let listed = client
        .allowed_methods
        .as_ref()
        .map(|l| l.iter().any(|m| m == method.id().as_str()))
        .unwrap_or(true);
    listed && (!client.organisation_only || method.yields_organisation())
}

/// Methods that reach `level` and that the client allows, in display order.
pub fn eligible<'r>(registry: &'r AuthenticatorRegistry, client: &ClientConfig, level: TrustLevel) -> Vec<&'r Arc<dyn Authenticator>> {
    registry
        .sufficient_for(level, client.organisation_only)
        .into_iter()
        .filter(|m| client_allows(client, m.as_ref()))
        .collect()
}

/// The highest level any method the client allows can reach.
pub fn best_available(registry: &AuthenticatorRegistry, client: &ClientConfig) -> Option<TrustLevel> {
    eligible(registry, client, TrustLevel::Basic).iter().map(|m| m.max_level()).max()
}

/// Check an `idp_hint` against the eligible methods.
pub fn check_idp_hint(registry: &AuthenticatorRegistry, client: &ClientConfig, hint: &str, level: TrustLevel) -> Result<(), OAuthError> {
    let Some(method) = registry.get(hint) else {
        return Err(OAuthError::new(ErrorCode::InvalidRequest, "idp_hint names an unknown method"));
    };
    if !client_allows(client, method.as_ref()) {
        return Err(OAuthError::new(
            ErrorCode::InvalidRequest,
            "idp_hint names a method this client may not use",
        ));
    }
    if method.max_level() < level {
        return Err(codes::UNMET);
    }
    Ok(())
}
