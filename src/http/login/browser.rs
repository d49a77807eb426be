//! (HTTP edge) Reading what the browser presented — the `Origin` header, the broker session
//! cookie, the binding cookie — and building the `Set-Cookie` values for them (http/cookies.rs).

use crate::http::cookies::{self, BIND_COOKIE, SESSION_COOKIE};
use crate::login::binding::Presented;
use crate::login::browser::{Browser, SessionId};
use crate::state::AppState;
use http::{HeaderMap, HeaderValue};

/// Whether our cookies are `Secure` and `__Host-` prefixed (not on a loopback HTTP issuer).
fn secure(state: &AppState) -> bool {
    state.broker().issuer().secure()
}

/// The binding cookie of a request, if it has one of the right shape.
pub fn binding(state: &AppState, headers: &HeaderMap) -> Option<Presented> {
    cookies::read(headers, BIND_COOKIE, secure(state)).and_then(|v| Presented::parse(&v))
}

/// Everything a login step may look at.
pub fn read(state: &AppState, headers: &HeaderMap) -> Browser {
    Browser {
        origin: headers.get(http::header::ORIGIN).and_then(|v| v.to_str().ok()).map(str::to_owned),
        session: cookies::read(headers, SESSION_COOKIE, secure(state)).map(SessionId),
        binding: binding(state, headers),
    }
}

/// `Set-Cookie` for the binding value, living as long as a pending authorization may (refreshed
/// on every `/authorize`, so a browser that keeps logging in keeps its value).
pub fn binding_cookie(state: &AppState, value: &Presented) -> Option<HeaderValue> {
    let ttl = i64::try_from(state.broker().oidc().pending_ttl.as_secs()).unwrap_or(i64::MAX);
    HeaderValue::from_str(&cookies::build(BIND_COOKIE, value.expose(), secure(state), Some(ttl))).ok()
}

/// `Set-Cookie` for the broker session (a session cookie: no `Max-Age`).
pub fn session_cookie(state: &AppState, session_id: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&cookies::build(SESSION_COOKIE, session_id, secure(state), None)).ok()
}
