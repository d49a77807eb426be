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
    h.update(session.id.expose().as_bytes());
    URL_SAFE_NO_PAD.encode(h.finalize())
}

/// Whether `presented` is the token of `session` (constant time).
pub fn matches(session: &BrokerSession, presented: Option<&str>) -> bool {
    use subtle::ConstantTimeEq;
    presented.is_some_and(|p| bool::from(token(session).as_bytes().ct_eq(p.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::{Attributes, MethodId, UpstreamSubject};
    use crate::trust::TrustLevel;

    fn session(id: &str) -> BrokerSession {
        BrokerSession {
            id: crate::ids::SessionId::new(id),
            subject: UpstreamSubject("u".into()),
            method: MethodId("dev".into()),
            level: TrustLevel::High,
            amr: vec![],
            auth_time: 0,
            attributes: Attributes::new(),
            organisation: None,
            created_at: 0,
            last_used: 0,
            consents: vec![],
            upstream_session: None,
        }
    }

    #[test]
    fn the_token_is_bound_to_the_session_and_reveals_nothing() {
        let (a, b) = (session("a-session-id"), session("b-session-id"));
        assert!(matches(&a, Some(&token(&a))));
        assert!(!matches(&a, Some(&token(&b))), "another browser's token");
        assert!(!matches(&a, None) && !matches(&a, Some("")));
        assert!(!token(&a).contains("a-session-id"));
        assert_eq!(token(&a).len(), 43);
    }
}
