//! The page chrome from the site's configuration (issue 15 items 1 and 2): name, logo, the theme
//! stylesheet, the footer text and the legal links every page carries. Built per render from the
//! [`Site`] the handler hands over, never from a process global.

use super::Locale;
use crate::config::Site;
use serde::Serialize;

/// Path of the built-in page in Leichte Sprache (German) / plain language (English).
pub const EASY_PATH: &str = "/leichte-sprache";

/// One footer link.
#[derive(Debug, Serialize)]
struct Link {
    href: String,
    label: &'static str,
}

/// What `base.html` reads as `site`.
#[derive(Debug, Serialize)]
struct Chrome<'a> {
    name: &'a str,
    logo_href: Option<String>,
    theme_href: String,
    footer: String,
    links_label: &'static str,
    links: Vec<Link>,
    easy_href: String,
    easy_label: &'static str,
}

/// The `site` value of a page in `locale`.
pub fn context(site: &Site, locale: Locale) -> minijinja::Value {
    let de = locale == Locale::De;
    let footer = match (locale, &site.footer_de, &site.footer_en) {
        (Locale::En, _, Some(en)) => en.clone(),
        (_, Some(de), _) => de.clone(),
        _ if de => format!("{} – Anmeldung für Online-Dienste der öffentlichen Verwaltung", site.name),
        _ => format!("{} – login for online services of public administration", site.name),
    };
    let legal = &site.legal;
    let mut links = Vec::new();
    for (url, label_de, label_en) in [
        (&legal.imprint, "Impressum", "Legal notice"),
        (&legal.privacy, "Datenschutz", "Privacy"),
        (&legal.accessibility, "Barrierefreiheit", "Accessibility"),
        (&legal.accessibility_feedback, "Barriere melden", "Report a barrier"),
    ] {
        if let Some(u) = url {
            links.push(Link {
                href: u.to_string(),
                label: if de { label_de } else { label_en },
            });
        }
    }
    let easy_href = easy_href(locale);
    links.push(Link {
        href: easy_href.clone(),
        label: if de { "Leichte Sprache" } else { "Plain language" },
    });
    minijinja::Value::from_serialize(Chrome {
        name: &site.name,
        logo_href: site.logo.as_ref().map(|l| l.href()),
        theme_href: site.theme.href(),
        footer,
        links_label: if de {
            "Rechtliches und Barrierefreiheit"
        } else {
            "Legal and accessibility"
        },
        links,
        easy_href,
        easy_label: if de {
            "Anmelden – in Leichter Sprache"
        } else {
            "Logging in – in plain language"
        },
    })
}

/// The Leichte Sprache page in `locale` (German: Leichte Sprache; English: plain language).
pub fn easy_href(locale: Locale) -> String {
    match locale {
        Locale::De => EASY_PATH.to_owned(),
        Locale::En => format!("{EASY_PATH}?lang=en"),
    }
}
