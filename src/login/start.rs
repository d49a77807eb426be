//! Starting the upstream method: `POST /login/{id}/start` from the choice page (or directly for
//! an `idp_hint`), and `POST /login/{id}/cancel`.
//!
//! CSRF: the pending id in the URL is unguessable, the form carries the request's anti-CSRF token
//! (compared in constant time), and a cross-origin `Origin` header is refused.

use super::errors::{codes, error_redirect, OAuthError};
use super::flow::{issuer, return_to};
use super::params::RawParams;
use super::{methods, pending};
use crate::authenticators::{LoginContext, StartAction};
use crate::oidc_provider::records::PendingAuthorization;
use crate::state::AppState;
use crate::web::{render_page, Locale, PageError};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::HeaderMap;
use std::time::{Duration, UNIX_EPOCH};

/// Load the request for a form post and check the CSRF token and origin.
pub async fn verified_form(
    state: &AppState,
    id: &str,
    headers: &HeaderMap,
    form: &RawParams,
    now: i64,
) -> Result<PendingAuthorization, Response> {
    let p = match pending::load(state, id, now).await {
        Ok(Some(p)) => p,
        Ok(None) => return Err(PageError::Expired.into_response()),
        Err(e) => return Err(PageError::from(e).into_response()),
    };
    let locale = Locale::parse_or_default(&p.locale);
    if !pending::same_origin(state, headers) || !pending::csrf_ok(&p.csrf, form.get("csrf")) {
        return Err(PageError::Forbidden.render(locale));
    }
    Ok(p)
}

/// `POST /login/{id}/start`.
pub async fn start_post(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap, body: String) -> Response {
    let now = state.clock().unix();
    let form = RawParams::parse(&body);
    let p = match verified_form(&state, &id, &headers, &form, now).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(method) = form.get("method").map(str::to_owned) else {
        return PageError::BadRequest.render(Locale::parse_or_default(&p.locale));
    };
    start_method(&state, p, &method, now).await
}

/// `POST /login/{id}/cancel`: the person goes back without logging in (`access_denied`).
pub async fn cancel_post(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap, body: String) -> Response {
    let now = state.clock().unix();
    let form = RawParams::parse(&body);
    let p = match verified_form(&state, &id, &headers, &form, now).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let _ = pending::take(&state, &p.id, now).await;
    error_redirect(&return_to(&p), codes::ACCESS_DENIED, &issuer(&state))
}

/// Start `method_id` for the request: only a method that the client allows and that reaches the
/// required level (never a silent downgrade). The method gets the level, never the relying
/// party's raw `acr_values` (design brief §4).
pub async fn start_method(state: &AppState, mut p: PendingAuthorization, method_id: &str, now: i64) -> Response {
    let locale = Locale::parse_or_default(&p.locale);
    let iss = issuer(state);
    let to = return_to(&p);
    let Some(client) = state.config().clients.iter().find(|c| c.id == p.client_id) else {
        return PageError::Expired.render(locale);
    };
    let eligible = methods::eligible(state.methods(), client, p.required_level);
    let Some(method) = eligible.into_iter().find(|m| m.id().as_str() == method_id).cloned() else {
        return PageError::BadRequest.render(locale);
    };
    p.method = Some(method_id.to_owned());
    match pending::save(state, &p, now).await {
        Ok(true) => {}
        Ok(false) => return PageError::Expired.render(locale),
        Err(e) => return PageError::from(e).render(locale),
    }
    let ctx = LoginContext {
        transaction_id: p.id.clone(),
        required_level: p.required_level,
        locale: locale.as_str().to_owned(),
        login_hint: p.login_hint.clone(),
        now: UNIX_EPOCH + Duration::from_secs(now.max(0) as u64),
    };
    match method.start(&ctx).await {
        Ok(StartAction::Redirect(url)) => Redirect::to(url.as_str()).into_response(),
        Ok(StartAction::PostForm { action, fields }) => {
            // No inline script (CSP): the person presses the visible button.
            let title = crate::web::i18n::table(locale)["continue_title"];
            render_page(
                "post_form.html",
                locale,
                title,
                None,
                minijinja::context! { action => action.as_str(), fields => fields },
            )
            .into_response()
        }
        Err(e) => {
            tracing::warn!(method = method_id, error = %e, "upstream start failed");
            let _ = pending::take(state, &p.id, now).await;
            error_redirect(&to, OAuthError::new(e.oidc_error(), "the login method could not be started"), &iss)
        }
    }
}
