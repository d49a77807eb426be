//! `id_token_hint` (RP-Initiated Logout 1.0 §2): an ID token this broker issued, presented back as
//! a hint of which session the relying party means.
//!
//! Checked: our signature (a key of our ring, its algorithm, `typ: JWT` — so an access token
//! (`at+jwt`) or a logout token is no hint), our `iss`, an `aud` that is one registered client.
//! **Not** checked: `exp` — §2 says the OP should accept an expired ID token it issued, because a
//! relying party typically logs out long after the token expired. The hint only ever *names* a
//! session; whether it is this browser's is decided in `decide.rs`.

use crate::oidc_provider::broker::Broker;
use crate::oidc_provider::settings::ClientConfig;
use crate::oidc_provider::tokens::ID_TYP;
use serde::Deserialize;

/// Why a hint was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HintError {
    /// Not signed by a key of ours, wrong algorithm or `typ`, or not a JWT at all.
    #[error("id_token_hint not signed by this broker")]
    Signature,
    /// Signed by us, but `iss` is not our issuer.
    #[error("id_token_hint from another issuer")]
    Issuer,
    /// `aud` is not exactly one registered client.
    #[error("id_token_hint for an unknown audience")]
    Audience,
    /// No `sid` (every ID token of this broker has one).
    #[error("id_token_hint without sid")]
    NoSid,
}

#[derive(Debug, Deserialize)]
struct HintClaims {
    iss: String,
    aud: serde_json::Value,
    #[serde(default)]
    sid: Option<String>,
}

/// What a valid hint says.
#[derive(Debug, Clone)]
pub struct Hint<'b> {
    /// The client the ID token was issued to.
    pub client: &'b ClientConfig,
    /// The session id as that client sees it.
    pub sid: String,
}

/// Verify a hint.
pub fn verify<'b>(broker: &'b Broker, token: &str) -> Result<Hint<'b>, HintError> {
    let claims: HintClaims = broker.keys().verify(token, ID_TYP).map_err(|_| HintError::Signature)?;
    if claims.iss != broker.issuer().as_str() {
        return Err(HintError::Issuer);
    }
    // Our ID tokens carry `aud` as one string; an array is accepted only with one member.
    let aud = match &claims.aud {
        serde_json::Value::String(s) => Some(s.as_str()),
        serde_json::Value::Array(a) if a.len() == 1 => a[0].as_str(),
        _ => None,
    };
    let client = aud.and_then(|a| broker.client(a)).ok_or(HintError::Audience)?;
    let sid = claims.sid.filter(|s| !s.is_empty()).ok_or(HintError::NoSid)?;
    Ok(Hint { client, sid })
}
