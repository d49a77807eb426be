//! `[branding]` and `[legal]`: what an operator puts on every page (issue 15 items 1 and 2) — the
//! display name, a logo, the primary colour, a footer text, and the legal links a German authority
//! must offer: Impressum (DDG §5), Datenschutzerklärung (GDPR Art. 13) and the Erklärung zur
//! Barrierefreiheit with a feedback contact (BITV 2.0 §7, Directive (EU) 2016/2102 Art. 7).
//! Validated into a [`Site`]; the logo is read and checked here, at start-up, so a broken file
//! stops `check-config` instead of showing a broken image.

mod logo;

use super::Problems;
use logo::load_logo;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::Arc;
use url::Url;

/// The neutral default name (the operator's name replaces it; issue 15: "defaults stay neutral").
pub const DEFAULT_NAME: &str = "Bürgerkonto";
/// WCAG 2.2 SC 1.4.3 (Contrast, Minimum): normal text needs at least 4.5:1.
const MIN_CONTRAST: f64 = 4.5;
/// The page background and the button text colour (static/style.css): both white.
const WHITE: Rgb = Rgb(0xff, 0xff, 0xff);

/// `[branding]` as written.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawBranding {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub logo: Option<PathBuf>,
    #[serde(default)]
    pub primary_color: Option<String>,
    #[serde(default)]
    pub footer_de: Option<String>,
    #[serde(default)]
    pub footer_en: Option<String>,
}

/// `[legal]` as written.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawLegal {
    #[serde(default)]
    pub imprint_url: Option<String>,
    #[serde(default)]
    pub privacy_url: Option<String>,
    #[serde(default)]
    pub accessibility_url: Option<String>,
    #[serde(default)]
    pub accessibility_feedback: Option<String>,
}

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb` or `#rgb`.
    pub fn parse(s: &str) -> Option<Rgb> {
        let hex = s.strip_prefix('#')?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let digit = |i: usize, len: usize| u8::from_str_radix(hex.get(i..i + len)?, 16).ok();
        match hex.len() {
            6 => Some(Rgb(digit(0, 2)?, digit(2, 2)?, digit(4, 2)?)),
            3 => Some(Rgb(digit(0, 1)? * 17, digit(1, 1)? * 17, digit(2, 1)? * 17)),
            _ => None,
        }
    }

    /// Relative luminance, WCAG 2.2 "relative luminance" (sRGB; the 0.04045 threshold of IEC
    /// 61966-2-1, which WCAG 2.2 corrected from 2.0's 0.03928 — no 8-bit value lies between them).
    pub fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let s = f64::from(c) / 255.0;
            if s <= 0.04045 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }

    /// Contrast ratio `(L1 + 0.05) / (L2 + 0.05)`, lighter over darker (WCAG 2.2 "contrast ratio").
    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
        (hi + 0.05) / (lo + 0.05)
    }

    /// `#rrggbb`.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// A file served under a name that contains a hash of its content, so it can be cached forever.
#[derive(Debug, Clone)]
pub struct Asset {
    /// `<first 16 hex digits of SHA-256>.<ext>`.
    pub file_name: String,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// The content.
    pub bytes: Arc<[u8]>,
}

impl Asset {
    fn new(bytes: Vec<u8>, content_type: &'static str, ext: &str) -> Asset {
        let digest = Sha256::digest(&bytes);
        let hash: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        Asset {
            file_name: format!("{hash}.{ext}"),
            content_type,
            bytes: bytes.into(),
        }
    }

    /// Where the pages link it.
    pub fn href(&self) -> String {
        format!("{ASSET_PREFIX}{}", self.file_name)
    }
}

/// Path prefix of the hashed brand assets.
pub const ASSET_PREFIX: &str = "/static/brand/";

/// The legal links (absent only in development).
#[derive(Debug, Clone, Default)]
pub struct Legal {
    /// Impressum.
    pub imprint: Option<Url>,
    /// Datenschutzerklärung.
    pub privacy: Option<Url>,
    /// Erklärung zur Barrierefreiheit.
    pub accessibility: Option<Url>,
    /// Feedback contact for accessibility barriers (`mailto:` or a web form).
    pub accessibility_feedback: Option<Url>,
}

/// The page chrome of one broker: handed to every page it renders (no process global, so tests can
/// run brokers with different brandings side by side).
#[derive(Debug, Clone)]
pub struct Site {
    /// Display name in the header and the page titles.
    pub name: String,
    /// The operator's logo.
    pub logo: Option<Asset>,
    /// Primary colour (links, buttons).
    pub primary_color: Rgb,
    /// The stylesheet that applies the primary colour (`:root { --accent: … }`).
    pub theme: Asset,
    /// Footer text, German.
    pub footer_de: Option<String>,
    /// Footer text, English (German text when absent).
    pub footer_en: Option<String>,
    /// Legal links.
    pub legal: Legal,
    /// What every page derives from the fields above, made once at the first page and shared by
    /// clones: the web layer's (texts, chrome) for German and for English (issue 13: not rebuilt
    /// per request). Set the fields before the first page is rendered.
    pub page_parts: Arc<std::sync::OnceLock<[(minijinja::Value, minijinja::Value); 2]>>,
}

impl Default for Site {
    /// The neutral chrome (development without `[branding]`, unit tests): the dark blue the pages
    /// always had, #00466e (9.99:1 against white).
    fn default() -> Self {
        let color = Rgb(0x00, 0x46, 0x6e);
        Site {
            name: DEFAULT_NAME.to_owned(),
            logo: None,
            primary_color: color,
            theme: theme(color),
            footer_de: None,
            footer_en: None,
            legal: Legal::default(),
            page_parts: Arc::default(),
        }
    }
}

impl Site {
    /// The hashed asset called `file_name`, if this site has one.
    pub fn asset(&self, file_name: &str) -> Option<&Asset> {
        self.logo
            .iter()
            .chain(std::iter::once(&self.theme))
            .find(|a| a.file_name == file_name)
    }
}

fn theme(color: Rgb) -> Asset {
    let css = format!(
        "/* buergerkonto branding: the configured primary colour. */\n:root {{ --accent: {}; }}\n",
        color.hex()
    );
    Asset::new(css.into_bytes(), "text/css; charset=utf-8", "css")
}

pub(super) fn validate(branding: RawBranding, legal: RawLegal, development: bool, p: &mut Problems) -> Site {
    let mut site = Site::default();
    if let Some(name) = branding.name {
        let name = name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
            p.push("branding.name: must be 1 to 80 characters without control characters");
        } else {
            site.name = name;
        }
    }
    if let Some(raw) = branding.primary_color {
        match Rgb::parse(raw.trim()) {
            None => p.push(format!("branding.primary_color: {raw:?} is not a hex colour (#rrggbb)")),
            Some(c) => {
                let ratio = c.contrast(WHITE);
                if ratio < MIN_CONTRAST {
                    // Truncated, never rounded up: 4.497 must not read "4.50:1 is under 4.5:1".
                    let shown = (ratio * 100.0).floor() / 100.0;
                    p.push(format!(
                        "branding.primary_color: {} has a contrast ratio of {shown:.2}:1 against the white page background and the white button text; WCAG 2.2 SC 1.4.3 requires at least 4.5:1 (choose a darker colour)",
                        c.hex()
                    ));
                }
                site.primary_color = c;
                site.theme = theme(c);
            }
        }
    }
    if let Some(path) = branding.logo {
        site.logo = load_logo(&path, p);
    }
    for (field, text) in [("footer_de", &branding.footer_de), ("footer_en", &branding.footer_en)] {
        if text.as_ref().is_some_and(|t| t.chars().count() > 500) {
            p.push(format!("branding.{field}: at most 500 characters"));
        }
    }
    site.footer_de = branding.footer_de.filter(|t| !t.trim().is_empty());
    site.footer_en = branding.footer_en.filter(|t| !t.trim().is_empty());
    site.legal = validate_legal(legal, development, p);
    site
}

fn validate_legal(raw: RawLegal, development: bool, p: &mut Problems) -> Legal {
    let mut missing = Vec::new();
    let mut web = |field: &str, value: Option<String>, missing: &mut Vec<String>| match value {
        Some(v) => p.url(&format!("legal.{field}"), v.trim()),
        None => {
            missing.push(field.to_owned());
            None
        }
    };
    let imprint = web("imprint_url", raw.imprint_url, &mut missing);
    let privacy = web("privacy_url", raw.privacy_url, &mut missing);
    let accessibility = web("accessibility_url", raw.accessibility_url, &mut missing);
    let accessibility_feedback = match raw.accessibility_feedback {
        Some(v) => feedback_contact(v.trim(), p),
        None => {
            missing.push("accessibility_feedback".to_owned());
            None
        }
    };
    if !development && !missing.is_empty() {
        p.push(format!(
            "legal: outside development every page must link an Impressum, a Datenschutzerklärung and an Erklärung zur Barrierefreiheit with a feedback contact (BITV 2.0 §7); missing: {}",
            missing.join(", ")
        ));
    }
    Legal {
        imprint,
        privacy,
        accessibility,
        accessibility_feedback,
    }
}

/// A feedback contact: a `mailto:` URL, a bare mail address (made a `mailto:` URL) or a web form.
fn feedback_contact(value: &str, p: &mut Problems) -> Option<Url> {
    const FIELD: &str = "legal.accessibility_feedback";
    let looks_like_mail = |s: &str| {
        let mut parts = s.splitn(2, '@');
        matches!((parts.next(), parts.next()), (Some(l), Some(d)) if !l.is_empty() && d.contains('.') && !s.contains([' ', '/', ':', '?']))
    };
    if let Some(addr) = value.strip_prefix("mailto:") {
        if looks_like_mail(addr.split('?').next().unwrap_or_default()) {
            return Url::parse(value).ok();
        }
        p.push(format!("{FIELD}: {value:?} is not a mailto: address"));
        None
    } else if looks_like_mail(value) {
        Url::parse(&format!("mailto:{value}")).ok()
    } else {
        p.url(FIELD, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_ratios_match_wcag_examples() {
        // Black on white is 21:1, white on white 1:1 (WCAG 2.2 "contrast ratio" range).
        assert!((Rgb(0, 0, 0).contrast(WHITE) - 21.0).abs() < 1e-9);
        assert!((WHITE.contrast(WHITE) - 1.0).abs() < 1e-9);
        // #767676 is the well-known lightest grey that passes 4.5:1 on white; #777777 fails.
        assert!(Rgb::parse("#767676").unwrap().contrast(WHITE) >= 4.5);
        assert!(Rgb::parse("#777777").unwrap().contrast(WHITE) < 4.5);
        assert_eq!(Rgb::parse("#fc0"), Some(Rgb(0xff, 0xcc, 0x00)));
        assert_eq!(Rgb::parse("00466e"), None);
        assert_eq!(Rgb::parse("#00466g"), None);
    }

    #[test]
    fn feedback_contact_forms() {
        let mut p = Problems::default();
        assert_eq!(
            feedback_contact("a11y@amt.example", &mut p).unwrap().as_str(),
            "mailto:a11y@amt.example"
        );
        assert_eq!(
            feedback_contact("mailto:a11y@amt.example", &mut p).unwrap().as_str(),
            "mailto:a11y@amt.example"
        );
        assert!(feedback_contact("https://amt.example/barriere-melden", &mut p).is_some());
        assert!(p.is_empty());
        assert!(feedback_contact("mailto:nobody", &mut p).is_none());
        assert!(feedback_contact("call us", &mut p).is_none());
        assert!(!p.is_empty());
    }

    #[test]
    fn assets_are_named_by_their_content() {
        let a = theme(Rgb(0, 0, 0));
        let b = theme(Rgb(0, 0, 1));
        assert_ne!(a.file_name, b.file_name);
        assert!(a.file_name.ends_with(".css") && a.file_name.len() == 16 + 4);
        assert_eq!(
            Site::default().asset(&Site::default().theme.file_name).map(|a| a.content_type),
            Some("text/css; charset=utf-8")
        );
    }
}
