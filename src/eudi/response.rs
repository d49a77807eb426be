//! The wallet's answer at `response_uri` (OpenID4VP 1.0 §8.3, `direct_post.jwt`): a form with one
//! field, `response`, a JWE (ECDH-ES on P-256 to this transaction's key, `kid` echoed, `enc`
//! A128GCM or A256GCM; HAIP 1.0 §5). A plaintext `vp_token` form is refused: HAIP requires the
//! encrypted response and a broker that took both could be downgraded.
//!
//! The decrypted payload is JSON: `{"vp_token": {"pid": ["<presentation>"]}, "state": "…"}`, or a
//! wallet's error (`{"error": "access_denied", "state": "…"}`, §8.5). `state` must be the
//! transaction's (compared in constant time).

use crate::keys::jwe::{self, ContentEncryption, JweError, JweKey};
use serde::Deserialize;
use serde_json::Value;

/// The form fields of the POST, as received (each at most once).
#[derive(Debug, Default, Clone)]
pub struct ResponseForm {
    /// `response` (the JWE).
    pub response: Option<String>,
    /// Whether a plaintext `vp_token` field came (refused).
    pub plaintext: bool,
}

impl ResponseForm {
    /// Read form pairs; `None` when a field repeats.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<Self> {
        let mut f = Self::default();
        for (k, v) in pairs {
            match k {
                // The guard stores the first value; a second one makes the form unusable.
                "response" if f.response.replace(v.to_owned()).is_some() => return None,
                "vp_token" | "id_token" => f.plaintext = true,
                _ => {}
            }
        }
        Some(f)
    }
}

/// Why a response was not accepted (before the presentation is verified).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// A plaintext `vp_token`: only `direct_post.jwt` is accepted.
    #[error("plaintext responses are refused: this verifier requires response_mode direct_post.jwt (an encrypted `response`)")]
    Plaintext,
    /// No `response` field (or one sent twice).
    #[error("the form must carry exactly one `response` field")]
    Missing,
    /// Not decryptable with this transaction's key, or an algorithm we do not accept.
    #[error("the response is not a JWE for this transaction: {0}")]
    Jwe(JweError),
    /// The JWE header's `kid` is not our key's.
    #[error("the response's kid does not name this transaction's key")]
    WrongKid,
    /// The payload is not the JSON object of §8.3.
    #[error("the decrypted response is not a JSON object with vp_token or error")]
    Payload,
    /// `state` missing or another transaction's.
    #[error("state does not match this transaction")]
    State,
}

/// What the wallet said.
#[derive(Debug, Clone, PartialEq)]
pub enum WalletAnswer {
    /// Presentations (`vp_token`, §8.1).
    VpToken(Value),
    /// The wallet's error code (`access_denied` …).
    Error(String),
}

#[derive(Deserialize)]
struct Payload {
    #[serde(default)]
    vp_token: Option<Value>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    state: Option<String>,
}

/// Decrypt and check the wallet's response with the transaction's key, `kid` and `state`.
pub fn open(form: &ResponseForm, key: &JweKey, kid: &str, state: &str) -> Result<WalletAnswer, ResponseError> {
    let Some(jwe_text) = form.response.as_deref() else {
        return Err(if form.plaintext {
            ResponseError::Plaintext
        } else {
            ResponseError::Missing
        });
    };
    let accepted = [ContentEncryption::A128Gcm, ContentEncryption::A256Gcm];
    let d = jwe::decrypt(jwe_text, key, &accepted).map_err(ResponseError::Jwe)?;
    // OpenID4VP §8.3: the wallet echoes the `kid` of the key it used. A JWE made for another
    // transaction's key fails above (it does not decrypt: `Jwe`); this check catches a JWE for our
    // key that names another key, which a conforming wallet never sends. Checked after decryption
    // so the header is read only from a JWE that authenticated.
    if d.kid.as_deref() != Some(kid) {
        return Err(ResponseError::WrongKid);
    }
    let payload: Payload = serde_json::from_slice(&d.plaintext).map_err(|_| ResponseError::Payload)?;
    let state_ok = payload
        .state
        .as_deref()
        .is_some_and(|s| bool::from(subtle::ConstantTimeEq::ct_eq(s.as_bytes(), state.as_bytes())));
    if !state_ok {
        return Err(ResponseError::State);
    }
    match (payload.vp_token, payload.error) {
        (Some(v), None) if v.is_object() => Ok(WalletAnswer::VpToken(v)),
        (None, Some(e)) => Ok(WalletAnswer::Error(e)),
        _ => Err(ResponseError::Payload),
    }
}

#[cfg(test)]
mod tests;
