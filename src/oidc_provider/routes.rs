//! Provider endpoints: discovery, JWKS, token, userinfo, introspection, revocation.

use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;

/// The provider's routes (token side).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/.well-known/openid-configuration", get(super::discovery::discovery_show))
        .route("/jwks", get(super::jwks::jwks_show))
        .route("/token", post(super::token::token_create))
        .route("/userinfo", get(super::userinfo::userinfo_get).post(super::userinfo::userinfo_post))
        .route("/introspect", post(super::introspect::introspect_create))
        .route("/revoke", post(super::revoke::revoke_create))
}
