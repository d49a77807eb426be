//! Request metrics for `/metrics` (Prometheus): a counter by method, route and status, and a
//! latency histogram by route. Labels are bounded: the route is the matched route pattern (never the
//! raw path, which a client controls) and unknown methods are counted as `other`.
//! Without an installed recorder (tests) the macros do nothing.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

/// Middleware recording one request.
pub async fn record(req: Request, next: Next) -> Response {
    let method = method_label(req.method());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let start = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("buergerkonto_http_requests_total", "method" => method, "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("buergerkonto_http_request_duration_seconds", "route" => route).record(start.elapsed().as_secs_f64());
    res
}

fn method_label(m: &http::Method) -> &'static str {
    match *m {
        http::Method::GET => "GET",
        http::Method::POST => "POST",
        http::Method::HEAD => "HEAD",
        http::Method::OPTIONS => "OPTIONS",
        http::Method::PUT => "PUT",
        http::Method::DELETE => "DELETE",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn unknown_methods_share_one_label() {
        assert_eq!(super::method_label(&http::Method::GET), "GET");
        assert_eq!(super::method_label(&http::Method::from_bytes(b"BREW").unwrap()), "other");
    }
}
