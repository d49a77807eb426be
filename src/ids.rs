//! Random identifiers and secrets: one generator for every id the broker hands out (pending ids,
//! session ids, codes, refresh tokens, CSRF tokens, jti, return-leg tokens, client secrets).
//! 256 bits from the OS CSPRNG, base64url without padding (43 characters).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;

/// The store key for a secret value (code, refresh token, session id, binding value, return
/// token, continue handle): base64url(SHA-256(value)), so a dump of the store holds nothing a
/// browser or client could present (issue 9 item 6).
pub fn store_id(secret: &str) -> String {
    use sha2::Digest;
    URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(secret.as_bytes()))
}

/// A new random identifier (256 bits, base64url).
pub fn random_id() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}
