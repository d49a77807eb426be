//! Our SAML service-provider entity: entity ID, ACS URL, and the two key pairs (signing and a
//! separate encryption pair, so a compromise or rotation of one does not touch the other; eIDAS
//! interoperability architecture and GK metadata both publish them as separate KeyDescriptors).

use openssl::nid::Nid;
use openssl::pkey::{Id, PKey, Private};
use openssl::x509::X509;
use std::fmt;
use url::Url;

/// XML-DSig algorithm we sign with. PKCS#1 v1.5 `rsa-sha256` is deliberately absent: the German
/// eIDAS middleware rejects it (GK `CryptoAlgUtil`), also as `SigAlg` of the Redirect binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureAlg {
    /// `http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256` (P-256 or stronger).
    EcdsaSha256,
    /// `http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1` (RSASSA-PSS, RSA ≥ 3072).
    RsaPssSha256,
}

impl SignatureAlg {
    /// The algorithm URI (XML-DSig `SignatureMethod`, Redirect-binding `SigAlg`).
    pub fn uri(self) -> &'static str {
        match self {
            Self::EcdsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
            Self::RsaPssSha256 => "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1",
        }
    }

    /// Parse the configuration spelling.
    pub fn from_config(s: &str) -> Result<Self, String> {
        match s {
            "ecdsa-sha256" => Ok(Self::EcdsaSha256),
            "rsa-pss-sha256" => Ok(Self::RsaPssSha256),
            "rsa-sha256" | "rsa-sha1" => Err(format!(
                "{s:?} (PKCS#1 v1.5) is refused: the eIDAS middleware accepts only ECDSA or RSASSA-PSS; use \"ecdsa-sha256\" or \"rsa-pss-sha256\""
            )),
            other => Err(format!("unknown signature algorithm {other:?} (expected \"ecdsa-sha256\" or \"rsa-pss-sha256\")")),
        }
    }

    /// Check that `key` is strong enough for this algorithm (TR-03116-4: P-256+, RSA ≥ 3072).
    pub fn check_key(self, key: &PKey<Private>) -> Result<(), String> {
        match self {
            Self::EcdsaSha256 => check_ec(key),
            Self::RsaPssSha256 => check_rsa(key),
        }
    }
}

fn check_ec(key: &PKey<Private>) -> Result<(), String> {
    let ec = key.ec_key().map_err(|_| "ecdsa-sha256 needs an EC key".to_owned())?;
    match ec.group().curve_name() {
        Some(Nid::X9_62_PRIME256V1) | Some(Nid::SECP384R1) | Some(Nid::SECP521R1) => Ok(()),
        _ => Err("EC key must be on P-256, P-384 or P-521".into()),
    }
}

fn check_rsa(key: &PKey<Private>) -> Result<(), String> {
    if key.id() != Id::RSA {
        return Err("rsa-pss-sha256 needs an RSA key".into());
    }
    if key.bits() < 3072 {
        return Err(format!("RSA key has {} bits; at least 3072 are required", key.bits()));
    }
    Ok(())
}

/// Check a key for XML-Enc key transport: RSA ≥ 3072 (RSA-OAEP) or EC P-256+ (ECDH-ES).
pub fn check_encryption_key(key: &PKey<Private>) -> Result<(), String> {
    if key.id() == Id::RSA {
        check_rsa(key)
    } else {
        check_ec(key).map_err(|e| format!("encryption key: {e} (or use RSA ≥ 3072)"))
    }
}

/// A private key that never prints.
#[derive(Clone)]
pub struct PrivateKey(pub PKey<Private>);

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKey([redacted])")
    }
}

/// A key pair with its certificate.
#[derive(Debug, Clone)]
pub struct KeyPair {
    /// Private key.
    pub key: PrivateKey,
    /// Certificate published in metadata.
    pub cert: X509,
}

impl KeyPair {
    /// Base64 DER of the certificate (for `ds:X509Certificate`).
    pub fn cert_base64(&self) -> String {
        let der = self.cert.to_der().unwrap_or_default();
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, der)
    }
}

/// Our SP entity.
#[derive(Debug, Clone)]
pub struct ServiceProvider {
    /// `entityID` (also the `Issuer` of our requests and the `Audience` we require).
    pub entity_id: String,
    /// The HTTP-POST AssertionConsumerService (`…/saml/acs`).
    pub acs_url: Url,
    /// Signs AuthnRequests and our metadata.
    pub signing: KeyPair,
    /// Signature algorithm.
    pub signing_alg: SignatureAlg,
    /// Decrypts assertions (published with `use="encryption"`).
    pub encryption: KeyPair,
    /// Older encryption keys still accepted for decryption during rotation (not published).
    pub previous_encryption_keys: Vec<PrivateKey>,
    /// `validUntil` of our metadata, counted from when it is served.
    pub metadata_validity: std::time::Duration,
}

/// Load a PEM private key.
pub fn load_private_key(path: &std::path::Path) -> Result<PKey<Private>, String> {
    let pem = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    PKey::private_key_from_pem(&pem).map_err(|_| format!("{} is not a PEM private key", path.display()))
}

/// Load a PEM certificate.
pub fn load_cert(path: &std::path::Path) -> Result<X509, String> {
    let pem = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    X509::from_pem(&pem).map_err(|_| format!("{} is not a PEM certificate", path.display()))
}

/// Check that `cert` certifies `key`.
pub fn check_pair(key: &PKey<Private>, cert: &X509) -> Result<(), String> {
    let public = cert.public_key().map_err(|_| "certificate has no usable public key".to_owned())?;
    if public.public_eq(key) {
        Ok(())
    } else {
        Err("certificate does not belong to the private key".into())
    }
}
