//! Redis goes away at runtime (issue 2, item 4): the broker answers `/readyz` with 503 and a JSON
//! body, store operations fail closed with `Unavailable` (503 at the edge), nothing panics, and the
//! broker recovers by itself when Redis is back on the same port.
//!
//! The test runs its own `redis-server` on a free port (never the shared one, which it must not
//! stop); a Drop guard kills it on every path. Without `redis-server` the tests fail
//! (`crate::peers`), unless the run opted out with `BK_ALLOW_SKIP=1`.

use crate::support::{http_client, unique_namespace, TestBroker};
use buergerkonto::session::{RecordKind, StoreError};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A private redis-server child; killed when dropped.
struct RedisChild {
    child: Option<Child>,
    port: u16,
}

impl RedisChild {
    fn start(port: u16) -> Self {
        Self::start_with(port, &[])
    }

    fn start_with(port: u16, extra: &[&str]) -> Self {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (apt-get install redis-server; .ci/run does it)");
        let me = Self { child: Some(child), port };
        me.wait_ready();
        me
    }

    fn wait_ready(&self) {
        for _ in 0..100 {
            // Accepting connections is enough (a password-protected server refuses the PING).
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("private redis-server on port {} did not come up", self.port);
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for RedisChild {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

async fn readyz(broker: &TestBroker) -> (u16, serde_json::Value, String) {
    let r = http_client().get(broker.url("/readyz")).send().await.unwrap();
    let status = r.status().as_u16();
    let ctype = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body: serde_json::Value = serde_json::from_slice(&r.bytes().await.unwrap()).expect("readyz answers JSON");
    (status, body, ctype)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broker_fails_closed_and_recovers_when_redis_restarts() {
    if !crate::peers::require_redis_server() {
        return;
    }
    let port = free_port();
    let mut redis = RedisChild::start(port);
    let ns = unique_namespace("faults");
    let broker = TestBroker::new()
        .with_config(move |c| {
            c.store.backend = Some("redis".into());
            c.store.redis_url = Some(format!("redis://127.0.0.1:{port}"));
            c.store.namespace = Some(ns);
        })
        .start()
        .await;
    let records = broker.state.records().clone();

    let (status, body, _) = readyz(&broker).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["store"], "ok");
    records
        .put(RecordKind::AuthorizationCode, "c", &"before", Duration::from_secs(60))
        .await
        .unwrap();

    redis.stop();

    // Every request now fails closed; none hangs, none panics.
    for _ in 0..3 {
        let (status, body, ctype) = readyz(&broker).await;
        assert_eq!(status, 503, "{body}");
        assert!(ctype.starts_with("application/json"), "{ctype}");
        assert_eq!(body["status"], "not_ready");
        assert_eq!(body["store"], "unavailable");
    }
    let e = records.take::<String>(RecordKind::AuthorizationCode, "c").await.unwrap_err();
    assert!(matches!(e, StoreError::Unavailable(_)), "{e}");
    let e = records
        .put(RecordKind::AuthorizationCode, "d", &"during", Duration::from_secs(60))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Unavailable(_)), "{e}");
    let e = records
        .first_sighting(RecordKind::ClientAssertionSeen, "jti", Duration::from_secs(60))
        .await
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Unavailable(_)),
        "a replay check must not pass while the cache is down: {e}"
    );
    // At the edge a store outage is a 503 with Retry-After, never a 500 or a stack trace.
    let res = axum::response::IntoResponse::into_response(buergerkonto::http::error::JsonError(e.into()));
    assert_eq!(res.status(), 503);
    assert!(res.headers().contains_key("retry-after"));
    // The real endpoints that need the store fail closed too: a page for the browser, JSON for the
    // token endpoint — and no code, no token.
    let authorize = crate::support_login::authorize_url(&broker, &[]);
    let r = http_client().get(&authorize).send().await.unwrap();
    assert_eq!(r.status(), 503, "authorize during the outage");
    assert!(
        r.headers().get("location").is_none(),
        "no redirect while the request cannot be parked"
    );
    let page = r.text().await.unwrap();
    assert!(page.contains("nicht verfügbar") && page.contains("lang=\"de\""), "{page}");
    let r = http_client()
        .post(broker.url("/token"))
        .basic_auth("demo", Some("demo-relying-party-secret-for-development-only"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", "x"),
            ("redirect_uri", "http://127.0.0.1/cb"),
            ("code_verifier", &"v".repeat(43)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503, "token during the outage");
    let body: serde_json::Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    assert_eq!(body["error"], "temporarily_unavailable", "{body}");
    assert!(body.get("access_token").is_none());
    // The process is still healthy (only not ready).
    let r = http_client().get(broker.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);

    let _redis = RedisChild::start(port);
    let mut recovered = false;
    for _ in 0..100 {
        if readyz(&broker).await.0 == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recovered, "broker did not recover after Redis came back");
    records
        .put(RecordKind::AuthorizationCode, "e", &"after", Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(
        records.take::<String>(RecordKind::AuthorizationCode, "e").await.unwrap().as_deref(),
        Some("after")
    );
}

#[tokio::test]
async fn redis_password_is_used_and_a_wrong_one_fails_at_startup() {
    if !crate::peers::require_redis_server() {
        return;
    }
    use buergerkonto::session::redis::RedisStore;
    use buergerkonto::session::SessionStore;
    let port = free_port();
    let _redis = RedisChild::start_with(port, &["--requirepass", "correct-horse-battery-staple"]);
    let url = format!("redis://127.0.0.1:{port}");
    for wrong in [None, Some("wrong-password")] {
        let e = RedisStore::connect(&url, wrong).await.unwrap_err();
        assert!(matches!(e, StoreError::Unavailable(_)), "{e}");
        assert!(!e.to_string().contains("correct-horse"), "{e}");
    }
    let store = RedisStore::connect(&url, Some("correct-horse-battery-staple")).await.unwrap();
    store.put("pw-test:k", b"v", Duration::from_secs(30)).await.unwrap();
    assert_eq!(store.take("pw-test:k").await.unwrap().as_deref(), Some(&b"v"[..]));
}

/// Issue 12 item 4: a failed store operation is counted (`buergerkonto_store_errors_total`), so an
/// outage shows on the dashboards as well as at `/readyz`.
#[tokio::test]
async fn store_errors_are_counted_for_metrics() {
    if !crate::peers::require_redis_server() {
        return;
    }
    let port = free_port();
    let mut redis = RedisChild::start(port);
    let store = buergerkonto::session::redis::RedisStore::connect(&format!("redis://127.0.0.1:{port}"), None)
        .await
        .unwrap();
    let records = buergerkonto::session::Records::new(
        std::sync::Arc::new(store),
        std::sync::Arc::new(buergerkonto::session::Sealer::new(vec![buergerkonto::session::SealingKey::new(
            "t", &[7u8; 32],
        )
        .unwrap()])),
        &unique_namespace("store-errors"),
    );
    redis.stop();
    // This thread's recorder (the test runs on one thread): nothing global is touched.
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    let _guard = metrics::set_default_local_recorder(&recorder);
    let e = records.get::<String>(RecordKind::AuthorizationCode, "x").await.unwrap_err();
    assert!(matches!(e, StoreError::Unavailable(_)), "{e}");
    let text = handle.render();
    assert!(
        text.lines().any(|l| l.starts_with("buergerkonto_store_errors_total{kind=")),
        "{text}"
    );
}
