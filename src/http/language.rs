//! The language switch remembered (issue 15 item 5): a request that carries `?lang=de|en` — the
//! switch link of every page — gets the language cookie with its response, so the next page, and
//! the next login, start in that language ([`crate::web::locale`] reads it after `ui_locales`).
//!
//! The cookie holds the language tag only: no personal data, nothing that identifies the browser.
//! `SameSite=Lax`, `Path=/`, `HttpOnly`, `Secure` and `__Host-` on an https issuer
//! (http/cookies.rs), one year.

use super::cookies;
use crate::web::locale::{self, LANG_COOKIE, LANG_COOKIE_MAX_AGE};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderValue;

/// `Set-Cookie` for a language.
pub fn cookie(secure: bool, l: crate::web::Locale) -> Option<HeaderValue> {
    HeaderValue::from_str(&cookies::build(LANG_COOKIE, l.as_str(), secure, Some(LANG_COOKIE_MAX_AGE))).ok()
}

/// Middleware: remember an explicit `?lang=`.
pub async fn remember(secure: bool, req: Request, next: Next) -> Response {
    let chosen = locale::from_query(req.uri().query());
    let mut res = next.run(req).await;
    if let Some(c) = chosen.and_then(|l| cookie(secure, l)) {
        res.headers_mut().append(http::header::SET_COOKIE, c);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_cookie_attributes() {
        let c = cookie(true, crate::web::Locale::En).unwrap();
        let c = c.to_str().unwrap();
        assert!(c.starts_with("__Host-bk_lang=en"), "{c}");
        for attr in ["Secure", "HttpOnly", "Path=/", "SameSite=Lax", "Max-Age=31536000"] {
            assert!(c.split("; ").any(|a| a == attr), "{attr} missing in {c}");
        }
        let c = cookie(false, crate::web::Locale::De).unwrap();
        assert!(c.to_str().unwrap().starts_with("bk_lang=de") && !c.to_str().unwrap().contains("Secure"));
    }
}
