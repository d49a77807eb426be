//! (HTTP edge) The EUDI wallet endpoints (issue 16; docs/eudi-wallet.md), all below the issuer:
//!
//! - `GET  /wallet/start/{handle}`: the page (wallet_page.rs);
//! - `GET|POST /wallet/request/{handle}`: `request_uri`, the signed request object
//!   (`application/oauth-authz-req+jwt`, RFC 9101 §5.2); POST takes `wallet_metadata` and
//!   `wallet_nonce` (OpenID4VP 1.0 §5.10) and echoes the nonce; `?flow=cross` marks the QR code's;
//! - `POST /wallet/response/{handle}`: `response_uri` (`direct_post.jwt`, §8.3), 200
//!   `{"redirect_uri": …}` (same-device) or `{}`; errors as JSON `{error, error_description}`;
//! - `GET  /wallet/return?response_code=…`: the browser back from the wallet (same-device);
//! - `GET  /wallet/poll/{handle}`: "Weiter" (cross-device).
//!
//! The wallet-facing endpoints answer JSON with `Cache-Control: no-store`; the decisions are the
//! flow's ([`crate::eudi::flow`]) and the login's ([`crate::login::wallet_return`]).

use crate::eudi::flow::{FlowError, WalletFlow};
use crate::eudi::response::ResponseForm;
use crate::eudi::transaction::{Flow, Handle};
use crate::login::wallet_return::{self, Poll};
use crate::state::AppState;
use crate::web::Locale;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

/// The routes (mounted always; without a wallet method they answer as unknown).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/wallet/start/{handle}", get(start_get))
        .route("/wallet/request/{handle}", get(request_get).post(request_post))
        .route("/wallet/response/{handle}", axum::routing::post(response_post))
        .route("/wallet/return", get(return_get))
        .route("/wallet/poll/{handle}", get(poll_get))
}

fn json(status: http::StatusCode, body: serde_json::Value) -> Response {
    (
        status,
        [
            (http::header::CONTENT_TYPE, "application/json"),
            (http::header::CACHE_CONTROL, "no-store"),
        ],
        body.to_string(),
    )
        .into_response()
}

/// A wallet-facing error (OpenID4VP 1.0 §8.2; RFC 6749 §5.2 shape).
pub fn error_json(e: &FlowError) -> Response {
    if e.is_server_error() {
        tracing::error!(error = %e, "wallet endpoint failed");
        return json(
            http::StatusCode::INTERNAL_SERVER_ERROR,
            serde_json::json!({"error": "server_error", "error_description": "internal error"}),
        );
    }
    tracing::info!(error = %e, "wallet request refused");
    json(
        http::StatusCode::BAD_REQUEST,
        serde_json::json!({"error": e.wire_code(), "error_description": e.to_string()}),
    )
}

fn flow(state: &AppState) -> Result<Arc<WalletFlow>, FlowError> {
    state.broker().methods().wallet().cloned().ok_or(FlowError::Unknown)
}

fn handle(raw: &str) -> Result<Handle, FlowError> {
    Handle::parse(raw).ok_or(FlowError::Unknown)
}

/// The page's language: the language cookie (the switch), else the request's.
fn locale_of(headers: &http::HeaderMap, stored: &str) -> Locale {
    crate::web::locale::from_cookie(headers).unwrap_or_else(|| Locale::parse_or_default(stored))
}

/// `GET /wallet/start/{handle}`.
async fn start_get(State(state): State<AppState>, Path(raw): Path<String>, headers: http::HeaderMap) -> Response {
    let found = match (flow(&state), handle(&raw)) {
        (Ok(f), Ok(h)) => f.get(&h, state.broker().clock().now()).await.map(|t| t.map(|t| (f, h, t))),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match found {
        Ok(Some((f, h, t))) => {
            let locale = locale_of(&headers, &t.locale);
            super::wallet_page::page(&state, &f, &h, locale, None)
        }
        Ok(None) | Err(FlowError::Unknown) => crate::http::login::respond_to(
            &state,
            &headers,
            crate::login::Next::Restart(crate::login::restart::unknown()).into(),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "wallet page failed");
            crate::web::PageError::Unavailable.render(state.site(), Locale::De)
        }
    }
}

fn flow_of(query: Option<&str>) -> Flow {
    let cross = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()).any(|(k, v)| k == "flow" && v == "cross");
    if cross {
        Flow::CrossDevice
    } else {
        Flow::SameDevice
    }
}

async fn request_object(state: &AppState, raw: &str, flow_kind: Flow, wallet_nonce: Option<&str>) -> Response {
    let jar = match (flow(state), handle(raw)) {
        (Ok(f), Ok(h)) => f.request_object(&h, flow_kind, wallet_nonce, state.broker().clock().now()).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match jar {
        Ok(jar) => (
            [
                (http::header::CONTENT_TYPE, crate::eudi::request::JAR_MEDIA_TYPE),
                (http::header::CACHE_CONTROL, "no-store"),
            ],
            jar,
        )
            .into_response(),
        Err(e) => error_json(&e),
    }
}

/// `GET /wallet/request/{handle}`.
async fn request_get(State(state): State<AppState>, Path(raw): Path<String>, RawQuery(query): RawQuery) -> Response {
    request_object(&state, &raw, flow_of(query.as_deref()), None).await
}

/// `POST /wallet/request/{handle}` (`request_uri_method=post`): `wallet_metadata` is read for
/// nothing yet (we offer one format and both `enc` values HAIP requires); `wallet_nonce` is echoed.
async fn request_post(State(state): State<AppState>, Path(raw): Path<String>, RawQuery(query): RawQuery, body: Bytes) -> Response {
    let mut nonce: Option<String> = None;
    for (k, v) in url::form_urlencoded::parse(&body) {
        if k == "wallet_nonce" && nonce.replace(v.into_owned()).is_some() {
            return error_json(&FlowError::Response(crate::eudi::response::ResponseError::Missing));
        }
    }
    if nonce.as_ref().is_some_and(|n| n.len() > 256) {
        return json(
            http::StatusCode::BAD_REQUEST,
            serde_json::json!({"error": "invalid_request", "error_description": "wallet_nonce too long"}),
        );
    }
    request_object(&state, &raw, flow_of(query.as_deref()), nonce.as_deref()).await
}

/// `POST /wallet/response/{handle}`.
async fn response_post(State(state): State<AppState>, Path(raw): Path<String>, body: Bytes) -> Response {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let Some(form) = ResponseForm::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))) else {
        return error_json(&FlowError::Response(crate::eudi::response::ResponseError::Missing));
    };
    let outcome = match (flow(&state), handle(&raw)) {
        (Ok(f), Ok(h)) => f.receive(&h, &form, state.broker().clock().now()).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match outcome {
        Ok(accepted) => match accepted.redirect_uri {
            Some(uri) => json(http::StatusCode::OK, serde_json::json!({ "redirect_uri": uri })),
            None => json(http::StatusCode::OK, serde_json::json!({})),
        },
        Err(e) => error_json(&e),
    }
}

/// `GET /wallet/return?response_code=…` (a parameter sent twice makes it unusable).
async fn return_get(State(state): State<AppState>, headers: http::HeaderMap, RawQuery(query): RawQuery) -> Response {
    let mut code: Option<String> = None;
    let mut repeated = false;
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if k == "response_code" {
            repeated |= code.replace(v.into_owned()).is_some();
        }
    }
    let presented = crate::http::login::browser::binding(&state, &headers);
    let code = code.filter(|_| !repeated);
    let outcome = wallet_return::wallet_return(state.broker(), code.as_deref(), presented.as_ref()).await;
    crate::http::login::respond_to(&state, &headers, outcome)
}

/// `GET /wallet/poll/{handle}`.
async fn poll_get(State(state): State<AppState>, Path(raw): Path<String>, headers: http::HeaderMap) -> Response {
    let presented = crate::http::login::browser::binding(&state, &headers);
    match wallet_return::poll(state.broker(), &raw, presented.as_ref()).await {
        Poll::Done(outcome) => crate::http::login::respond_to(&state, &headers, outcome),
        Poll::Waiting { state: waiting, locale } => match (flow(&state), handle(&raw)) {
            (Ok(f), Ok(h)) => {
                let locale = locale_of(&headers, &locale);
                super::wallet_page::page(&state, &f, &h, locale, Some(&waiting))
            }
            _ => crate::web::PageError::Expired.render(state.site(), Locale::De),
        },
    }
}
