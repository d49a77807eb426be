//! `scope` (OIDC Core §3.1.2.1, RFC 6749 §3.3): must contain `openid`; a scope the client is not
//! registered for is refused (`invalid_scope`) rather than silently dropped, so a relying party
//! learns about a misconfiguration instead of missing data.

use super::errors::{ErrorCode, OAuthError};
use super::params::RawParams;
use crate::oidc_provider::settings::ClientConfig;

/// The requested scopes, deduplicated, in request order.
pub fn check_scope(client: &ClientConfig, p: &RawParams) -> Result<Vec<String>, OAuthError> {
    let mut scopes: Vec<String> = Vec::new();
    for s in p.list("scope") {
        if !scopes.contains(&s) {
            scopes.push(s);
        }
    }
    if !scopes.iter().any(|s| s == "openid") {
        return Err(OAuthError::new(ErrorCode::InvalidScope, "scope must include openid"));
    }
    if scopes.iter().any(|s| !client.scopes.contains(s)) {
        return Err(OAuthError::new(
            ErrorCode::InvalidScope,
            "a requested scope is not allowed for this client",
        ));
    }
    Ok(scopes)
}
