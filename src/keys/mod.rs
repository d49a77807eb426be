//! The signing key ring: keys that sign ID tokens and access tokens, published at `/jwks`.
//!
//! - `kid` is the RFC 7638 JWK thumbprint (SHA-256), so it is derived, never configured.
//! - The first *active* key of an algorithm signs; every key (active or `publish_only`) is published.
//!   Rotation (as in node-oidc-provider): add the new key as `publish_only`, wait for caches (the
//!   longest token lifetime), make it active and first, later remove the old one.
//! - Development keys are generated in memory with a loud warning, and refused in production config.

mod import;
pub mod jwe;
mod jws;
mod ring;
mod verified;

pub use import::is_jwk_file;

pub use ring::{KeyRing, RingKey};

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// JWS algorithms this broker signs with (RFC 7518 §3.1, RFC 8037 for EdDSA).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SigningAlg {
    /// ECDSA P-256 SHA-256: the default (fast to sign, small tokens).
    ES256,
    /// RSASSA-PKCS1-v1_5 SHA-256: for relying parties whose library knows nothing else.
    RS256,
    /// RSASSA-PSS SHA-256.
    PS256,
    /// Ed25519.
    EdDSA,
}

impl SigningAlg {
    /// The JOSE name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ES256 => "ES256",
            Self::RS256 => "RS256",
            Self::PS256 => "PS256",
            Self::EdDSA => "EdDSA",
        }
    }

    /// The jsonwebtoken algorithm.
    pub fn jwt(self) -> jsonwebtoken::Algorithm {
        match self {
            Self::ES256 => jsonwebtoken::Algorithm::ES256,
            Self::RS256 => jsonwebtoken::Algorithm::RS256,
            Self::PS256 => jsonwebtoken::Algorithm::PS256,
            Self::EdDSA => jsonwebtoken::Algorithm::EdDSA,
        }
    }
}

impl fmt::Display for SigningAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for an algorithm name that we do not sign with (notably `none` and the HMAC family).
#[derive(Debug, thiserror::Error)]
#[error("unsupported signing algorithm {0:?} (expected ES256, RS256, PS256 or EdDSA)")]
pub struct UnknownAlg(pub String);

impl FromStr for SigningAlg {
    type Err = UnknownAlg;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ES256" => Ok(Self::ES256),
            "RS256" => Ok(Self::RS256),
            "PS256" => Ok(Self::PS256),
            "EdDSA" => Ok(Self::EdDSA),
            other => Err(UnknownAlg(other.to_owned())),
        }
    }
}

/// Errors of the key ring.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// A key file could not be read.
    #[error("cannot read key file {path}: {reason}")]
    Read { path: String, reason: String },
    /// A key file could not be parsed as the configured algorithm.
    #[error("key file {path} is not a valid {alg} private key: {reason}")]
    Parse { path: String, alg: SigningAlg, reason: String },
    /// Key generation failed.
    #[error("key generation failed: {0}")]
    Generate(String),
    /// No active key for the requested algorithm.
    #[error("no active signing key for {0}")]
    NoSigningKey(SigningAlg),
    /// Signing failed.
    #[error("signing failed: {0}")]
    Sign(String),
    /// A token did not verify against any of our keys (wrong kid, wrong alg, bad signature, bad typ).
    #[error("token rejected: {0}")]
    Rejected(String),
}

/// Generate a private key as PKCS#8 PEM (for `buergerkonto keys generate`; RSA keys are 3072 bits).
pub fn generate_pem(alg: SigningAlg) -> Result<String, KeyError> {
    ring::generate_pkcs8_der(alg, aws_lc_rs::rsa::KeySize::Rsa3072).map(|der| pem_encode("PRIVATE KEY", &der))
}

fn pem_encode(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
