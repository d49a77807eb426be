//! The provider's token-side endpoints at the edge: discovery, JWKS, token, userinfo,
//! introspection, revocation. Handlers read the request, call `oidc_provider` with the broker's
//! context and map the result ([`errors`]).

pub mod endpoints;
pub mod errors;
pub mod jwks;

use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;

/// The provider's routes (token side).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/.well-known/openid-configuration", get(endpoints::discovery_show))
        .route("/jwks", get(jwks::jwks_show))
        .route("/token", post(endpoints::token_create))
        .route("/userinfo", get(endpoints::userinfo_get).post(endpoints::userinfo_post))
        .route("/introspect", post(endpoints::introspect_create))
        .route("/revoke", post(endpoints::revoke_create))
}
