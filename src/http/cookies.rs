//! Cookies: `__Host-` prefixed, `Secure`, `HttpOnly`, `Path=/`, no `Domain` (RFC 6265bis §4.1.3.2).
//!
//! On a plain-HTTP loopback development issuer browsers refuse `Secure` cookies, so there (and only
//! there) the prefix and `Secure` are dropped. The SAML POST return leg does not depend on a cookie
//! at all (RelayState + server-side record), so `SameSite=Lax` is safe for the session cookie.

use cookie::{Cookie, SameSite};

/// Name and attributes of the broker session cookie.
pub const SESSION_COOKIE: &str = "bk_session";

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
