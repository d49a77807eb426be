//! The operator's logo (`branding.logo`): read once at start-up, its size bounded and its type
//! taken from its content, so a broken or unsafe file stops `check-config` instead of reaching a
//! page.

use super::{Asset, Problems};

/// Largest accepted logo file; a logo is a small header image.
const MAX_LOGO_BYTES: usize = 512 * 1024;

/// Read and check the logo at `path`; every problem goes to `p`.
pub(super) fn load_logo(path: &std::path::Path, p: &mut Problems) -> Option<Asset> {
    const FIELD: &str = "branding.logo";
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            p.push(format!("{FIELD}: cannot read {}: {e}", path.display()));
            return None;
        }
    };
    if bytes.len() > MAX_LOGO_BYTES {
        p.push(format!(
            "{FIELD}: {} has {} bytes; at most {MAX_LOGO_BYTES} are accepted",
            path.display(),
            bytes.len()
        ));
        return None;
    }
    match sniff(&bytes) {
        Ok((content_type, ext)) => Some(Asset::new(bytes, content_type, ext)),
        Err(why) => {
            p.push(format!("{FIELD}: {}: {why}", path.display()));
            None
        }
    }
}

/// The logo's type from its content, never its name: PNG by its signature (PNG §5.2), SVG by an
/// `<svg` root element. An SVG with script or event handlers is refused: the file is served from
/// our origin (the CSP `default-src 'none'` would block the script anyway; this catches the
/// mistake at `check-config`).
fn sniff(bytes: &[u8]) -> Result<(&'static str, &'static str), String> {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.starts_with(PNG) {
        return Ok(("image/png", "png"));
    }
    let Ok(text) = std::str::from_utf8(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)) else {
        return Err("is neither a PNG nor an SVG file".into());
    };
    let start = text.trim_start();
    let lower = text.to_ascii_lowercase();
    let is_svg = (start.starts_with("<?xml") || start.starts_with("<svg") || start.starts_with("<!--")) && lower.contains("<svg");
    if !is_svg {
        return Err("is neither a PNG nor an SVG file".into());
    }
    if lower.contains("<script") || lower.contains("javascript:") || has_event_attribute(&lower) {
        return Err("SVG with script or event handlers is refused".into());
    }
    Ok(("image/svg+xml", "svg"))
}

/// An `on…=` attribute (onload, onclick, …) anywhere in the (lower-cased) SVG text.
fn has_event_attribute(lower: &str) -> bool {
    lower.match_indices("on").any(|(i, _)| {
        let after_space = lower[..i].chars().next_back().is_some_and(char::is_whitespace);
        let rest = &lower[i + 2..];
        if !after_space {
            return false;
        }
        let name_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        name_len > 0 && rest[name_len..].trim_start().starts_with('=')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logo_type_is_taken_from_the_content() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap().0, "image/png");
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
                .unwrap()
                .0,
            "image/svg+xml"
        );
        assert!(sniff(b"GIF89a").is_err());
        assert!(sniff(b"<html><svg></svg></html>").is_err());
        assert!(sniff(b"<svg><script>alert(1)</script></svg>").is_err());
        assert!(sniff(b"<svg onload = \"x()\"></svg>").is_err());
        assert!(sniff(b"<svg><text>only words</text></svg>").is_ok());
    }
}
