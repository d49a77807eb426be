//! Whose session, and whether to end it without asking (RP-Initiated Logout 1.0 §2, §6).
//!
//! A logout request is a cross-site GET anybody can make a browser send, so it must not end a
//! session on its own (logout CSRF): only when a valid `id_token_hint` names *this browser's*
//! session — its `sid` equals `sid_for(session, hint client)` — is the session ended at once.
//! Otherwise (no hint, a hint of another or an ended session) the person confirms first. A hint
//! never ends any session but the browser's own: nothing here looks a session up by `sid`.

use super::request::LogoutRequest;
use crate::login::session::{self, sid_for, BrokerSession};
use crate::oidc_provider::broker::Broker;
use crate::session::StoreError;

/// What to do with a checked request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The hint names this browser's session: end it and return.
    EndNow,
    /// The browser has a session the request does not prove it means: ask first.
    Confirm,
    /// The browser has no (live) session: nothing ends.
    NothingToEnd,
}

/// Whether a cookie value has our shape (43 base64url characters) before it is used as a key.
pub fn plausible_session_id(value: &str) -> bool {
    value.len() == 43 && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The live session of the browser that sent `cookie`, if any. A session whose every level has
/// lapsed counts as none.
pub async fn browser_session(broker: &Broker, cookie: Option<&str>, now: i64) -> Result<Option<BrokerSession>, StoreError> {
    let Some(id) = cookie.filter(|c| plausible_session_id(c)) else {
        return Ok(None);
    };
    let Some(s) = session::load(broker.records(), &crate::ids::SessionId::new(id)).await? else {
        return Ok(None);
    };
    Ok(s.effective_level(now, |l| broker.sessions().limits_for(l)).is_some().then_some(s))
}

/// Decide (pure).
pub fn decide(req: &LogoutRequest<'_>, session: Option<&BrokerSession>) -> Decision {
    use subtle::ConstantTimeEq;
    let Some(s) = session else { return Decision::NothingToEnd };
    match (&req.hint_sid, req.client) {
        (Some(sid), Some(client)) if bool::from(sid.as_bytes().ct_eq(sid_for(&s.id, &client.id).as_bytes())) => Decision::EndNow,
        _ => Decision::Confirm,
    }
}
