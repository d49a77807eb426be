//! The key binding JWT (RFC 9901 §4.3 and §7.3, HAIP 1.0 §6.1): proves that the holder of
//! `cnf.jwk` presented this credential to us, for this transaction, recently.

use crate::eudi::error::WalletError;
use crate::eudi::jws;
use crate::eudi::sd_jwt::Presentation;
use base64::Engine;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::time::SystemTime;

/// `typ` of a KB-JWT (RFC 9901 §4.3).
pub const TYP: &str = "kb+jwt";

/// What the KB-JWT must say.
#[derive(Debug, Clone, Copy)]
pub struct KbExpected<'a> {
    /// Our full client_id (with its prefix), the `aud` (OpenID4VP 1.0 §14.1.2).
    pub client_id: &'a str,
    /// This transaction's nonce.
    pub nonce: &'a str,
    /// Now.
    pub now: SystemTime,
    /// How old `iat` may be, in seconds.
    pub max_age: u64,
    /// Clock skew allowed for `iat` in the future, in seconds.
    pub skew: u64,
}

/// Verify the KB-JWT of `presentation` with the holder key `cnf_jwk`.
pub fn verify(presentation: &Presentation<'_>, cnf_jwk: &Value, expected: &KbExpected<'_>) -> Result<(), WalletError> {
    let kb = presentation.kb_jwt.ok_or(WalletError::KbMissing)?;
    let (key, key_alg) = holder_key(cnf_jwk)?;
    let (alg, header) = jws::header(kb)?;
    jws::check_typ(&header, TYP, None)?;
    if alg != key_alg {
        return Err(WalletError::Algorithm(format!("{alg:?} does not fit the holder key")));
    }
    let claims = jws::verify(kb, &key, alg).map_err(|_| WalletError::KbSignature)?;
    // RFC 9901 §4.3: `aud` is a single string here.
    if claims.get("aud").and_then(Value::as_str) != Some(expected.client_id) {
        return Err(WalletError::KbAudience);
    }
    if claims.get("nonce").and_then(Value::as_str) != Some(expected.nonce) {
        return Err(WalletError::KbNonce);
    }
    let sd_hash = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(presentation.sd_hash_input));
    if claims.get("sd_hash").and_then(Value::as_str) != Some(sd_hash.as_str()) {
        return Err(WalletError::KbSdHash);
    }
    let iat = jws::numeric_date(&claims, "iat")?.ok_or(WalletError::KbStale)?;
    let now = crate::clock::unix_seconds(expected.now);
    let skew = i64::try_from(expected.skew).unwrap_or(i64::MAX);
    let max_age = i64::try_from(expected.max_age).unwrap_or(i64::MAX);
    if iat > now.saturating_add(skew) || now.saturating_sub(iat) > max_age {
        return Err(WalletError::KbStale);
    }
    Ok(())
}

/// The holder key and its one algorithm: an EC key on P-256 (ES256) or P-384 (ES384).
fn holder_key(cnf_jwk: &Value) -> Result<(DecodingKey, Algorithm), WalletError> {
    let jwk: Jwk = serde_json::from_value(cnf_jwk.clone()).map_err(|e| WalletError::HolderKey(format!("cnf.jwk: {e}")))?;
    let alg = match &jwk.algorithm {
        AlgorithmParameters::EllipticCurve(p) => match p.curve {
            EllipticCurve::P256 => Algorithm::ES256,
            EllipticCurve::P384 => Algorithm::ES384,
            _ => return Err(WalletError::HolderKey("curve not supported".into())),
        },
        _ => return Err(WalletError::HolderKey("not an EC key".into())),
    };
    let key = DecodingKey::from_jwk(&jwk).map_err(|e| WalletError::HolderKey(format!("cnf.jwk: {e}")))?;
    Ok((key, alg))
}
