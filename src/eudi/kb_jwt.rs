//! The key binding JWT (RFC 9901 §4.3, HAIP 1.0): proves the holder of `cnf.jwk` presented the
//! credential to us, for this transaction.

use crate::eudi::error::WalletError;
use crate::eudi::sd_jwt::Presentation;
use serde_json::Value;
use std::time::SystemTime;

/// What the KB-JWT must say.
#[derive(Debug, Clone, Copy)]
pub struct KbExpected<'a> {
    /// Our full client_id (with its prefix), the `aud`.
    pub client_id: &'a str,
    /// This transaction's nonce.
    pub nonce: &'a str,
    /// Now.
    pub now: SystemTime,
    /// How old `iat` may be, in seconds.
    pub max_age: u64,
    /// Clock skew allowed for `iat` in the future, in seconds.
    pub skew: u64,
}

/// Verify the KB-JWT of `presentation` with the holder key `cnf_jwk`.
pub fn verify(presentation: &Presentation<'_>, cnf_jwk: &Value, expected: &KbExpected<'_>) -> Result<(), WalletError> {
    let _ = (presentation, cnf_jwk, expected);
    Err(WalletError::KbMissing)
}
