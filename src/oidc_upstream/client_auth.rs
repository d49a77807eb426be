//! Client authentication at the OP's token and PAR endpoints.
//!
//! - `private_key_jwt` (the default; RFC 7523 §2.2, OIDC Core §9): a JWT signed with the broker's
//!   key, `iss` = `sub` = client_id, `aud` = the OP's issuer identifier, a fresh `jti`, `exp` 60 s
//!   after `iat`. The issuer as the sole audience (rather than an endpoint URL) is what FAPI 2.0
//!   §5.3.2.1 and the audience-injection fix of RFC 7523bis ask for; every OP we target accepts it.
//! - `client_secret_basic` (RFC 6749 §2.3.1): id and secret form-urlencoded, then Basic.
//! - `tls_client_auth` (RFC 8705 §2.1): the TLS client certificate authenticates; the body names
//!   the client.

use super::settings::{ClientAuth, ClientKey};
use base64::Engine;
use serde::Serialize;

/// RFC 7523 §2.2.
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Lifetime of a client assertion (seconds).
pub const ASSERTION_LIFETIME: i64 = 60;

#[derive(Serialize)]
struct AssertionClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    jti: String,
    iat: i64,
    exp: i64,
}

/// A client assertion for `audience`.
pub fn client_assertion(key: &ClientKey, client_id: &str, audience: &str, now: i64) -> Result<String, String> {
    key.sign(
        "JWT",
        &AssertionClaims {
            iss: client_id,
            sub: client_id,
            aud: audience,
            jti: crate::ids::random_id(),
            iat: now,
            exp: now + ASSERTION_LIFETIME,
        },
    )
}

/// RFC 6749 §2.3.1: `Basic base64(urlenc(id) ":" urlenc(secret))`.
pub fn basic_authorization(client_id: &str, secret: &str) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let raw = format!("{}:{}", enc(client_id), enc(secret));
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw))
}

/// What a back-channel request carries to authenticate: form fields and maybe a header.
pub struct Credentials {
    /// Added to the form body.
    pub fields: Vec<(String, String)>,
    /// `Authorization` header value.
    pub authorization: Option<String>,
}

/// The credentials for one request.
pub fn credentials(auth: &ClientAuth, client_id: &str, issuer: &str, now: i64) -> Result<Credentials, String> {
    Ok(match auth {
        ClientAuth::PrivateKeyJwt(key) => Credentials {
            fields: vec![
                ("client_id".into(), client_id.into()),
                ("client_assertion_type".into(), ASSERTION_TYPE.into()),
                ("client_assertion".into(), client_assertion(key, client_id, issuer, now)?),
            ],
            authorization: None,
        },
        ClientAuth::ClientSecretBasic(secret) => Credentials {
            fields: Vec::new(),
            authorization: Some(basic_authorization(client_id, secret.expose())),
        },
        ClientAuth::TlsClientAuth(_) => Credentials {
            fields: vec![("client_id".into(), client_id.into())],
            authorization: None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oidc_upstream::settings::ClientSecret;
    use jsonwebtoken::{DecodingKey, Validation};
    use std::sync::Arc;

    fn key() -> ClientKey {
        let pem = crate::keys::generate_pem(crate::keys::SigningAlg::ES256).unwrap();
        ClientKey::from_pem(pem.as_bytes(), "test").unwrap()
    }

    #[test]
    fn the_assertion_follows_rfc_7523() {
        let k = key();
        let jwt = client_assertion(&k, "buergerkonto", "https://op.example", 1_000).unwrap();
        let jwk = &k.jwks().keys[0];
        let mut v = Validation::new(jsonwebtoken::Algorithm::ES256);
        v.set_audience(&["https://op.example"]);
        v.validate_exp = false;
        let claims = jsonwebtoken::decode::<serde_json::Value>(&jwt, &DecodingKey::from_jwk(jwk).unwrap(), &v)
            .unwrap()
            .claims;
        assert_eq!(claims["iss"], "buergerkonto");
        assert_eq!(claims["sub"], "buergerkonto");
        assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 60);
        assert_eq!(claims["jti"].as_str().unwrap().len(), 43);
        let header = jsonwebtoken::decode_header(&jwt).unwrap();
        assert_eq!(header.kid, jwk.common.key_id);
        let again = client_assertion(&k, "buergerkonto", "https://op.example", 1_000).unwrap();
        assert_ne!(jwt, again, "fresh jti each time");
    }

    #[test]
    fn rsa_keys_sign_ps256_and_other_keys_are_refused() {
        let pem = crate::keys::generate_pem(crate::keys::SigningAlg::PS256).unwrap();
        assert_eq!(
            ClientKey::from_pem(pem.as_bytes(), "rsa").unwrap().alg(),
            crate::keys::SigningAlg::PS256
        );
        let ed = crate::keys::generate_pem(crate::keys::SigningAlg::EdDSA).unwrap();
        assert!(ClientKey::from_pem(ed.as_bytes(), "ed").is_err());
        assert!(format!("{:?}", key()).contains("redacted"));
    }

    #[test]
    fn basic_and_mtls_credentials() {
        assert_eq!(
            basic_authorization("a b", "p:w"),
            format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("a+b:p%3Aw"))
        );
        let c = credentials(&ClientAuth::ClientSecretBasic(ClientSecret::new("s".into())), "id", "iss", 0).unwrap();
        assert!(c.fields.is_empty() && c.authorization.is_some());
        let c = credentials(&ClientAuth::PrivateKeyJwt(Arc::new(key())), "id", "iss", 0).unwrap();
        assert_eq!(c.fields[1].1, ASSERTION_TYPE);
    }
}
