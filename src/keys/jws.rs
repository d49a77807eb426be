//! Prepared signing and verification keys and the JWS Compact Serialization (RFC 7515 §7.1).
//!
//! jsonwebtoken's `encode`/`decode` rebuild the aws-lc-rs key object for every token: an ES256
//! signature re-parsed and re-validated the PKCS#8 key (a scalar multiplication) per call, and a
//! verification re-parsed the public point. The ring keeps the parsed aws-lc-rs objects instead
//! ([`Prepared`]), built once when a key is loaded; only the signature itself runs per token.
//! The cryptography stays aws-lc-rs; this module only assembles `header.payload.signature`.

use super::SigningAlg;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeyPair as RsaKeyPair;
use aws_lc_rs::signature::{
    EcdsaKeyPair, Ed25519KeyPair, KeyPair, ParsedPublicKey, ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, ED25519,
    RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RSA_PSS_2048_8192_SHA256, RSA_PSS_SHA256,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::Header;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The private key as aws-lc-rs parsed it.
enum PrivateKey {
    Ecdsa(EcdsaKeyPair),
    Rsa(RsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

/// A key parsed once: the signing half and the verifying half.
pub(super) struct Prepared {
    alg: SigningAlg,
    private: PrivateKey,
    public: ParsedPublicKey,
}

impl Prepared {
    /// Parse the DER that jsonwebtoken's `EncodingKey` holds for `alg` (PKCS#8 for ES256 and
    /// EdDSA, PKCS#1 for RSA: see `import.rs`).
    pub(super) fn new(alg: SigningAlg, der: &[u8]) -> Result<Self, String> {
        let err = |e: aws_lc_rs::error::KeyRejected| e.to_string();
        let (private, public) = match alg {
            SigningAlg::ES256 => {
                let kp = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der).map_err(err)?;
                let public = ParsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, kp.public_key().as_ref()).map_err(err)?;
                (PrivateKey::Ecdsa(kp), public)
            }
            SigningAlg::RS256 | SigningAlg::PS256 => {
                let kp = RsaKeyPair::from_der(der).map_err(err)?;
                let verify_alg = if alg == SigningAlg::RS256 {
                    &RSA_PKCS1_2048_8192_SHA256
                } else {
                    &RSA_PSS_2048_8192_SHA256
                };
                let public = ParsedPublicKey::new(verify_alg, kp.public_key().as_ref()).map_err(err)?;
                (PrivateKey::Rsa(kp), public)
            }
            SigningAlg::EdDSA => {
                let kp = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).map_err(err)?;
                let public = ParsedPublicKey::new(&ED25519, kp.public_key().as_ref()).map_err(err)?;
                (PrivateKey::Ed25519(kp), public)
            }
        };
        Ok(Self { alg, private, public })
    }

    fn signature(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        let e = |e: aws_lc_rs::error::Unspecified| e.to_string();
        match &self.private {
            // FIXED: the 64-byte r‖s form JWS wants (RFC 7518 §3.4), not DER.
            PrivateKey::Ecdsa(kp) => Ok(kp.sign(&SystemRandom::new(), message).map_err(e)?.as_ref().to_vec()),
            PrivateKey::Rsa(kp) => {
                let padding = if self.alg == SigningAlg::RS256 {
                    &RSA_PKCS1_SHA256
                } else {
                    &RSA_PSS_SHA256
                };
                let mut sig = vec![0; kp.public_modulus_len()];
                kp.sign(padding, &SystemRandom::new(), message, &mut sig).map_err(e)?;
                Ok(sig)
            }
            PrivateKey::Ed25519(kp) => Ok(kp.sign(message).as_ref().to_vec()),
        }
    }

    /// `BASE64URL(header) . BASE64URL(claims) . BASE64URL(signature)` (RFC 7515 §7.1).
    pub(super) fn sign<T: Serialize>(&self, header: &Header, claims: &T) -> Result<String, String> {
        let header = serde_json::to_vec(header).map_err(|e| e.to_string())?;
        let claims = serde_json::to_vec(claims).map_err(|e| e.to_string())?;
        let mut token = String::with_capacity((header.len() + claims.len()) * 4 / 3 + 100);
        URL_SAFE_NO_PAD.encode_string(&header, &mut token);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&claims, &mut token);
        let sig = self.signature(token.as_bytes())?;
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&sig, &mut token);
        Ok(token)
    }

    /// Check the signature of a compact JWS whose header the caller has already checked, and
    /// return its claims.
    pub(super) fn verify<T: DeserializeOwned>(&self, token: &str) -> Result<T, String> {
        let (signing_input, sig) = token.rsplit_once('.').ok_or("not a compact JWS")?;
        let (_, payload) = signing_input.split_once('.').ok_or("not a compact JWS")?;
        let sig = URL_SAFE_NO_PAD.decode(sig).map_err(|_| "signature is not base64url")?;
        self.public
            .verify_sig(signing_input.as_bytes(), &sig)
            .map_err(|_| "InvalidSignature".to_owned())?;
        decode_payload(payload)
    }
}

/// The claims of a compact JWS whose signature the ring has already verified (these exact bytes:
/// `verified.rs`), without checking it again.
pub(super) fn verified_payload<T: DeserializeOwned>(token: &str) -> Result<T, String> {
    let mut parts = token.split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(_), Some(payload), Some(_), None) => decode_payload(payload),
        _ => Err("not a compact JWS".into()),
    }
}

fn decode_payload<T: DeserializeOwned>(payload: &str) -> Result<T, String> {
    let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| "payload is not base64url")?;
    serde_json::from_slice(&payload).map_err(|e| e.to_string())
}

/// The header of a compact JWS, unverified (three parts, or an error).
pub(super) fn header(token: &str) -> Result<Header, String> {
    if token.split('.').count() != 3 {
        return Err("not a compact JWS".into());
    }
    jsonwebtoken::decode_header(token).map_err(|e| e.to_string())
}
