//! Provider endpoints: discovery, JWKS, token, userinfo, introspection, revocation.

use crate::state::AppState;
use axum::Router;

/// The provider's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}
