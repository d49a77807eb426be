//! HTTP plumbing: router assembly, listeners, security headers, error mapping, health.

pub mod cookies;
pub mod error;
pub mod health;
pub mod mtls;
pub mod security;
pub mod server;

use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::Router;

/// The whole application router (tests drive it with `tower::ServiceExt::oneshot`).
pub fn router(state: AppState) -> Router {
    let max_body = state.config().server.max_body_bytes;
    let tls = state.config().server.tls.is_some();
    let mut router = Router::new()
        .merge(health::routes())
        .merge(crate::oidc_provider::routes::routes())
        .merge(crate::login::routes())
        .merge(crate::saml::routes())
        .merge(crate::authenticators::certificate::return_leg::routes())
        .merge(crate::web::static_routes());
    if state.config().server.development {
        router = router.merge(crate::dev::routes());
    }
    router
        .layer(axum::middleware::from_fn(move |req, next| security::headers(tls, req, next)))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(max_body))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}
