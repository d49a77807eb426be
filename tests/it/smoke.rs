//! The broker starts from config/dev.toml and answers health checks with security headers.

use crate::support::{http_client, TestBroker};

#[tokio::test]
async fn health_and_security_headers() {
    let broker = TestBroker::start().await;
    let c = http_client();
    let r = c.get(broker.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let csp = r.headers().get("content-security-policy").unwrap().to_str().unwrap().to_owned();
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "{csp}");
    assert!(r.headers().get("strict-transport-security").is_none(), "no HSTS over plain HTTP");
    let r = c.get(broker.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}
