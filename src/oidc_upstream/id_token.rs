//! ID token validation, OIDC Core §3.1.3.7, each rule its own check and its own error.
//!
//! The signature first ([`verify_signature`]): the header's `alg` must be one the OP advertises
//! *and* asymmetric (so `none` and HS256 keyed with the OP's public key fail before any key is
//! chosen, RFC 8725 §2.1/§3.1), the key comes from the OP's JWKS by `kid` and must fit the
//! algorithm; an unknown `kid` is reported as such so the caller can refetch the JWKS once
//! (keys rotate, §10.1.1). Verification itself is jsonwebtoken on aws-lc-rs.
//! Then the claims ([`check_claims`]): `iss` exact, `aud` contains our client id, several
//! audiences only with `azp` = our client id, `azp` if present = our client id, `exp` not passed,
//! `iat` present and not in the future nor too old, `nonce` equal, `sub` present, `auth_time`
//! present when `max_age` was sent and recent enough. Tolerance: `skew` on each time.

use jsonwebtoken::jwk::{AlgorithmParameters, Jwk};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

/// Why an ID token (or a signed userinfo response) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdTokenError {
    /// Not a compact JWS/JWE, or unreadable header or payload.
    #[error("malformed token: {0}")]
    Malformed(String),
    /// `alg` not advertised by the OP or not asymmetric (`none`, HS*).
    #[error("algorithm {0} not accepted")]
    Algorithm(String),
    /// No key of the OP has the token's `kid` (after one refetch this is final).
    #[error("no key with the token's kid")]
    UnknownKey,
    /// No key of the OP fits the algorithm, or the signature does not verify.
    #[error("signature does not verify")]
    Signature,
    /// Encrypted when not expected, not encrypted when expected, or not decryptable.
    #[error("encryption: {0}")]
    Encryption(String),
    /// `iss` is not the OP.
    #[error("iss is not the provider")]
    Issuer,
    /// `aud` does not contain our client id.
    #[error("aud does not contain our client_id")]
    Audience,
    /// Several audiences without `azp`, or `azp` not our client id.
    #[error("azp missing with several audiences, or not our client_id")]
    AuthorizedParty,
    /// `exp` missing or passed.
    #[error("expired")]
    Expired,
    /// `nbf` in the future.
    #[error("not yet valid")]
    NotYetValid,
    /// `iat` missing, in the future or too old.
    #[error("iat outside the accepted window")]
    IssuedAt,
    /// `nonce` missing or not the one we sent.
    #[error("nonce missing or different")]
    Nonce,
    /// `sub` missing, empty or too long, or (userinfo) not the ID token's.
    #[error("sub missing or invalid")]
    Subject,
    /// `auth_time` missing although `max_age` was sent, in the future, or too old.
    #[error("auth_time missing or too old")]
    AuthTime,
}

/// What the token must say.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// The OP's issuer.
    pub issuer: &'a str,
    /// Our client id.
    pub client_id: &'a str,
    /// The nonce we sent.
    pub nonce: &'a str,
    /// Now, seconds since the epoch.
    pub now: i64,
    /// Tolerated clock skew, seconds.
    pub skew: i64,
    /// How old `iat` may be (seconds) before the token is refused.
    pub max_token_age: i64,
    /// `max_age` we sent, if any.
    pub max_age: Option<u64>,
}

/// The verified claims of an ID token.
#[derive(Debug, Clone)]
pub struct VerifiedIdToken {
    /// Every claim.
    pub claims: Map<String, Value>,
    /// `sub`.
    pub sub: String,
    /// `acr`, if present.
    pub acr: Option<String>,
    /// `auth_time`, if present.
    pub auth_time: Option<i64>,
}

/// Whether a JWK can verify `alg` (key type and curve; its own `alg`, if set, must match).
fn key_fits(jwk: &Jwk, alg: Algorithm) -> bool {
    if jwk.common.key_algorithm.is_some_and(|ka| ka.to_string() != format!("{alg:?}")) {
        return false;
    }
    match (&jwk.algorithm, alg) {
        (
            AlgorithmParameters::RSA(_),
            Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 | Algorithm::PS256 | Algorithm::PS384 | Algorithm::PS512,
        ) => true,
        (AlgorithmParameters::EllipticCurve(ec), Algorithm::ES256) => ec.curve == jsonwebtoken::jwk::EllipticCurve::P256,
        (AlgorithmParameters::EllipticCurve(ec), Algorithm::ES384) => ec.curve == jsonwebtoken::jwk::EllipticCurve::P384,
        (AlgorithmParameters::OctetKeyPair(okp), Algorithm::EdDSA) => okp.curve == jsonwebtoken::jwk::EllipticCurve::Ed25519,
        _ => false,
    }
}

/// Verify a compact JWS against the OP's keys; returns the payload's claims (unchecked).
pub fn verify_signature(token: &str, algs: &[Algorithm], keys: &[Jwk]) -> Result<Map<String, Value>, IdTokenError> {
    if token.split('.').count() != 3 {
        return Err(IdTokenError::Malformed("not a compact JWS".into()));
    }
    // The header's alg is read before anything else; `none` and unknown names do not even parse
    // into jsonwebtoken's `Algorithm` and end here as malformed.
    let header = jsonwebtoken::decode_header(token).map_err(|e| IdTokenError::Malformed(e.to_string()))?;
    if !algs.contains(&header.alg) {
        return Err(IdTokenError::Algorithm(format!("{:?}", header.alg)));
    }
    let by_kid: Vec<&Jwk> = match &header.kid {
        Some(kid) => {
            let named: Vec<&Jwk> = keys.iter().filter(|k| k.common.key_id.as_deref() == Some(kid.as_str())).collect();
            if named.is_empty() {
                return Err(IdTokenError::UnknownKey);
            }
            named
        }
        // OIDC Core §10.1: without kid the OP has one key per type; every fitting key is tried.
        None => keys.iter().collect(),
    };
    let mut validation = Validation::new(header.alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    for jwk in by_kid.into_iter().filter(|k| key_fits(k, header.alg)) {
        let Ok(key) = DecodingKey::from_jwk(jwk) else { continue };
        if let Ok(data) = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation) {
            return Ok(data.claims);
        }
    }
    Err(IdTokenError::Signature)
}

fn int(claims: &Map<String, Value>, name: &str) -> Option<i64> {
    claims.get(name).and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
}

/// `aud` and `azp` (OIDC Core §3.1.3.7 steps 3–5).
pub fn check_audience(claims: &Map<String, Value>, client_id: &str) -> Result<(), IdTokenError> {
    let auds: Vec<&str> = match claims.get("aud") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().ok_or(IdTokenError::Audience))
            .collect::<Result<_, _>>()?,
        _ => return Err(IdTokenError::Audience),
    };
    if !auds.contains(&client_id) {
        return Err(IdTokenError::Audience);
    }
    let azp = match claims.get("azp") {
        None => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => return Err(IdTokenError::AuthorizedParty),
    };
    // Another audience means another party may hold the same token: only acceptable when the OP
    // says we are the party it was issued to.
    if auds.iter().any(|a| *a != client_id) && azp.is_none() {
        return Err(IdTokenError::AuthorizedParty);
    }
    if azp.is_some_and(|a| a != client_id) {
        return Err(IdTokenError::AuthorizedParty);
    }
    Ok(())
}

/// `sub` (OIDC Core §2: at most 255 ASCII characters).
pub fn subject(claims: &Map<String, Value>) -> Result<String, IdTokenError> {
    match claims.get("sub") {
        Some(Value::String(s)) if !s.is_empty() && s.len() <= 255 && s.chars().all(|c| !c.is_control()) => Ok(s.clone()),
        _ => Err(IdTokenError::Subject),
    }
}

/// The claim checks of OIDC Core §3.1.3.7 on signature-verified claims.
pub fn check_claims(claims: Map<String, Value>, e: &Expected<'_>) -> Result<VerifiedIdToken, IdTokenError> {
    if claims.get("iss").and_then(Value::as_str) != Some(e.issuer) {
        return Err(IdTokenError::Issuer);
    }
    check_audience(&claims, e.client_id)?;
    match int(&claims, "exp") {
        Some(exp) if e.now < exp.saturating_add(e.skew) => {}
        _ => return Err(IdTokenError::Expired),
    }
    if int(&claims, "nbf").is_some_and(|nbf| nbf > e.now.saturating_add(e.skew)) {
        return Err(IdTokenError::NotYetValid);
    }
    match int(&claims, "iat") {
        Some(iat) if iat <= e.now.saturating_add(e.skew) && iat >= e.now.saturating_sub(e.max_token_age).saturating_sub(e.skew) => {}
        _ => return Err(IdTokenError::IssuedAt),
    }
    // The nonce binds the token to this login's request (replay of another login's token).
    if claims.get("nonce").and_then(Value::as_str) != Some(e.nonce) {
        return Err(IdTokenError::Nonce);
    }
    let sub = subject(&claims)?;
    let auth_time = int(&claims, "auth_time");
    if claims.contains_key("auth_time") && auth_time.is_none() {
        return Err(IdTokenError::AuthTime);
    }
    if auth_time.is_some_and(|t| t > e.now.saturating_add(e.skew)) {
        return Err(IdTokenError::AuthTime);
    }
    if let Some(max_age) = e.max_age {
        let max_age = i64::try_from(max_age).unwrap_or(i64::MAX);
        match auth_time {
            Some(t) if t.saturating_add(max_age).saturating_add(e.skew) >= e.now => {}
            _ => return Err(IdTokenError::AuthTime),
        }
    }
    let acr = match claims.get("acr") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        // A non-string acr is not a value of any table: treated as unknown (basic).
        Some(_) => None,
    };
    Ok(VerifiedIdToken {
        claims,
        sub,
        acr,
        auth_time,
    })
}

#[cfg(test)]
mod tests;
