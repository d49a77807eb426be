//! Encrypted ID tokens (OIDC Core §10.2), for upstreams that require them: JWE compact
//! serialization with `RSA-OAEP-256` or `ECDH-ES` and `A256GCM`. The JWE itself is decrypted by the
//! broker's one JWE path, [`crate::keys::jwe`]; this file keeps the ID token's rules: only
//! `A256GCM` (what we register), a key read from a PEM file, and nothing but a nested signed JWT
//! inside (ID tokens are signed, then encrypted). Every failure is the same opaque error: no oracle.

use super::id_token::IdTokenError;
use crate::keys::jwe::{self, ContentEncryption, JweError};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivateKeyDer;

pub use crate::keys::jwe::{is_jwe, JweKey};

/// The key in `id_token_decryption_key`: a PKCS#8 PEM private key.
pub fn key_from_pem(pem: &[u8]) -> Result<JweKey, String> {
    let der = match PrivateKeyDer::from_pem_slice(pem) {
        Ok(PrivateKeyDer::Pkcs8(d)) => d,
        Ok(_) => return Err("id_token_decryption_key: expected a PKCS#8 \"PRIVATE KEY\" PEM".into()),
        Err(e) => return Err(format!("id_token_decryption_key: not a PEM private key: {e}")),
    };
    JweKey::from_pkcs8(der.secret_pkcs8_der()).map_err(|e| format!("id_token_decryption_key: {e}"))
}

/// Decrypt a compact JWE to the nested JWS it carries.
pub fn decrypt(token: &str, key: &JweKey) -> Result<String, IdTokenError> {
    let plain = jwe::decrypt(token, key, &[ContentEncryption::A256Gcm]).map_err(|e| match e {
        JweError::Malformed | JweError::Unsupported { .. } | JweError::KeyMismatch(_) => IdTokenError::Encryption(e.to_string()),
        _ => IdTokenError::Encryption("not decryptable with our key".into()),
    })?;
    let inner = String::from_utf8(plain.plaintext.to_vec()).map_err(|_| IdTokenError::Encryption("not decryptable with our key".into()))?;
    if inner.split('.').count() != 3 {
        return Err(IdTokenError::Encryption("the JWE does not carry a signed JWT".into()));
    }
    Ok(inner)
}

#[cfg(test)]
pub(crate) mod tests;
