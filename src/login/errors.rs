//! Errors of the authorization endpoint and the login steps, and how they reach the relying party.
//!
//! Two kinds (node-oidc-provider's rule, RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6):
//! - before `client_id` and `redirect_uri` are verified: a page for the person ([`Problem`]),
//!   never a redirect (an open redirector otherwise);
//! - afterwards: a 303 to the redirect URI with `error`, `error_description`, `state` (byte for
//!   byte) and `iss` (RFC 9207 §2).

use super::next::Problem;
use url::Url;

pub use crate::oidc_provider::errors::{ErrorCode, OAuthError};

/// Where authorization responses go, once verified.
#[derive(Debug, Clone)]
pub struct ReturnTo {
    /// The verified redirect URI.
    pub redirect_uri: String,
    /// `state` as received.
    pub state: Option<String>,
}

/// Why `/authorize` did not park a request.
#[derive(Debug)]
pub enum AuthorizeError {
    /// Shown to the person (client or redirect URI not verified).
    Page(Problem),
    /// Sent back to the relying party.
    Redirect(ReturnTo, OAuthError),
}

/// The redirect URI with response parameters appended (existing query kept, RFC 6749 §3.1.2).
pub fn response_url(redirect_uri: &str, params: &[(&str, &str)]) -> Result<Url, Problem> {
    let mut url = Url::parse(redirect_uri).map_err(|_| Problem::InvalidRedirectUri)?;
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
    }
    Ok(url)
}

/// The relying party's redirect URI with an error response (RFC 6749 §4.1.2.1, RFC 9207 `iss`).
pub fn error_url(to: &ReturnTo, err: OAuthError, issuer: &str) -> Result<Url, Problem> {
    let mut params = vec![("error", err.code.as_str())];
    if let Some(d) = err.description {
        params.push(("error_description", d));
    }
    if let Some(s) = &to.state {
        params.push(("state", s.as_str()));
    }
    params.push(("iss", issuer));
    response_url(&to.redirect_uri, &params)
}

/// The relying party's redirect URI with a code (RFC 6749 §4.1.2, RFC 9207 `iss`).
pub fn code_url(to: &ReturnTo, code: &str, issuer: &str) -> Result<Url, Problem> {
    let mut params = vec![("code", code)];
    if let Some(s) = &to.state {
        params.push(("state", s.as_str()));
    }
    params.push(("iss", issuer));
    response_url(&to.redirect_uri, &params)
}

/// Common errors.
pub mod codes {
    use super::{ErrorCode, OAuthError};

    /// RFC 6749 §3.1: a parameter sent twice.
    pub const DUPLICATE: OAuthError = OAuthError::new(ErrorCode::InvalidRequest, "a parameter was sent more than once");
    /// RFC 9101 §6.3.
    pub const REQUEST_NOT_SUPPORTED: OAuthError = OAuthError::new(ErrorCode::RequestNotSupported, "request objects are not supported");
    /// RFC 9101 §6.3.
    pub const REQUEST_URI_NOT_SUPPORTED: OAuthError = OAuthError::new(ErrorCode::RequestUriNotSupported, "request_uri is not supported");
    /// OIDC Core §3.1.2.6.
    pub const LOGIN_REQUIRED: OAuthError = OAuthError::new(ErrorCode::LoginRequired, "the end-user must authenticate");
    /// OIDC Core §3.1.2.6.
    pub const CONSENT_REQUIRED: OAuthError = OAuthError::new(ErrorCode::ConsentRequired, "the end-user must consent");
    /// OIDC Core §3.1.2.6.
    pub const INTERACTION_REQUIRED: OAuthError = OAuthError::new(ErrorCode::InteractionRequired, "the end-user must interact");
    /// OpenID Connect `unmet_authentication_requirements` (OIDC Core errata 2, §3.1.2.6).
    pub const UNMET: OAuthError = OAuthError::new(
        ErrorCode::UnmetAuthenticationRequirements,
        "the requested authentication level cannot be met",
    );
    /// RFC 6749 §4.1.2.1.
    pub const ACCESS_DENIED: OAuthError = OAuthError::new(ErrorCode::AccessDenied, "the end-user or the upstream denied the request");
    /// RFC 6749 §4.1.2.1.
    pub const SERVER_ERROR: OAuthError = OAuthError::new(ErrorCode::ServerError, "the request could not be completed");
    /// RFC 6749 §4.1.2.1.
    pub const TEMPORARILY_UNAVAILABLE: OAuthError = OAuthError::new(ErrorCode::TemporarilyUnavailable, "try again later");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_echoed_exactly_and_iss_added() {
        let odd = "a b+c&d=e?f#g%h/ä\"'<";
        let url = response_url("https://rp.example/cb?x=1", &[("code", "c"), ("state", odd), ("iss", "https://op")]).unwrap();
        let pairs: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        assert_eq!(pairs[0], ("x".into(), "1".into()));
        assert!(pairs.contains(&("state".into(), odd.into())));
        assert!(pairs.contains(&("iss".into(), "https://op".into())));
    }
}
