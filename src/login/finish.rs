//! After the upstream: [`continue_after_upstream`](super::continue_after_upstream).
//!
//! Failure → a page tells the person what happened (de/en) and links back to the relying party
//! with the method's OIDC error and its `state` (if the request is gone: only a page,
//! oidc-landscape §2.2). Success → the identity must come from the method started
//! for this request, its level is capped by the method ceiling and checked against the requirement
//! (never a token below it), then the SSO session is created or — for the same person — extended
//! in place (step-up keeps the session id), then consent and code.

use super::errors::{codes, error_redirect, error_url, OAuthError};
use super::flow::{self, issuer, return_to};
use super::session::{self, BrokerSession};
use super::{acr, pending};
use crate::authenticators::{AuthnError, VerifiedIdentity};
use crate::state::AppState;
use crate::trust::TrustLevel;
use crate::web::{Locale, PageError};
use axum::response::{IntoResponse, Response};

/// A description for the relying party that names the class of failure, nothing internal.
fn describe(e: &AuthnError) -> &'static str {
    match e {
        AuthnError::Cancelled => "the end-user cancelled the login",
        AuthnError::UpstreamFailure { .. } => "the login method reported a failure",
        AuthnError::Rejected(_) => "the login method's response was rejected",
        AuthnError::LevelTooLow => "the requested authentication level was not reached",
        AuthnError::Unavailable(_) => "the login method is unavailable",
    }
}

/// See [`super::continue_after_upstream`].
pub async fn continue_after_upstream(state: &AppState, pending_id: &str, outcome: Result<VerifiedIdentity, AuthnError>) -> Response {
    let now = state.clock().unix();
    let iss = issuer(state);
    let mut p = match pending::load(state, pending_id, now).await {
        Ok(Some(p)) => p,
        Ok(None) => return PageError::Expired.render(Locale::De),
        Err(e) => return PageError::from(e).into_response(),
    };
    let locale = Locale::parse_or_default(&p.locale);
    let to = return_to(&p);
    let fail = |e: OAuthError| error_redirect(&to, e, &iss);
    let identity = match outcome {
        Ok(i) => i,
        Err(e) => {
            tracing::info!(error = %e, "upstream login did not succeed");
            let _ = pending::take(state, &p.id, now).await;
            // The person reads what happened; the link back carries the OIDC error and state.
            let err = OAuthError::new(e.oidc_error(), describe(&e));
            return match error_url(&to, err, &iss) {
                Ok(url) => super::upstream_error::page(&e, locale, url.as_str()),
                Err(page) => page.render(locale),
            };
        }
    };
    // The identity must come from the method this request started, and that method must still be
    // one the client accepts.
    let Some(method) = state.methods().get(identity.method.as_str()) else {
        let _ = pending::take(state, &p.id, now).await;
        return fail(codes::ACCESS_DENIED);
    };
    let client = state.config().clients.iter().find(|c| c.id == p.client_id);
    let client_ok = client.map(|c| super::methods::client_allows(c, method.as_ref())).unwrap_or(false);
    if p.method.as_deref() != Some(identity.method.as_str()) || !client_ok {
        tracing::warn!(method = %identity.method, "identity from a method not started for this request");
        let _ = pending::take(state, &p.id, now).await;
        return fail(codes::ACCESS_DENIED);
    }
    // A business-only service gets business logins only: a method that *can* yield an organisation
    // (ELSTER) may still log a person in with a personal certificate.
    if client.is_some_and(|c| c.organisation_only) && identity.organisation.is_none() {
        tracing::info!(method = %identity.method, "personal login for an organisation-only client: refused");
        let _ = pending::take(state, &p.id, now).await;
        let e = AuthnError::UpstreamFailure {
            code: "organisation_required".into(),
        };
        return match error_url(
            &to,
            OAuthError::new("access_denied", "the service requires a login for an organisation"),
            &iss,
        ) {
            Ok(url) => super::upstream_error::page(&e, locale, url.as_str()),
            Err(page) => page.render(locale),
        };
    }
    // Ceiling rule (design brief §4), again here in case a method forgot it.
    let mut identity = identity;
    identity.level = TrustLevel::reached(method.max_level(), identity.level);
    if !acr::satisfied(p.required_level, identity.level) {
        tracing::info!(required = %p.required_level, reached = %identity.level, "level too low: no code");
        let _ = pending::take(state, &p.id, now).await;
        return fail(codes::UNMET);
    }
    // SSO session: the same person keeps the same session (step-up); anyone else gets a new one.
    let existing = match &p.session_id {
        Some(id) => match session::load(state.records(), id).await {
            Ok(s) => s,
            Err(e) => return PageError::from(e).render(locale),
        },
        None => None,
    };
    let s = match existing {
        Some(mut s) if s.subject == identity.subject => {
            s.reauthenticated(identity, now);
            s
        }
        _ => BrokerSession::new(pending::random_id(), identity, now),
    };
    match session::save(state.records(), &state.config().store, &s, now).await {
        Ok(true) => {}
        Ok(false) => {
            // The upstream's auth_time is already outside every session limit.
            let _ = pending::take(state, &p.id, now).await;
            return fail(codes::UNMET);
        }
        Err(e) => return PageError::from(e).render(locale),
    }
    p.session_id = Some(s.id.clone());
    p.authenticated = true;
    let cookie = flow::session_cookie(state, &s.id);
    let mut res = flow::proceed(state, p, s, now, true).await;
    if let Some(c) = cookie {
        res.headers_mut().append(http::header::SET_COOKIE, c);
    }
    res
}
