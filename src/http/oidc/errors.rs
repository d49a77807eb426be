//! OAuth errors on the wire (the types are `oidc_provider::errors`): RFC 6749 §5.2 JSON with
//! `Cache-Control: no-store` (§5.1), 401 + `WWW-Authenticate: Basic` for a failed HTTP Basic
//! attempt (§5.2), `Retry-After` when temporarily unavailable, and RFC 6750 §3 challenges at
//! userinfo. An internal detail is logged here, once, and never sent.

use crate::oidc_provider::errors::{BearerError, ErrorCode, OAuthError};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::header::{self, HeaderValue};
use http::StatusCode;

/// `Cache-Control: no-store` and `Pragma: no-cache` (RFC 6749 §5.1): set on every token-side JSON.
pub fn no_store(res: &mut Response) {
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

/// RFC 6749 §5.2: 400, except 401 for `invalid_client`; 503 and 500 for our own failures.
fn status(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::InvalidClient => StatusCode::UNAUTHORIZED,
        ErrorCode::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        if let Some(detail) = &self.detail {
            tracing::error!(error = %detail, code = self.code.as_str(), "token-side request failed");
        }
        let mut body = serde_json::json!({ "error": self.code.as_str() });
        if let Some(d) = self.description {
            body["error_description"] = serde_json::Value::from(d);
        }
        let mut res = (status(self.code), Json(body)).into_response();
        no_store(&mut res);
        if self.code == ErrorCode::InvalidClient && self.basic_challenge {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"buergerkonto\""));
        }
        if self.code == ErrorCode::TemporarilyUnavailable {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
        }
        res
    }
}

impl IntoResponse for BearerError {
    fn into_response(self) -> Response {
        let (status, challenge) = match self {
            Self::Missing => (StatusCode::UNAUTHORIZED, "Bearer realm=\"buergerkonto\""),
            Self::InvalidRequest => (StatusCode::BAD_REQUEST, "Bearer realm=\"buergerkonto\", error=\"invalid_request\""),
            Self::InvalidToken => (StatusCode::UNAUTHORIZED, "Bearer realm=\"buergerkonto\", error=\"invalid_token\""),
            Self::Unavailable => {
                let mut res = OAuthError::new(ErrorCode::TemporarilyUnavailable, "try again later").into_response();
                res.headers_mut().remove(header::WWW_AUTHENTICATE);
                return res;
            }
        };
        let mut res = status.into_response();
        res.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
        no_store(&mut res);
        res
    }
}
