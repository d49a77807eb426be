//! OAuth 2.0 error responses of the token-side endpoints.
//!
//! - Token, introspection and revocation errors are RFC 6749 §5.2 JSON (`error`, optional
//!   `error_description`) with `Cache-Control: no-store` (§5.1).
//! - `invalid_client` is 401; when the client tried HTTP Basic the response carries
//!   `WWW-Authenticate: Basic` (RFC 6749 §5.2).
//! - Bearer-token errors at userinfo follow RFC 6750 §3: the error travels in `WWW-Authenticate`.
//!
//! Descriptions are fixed, public texts; the detail of why a check failed goes to the log only.

use crate::http::error::AppError;
use crate::session::StoreError;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::header::{self, HeaderValue};
use http::StatusCode;

/// RFC 6749 §5.2 / RFC 7009 §2.2.1 error codes we emit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// Malformed request (missing or duplicated parameter, wrong content type).
    InvalidRequest,
    /// Client authentication failed.
    InvalidClient,
    /// Code, refresh token or PKCE verifier invalid, expired, revoked or issued to another client.
    InvalidGrant,
    /// The client may not use this grant type.
    UnauthorizedClient,
    /// Grant type not implemented.
    UnsupportedGrantType,
    /// Scope widening at refresh, or an unknown scope.
    InvalidScope,
    /// RFC 7009 §2.2.1: the server does not revoke this token type.
    UnsupportedTokenType,
    /// Store unavailable (fail closed, RFC 6749 §4.1.2.1 `temporarily_unavailable` analogue).
    TemporarilyUnavailable,
    /// Anything unexpected.
    ServerError,
}

impl ErrorCode {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::UnsupportedTokenType => "unsupported_token_type",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::ServerError => "server_error",
        }
    }

    fn status(self) -> StatusCode {
        match self {
            Self::InvalidClient => StatusCode::UNAUTHORIZED,
            Self::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// An OAuth error response.
#[derive(Debug, Clone)]
pub struct OAuthError {
    /// Error code.
    pub code: ErrorCode,
    /// Public description (fixed text, never internal detail).
    pub description: Option<&'static str>,
    /// The client attempted HTTP Basic: answer 401 with `WWW-Authenticate: Basic`.
    pub basic_challenge: bool,
}

impl OAuthError {
    /// An error with a public description.
    pub fn new(code: ErrorCode, description: &'static str) -> Self {
        Self {
            code,
            description: Some(description),
            basic_challenge: false,
        }
    }

    /// Log a store or internal failure and map it (fail closed).
    pub fn from_app(e: AppError) -> Self {
        tracing::error!(error = %e, "token-side request failed");
        match e {
            AppError::StoreUnavailable(_) => Self::new(ErrorCode::TemporarilyUnavailable, "try again later"),
            _ => Self::new(ErrorCode::ServerError, "internal error"),
        }
    }
}

impl From<StoreError> for OAuthError {
    fn from(e: StoreError) -> Self {
        Self::from_app(AppError::from(e))
    }
}

impl From<crate::keys::KeyError> for OAuthError {
    fn from(e: crate::keys::KeyError) -> Self {
        Self::from_app(AppError::Internal(e.to_string()))
    }
}

/// `Cache-Control: no-store` and `Pragma: no-cache` (RFC 6749 §5.1): set on every token-side JSON.
pub fn no_store(res: &mut Response) {
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({ "error": self.code.as_str() });
        if let Some(d) = self.description {
            body["error_description"] = serde_json::Value::from(d);
        }
        let mut res = (self.code.status(), Json(body)).into_response();
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

/// RFC 6750 §3 error at a protected resource (userinfo).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BearerError {
    /// No token presented: 401 with a bare `WWW-Authenticate: Bearer` (§3.1: no error code).
    Missing,
    /// Token presented twice or in an unsupported way (§3.1 `invalid_request`, 400).
    InvalidRequest,
    /// Expired, revoked, malformed, wrong signature or type (§3.1 `invalid_token`, 401).
    InvalidToken,
    /// Store unavailable.
    Unavailable,
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
