//! `/healthz` (process up), `/readyz` (store reachable and keys loaded), `/metrics` (Prometheus).
//! With `server.admin_listen` all three are served there ([`admin_routes`]) and the public listener
//! keeps only the probes; without it (development, small set-ups) the public one serves all three.

use crate::state::AppState;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use http::StatusCode;

/// Health routes of the public listener: `/metrics` only when there is no admin listener.
pub fn routes(with_metrics: bool) -> Router<AppState> {
    let r = Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz));
    if with_metrics {
        r.route("/metrics", get(metrics_text))
    } else {
        r
    }
}

/// The admin listener's routes.
pub fn admin_routes() -> Router<AppState> {
    routes(true)
}

async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let store = state.records().backend().ping().await;
    let keys = !state.keys().signing_algs().is_empty();
    let ok = store.is_ok() && keys;
    let status = if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    if let Err(e) = &store {
        tracing::warn!(error = %e, "readiness: store not reachable");
    }
    (
        status,
        Json(serde_json::json!({
            "status": if ok { "ready" } else { "not_ready" },
            "store": if store.is_ok() { "ok" } else { "unavailable" },
            "keys": if keys { "ok" } else { "missing" },
        })),
    )
}

async fn metrics_text(State(state): State<AppState>) -> impl IntoResponse {
    match state.metrics() {
        Some(h) => (
            StatusCode::OK,
            [(http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            h.render(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
