//! Issue 9: message-supplied strings reach the log escaped and truncated. A newline inside an
//! `Algorithm` attribute (written `&#10;` so XML attribute normalization keeps it) must not forge
//! a second line in the text log format. The Response is a real peer-produced one with the
//! SignatureMethod replaced; the log statement is the one `SamlUpstream::outcome` uses.

use saml_xmlsec::response::{verify_response, Expectations, DEFAULT_MAX_CLOCK_SKEW};
use saml_xmlsec::{Certificate, DsigError, PrivateKey, ResponseError};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/crates/saml-xmlsec/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn newline_in_algorithm_uri_cannot_forge_a_log_line() {
    let forged_line = "2026-12-01T10:00:00Z  INFO buergerkonto::login: login succeeded user=admin";
    let xml = String::from_utf8(fixture("response-rsa-pss-rsa-oaep.xml")).unwrap().replacen(
        "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1",
        &format!("http://evil.example/&#10;{forged_line}&#13;{}", "x".repeat(300)),
        1,
    );
    let exp = Expectations {
        acs_url: "https://broker.example/saml/acs".into(),
        audience: "https://broker.example/saml".into(),
        issuer: "https://eid.example/idp".into(),
        in_response_to: "_req1".into(),
        idp_signing_certs: vec![Certificate::from_pem(&fixture("idp-rsa.crt")).unwrap()],
        decryption_keys: vec![PrivateKey::from_pem(&fixture("sp-enc-rsa.key")).unwrap()],
        max_skew: DEFAULT_MAX_CLOCK_SKEW,
        allow_rsa_pkcs1: false,
    };
    let err = verify_response(&xml, &exp, UNIX_EPOCH + Duration::from_secs(1_796_119_230)).unwrap_err();
    let ResponseError::Signature(DsigError::SignatureAlgorithm(uri)) = &err else {
        panic!("unexpected {err:?}");
    };
    assert!(uri.as_str().contains('\n'), "the raw value keeps the newline for comparisons");

    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        tracing::warn!(upstream = "eid", error = %err, "SAML response rejected");
    });
    let log = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert_eq!(log.lines().count(), 1, "one event, one line: {log}");
    assert!(!log.contains('\r'));
    assert!(log.contains(r"http://evil.example/\n2026-12-01T10:00:00Z"), "{log}");
    assert!(log.contains("bytes)"), "the value is truncated: {log}");
    assert!(log.len() < 400, "{}", log.len());
}
