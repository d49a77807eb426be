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
