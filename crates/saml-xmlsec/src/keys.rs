//! Keys and certificates, on aws-lc-rs.
//!
//! * [`Certificate`]: an X.509 certificate (PEM or DER) parsed with `x509-parser`; only its
//!   SubjectPublicKeyInfo is used (peers pin keys from metadata, no path validation here).
//! * [`PublicKey`]: an RSA or EC (P-256/P-384/P-521) SubjectPublicKeyInfo.
//! * [`PrivateKey`]: an RSA or EC private key (PKCS#8, PKCS#1 or SEC1 PEM/DER), ready for signing,
//!   RSA-OAEP decryption and ECDH. Its `Debug` never prints key material.
//!
//! Other key types and curves (DSA, Ed25519, brainpool) are refused when loading, so a configuration
//! error shows at start-up rather than as a failing signature later.

use std::fmt;
use std::sync::{Arc, OnceLock};

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair as _, RsaKeyPair};
use aws_lc_rs::{agreement, rsa, signature};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use x509_parser::oid_registry::{OID_EC_P256, OID_KEY_TYPE_EC_PUBLIC_KEY, OID_NIST_EC_P384, OID_NIST_EC_P521, OID_PKCS1_RSAENCRYPTION};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::x509::SubjectPublicKeyInfo;
use zeroize::Zeroizing;

use crate::algorithms::{CURVE_P256, CURVE_P384, CURVE_P521};

/// Why a key or certificate could not be loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The input holds no PEM block of the expected kind.
    #[error("no PEM block of the expected kind")]
    NotPem,
    /// The certificate is not a parsable X.509 certificate.
    #[error("not a parsable X.509 certificate")]
    Certificate,
    /// Neither RSA nor EC on P-256, P-384 or P-521.
    #[error("unsupported key type (RSA, or EC on P-256/P-384/P-521)")]
    Unsupported,
    /// The key encoding is malformed or aws-lc-rs rejected the key.
    #[error("malformed or rejected key")]
    Rejected,
}

/// A NIST curve supported for ECDSA and ECDH-ES.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Curve {
    /// P-256 (secp256r1).
    P256,
    /// P-384 (secp384r1).
    P384,
    /// P-521 (secp521r1).
    P521,
}

impl Curve {
    /// The NamedCurve URI of XML-DSig 1.1 §4.5.2.3.1 (`urn:oid:…`).
    pub fn uri(self) -> &'static str {
        match self {
            Self::P256 => CURVE_P256,
            Self::P384 => CURVE_P384,
            Self::P521 => CURVE_P521,
        }
    }

    /// Parses a NamedCurve URI.
    pub fn from_uri(uri: &str) -> Option<Self> {
        [Self::P256, Self::P384, Self::P521].into_iter().find(|c| c.uri() == uri)
    }

    pub(crate) fn agreement(self) -> &'static agreement::Algorithm {
        match self {
            Self::P256 => &agreement::ECDH_P256,
            Self::P384 => &agreement::ECDH_P384,
            Self::P521 => &agreement::ECDH_P521,
        }
    }

    /// A signing algorithm of this curve, used only to parse PKCS#8 (the curve is checked).
    fn parse_alg(self) -> &'static signature::EcdsaSigningAlgorithm {
        match self {
            Self::P256 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            Self::P384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
            Self::P521 => &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
        }
    }
}

/// What kind of key this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA with this modulus size in bits.
    Rsa {
        /// Modulus size.
        bits: usize,
    },
    /// EC on a named curve.
    Ec(Curve),
}

/// A public key (from a certificate or a SubjectPublicKeyInfo). Cheap to clone. Two keys are equal
/// when type, size/curve and key value are (encoding details of the SPKI do not matter).
#[derive(Clone)]
pub struct PublicKey(Arc<PublicInner>);

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.kind == other.0.kind && self.0.key == other.0.key
    }
}

impl Eq for PublicKey {}

struct PublicInner {
    kind: KeyKind,
    /// RSA: the PKCS#1 `RSAPublicKey`; EC: the uncompressed point.
    key: Vec<u8>,
    /// The whole SubjectPublicKeyInfo (DER).
    spki: Vec<u8>,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey").field("kind", &self.0.kind).finish_non_exhaustive()
    }
}

impl PublicKey {
    /// Parses a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
    pub fn from_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        let (_, spki) = SubjectPublicKeyInfo::from_der(der).map_err(|_| KeyError::Rejected)?;
        Self::from_spki(&spki)
    }

    fn from_spki(spki: &SubjectPublicKeyInfo<'_>) -> Result<Self, KeyError> {
        let alg = &spki.algorithm.algorithm;
        let key = spki.subject_public_key.data.to_vec();
        let kind = if *alg == OID_PKCS1_RSAENCRYPTION {
            let x509_parser::public_key::PublicKey::RSA(rsa) = spki.parsed().map_err(|_| KeyError::Rejected)? else {
                return Err(KeyError::Rejected);
            };
            KeyKind::Rsa { bits: rsa.key_size() }
        } else if *alg == OID_KEY_TYPE_EC_PUBLIC_KEY {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .ok_or(KeyError::Unsupported)?;
            let curve = if curve == OID_EC_P256 {
                Curve::P256
            } else if curve == OID_NIST_EC_P384 {
                Curve::P384
            } else if curve == OID_NIST_EC_P521 {
                Curve::P521
            } else {
                return Err(KeyError::Unsupported);
            };
            KeyKind::Ec(curve)
        } else {
            return Err(KeyError::Unsupported);
        };
        Ok(Self(Arc::new(PublicInner {
            kind,
            key,
            spki: spki.raw.to_vec(),
        })))
    }

    /// RSA (with its size) or EC (with its curve).
    pub fn kind(&self) -> KeyKind {
        self.0.kind
    }

    /// The DER SubjectPublicKeyInfo.
    pub fn spki_der(&self) -> &[u8] {
        &self.0.spki
    }

    /// RSA: the PKCS#1 `RSAPublicKey`; EC: the uncompressed point (SEC 1 §2.3.3).
    pub fn key_bytes(&self) -> &[u8] {
        &self.0.key
    }
}

/// An X.509 certificate: its DER and its public key. Cheap to clone.
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate(Arc<(Vec<u8>, PublicKey)>);

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Certificate").field(&self.0 .1).finish()
    }
}

impl Certificate {
    /// Parses a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        let (_, cert) = X509Certificate::from_der(der).map_err(|_| KeyError::Certificate)?;
        let public = PublicKey::from_spki(cert.public_key())?;
        Ok(Self(Arc::new((der.to_vec(), public))))
    }

    /// Parses the first `CERTIFICATE` block of a PEM text.
    pub fn from_pem(pem: &[u8]) -> Result<Self, KeyError> {
        let der = CertificateDer::from_pem_slice(pem).map_err(|_| KeyError::NotPem)?;
        Self::from_der(der.as_ref())
    }

    /// The DER encoding (for `ds:X509Certificate`).
    pub fn der(&self) -> &[u8] {
        &self.0 .0
    }

    /// The subject public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.0 .1
    }
}

/// A private key for signing and for decryption (RSA-OAEP or ECDH-ES). Cheap to clone; `Debug`
/// prints only the key kind.
#[derive(Clone)]
pub struct PrivateKey(Arc<PrivateInner>);

/// How many ECDSA signing algorithms one EC key can serve (three hashes × two value formats).
const ECDSA_SLOTS: usize = 6;

/// Which of an EC key's [`ECDSA_SLOTS`] parsed key pairs (see `signing.rs`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct EcdsaSlot(pub(crate) usize);

enum PrivateInner {
    Rsa {
        sign: RsaKeyPair,
        decrypt: rsa::OaepPrivateDecryptingKey,
        public: PublicKey,
    },
    Ec {
        curve: Curve,
        /// ECDSA key pairs are bound to one algorithm (curve, hash, value format) in aws-lc-rs, so
        /// the PKCS#8 is kept and each pair parsed on its first signature, then kept in
        /// `signers` (a parse costs about as much as a signature, and every login signs an
        /// AuthnRequest).
        pkcs8: Zeroizing<Vec<u8>>,
        /// Parsed key pairs by [`EcdsaSlot`] (hash × value format); `None` when rejected.
        signers: Box<[OnceLock<Option<EcdsaKeyPair>>; ECDSA_SLOTS]>,
        ecdh: agreement::PrivateKey,
        public: PublicKey,
    },
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrivateKey({:?}, [redacted])", self.kind())
    }
}

impl PrivateKey {
    /// Parses the first private-key PEM block (`PRIVATE KEY`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`).
    pub fn from_pem(pem: &[u8]) -> Result<Self, KeyError> {
        let der = PrivateKeyDer::from_pem_slice(pem).map_err(|_| KeyError::NotPem)?;
        match der {
            PrivateKeyDer::Pkcs8(k) => Self::from_pkcs8_der(k.secret_pkcs8_der()),
            PrivateKeyDer::Pkcs1(k) => {
                let kp = RsaKeyPair::from_der(k.secret_pkcs1_der()).map_err(|_| KeyError::Rejected)?;
                let pkcs8: Pkcs8V1Der<'static> = kp.as_der().map_err(|_| KeyError::Rejected)?;
                Self::from_pkcs8_der(pkcs8.as_ref())
            }
            PrivateKeyDer::Sec1(k) => {
                for curve in [Curve::P256, Curve::P384, Curve::P521] {
                    if let Ok(kp) = EcdsaKeyPair::from_private_key_der(curve.parse_alg(), k.secret_sec1_der()) {
                        let pkcs8 = kp.to_pkcs8v1().map_err(|_| KeyError::Rejected)?;
                        return Self::from_pkcs8_der(pkcs8.as_ref());
                    }
                }
                Err(KeyError::Unsupported)
            }
            _ => Err(KeyError::Unsupported),
        }
    }

    /// Parses a DER PKCS#8 `PrivateKeyInfo` (RSA or EC P-256/P-384/P-521).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        if let Ok(sign) = RsaKeyPair::from_pkcs8(der) {
            let decrypt = rsa::PrivateDecryptingKey::from_pkcs8(der).map_err(|_| KeyError::Rejected)?;
            let decrypt = rsa::OaepPrivateDecryptingKey::new(decrypt).map_err(|_| KeyError::Rejected)?;
            let spki: PublicKeyX509Der<'static> = sign.public_key().as_der().map_err(|_| KeyError::Rejected)?;
            let public = PublicKey::from_spki_der(spki.as_ref())?;
            return Ok(Self(Arc::new(PrivateInner::Rsa { sign, decrypt, public })));
        }
        for curve in [Curve::P256, Curve::P384, Curve::P521] {
            let Ok(kp) = EcdsaKeyPair::from_pkcs8(curve.parse_alg(), der) else {
                continue;
            };
            let spki: PublicKeyX509Der<'static> = kp.public_key().as_der().map_err(|_| KeyError::Rejected)?;
            let public = PublicKey::from_spki_der(spki.as_ref())?;
            let ecdh = agreement::PrivateKey::from_private_key_der(curve.agreement(), der).map_err(|_| KeyError::Rejected)?;
            return Ok(Self(Arc::new(PrivateInner::Ec {
                curve,
                pkcs8: Zeroizing::new(der.to_vec()),
                signers: Default::default(),
                ecdh,
                public,
            })));
        }
        Err(KeyError::Unsupported)
    }

    /// RSA (with its size) or EC (with its curve).
    pub fn kind(&self) -> KeyKind {
        self.public_key().kind()
    }

    /// The matching public key (e.g. to check it against a certificate).
    pub fn public_key(&self) -> &PublicKey {
        match &*self.0 {
            PrivateInner::Rsa { public, .. } | PrivateInner::Ec { public, .. } => public,
        }
    }

    pub(crate) fn rsa_sign(&self) -> Option<&RsaKeyPair> {
        match &*self.0 {
            PrivateInner::Rsa { sign, .. } => Some(sign),
            PrivateInner::Ec { .. } => None,
        }
    }

    pub(crate) fn rsa_oaep(&self) -> Option<&rsa::OaepPrivateDecryptingKey> {
        match &*self.0 {
            PrivateInner::Rsa { decrypt, .. } => Some(decrypt),
            PrivateInner::Ec { .. } => None,
        }
    }

    /// An EC key's key pair for the signing algorithm `alg`, which must be the one of `slot`
    /// (`signing.rs` derives both from the hash and the value format): parsed from the PKCS#8 at
    /// the first call, kept for the next.
    pub(crate) fn ecdsa_key_pair(&self, slot: EcdsaSlot, alg: &'static signature::EcdsaSigningAlgorithm) -> Option<&EcdsaKeyPair> {
        match &*self.0 {
            PrivateInner::Ec { pkcs8, signers, .. } => signers
                .get(slot.0)?
                .get_or_init(|| EcdsaKeyPair::from_pkcs8(alg, pkcs8).ok())
                .as_ref(),
            PrivateInner::Rsa { .. } => None,
        }
    }

    /// The ECDH key of an EC key.
    pub(crate) fn ecdh(&self) -> Option<(Curve, &agreement::PrivateKey)> {
        match &*self.0 {
            PrivateInner::Ec { curve, ecdh, .. } => Some((*curve, ecdh)),
            PrivateInner::Rsa { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    #[test]
    fn keys_match_their_certificates() {
        for (key, cert, kind) in [
            ("sp-enc-rsa.key", "sp-enc-rsa.crt", KeyKind::Rsa { bits: 3072 }),
            ("sp-enc-ec.key", "sp-enc-ec.crt", KeyKind::Ec(Curve::P256)),
        ] {
            let k = PrivateKey::from_pem(&fixture(key)).unwrap();
            let c = Certificate::from_pem(&fixture(cert)).unwrap();
            assert_eq!(k.kind(), kind);
            assert_eq!(k.public_key(), c.public_key());
            assert!(!format!("{k:?}").contains("0x"), "Debug must not print key material");
        }
    }

    #[test]
    fn garbage_is_refused() {
        assert_eq!(PrivateKey::from_pem(b"not pem").unwrap_err(), KeyError::NotPem);
        assert_eq!(Certificate::from_pem(b"not pem").unwrap_err(), KeyError::NotPem);
        assert_eq!(Certificate::from_der(b"\x30\x03\x02\x01\x01").unwrap_err(), KeyError::Certificate);
        assert_eq!(PrivateKey::from_pkcs8_der(b"\x30\x00").unwrap_err(), KeyError::Unsupported);
    }
}
