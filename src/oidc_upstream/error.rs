//! The errors of an upstream OIDC login, one variant per class of failure. The authenticator maps
//! them onto `AuthnError` (and thereby the relying party's OIDC error); the detail goes to the log
//! only.

use super::id_token::IdTokenError;

/// What the OP said in an error response (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6), reduced to
/// the classes the broker treats differently. Anything else is `Other` (never echoed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpstreamErrorCode {
    /// The person (or the OP) refused.
    AccessDenied,
    /// The OP wants an interactive login (`login_required`, `interaction_required`, …).
    LoginRequired,
    /// The OP is overloaded or in maintenance (`temporarily_unavailable`, `server_error`).
    TemporarilyUnavailable,
    /// Any other code.
    Other,
}

impl UpstreamErrorCode {
    /// Classify an `error` value.
    pub fn parse(code: &str) -> Self {
        match code {
            "access_denied" => Self::AccessDenied,
            "login_required" | "interaction_required" | "account_selection_required" | "consent_required" => Self::LoginRequired,
            "temporarily_unavailable" | "server_error" => Self::TemporarilyUnavailable,
            _ => Self::Other,
        }
    }
}

/// Why an upstream OIDC step failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OidcUpstreamError {
    /// Discovery or JWKS could not be fetched or did not check out, and no good copy is cached.
    #[error("provider metadata unavailable: {0}")]
    Discovery(String),
    /// The OP could not be reached, timed out, or answered with a server error.
    #[error("upstream unreachable: {0}")]
    Unavailable(String),
    /// The OP sent an error to the callback.
    #[error("upstream returned error {0:?}")]
    Upstream(UpstreamErrorCode),
    /// `iss` in the authorization response missing where required, or not the OP (RFC 9207 §2.4).
    #[error("authorization response issuer: {0}")]
    Issuer(&'static str),
    /// The callback carried neither a code nor an error, or the transaction does not fit it.
    #[error("malformed callback: {0}")]
    Callback(&'static str),
    /// PAR is required by configuration but the OP advertises no PAR endpoint.
    #[error("require_par is set but the provider advertises no pushed_authorization_request_endpoint")]
    ParUnavailable,
    /// The OP refused a back-channel request with a client error (RFC 6749 §5.2).
    #[error("upstream refused the {endpoint} request: {error}")]
    Refused { endpoint: &'static str, error: String },
    /// A back-channel response could not be read.
    #[error("unreadable {0} response")]
    Malformed(&'static str),
    /// The ID token failed a check.
    #[error("ID token rejected: {0}")]
    IdToken(#[from] IdTokenError),
    /// Userinfo failed a check.
    #[error("userinfo rejected: {0}")]
    Userinfo(String),
    /// The level reached is below the level required for this login.
    #[error("authentication level below the required level")]
    LevelTooLow,
    /// The broker cannot build a request (its own key failed to sign, …).
    #[error("internal: {0}")]
    Internal(String),
}
