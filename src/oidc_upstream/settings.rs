//! [`UpstreamSettings`]: one upstream OP as the configuration validated it (`config` builds this
//! type; this module never reads configuration). Key material is already parsed here, so a bad
//! key stops the broker at start-up, not at the first login.

use super::acr::AcrTable;
use crate::keys::{KeyRing, RingKey, SigningAlg};
use jsonwebtoken::jwk::JwkSet;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Where the provider metadata comes from.
#[derive(Debug, Clone)]
pub enum MetadataSource {
    /// `{issuer}/.well-known/openid-configuration`, refetched every `refresh`.
    Discover { refresh: Duration },
    /// The metadata document from a file (air-gapped set-ups); the JWKS is still fetched from its
    /// `jwks_uri`, as the OP must be reachable for the token request anyway.
    File { json: String },
}

/// How the broker authenticates at the OP's token and PAR endpoints.
#[derive(Clone, Debug)]
pub enum ClientAuth {
    /// RFC 7523 §2.2 client assertion signed with the broker's key (the default).
    PrivateKeyJwt(Arc<ClientKey>),
    /// RFC 6749 §2.3.1 HTTP Basic with a shared secret.
    ClientSecretBasic(ClientSecret),
    /// RFC 8705 §2.1: mutual TLS with the broker's client certificate.
    TlsClientAuth(TlsIdentity),
}

impl ClientAuth {
    /// The `token_endpoint_auth_method` name (RFC 7591 §2).
    pub fn method_name(&self) -> &'static str {
        match self {
            Self::PrivateKeyJwt(_) => "private_key_jwt",
            Self::ClientSecretBasic(_) => "client_secret_basic",
            Self::TlsClientAuth(_) => "tls_client_auth",
        }
    }
}

/// A client secret; `Debug` prints `[redacted]`.
#[derive(Clone)]
pub struct ClientSecret(String);

impl ClientSecret {
    /// Wrap a secret.
    pub fn new(secret: String) -> Self {
        Self(secret)
    }
    /// The secret (never logged).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret([redacted])")
    }
}

/// The broker's `private_key_jwt` key: EC P-256 (ES256) or RSA (PS256), `kid` = RFC 7638
/// thumbprint (as for our signing keys, `keys::RingKey`).
pub struct ClientKey {
    ring: KeyRing,
    alg: SigningAlg,
}

impl fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClientKey({}, [redacted])", self.alg)
    }
}

impl ClientKey {
    /// Parse a PEM private key: EC P-256 signs ES256, RSA (≥ 2048 bits) PS256 (RSASSA-PKCS1 is
    /// not offered: FAPI 2.0 §5.4.1 allows PS256 and ES256 only).
    pub fn from_pem(pem: &[u8], origin: &str) -> Result<Self, String> {
        let mut last = String::new();
        for alg in [SigningAlg::ES256, SigningAlg::PS256] {
            match RingKey::from_pem(alg, pem, true, origin) {
                Ok(k) => {
                    return Ok(Self {
                        ring: KeyRing::new(vec![k]),
                        alg,
                    })
                }
                Err(e) => last = e.to_string(),
            }
        }
        Err(format!("{origin}: not an EC P-256 or RSA private key ({last})"))
    }

    /// The algorithm the key signs with.
    pub fn alg(&self) -> SigningAlg {
        self.alg
    }

    /// The public JWK set to publish at `client_jwks_path`.
    pub fn jwks(&self) -> JwkSet {
        self.ring.jwks()
    }

    /// Sign claims (header `typ` as given, `kid` set).
    pub fn sign<T: serde::Serialize>(&self, typ: &str, claims: &T) -> Result<String, String> {
        self.ring.sign(self.alg, typ, claims).map_err(|e| e.to_string())
    }
}

/// The broker's TLS client certificate chain and key for `tls_client_auth`.
pub struct TlsIdentity {
    /// Leaf first.
    pub chain: Vec<CertificateDer<'static>>,
    /// Its private key.
    pub key: PrivateKeyDer<'static>,
}

impl Clone for TlsIdentity {
    fn clone(&self) -> Self {
        Self {
            chain: self.chain.clone(),
            key: self.key.clone_key(),
        }
    }
}

impl fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TlsIdentity({} certificates, [redacted])", self.chain.len())
    }
}

impl TlsIdentity {
    /// Parse a PEM certificate chain and a PEM private key, and check that rustls accepts the pair.
    pub fn from_pem(cert_pem: &[u8], key_pem: &[u8]) -> Result<Self, String> {
        let chain = CertificateDer::pem_slice_iter(cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("tls_client_cert: not a PEM certificate: {e}"))?;
        if chain.is_empty() {
            return Err("tls_client_cert: no certificate in the file".into());
        }
        let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| format!("tls_client_key: not a PEM private key: {e}"))?;
        let id = Self { chain, key };
        super::backchannel::mtls_client_config(&id).map_err(|e| format!("tls_client_key: {e}"))?;
        Ok(id)
    }
}

/// The key that decrypts JWE ID tokens: RSA (RSA-OAEP-256) or EC (ECDH-ES).
#[derive(Clone)]
pub struct DecryptionKey(pub(super) Arc<super::jwe::JweKey>);

impl fmt::Debug for DecryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DecryptionKey({}, [redacted])", self.0.kind())
    }
}

impl DecryptionKey {
    /// Parse a PKCS#8 PEM private key (RSA ≥ 2048 bits, or EC P-256/P-384/P-521).
    pub fn from_pem(pem: &[u8]) -> Result<Self, String> {
        super::jwe::key_from_pem(pem).map(|k| Self(Arc::new(k)))
    }
}

/// One upstream OP, validated.
#[derive(Debug, Clone)]
pub struct UpstreamSettings {
    /// `[[oidc_upstreams]] name`.
    pub name: String,
    /// The issuer identifier, exactly as the OP writes it into `iss` (compared as a string,
    /// OIDC Discovery §4.3).
    pub issuer: String,
    /// Discovery or file.
    pub metadata: MetadataSource,
    /// Our `client_id` at the OP.
    pub client_id: String,
    /// How we authenticate at the OP.
    pub client_auth: ClientAuth,
    /// Decrypts JWE ID tokens; when set, an unencrypted ID token is refused (OIDC Core §3.1.3.7 step 1).
    pub decryption_key: Option<DecryptionKey>,
    /// Refuse to log in when the OP advertises no PAR endpoint.
    pub require_par: bool,
    /// End the OP's session when the broker session ends, where the OP advertises an
    /// `end_session_endpoint` (RP-Initiated Logout 1.0; issue 11 item 5). Default on.
    pub logout: bool,
    /// Scopes requested (`openid` is always added).
    pub scopes: Vec<String>,
    /// Fetch userinfo after the token request.
    pub userinfo: bool,
    /// Upstream `acr` → our level (profile plus overrides).
    pub acr: AcrTable,
    /// Our claim name → upstream claim path (dotted for nested members).
    pub claims: Vec<(String, String)>,
    /// `verified_claims` are taken only with one of these `trust_framework` values.
    pub trust_frameworks: Vec<String>,
    /// `max_age` sent upstream (then `auth_time` is required and checked).
    pub max_age: Option<u64>,
    /// Clock skew tolerated in `exp`, `iat`, `auth_time`.
    pub max_skew: Duration,
    /// Timeout of every outbound request.
    pub timeout: Duration,
    /// How long a started login waits for its callback (the pending login's TTL).
    pub transaction_ttl: Duration,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tls_client_identity_is_checked_by_rustls_and_redacted() {
        let ck = rcgen::generate_simple_self_signed(vec!["broker.example".into()]).unwrap();
        let cert = ck.cert.pem();
        let key = ck.signing_key.serialize_pem();
        let id = TlsIdentity::from_pem(cert.as_bytes(), key.as_bytes()).unwrap();
        assert_eq!(id.chain.len(), 1);
        assert!(format!("{id:?}").contains("redacted"));
        let other = rcgen::generate_simple_self_signed(vec!["x".into()]).unwrap();
        assert!(TlsIdentity::from_pem(cert.as_bytes(), b"no key").is_err());
        assert!(TlsIdentity::from_pem(b"", other.signing_key.serialize_pem().as_bytes()).is_err());
        assert!(format!("{:?}", ClientSecret::new("s3cret".into())).contains("redacted"));
    }
}
