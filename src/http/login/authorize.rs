//! (HTTP edge) `GET` and `POST /authorize` (OIDC Core §3.1.2.1): the parameters from the query or
//! the form body, the language negotiated (`ui_locales`, `Accept-Language`), the cookies read;
//! the checks and decisions are `login/authorize.rs`.

use super::{browser, respond};
use crate::login::params::RawParams;
use crate::state::AppState;
use crate::web::{locale, PageError};
use axum::extract::{RawQuery, State};
use axum::response::Response;
use http::HeaderMap;

/// `GET /authorize`.
pub async fn authorize_get(State(state): State<AppState>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    authorize(&state, &headers, RawParams::parse(query.as_deref().unwrap_or_default())).await
}

/// `POST /authorize` (form-encoded body, OIDC Core §3.1.2.1).
pub async fn authorize_post(State(state): State<AppState>, headers: HeaderMap, body: String) -> Response {
    let form = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.starts_with("application/x-www-form-urlencoded"))
        .unwrap_or(false);
    if !form {
        return PageError::BadRequest.render(state.site(), locale::negotiate(None, None, &headers));
    }
    authorize(&state, &headers, RawParams::parse(&body)).await
}

async fn authorize(state: &AppState, headers: &HeaderMap, p: RawParams) -> Response {
    let loc = locale::negotiate(None, p.get("ui_locales"), headers);
    let outcome = crate::login::authorize::authorize(state.broker(), &p, loc.as_str(), &browser::read(state, headers)).await;
    respond(state, outcome)
}
