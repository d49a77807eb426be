//! Security headers on every response.
//!
//! - CSP without inline script or style (`default-src 'none'`); pages load `/static/*` only.
//!   `form-action` is deliberately absent: Chromium applies it to the redirect that follows a form
//!   POST, which would block the consent form's 303 to the relying party's redirect_uri.
//! - `frame-ancestors 'none'` + `X-Frame-Options: DENY` against clickjacking of login/consent.
//! - HSTS only when served over TLS (RFC 6797 §7.2: not over plain HTTP).
//! - `Cache-Control: no-store` unless a handler chose otherwise (RFC 6749 §5.1 for token responses;
//!   login pages carry transaction ids).

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::header::{self, HeaderValue};

const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Middleware adding the headers.
pub async fn headers(tls: bool, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    if tls {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    }
    res
}
