//! The SAML service-provider side: configuration refusals, signed metadata, the ACS error pages and
//! single-use correlation through RelayState (issue 4 items 1, 2, 5).

use crate::support::{dev_config, http_client, RawConfigExt, TestBroker};
use buergerkonto::authenticators::LoginContext;
use buergerkonto::config::raw::RawConfig;
use buergerkonto::saml::upstream::UpstreamRecord;
use buergerkonto::session::RecordKind;
use buergerkonto::trust::TrustLevel;
use std::time::Duration;

fn config_error(edit: impl FnOnce(&mut RawConfig)) -> String {
    dev_config(edit).expect_err("configuration must be refused").to_string()
}

#[test]
fn idp_metadata_without_signing_certificate_is_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    let md = std::fs::read_to_string("certs/dev/eid-simulator-metadata.xml").unwrap();
    let start = md.find("<md:KeyDescriptor").unwrap();
    let end = md.find("</md:KeyDescriptor>").unwrap() + "</md:KeyDescriptor>".len();
    let path = dir.path().join("idp.xml");
    std::fs::write(&path, format!("{}{}", &md[..start], &md[end..])).unwrap();
    let e = config_error(|c| c.upstream_mut("eid").metadata_file = Some(path));
    assert!(e.contains("no signing certificate"), "{e}");
}

#[test]
fn pkcs1_rsa_sha256_and_weak_setups_are_config_errors() {
    let e = config_error(|c| c.saml_mut().signing_alg = "rsa-sha256".into());
    assert!(e.contains("saml.signing_alg") && e.contains("refused"), "{e}");
    // The EC signing key cannot do RSA-PSS.
    let e = config_error(|c| c.saml_mut().signing_alg = "rsa-pss-sha256".into());
    assert!(e.contains("saml.signing_key"), "{e}");
    // One key pair for both purposes is refused.
    let same = config_error(|c| {
        let sp = c.saml_mut();
        (sp.encryption_key, sp.encryption_cert) = (sp.signing_key.clone(), sp.signing_cert.clone());
    });
    assert!(same.contains("must differ"));
    // Key and certificate that do not belong together.
    let mismatch = config_error(|c| c.saml_mut().signing_cert = "certs/dev/eid-simulator-signing.crt".into());
    assert!(mismatch.contains("does not belong"));
    let pkcs1 = config_error(|c| c.upstream_mut("eid").insecure_allow_rsa_pkcs1 = true);
    assert!(pkcs1.contains("never accepts PKCS#1"));
}

#[test]
fn production_requires_verified_metadata_and_refuses_the_simulator() {
    let e = config_error(|c| c.server.development = false);
    assert!(e.contains("metadata_signing_cert: required"), "{e}");
    assert!(e.contains("saml.dev_simulator: the eID simulator is refused"), "{e}");
    assert!(e.contains("saml.signing_key") && e.contains("development material"), "{e}");
}

#[tokio::test]
async fn metadata_is_never_served_unsigned() {
    let broker = TestBroker::start().await;
    let r = http_client().get(broker.url("/saml/metadata")).send().await.unwrap();
    let status = r.status();
    let body = r.text().await.unwrap();
    if status == 200 {
        assert!(body.contains("Signature"), "metadata served without a signature");
    } else {
        assert_eq!(status, 503);
        assert!(body.contains("nicht verfügbar") && body.contains("unavailable"));
    }
}

#[tokio::test]
async fn metadata_is_signed_with_separate_certs_and_verifies_independently() {
    let broker = TestBroker::start().await;
    let r = http_client().get(broker.url("/saml/metadata")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/samlmetadata+xml");
    let xml = r.text().await.unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let kds: Vec<_> = doc.descendants().filter(|n| n.tag_name().name() == "KeyDescriptor").collect();
    assert_eq!(
        kds.iter().filter_map(|k| k.attribute("use")).collect::<Vec<_>>(),
        ["signing", "encryption"]
    );
    assert!(xml.contains(&format!("Location=\"{}/saml/acs\"", broker.base)));
    assert!(xml.contains("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"));
    assert!(!xml.contains("xmldsig-more#rsa-sha256") && !xml.contains("xmldsig#rsa-sha1"));
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &xml).unwrap();
    if !crate::peers::require_python() {
        return;
    }
    let peer = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/verify_xml_signature.py");
    let st = std::process::Command::new("python3")
        .args([peer, "certs/dev/sp-signing.crt", file.path().to_str().unwrap()])
        .status()
        .unwrap();
    assert!(st.success(), "signxml rejected our metadata signature");
    let st = std::process::Command::new("python3")
        .args([peer, "certs/dev/sp-encryption.crt", file.path().to_str().unwrap()])
        .status()
        .unwrap();
    assert!(!st.success(), "the encryption certificate must not verify the signature");
}

async fn post_acs(broker: &TestBroker, form: &[(&str, &str)]) -> (u16, String) {
    let r = http_client().post(broker.url("/saml/acs")).form(form).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

fn assert_bilingual_page(body: &str) {
    assert!(body.starts_with("<!doctype html>"), "{body}");
    assert!(body.contains("Anmeldevorgang") || body.contains("Antwort"), "German text: {body}");
    assert!(body.contains("login") || body.contains("response"), "English text: {body}");
    assert!(!body.contains("panicked") && !body.contains("src/"), "no internals: {body}");
}

#[tokio::test]
async fn acs_without_or_with_unknown_relay_state_shows_a_page() {
    let broker = TestBroker::start().await;
    let (status, body) = post_acs(&broker, &[("SAMLResponse", "PHNhbWw+")]).await;
    assert_eq!(status, 400);
    assert_bilingual_page(&body);
    assert!(body.contains("unbekannt oder abgelaufen") && body.contains("unknown or has expired"));
    let (status, body) = post_acs(&broker, &[("SAMLResponse", "PHNhbWw+"), ("RelayState", "no-such-transaction")]).await;
    assert_eq!(status, 400);
    assert_bilingual_page(&body);
    let long = "x".repeat(500);
    let (status, body) = post_acs(&broker, &[("SAMLResponse", "PHNhbWw+"), ("RelayState", &long)]).await;
    assert_eq!(status, 400);
    assert!(body.contains("unbekannt oder abgelaufen"), "{body}");
    // Not even a form body.
    let r = http_client()
        .post(broker.url("/saml/acs"))
        .header("content-type", "application/json")
        .body("{\"a\":1}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body = r.text().await.unwrap();
    assert_bilingual_page(&body);
}

fn record(pending: &str) -> UpstreamRecord {
    UpstreamRecord {
        tag: "saml".into(),
        request_id: "_0123456789abcdef0123456789abcdef01234567".into(),
        upstream: "eid".into(),
        method: "eid".into(),
        pending_id: pending.into(),
        issued_at: buergerkonto::clock::unix_seconds(std::time::SystemTime::now()),
        required_level: TrustLevel::High,
    }
}

#[tokio::test]
async fn acs_with_unreadable_response_shows_a_page_and_keeps_the_transaction() {
    let broker = TestBroker::start().await;
    let records = broker.state.records();
    records
        .put(
            RecordKind::UpstreamTransaction,
            "pending-1",
            &record("pending-1"),
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    for bad in ["%%% not base64 %%%", "", "//79/w=="] {
        let (status, body) = post_acs(&broker, &[("SAMLResponse", bad), ("RelayState", "pending-1")]).await;
        assert_eq!(status, 400, "{bad}");
        assert!(body.contains("nicht lesbar") && body.contains("could not be read"), "{body}");
    }
    let (status, body) = post_acs(&broker, &[("RelayState", "pending-1")]).await;
    assert_eq!(status, 400);
    assert!(body.contains("nicht lesbar") && body.contains("could not be read"), "{body}");
}

#[tokio::test]
async fn an_unverifiable_response_leaves_the_transaction_open_for_bounded_tries() {
    let broker = TestBroker::start().await;
    let records = broker.state.records();
    records
        .put(
            RecordKind::UpstreamTransaction,
            "pending-2",
            &record("pending-2"),
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    let garbage_xml = "PHNhbWxwOlJlc3BvbnNlLz4="; // "<samlp:Response/>": fails verification
    for attempt in 0..buergerkonto::saml::upstream::MAX_ATTEMPTS {
        let (status, body) = post_acs(&broker, &[("SAMLResponse", garbage_xml), ("RelayState", "pending-2")]).await;
        assert_eq!(status, 400, "an unverifiable response never succeeds");
        assert!(
            body.contains("Sicherheitsprüfung nicht bestanden") && body.contains("did not pass our security checks"),
            "{body}"
        );
        let open = records
            .get::<UpstreamRecord>(RecordKind::UpstreamTransaction, "pending-2")
            .await
            .unwrap()
            .is_some();
        // Issue 9 item 4: a failed attempt does not end the login; the last allowed one does.
        assert_eq!(open, attempt + 1 < buergerkonto::saml::upstream::MAX_ATTEMPTS, "attempt {attempt}");
    }
    let (status, body) = post_acs(&broker, &[("SAMLResponse", garbage_xml), ("RelayState", "pending-2")]).await;
    assert_eq!(status, 400);
    assert!(body.contains("unbekannt oder abgelaufen"));
}

#[tokio::test]
async fn another_methods_record_is_not_taken_for_a_saml_one() {
    let broker = TestBroker::start().await;
    let records = broker.state.records();
    records
        .put(
            RecordKind::UpstreamTransaction,
            "pending-3",
            &serde_json::json!({"state": "oidc"}),
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    let (status, body) = post_acs(&broker, &[("SAMLResponse", "PHNhbWw+"), ("RelayState", "pending-3")]).await;
    assert_eq!(status, 400);
    assert!(body.contains("unbekannt oder abgelaufen"));
}

#[tokio::test]
async fn eid_method_is_registered_before_dev_with_the_high_ceiling() {
    let broker = TestBroker::start().await;
    let ids = broker.state.methods().ids();
    assert_eq!(ids.first().map(|m| m.as_str()), Some("eid"));
    let eid = broker.state.methods().get("eid").unwrap();
    assert_eq!(eid.max_level(), TrustLevel::High);
    assert_eq!(eid.label("en"), "Online ID card (development: eID simulator)");
}

#[tokio::test]
async fn start_redirects_to_the_simulator_with_a_signed_request_and_stores_the_record() {
    let broker = TestBroker::start().await;
    let eid = broker.state.methods().get("eid").unwrap().clone();
    let ctx = LoginContext {
        transaction_id: "pending-4".into(),
        required_level: TrustLevel::Substantial,
        locale: "de".into(),
        login_hint: None,
        scopes: Vec::new(),
        now: std::time::SystemTime::now(),
    };
    let buergerkonto::authenticators::StartAction::Redirect(url) = eid.start(&ctx).await.unwrap() else {
        panic!("redirect binding expected");
    };
    assert!(url.as_str().starts_with(&broker.url("/dev/eid-simulator/sso?SAMLRequest=")));
    let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert_eq!(
        q.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        ["SAMLRequest", "RelayState", "SigAlg", "Signature"]
    );
    assert_eq!(q[1].1, "pending-4");
    assert_eq!(q[2].1, "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256");
    let rec: UpstreamRecord = broker
        .state
        .records()
        .get(RecordKind::UpstreamTransaction, "pending-4")
        .await
        .unwrap()
        .unwrap();
    assert!(rec.request_id.starts_with('_') && rec.request_id.len() >= 33);
    assert_eq!(rec.pending_id, "pending-4");
    // Independent check with Python `cryptography`.
    if !crate::peers::require_python() {
        return;
    }
    let peer = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/verify_redirect.py");
    let st = std::process::Command::new("python3")
        .args([peer, "certs/dev/sp-signing.crt", url.as_str()])
        .status()
        .unwrap();
    assert!(st.success());
}

#[tokio::test]
async fn simulator_refuses_unsigned_requests() {
    let broker = TestBroker::start().await;
    let r = http_client()
        .get(broker.url("/dev/eid-simulator/sso?SAMLRequest=abc&RelayState=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("nicht signiert"));
    // One language per page (issue 15 item 5): German by default, English when the browser asks.
    for (al, text) in [(None, "unbekannt oder abgelaufen"), (Some("en"), "unknown or expired")] {
        let mut req = http_client().post(broker.url("/dev/eid-simulator/answer"));
        if let Some(al) = al {
            req = req.header("accept-language", al);
        }
        let r = req
            .form(&[("sim", "nope"), ("person", "erika"), ("outcome", "success")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let page = r.text().await.unwrap();
        assert!(page.contains(text), "{page}");
    }
}

#[test]
fn idp_metadata_signature_is_verified_against_the_configured_certificate() {
    use buergerkonto::saml::sp;
    let dir = tempfile::tempdir().unwrap();
    let md = std::fs::read_to_string("certs/dev/eid-simulator-metadata.xml").unwrap();
    let key = sp::load_private_key(std::path::Path::new("certs/dev/eid-simulator-signing.key")).unwrap();
    let alg = sp::SignatureAlg::RsaPssSha256.algorithm();
    let signed = saml_xmlsec::dsig::sign_enveloped(&md, "_eid-simulator-metadata", &key, alg, None).unwrap();
    let write = |name: &str, body: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p.to_str().unwrap().to_owned()
    };
    let with = |file: &str, cert: &str| {
        let (file, cert) = (file.to_owned(), cert.to_owned());
        move |c: &mut RawConfig| {
            let eid = c.upstream_mut("eid");
            (eid.metadata_file, eid.metadata_signing_cert) = (Some(file.into()), Some(cert.into()));
        }
    };
    let good = write("good.xml", &signed);
    dev_config(with(&good, "certs/dev/eid-simulator-signing.crt")).expect("signed metadata accepted");
    let e = config_error(with(&good, "certs/dev/sp-signing.crt"));
    assert!(e.contains("metadata signature not verified"), "wrong signer: {e}");
    let tampered = write("tampered.xml", &signed.replace("urn:buergerkonto:dev:eid-simulator", "urn:evil"));
    let e = config_error(with(&tampered, "certs/dev/eid-simulator-signing.crt"));
    assert!(e.contains("metadata signature not verified"), "tampered: {e}");
    let unsigned = write("unsigned.xml", &md);
    let e = config_error(with(&unsigned, "certs/dev/eid-simulator-signing.crt"));
    assert!(e.contains("metadata signature not verified"), "unsigned: {e}");
}
