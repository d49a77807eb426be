//! Security headers on every response.
//!
//! - CSP without inline script or style (`default-src 'none'`); pages load `/static/*` only.
//!   `form-action` is deliberately absent: Chromium applies it to the redirect that follows a form
//!   POST, which would block the consent form's 303 to the relying party's redirect_uri.
//! - `frame-ancestors 'none'` + `X-Frame-Options: DENY` against clickjacking of login/consent.
//! - HSTS only when served over TLS (RFC 6797 §7.2: not over plain HTTP).
//! - `Referrer-Policy: same-origin`: nothing (no code, no transaction id) leaks to other sites,
//!   while our own form POSTs still carry our Origin — with `no-referrer` Chromium sends
//!   `Origin: null` and the login forms' same-origin check would refuse every browser.
//! - `Cache-Control: no-store` unless a handler chose otherwise (RFC 6749 §5.1 for token responses;
//!   login pages carry transaction ids).

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::header::{self, HeaderName, HeaderValue};

const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'";

// Names and values built at compile time: `from_static` outside a const context validates its
// string on every call, and a `&str` name is parsed on every insert (issue 13, per-request cost).
const COOP: HeaderName = HeaderName::from_static("cross-origin-opener-policy");
const CSP_VALUE: HeaderValue = HeaderValue::from_static(CSP);
const DENY: HeaderValue = HeaderValue::from_static("DENY");
const NOSNIFF: HeaderValue = HeaderValue::from_static("nosniff");
const SAME_ORIGIN: HeaderValue = HeaderValue::from_static("same-origin");
const HSTS: HeaderValue = HeaderValue::from_static("max-age=31536000; includeSubDomains");
const NO_STORE: HeaderValue = HeaderValue::from_static("no-store");
const NO_CACHE: HeaderValue = HeaderValue::from_static("no-cache");

/// Middleware adding the headers.
pub async fn headers(tls: bool, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, CSP_VALUE);
    h.insert(header::X_FRAME_OPTIONS, DENY);
    h.insert(header::X_CONTENT_TYPE_OPTIONS, NOSNIFF);
    h.insert(header::REFERRER_POLICY, SAME_ORIGIN);
    h.insert(COOP, SAME_ORIGIN);
    if tls {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, NO_STORE);
        h.insert(header::PRAGMA, NO_CACHE);
    }
    res
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    async fn respond(tls: bool, path: &str) -> http::Response<Body> {
        let app = Router::new()
            .route("/plain", get(|| async { "ok" }))
            .route(
                "/cached",
                get(|| async { ([(http::header::CACHE_CONTROL, "public, max-age=60")], "css") }),
            )
            .layer(axum::middleware::from_fn(move |req, next| super::headers(tls, req, next)));
        app.oneshot(http::Request::get(path).body(Body::empty()).unwrap()).await.unwrap()
    }

    #[tokio::test]
    async fn csp_and_framing_on_every_response() {
        for path in ["/plain", "/missing"] {
            let res = respond(false, path).await;
            let csp = res.headers()["content-security-policy"].to_str().unwrap();
            assert!(
                csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
                "{csp}"
            );
            assert!(
                !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval") && !csp.contains("script-src"),
                "{csp}"
            );
            assert_eq!(res.headers()["x-frame-options"], "DENY");
            assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        }
    }

    #[tokio::test]
    async fn hsts_only_under_tls() {
        assert!(respond(false, "/plain").await.headers().get("strict-transport-security").is_none());
        let res = respond(true, "/plain").await;
        assert!(res.headers()["strict-transport-security"].to_str().unwrap().starts_with("max-age="));
    }

    #[tokio::test]
    async fn no_store_by_default_but_handlers_may_choose() {
        assert_eq!(respond(false, "/plain").await.headers()["cache-control"], "no-store");
        assert_eq!(respond(false, "/missing").await.headers()["cache-control"], "no-store");
        assert_eq!(respond(false, "/cached").await.headers()["cache-control"], "public, max-age=60");
    }
}
