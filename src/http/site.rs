//! The site's own pages (issue 15 items 1–3): the start page `/`, the login explained in Leichte
//! Sprache (`/leichte-sprache`; English plain language with `?lang=en`), the hashed brand assets
//! (`/static/brand/<hash>.<ext>`) and the 404 page every unknown path gets, in the site's design.

use crate::state::AppState;
use crate::web::chrome::EASY_PATH;
use crate::web::{locale, render_page, switch_link, Locale};
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::HeaderMap;

/// The routes; the 404 page is the router's fallback (`app::router`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(start_show))
        .route(EASY_PATH, get(easy_show))
        .route("/static/brand/{file}", get(asset_show))
}

/// Page language: `?lang=` (the switch), then `Accept-Language`.
fn page_locale(query: Option<&str>, headers: &HeaderMap) -> Locale {
    let lang = query.and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .map(|(_, v)| v.into_owned())
    });
    locale::negotiate(lang.as_deref(), None, headers)
}

/// `GET /`: what this service is, the way to one's own login (`/session`) and the legal pages.
async fn start_show(State(state): State<AppState>, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    let locale = page_locale(q.as_deref(), &headers);
    let site = state.site();
    let title = match locale {
        Locale::De => "Anmeldung für Online-Dienste",
        Locale::En => "Login for online services",
    };
    let methods: Vec<&str> = state
        .config()
        .methods
        .iter()
        .map(|m| match locale {
            Locale::De => m.label_de.as_str(),
            Locale::En => m.label_en.as_str(),
        })
        .collect();
    render_page(
        site,
        "start.html",
        locale,
        title,
        Some(switch_link("/", locale)),
        minijinja::context! { methods },
    )
    .into_response()
}

/// `GET /leichte-sprache`: the login explained in Leichte Sprache (de) or plain language (en).
async fn easy_show(State(state): State<AppState>, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    let locale = page_locale(q.as_deref(), &headers);
    let title = match locale {
        Locale::De => "Anmelden – in Leichter Sprache",
        Locale::En => "Logging in – in plain language",
    };
    render_page(
        state.site(),
        "easy_language.html",
        locale,
        title,
        Some(switch_link(EASY_PATH, locale)),
        minijinja::Value::UNDEFINED,
    )
    .into_response()
}

/// A brand asset by its content-hashed name: cached for a year and never revalidated (RFC 8246
/// `immutable`), because other content gets another name.
async fn asset_show(State(state): State<AppState>, Path(file): Path<String>, headers: HeaderMap) -> Response {
    match state.site().asset(&file) {
        Some(a) => (
            [
                (http::header::CONTENT_TYPE, a.content_type),
                (http::header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            axum::body::Bytes::from_owner(a.bytes.clone()),
        )
            .into_response(),
        None => crate::web::not_found_in(state.site(), page_locale(None, &headers), None),
    }
}

/// Every unknown path: the 404 page in the site's design and the browser's language.
pub async fn not_found(State(state): State<AppState>, OriginalUri(uri): OriginalUri, headers: HeaderMap) -> Response {
    let locale = page_locale(uri.query(), &headers);
    crate::web::not_found_in(state.site(), locale, Some(switch_link(uri.path(), locale)))
}
