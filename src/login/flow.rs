//! The step after authentication (fresh or SSO): consent, or straight to the code.

use super::errors::{codes, error_redirect, ReturnTo};
use super::session::BrokerSession;
use super::{check_prompt::Prompt, code, pending};
use crate::oidc_provider::claims;
use crate::oidc_provider::records::PendingAuthorization;
use crate::state::AppState;
use crate::web::{Locale, PageError};
use axum::response::{IntoResponse, Redirect, Response};

/// Where responses for a pending request go.
pub fn return_to(p: &PendingAuthorization) -> ReturnTo {
    ReturnTo {
        redirect_uri: p.redirect_uri.clone(),
        state: p.state.clone(),
    }
}

/// The issuer as sent in `iss` (RFC 9207 §2: identical to the discovery `issuer`).
pub fn issuer(state: &AppState) -> String {
    state.broker().issuer().as_str().to_owned()
}

/// What a consent covers: `sub`, every released claim and every granted scope (so a later request
/// for `offline_access` or a wider scope asks again), sorted.
pub fn consent_set(scopes: &[String], released: &crate::identity::Attributes) -> Vec<String> {
    let mut names: Vec<String> = std::iter::once("sub".to_owned())
        .chain(released.keys().cloned())
        .chain(scopes.iter().map(|s| format!("scope:{s}")))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Continue an authenticated request: ask for consent where needed, else issue the code.
pub async fn proceed(state: &AppState, mut pending: PendingAuthorization, session: BrokerSession, now: i64, parked: bool) -> Response {
    let locale = Locale::parse_or_default(&pending.locale);
    let iss = issuer(state);
    let to = return_to(&pending);
    let Some(client) = state.config().clients.iter().find(|c| c.id == pending.client_id) else {
        return PageError::Expired.render(locale);
    };
    let released = claims::release(
        &pending.scopes,
        client.claims.as_deref(),
        &session.attributes,
        session.organisation.as_ref(),
    );
    let prompt = Prompt::from_values(&pending.prompt);
    let needs_consent =
        !client.skip_consent && (prompt.consent || !session.has_consent(client.id.as_str(), &consent_set(&pending.scopes, &released)));
    if needs_consent {
        if prompt.none {
            let _ = pending::take(state, &pending.id, now).await;
            return error_redirect(&to, codes::CONSENT_REQUIRED, &iss);
        }
        pending.session_id = Some(session.id.clone());
        pending.authenticated = true;
        return match pending::save(state, &pending, now).await {
            Ok(true) => Redirect::to(&format!("/consent/{}", pending.id)).into_response(),
            Ok(false) => PageError::Expired.render(locale),
            Err(e) => PageError::from(e).render(locale),
        };
    }
    issue(state, &pending, &session, now, parked).await
}

/// Redirect with a fresh code. A `parked` request is taken from the store first: exactly one
/// caller gets it, so a double-submitted form cannot mint two codes. (An SSO request that goes from
/// `/authorize` straight to the code was never parked.)
pub async fn issue(state: &AppState, pending: &PendingAuthorization, session: &BrokerSession, now: i64, parked: bool) -> Response {
    let locale = Locale::parse_or_default(&pending.locale);
    let iss = issuer(state);
    let to = return_to(pending);
    if parked {
        match pending::take(state, &pending.id, now).await {
            Ok(Some(_)) => {}
            Ok(None) => return PageError::Expired.render(locale),
            Err(e) => return PageError::from(e).render(locale),
        }
    }
    match code::issue_code(state, pending, session, now).await {
        Ok(c) => super::errors::code_redirect(&to, &c, &iss),
        // The session's level lapsed between login and this step (e.g. a long pause on the
        // consent page): the person has to authenticate again (OIDC Core §3.1.2.6).
        Err(code::IssueError::SessionExpired) => error_redirect(&to, codes::LOGIN_REQUIRED, &iss),
        Err(e) => {
            tracing::error!(error = %e, "code issuance failed");
            error_redirect(&to, codes::SERVER_ERROR, &iss)
        }
    }
}

/// `Set-Cookie` for the broker session.
pub fn session_cookie(state: &AppState, session_id: &str) -> Option<http::HeaderValue> {
    let secure = crate::http::cookies::secure_for(&state.config().server.issuer);
    http::HeaderValue::from_str(&crate::http::cookies::build(
        crate::http::cookies::SESSION_COOKIE,
        session_id,
        secure,
        None,
    ))
    .ok()
}
