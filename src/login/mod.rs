//! The broker core between the relying party's request and the upstream login: `/authorize`, the
//! login choice, starting and finishing upstream methods, SSO session, step-up, consent and the
//! code redirect. One file per check or step (node-oidc-provider style); docs/architecture.md
//! describes the flow.

pub mod acr;
pub mod authorize;
pub mod binding;
pub mod check_claims;
pub mod check_client;
pub mod check_max_age;
pub mod check_pkce;
pub mod check_prompt;
pub mod check_request;
pub mod check_scope;
pub mod choice;
pub mod client_policy;
pub mod code;
pub mod consent;
pub mod errors;
pub mod finish;
pub mod flow;
pub mod methods;
pub mod params;
pub mod pending;
pub mod restart;
pub mod resume;
pub mod session;
pub mod sso;
pub mod start;
pub mod upstream_error;

use crate::authenticators::AuthnError;
use crate::identity::VerifiedIdentity;
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
}

/// Continue the parked authorization `pending_id` once an upstream method has finished —
/// successfully or not. Every upstream return leg (development login, certificate return,
/// [`resume`] after the SAML ACS, and every method added later) calls this with the binding cookie
/// its request presented, and returns the response to the browser. The binding is checked here,
/// first, in this one place: a browser that did not start the login gets the restart page and
/// nothing is created (issue 9 item 1).
pub async fn continue_after_upstream(
    state: &AppState,
    pending_id: &str,
    presented: Option<&binding::Presented>,
    outcome: Result<VerifiedIdentity, AuthnError>,
) -> Response {
    finish::continue_after_upstream(state, pending_id, presented, outcome).await
}
