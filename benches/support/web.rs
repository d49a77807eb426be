//! The browser side shared by the benches (`benches/support/flow.rs`, `benches/load.rs`): a cookie
//! jar for one host, a hidden form field out of a page, and a redirect's target made absolute on the
//! broker's configured issuer. Standalone (no other support module), so `load.rs` can include it
//! by path.

use std::collections::HashMap;

/// Results carry the failing step's text.
pub type Res<T> = Result<T, String>;

/// The issuer of config/dev.toml: relative redirects are made absolute on it.
pub const ISSUER: &str = "http://127.0.0.1:8080";

/// A browser's cookies (one host).
#[derive(Default)]
pub struct Jar(HashMap<String, String>);

impl Jar {
    /// Take the response's `Set-Cookie`s (a `Max-Age=0` removes the cookie).
    pub fn absorb(&mut self, res: &reqwest::Response) {
        for v in res.headers().get_all("set-cookie") {
            let s = v.to_str().unwrap_or_default();
            let (pair, attrs) = s.split_once(';').unwrap_or((s, ""));
            if let Some((n, val)) = pair.split_once('=') {
                if attrs.contains("Max-Age=0") {
                    self.0.remove(n.trim());
                } else {
                    self.0.insert(n.trim().to_owned(), val.to_owned());
                }
            }
        }
    }

    /// The `Cookie` header value.
    pub fn header(&self) -> String {
        self.0.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }
}

/// The value of the hidden field `name` in `html`, with the template's escapes undone.
pub fn hidden(html: &str, name: &str) -> Res<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).ok_or_else(|| format!("no {name} in page"))? + marker.len();
    let end = html[start..].find('"').ok_or("unterminated value")? + start;
    Ok(html[start..end]
        .replace("&#x2B;", "+")
        .replace("&#x2F;", "/")
        .replace("&#x3D;", "=")
        .replace("&amp;", "&"))
}

/// The `Location` of a redirect, absolute on [`ISSUER`].
pub fn location(res: &reqwest::Response) -> Res<String> {
    let l = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| format!("expected a redirect, got {}", res.status()))?;
    Ok(if l.starts_with('/') { format!("{ISSUER}{l}") } else { l.to_owned() })
}
