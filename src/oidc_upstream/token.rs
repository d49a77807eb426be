//! The callback's own checks and the token request.
//!
//! RFC 9207 §2.4: `iss` in the authorization response must be the OP's issuer when sent, and is
//! required when the OP advertises that it sends it — a response from another OP (mix-up,
//! RFC 9700 §4.4) is refused before its code is redeemed. The code is then redeemed at the token
//! endpoint of *this* upstream only (the callback path names the method, the transaction names
//! the upstream) with the PKCE verifier and the exact `redirect_uri` (RFC 6749 §4.1.3).

use super::backchannel::{refused, Answer};
use super::discovery::Provider;
use super::error::OidcUpstreamError;
use serde::Deserialize;

/// Check the authorization response's `iss` parameter.
pub fn check_iss(iss: Option<&str>, provider: &Provider) -> Result<(), OidcUpstreamError> {
    match iss {
        Some(i) if i == provider.issuer => Ok(()),
        Some(_) => Err(OidcUpstreamError::Issuer("not this upstream's issuer")),
        None if provider.iss_parameter_supported => Err(OidcUpstreamError::Issuer("missing although the provider sends it")),
        None => Ok(()),
    }
}

/// RFC 6749 §5.1 / OIDC Core §3.1.3.3, the members we use.
#[derive(Debug, Deserialize)]
pub struct TokenResponse {
    /// For userinfo.
    #[serde(default)]
    pub access_token: Option<String>,
    /// `Bearer`.
    #[serde(default)]
    pub token_type: Option<String>,
    /// The ID token (JWS or JWE).
    #[serde(default)]
    pub id_token: Option<String>,
}

/// Read the token endpoint's answer: success needs an ID token (OIDC Core §3.1.3.3).
pub fn parse_token_response(a: &Answer) -> Result<(String, Option<String>), OidcUpstreamError> {
    if !a.status.is_success() {
        return Err(refused("token", a));
    }
    let t: TokenResponse = serde_json::from_slice(&a.body).map_err(|_| OidcUpstreamError::Malformed("token"))?;
    let id_token = t.id_token.filter(|s| !s.is_empty()).ok_or(OidcUpstreamError::Malformed("token"))?;
    // A token type other than Bearer (DPoP) would need proofs we do not send: no userinfo then.
    let access = t
        .access_token
        .filter(|_| t.token_type.as_deref().is_some_and(|tt| tt.eq_ignore_ascii_case("bearer")));
    Ok((id_token, access))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;

    fn provider(iss_supported: bool) -> Provider {
        let doc = serde_json::json!({
            "issuer": "https://op.example", "authorization_endpoint": "https://op.example/auth",
            "token_endpoint": "https://op.example/token", "jwks_uri": "https://op.example/jwks",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "authorization_response_iss_parameter_supported": iss_supported
        });
        crate::oidc_upstream::discovery::parse_metadata(doc.to_string().as_bytes(), "https://op.example")
            .unwrap()
            .0
    }

    #[test]
    fn iss_is_checked_when_sent_and_required_when_advertised() {
        assert!(check_iss(Some("https://op.example"), &provider(true)).is_ok());
        assert!(check_iss(Some("https://evil.example"), &provider(false)).is_err());
        assert!(check_iss(None, &provider(true)).is_err());
        assert!(check_iss(None, &provider(false)).is_ok());
    }

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status: StatusCode::from_u16(status).unwrap(),
            content_type: "application/json".into(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn token_responses() {
        let (id, at) = parse_token_response(&answer(200, r#"{"id_token":"a.b.c","access_token":"x","token_type":"Bearer"}"#)).unwrap();
        assert_eq!((id.as_str(), at.as_deref()), ("a.b.c", Some("x")));
        let (_, at) = parse_token_response(&answer(200, r#"{"id_token":"a.b.c","access_token":"x","token_type":"DPoP"}"#)).unwrap();
        assert!(at.is_none());
        assert!(matches!(
            parse_token_response(&answer(200, r#"{"access_token":"x"}"#)),
            Err(OidcUpstreamError::Malformed(_))
        ));
        assert!(matches!(
            parse_token_response(&answer(400, r#"{"error":"invalid_grant"}"#)),
            Err(OidcUpstreamError::Refused { error, .. }) if error == "invalid_grant"
        ));
        assert!(matches!(
            parse_token_response(&answer(503, "")),
            Err(OidcUpstreamError::Unavailable(_))
        ));
    }
}
