//! The page for an upstream return that cannot continue here (issue 9 "Bad input"): the browser
//! does not hold the binding cookie of the login, holds another one, the login expired, or the
//! return was already used. German and English on one page (the request's language is not to be
//! trusted: the request may be someone else's), "Bitte starten Sie die Anmeldung bei dem
//! Online-Dienst neu", and — where the request is known — a link to the service's site.
//!
//! The link goes to the origin of the registered redirect URI, never to the redirect URI with
//! OAuth parameters: in the attack this page exists for, the request is the attacker's, and its
//! `state` must not travel anywhere from the victim's browser.

use crate::oidc_provider::records::PendingAuthorization;
use crate::state::AppState;
use crate::web::{render_page, Locale};
use axum::response::{IntoResponse, Response};

/// The page (400).
pub fn page(state: &AppState, request: Option<&PendingAuthorization>) -> Response {
    let client = request.and_then(|p| state.config().clients.iter().find(|c| c.id == p.client_id));
    let service_name = client.map(|c| c.name.clone());
    let service_href = request
        .and_then(|p| url::Url::parse(&p.redirect_uri).ok())
        .map(|u| u.origin())
        .filter(|o| o.is_tuple())
        .map(|o| format!("{}/", o.ascii_serialization()));
    let mut res = render_page(
        "restart.html",
        Locale::De,
        "Anmeldung nicht fortgesetzt / Login not continued",
        None,
        minijinja::context! { service_name, service_href },
    )
    .into_response();
    *res.status_mut() = http::StatusCode::BAD_REQUEST;
    res
}

/// The sentence the page must carry (tests look for it).
pub const RESTART_DE: &str = "Bitte starten Sie die Anmeldung bei dem Online-Dienst neu";
/// Its English counterpart.
pub const RESTART_EN: &str = "Please start the login at the online service again";
