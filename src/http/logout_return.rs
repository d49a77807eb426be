//! `GET|POST /logout/return` (HTTP edge): the upstream sends the browser back after ending its
//! session (issue 11 item 5) — an OP after RP-Initiated Logout (`state`), a SAML IdP with its
//! `<LogoutResponse>` (Redirect or POST binding, `RelayState`). `logout::upstream::finish` takes the
//! way-back record and lets the method check the answer; this handler only maps the result: to the
//! relying party's checked return URI, or the logged-out page. Our session ended before the
//! browser left, so nothing here ends or starts anything.

use crate::authenticators::UpstreamLogoutReturn;
use crate::config::Site;
use crate::logout::upstream::{self, RETURN_PATH};
use crate::state::AppState;
use crate::web::{i18n, locale, render_page, Locale, PageError};
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use http::HeaderMap;

/// The route.
pub fn routes() -> Router<AppState> {
    Router::new().route(RETURN_PATH, get(return_get).post(return_post))
}

/// `GET /logout/return` (OIDC; SAML HTTP-Redirect binding: the signature covers the raw query).
pub async fn return_get(State(state): State<AppState>, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    let raw = q.unwrap_or_default();
    let params = url::form_urlencoded::parse(raw.as_bytes()).into_owned().collect();
    returned(
        &state,
        &headers,
        UpstreamLogoutReturn {
            raw_query: Some(raw),
            params,
        },
    )
    .await
}

/// `POST /logout/return` (SAML HTTP-POST binding).
pub async fn return_post(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let params = url::form_urlencoded::parse(&body).into_owned().collect();
    returned(&state, &headers, UpstreamLogoutReturn { raw_query: None, params }).await
}

async fn returned(state: &AppState, headers: &HeaderMap, input: UpstreamLogoutReturn) -> Response {
    let fallback = locale::negotiate(None, None, headers);
    let r = match upstream::finish(state.broker(), &input).await {
        Ok(Some(r)) => r,
        // Unknown, expired, replayed or forged: nothing to continue, and nothing ends here (a
        // session this browser may have is untouched); the page says only what is known.
        Ok(None) => return unknown_page(state.site(), fallback),
        Err(e) => {
            tracing::error!(error = %e, "store failure on the way back from an upstream logout");
            return PageError::Unavailable.render(state.site(), fallback);
        }
    };
    let locale = Locale::parse_or_default(&r.next.locale);
    match (r.confirmed, r.next.back) {
        (true, Some(back)) => Redirect::to(&back).into_response(),
        (confirmed, back) => page(state.site(), locale, confirmed, &r.next.services, back),
    }
}

/// The way back is not known (any more).
fn unknown_page(site: &Site, locale: Locale) -> Response {
    let t = i18n::table(locale);
    let heading = t["logout_return_unknown_title"];
    let (back_href, back_name): (Option<String>, Option<String>) = (None, None);
    render_page(
        site,
        "logged_out.html",
        locale,
        heading,
        None,
        minijinja::context! { heading, text => t["logout_return_unknown_text"], back_href, back_name },
    )
    .into_response()
}

/// The logged-out page; when the upstream did not confirm, it says so (the person may want to
/// close the browser) and offers the way back to the relying party as a link.
fn page(site: &Site, locale: Locale, confirmed: bool, services: &[String], back_href: Option<String>) -> Response {
    let t = i18n::table(locale);
    let text = if confirmed {
        t["logged_out_text"]
    } else {
        t["upstream_logout_unconfirmed"]
    };
    let heading = t["logged_out_title"];
    let back_name: Option<String> = None;
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
