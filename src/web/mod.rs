//! Pages for people: login choice, consent, errors (server-rendered, German by default, English on
//! request; no inline script; usable without JavaScript).

pub mod chrome;
pub mod errors;
pub mod format;
pub mod i18n;
pub mod locale;
pub mod templates;

pub use errors::PageError;
pub use locale::Locale;

use crate::config::Site;
use axum::response::Html;

/// Render a full page: `template` extends `base.html`, which gets the language, the title, the
/// texts `t`, the site's chrome `site` (name, logo, colour, footer, legal links; [`chrome`]) and an
/// optional language-switch link (`switch_href`, a same-page URL with `lang=`).
pub fn render_page(
    site: &Site,
    template: &'static str,
    locale: Locale,
    title: &str,
    switch_href: Option<String>,
    ctx: minijinja::Value,
) -> Html<String> {
    let other = match locale {
        Locale::De => Locale::En,
        Locale::En => Locale::De,
    };
    let (t, chrome) = page_parts(site, locale);
    let full = minijinja::context! {
        lang => locale.as_str(),
        other_lang => other.as_str(),
        title => title,
        t => t,
        site => chrome,
        switch_href => switch_href,
        ..ctx
    };
    match templates::render(template, full) {
        Ok(html) => Html(html),
        Err(e) => {
            tracing::error!(error = %e, "page rendering failed");
            Html(simple_page(
                500,
                "Es ist ein interner Fehler aufgetreten.",
                "An internal error occurred.",
            ))
        }
    }
}

/// The texts (`{name}` filled in) and the page chrome of `site` in `locale`: built at the first
/// page and kept in the site (`Site::page_parts`), so a page render does not rebuild and
/// re-serialise 43 texts and the chrome each time (issue 13).
fn page_parts(site: &Site, locale: Locale) -> (minijinja::Value, minijinja::Value) {
    let [de, en] = site.page_parts.get_or_init(|| {
        [Locale::De, Locale::En].map(|l| {
            (
                minijinja::Value::from_serialize(i18n::texts(l, &site.name)),
                chrome::context(site, l),
            )
        })
    });
    match locale {
        Locale::De => de.clone(),
        Locale::En => en.clone(),
    }
}

/// A same-page link that switches the language (`path` without query).
pub fn switch_link(path: &str, locale: Locale) -> String {
    let other = match locale {
        Locale::De => "en",
        Locale::En => "de",
    };
    format!("{path}?lang={other}")
}

pub use crate::escape::escape;

/// A minimal bilingual page for errors raised before templates are involved (store outage etc.).
pub fn simple_page(status: u16, de: &str, en: &str) -> String {
    format!(
        "<!doctype html><html lang=\"de\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>Fehler {status}</title><link rel=\"stylesheet\" href=\"/static/style.css\"></head>\
<body><main><h1>Fehler / Error {status}</h1><p>{}</p><p lang=\"en\">{}</p></main></body></html>",
        escape(de),
        escape(en)
    )
}

/// `/static/style.css` (compiled in; no inline styles, CSP `style-src 'self'`). The site's hashed
/// brand assets are served by `http::site`.
pub fn static_routes() -> axum::Router<crate::state::AppState> {
    use axum::routing::get;
    axum::Router::new().route(
        "/static/style.css",
        get(|| async {
            (
                [
                    (http::header::CONTENT_TYPE, "text/css; charset=utf-8"),
                    (http::header::CACHE_CONTROL, "public, max-age=3600"),
                ],
                include_str!("../../static/style.css"),
            )
        }),
    )
}

/// The 404 page in `locale` (`switch_href`: the same path in the other language).
pub fn not_found_in(site: &Site, locale: Locale, switch_href: Option<String>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let title = match locale {
        Locale::De => "Seite nicht gefunden",
        Locale::En => "Page not found",
    };
    let page = render_page(site, "not_found.html", locale, title, switch_href, minijinja::Value::UNDEFINED);
    (http::StatusCode::NOT_FOUND, page).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_form_page_has_button_and_no_script() {
        let html = render_page(
            &Site::default(),
            "post_form.html",
            Locale::En,
            "Continue",
            None,
            minijinja::context! { action => "https://idp.example/sso", fields => vec![("SAMLRequest".to_owned(), "PD94<\"&".to_owned())] },
        )
        .0;
        // minijinja also escapes `/` (as `&#x2f;`), which browsers decode in attribute values.
        assert!(
            html.contains("<form method=\"post\" action=\"https:&#x2f;&#x2f;idp.example&#x2f;sso\">"),
            "{html}"
        );
        assert!(html.contains("name=\"SAMLRequest\" value=\"PD94&lt;&quot;&amp;\""), "{html}");
        assert!(html.contains("<button type=\"submit\">Continue</button>"));
        assert!(!html.contains("<script") && html.contains("<html lang=\"en\">"));
    }

    #[test]
    fn error_pages_in_both_languages() {
        use axum::response::IntoResponse;
        for e in [
            PageError::UnknownClient,
            PageError::InvalidRedirectUri,
            PageError::Expired,
            PageError::Forbidden,
            PageError::Unavailable,
        ] {
            for l in [Locale::De, Locale::En] {
                let res = e.render(&Site::default(), l);
                assert!(res.status().is_client_error() || res.status().is_server_error());
            }
            let _ = e.into_response();
        }
    }
}
