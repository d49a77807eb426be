//! The provider's OAuth 2.0 / OpenID Connect errors: one [`OAuthError`] for every endpoint, and
//! [`BearerError`] for the protected resource (userinfo). The HTTP edge (`http::oidc::errors`) turns
//! them into responses and logs their internal detail there:
//!
//! - token, introspection and revocation: RFC 6749 §5.2 JSON (`error`, `error_description`) with
//!   `Cache-Control: no-store` (§5.1); `invalid_client` is 401, with `WWW-Authenticate: Basic` when
//!   the client tried HTTP Basic (§5.2);
//! - authorization endpoint: the redirect of RFC 6749 §4.1.2.1 / OIDC Core §3.1.2.6;
//! - userinfo: RFC 6750 §3, the error travels in `WWW-Authenticate`.
//!
//! Descriptions are fixed, public texts; why a check failed goes to the log only.

use crate::identity::AuthnError;
use crate::session::StoreError;

/// The `error` codes we emit (RFC 6749 §4.1.2.1 and §5.2, RFC 7009 §2.2.1, OIDC Core §3.1.2.6,
/// RFC 9101 §6.3).
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
    /// Scope widening at refresh, or an unknown or forbidden scope.
    InvalidScope,
    /// `response_type` other than `code` (RFC 6749 §4.1.2.1).
    UnsupportedResponseType,
    /// RFC 7009 §2.2.1: the server does not revoke this token type.
    UnsupportedTokenType,
    /// The person or the upstream denied the request.
    AccessDenied,
    /// `prompt=none` but the person must log in.
    LoginRequired,
    /// `prompt=none` but the person must consent.
    ConsentRequired,
    /// `prompt=none` but the person must interact.
    InteractionRequired,
    /// The required authentication level or method cannot be met (OIDC Core errata 2 §3.1.2.6).
    UnmetAuthenticationRequirements,
    /// RFC 9101 §6.3: request objects are not supported.
    RequestNotSupported,
    /// RFC 9101 §6.3: `request_uri` is not supported.
    RequestUriNotSupported,
    /// Store or upstream unavailable (fail closed).
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
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::UnsupportedTokenType => "unsupported_token_type",
            Self::AccessDenied => "access_denied",
            Self::LoginRequired => "login_required",
            Self::ConsentRequired => "consent_required",
            Self::InteractionRequired => "interaction_required",
            Self::UnmetAuthenticationRequirements => "unmet_authentication_requirements",
            Self::RequestNotSupported => "request_not_supported",
            Self::RequestUriNotSupported => "request_uri_not_supported",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::ServerError => "server_error",
        }
    }
}

/// The error the relying party gets for a failed upstream login (OIDC Core §3.1.2.6): the
/// person's or the upstream's refusal and every failed check are `access_denied`, a level below
/// the requirement `unmet_authentication_requirements`, an unreachable upstream
/// `temporarily_unavailable`.
impl From<&AuthnError> for ErrorCode {
    fn from(e: &AuthnError) -> Self {
        match e {
            AuthnError::Cancelled | AuthnError::UpstreamFailure { .. } => Self::AccessDenied,
            AuthnError::Rejected(_) | AuthnError::Unverified(_) => Self::AccessDenied,
            AuthnError::LevelTooLow => Self::UnmetAuthenticationRequirements,
            AuthnError::Unavailable(_) => Self::TemporarilyUnavailable,
        }
    }
}

/// An OAuth error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    /// Error code.
    pub code: ErrorCode,
    /// Public description (fixed text, never internal detail).
    pub description: Option<&'static str>,
    /// The client attempted HTTP Basic: answer 401 with `WWW-Authenticate: Basic`.
    pub basic_challenge: bool,
    /// Internal detail for the log (a store or key failure); never sent.
    pub detail: Option<String>,
}

impl OAuthError {
    /// An error with a public description.
    pub const fn new(code: ErrorCode, description: &'static str) -> Self {
        Self {
            code,
            description: Some(description),
            basic_challenge: false,
            detail: None,
        }
    }

    /// An internal failure: `server_error`, the detail kept for the log.
    pub fn internal(detail: impl Into<String>) -> Self {
        Self {
            detail: Some(detail.into()),
            ..Self::new(ErrorCode::ServerError, "internal error")
        }
    }
}

/// A store failure fails closed: `temporarily_unavailable` when the store is unreachable, else
/// `server_error`. The edge logs the detail.
impl From<StoreError> for OAuthError {
    fn from(e: StoreError) -> Self {
        let code = match e {
            StoreError::Unavailable(_) => Self::new(ErrorCode::TemporarilyUnavailable, "try again later"),
            StoreError::Corrupt(_) => Self::new(ErrorCode::ServerError, "internal error"),
        };
        Self {
            detail: Some(e.to_string()),
            ..code
        }
    }
}

impl From<crate::keys::KeyError> for OAuthError {
    fn from(e: crate::keys::KeyError) -> Self {
        Self::internal(e.to_string())
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
