//! Pages for people: login choice, consent, errors (server-rendered, German by default, English on
//! request; no inline script; usable without JavaScript).

/// Escape text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A minimal bilingual page for errors raised before templates are involved (store outage etc.).
pub fn simple_page(status: u16, de: &str, en: &str) -> String {
    format!(
        "<!doctype html><html lang=\"de\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>Fehler {status} – buergerkonto</title><link rel=\"stylesheet\" href=\"/static/style.css\"></head>\
<body><main><h1>Fehler / Error {status}</h1><p>{}</p><p lang=\"en\">{}</p></main></body></html>",
        escape(de),
        escape(en)
    )
}

/// `/static/*`: the style sheet (compiled in; no inline styles, CSP `style-src 'self'`).
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
