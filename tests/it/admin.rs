//! The operations endpoints on their own listener (issue 12 item 4): with `server.admin_listen`
//! the admin address serves `/metrics`, `/healthz` and `/readyz`, the public listener no longer
//! serves `/metrics`; a login moves the login counters. And the audit file reopened on SIGHUP.

use crate::support::{dev_raw, http_client};
use crate::support_login::{get as get_in, hidden, pkce, post, Jar};
use crate::support_process::Process;

#[tokio::test]
async fn metrics_move_to_the_admin_listener_and_count_logins() {
    let dir = tempfile::tempdir().unwrap();
    let mut raw = dev_raw();
    raw.server.listen = "127.0.0.1:0".into();
    raw.server.admin_listen = Some("127.0.0.1:0".into());
    raw.server.log_format = Some("json".into());
    let path = dir.path().join("broker.toml");
    std::fs::write(&path, toml::to_string(&raw).unwrap()).unwrap();
    let mut p = Process::serve(&path, &[]);
    let admin = p.field_of("admin listener (metrics, health) started", "admin_listen");
    let public = p.field_of("buergerkonto listening", "listen");
    let c = http_client();
    let get = |url: String| {
        let c = c.clone();
        async move {
            let r = c.get(url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    assert_eq!(get(format!("http://{public}/healthz")).await.0, 200);
    let (status, body) = get(format!("http://{public}/metrics")).await;
    assert_eq!(status, 404, "the public listener must not serve /metrics: {body}");
    assert_eq!(get(format!("http://{admin}/healthz")).await.0, 200);
    let (status, body) = get(format!("http://{admin}/readyz")).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"store\":\"ok\""), "{body}");
    // Only the operations routes on the admin listener.
    assert_eq!(get(format!("http://{admin}/authorize")).await.0, 404);
    // A login started at the public listener (/authorize → choice page → development method)
    // moves the login counter.
    start_login(&c, &public).await;
    let (status, metrics) = get(format!("http://{admin}/metrics")).await;
    assert_eq!(status, 200);
    assert!(metrics.contains("route=\"/authorize\""), "{metrics}");
    assert!(
        metrics.lines().any(|l| l.starts_with("buergerkonto_login_events_total")
            && l.contains("event=\"login_started\"")
            && l.contains("method=\"dev\"")
            && l.ends_with(" 1")),
        "{metrics}"
    );
    // The audit line of that step went to stdout with a request id (through the writer thread,
    // so it may trail the response).
    p.wait_for("login_started audit line", |l| {
        serde_json::from_str::<serde_json::Value>(l).is_ok_and(|v| v["audit"] == 1 && v["event"] == "login_started")
    });
    let audit: Vec<serde_json::Value> = p
        .drain()
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["audit"] == 1)
        .collect();
    assert!(
        audit.iter().any(|a| a["event"] == "login_started" && a["request_id"].is_string()),
        "{audit:?}"
    );
}

/// Start a login at `public` (a `dev.toml` broker on another port): /authorize → choice page →
/// the development method, which writes the `login_started` audit line.
async fn start_login(c: &openidconnect::reqwest::Client, public: &str) {
    let mut jar = Jar::default();
    let base = format!("http://{public}");
    // The issuer stays dev.toml's (nothing listens there): only the path of a Location is followed.
    let abs = |res: &openidconnect::reqwest::Response| {
        let l = url::Url::parse("http://127.0.0.1:8080/")
            .unwrap()
            .join(res.headers()["location"].to_str().unwrap())
            .unwrap();
        format!("{base}{}", &l[url::Position::BeforePath..])
    };
    let (_, challenge) = pkce();
    let authorize = url::Url::parse_with_params(
        &format!("{base}/authorize"),
        &[
            ("response_type", "code"),
            ("client_id", "demo"),
            ("redirect_uri", "http://127.0.0.1:8080/demo/callback"),
            ("scope", "openid"),
            ("state", "s"),
            ("nonce", "n"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ],
    )
    .unwrap();
    let res = get_in(c, &mut jar, authorize.as_str()).await;
    assert_eq!(res.status(), 303);
    let choice = abs(&res);
    let html = get_in(c, &mut jar, &choice).await.text().await.unwrap();
    let csrf = hidden(&html, "csrf").expect("csrf on the choice page");
    let res = post(c, &mut jar, &format!("{choice}/start"), &[("csrf", &csrf), ("method", "dev")]).await;
    assert_eq!(res.status(), 303);
}

/// `[audit] sink = "file"`: lines go to the file; after logrotate moved it, SIGHUP makes the broker
/// write to a new file at the path, and no further line to the moved one.
#[tokio::test]
async fn the_audit_file_is_reopened_on_sighup() {
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.log");
    let mut raw = dev_raw();
    raw.server.listen = "127.0.0.1:0".into();
    raw.server.log_format = Some("json".into());
    raw.audit.sink = Some("file".into());
    raw.audit.file = Some(audit.clone());
    let path = dir.path().join("broker.toml");
    std::fs::write(&path, toml::to_string(&raw).unwrap()).unwrap();
    let mut p = Process::serve(&path, &[]);
    let public = p.field_of("buergerkonto listening", "listen");
    let c = http_client();
    let events = |file: &std::path::Path| -> Vec<serde_json::Value> {
        std::fs::read_to_string(file)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
            .collect()
    };
    start_login(&c, &public).await;
    let first = events(&audit);
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0]["event"], "login_started");
    // logrotate: move the file, then HUP (the shell's builtin kill: no procps needed).
    let rotated = dir.path().join("audit.log.1");
    std::fs::rename(&audit, &rotated).unwrap();
    let kill = std::process::Command::new("sh")
        .args(["-c", &format!("kill -HUP {}", p.pid())])
        .status()
        .unwrap();
    assert!(kill.success());
    p.field_of("audit file reopened", "path");
    start_login(&c, &public).await;
    assert_eq!(events(&rotated).len(), 1, "nothing more in the moved file");
    let second = events(&audit);
    assert_eq!(second.len(), 1, "{second:?}");
    assert_eq!(second[0]["event"], "login_started");
    assert_ne!(second[0]["request_id"], first[0]["request_id"]);
}
