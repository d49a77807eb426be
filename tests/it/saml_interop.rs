//! SAML interoperability with independent implementations (issue 4 item 7): Responses produced by
//! `tests/peers/saml_idp.py` (signxml 5.2.0 + python-cryptography + lxml, or the xmlsec1 CLI) are
//! verified and decrypted by `saml_xmlsec::response::verify_response`; and our signatures / encryptions are
//! checked by signxml, xmlsec1 and python-cryptography.
//!
//! Every test needs python3 + signxml (and some xmlsec1): `crate::peers` fails it when they are
//! missing, unless the run opted out with `BK_ALLOW_SKIP=1`.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use saml_xmlsec::algorithms::SignatureAlgorithm;
use saml_xmlsec::response::{verify_response, Expectations, VerifiedAssertion, DEFAULT_MAX_CLOCK_SKEW};
use saml_xmlsec::{Certificate, PrivateKey, PublicKey, ResponseError};
use serde_json::{json, Value};

use crate::peers;

pub(crate) const IDP: &str = "https://eid.example/idp";
pub(crate) const ACS: &str = "https://broker.example/saml/acs";
pub(crate) const SP: &str = "https://broker.example/saml";
pub(crate) const REQ_ID: &str = "_req1";
pub(crate) const PI: &str = "http://eidas.europa.eu/attributes/naturalperson/PersonIdentifier";

/// Path of a test key/certificate (crates/saml-xmlsec/tests/fixtures, test material only).
pub(crate) fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("crates/saml-xmlsec/tests/fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn peer_script(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/peers")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

pub(crate) fn run_python(script: &str, args: &[&str], stdin: &[u8]) -> (bool, Vec<u8>, String) {
    let mut child = Command::new("python3")
        .arg(peer_script(script))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn python3");
    child.stdin.take().expect("stdin").write_all(stdin).expect("write stdin");
    let out = child.wait_with_output().expect("python3 output");
    (out.status.success(), out.stdout, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The default producer input: RSA-PSS-SHA256 signature, RSA-OAEP encryption to our RSA key.
pub(crate) fn base_request() -> Value {
    json!({
        "signing_key": fixture("idp-rsa.key"),
        "signing_cert": fixture("idp-rsa.crt"),
        "sig_alg": "rsa-pss-sha256",
        "recipient_cert": fixture("sp-enc-rsa.crt"),
        "attributes": {
            PI: ["DE/DE/123456"],
            "http://eidas.europa.eu/attributes/naturalperson/CurrentGivenName": ["ERIKA"],
            "http://eidas.europa.eu/attributes/naturalperson/CurrentFamilyName": ["MUSTERMANN"],
            "http://eidas.europa.eu/attributes/naturalperson/DateOfBirth": ["1964-08-12"],
        },
    })
}

/// Runs the producer with `base_request()` overridden by `overrides`. `None` only when Python is
/// missing and the run opted out with `BK_ALLOW_SKIP=1` (the gate fails the test otherwise).
pub(crate) fn produce(test: &str, overrides: Value) -> Option<Vec<u8>> {
    if !peers::require_python() {
        return None;
    }
    let mut req = base_request();
    if let (Some(base), Some(over)) = (req.as_object_mut(), overrides.as_object()) {
        for (k, v) in over {
            base.insert(k.clone(), v.clone());
        }
    }
    let (ok, out, err) = run_python("saml_idp.py", &[], req.to_string().as_bytes());
    assert!(ok, "{test}: producer failed: {err}");
    Some(out)
}

pub(crate) fn cert(name: &str) -> Certificate {
    Certificate::from_pem(&std::fs::read(fixture(name)).unwrap()).unwrap()
}

pub(crate) fn public_from_cert(name: &str) -> PublicKey {
    cert(name).public_key().clone()
}

pub(crate) fn private(name: &str) -> PrivateKey {
    PrivateKey::from_pem(&std::fs::read(fixture(name)).unwrap()).unwrap()
}

/// The texts of an attribute's values.
pub(crate) fn texts(v: &VerifiedAssertion, name: &str) -> Vec<String> {
    v.attribute(name).iter().map(|a| a.text.clone()).collect()
}

/// 30 s after the producer's IssueInstant (2026-12-01T10:00:00Z).
pub(crate) fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_796_119_230)
}

/// Verifies with our standard expectations (both IdP keys pinned, both SP keys for decryption).
pub(crate) fn verify_at(xml: &[u8], at: SystemTime) -> Result<VerifiedAssertion, ResponseError> {
    verify_response(xml, &expectations(), at)
}

/// Both IdP certificates pinned, both SP keys for decryption.
pub(crate) fn expectations() -> Expectations {
    Expectations {
        acs_url: ACS.into(),
        audience: SP.into(),
        issuer: IDP.into(),
        in_response_to: REQ_ID.into(),
        idp_signing_certs: vec![cert("idp-rsa.crt"), cert("idp-ec.crt")],
        decryption_keys: vec![private("sp-enc-rsa.key"), private("sp-enc-ec.key")],
        max_skew: DEFAULT_MAX_CLOCK_SKEW,
        allow_rsa_pkcs1: false,
    }
}

pub(crate) fn verify(xml: &[u8]) -> Result<VerifiedAssertion, ResponseError> {
    verify_at(xml, now())
}

fn assert_erika(v: &VerifiedAssertion) {
    assert_eq!(v.assertion_id, "_assert1");
    assert_eq!(v.issuer, IDP);
    assert_eq!(v.name_id.as_deref(), Some("DE/DE/123456"));
    assert_eq!(v.authn_context_class_ref.as_deref(), Some("http://eidas.europa.eu/LoA/high"));
    assert_eq!(texts(v, PI), ["DE/DE/123456"]);
    assert_eq!(
        texts(v, "http://eidas.europa.eu/attributes/naturalperson/CurrentFamilyName"),
        ["MUSTERMANN"]
    );
    assert!(texts(v, "http://eidas.europa.eu/attributes/naturalperson/BirthName").is_empty());
    assert_eq!(v.session_index.as_deref(), Some("_sess1"));
    // SubjectConfirmationData NotOnOrAfter (10:05) is earlier than Conditions (10:10).
    assert_eq!(v.not_on_or_after, UNIX_EPOCH + Duration::from_secs(1_796_119_500));
}

#[test]
fn saml_interop_signxml_rsa_pss_with_rsa_oaep() {
    let Some(xml) = produce("rsa_pss_rsa_oaep", json!({})) else {
        return;
    };
    assert_erika(&verify(&xml).expect("verify"));
}

#[test]
fn saml_interop_signxml_ecdsa_with_ecdh_es() {
    let Some(xml) = produce(
        "ecdsa_ecdh_es",
        json!({"signing_key": fixture("idp-ec.key"), "signing_cert": fixture("idp-ec.crt"), "sig_alg": "ecdsa-sha256",
               "recipient_cert": fixture("sp-enc-ec.crt"), "include_cert": true}),
    ) else {
        return;
    };
    assert_erika(&verify(&xml).expect("verify"));
}

#[test]
fn saml_interop_xmlsec1_ecdsa_signed() {
    if !peers::require_xmlsec1() {
        return;
    }
    let Some(xml) = produce(
        "xmlsec1_ecdsa",
        json!({"signing_key": fixture("idp-ec.key"), "sig_alg": "ecdsa-sha256", "signer": "xmlsec1", "recipient_cert": fixture("sp-enc-ec.crt")}),
    ) else {
        return;
    };
    assert_erika(&verify(&xml).expect("verify"));
}

#[test]
fn saml_interop_status_error_is_typed_after_signature_check() {
    let status = json!({"top": "urn:oasis:names:tc:SAML:2.0:status:Responder",
                        "second": "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed", "message": "cancellationByUser"});
    let Some(xml) = produce("status_error", json!({"status": status})) else {
        return;
    };
    assert_eq!(
        verify(&xml),
        Err(ResponseError::Status {
            code: "urn:oasis:names:tc:SAML:2.0:status:Responder".into(),
            second_level: Some("urn:oasis:names:tc:SAML:2.0:status:AuthnFailed".into()),
            message: Some("cancellationByUser".into()),
        })
    );
}

#[test]
fn saml_interop_comment_in_name_id_yields_the_full_signed_text() {
    // `DE/DE/123<!---->456`: the value read must be the whole text, never "DE/DE/123".
    let Some(xml) = produce("comment_injection", json!({"name_id_comment_split": 9})) else {
        return;
    };
    let v = verify(&xml).expect("verify");
    assert_eq!(v.name_id.as_deref(), Some("DE/DE/123456"));
    assert_eq!(texts(&v, PI), ["DE/DE/123456"]);
}

const AUTHN_REQUEST: &str = r#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" AssertionConsumerServiceURL="https://broker.example/saml/acs" Destination="https://eid.example/sso" ForceAuthn="true" ID="_0123456789abcdef0123456789abcdef" IsPassive="false" IssueInstant="2026-12-01T10:00:00Z" Version="2.0"><saml:Issuer>https://broker.example/saml</saml:Issuer><samlp:Extensions><eidas:SPType xmlns:eidas="http://eidas.europa.eu/saml-extensions">public</eidas:SPType></samlp:Extensions><samlp:NameIDPolicy AllowCreate="true" Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient"/></samlp:AuthnRequest>"#;

#[test]
fn saml_interop_our_signatures_verify_with_signxml_and_xmlsec1() {
    use saml_xmlsec::dsig::sign_enveloped;
    if !peers::require_python() {
        return;
    }
    let id = "_0123456789abcdef0123456789abcdef";
    for (key, cert, alg) in [
        ("idp-ec.key", "idp-ec.crt", SignatureAlgorithm::EcdsaSha256),
        ("idp-rsa.key", "idp-rsa.crt", SignatureAlgorithm::RsaPssSha256),
    ] {
        let x509 = self::cert(cert);
        let signed = sign_enveloped(AUTHN_REQUEST, id, &private(key), alg, Some(&x509)).unwrap();
        let (ok, _, err) = run_python("verify_signature.py", &[&fixture(cert), alg.uri()], signed.as_bytes());
        assert!(ok, "signxml rejected our {alg:?} signature: {err}");
        if alg == SignatureAlgorithm::EcdsaSha256 && peers::require_xmlsec1() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("signed.xml");
            std::fs::write(&path, &signed).unwrap();
            let out = Command::new("xmlsec1")
                .args([
                    "--verify",
                    "--pubkey-cert-pem",
                    &fixture(cert),
                    "--id-attr:ID",
                    "urn:oasis:names:tc:SAML:2.0:protocol:AuthnRequest",
                ])
                .arg(&path)
                .output()
                .expect("run xmlsec1");
            assert!(
                out.status.success(),
                "xmlsec1 rejected our signature: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn saml_interop_our_encryption_decrypts_with_python_cryptography() {
    use saml_xmlsec::xmlenc::encrypt_assertion;
    if !peers::require_python() {
        return;
    }
    let assertion = r#"<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a" Version="2.0"><saml2:Issuer>x</saml2:Issuer></saml2:Assertion>"#;
    for (cert, key) in [("sp-enc-rsa.crt", "sp-enc-rsa.key"), ("sp-enc-ec.crt", "sp-enc-ec.key")] {
        let enc = encrypt_assertion(assertion, &public_from_cert(cert)).unwrap();
        let (ok, out, err) = run_python("decrypt_assertion.py", &[&fixture(key)], enc.as_bytes());
        assert!(ok, "python could not decrypt ({cert}): {err}");
        assert_eq!(String::from_utf8(out).unwrap(), assertion);
    }
}

#[test]
fn saml_interop_our_redirect_signatures_verify_with_python_cryptography() {
    use saml_xmlsec::redirect::{sign_redirect_query, RedirectMessage};
    if !peers::require_python() {
        return;
    }
    for (key, cert, alg) in [
        ("idp-ec.key", "idp-ec.crt", SignatureAlgorithm::EcdsaSha256),
        ("idp-rsa.key", "idp-rsa.crt", SignatureAlgorithm::RsaPssSha256),
    ] {
        let q = sign_redirect_query(RedirectMessage::Request, "fZJBb+IwEIX/SuR7iBNAgEUiZUFVkbpd1LB72MvKOENjybGzngml/34d2kqtVPU6nm/mvTfeouxML6qBWvsI/wZASq6dsSjGh5IN3govUaOwsgMUpES9+nkviglnvffklDcsqRAhkHZ27SwOHYQawlkr+P14X7KWqBdZ1oaBbMXElOLqL1WX6WXWlAbQPnb8MOnlWA7ptYfnuX1I6emrFfWUabTdHx5YHXf0Zxt61xaVyuPU7HKn4O6t3ahyM2zBQvuOjqRsvkX6SK17smhjlQY+c5MbT9UaF2lL5X//uDv8rKtxjh1mdedIuSLRK2zvOgRAXa+OrKJJ3l5tA4qz6ynyaj7/8x3s8CvH1k4wU1uFg1kI2B7nv1BmO/Y04hy/oN4XOqcHuXK+ZqaLpPMXOF2/5FQ+BaERcjy0xd5hzBP8w3rb1ZldT0d7X+LDhVkXd+qW4ifD3v/4g==", Some("relay-1"), &private(key), alg).unwrap();
        let url = format!("https://idp.invalid/sso?{q}");
        let (ok, _, err) = run_python("verify_redirect.py", &[&fixture(cert), &url], b"");
        assert!(ok, "python rejected our {alg:?} Redirect signature: {err}");
    }
}
