//! The demo relying party at `/demo` (an OIDC client of this broker, using the openidconnect crate).

use crate::state::AppState;
use axum::Router;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}
