//! Development-only components: simulators and the demo relying party. Routed only when
//! `server.development = true`, which config validation allows only on a loopback issuer.

use crate::state::AppState;
use axum::Router;

/// Development routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}
