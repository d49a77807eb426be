//! The JOSE header checks shared by the issuer JWT, the KB-JWT and the status list token, made
//! on the raw header before jsonwebtoken parses it: `alg` from an allow-list (so `none` and HMAC
//! are named in the error instead of failing as unparsable), and the `typ` each token needs.

use crate::eudi::error::WalletError;
use base64::Engine;
use jsonwebtoken::Algorithm;
use serde_json::Value;

/// The decoded JOSE header of a compact JWS, with `alg` one of the asymmetric algorithms we
/// accept: ES256 (HAIP 1.0 §7, the minimum), ES384 and PS256.
pub(crate) fn header(jws: &str) -> Result<(Algorithm, Value), WalletError> {
    let mut parts = jws.split('.');
    let (Some(h), Some(_), Some(_), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(WalletError::Malformed("not a compact JWS".into()));
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(h)
        .map_err(|_| WalletError::Malformed("JWS header not base64url".into()))?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|_| WalletError::Malformed("JWS header not JSON".into()))?;
    let alg = v.get("alg").and_then(Value::as_str).unwrap_or("");
    let alg = match alg {
        "ES256" => Algorithm::ES256,
        "ES384" => Algorithm::ES384,
        "PS256" => Algorithm::PS256,
        other => return Err(WalletError::Algorithm(other.into())),
    };
    if v.get("crit").is_some() {
        // RFC 7515 §4.1.11: we understand no extension, so a token requiring one is refused.
        return Err(WalletError::Malformed("crit header not supported".into()));
    }
    Ok((alg, v))
}

/// `typ` must be one of `accepted` (compared exactly, RFC 7515 §4.1.9 allows no other form for
/// these explicit types).
pub(crate) fn check_typ(header: &Value, expected: &'static str, also: Option<&str>) -> Result<(), WalletError> {
    let typ = header.get("typ").and_then(Value::as_str);
    if typ == Some(expected) || (also.is_some() && typ == also) {
        Ok(())
    } else {
        Err(WalletError::WrongType {
            expected,
            found: typ.map(str::to_owned),
        })
    }
}

/// A `NumericDate` claim (RFC 7519 §2) as whole seconds; fractions are cut off.
pub(crate) fn numeric_date(claims: &Value, name: &str) -> Result<Option<i64>, WalletError> {
    match claims.get(name) {
        None => Ok(None),
        Some(v) => v
            .as_i64()
            .or_else(|| v.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| WalletError::Malformed(format!("{name} is not a NumericDate"))),
    }
}

/// Verify the signature of `jws` with `key` and `alg` and return its claims. Time claims are
/// checked by the caller against the injected `now`, so jsonwebtoken checks none.
pub(crate) fn verify(jws: &str, key: &jsonwebtoken::DecodingKey, alg: Algorithm) -> Result<Value, jsonwebtoken::errors::Error> {
    let mut v = jsonwebtoken::Validation::new(alg);
    v.validate_exp = false;
    v.validate_nbf = false;
    v.validate_aud = false;
    v.required_spec_claims.clear();
    jsonwebtoken::decode::<Value>(jws, key, &v).map(|d| d.claims)
}
