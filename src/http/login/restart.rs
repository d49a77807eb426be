//! (HTTP edge) The restart page (`login/restart.rs` decides when): German and English on one
//! page, 400, and — where the request is known — the service's name and a link to its site.

use crate::config::Site;
use crate::login::next::Restart;
use crate::web::{render_page, Locale};
use axum::response::{IntoResponse, Response};

/// The page (400).
pub fn page(site: &Site, r: Restart) -> Response {
    let Restart {
        service_name,
        service_href,
    } = r;
    let mut res = render_page(
        site,
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
