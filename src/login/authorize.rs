//! `GET` and `POST /authorize` (OIDC Core §3.1.2.1). The checks run in this order, each in its own
//! file: client and redirect URI (pages until verified), request shape, scope, PKCE, prompt and
//! max_age, the `claims` parameter, the trust policy, `idp_hint`. Then the request is parked and
//! the SSO session decides between reuse, login and a `prompt=none` error. Every response after
//! the checks carries the browser-binding cookie (binding.rs).

use super::acr::{self, AcrRequest};
use super::check_max_age::check_max_age;
use super::check_prompt::{check_prompt, Prompt};
use super::client_policy::{self, Login};
use super::errors::{codes, error_redirect, AuthorizeError, OAuthError, ReturnTo};
use super::params::RawParams;
use super::sso::{self, Ask, Decision};
use super::{binding, flow, methods, pending, session, start};
use super::{check_claims, check_client::check_client, check_pkce::check_pkce, check_request::check_request, check_scope::check_scope};
use crate::oidc_provider::records::PendingAuthorization;
use crate::oidc_provider::settings::ClientConfig;
use crate::state::AppState;
use crate::web::{locale, Locale, PageError};
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::HeaderMap;

/// `GET /authorize`.
pub async fn authorize_get(State(state): State<AppState>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    authorize(&state, &headers, RawParams::parse(query.as_deref().unwrap_or_default())).await
}

/// `POST /authorize` (form-encoded body, OIDC Core §3.1.2.1).
pub async fn authorize_post(State(state): State<AppState>, headers: HeaderMap, body: String) -> Response {
    let form = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.starts_with("application/x-www-form-urlencoded"))
        .unwrap_or(false);
    if !form {
        return PageError::BadRequest.render(locale::negotiate(None, None, &headers));
    }
    authorize(&state, &headers, RawParams::parse(&body)).await
}

async fn authorize(state: &AppState, headers: &HeaderMap, p: RawParams) -> Response {
    let loc = locale::negotiate(None, p.get("ui_locales"), headers);
    let now = state.clock().unix();
    let issuer = state.config().server.issuer.as_str().trim_end_matches('/').to_owned();
    let mut pending = match validate(state, &p, now) {
        Ok(v) => v,
        Err(AuthorizeError::Page(e)) => return e.render(loc),
        Err(AuthorizeError::Redirect(to, e)) => return error_redirect(&to, e, &issuer),
    };
    pending.locale = loc.as_str().to_owned();
    let to = ReturnTo {
        redirect_uri: pending.redirect_uri.clone(),
        state: pending.state.clone(),
    };
    let Some(client) = state.config().clients.iter().find(|c| c.id == pending.client_id) else {
        return PageError::UnknownClient.render(loc);
    };

    // Bind the request to this browser (issue 9 item 1): reuse its binding value if it has one
    // (parallel logins in several tabs), else a fresh one; the record keeps only the hash.
    let bind = binding::presented(state, headers).unwrap_or_else(binding::fresh);
    pending.binding = binding::digest(&bind);
    let mut res = decide_and_go(state, headers, client, pending, now, &to, &issuer).await;
    if let Some(c) = binding::cookie(state, &bind) {
        res.headers_mut().append(http::header::SET_COOKIE, c);
    }
    res
}

/// SSO reuse, login, or the `prompt=none` error, for a verified and bound request.
async fn decide_and_go(
    state: &AppState,
    headers: &HeaderMap,
    client: &ClientConfig,
    mut pending: PendingAuthorization,
    now: i64,
    to: &ReturnTo,
    issuer: &str,
) -> Response {
    let loc = Locale::parse_or_default(&pending.locale);
    // The browser's SSO session, if any.
    let secure = crate::http::cookies::secure_for(&state.config().server.issuer);
    let existing = match crate::http::cookies::read(headers, crate::http::cookies::SESSION_COOKIE, secure) {
        Some(id) if pending::plausible_id(&id) => match session::load(state.records(), &id).await {
            Ok(s) => s,
            Err(e) => return PageError::from(e).render(loc),
        },
        _ => None,
    };
    pending.session_id = existing.as_ref().map(|s| s.id.clone());
    let ask = Ask {
        prompt: Prompt::from_values(&pending.prompt),
        required: pending.required_level,
        max_age: pending.max_age,
    };
    // The same per-client check a fresh login passes (client_policy.rs, issue 9 item 3).
    let required = pending.required_level;
    let client_check = |s: &session::BrokerSession, level| {
        let login = Login {
            method: state.methods().get(s.method.as_str()).map(|m| m.as_ref()),
            level,
            has_organisation: s.organisation.is_some(),
        };
        client_policy::check(client, login, required)
    };
    let limits = |l| state.config().store.limits_for(l);
    match sso::decide(ask, existing.as_ref(), client_check, now, limits) {
        Decision::Fail(e) => error_redirect(to, e, issuer),
        Decision::Reuse(_) => {
            let Some(mut s) = existing else {
                return PageError::Internal.render(loc);
            };
            s.touch(now, limits);
            if let Err(e) = session::save(state.records(), &state.config().store, &s, now).await {
                return PageError::from(e).render(loc);
            }
            pending.authenticated = true;
            flow::proceed(state, pending, s, now, false).await
        }
        Decision::Login => {
            if let Some(hint) = pending.idp_hint.clone() {
                // idp_hint skips the choice page (design brief §3); already checked in `validate`.
                return start::start_method(state, pending, &hint, now).await;
            }
            match pending::save(state, &pending, now).await {
                Ok(true) => Redirect::to(&format!("/login/{}", pending.id)).into_response(),
                Ok(false) => PageError::Expired.render(loc),
                Err(e) => PageError::from(e).render(loc),
            }
        }
    }
}

/// All checks; the parked request on success.
fn validate(state: &AppState, p: &RawParams, now: i64) -> Result<PendingAuthorization, AuthorizeError> {
    let (client, redirect_uri) = check_client(state.config(), p).map_err(AuthorizeError::Page)?;
    let to = ReturnTo {
        redirect_uri: redirect_uri.clone(),
        // `state` is echoed even if another check fails (RFC 6749 §4.1.2.1), unless duplicated.
        state: p.get("state").map(str::to_owned),
    };
    let fail = |e: OAuthError| AuthorizeError::Redirect(to.clone(), e);
    check_request(p).map_err(fail)?;
    let scopes = check_scope(client, p).map_err(fail)?;
    let code_challenge = check_pkce(p).map_err(fail)?;
    let prompt = check_prompt(p).map_err(fail)?;
    let max_age = check_max_age(p).map_err(fail)?;
    let claims = match p.get("claims") {
        Some(text) => {
            check_claims::parse(text).map_err(|_| fail(OAuthError::new("invalid_request", "the claims parameter is malformed")))?
        }
        None => check_claims::ClaimsRequest::default(),
    };
    let acr_request = AcrRequest {
        acr_values: p.list("acr_values"),
        essential: claims.essential_acr.clone(),
    };
    let best = methods::best_available(state.methods(), client);
    let requirement = acr::required_level(client.min_level, &acr_request, best).map_err(|_| fail(codes::UNMET))?;
    let idp_hint = p.get("idp_hint").map(str::to_owned);
    if let Some(hint) = &idp_hint {
        methods::check_idp_hint(state.methods(), client, hint, requirement.level).map_err(fail)?;
    }
    Ok(PendingAuthorization {
        id: pending::random_id(),
        client_id: client.id.to_string(),
        redirect_uri,
        scopes,
        state: to.state.clone(),
        nonce: p.get("nonce").map(str::to_owned),
        code_challenge,
        required_level: requirement.level,
        essential_acr: requirement.essential,
        id_token_claims: claims.id_token,
        userinfo_claims: claims.userinfo,
        max_age,
        prompt,
        locale: String::new(),
        login_hint: p.get("login_hint").map(str::to_owned),
        idp_hint,
        created_at: now,
        csrf: pending::random_id(),
        session_id: None,
        method: None,
        authenticated: false,
        binding: String::new(),
    })
}
