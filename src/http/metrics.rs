//! Request metrics for `/metrics` (Prometheus): a counter by method, route and status, and a
//! latency histogram by route. Labels are bounded: the route is the matched route pattern (never the
//! raw path, which a client controls) and unknown methods are counted as `other`.
//! Without an installed recorder (tests) the macros do nothing.
//!
//! [`record`] sits around the router (`http::harden`), where no route has been matched yet;
//! [`mark_route`], the one layer inside the router, copies the matched pattern onto the response
//! for it. A response that never reached a route (a 404, a 413 from the body limit, the 500 of a
//! caught panic) counts as `unmatched`.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

/// Middleware recording one request.
pub async fn record(req: Request, next: Next) -> Response {
    let method = method_label(req.method());
    let start = Instant::now();
    let res = next.run(req).await;
    let route = res
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let status = res.status().as_u16().to_string();
    metrics::counter!("buergerkonto_http_requests_total", "method" => method, "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("buergerkonto_http_request_duration_seconds", "route" => route).record(start.elapsed().as_secs_f64());
    res
}

/// Route layer: put the matched route pattern (axum's [`MatchedPath`], a shared string) on the
/// response, where [`record`] outside the router finds it.
pub async fn mark_route(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().cloned();
    let mut res = next.run(req).await;
    if let Some(route) = route {
        res.extensions_mut().insert(route);
    }
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
