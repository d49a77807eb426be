//! `client_id` and `redirect_uri` (OIDC Core §3.1.2.1, RFC 9700 §4.1.3): checked first, and every
//! failure here is a page — never a redirect to an unverified URI.

use super::params::RawParams;
use crate::config::{ClientConfig, Config};
use crate::web::PageError;

/// Verify the client and its redirect URI (exact string comparison with a registered URI).
pub fn check_client<'c>(config: &'c Config, p: &RawParams) -> Result<(&'c ClientConfig, String), PageError> {
    if p.is_duplicate("client_id") || p.is_duplicate("redirect_uri") {
        return Err(PageError::BadRequest);
    }
    let client_id = p.get("client_id").ok_or(PageError::UnknownClient)?;
    let client = config.clients.iter().find(|c| c.id == client_id).ok_or(PageError::UnknownClient)?;
    // OIDC Core §3.1.2.1: redirect_uri is REQUIRED, and must match a registered one exactly.
    let redirect_uri = p.get("redirect_uri").ok_or(PageError::InvalidRedirectUri)?;
    if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
        return Err(PageError::InvalidRedirectUri);
    }
    Ok((client, redirect_uri.to_owned()))
}
