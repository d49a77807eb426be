//! The development eID simulator: a SAML IdP answering like the German eIDAS middleware.

use crate::state::AppState;
use axum::Router;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}
