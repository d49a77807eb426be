//! Client authentication at the token, introspection and revocation endpoints (RFC 6749 §2.3,
//! OIDC Core §9): `client_secret_basic`, `client_secret_post` and `private_key_jwt` (RFC 7523).
//! A client must use the one method it is registered with; a mismatch is `invalid_client`.
//!
//! Client secrets are stored as hashes, never in clear (config `secret_hash`).
//!
//! Two formats:
//! - `sha256:<base64url(SHA-256(secret))>` for generated high-entropy secrets (≥ 256 bits): a slow
//!   KDF adds nothing against brute force of a random 256-bit value, and a token endpoint that
//!   runs Argon2 per request is a denial-of-service lever (oidc-landscape §3: Hydra, Keycloak).
//! - an Argon2id PHC string (`$argon2id$…`) for secrets chosen by people.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Check that a configured hash is in one of the supported formats.
pub fn check_hash_format(hash: &str) -> Result<(), String> {
    if let Some(b64) = hash.strip_prefix("sha256:") {
        match URL_SAFE_NO_PAD.decode(b64) {
            Ok(d) if d.len() == 32 => Ok(()),
            _ => Err("sha256: must be followed by 43 characters of base64url (a SHA-256 digest)".into()),
        }
    } else if hash.starts_with("$argon2id$") {
        argon2::PasswordHash::new(hash)
            .map(|_| ())
            .map_err(|e| format!("invalid Argon2id PHC string: {e}"))
    } else {
        Err("unknown hash format (expected sha256:<digest> or $argon2id$…)".into())
    }
}

/// The `sha256:` hash of a secret (what `buergerkonto keys hash-secret` prints).
pub fn sha256_hash(secret: &str) -> String {
    format!("sha256:{}", URL_SAFE_NO_PAD.encode(Sha256::digest(secret.as_bytes())))
}

/// Verify a presented secret against a configured hash, in constant time for the sha256 form.
pub fn verify_secret(hash: &str, presented: &str) -> bool {
    if let Some(b64) = hash.strip_prefix("sha256:") {
        let Ok(expected) = URL_SAFE_NO_PAD.decode(b64) else { return false };
        let got = Sha256::digest(presented.as_bytes());
        bool::from(expected.as_slice().ct_eq(got.as_slice()))
    } else if hash.starts_with("$argon2id$") {
        use argon2::PasswordVerifier;
        match argon2::PasswordHash::new(hash) {
            Ok(parsed) => argon2::Argon2::default().verify_password(presented.as_bytes(), &parsed).is_ok(),
            Err(_) => false,
        }
    } else {
        false
    }
}

/// A new random client secret (256 bits, base64url).
pub fn generate_secret() -> String {
    crate::ids::random_id()
}

mod assertion;
mod presented;

pub use assertion::{verify_assertion, AssertionError, ASSERTION_ALGS, MAX_ASSERTION_LIFETIME_SECS};
pub use presented::{authenticate, ClientAuthError, PresentedCredentials, JWT_BEARER};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_round_trip() {
        let s = generate_secret();
        let h = sha256_hash(&s);
        assert!(check_hash_format(&h).is_ok());
        assert!(verify_secret(&h, &s));
        assert!(!verify_secret(&h, "wrong"));
        assert!(!verify_secret("plain", "plain"));
        assert!(check_hash_format("plain").is_err());
    }
}
