//! The broker core between the relying party's request and the upstream login: `/authorize`, the
//! login choice, starting and finishing upstream methods, SSO session, step-up, consent and the
//! code redirect.

use crate::authenticators::{AuthnError, VerifiedIdentity};
use crate::state::AppState;
use axum::response::{IntoResponse, Response};
use axum::Router;

/// The login routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}

/// Continue the parked authorization `pending_id` once an upstream method has finished —
/// successfully or not. Upstream endpoints (SAML ACS, certificate listener, simulators) call this
/// and return its response to the browser.
pub async fn continue_after_upstream(state: &AppState, pending_id: &str, outcome: Result<VerifiedIdentity, AuthnError>) -> Response {
    let _ = (state, pending_id, outcome);
    http::StatusCode::NOT_IMPLEMENTED.into_response()
}
