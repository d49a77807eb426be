//! Our client identifier towards wallets: the `x509_hash` prefix (OpenID4VP 1.0 §5.9.3, mandatory
//! in HAIP 1.0 §5): `x509_hash:` + base64url(SHA-256(DER of the access certificate leaf)). A wallet
//! recomputes it from the leaf in the request object's `x5c` header, so the value binds the request
//! to the certificate the registrar issued; every presentation names it as its `aud` (the full value,
//! prefix included, §14.1.2).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The prefix.
pub const X509_HASH: &str = "x509_hash:";

/// A verifier `client_id` as sent to wallets (prefix included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientId(String);

impl ClientId {
    /// `x509_hash:<b64url sha256(leaf DER)>`.
    pub fn x509_hash(leaf_der: &[u8]) -> Self {
        Self(format!("{X509_HASH}{}", URL_SAFE_NO_PAD.encode(Sha256::digest(leaf_der))))
    }

    /// The value.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ClientId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x509_hash_is_the_b64url_sha256_of_the_leaf() {
        // SHA-256("abc") from FIPS 180-2, base64url without padding.
        let id = ClientId::x509_hash(b"abc");
        assert_eq!(id.as_str(), "x509_hash:ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
        assert_eq!(id.to_string(), id.as_str());
    }
}
