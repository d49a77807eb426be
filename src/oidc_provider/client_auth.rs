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
//!
//! The default is `sha256:` (what `buergerkonto keys hash-secret` prints, with a generated
//! secret). An Argon2id secret runs Argon2 once per process and client: a secret that verified is
//! remembered as HMAC-SHA256 under a per-process random key ([`SecretCache`]); later requests
//! compare that digest in constant time. Argon2 itself runs on the blocking pool, never on a
//! request's worker thread (docs/security-model.md, "Client secrets").

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
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

/// Whether a configured hash is an Argon2id PHC string (verification is slow: see
/// [`SecretCache`]).
pub fn is_argon2(hash: &str) -> bool {
    hash.starts_with("$argon2id$")
}

/// Argon2id secrets that verified, per client, as HMAC-SHA256(per-process key, client id ‖ 0 ‖
/// secret). The key never leaves the process, so the digests are useless outside it; the map
/// holds at most one entry per registered client (a later right secret replaces it).
pub struct SecretCache {
    key: aws_lc_rs::hmac::Key,
    verified: Mutex<HashMap<String, Vec<u8>>>,
}

impl std::fmt::Debug for SecretCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretCache").finish_non_exhaustive()
    }
}

impl Default for SecretCache {
    fn default() -> Self {
        Self::new()
    }
}

impl SecretCache {
    /// An empty cache with a fresh random key.
    pub fn new() -> Self {
        let key = aws_lc_rs::hmac::Key::generate(aws_lc_rs::hmac::HMAC_SHA256, &aws_lc_rs::rand::SystemRandom::new())
            // Only fails when the system has no randomness: then fall back to a key of fresh ids.
            .unwrap_or_else(|_| aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, crate::ids::random_id().as_bytes()));
        Self {
            key,
            verified: Mutex::new(HashMap::new()),
        }
    }

    fn digest(&self, client_id: &str, secret: &str) -> Vec<u8> {
        let mut ctx = aws_lc_rs::hmac::Context::with_key(&self.key);
        ctx.update(client_id.as_bytes());
        ctx.update(&[0]);
        ctx.update(secret.as_bytes());
        ctx.sign().as_ref().to_vec()
    }

    /// Verify `presented` for `client_id` against the configured `hash`. `sha256:` hashes are
    /// checked directly; an Argon2id hash is checked against the cached digest first and runs
    /// Argon2 (on the blocking pool) only on a miss, caching a success.
    pub async fn verify(&self, client_id: &str, hash: &str, presented: &str) -> bool {
        if !is_argon2(hash) {
            return verify_secret(hash, presented);
        }
        let digest = self.digest(client_id, presented);
        let hit = self
            .verified
            .lock()
            .ok()
            .and_then(|m| m.get(client_id).map(|d| bool::from(d.as_slice().ct_eq(&digest))))
            .unwrap_or(false);
        if hit {
            return true;
        }
        let (hash, secret) = (hash.to_owned(), zeroize::Zeroizing::new(presented.to_owned()));
        let ok = tokio::task::spawn_blocking(move || verify_secret(&hash, &secret))
            .await
            .unwrap_or(false);
        if ok {
            if let Ok(mut m) = self.verified.lock() {
                m.insert(client_id.to_owned(), digest);
            }
        }
        ok
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

    #[tokio::test]
    async fn argon2_secret_verifies_once_then_from_the_cache() {
        use argon2::PasswordHasher;
        let salt = argon2::password_hash::SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let hash = argon2::Argon2::default()
            .hash_password(b"people-chosen secret", &salt)
            .unwrap()
            .to_string();
        let cache = SecretCache::new();
        assert!(!cache.verify("c1", &hash, "wrong").await, "a wrong secret is refused");
        assert!(cache.verified.lock().unwrap().is_empty(), "a failure is not cached");
        assert!(cache.verify("c1", &hash, "people-chosen secret").await);
        assert_eq!(cache.verified.lock().unwrap().len(), 1, "the success is cached");
        // From the cache: still right for the right secret, still wrong for another one or client.
        assert!(cache.verify("c1", &hash, "people-chosen secret").await);
        assert!(!cache.verify("c1", &hash, "people-chosen secreT").await);
        assert!(!cache.verify("c2", &hash, "wrong").await);
        // A sha256: hash never touches the cache.
        let s = generate_secret();
        assert!(cache.verify("c3", &sha256_hash(&s), &s).await);
        assert_eq!(cache.verified.lock().unwrap().len(), 1);
    }
}
