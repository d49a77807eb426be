//! HTTP plumbing of the running broker: request size limit (413), security headers on every
//! response (also errors), and malformed requests that never produce a panic or a stack trace.

use crate::support::{http_client, TestBroker};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const LEAKS: [&str; 5] = ["panicked", "backtrace", "src/", ".rs:", "thread '"];

#[tokio::test]
async fn oversized_body_gets_413() {
    // In process: the limit is a layer of the router (the chunked case below needs the listener).
    let b = TestBroker::new().app().await;
    let max = b.state.config().server.max_body_bytes;
    let post = |path: &str, len: usize| {
        http::Request::post(path)
            .header("content-length", len)
            .body(axum::body::Body::from(vec![b'a'; len]))
            .unwrap()
    };
    for path in ["/healthz", "/token", "/nowhere"] {
        let r = b.send(post(path, max + 1)).await;
        assert_eq!(r.status, 413, "{path}");
        assert_eq!(r.header("cache-control"), Some("no-store"));
    }
    // Within the limit the request is routed normally (no 413).
    assert_ne!(b.send(post("/healthz", 16)).await.status, 413);
}

#[tokio::test]
async fn chunked_oversized_body_is_never_accepted() {
    // Without Content-Length the limit applies while the body is read: the request is refused
    // (413, or 405 before reading on a GET-only route), never accepted whole, never a crash.
    let b = TestBroker::start().await;
    let max = b.state.config().server.max_body_bytes;
    let mut req = b"POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..(max / 1024 + 2) {
        req.extend_from_slice(b"400\r\n");
        req.extend_from_slice(&[b'a'; 1024]);
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"0\r\n\r\n");
    let answer = raw(&b, &req).await;
    let status = answer.split_whitespace().nth(1).unwrap_or("closed");
    assert!(status == "413" || status == "405" || status == "closed", "{answer}");
    assert_eq!(http_client().get(b.url("/healthz")).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn security_headers_on_every_response() {
    // In process: the headers are layers of the router.
    let b = TestBroker::new().app().await;
    for path in ["/healthz", "/readyz", "/does-not-exist", "/static/style.css"] {
        let r = b.get(path).await;
        let h = &r.headers;
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert!(h.get("strict-transport-security").is_none(), "{path}: no HSTS over plain HTTP");
        if path != "/static/style.css" {
            assert_eq!(h["cache-control"], "no-store", "{path}");
        }
    }
}

/// Send raw bytes and read whatever comes back (the server may also just close).
async fn raw(b: &TestBroker, request: &[u8]) -> String {
    let addr = b.base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _ = s.write_all(request).await;
    let _ = s.shutdown().await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn malformed_requests_never_panic_or_leak() {
    let b = TestBroker::start().await;
    let huge_header = format!("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n", "a".repeat(200_000));
    let many_headers = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\n{}\r\n",
        (0..500).map(|i| format!("X-{i}: v\r\n")).collect::<String>()
    );
    let cases: Vec<Vec<u8>> = vec![
        b"GARBAGE\r\n\r\n".to_vec(),
        b"GET / HTTP/9.9\r\n\r\n".to_vec(),
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n".to_vec(),
        b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello".to_vec(),
        b"GET /%ff%fe%zz?a=%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        b"GET /readyz?\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: \xff\xfe=\x01\r\n\r\n".to_vec(),
        b"POST /token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".to_vec(),
        huge_header.into_bytes(),
        many_headers.into_bytes(),
        vec![0u8; 4096],
    ];
    for (i, req) in cases.iter().enumerate() {
        let answer = raw(&b, req).await;
        if let Some(status) = answer.split_whitespace().nth(1) {
            assert!(!status.starts_with('5'), "case {i}: server error {answer}");
        }
        for leak in LEAKS {
            assert!(!answer.contains(leak), "case {i} leaked {leak:?}: {answer}");
        }
    }
    // Still alive and ready.
    assert_eq!(http_client().get(b.url("/readyz")).send().await.unwrap().status(), 200);
}
