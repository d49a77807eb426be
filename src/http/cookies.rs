//! Cookies: `__Host-` prefixed, `Secure`, `HttpOnly`, `Path=/`, no `Domain` (RFC 6265bis §4.1.3.2).
//!
//! On a plain-HTTP loopback development issuer browsers refuse `Secure` cookies, so there (and only
//! there) the prefix and `Secure` are dropped. Two cookies: the SSO session (`bk_session`) and the
//! browser binding of a login (`bk_bind`, `login/binding.rs`). Both are `SameSite=Lax`: the SAML
//! POST return leg arrives cross-site without them, so it correlates through RelayState and the
//! server-side record and continues on a same-site GET, where the binding cookie is checked.

use cookie::{Cookie, SameSite};

/// Name and attributes of the broker session cookie.
pub const SESSION_COOKIE: &str = "bk_session";

/// Name of the browser-binding cookie of a login (`login/binding.rs`).
pub const BIND_COOKIE: &str = "bk_bind";

/// Whether cookies for this issuer are `Secure` and `__Host-` prefixed: always, except for a plain
/// HTTP issuer, which config validation allows only on a loopback address (development).
pub fn secure_for(issuer: &url::Url) -> bool {
    issuer.scheme() != "http"
}

/// Build a cookie header value.
pub fn build(name: &str, value: &str, secure: bool, max_age_secs: Option<i64>) -> String {
    let full = if secure { format!("__Host-{name}") } else { name.to_owned() };
    let mut c = Cookie::build((full, value.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure);
    if let Some(age) = max_age_secs {
        c = c.max_age(cookie::time::Duration::seconds(age));
    }
    c.build().to_string()
}

/// Read a cookie from request headers. With `secure`, only the `__Host-` spelling counts, so a
/// sibling host cannot plant an unprefixed cookie (cookie tossing).
pub fn read(headers: &http::HeaderMap, name: &str, secure: bool) -> Option<String> {
    let wanted = if secure { format!("__Host-{name}") } else { name.to_owned() };
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|s| Cookie::split_parse(s).flatten())
        .find(|c| c.name() == wanted)
        .map(|c| c.value().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(cookie: &str) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        h.insert(http::header::COOKIE, http::HeaderValue::from_str(cookie).unwrap());
        h
    }

    #[test]
    fn secure_cookie_is_host_prefixed_secure_http_only() {
        let c = build(SESSION_COOKIE, "v1", true, Some(600));
        assert!(c.starts_with("__Host-bk_session=v1"), "{c}");
        for attr in ["Secure", "HttpOnly", "Path=/", "SameSite=Lax", "Max-Age=600"] {
            assert!(c.split("; ").any(|a| a == attr), "{attr} missing in {c}");
        }
        // RFC 6265bis §4.1.3.2: a __Host- cookie has no Domain attribute.
        assert!(!c.to_ascii_lowercase().contains("domain="), "{c}");
    }

    #[test]
    fn loopback_development_cookie_drops_prefix_and_secure_only() {
        let c = build(SESSION_COOKIE, "v1", false, None);
        assert!(c.starts_with("bk_session=v1"), "{c}");
        assert!(!c.contains("Secure") && c.contains("HttpOnly") && !c.contains("Max-Age"), "{c}");
    }

    #[test]
    fn secure_only_for_https_issuers() {
        assert!(secure_for(&"https://login.example.de".parse().unwrap()));
        assert!(!secure_for(&"http://127.0.0.1:8080".parse().unwrap()));
    }

    #[test]
    fn reading_with_secure_ignores_unprefixed_cookies() {
        // Cookie tossing: a sibling host can set `bk_session` but never `__Host-bk_session`.
        let h = headers("bk_session=planted; other=1");
        assert_eq!(read(&h, SESSION_COOKIE, true), None);
        assert_eq!(read(&h, SESSION_COOKIE, false).as_deref(), Some("planted"));
        let h = headers("bk_session=planted; __Host-bk_session=real");
        assert_eq!(read(&h, SESSION_COOKIE, true).as_deref(), Some("real"));
        assert_eq!(read(&headers("garbage;;=;"), SESSION_COOKIE, true), None);
    }
}
