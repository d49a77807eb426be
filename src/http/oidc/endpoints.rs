//! Handlers of the token-side endpoints: each reads headers and body, calls the provider and maps
//! the outcome to JSON with `Cache-Control: no-store` (RFC 6749 §5.1) or to the error response.

use super::errors::no_store;
use crate::oidc_provider::token::TokenSideRequest;
use crate::oidc_provider::userinfo::BearerRequest;
use crate::oidc_provider::{introspect, revoke, token, userinfo};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::{header, HeaderMap, StatusCode};

fn text(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn token_side<'a>(headers: &'a HeaderMap, body: &'a [u8]) -> TokenSideRequest<'a> {
    TokenSideRequest {
        authorization: text(headers, header::AUTHORIZATION),
        content_type: text(headers, header::CONTENT_TYPE),
        body,
    }
}

fn json_no_store(value: impl serde::Serialize) -> Response {
    let mut res = Json(value).into_response();
    no_store(&mut res);
    res
}

/// `GET /.well-known/openid-configuration` (OIDC Discovery §4).
pub async fn discovery_show(State(state): State<AppState>) -> Response {
    let mut res = state.broker().discovery_json().to_owned().into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
    // Public and stable: caches may keep it briefly (the security layer adds no-store otherwise).
    res.headers_mut()
        .insert(header::CACHE_CONTROL, http::HeaderValue::from_static("public, max-age=300"));
    res
}

/// `POST /token`.
pub async fn token_create(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    match token::token(state.broker(), token_side(&headers, &body)).await {
        Ok(resp) => json_no_store(resp),
        Err(e) => e.into_response(),
    }
}

/// `POST /introspect`.
pub async fn introspect_create(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    match introspect::introspect(state.broker(), token_side(&headers, &body)).await {
        Ok(v) => json_no_store(v),
        Err(e) => e.into_response(),
    }
}

/// `POST /revoke`.
pub async fn revoke_create(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    match revoke::revoke(state.broker(), token_side(&headers, &body)).await {
        Ok(()) => {
            let mut res = StatusCode::OK.into_response();
            no_store(&mut res);
            res
        }
        Err(e) => e.into_response(),
    }
}

async fn userinfo_answer(state: &AppState, headers: &HeaderMap, body: Option<&[u8]>) -> Response {
    let req = BearerRequest {
        authorization: headers.get(header::AUTHORIZATION).map(|v| v.as_bytes()),
        content_type: text(headers, header::CONTENT_TYPE),
        body,
    };
    match userinfo::userinfo(state.broker(), req).await {
        Ok(claims) => json_no_store(serde_json::Value::Object(claims)),
        Err(e) => e.into_response(),
    }
}

/// `GET /userinfo`.
pub async fn userinfo_get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    userinfo_answer(&state, &headers, None).await
}

/// `POST /userinfo`.
pub async fn userinfo_post(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    userinfo_answer(&state, &headers, Some(&body)).await
}
