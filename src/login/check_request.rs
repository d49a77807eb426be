//! Request-level checks after the client is verified: duplicates (RFC 6749 §3.1), request objects
//! (RFC 9101 §6.3: not supported), `response_type` (only `code`, RFC 6749 §4.1.1) and
//! `response_mode` (only `query`, OAuth 2.0 Multiple Response Types §2.1).

use super::errors::{codes, ErrorCode, OAuthError};
use super::params::RawParams;

/// Run the checks.
pub fn check_request(p: &RawParams) -> Result<(), OAuthError> {
    if p.first_duplicate().is_some() {
        return Err(codes::DUPLICATE);
    }
    if p.has("request") {
        return Err(codes::REQUEST_NOT_SUPPORTED);
    }
    if p.has("request_uri") {
        return Err(codes::REQUEST_URI_NOT_SUPPORTED);
    }
    match p.get("response_type") {
        None => return Err(OAuthError::new(ErrorCode::InvalidRequest, "response_type is required")),
        Some("code") => {}
        Some(_) => {
            return Err(OAuthError::new(
                ErrorCode::UnsupportedResponseType,
                "only response_type=code is supported",
            ))
        }
    }
    match p.get("response_mode") {
        None | Some("query") => Ok(()),
        Some(_) => Err(OAuthError::new(ErrorCode::InvalidRequest, "only response_mode=query is supported")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert!(check_request(&RawParams::parse("response_type=code")).is_ok());
        assert_eq!(
            check_request(&RawParams::parse("response_type=token")).unwrap_err().code.as_str(),
            "unsupported_response_type"
        );
        assert_eq!(
            check_request(&RawParams::parse("response_type=code%20id_token"))
                .unwrap_err()
                .code
                .as_str(),
            "unsupported_response_type"
        );
        assert_eq!(check_request(&RawParams::parse("")).unwrap_err().code.as_str(), "invalid_request");
        assert_eq!(
            check_request(&RawParams::parse("response_type=code&request=x"))
                .unwrap_err()
                .code
                .as_str(),
            "request_not_supported"
        );
        assert_eq!(
            check_request(&RawParams::parse("response_type=code&request_uri=x"))
                .unwrap_err()
                .code
                .as_str(),
            "request_uri_not_supported"
        );
        assert_eq!(
            check_request(&RawParams::parse("response_type=code&scope=a&scope=b"))
                .unwrap_err()
                .code
                .as_str(),
            "invalid_request"
        );
        assert_eq!(
            check_request(&RawParams::parse("response_type=code&response_mode=fragment"))
                .unwrap_err()
                .code
                .as_str(),
            "invalid_request"
        );
    }
}
