//! TLS on the main listener (rustls): a broker serving an rcgen certificate answers a client that
//! trusts exactly that certificate, with HSTS; plain HTTP on a non-loopback address is refused by
//! configuration; broken TLS files fail start-up with a message naming the file.

use crate::support::{dev_config_text, http_client};
use buergerkonto::clock::SystemClock;
use buergerkonto::config::Config;
use std::path::{Path, PathBuf};
use std::sync::Arc;

struct TlsBroker {
    base: String,
    handle: axum_server::Handle<std::net::SocketAddr>,
    cert_pem: String,
    _dir: tempfile::TempDir,
}

impl Drop for TlsBroker {
    fn drop(&mut self) {
        self.handle.shutdown();
    }
}

fn write_cert(dir: &Path) -> (PathBuf, PathBuf, String) {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert_pem = ck.cert.pem();
    let (cert, key) = (dir.join("tls.crt"), dir.join("tls.key"));
    std::fs::write(&cert, &cert_pem).unwrap();
    std::fs::write(&key, ck.signing_key.serialize_pem()).unwrap();
    (cert, key, cert_pem)
}

fn tls_config_text(addr: std::net::SocketAddr, cert: &Path, key: &Path) -> String {
    dev_config_text(addr)
        .replace(&format!("http://{addr}"), &format!("https://localhost:{}", addr.port()))
        .replace(
            "development = true",
            &format!(
                "development = true\n\n[server.tls]\ncert = \"{}\"\nkey = \"{}\"",
                cert.display(),
                key.display()
            ),
        )
}

async fn start_tls() -> TlsBroker {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, cert_pem) = write_cert(dir.path());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let text = tls_config_text(addr, &cert, &key);
    let config = Config::from_toml(&text, "tls test").unwrap_or_else(|e| panic!("{e}\n{text}"));
    let tls = config.server.tls.clone().expect("tls configured");
    let state = buergerkonto::build_state(config, Arc::new(SystemClock), None).await.unwrap();
    let app = buergerkonto::build_app(state);
    let handle = axum_server::Handle::new();
    let h2 = handle.clone();
    tokio::spawn(async move {
        buergerkonto::http::server::serve_on(listener, app, Some(&tls), h2).await.unwrap();
    });
    handle.listening().await;
    TlsBroker {
        base: format!("https://localhost:{}", addr.port()),
        handle,
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
    let addr: std::net::SocketAddr = "127.0.0.1:8080".parse().unwrap();
    let text = dev_config_text(addr)
        .replace("development = true", "development = false")
        .replace("listen = \"127.0.0.1:8080\"", "listen = \"0.0.0.0:8080\"");
    let e = Config::from_toml(&text, "t").unwrap_err().to_string();
    assert!(
        e.contains("server.listen: 0.0.0.0:8080 without [server.tls]: plain HTTP is allowed only on loopback"),
        "{e}"
    );
    // A public issuer must use https.
    let text = dev_config_text(addr).replace("http://127.0.0.1:8080", "http://login.example.de");
    let e = Config::from_toml(&text, "t").unwrap_err().to_string();
    assert!(e.contains("must use https"), "{e}");
    assert!(e.contains("not a loopback address"), "development refused on a public issuer: {e}");
}

#[test]
fn tls_on_any_address_passes_validation() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, _) = write_cert(dir.path());
    let addr: std::net::SocketAddr = "127.0.0.1:8443".parse().unwrap();
    let text = tls_config_text(addr, &cert, &key).replace("listen = \"127.0.0.1:8443\"", "listen = \"0.0.0.0:8443\"");
    let c = Config::from_toml(&text, "t").unwrap_or_else(|e| panic!("{e}"));
    assert!(c.server.tls.is_some());
}

#[test]
fn broken_tls_files_fail_startup_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, _) = write_cert(dir.path());
    std::fs::write(&cert, "not a certificate").unwrap();
    let files = buergerkonto::config::TlsFiles { cert: cert.clone(), key };
    let e = buergerkonto::http::server::main_tls_config(&files).unwrap_err().to_string();
    assert!(e.contains("tls.crt"), "{e}");
    // Through the binary: a clean message and a non-zero exit, no panic.
    let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let cfg = dir.path().join("broker.toml");
    std::fs::write(&cfg, tls_config_text(addr, &cert, &files.key)).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_buergerkonto"))
        .args(["serve", "--config", cfg.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains("tls.crt") && !err.contains("panicked"), "{err}");
}
