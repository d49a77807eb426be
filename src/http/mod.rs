//! HTTP plumbing: listeners, the layers every route gets ([`harden`]), security headers, error
//! mapping, health, and the edge handlers. The router that merges every module's routes is
//! `app::router`, so `http` does not import `dev`.

pub mod cert_return;
pub mod cookies;
pub mod error;
pub mod health;
pub mod language;
pub mod login;
pub mod logout;
pub mod logout_return;
pub mod metrics;
pub mod mtls;
pub mod oidc;
pub mod oidc_callback;
pub mod request_id;
pub mod saml;
pub mod security;
pub mod server;
pub mod site;
pub mod wallet;
pub mod wallet_page;

use axum::extract::DefaultBodyLimit;
use axum::Router;

/// The layers every request gets, put around the finished router once. They wrap outwards: a
/// panic in a handler becomes the generic 500 page (logged, never shown); the security headers
/// sit outside the body limit and the panic catcher so a 413 or 500 carries them too; metrics
/// count every response; the trace layer logs every response, inside the request-id span
/// (outermost) so its lines carry the id.
///
/// Around the router, not through `Router::layer`: that wraps every route in each layer, each in
/// a boxed service, and axum clones a route's whole stack for every request — 52 boxed clones
/// and about 120 allocations per `GET /healthz` with these eight layers (callgrind, issue 13).
/// Here each layer is cloned once per request at most, and the router inside is an `Arc`. Only
/// [`metrics::mark_route`] stays inside, where the matched route is known.
pub fn harden(router: Router, max_body: usize, tls: bool) -> Router {
    let router = router.layer(axum::middleware::from_fn(metrics::mark_route));
    let stack = tower::ServiceBuilder::new()
        .layer(axum::middleware::from_fn(request_id::assign))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn(metrics::record))
        .layer(axum::middleware::from_fn(move |req, next| security::headers(tls, req, next)))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            |_panic: Box<dyn std::any::Any + Send>| {
                axum::response::IntoResponse::into_response(error::AppError::Internal("handler panicked".into()))
            },
        ))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(max_body))
        // The limit wraps the body in its own type; the router takes axum's.
        .map_request(|req: http::Request<_>| req.map(axum::body::Body::new))
        .layer(DefaultBodyLimit::max(max_body))
        .service(router);
    Router::new().fallback_service(stack)
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::routing::{get, post};
    use tower::ServiceExt;

    fn app() -> axum::Router {
        async fn boom() -> &'static str {
            panic!("secret detail from /srv/app/src/x.rs")
        }
        super::harden(
            axum::Router::new()
                .route("/boom", get(boom))
                .route("/echo", post(|b: axum::body::Bytes| async move { b })),
            1024,
            false,
        )
    }

    #[tokio::test]
    async fn a_panicking_handler_gives_the_generic_500_page() {
        let res = app()
            .oneshot(http::Request::get("/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), 500);
        assert!(res.headers().contains_key("content-security-policy"));
        let body = axum::body::to_bytes(res.into_body(), 1 << 16).await.unwrap();
        let text = String::from_utf8_lossy(&body);
        assert!(
            text.contains("interner Fehler") && !text.contains("secret detail") && !text.contains(".rs"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn body_limit_applies_to_streamed_bodies_too() {
        let ok = app()
            .oneshot(http::Request::post("/echo").body(Body::from(vec![b'a'; 1024])).unwrap())
            .await
            .unwrap();
        assert_eq!(ok.status(), 200);
        // No Content-Length: the limit bites while the handler reads.
        let stream = futures::stream::iter((0..4).map(|_| Ok::<_, std::io::Error>(vec![b'a'; 512])));
        let res = app()
            .oneshot(http::Request::post("/echo").body(Body::from_stream(stream)).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), 413);
        assert_eq!(res.headers()["cache-control"], "no-store");
    }
}
