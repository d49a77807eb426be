//! `private_key_jwt` client assertions (RFC 7523 §3, OIDC Core §9).
//!
//! Checks, in order: the header `alg` is on an allow-list of asymmetric algorithms (never `none`
//! or HS*: RFC 8725 §3.1-3.2); the signature verifies with a key of the client's JWKS (by `kid`
//! when given); `iss` = `sub` = client id; `aud` is one string, the issuer or the token endpoint
//! URL (see [`audience_ok`]); `exp` present, in the future
//! and at most [`MAX_ASSERTION_LIFETIME_SECS`] ahead; `jti` present and seen for the first time
//! (kept in the replay cache until the assertion expires).

use crate::session::{RecordKind, Records, StoreError};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use std::time::Duration;

/// Algorithms accepted for client assertions.
pub const ASSERTION_ALGS: [Algorithm; 4] = [Algorithm::RS256, Algorithm::PS256, Algorithm::ES256, Algorithm::EdDSA];

/// Longest accepted distance of `exp` from now: assertions are one-shot and short-lived.
pub const MAX_ASSERTION_LIFETIME_SECS: i64 = 300;

/// Tolerated clock skew for `iat`/`nbf` in the future.
const SKEW_SECS: i64 = 60;

/// Why an assertion was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AssertionError {
    /// Not a JWS or not parseable.
    #[error("malformed assertion")]
    Malformed,
    /// `alg` not on the allow-list.
    #[error("algorithm not allowed")]
    Alg,
    /// No key in the client's JWKS verifies it.
    #[error("no key of the client verifies the assertion")]
    NoKey,
    /// A claim check failed.
    #[error("claims: {0}")]
    Claims(&'static str),
    /// Expired, or `exp` too far ahead.
    #[error("assertion lifetime: {0}")]
    Lifetime(&'static str),
    /// `jti` seen before.
    #[error("assertion replayed")]
    Replay,
    /// Replay cache unavailable (fail closed).
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Deserialize)]
struct AssertionClaims {
    iss: String,
    sub: String,
    aud: Audience,
    exp: Option<i64>,
    iat: Option<i64>,
    nbf: Option<i64>,
    jti: Option<String>,
}

/// `aud` as sent: RFC 7519 §4.1.3 allows a string or an array; only a string is accepted, so
/// an array's members are never looked at.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    NotAString(#[allow(dead_code)] serde::de::IgnoredAny),
}

/// The audience-injection class (rfc7523bis, "Updates to Audience Values for OAuth 2.0
/// Authorization Servers", §4/§5): an assertion a client made for another party — another
/// server's endpoint, or one of ours that is not the token endpoint, or an array that merely
/// *contains* us — must not authenticate the client here. So `aud` must be a single string equal
/// to the issuer or to the token endpoint URL, and nothing else (an exact comparison).
fn audience_ok(aud: &Audience, accepted: &[String]) -> bool {
    match aud {
        Audience::One(a) => accepted.iter().any(|x| x == a),
        Audience::NotAString(_) => false,
    }
}

#[derive(Deserialize)]
struct IssOnly {
    iss: String,
}

/// The `iss` of an assertion before verification, only to find which client's keys to use.
pub(super) fn unverified_issuer(assertion: &str) -> Result<String, AssertionError> {
    jsonwebtoken::dangerous::insecure_decode_claims::<IssOnly>(assertion)
        .map(|c| c.iss)
        .map_err(|_| AssertionError::Malformed)
}

/// Verify an assertion of `client_id` against its `jwks`. `audiences`: the issuer and the token
/// endpoint URL (exact strings).
pub async fn verify_assertion(
    records: &Records,
    client_id: &str,
    assertion: &str,
    jwks: &JwkSet,
    audiences: &[String],
    now: i64,
) -> Result<(), AssertionError> {
    let header = jsonwebtoken::decode_header(assertion).map_err(|_| AssertionError::Alg)?;
    if !ASSERTION_ALGS.contains(&header.alg) {
        return Err(AssertionError::Alg);
    }
    let mut validation = Validation::new(header.alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let candidates = jwks
        .keys
        .iter()
        .filter(|k| header.kid.is_none() || k.common.key_id == header.kid)
        .filter(|k| !matches!(k.common.public_key_use, Some(jsonwebtoken::jwk::PublicKeyUse::Encryption)));
    let mut claims = None;
    for jwk in candidates {
        let Ok(key) = DecodingKey::from_jwk(jwk) else { continue };
        if let Ok(data) = jsonwebtoken::decode::<AssertionClaims>(assertion, &key, &validation) {
            claims = Some(data.claims);
            break;
        }
    }
    let c = claims.ok_or(AssertionError::NoKey)?;
    if c.iss != client_id || c.sub != client_id {
        return Err(AssertionError::Claims("iss and sub must be the client id"));
    }
    if !audience_ok(&c.aud, audiences) {
        return Err(AssertionError::Claims("aud must be one string: the issuer or the token endpoint"));
    }
    let exp = c.exp.ok_or(AssertionError::Lifetime("exp missing"))?;
    if exp <= now {
        return Err(AssertionError::Lifetime("expired"));
    }
    if exp > now + MAX_ASSERTION_LIFETIME_SECS {
        return Err(AssertionError::Lifetime("exp too far in the future"));
    }
    if c.iat.is_some_and(|t| t > now + SKEW_SECS) || c.nbf.is_some_and(|t| t > now + SKEW_SECS) {
        return Err(AssertionError::Lifetime("not yet valid"));
    }
    let jti = c
        .jti
        .filter(|j| !j.is_empty() && j.len() <= 512)
        .ok_or(AssertionError::Claims("jti missing"))?;
    // Replay cache until the assertion expires (plus skew): after that, exp refuses it anyway.
    let ttl = Duration::from_secs(u64::try_from(exp - now + SKEW_SECS).unwrap_or(1));
    if !records
        .first_sighting(RecordKind::ClientAssertionSeen, &format!("{client_id}\u{0}{jti}"), ttl)
        .await?
    {
        return Err(AssertionError::Replay);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audience_is_one_string_naming_issuer_or_token_endpoint() {
        let accepted = ["https://konto.example/token".to_owned(), "https://konto.example".to_owned()];
        let one = |s: &str| Audience::One(s.to_owned());
        assert!(audience_ok(&one("https://konto.example/token"), &accepted));
        assert!(audience_ok(&one("https://konto.example"), &accepted));
        for refused in [
            "https://konto.example/introspect",
            "https://konto.example/userinfo",
            "https://konto.example/token/",
            "https://konto.example/TOKEN",
            "",
        ] {
            assert!(!audience_ok(&one(refused), &accepted), "{refused}");
        }
        for many in [r#"["https://konto.example"]"#, r#"["https://konto.example/token"]"#, "[]"] {
            let aud: Audience = serde_json::from_str(many).unwrap();
            assert!(!audience_ok(&aud, &accepted), "{many}");
        }
    }
}
