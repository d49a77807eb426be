//! Logout at the edge (issue 11): `GET|POST /logout` (the `end_session_endpoint`,
//! RP-Initiated Logout 1.0), `POST /logout/confirm` (the confirmation form), `GET /session` (the
//! citizen's view) and `POST /session/logout` ("Überall abmelden"). Handlers read cookies and
//! parameters, call `logout` and map its outcome to a redirect or a page; the domain rules are in
//! `src/logout/`.
//!
//! - A refused request (forged or foreign hint, unregistered return URI, mismatching client) is a
//!   400 page; the person stays logged in and is never redirected (§3).
//! - Forms are checked for our `Origin` (when the browser sends one) and for the CSRF token bound
//!   to the session (`logout/csrf.rs`); a failed check ends nothing.
//! - Every response that ends a session clears the cookie (`Max-Age=0`).

use crate::config::Site;
use crate::http::cookies;
use crate::login::session::BrokerSession;
use crate::logout::decide::{self, Decision};
use crate::logout::end::{self, EndReason};
use crate::logout::request::{self, LogoutParams, LogoutProblem, LogoutRequest};
use crate::logout::{csrf, overview, upstream};
use crate::oidc_provider::participants::Participation;
use crate::session::StoreError;
use crate::state::AppState;
use crate::web::{i18n, locale, render_page, Locale, PageError};
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use http::{header, HeaderMap, HeaderValue, StatusCode};

/// The logout routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/logout", get(logout_get).post(logout_post))
        .route("/logout/confirm", post(logout_confirm_post))
        .route("/session", get(session_show))
        .route("/session/logout", post(session_logout_post))
}

fn pairs(raw: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw).into_owned().collect()
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn session_cookie(state: &AppState, headers: &HeaderMap) -> Option<String> {
    cookies::read(headers, cookies::SESSION_COOKIE, state.broker().issuer().secure())
}

/// A store failure as a page (fail closed): logged here, never shown; unavailable → 503.
fn store_page(site: &Site, e: StoreError, locale: Locale) -> Response {
    tracing::error!(error = %e, "store failure during logout");
    match e {
        StoreError::Unavailable(_) => PageError::Unavailable,
        _ => PageError::Internal,
    }
    .render(site, locale)
}

/// `Set-Cookie` that deletes the session cookie.
fn clear_cookie(state: &AppState) -> Option<HeaderValue> {
    HeaderValue::from_str(&cookies::build(
        cookies::SESSION_COOKIE,
        "",
        state.broker().issuer().secure(),
        Some(0),
    ))
    .ok()
}

fn with_cleared_cookie(state: &AppState, mut res: Response) -> Response {
    if let Some(v) = clear_cookie(state) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// A form POST must come from our own pages: an `Origin` header, when present, must be ours.
fn same_origin(state: &AppState, headers: &HeaderMap) -> bool {
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => url::Url::parse(state.broker().issuer().as_str())
            .map(|u| origin == u.origin().ascii_serialization())
            .unwrap_or(false),
    }
}

/// `GET /logout`.
pub async fn logout_get(State(state): State<AppState>, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    let p = pairs(q.unwrap_or_default().as_bytes());
    end_session_endpoint(&state, &headers, &p).await
}

/// `POST /logout` (form-encoded, §2).
pub async fn logout_post(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let p = pairs(&body);
    end_session_endpoint(&state, &headers, &p).await
}

async fn end_session_endpoint(state: &AppState, headers: &HeaderMap, p: &[(String, String)]) -> Response {
    let broker = state.broker();
    let params = LogoutParams::from_pairs(p.iter().map(|(k, v)| (k.as_str(), v.clone())));
    let locale = locale::negotiate(field(p, "lang"), params.ui_locales.as_deref(), headers);
    let req = match request::check(broker, &params) {
        Ok(r) => r,
        Err(problem) => return problem_page(state.site(), problem, locale),
    };
    let now = broker.clock().unix();
    let cookie = session_cookie(state, headers);
    let session = match decide::browser_session(broker, cookie.as_deref(), now).await {
        Ok(s) => s,
        Err(e) => return store_page(state.site(), e, locale),
    };
    match (decide::decide(&req, session.as_ref()), session) {
        (Decision::EndNow, Some(s)) => end_and_return(state, &s, &req, locale, EndReason::RelyingParty).await,
        (Decision::Confirm, Some(s)) => confirm_page(state.site(), &req, &s, locale),
        _ => {
            let res = logged_out_page(state.site(), locale, false, &[], &req);
            if cookie.is_some() {
                with_cleared_cookie(state, res)
            } else {
                res
            }
        }
    }
}

/// `POST /logout/confirm`: the person confirmed (or declined) on the confirmation page.
pub async fn logout_confirm_post(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let broker = state.broker();
    let p = pairs(&body);
    let locale = Locale::from_tag(field(&p, "lang").unwrap_or_default()).unwrap_or_default();
    if !same_origin(&state, &headers) {
        return PageError::Forbidden.render(state.site(), locale);
    }
    // The form carries no hint: the person's click is the confirmation. Client and return URI are
    // checked again exactly as on the way in.
    let params = LogoutParams::from_pairs(
        p.iter()
            .filter(|(k, _)| matches!(k.as_str(), "client_id" | "post_logout_redirect_uri" | "state"))
            .map(|(k, v)| (k.as_str(), v.clone())),
    );
    let req = match request::check(broker, &params) {
        Ok(r) => r,
        Err(problem) => return problem_page(state.site(), problem, locale),
    };
    let cookie = session_cookie(&state, &headers);
    let session = match decide::browser_session(broker, cookie.as_deref(), broker.clock().unix()).await {
        Ok(s) => s,
        Err(e) => return store_page(state.site(), e, locale),
    };
    let Some(session) = session else {
        // Already over (a replayed form, another tab): nothing to end.
        return logged_out_page(state.site(), locale, false, &[], &req);
    };
    if !csrf::matches(&session, field(&p, "csrf")) {
        return PageError::Forbidden.render(state.site(), locale);
    }
    if field(&p, "decision") != Some("logout") {
        return stayed_page(state.site(), locale, &req);
    }
    end_and_return(&state, &session, &req, locale, EndReason::RelyingParty).await
}

/// End the session, clear the cookie, and return to the relying party (with `state`) or show
/// the logged-out page.
async fn end_and_return(state: &AppState, session: &BrokerSession, req: &LogoutRequest<'_>, locale: Locale, reason: EndReason) -> Response {
    let used = match end::end_session(state.broker(), &state.config().logout, session, reason).await {
        Ok(u) => u,
        // The session is still there; the person can try again.
        Err(e) => return store_page(state.site(), e, locale),
    };
    let back = req.redirect.as_deref().and_then(|r| request::return_url(r, req.state.as_deref()));
    let services = service_names(state, &used);
    // Ours is over; now the upstream's, if it keeps one (issue 11 item 5). It comes back to
    // `/logout/return` (http/logout_return.rs), which continues below's way.
    let res = match upstream::begin(state.broker(), session, back.as_ref(), &services, locale.as_str()).await {
        Some(action) => crate::http::login::start::upstream(state.site(), action, locale),
        None => match back {
            Some(url) => Redirect::to(url.as_str()).into_response(),
            None => logged_out_page(state.site(), locale, true, &services, req),
        },
    };
    with_cleared_cookie(state, res)
}

fn service_names(state: &AppState, used: &[Participation]) -> Vec<String> {
    used.iter()
        .map(|p| {
            state
                .broker()
                .client(&p.client_id)
                .map(|c| c.name.clone())
                .unwrap_or_else(|| p.client_id.clone())
        })
        .collect()
}

fn back_link(req: &LogoutRequest<'_>) -> (Option<String>, Option<String>) {
    let href = req
        .redirect
        .as_deref()
        .and_then(|r| request::return_url(r, req.state.as_deref()))
        .map(|u| u.to_string());
    (href, req.client.map(|c| c.name.clone()))
}

fn logged_out_page(site: &Site, locale: Locale, ended: bool, services: &[String], req: &LogoutRequest<'_>) -> Response {
    let t = i18n::texts(locale, &site.name);
    let (heading, text) = if ended {
        (&t["logged_out_title"], &t["logged_out_text"])
    } else {
        (&t["not_logged_in_title"], &t["not_logged_in_text"])
    };
    let (back_href, back_name) = back_link(req);
    render_page(
        site,
        "logged_out.html",
        locale,
        heading,
        None,
        minijinja::context! { heading, text, services, back_href, back_name },
    )
    .into_response()
}

fn stayed_page(site: &Site, locale: Locale, req: &LogoutRequest<'_>) -> Response {
    let t = i18n::texts(locale, &site.name);
    let (back_href, back_name) = back_link(req);
    render_page(
        site,
        "logged_out.html",
        locale,
        &t["stayed_title"],
        None,
        minijinja::context! { heading => t["stayed_title"], text => t["stayed_text"], back_href, back_name },
    )
    .into_response()
}

fn confirm_page(site: &Site, req: &LogoutRequest<'_>, session: &BrokerSession, locale: Locale) -> Response {
    let t = i18n::texts(locale, &site.name);
    render_page(
        site,
        "logout_confirm.html",
        locale,
        &t["logout_confirm_title"],
        None,
        minijinja::context! {
            csrf => csrf::token(session),
            client_id => req.client.map(|c| c.id.to_string()),
            client_name => req.client.map(|c| c.name.clone()),
            redirect => req.redirect.clone(),
            state => req.state.clone(),
        },
    )
    .into_response()
}

/// A refused request: 400 page, nobody is logged out, no redirect.
fn problem_page(site: &Site, problem: LogoutProblem, locale: Locale) -> Response {
    tracing::info!(reason = %problem, "logout request refused");
    let t = i18n::texts(locale, &site.name);
    let what = match problem {
        LogoutProblem::Hint(_) => &t["logout_error_hint"],
        LogoutProblem::RedirectNotRegistered | LogoutProblem::RedirectWithoutClient => &t["logout_error_redirect"],
        LogoutProblem::ClientMismatch | LogoutProblem::UnknownClient => &t["logout_error_client"],
        _ => &t["logout_error_request"],
    };
    let page = render_page(
        site,
        "error.html",
        locale,
        &t["logout_error_title"],
        None,
        minijinja::context! { heading => t["logout_error_title"], what, todo => t["logout_error_todo"] },
    );
    (StatusCode::BAD_REQUEST, page).into_response()
}

/// Date and time for pages (in words, UTC stated as such: `web::format`) and the `datetime`
/// attribute.
fn when(locale: Locale, unix: i64) -> (String, String) {
    let Some(t) = chrono::DateTime::from_timestamp(unix, 0) else {
        return (String::new(), String::new());
    };
    (t.format("%Y-%m-%dT%H:%M:%SZ").to_string(), crate::web::format::moment(locale, unix))
}

/// `GET /session`: the citizen's view of this browser's login.
pub async fn session_show(State(state): State<AppState>, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    let broker = state.broker();
    let p = pairs(q.unwrap_or_default().as_bytes());
    let locale = locale::negotiate(field(&p, "lang"), None, &headers);
    let now = broker.clock().unix();
    let cookie = session_cookie(&state, &headers);
    let session = match decide::browser_session(broker, cookie.as_deref(), now).await {
        Ok(Some(s)) => s,
        Ok(None) => return logged_out_page(state.site(), locale, false, &[], &no_request()),
        Err(e) => return store_page(state.site(), e, locale),
    };
    let used = match overview::participations(broker, &session.id).await {
        Ok(u) => u,
        Err(e) => return store_page(state.site(), e, locale),
    };
    let level = session
        .effective_level(now, |l| broker.sessions().limits_for(l))
        .unwrap_or(session.level);
    let services: Vec<minijinja::Value> = used
        .iter()
        .map(|u| {
            let (since_iso, since_text) = when(locale, u.since);
            minijinja::context! {
                name => broker.client(&u.client_id).map(|c| c.name.clone()).unwrap_or_else(|| u.client_id.clone()),
                since_iso, since_text,
                level_name => i18n::level_name(locale, u.level),
            }
        })
        .collect();
    let (since_iso, since_text) = when(locale, session.created_at);
    let t = i18n::texts(locale, &state.site().name);
    render_page(
        state.site(),
        "session.html",
        locale,
        &t["session_title"],
        Some(crate::web::switch_link("/session", locale)),
        minijinja::context! {
            since_iso, since_text,
            level_name => i18n::level_name(locale, level),
            services,
            csrf => csrf::token(&session),
        },
    )
    .into_response()
}

fn no_request() -> LogoutRequest<'static> {
    LogoutRequest {
        client: None,
        redirect: None,
        state: None,
        hint_sid: None,
        ui_locales: None,
    }
}

/// `POST /session/logout`: "Überall abmelden".
pub async fn session_logout_post(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let broker = state.broker();
    let p = pairs(&body);
    let locale = Locale::from_tag(field(&p, "lang").unwrap_or_default()).unwrap_or_default();
    if !same_origin(&state, &headers) {
        return PageError::Forbidden.render(state.site(), locale);
    }
    let cookie = session_cookie(&state, &headers);
    let session = match decide::browser_session(broker, cookie.as_deref(), broker.clock().unix()).await {
        Ok(Some(s)) => s,
        Ok(None) => return logged_out_page(state.site(), locale, false, &[], &no_request()),
        Err(e) => return store_page(state.site(), e, locale),
    };
    if !csrf::matches(&session, field(&p, "csrf")) {
        return PageError::Forbidden.render(state.site(), locale);
    }
    end_and_return(&state, &session, &no_request(), locale, EndReason::Citizen).await
}
