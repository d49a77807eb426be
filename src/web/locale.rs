//! Page language: German by default, English on request (issue 5 item 4). Sources in order: an
//! explicit `lang` switch, `ui_locales` (OIDC Core §3.1.2.1), `Accept-Language` (RFC 9110 §12.5.4).

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

/// Negotiate from the three sources.
pub fn negotiate(lang: Option<&str>, ui_locales: Option<&str>, headers: &http::HeaderMap) -> Locale {
    lang.and_then(Locale::from_tag)
        .or_else(|| ui_locales.and_then(from_ui_locales))
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
}
