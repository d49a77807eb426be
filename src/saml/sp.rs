//! Our SAML service-provider entity: entity ID, ACS URL, and the two key pairs (signing and a
//! separate encryption pair, so a compromise or rotation of one does not touch the other; eIDAS
//! interoperability architecture and GK metadata both publish them as separate KeyDescriptors).

use saml_xmlsec::algorithms::SignatureAlgorithm;
use saml_xmlsec::{Certificate, Curve, KeyKind};
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

    /// The crate's algorithm.
    pub fn algorithm(self) -> SignatureAlgorithm {
        match self {
            Self::EcdsaSha256 => SignatureAlgorithm::EcdsaSha256,
            Self::RsaPssSha256 => SignatureAlgorithm::RsaPssSha256,
        }
    }

    /// Check that `key` is strong enough for this algorithm (TR-03116-4: P-256+, RSA ≥ 3072) and
    /// that aws-lc-rs can sign with it (ECDSA-SHA256 on P-256 or P-521).
    pub fn check_key(self, key: &saml_xmlsec::PrivateKey) -> Result<(), String> {
        match self {
            Self::EcdsaSha256 => check_ec(key.kind())?,
            Self::RsaPssSha256 => check_rsa(key.kind())?,
        }
        if !saml_xmlsec::can_sign(key, self.algorithm()) {
            return Err(format!(
                "{} cannot be made with this key (ecdsa-sha256 needs P-256 or P-521)",
                self.uri()
            ));
        }
        Ok(())
    }
}

fn check_ec(kind: KeyKind) -> Result<(), String> {
    match kind {
        KeyKind::Ec(Curve::P256 | Curve::P384 | Curve::P521) => Ok(()),
        KeyKind::Rsa { .. } => Err("ecdsa-sha256 needs an EC key".into()),
    }
}

fn check_rsa(kind: KeyKind) -> Result<(), String> {
    match kind {
        KeyKind::Rsa { bits } if bits < 3072 => Err(format!("RSA key has {bits} bits; at least 3072 are required")),
        KeyKind::Rsa { .. } => Ok(()),
        KeyKind::Ec(_) => Err("rsa-pss-sha256 needs an RSA key".into()),
    }
}

/// Check a key for XML-Enc key transport: RSA ≥ 3072 (RSA-OAEP) or EC P-256+ (ECDH-ES).
pub fn check_encryption_key(key: &saml_xmlsec::PrivateKey) -> Result<(), String> {
    match key.kind() {
        kind @ KeyKind::Rsa { .. } => check_rsa(kind),
        kind @ KeyKind::Ec(_) => check_ec(kind).map_err(|e| format!("encryption key: {e} (or use RSA ≥ 3072)")),
    }
}

/// A private key that never prints.
#[derive(Clone)]
pub struct PrivateKey(pub saml_xmlsec::PrivateKey);

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
    pub cert: Certificate,
}

impl KeyPair {
    /// Base64 DER of the certificate (for `ds:X509Certificate`).
    pub fn cert_base64(&self) -> String {
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, self.cert.der())
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

/// Load a PEM private key (PKCS#8, PKCS#1 or SEC1; RSA or EC P-256/384/521).
pub fn load_private_key(path: &std::path::Path) -> Result<saml_xmlsec::PrivateKey, String> {
    let pem = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    saml_xmlsec::PrivateKey::from_pem(&pem).map_err(|e| format!("{}: {e}", path.display()))
}

/// Load a PEM certificate.
pub fn load_cert(path: &std::path::Path) -> Result<Certificate, String> {
    let pem = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Certificate::from_pem(&pem).map_err(|e| format!("{}: {e}", path.display()))
}

/// Load every certificate of a PEM file (at least one).
pub fn load_certs(path: &std::path::Path) -> Result<Vec<Certificate>, String> {
    let pem = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let end = "-----END CERTIFICATE-----";
    let mut certs = Vec::new();
    for block in pem.split_inclusive(end).filter(|b| b.contains(end)) {
        certs.push(Certificate::from_pem(block.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))?);
    }
    if certs.is_empty() {
        return Err(format!("{}: no PEM certificate", path.display()));
    }
    Ok(certs)
}

/// Check that `cert` certifies `key`.
pub fn check_pair(key: &saml_xmlsec::PrivateKey, cert: &Certificate) -> Result<(), String> {
    if key.public_key() == cert.public_key() {
        Ok(())
    } else {
        Err("certificate does not belong to the private key".into())
    }
}
