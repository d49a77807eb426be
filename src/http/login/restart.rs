//! (HTTP edge) The restart page (`login/restart.rs` decides when): German and English on one
//! page, the browser's language first (language cookie, then `Accept-Language`; never the
//! request's own `ui_locales`, which may be someone else's), 400, and — where the request is
//! known — the service's name and a link to its site. The switch jumps to the other language on
//! the page: the link that led here is single use, so reloading it would lose the service's name.

use crate::config::Site;
use crate::login::next::Restart;
use crate::web::{render_page, Locale};
use axum::response::{IntoResponse, Response};

/// The page (400) in the browser's language `locale` first.
pub fn page(site: &Site, r: Restart, locale: Locale) -> Response {
    let Restart {
        service_name,
        service_href,
    } = r;
    let (title, other) = match locale {
        Locale::De => ("Anmeldung nicht fortgesetzt", "#lang-en"),
        Locale::En => ("Login not continued", "#lang-de"),
    };
    let mut res = render_page(
        site,
        "restart.html",
        locale,
        title,
        Some(other.to_owned()),
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
