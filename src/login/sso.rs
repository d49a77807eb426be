//! Whether an existing broker session serves a request without a new login, and the `prompt=none`
//! answers (OIDC Core §3.1.2.1 and §3.1.2.6). Pure: takes the session, the request and `now`.
//!
//! - `prompt=login` (or an unusable session) → log in again.
//! - `prompt=none`: no session, an expired one, `max_age` exceeded, or a level too low →
//!   `login_required`; a usable session from a method this client does not accept →
//!   `interaction_required` (the person would have to pick another method); a personal session at
//!   an `organisation_only` client → `login_required` (an organisation login is needed); missing
//!   consent is decided later (`consent_required`).
//!
//! Whether the session satisfies the client is decided by [`client_policy::check`], the same
//! function a fresh login passes (issue 9 item 3): the caller hands it in as `client`.

use super::check_prompt::Prompt;
use super::client_policy::Refusal;
use super::errors::{codes, OAuthError};
use super::session::BrokerSession;
use crate::session::SessionLimits;
use crate::trust::TrustLevel;

/// What to do with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The session serves it, at this level.
    Reuse(TrustLevel),
    /// Show the login (choice or hinted method).
    Login,
    /// Answer the relying party with this error.
    Fail(OAuthError),
}

/// The request side of the decision.
#[derive(Debug, Clone, Copy)]
pub struct Ask {
    /// `prompt`.
    pub prompt: Prompt,
    /// Required level.
    pub required: TrustLevel,
    /// `max_age`.
    pub max_age: Option<u64>,
}

/// Decide. `client` is the per-client check ([`super::client_policy::check`]) of the session at
/// the level it counts for now.
pub fn decide(
    ask: Ask,
    session: Option<&BrokerSession>,
    client: impl Fn(&BrokerSession, TrustLevel) -> Result<(), Refusal>,
    now: i64,
    limits: impl Fn(TrustLevel) -> SessionLimits,
) -> Decision {
    let login_or = |e: OAuthError| if ask.prompt.none { Decision::Fail(e) } else { Decision::Login };
    if ask.prompt.login {
        return Decision::Login;
    }
    let Some(s) = session else {
        return login_or(codes::LOGIN_REQUIRED);
    };
    match s.usable_for(now, ask.required, ask.max_age, limits) {
        Err(_) => login_or(codes::LOGIN_REQUIRED),
        Ok(level) => match client(s, level) {
            Ok(()) => Decision::Reuse(level),
            Err(Refusal::MethodNotAllowed) => login_or(codes::INTERACTION_REQUIRED),
            Err(_) => login_or(codes::LOGIN_REQUIRED),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::{Attributes, MethodId, UpstreamSubject};
    use std::time::Duration;

    fn limits(level: TrustLevel) -> SessionLimits {
        SessionLimits {
            level,
            max_age: Duration::from_secs(1800),
            idle: Duration::from_secs(300),
        }
    }

    fn s(level: TrustLevel) -> BrokerSession {
        BrokerSession {
            id: crate::ids::SessionId::new("x"),
            subject: UpstreamSubject("u".into()),
            method: MethodId("dev".into()),
            level,
            amr: vec![],
            auth_time: 100,
            attributes: Attributes::new(),
            organisation: None,
            created_at: 100,
            last_used: 100,
            consents: vec![],
            upstream_session: None,
        }
    }

    fn ok(_: &BrokerSession, _: TrustLevel) -> Result<(), Refusal> {
        Ok(())
    }

    fn no_method(_: &BrokerSession, _: TrustLevel) -> Result<(), Refusal> {
        Err(Refusal::MethodNotAllowed)
    }

    fn no_org(s: &BrokerSession, _: TrustLevel) -> Result<(), Refusal> {
        if s.organisation.is_some() {
            Ok(())
        } else {
            Err(Refusal::OrganisationRequired)
        }
    }

    fn ask(none: bool, login: bool, required: TrustLevel, max_age: Option<u64>) -> Ask {
        Ask {
            prompt: Prompt {
                none,
                login,
                consent: false,
            },
            required,
            max_age,
        }
    }

    #[test]
    fn reuse_when_sufficient() {
        let high = s(TrustLevel::High);
        assert_eq!(
            decide(ask(false, false, TrustLevel::High, None), Some(&high), ok, 150, limits),
            Decision::Reuse(TrustLevel::High)
        );
        assert_eq!(
            decide(ask(true, false, TrustLevel::Low, None), Some(&high), ok, 150, limits),
            Decision::Reuse(TrustLevel::High)
        );
    }

    #[test]
    fn prompt_login_forces() {
        let high = s(TrustLevel::High);
        assert_eq!(
            decide(ask(false, true, TrustLevel::Low, None), Some(&high), ok, 150, limits),
            Decision::Login
        );
    }

    #[test]
    fn prompt_none_variants() {
        let sub = s(TrustLevel::Substantial);
        let lr = Decision::Fail(codes::LOGIN_REQUIRED);
        assert_eq!(decide(ask(true, false, TrustLevel::Low, None), None, ok, 150, limits), lr);
        assert_eq!(decide(ask(true, false, TrustLevel::High, None), Some(&sub), ok, 150, limits), lr);
        assert_eq!(decide(ask(true, false, TrustLevel::Low, Some(10)), Some(&sub), ok, 150, limits), lr);
        assert_eq!(
            decide(ask(true, false, TrustLevel::Low, None), Some(&sub), ok, 100 + 3600, limits),
            lr
        );
        assert_eq!(
            decide(ask(true, false, TrustLevel::Low, None), Some(&sub), no_method, 150, limits),
            Decision::Fail(codes::INTERACTION_REQUIRED)
        );
    }

    #[test]
    fn a_personal_session_never_serves_an_organisation_only_client() {
        let personal = s(TrustLevel::High);
        assert_eq!(
            decide(ask(false, false, TrustLevel::Low, None), Some(&personal), no_org, 150, limits),
            Decision::Login
        );
        assert_eq!(
            decide(ask(true, false, TrustLevel::Low, None), Some(&personal), no_org, 150, limits),
            Decision::Fail(codes::LOGIN_REQUIRED)
        );
    }

    #[test]
    fn step_up_needs_login() {
        let sub = s(TrustLevel::Substantial);
        assert_eq!(
            decide(ask(false, false, TrustLevel::High, None), Some(&sub), ok, 150, limits),
            Decision::Login
        );
    }
}
