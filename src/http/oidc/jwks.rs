//! `GET /jwks` (edge): the public keys of the key ring (RFC 7517 §5), active and publish-only, so relying
//! parties can verify tokens across a key rotation.

use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

/// `GET /jwks`.
pub async fn jwks_show(State(state): State<AppState>) -> Response {
    // Serialised once when the key ring was built.
    let mut res = state.keys().jwks_json().to_owned().into_response();
    res.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/jwk-set+json"),
    );
    // Short cache: a new key must be picked up within the rotation wait (keys module docs).
    res.headers_mut()
        .insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static("public, max-age=300"));
    res
}
