//! Shared SAML 2.0 service-provider machinery (one SP entity, several upstream IdPs): AuthnRequest,
//! SP metadata, Response verification and decryption.

use crate::state::AppState;
use axum::Router;

/// SAML routes (`/saml/metadata`, `/saml/acs`).
pub fn routes() -> Router<AppState> {
    Router::new()
}
