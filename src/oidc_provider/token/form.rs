//! `application/x-www-form-urlencoded` request bodies of the token-side endpoints.
//!
//! RFC 6749 §3.2 (and RFC 7009 §2.1, RFC 7662 §2.1): parameters are form-encoded in the body;
//! §3.1/§3.2: parameters without a value are treated as omitted, and no parameter may appear
//! twice.

use crate::oidc_provider::errors::{ErrorCode, OAuthError};
use std::collections::HashMap;

/// The parsed parameters of one request.
#[derive(Default)]
pub struct FormParams(HashMap<String, String>);

impl std::fmt::Debug for FormParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Values include secrets, codes and tokens.
        f.debug_list().entries(self.0.keys()).finish()
    }
}

/// Whether a `Content-Type` value is `application/x-www-form-urlencoded` (parameters ignored).
pub fn is_form_content_type(content_type: Option<&str>) -> bool {
    content_type
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"))
}

impl FormParams {
    /// Parse a body, insisting on the form content type.
    pub fn parse(content_type: Option<&str>, body: &[u8]) -> Result<Self, OAuthError> {
        if !is_form_content_type(content_type) {
            return Err(OAuthError::new(
                ErrorCode::InvalidRequest,
                "request body must be application/x-www-form-urlencoded",
            ));
        }
        Self::parse_body(body)
    }

    /// Parse a body already known to be a form.
    pub fn parse_body(body: &[u8]) -> Result<Self, OAuthError> {
        let mut map = HashMap::new();
        for (k, v) in url::form_urlencoded::parse(body) {
            if v.is_empty() {
                continue;
            }
            if map.insert(k.into_owned(), v.into_owned()).is_some() {
                return Err(OAuthError::new(ErrorCode::InvalidRequest, "a parameter is repeated"));
            }
        }
        Ok(Self(map))
    }

    /// A parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// A required parameter.
    pub fn require(&self, name: &str, missing: &'static str) -> Result<&str, OAuthError> {
        self.get(name).ok_or_else(|| OAuthError::new(ErrorCode::InvalidRequest, missing))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses_repeats_and_other_types() {
        let f = FormParams::parse(Some("application/x-www-form-urlencoded; charset=UTF-8"), b"a=1&b=x+y&c=").unwrap();
        assert_eq!(f.get("a"), Some("1"));
        assert_eq!(f.get("b"), Some("x y"));
        assert_eq!(f.get("c"), None);
        assert!(FormParams::parse(Some("application/x-www-form-urlencoded"), b"a=1&a=2").is_err());
        assert!(FormParams::parse(Some("application/json"), b"{}").is_err());
        assert!(FormParams::parse(None, b"a=1").is_err());
    }
}
