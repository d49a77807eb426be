//! PKCE (RFC 7636 §4.3): a `code_challenge` with method `S256` is required for every client
//! (RFC 9700 §2.1.1). A missing method means `plain` (RFC 7636 §4.3) and is refused like `plain`.

use super::errors::{ErrorCode, OAuthError};
use super::params::RawParams;

/// The verified S256 challenge.
pub fn check_pkce(p: &RawParams) -> Result<String, OAuthError> {
    let challenge = p
        .get("code_challenge")
        .ok_or(OAuthError::new(ErrorCode::InvalidRequest, "code_challenge is required (PKCE S256)"))?;
    match p.get("code_challenge_method") {
        Some("S256") => {}
        _ => return Err(OAuthError::new(ErrorCode::InvalidRequest, "code_challenge_method must be S256")),
    }
    // RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is always 43 characters of the base64url alphabet.
    let ok = challenge.len() == 43 && challenge.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok {
        return Err(OAuthError::new(ErrorCode::InvalidRequest, "code_challenge is malformed"));
    }
    Ok(challenge.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const C: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn s256_only() {
        assert_eq!(
            check_pkce(&RawParams::parse(&format!("code_challenge={C}&code_challenge_method=S256"))).unwrap(),
            C
        );
        assert!(check_pkce(&RawParams::parse(&format!("code_challenge={C}"))).is_err());
        assert!(check_pkce(&RawParams::parse(&format!("code_challenge={C}&code_challenge_method=plain"))).is_err());
        assert!(check_pkce(&RawParams::parse("code_challenge_method=S256")).is_err());
        assert!(check_pkce(&RawParams::parse("code_challenge=short&code_challenge_method=S256")).is_err());
    }
}
