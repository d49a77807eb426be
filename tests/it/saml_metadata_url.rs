//! IdP metadata from a URL (issue 12 item 5): a metadata server in the test (axum on 127.0.0.1
//! port 0, on a thread of its own: configuration validation fetches synchronously) serves ELSTER
//! metadata signed by an independent signer (`tests/peers/sign_metadata.py`, signxml) with a
//! federation key (test fixture `idp-ec`); the broker starts from the URL and logs in with a
//! Response produced by `tests/peers/saml_idp.py`. Refusals at start-up each with their message;
//! a key change taken over on SIGHUP; a server outage keeps the last good copy and counts the
//! failure; expired metadata fails the login closed.

use crate::elster_interop::login;
use crate::saml_interop::{fixture, run_python};
use crate::support::{dev_config, RawConfigExt, TestBroker};
use buergerkonto::authenticators::{AuthnError, LoginContext, StartAction};
use buergerkonto::config::raw::RawConfig;
use buergerkonto::oidc_provider::errors::ErrorCode;
use buergerkonto::trust::TrustLevel;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

const ELSTER_SSO: &str = "http://127.0.0.1:8080/dev/elster-simulator/sso";

/// A metadata server: serves `body` (or 503 while it is `None`); stopped when dropped.
struct MetadataServer {
    url: String,
    body: Arc<Mutex<Option<String>>>,
    hits: Arc<AtomicUsize>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl MetadataServer {
    fn start(body: String) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}/idp-metadata.xml", listener.local_addr().unwrap());
        let body = Arc::new(Mutex::new(Some(body)));
        let hits = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (b, h) = (body.clone(), hits.clone());
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async move {
                let app = axum::Router::new().route(
                    "/idp-metadata.xml",
                    axum::routing::get(move || {
                        let (b, h) = (b.clone(), h.clone());
                        async move {
                            h.fetch_add(1, Ordering::SeqCst);
                            match b.lock().unwrap().clone() {
                                Some(xml) => (http::StatusCode::OK, [("content-type", "application/samlmetadata+xml")], xml),
                                None => (
                                    http::StatusCode::SERVICE_UNAVAILABLE,
                                    [("content-type", "text/plain")],
                                    "down".into(),
                                ),
                            }
                        }
                    }),
                );
                let l = tokio::net::TcpListener::from_std(listener).unwrap();
                axum::serve(l, app)
                    .with_graceful_shutdown(async {
                        let _ = rx.await;
                    })
                    .await
                    .unwrap();
            });
        });
        Self {
            url,
            body,
            hits,
            stop: Some(tx),
            thread: Some(thread),
        }
    }

    fn set(&self, body: Option<String>) {
        *self.body.lock().unwrap() = body;
    }
}

impl Drop for MetadataServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn dev(path: &str) -> String {
    format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))
}

fn cert_base64(pem_path: &str) -> String {
    std::fs::read_to_string(pem_path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect()
}

/// ELSTER IdP metadata with the IdP signing certificate `idp_cert`, valid until `valid_until`, the
/// SingleSignOnService at `ELSTER_SSO` + `sso_suffix` (how a test sees which copy is in use).
fn metadata(idp_cert: &str, valid_until: SystemTime, sso_suffix: &str) -> String {
    let md = std::fs::read_to_string(dev("certs/dev/elster-simulator-metadata.xml")).unwrap();
    let md = &md[md.find("<md:EntityDescriptor").unwrap()..];
    let (a, b) = (
        md.find("<ds:X509Certificate>").unwrap() + "<ds:X509Certificate>".len(),
        md.find("</ds:X509Certificate>").unwrap(),
    );
    let md = format!("{}{}{}", &md[..a], cert_base64(idp_cert), &md[b..]);
    let vu = buergerkonto::saml::metadata::xs_datetime(valid_until);
    md.replacen("entityID=", &format!("validUntil=\"{vu}\" entityID="), 1)
        .replace(&format!("{ELSTER_SSO}\""), &format!("{ELSTER_SSO}{sso_suffix}\""))
}

/// Signed by the independent signer with `key` (ECDSA-SHA256).
fn sign(xml: &str, key: &str) -> Option<String> {
    if !crate::peers::require_python() {
        return None;
    }
    let input = json!({"xml": xml, "key": key, "sig_alg": "ecdsa-sha256"});
    let (ok, out, err) = run_python("sign_metadata.py", &[], input.to_string().as_bytes());
    assert!(ok, "metadata signer failed: {err}");
    Some(String::from_utf8(out).unwrap())
}

fn in_a_year() -> SystemTime {
    SystemTime::now() + Duration::from_secs(365 * 86_400)
}

fn old_key_metadata(suffix: &str) -> Option<String> {
    sign(
        &metadata(&dev("certs/dev/elster-simulator-signing.crt"), in_a_year(), suffix),
        &fixture("idp-ec.key"),
    )
}

fn from_url(url: &str) -> impl FnOnce(&mut RawConfig) + Send + 'static {
    let url = url.to_owned();
    move |c: &mut RawConfig| {
        let up = c.upstream_mut("elster");
        up.metadata_file = None;
        up.metadata_url = Some(url);
        up.metadata_signing_cert = Some(fixture("idp-ec.crt").into());
        up.sso_url = None;
        up.metadata_refresh_min_secs = 1;
    }
}

async fn start_from(server: &MetadataServer) -> Result<TestBroker, String> {
    TestBroker::new().with_config(from_url(&server.url)).try_start().await
}

/// The process-wide Prometheus recorder of this test binary (the refresh task records on its own
/// threads, so a local recorder would not see it).
fn metrics() -> &'static metrics_exporter_prometheus::PrometheusHandle {
    static HANDLE: OnceLock<metrics_exporter_prometheus::PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder().unwrap())
}

fn refresh_failures() -> u64 {
    metrics()
        .render()
        .lines()
        .find(|l| l.starts_with("buergerkonto_saml_metadata_refresh_failures_total{upstream=\"elster\"}"))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn sighup() {
    let ok = std::process::Command::new("kill")
        .args(["-HUP", &std::process::id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -HUP");
}

/// The SingleSignOnService the broker currently sends the browser to.
async fn sso_in_use(broker: &TestBroker, pending: &str, now: SystemTime) -> Result<String, AuthnError> {
    let elster = broker.state.methods().get("elster").unwrap().clone();
    let ctx = LoginContext {
        transaction_id: pending.into(),
        required_level: TrustLevel::Substantial,
        locale: "de".into(),
        login_hint: None,
        scopes: Vec::new(),
        now,
    };
    match elster.start(&ctx).await? {
        StartAction::Redirect(url) => Ok(format!("{}{}", url.origin().ascii_serialization(), url.path())),
        _ => panic!("redirect binding expected"),
    }
}

/// Poll (bounded, no timing asserted) until `done`.
async fn eventually(what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..300 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never happened: {what}");
}

#[tokio::test]
async fn metadata_url_starts_and_logs_in_with_independently_signed_metadata() {
    let Some(md) = old_key_metadata("") else { return };
    let server = MetadataServer::start(md);
    let broker = start_from(&server).await.expect("broker starts from the metadata URL");
    assert!(server.hits.load(Ordering::SeqCst) >= 1);
    let Some(r) = login("mdurl_login", &broker, "mu1", json!({})).await else {
        return;
    };
    assert_eq!(r.expect("login through URL metadata").subject.0, "nezo-acc-3c0ffee0");
}

#[tokio::test]
async fn metadata_url_refusals_are_start_up_errors_with_their_reason() {
    let idp = dev("certs/dev/elster-simulator-signing.crt");
    let plain = metadata(&idp, in_a_year(), "");
    let Some(signed) = sign(&plain, &fixture("idp-ec.key")) else {
        return;
    };
    let evil = metadata(&fixture("attacker-ec.crt"), in_a_year(), "").replace("_elster-simulator-metadata", "_evil");
    let evil_inner = &evil[..evil.rfind("</md:EntityDescriptor>").unwrap()];
    let cases = [
        ("unsigned", plain.clone(), "metadata signature not verified: message is not signed"),
        (
            "signed by another key",
            sign(&plain, &fixture("attacker-ec.key")).unwrap(),
            "signature value does not verify with any pinned key",
        ),
        (
            "second EntityDescriptor inserted after signing",
            signed.replacen("<md:IDPSSODescriptor", &format!("{evil}<md:IDPSSODescriptor"), 1),
            "metadata signature not verified",
        ),
        (
            "signed EntityDescriptor wrapped in an attacker's",
            format!("{evil_inner}{signed}</md:EntityDescriptor>"),
            "metadata signature not verified",
        ),
        (
            "expired validUntil",
            sign(
                &metadata(&idp, SystemTime::now() - Duration::from_secs(3600), ""),
                &fixture("idp-ec.key"),
            )
            .unwrap(),
            "metadata expired (validUntil",
        ),
    ];
    for (what, body, reason) in cases {
        let server = MetadataServer::start(body);
        let e = start_from(&server).await.err().unwrap_or_else(|| panic!("{what}: broker started"));
        assert!(
            e.contains("saml.upstreams[1] (elster).metadata_url: no valid IdP metadata"),
            "{what}: {e}"
        );
        assert!(e.contains(reason), "{what}: expected {reason:?} in {e}");
    }
    // Nothing served at all.
    let server = MetadataServer::start(String::new());
    server.set(None);
    let e = start_from(&server).await.err().expect("no metadata, no start");
    assert!(e.contains("cannot fetch") && e.contains("HTTP 503"), "{e}");
}

#[test]
fn metadata_source_configuration_is_validated() {
    let e = dev_config(|c| c.upstream_mut("elster").metadata_url = Some("https://idp.example/md.xml".into()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("metadata_file and metadata_url are exclusive"), "{e}");
    let e = dev_config(|c| c.upstream_mut("elster").metadata_file = None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("one of metadata_file or metadata_url is required"), "{e}");
    let e = dev_config(|c| {
        let up = c.upstream_mut("elster");
        (up.metadata_file, up.metadata_url) = (None, Some("http://idp.example/md.xml".into()));
    })
    .unwrap_err()
    .to_string();
    assert!(e.contains("metadata_url: must be https"), "{e}");
    let e = dev_config(|c| c.upstream_mut("elster").metadata_refresh_max_secs = 10)
        .unwrap_err()
        .to_string();
    assert!(e.contains("metadata_refresh_max_secs"), "{e}");
}

#[tokio::test]
async fn sighup_takes_over_a_new_idp_key_and_refuses_the_old() {
    let _ = metrics();
    let Some(md) = old_key_metadata("") else { return };
    let server = MetadataServer::start(md);
    let broker = start_from(&server).await.unwrap();
    // The IdP rolls its key: new signed metadata (new key, and a marker in the SSO location).
    let new = sign(&metadata(&fixture("idp-rsa.crt"), in_a_year(), "-v2"), &fixture("idp-ec.key")).unwrap();
    server.set(Some(new));
    sighup();
    let now = SystemTime::now();
    let mut n = 0;
    eventually("the new metadata is in use", async || {
        n += 1;
        sso_in_use(&broker, &format!("mr-poll{n}"), now).await.unwrap() == format!("{ELSTER_SSO}-v2")
    })
    .await;
    let new_key = json!({"signing_key": fixture("idp-rsa.key"), "signing_cert": fixture("idp-rsa.crt"), "sig_alg": "rsa-pss-sha256"});
    let Some(r) = login("mdurl_new_key", &broker, "mr1", new_key).await else {
        return;
    };
    r.expect("a Response signed with the new key is accepted");
    let old = login("mdurl_old_key", &broker, "mr2", json!({})).await.unwrap();
    assert!(
        matches!(old, Err(AuthnError::Unverified(ref m)) if m.contains("failed verification")),
        "{old:?}"
    );
}

#[tokio::test]
async fn server_down_keeps_the_last_good_copy_and_counts_the_failure() {
    let _ = metrics();
    let Some(md) = old_key_metadata("") else { return };
    let server = MetadataServer::start(md);
    let broker = start_from(&server).await.unwrap();
    let before = refresh_failures();
    server.set(None);
    sighup();
    eventually("the failed refresh is counted", async || refresh_failures() > before).await;
    let Some(r) = login("mdurl_kept", &broker, "md1", json!({})).await else {
        return;
    };
    r.expect("the last good copy still verifies logins");
}

#[tokio::test]
async fn expired_last_good_copy_fails_logins_closed() {
    // Valid for a day; the login happens two days later, with no fresh copy to be had.
    let Some(md) = sign(
        &metadata(
            &dev("certs/dev/elster-simulator-signing.crt"),
            SystemTime::now() + Duration::from_secs(86_400),
            "",
        ),
        &fixture("idp-ec.key"),
    ) else {
        return;
    };
    let server = MetadataServer::start(md);
    let broker = start_from(&server).await.unwrap();
    server.set(None);
    let later = SystemTime::now() + Duration::from_secs(2 * 86_400);
    let e = sso_in_use(&broker, "mx1", later).await.unwrap_err();
    assert!(
        matches!(e, AuthnError::Unavailable(ref m) if m == "the IdP metadata has expired"),
        "{e:?}"
    );
    assert_eq!(
        ErrorCode::from(&e),
        ErrorCode::TemporarilyUnavailable,
        "the RP gets temporarily_unavailable"
    );
    // Still valid now: the same upstream works.
    sso_in_use(&broker, "mx2", SystemTime::now()).await.expect("valid until tomorrow");
}
