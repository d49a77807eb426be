//! The wallet verifier's settings, validated (built by `config::wallet`): the access certificate
//! and its key (WRPAC: signs the request object, its leaf is our `client_id`), the PID-provider
//! trust, the wallet URL scheme, lifetimes and the key of the subject hash.

use super::client_id::ClientId;
use super::trust::PidTrust;
use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;
use std::time::Duration;
use zeroize::Zeroizing;

/// The access certificate (leaf) and its P-256 key (PKCS#8), which signs request objects (ES256,
/// HAIP 1.0 §7).
#[derive(Clone)]
pub struct AccessCredential {
    leaf_der: Vec<u8>,
    key_pkcs8: Arc<Zeroizing<Vec<u8>>>,
    generated: bool,
}

impl std::fmt::Debug for AccessCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessCredential")
            .field("client_id", &self.client_id().as_str())
            .field("generated", &self.generated)
            .finish_non_exhaustive()
    }
}

impl AccessCredential {
    /// From PEM text: the certificate file (leaf first; only the leaf is used) and the key file
    /// (PKCS#8 `PRIVATE KEY`, P-256). The key must belong to the leaf.
    pub fn from_pem(cert_pem: &[u8], key_pem: &[u8]) -> Result<Self, String> {
        let leaf = CertificateDer::pem_slice_iter(cert_pem)
            .next()
            .ok_or("no CERTIFICATE in the file")?
            .map_err(|e| format!("not a PEM certificate: {e}"))?;
        let key = match PrivateKeyDer::from_pem_slice(key_pem) {
            Ok(PrivateKeyDer::Pkcs8(d)) => d.secret_pkcs8_der().to_vec(),
            Ok(_) => return Err("expected a PKCS#8 \"PRIVATE KEY\" PEM".into()),
            Err(e) => return Err(format!("not a PEM private key: {e}")),
        };
        Self::from_der(leaf.to_vec(), key, false)
    }

    fn from_der(leaf_der: Vec<u8>, key_pkcs8: Vec<u8>, generated: bool) -> Result<Self, String> {
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &key_pkcs8)
            .map_err(|_| "the key is not a P-256 key (ES256 is required, HAIP 1.0 §7)".to_owned())?;
        let (_, cert) = x509_parser::parse_x509_certificate(&leaf_der).map_err(|e| format!("certificate: {e}"))?;
        if cert.public_key().subject_public_key.data.as_ref() != pair.public_key().as_ref() {
            return Err("the key does not belong to the certificate".into());
        }
        // HAIP 1.0 §5: the leaf in `x5c` is not self-signed (the chain leads to a registrar CA).
        if cert.subject() == cert.issuer() {
            return Err("the access certificate is self-signed; the registrar's certificate is expected".into());
        }
        Ok(Self {
            leaf_der,
            key_pkcs8: Arc::new(Zeroizing::new(key_pkcs8)),
            generated,
        })
    }

    /// A development access certificate, made at start-up: a test CA and a leaf it signs
    /// (`CN=buergerkonto development verifier`, SAN `localhost`). Refused by configuration outside
    /// development; its `client_id` changes with every start.
    pub fn generate_dev() -> Result<Self, String> {
        use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair as RcKey, PKCS_ECDSA_P256_SHA256};
        let err = |e: rcgen::Error| e.to_string();
        let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
        ca.distinguished_name
            .push(DnType::CommonName, "buergerkonto development registrar CA");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = CertifiedIssuer::self_signed(ca, RcKey::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(err)?).map_err(err)?;
        let mut leaf = CertificateParams::new(vec!["localhost".to_owned()]).map_err(err)?;
        leaf.distinguished_name
            .push(DnType::CommonName, "buergerkonto development verifier");
        let key = RcKey::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(err)?;
        let cert = leaf.signed_by(&key, &ca).map_err(err)?;
        Self::from_der(cert.der().to_vec(), key.serialize_der(), true)
    }

    /// The leaf, DER.
    pub fn leaf_der(&self) -> &[u8] {
        &self.leaf_der
    }

    /// The signing key, PKCS#8 DER (secret).
    pub fn key_pkcs8(&self) -> &[u8] {
        &self.key_pkcs8
    }

    /// Whether it was generated for development.
    pub fn is_generated(&self) -> bool {
        self.generated
    }

    /// `x509_hash:…` over the leaf.
    pub fn client_id(&self) -> ClientId {
        ClientId::x509_hash(&self.leaf_der)
    }
}

/// The key of the subject hash (HMAC-SHA-256, docs/eudi-wallet.md "Subject"): at least 32 bytes.
#[derive(Clone)]
pub struct SubjectKey(Arc<Zeroizing<Vec<u8>>>);

impl SubjectKey {
    /// Wrap key bytes (the caller checked the length).
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(Arc::new(Zeroizing::new(bytes)))
    }

    /// The bytes (secret).
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for SubjectKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SubjectKey([redacted])")
    }
}

/// The validated `[wallet]` section.
#[derive(Clone)]
pub struct WalletSettings {
    /// Access certificate and key.
    pub access: AccessCredential,
    /// PID providers we accept (trust anchors), shared.
    pub trust: Arc<PidTrust>,
    /// The wallet URL scheme without `://` (`openid4vp`, `haip-vp`, `eudi-openid4vp`).
    pub scheme: String,
    /// Add `request_uri_method=post` to the wallet URL (OpenID4VP 1.0 §5.10).
    pub request_uri_method_post: bool,
    /// How long a transaction lives (QR on screen to response).
    pub transaction_ttl: Duration,
    /// How old a key binding JWT's `iat` may be.
    pub kb_jwt_max_age: Duration,
    /// Key of the subject hash.
    pub subject_key: SubjectKey,
    /// Development configuration (plain-http status lists allowed, the test wallet page mounted).
    pub development: bool,
}

impl std::fmt::Debug for WalletSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WalletSettings")
            .field("access", &self.access)
            .field("scheme", &self.scheme)
            .field("transaction_ttl", &self.transaction_ttl)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dev_credential_is_a_ca_signed_p256_leaf_with_its_key() {
        let c = AccessCredential::generate_dev().unwrap();
        assert!(c.is_generated());
        assert!(c.client_id().as_str().starts_with("x509_hash:"));
        let again = AccessCredential::from_der(c.leaf_der().to_vec(), c.key_pkcs8().to_vec(), false).unwrap();
        assert_eq!(again.client_id(), c.client_id());
        let other = AccessCredential::generate_dev().unwrap();
        let err = AccessCredential::from_der(c.leaf_der().to_vec(), other.key_pkcs8().to_vec(), false).unwrap_err();
        assert_eq!(err, "the key does not belong to the certificate");
    }
}
