//! The token of the logout confirmation and "log out everywhere" forms (logout CSRF,
//! RP-Initiated Logout 1.0 §6).
//!
//! Derived one-way from the session's secret cookie value, so it is bound to the browser: a page
//! of another site cannot know it, and a token from one browser is worthless in another. No
//! record is needed, and a replayed form after the session ended finds no session to match.

use crate::login::session::BrokerSession;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The token for forms shown to the browser holding `session`.
pub fn token(session: &BrokerSession) -> String {
    let mut h = Sha256::new();
    h.update(b"bk-logout-csrf\0");
    h.update(session.id.as_bytes());
    URL_SAFE_NO_PAD.encode(h.finalize())
}

/// Whether `presented` is the token of `session` (constant time).
pub fn matches(session: &BrokerSession, presented: Option<&str>) -> bool {
    use subtle::ConstantTimeEq;
    presented.is_some_and(|p| bool::from(token(session).as_bytes().ct_eq(p.as_bytes())))
}
