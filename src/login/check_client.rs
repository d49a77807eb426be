//! `client_id` and `redirect_uri` (OIDC Core §3.1.2.1, RFC 9700 §4.1.3): checked first, and every
//! failure here is a page — never a redirect to an unverified URI.

use super::next::Problem;
use super::params::RawParams;
use crate::oidc_provider::broker::Broker;
use crate::oidc_provider::settings::ClientConfig;

/// Verify the client and its redirect URI (exact string comparison with a registered URI).
pub fn check_client<'c>(ctx: &'c Broker, p: &RawParams) -> Result<(&'c ClientConfig, String), Problem> {
    if p.is_duplicate("client_id") || p.is_duplicate("redirect_uri") {
        return Err(Problem::BadRequest);
    }
    let client_id = p.get("client_id").ok_or(Problem::UnknownClient)?;
    let client = ctx.client(client_id).ok_or(Problem::UnknownClient)?;
    // OIDC Core §3.1.2.1: redirect_uri is REQUIRED, and must match a registered one exactly.
    let redirect_uri = p.get("redirect_uri").ok_or(Problem::InvalidRedirectUri)?;
    if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
        return Err(Problem::InvalidRedirectUri);
    }
    Ok((client, redirect_uri.to_owned()))
}
