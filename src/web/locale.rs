//! Page language: German by default, English on request (issue 5 item 4, issue 15 item 5).
//! Sources in order: an explicit `lang` switch (`?lang=`), `ui_locales` (OIDC Core §3.1.2.1), the
//! language cookie the switch sets ([`LANG_COOKIE`]), `Accept-Language` (RFC 9110 §12.5.4, with
//! quality values).

use serde::{Deserialize, Serialize};

/// A supported page language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// German (default).
    #[default]
    De,
    /// English.
    En,
}

impl Locale {
    /// BCP 47 tag.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::De => "de",
            Self::En => "en",
        }
    }

    /// From a tag like `en`, `en-GB`, `de-AT` (primary subtag only).
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "de" => Some(Self::De),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The stored form back (unknown → German).
    pub fn parse_or_default(s: &str) -> Self {
        Self::from_tag(s).unwrap_or_default()
    }
}

/// First supported tag of a space-separated `ui_locales` list.
pub fn from_ui_locales(list: &str) -> Option<Locale> {
    list.split(' ').find_map(Locale::from_tag)
}

/// Best supported language of an `Accept-Language` header (quality values respected).
pub fn from_accept_language(header: &str) -> Option<Locale> {
    let mut best: Option<(f32, Locale)> = None;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or_default();
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q=").and_then(|v| v.parse::<f32>().ok()))
            .unwrap_or(1.0);
        if let Some(l) = Locale::from_tag(tag) {
            if q > 0.0 && best.map(|(bq, _)| q > bq).unwrap_or(true) {
                best = Some((q, l));
            }
        }
    }
    best.map(|(_, l)| l)
}

/// The language cookie: set when the person uses the switch, holds `de` or `en` and nothing else.
/// `__Host-` prefixed and `Secure` on an https issuer like every cookie of ours (http/cookies.rs).
pub const LANG_COOKIE: &str = "bk_lang";

/// One year: the choice of language outlives any login.
pub const LANG_COOKIE_MAX_AGE: i64 = 365 * 24 * 3600;

/// The language the cookie names. Both spellings count: a planted language cookie does no harm
/// (cookie tossing can only switch the page language), and the reader needs no issuer.
pub fn from_cookie(headers: &http::HeaderMap) -> Option<Locale> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|s| s.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .filter(|(k, _)| *k == LANG_COOKIE || k.strip_prefix("__Host-") == Some(LANG_COOKIE))
        .find_map(|(_, v)| Locale::from_tag(v))
}

/// The `lang` of a query string (`lang=en`), if a supported one.
pub fn from_query(query: Option<&str>) -> Option<Locale> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "lang")
        .and_then(|(_, v)| Locale::from_tag(&v))
}

/// Negotiate from the four sources.
pub fn negotiate(lang: Option<&str>, ui_locales: Option<&str>, headers: &http::HeaderMap) -> Locale {
    lang.and_then(Locale::from_tag)
        .or_else(|| ui_locales.and_then(from_ui_locales))
        .or_else(|| from_cookie(headers))
        .or_else(|| {
            headers
                .get(http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(from_accept_language)
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_in_order() {
        let mut h = http::HeaderMap::new();
        h.insert(
            http::header::ACCEPT_LANGUAGE,
            http::HeaderValue::from_static("fr, en;q=0.8, de;q=0.5"),
        );
        assert_eq!(negotiate(None, None, &h), Locale::En);
        assert_eq!(negotiate(None, Some("fr de-AT"), &h), Locale::De);
        assert_eq!(negotiate(Some("en"), Some("de"), &h), Locale::En);
        assert_eq!(negotiate(None, None, &http::HeaderMap::new()), Locale::De);
        assert_eq!(from_accept_language("en;q=0, de"), Some(Locale::De));
    }

    #[test]
    fn cookie_between_ui_locales_and_accept_language() {
        let mut h = http::HeaderMap::new();
        h.insert(http::header::ACCEPT_LANGUAGE, http::HeaderValue::from_static("de"));
        h.insert(http::header::COOKIE, http::HeaderValue::from_static("a=1; __Host-bk_lang=en"));
        assert_eq!(negotiate(None, None, &h), Locale::En, "cookie beats Accept-Language");
        assert_eq!(negotiate(None, Some("de"), &h), Locale::De, "ui_locales beats the cookie");
        assert_eq!(negotiate(Some("de"), None, &h), Locale::De, "the switch beats all");
        h.insert(http::header::COOKIE, http::HeaderValue::from_static("bk_lang=xx"));
        assert_eq!(negotiate(None, None, &h), Locale::De, "an unknown value is ignored");
        assert_eq!(from_query(Some("a=1&lang=en")), Some(Locale::En));
        assert_eq!(from_query(Some("lang=fr")), None);
    }
}
