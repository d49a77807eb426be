//! The authorization request: the wallet URL the browser opens (or the QR code shows) and the
//! signed request object (JAR, RFC 9101) served at `request_uri` (OpenID4VP 1.0 §5, HAIP 1.0 §5).
//!
//! - Wallet URL: `<scheme>://?client_id=…&request_uri=…` (§5.7: only these two by reference, plus
//!   `request_uri_method=post` when configured, §5.10).
//! - Request object: ES256 with the access-certificate key; header `typ` `oauth-authz-req+jwt`
//!   (RFC 9101 §10.8) and `x5c` with the leaf only (HAIP: no trust anchor in `x5c`); claims
//!   `client_id` (`x509_hash:…`), `aud` `https://self-issued.me/v2` (§5.8, static discovery),
//!   `response_type` `vp_token`, `response_mode` `direct_post.jwt` (§8.3), `response_uri`, `nonce`,
//!   `state`, `dcql_query`, `client_metadata` (§5.1: our per-transaction encryption key with `kid`,
//!   `use` `enc` and `alg` `ECDH-ES`; both `enc` values HAIP requires; the formats we verify), `iat`,
//!   `exp`, and `wallet_nonce` when the wallet POSTed one (§5.10.1).
//! - DCQL: one `dc+sd-jwt` PID query with only the claims the relying party's scopes need
//!   ([`PidClaim::for_scopes`](super::pid::PidClaim::for_scopes), [`pid_query`](super::dcql::pid_query)).

use super::client_id::ClientId;
use super::dcql::DcqlQuery;
use super::settings::AccessCredential;
use aws_lc_rs::agreement;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// The request object's JOSE `typ` (RFC 9101 §10.8).
pub const JAR_TYP: &str = "oauth-authz-req+jwt";
/// Its media type at `request_uri` (RFC 9101 §10.2).
pub const JAR_MEDIA_TYPE: &str = "application/oauth-authz-req+jwt";
/// `aud` of a request object for a wallet found by static discovery (OpenID4VP 1.0 §5.8).
pub const SELF_ISSUED_AUD: &str = "https://self-issued.me/v2";
/// `enc` values offered (HAIP 1.0 §5: both).
pub const ENC_VALUES: [&str; 2] = ["A128GCM", "A256GCM"];

/// Why a request could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// Key generation or signing failed.
    #[error("request object: {0}")]
    Crypto(String),
}

/// A transaction's ephemeral encryption key (P-256, HAIP 1.0 §5: one per request).
pub struct EncryptionKey {
    /// PKCS#8 DER (secret).
    pub pkcs8: Zeroizing<Vec<u8>>,
    /// The public JWK (`kty`, `crv`, `x`, `y`, `kid`, `use`, `alg`).
    pub jwk: Value,
    /// Its `kid`: the RFC 7638 thumbprint.
    pub kid: String,
}

impl EncryptionKey {
    /// A fresh key.
    pub fn generate() -> Result<Self, RequestError> {
        let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
            .map_err(|_| RequestError::Crypto("no P-256 key".into()))?;
        Self::from_pkcs8(doc.as_ref())
    }

    /// The key kept in a transaction.
    pub fn from_pkcs8(der: &[u8]) -> Result<Self, RequestError> {
        let key = agreement::PrivateKey::from_private_key_der(&agreement::ECDH_P256, der)
            .map_err(|_| RequestError::Crypto("not a P-256 key".into()))?;
        let public = key.compute_public_key().map_err(|_| RequestError::Crypto("no public key".into()))?;
        let p = public.as_ref();
        if p.len() != 65 {
            return Err(RequestError::Crypto("unexpected point size".into()));
        }
        let (x, y) = (URL_SAFE_NO_PAD.encode(&p[1..33]), URL_SAFE_NO_PAD.encode(&p[33..65]));
        // RFC 7638 §3.2: the required members in lexicographic order, no whitespace.
        let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()));
        let jwk = json!({"kty": "EC", "crv": "P-256", "x": x, "y": y, "kid": kid, "use": "enc", "alg": "ECDH-ES"});
        Ok(Self {
            pkcs8: Zeroizing::new(der.to_vec()),
            jwk,
            kid,
        })
    }
}

/// The wallet URL (§5.7).
pub fn wallet_url(scheme: &str, client_id: &ClientId, request_uri: &str, method_post: bool) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("client_id", client_id.as_str());
    q.append_pair("request_uri", request_uri);
    if method_post {
        q.append_pair("request_uri_method", "post");
    }
    format!("{scheme}://?{}", q.finish())
}

/// What goes into one request object.
pub struct RequestParams<'a> {
    /// Our `client_id`.
    pub client_id: &'a ClientId,
    /// `response_uri` (`{issuer}/wallet/response/{handle}`).
    pub response_uri: &'a str,
    /// The transaction's nonce.
    pub nonce: &'a str,
    /// The transaction's state.
    pub state: &'a str,
    /// The DCQL query.
    pub dcql: &'a DcqlQuery,
    /// The transaction's public encryption JWK.
    pub enc_jwk: &'a Value,
    /// `wallet_nonce` to echo (POST to `request_uri`).
    pub wallet_nonce: Option<&'a str>,
    /// Now (seconds).
    pub now: i64,
    /// Lifetime of the request object (seconds).
    pub lifetime: i64,
}

/// The claims of the request object.
pub fn claims(p: &RequestParams<'_>) -> Value {
    let mut c = json!({
        "client_id": p.client_id.as_str(),
        "aud": SELF_ISSUED_AUD,
        "response_type": "vp_token",
        "response_mode": "direct_post.jwt",
        "response_uri": p.response_uri,
        "nonce": p.nonce,
        "state": p.state,
        "dcql_query": p.dcql,
        "client_metadata": {
            "jwks": {"keys": [p.enc_jwk]},
            "encrypted_response_enc_values_supported": ENC_VALUES,
            "vp_formats_supported": {
                "dc+sd-jwt": {"sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256"]}
            }
        },
        "iat": p.now,
        "exp": p.now.saturating_add(p.lifetime),
    });
    if let (Some(n), Some(map)) = (p.wallet_nonce, c.as_object_mut()) {
        map.insert("wallet_nonce".into(), n.into());
    }
    c
}

/// Sign the request object with the access-certificate key (ES256, `x5c` = [leaf]).
pub fn sign(p: &RequestParams<'_>, access: &AccessCredential) -> Result<String, RequestError> {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.typ = Some(JAR_TYP.into());
    header.x5c = Some(vec![STANDARD.encode(access.leaf_der())]);
    let key = jsonwebtoken::EncodingKey::from_ec_der(access.key_pkcs8());
    jsonwebtoken::encode(&header, &claims(p), &key).map_err(|e| RequestError::Crypto(e.to_string()))
}

#[cfg(test)]
mod tests;
