//! (HTTP edge) `POST /login/{id}/start` and `POST /login/{id}/cancel` (`login/start.rs` checks
//! the CSRF token and origin and starts the method), and the page that hands the person to an
//! upstream that wants a POST form.

use super::{browser, respond};
use crate::authenticators::StartAction;
use crate::config::Site;
use crate::ids::PendingId;
use crate::login::params::RawParams;
use crate::state::AppState;
use crate::web::{render_page, Locale};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::HeaderMap;

/// `POST /login/{id}/start`.
pub async fn start_post(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap, body: String) -> Response {
    let form = RawParams::parse(&body);
    let next = crate::login::start::start(state.broker(), &PendingId::new(id), &browser::read(&state, &headers), &form).await;
    respond(&state, next.into())
}

/// `POST /login/{id}/cancel`: the person goes back without logging in (`access_denied`).
pub async fn cancel_post(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap, body: String) -> Response {
    let form = RawParams::parse(&body);
    let next = crate::login::start::cancel(state.broker(), &PendingId::new(id), &browser::read(&state, &headers), &form).await;
    respond(&state, next.into())
}

/// To the upstream: a 303, or a page with the form to POST.
pub fn upstream(site: &Site, action: StartAction, locale: Locale) -> Response {
    match action {
        StartAction::Redirect(url) => Redirect::to(url.as_str()).into_response(),
        StartAction::PostForm { action, fields } => {
            // No inline script (CSP): the person presses the visible button.
            let title = crate::web::i18n::table(locale)["continue_title"];
            render_page(
                site,
                "post_form.html",
                locale,
                title,
                None,
                minijinja::context! { action => action.as_str(), fields => fields },
            )
            .into_response()
        }
    }
}
