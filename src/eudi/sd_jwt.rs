//! SD-JWT VC presentations (RFC 9901, SD-JWT VC draft-13): parse `jwt~d1~…~dn~kb`, verify the
//! issuer JWS with the `x5c` leaf, and rebuild the disclosed claims from the digests.

use crate::eudi::error::WalletError;
use crate::eudi::trust::PidTrust;
use serde_json::Value;
use std::time::SystemTime;

/// A presentation split at `~` (RFC 9901 §4).
#[derive(Debug, Clone)]
pub struct Presentation<'a> {
    /// The issuer-signed JWT.
    pub issuer_jwt: &'a str,
    /// The disclosures, base64url as sent.
    pub disclosures: Vec<&'a str>,
    /// The key binding JWT, if any.
    pub kb_jwt: Option<&'a str>,
    /// Everything up to and including the last `~` (the `sd_hash` input, RFC 9901 §4.3.1).
    pub sd_hash_input: &'a str,
}

impl<'a> Presentation<'a> {
    /// Split a compact presentation.
    pub fn parse(compact: &'a str) -> Result<Self, WalletError> {
        let _ = compact;
        Err(WalletError::Malformed("not built yet".into()))
    }
}

/// An SD-JWT VC whose issuer signature, chain, validity and disclosures verified.
#[derive(Debug, Clone)]
pub struct VerifiedSdJwt {
    /// `vct`.
    pub vct: String,
    /// The processed payload: disclosed claims in place, `_sd`, `_sd_alg` removed.
    pub claims: Value,
    /// `cnf.jwk`, the holder key.
    pub holder_jwk: Option<Value>,
    /// `status.status_list`: URI and index.
    pub status: Option<(url::Url, u64)>,
}

/// Verify the issuer part of a presentation at `now`, allowing `skew` seconds of clock difference.
pub fn verify_issuer(presentation: &Presentation<'_>, trust: &PidTrust, now: SystemTime, skew: u64) -> Result<VerifiedSdJwt, WalletError> {
    let _ = (presentation, trust, now, skew);
    Err(WalletError::Malformed("not built yet".into()))
}
