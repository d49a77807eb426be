//! Signatures of the SAML HTTP-Redirect binding (SAML Bindings §3.4.4.1): the signature covers the
//! URL-encoded octets `SAMLRequest=…&RelayState=…&SigAlg=…` (or `SAMLResponse=…`), not the XML.
//!
//! ECDSA values here are ASN.1 DER, as produced and expected by JCA-based peers (OpenSAML in the
//! eIDAS middleware, `Signature.getInstance("SHA256withECDSA")`) — unlike XML-DSig's raw `r‖s`.

use base64::{engine::general_purpose::STANDARD as B64, Engine as _};
use url::form_urlencoded::byte_serialize;

use super::algorithms::SignatureAlgorithm;
use super::errors::DsigError;
use super::keys::{PrivateKey, PublicKey};
use super::signing::{sign, verify, EcdsaFormat};

/// Which message the query carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectMessage {
    /// `SAMLRequest` (AuthnRequest, LogoutRequest).
    Request,
    /// `SAMLResponse`.
    Response,
}

impl RedirectMessage {
    fn param(self) -> &'static str {
        match self {
            Self::Request => "SAMLRequest",
            Self::Response => "SAMLResponse",
        }
    }
}

fn enc(s: &str) -> String {
    byte_serialize(s.as_bytes()).collect()
}

/// Builds the signed query string for the HTTP-Redirect binding.
///
/// `message_b64` is the base64 of the DEFLATE-compressed (raw RFC 1951) XML message — the caller
/// compresses and encodes it. Returns `SAMLRequest=…[&RelayState=…]&SigAlg=…&Signature=…` (every
/// value URL-encoded), to append after `?` to the IdP's SSO URL. The XML itself must not carry an
/// enveloped signature in this binding (§3.4.4.1).
pub fn sign_redirect_query(
    message: RedirectMessage,
    message_b64: &str,
    relay_state: Option<&str>,
    key: &PrivateKey,
    alg: SignatureAlgorithm,
) -> Result<String, DsigError> {
    let mut query = format!("{}={}", message.param(), enc(message_b64));
    if let Some(rs) = relay_state {
        query.push_str("&RelayState=");
        query.push_str(&enc(rs));
    }
    query.push_str("&SigAlg=");
    query.push_str(&enc(alg.uri()));
    let sig = sign(alg, key, query.as_bytes(), EcdsaFormat::Der)?;
    query.push_str("&Signature=");
    query.push_str(&enc(&B64.encode(sig)));
    Ok(query)
}

/// Verifies a Redirect-binding query string (everything after `?`) with pinned keys.
///
/// The signed octets are rebuilt from the parameters *as they appear in the raw query* (§3.4.4.1:
/// re-encoding could differ from the sender's encoding). Returns the still URL-encoded message value
/// on success. `SigAlg` must be in `allowed`.
pub fn verify_redirect_query<'q>(
    raw_query: &'q str,
    message: RedirectMessage,
    allowed: &[SignatureAlgorithm],
    keys: &[PublicKey],
) -> Result<&'q str, DsigError> {
    let mut msg = None;
    let mut relay = None;
    let mut sig_alg = None;
    let mut signature = None;
    for pair in raw_query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let slot = match k {
            k if k == message.param() => &mut msg,
            "RelayState" => &mut relay,
            "SigAlg" => &mut sig_alg,
            "Signature" => &mut signature,
            _ => continue,
        };
        if slot.replace(v).is_some() {
            return Err(DsigError::Malformed("repeated query parameter"));
        }
    }
    let msg = msg.ok_or(DsigError::Malformed("no SAML message in query"))?;
    let (sig_alg, signature) = match (sig_alg, signature) {
        (Some(a), Some(s)) => (a, s),
        _ => return Err(DsigError::Missing),
    };
    let decode = |v: &str| {
        url::form_urlencoded::parse(format!("x={v}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    let alg_uri = decode(sig_alg).unwrap_or_default();
    let alg = SignatureAlgorithm::from_uri(&alg_uri)
        .filter(|a| allowed.contains(a))
        .ok_or_else(|| DsigError::SignatureAlgorithm(alg_uri.into()))?;
    let sig = decode(signature)
        .and_then(|s| B64.decode(s.trim()).ok())
        .ok_or(DsigError::Malformed("Signature is not base64"))?;
    let mut signed = format!("{}={msg}", message.param());
    if let Some(rs) = relay {
        signed.push_str("&RelayState=");
        signed.push_str(rs);
    }
    signed.push_str("&SigAlg=");
    signed.push_str(sig_alg);
    if keys.iter().any(|k| verify(alg, k, signed.as_bytes(), &sig, EcdsaFormat::Der)) {
        Ok(msg)
    } else {
        Err(DsigError::BadSignature)
    }
}
