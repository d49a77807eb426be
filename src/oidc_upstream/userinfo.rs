//! Userinfo (OIDC Core §5.3), when configured: plain JSON, or a signed JWT
//! (`application/jwt`, §5.3.2) checked like the ID token's signature (the OP's keys, an
//! asymmetric algorithm it advertises) and, when present, `iss` = the OP and `aud` containing our
//! client id. Either way `sub` must be the ID token's (§5.3.4: otherwise the response is for
//! somebody else and must not be used).

use super::backchannel::{refused, Answer};
use super::discovery::Provider;
use super::error::OidcUpstreamError;
use super::id_token::{check_audience, verify_signature};
use serde_json::{Map, Value};

/// Read a userinfo answer for the person `sub`.
pub fn parse_userinfo(a: &Answer, provider: &Provider, client_id: &str, sub: &str) -> Result<Map<String, Value>, OidcUpstreamError> {
    if !a.status.is_success() {
        return Err(refused("userinfo", a));
    }
    let claims = if a.content_type == "application/jwt" {
        let text = std::str::from_utf8(&a.body)
            .map_err(|_| OidcUpstreamError::Malformed("userinfo"))?
            .trim();
        let claims =
            verify_signature(text, &provider.userinfo_algs, &provider.keys).map_err(|e| OidcUpstreamError::Userinfo(e.to_string()))?;
        if claims.get("iss").is_some_and(|i| i.as_str() != Some(provider.issuer.as_str())) {
            return Err(OidcUpstreamError::Userinfo("iss is not the provider".into()));
        }
        if claims.contains_key("aud") {
            check_audience(&claims, client_id).map_err(|e| OidcUpstreamError::Userinfo(e.to_string()))?;
        }
        claims
    } else {
        match serde_json::from_slice::<Value>(&a.body) {
            Ok(Value::Object(m)) => m,
            _ => return Err(OidcUpstreamError::Malformed("userinfo")),
        }
    };
    if claims.get("sub").and_then(Value::as_str) != Some(sub) {
        return Err(OidcUpstreamError::Userinfo("sub differs from the ID token's".into()));
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::SigningAlg;
    use crate::oidc_upstream::test_support::*;
    use http::StatusCode;
    use serde_json::json;

    fn provider(op: &TestOp) -> Provider {
        let doc = json!({
            "issuer": ISSUER, "authorization_endpoint": "https://op.example/auth",
            "token_endpoint": "https://op.example/token", "jwks_uri": "https://op.example/jwks",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256", "PS256"]
        });
        let mut p = crate::oidc_upstream::discovery::parse_metadata(doc.to_string().as_bytes(), ISSUER)
            .unwrap()
            .0;
        p.keys = op.keys();
        p
    }

    fn answer(ct: &str, body: &str) -> Answer {
        Answer {
            status: StatusCode::OK,
            content_type: ct.into(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn json_and_signed_userinfo_for_the_same_subject() {
        let op = TestOp::new();
        let p = provider(&op);
        let plain = parse_userinfo(&answer("application/json", r#"{"sub":"s1","email":"e@x"}"#), &p, CLIENT, "s1").unwrap();
        assert_eq!(plain["email"], "e@x");
        let jwt = op.sign(
            SigningAlg::ES256,
            &json!({"sub": "s1", "iss": ISSUER, "aud": CLIENT, "email": "e@x"}),
        );
        assert!(parse_userinfo(&answer("application/jwt", &jwt), &p, CLIENT, "s1").is_ok());
    }

    #[test]
    fn another_subject_issuer_audience_or_key_is_refused() {
        let op = TestOp::new();
        let p = provider(&op);
        assert!(parse_userinfo(&answer("application/json", r#"{"sub":"s2"}"#), &p, CLIENT, "s1").is_err());
        let other_iss = op.sign(SigningAlg::ES256, &json!({"sub": "s1", "iss": "https://evil"}));
        assert!(parse_userinfo(&answer("application/jwt", &other_iss), &p, CLIENT, "s1").is_err());
        let other_aud = op.sign(SigningAlg::ES256, &json!({"sub": "s1", "aud": "other"}));
        assert!(parse_userinfo(&answer("application/jwt", &other_aud), &p, CLIENT, "s1").is_err());
        let forged = TestOp::new().sign(SigningAlg::ES256, &json!({"sub": "s1"}));
        assert!(parse_userinfo(&answer("application/jwt", &forged), &p, CLIENT, "s1").is_err());
        let none = raw_jws(&json!({"alg": "none"}), &json!({"sub": "s1"}), b"");
        assert!(parse_userinfo(&answer("application/jwt", &none), &p, CLIENT, "s1").is_err());
    }
}
