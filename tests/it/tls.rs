//! TLS on the main listener (rustls): a broker serving an rcgen certificate answers a client that
//! trusts exactly that certificate, with HSTS; plain HTTP on a non-loopback address is refused by
//! configuration; broken TLS files fail start-up with a message naming the file.

use crate::support::{dev_config, dev_raw, http_client, rebase, TestBroker};
use buergerkonto::config::raw::{RawConfig, RawTls};
use buergerkonto::config::Config;
use std::path::{Path, PathBuf};

struct TlsBroker {
    base: String,
    _broker: TestBroker,
    cert_pem: String,
    _dir: tempfile::TempDir,
}

fn write_cert(dir: &Path) -> (PathBuf, PathBuf, String) {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert_pem = ck.cert.pem();
    let (cert, key) = (dir.join("tls.crt"), dir.join("tls.key"));
    std::fs::write(&cert, &cert_pem).unwrap();
    std::fs::write(&key, ck.signing_key.serialize_pem()).unwrap();
    (cert, key, cert_pem)
}

/// The development configuration served over TLS on `listen`, issuer `https://localhost:<port>`.
fn tls_config(listen: &str, cert: &Path, key: &Path) -> RawConfig {
    let listen: std::net::SocketAddr = listen.parse().unwrap();
    let mut c = dev_raw();
    rebase(&mut c, &format!("https://localhost:{}", listen.port()), listen);
    c.server.tls = Some(RawTls {
        cert: cert.to_owned(),
        key: key.to_owned(),
    });
    c
}

async fn start_tls() -> TlsBroker {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, cert_pem) = write_cert(dir.path());
    let broker = TestBroker::new().with_tls(cert, key).start().await;
    TlsBroker {
        base: broker.base.clone(),
        _broker: broker,
        cert_pem,
        _dir: dir,
    }
}

/// A client on the broker's own TLS stack (rustls on aws-lc-rs) that trusts only `cert_pem`.
fn trusting_client(cert_pem: &str) -> reqwest::Client {
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls_pki_types::CertificateDer::from_pem_slice(cert_pem.as_bytes()).unwrap())
        .unwrap();
    buergerkonto::tls::http_client_builder_with(buergerkonto::tls::client_config(roots).unwrap())
        .resolve("localhost", "127.0.0.1:0".parse().unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn tls_listener_serves_healthz_with_hsts() {
    let b = start_tls().await;
    let c = trusting_client(&b.cert_pem);
    let r = c.get(format!("{}/healthz", b.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let hsts = r.headers()["strict-transport-security"].to_str().unwrap();
    assert!(hsts.contains("max-age=31536000"), "{hsts}");
    assert!(r.headers().contains_key("content-security-policy"));
    let r = c.get(format!("{}/readyz", b.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn untrusted_certificate_and_plain_http_get_nothing() {
    let b = start_tls().await;
    // A client that does not trust the certificate fails the handshake.
    let other = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let c = trusting_client(&other.cert.pem());
    assert!(c.get(format!("{}/healthz", b.base)).send().await.is_err());
    // Plain HTTP to the TLS port is not served.
    let plain = b.base.replace("https://localhost", "http://127.0.0.1");
    let r = http_client().get(format!("{plain}/healthz")).send().await;
    assert!(
        r.map(|r| r.status() != 200).unwrap_or(true),
        "plain HTTP served on the TLS listener"
    );
}

#[test]
fn plain_http_is_refused_off_loopback() {
    let e = dev_config(|c| (c.server.development, c.server.listen) = (false, "0.0.0.0:8080".into()))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("server.listen: 0.0.0.0:8080 without [server.tls]: plain HTTP is allowed only on loopback"),
        "{e}"
    );
    // A public issuer must use https.
    let e = dev_config(|c| rebase(c, "http://login.example.de", "127.0.0.1:8080".parse().unwrap()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("must use https"), "{e}");
    assert!(e.contains("not a loopback address"), "development refused on a public issuer: {e}");
}

#[test]
fn tls_on_any_address_passes_validation() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, _) = write_cert(dir.path());
    let c = Config::from_raw(tls_config("0.0.0.0:8443", &cert, &key)).unwrap_or_else(|e| panic!("{e}"));
    assert!(c.server.tls.is_some());
}

#[test]
fn broken_tls_files_fail_startup_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, _) = write_cert(dir.path());
    std::fs::write(&cert, "not a certificate").unwrap();
    let files = buergerkonto::tls::TlsFiles { cert: cert.clone(), key };
    let e = buergerkonto::http::server::main_tls_config(&files).unwrap_err().to_string();
    assert!(e.contains("tls.crt"), "{e}");
    // Through the binary: a clean message and a non-zero exit, no panic. Port 0: the binary binds
    // whatever is free, so no port is chosen here and bound there.
    let cfg = dir.path().join("broker.toml");
    std::fs::write(&cfg, toml::to_string(&tls_config("127.0.0.1:0", &cert, &files.key)).unwrap()).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_buergerkonto"))
        .args(["serve", "--config", cfg.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains("tls.crt") && !err.contains("panicked"), "{err}");
}

/// Run a peer tool (curl, openssl) to its end; a missing tool fails the test.
fn run_tool(cmd: &mut std::process::Command) -> (String, String) {
    let out = cmd
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?} could not run (curl and openssl are installed by .ci/run): {e}"));
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `openssl s_client -tls1_2 -reconnect` (with `extra` flags): five reconnections after the first
/// handshake; returns how many resumed the first session (`Reused`). TLS 1.2, because s_client
/// closes a TLS 1.3 connection before the ticket (sent after the handshake) arrives.
pub(crate) fn resumed_reconnections(addr: &str, ca_file: &Path, extra: &[&str]) -> usize {
    let (out, err) = run_tool(
        std::process::Command::new("openssl")
            .args(["s_client", "-connect", addr, "-tls1_2", "-reconnect"])
            .args(extra)
            .arg("-CAfile")
            .arg(ca_file),
    );
    assert!(out.contains("New, TLSv1.2"), "no first handshake: {out}{err}");
    out.lines().filter(|l| l.starts_with("Reused, TLSv1.2")).count()
}

/// curl, two requests on two connections (`Connection: close`): whether the second TLS 1.3
/// handshake resumed the first session with its ticket.
fn curl_resumes_tls13(port: &str, ca_file: &Path, url: &str) -> (bool, String) {
    let (_, log) = run_tool(
        std::process::Command::new("curl")
            .args(["-sS", "-v", "--tlsv1.3", "--http1.1", "-H", "Connection: close"])
            .args(["--resolve", &format!("localhost:{port}:127.0.0.1"), "--cacert"])
            .arg(ca_file)
            .args(["-o", "/dev/null", "-o", "/dev/null", url, url]),
    );
    (log.contains("SSL re-using session ID"), log)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_sessions_resume_by_ticket_and_by_session_id() {
    let b = start_tls().await;
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &b.cert_pem).unwrap();
    let port = b.base.rsplit(':').next().unwrap().to_owned();
    let addr = format!("127.0.0.1:{port}");
    let url = format!("{}/healthz", b.base);
    let (tickets, cache, (tls13, log)) = tokio::task::spawn_blocking(move || {
        (
            resumed_reconnections(&addr, &ca, &[]),
            resumed_reconnections(&addr, &ca, &["-no_ticket"]),
            curl_resumes_tls13(&port, &ca, &url),
        )
    })
    .await
    .unwrap();
    assert_eq!(tickets, 5, "TLS 1.2: every reconnection resumes with the ticket");
    assert_eq!(cache, 5, "TLS 1.2 without tickets: the server's session cache resumes");
    assert!(tls13, "TLS 1.3: the second connection resumes with the ticket: {log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_is_negotiated_by_alpn_and_http1_connections_are_kept_alive() {
    let b = start_tls().await;
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &b.cert_pem).unwrap();
    let port = b.base.rsplit(':').next().unwrap().to_owned();
    let url = format!("{}/healthz", b.base);
    let curl = move |version: &str| {
        run_tool(
            std::process::Command::new("curl")
                .args([
                    "-sS",
                    "-v",
                    version,
                    "--resolve",
                    &format!("localhost:{port}:127.0.0.1"),
                    "--cacert",
                ])
                .arg(&ca)
                .args([
                    "-o",
                    "/dev/null",
                    "-o",
                    "/dev/null",
                    "-w",
                    "%{http_version} %{http_code}\n",
                    &url,
                    &url,
                ]),
        )
    };
    let (h2, h2_log) = tokio::task::spawn_blocking({
        let curl = curl.clone();
        move || curl("--http2")
    })
    .await
    .unwrap();
    assert_eq!(h2, "2 200\n2 200\n", "{h2_log}");
    assert!(h2_log.contains("ALPN: server accepted h2"), "{h2_log}");
    let (h1, h1_log) = tokio::task::spawn_blocking(move || curl("--http1.1")).await.unwrap();
    assert_eq!(h1, "1.1 200\n1.1 200\n", "{h1_log}");
    assert!(
        h1_log.contains("Re-using existing connection"),
        "the second request reuses the kept-alive connection: {h1_log}"
    );
}
