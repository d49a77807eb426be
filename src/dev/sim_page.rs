//! The frame of the simulators' pages (eID, ELSTER, bank ID): a simulator plays another site, so
//! it has not the broker's chrome (no operator name, no legal links), but it follows the broker's
//! language rules (issue 15 item 5): the page is in one language — `lang` (the switch), then
//! `ui_locales` where the protocol carries it, then the language cookie, then `Accept-Language`
//! ([`crate::web::locale::negotiate`]) — its `lang` attribute says which, and a link switches to
//! the other language.

use crate::web::{escape, i18n, Locale};
use axum::response::Html;

/// "Simulator – development only", in the page's language.
pub fn note(locale: Locale, name: &str) -> String {
    match locale {
        Locale::De => format!("{name} – nur Entwicklung"),
        Locale::En => format!("{name} – development only"),
    }
}

/// `de` or `en` text by locale.
pub fn pick<'a>(locale: Locale, de: &'a str, en: &'a str) -> &'a str {
    match locale {
        Locale::De => de,
        Locale::En => en,
    }
}

/// A full page: `body` is HTML the caller escaped; `switch_href` is a same-page URL with `lang=`.
pub fn page(locale: Locale, note: &str, title: &str, body: &str, switch_href: Option<&str>) -> Html<String> {
    let t = i18n::table(locale);
    let other = match locale {
        Locale::De => Locale::En,
        Locale::En => Locale::De,
    };
    let switch = switch_href
        .map(|h| {
            format!(
                "<nav aria-label=\"{}\"><a href=\"{}\" lang=\"{o}\" hreflang=\"{o}\">{}</a></nav>",
                escape(t["language"]),
                escape(h),
                escape(t["other_language"]),
                o = other.as_str()
            )
        })
        .unwrap_or_default();
    Html(format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{t}</title>\
<link rel=\"stylesheet\" href=\"/static/style.css\"></head><body><header><p class=\"muted\">{note}</p>{switch}</header>\
<main><h1>{t}</h1>{body}</main></body></html>",
        lang = locale.as_str(),
        t = escape(title),
        note = escape(note),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_language_per_page_and_the_switch_to_the_other() {
        let html = page(Locale::En, "Sim", "Log in", "<p>x</p>", Some("/dev/x?lang=de")).0;
        assert!(html.starts_with("<!doctype html><html lang=\"en\">"), "{html}");
        assert!(
            html.contains("<a href=\"/dev/x?lang=de\" lang=\"de\" hreflang=\"de\">Deutsch</a>"),
            "{html}"
        );
        let html = page(Locale::De, "Sim", "Anmelden", "", None).0;
        assert!(html.contains("<html lang=\"de\">") && !html.contains("hreflang"), "{html}");
    }
}
