//! The development login method (test persons, chosen outcome).

use crate::state::AppState;
use axum::Router;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}
