//! (HTTP edge) The login handlers: `/authorize`, the choice page, starting and cancelling a
//! method, the continue leg after the SAML ACS, and consent. Each handler reads the request
//! (headers, cookies, query or form, the negotiated language), calls the login step in
//! [`crate::login`] and maps its [`Outcome`](crate::login::Outcome) with [`respond::respond`].

pub mod authorize;
pub mod browser;
pub mod choice;
pub mod consent;
pub mod respond;
pub mod restart;
pub mod resume;
pub mod start;
pub mod upstream_error;

pub use respond::{respond, respond_to};

use crate::authenticators::AuthnError;
use crate::identity::VerifiedIdentity;
use crate::ids::PendingId;
use crate::login::binding::Presented;
use crate::state::AppState;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

/// The login routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/authorize", get(authorize::authorize_get).post(authorize::authorize_post))
        .route("/login/{id}", get(choice::choice_get))
        .route("/login/{id}/start", post(start::start_post))
        .route("/login/{id}/cancel", post(start::cancel_post))
        .route("/login/continue/{handle}", get(resume::continue_get))
        .route("/consent/{id}", get(consent::consent_get).post(consent::consent_post))
        .route("/login/failed/{id}", get(upstream_error::failed_get))
}

/// A return leg's last step: [`crate::login::continue_after_upstream`] (the binding check first),
/// its outcome sent to the browser.
pub async fn continue_after_upstream(
    state: &AppState,
    pending_id: &PendingId,
    presented: Option<&Presented>,
    outcome: Result<VerifiedIdentity, AuthnError>,
) -> Response {
    continue_for(state, &http::HeaderMap::new(), pending_id, presented, outcome).await
}

/// [`continue_after_upstream`] for a request with `headers` (the restart page in the browser's
/// language).
pub async fn continue_for(
    state: &AppState,
    headers: &http::HeaderMap,
    pending_id: &PendingId,
    presented: Option<&Presented>,
    outcome: Result<VerifiedIdentity, AuthnError>,
) -> Response {
    respond_to(
        state,
        headers,
        crate::login::continue_after_upstream(state.broker(), pending_id, presented, outcome).await,
    )
}
