//! Unit tests of `response::verify_response` on committed fixtures (produced by the independent
//! Python peer) and on Responses built with our own signing/encryption API (as the simulator does).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use openssl::pkey::{PKey, Private, Public};
use openssl::x509::X509;

use super::algorithms::{SignatureAlgorithm, DEFAULT_SIGNATURE_ALGORITHMS};
use super::dsig::sign_enveloped;
use super::errors::{DsigError, ResponseError};
use super::response::{verify_response, Expectations, DEFAULT_MAX_CLOCK_SKEW};
use super::xmlenc::encrypt_assertion;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/saml/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}
fn cert_key(name: &str) -> PKey<Public> {
    X509::from_pem(&fixture(name)).unwrap().public_key().unwrap()
}
fn key(name: &str) -> PKey<Private> {
    PKey::private_key_from_pem(&fixture(name)).unwrap()
}
/// 2026-12-01T10:00:30Z, 30 s after the fixtures' IssueInstant.
fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_796_119_230)
}

fn check(xml: &[u8], at: SystemTime) -> Result<super::response::VerifiedAssertion, ResponseError> {
    let pinned = [cert_key("idp-rsa.crt"), cert_key("idp-ec.crt")];
    let ours = [key("sp-enc-rsa.key"), key("sp-enc-ec.key")];
    let exp = Expectations {
        idp_entity_id: "https://eid.example/idp",
        idp_signing_keys: &pinned,
        acs_url: "https://broker.example/saml/acs",
        sp_entity_id: "https://broker.example/saml",
        in_response_to: "_req1",
        allowed_signature_algorithms: DEFAULT_SIGNATURE_ALGORITHMS,
        decryption_keys: &ours,
        max_clock_skew: DEFAULT_MAX_CLOCK_SKEW,
    };
    verify_response(xml, &exp, at)
}

#[test]
fn peer_fixtures_verify_and_map() {
    for name in ["response-rsa-pss-rsa-oaep.xml", "response-ecdsa-ecdh-es.xml"] {
        let v = check(&fixture(name), now()).expect(name);
        assert_eq!(v.assertion_id, "_assert1");
        assert_eq!(v.name_id.as_deref(), Some("DE/DE/123456"));
        assert_eq!(
            v.attribute("http://eidas.europa.eu/attributes/naturalperson/CurrentGivenName"),
            ["ERIKA"]
        );
        assert_eq!(v.authn_context_class_ref.as_deref(), Some("http://eidas.europa.eu/LoA/high"));
        assert!(!format!("{v:?}").contains("123456"), "Debug must redact personal data");
    }
}

#[test]
fn replay_is_visible_to_the_caller_through_the_same_assertion_id() {
    let xml = fixture("response-ecdsa-ecdh-es.xml");
    let a = check(&xml, now()).unwrap();
    let b = check(&xml, now()).unwrap();
    assert_eq!(a.assertion_id, b.assertion_id);
    assert_eq!(a.not_on_or_after, UNIX_EPOCH + Duration::from_secs(1_796_119_500));
}

#[test]
fn expired_and_tampered_fixtures_are_rejected() {
    let xml = fixture("response-rsa-pss-rsa-oaep.xml");
    assert_eq!(
        check(&xml, now() + Duration::from_secs(3600)).err(),
        Some(ResponseError::SubjectConfirmation("expired"))
    );
    let tampered = String::from_utf8(xml)
        .unwrap()
        .replace("IssueInstant=\"2026-12-01T10:00:00Z\"", "IssueInstant=\"2026-12-01T10:00:01Z\"");
    assert_eq!(
        check(tampered.as_bytes(), now()).err(),
        Some(ResponseError::Signature(DsigError::DigestMismatch))
    );
}

/// A GK-shaped Response built with our own API (what the development simulator does).
fn own_response(name_id_xml: &str) -> String {
    let assertion = format!(
        r#"<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_own1" IssueInstant="2026-12-01T10:00:00Z" Version="2.0"><saml2:Issuer>https://eid.example/idp</saml2:Issuer><saml2:Subject><saml2:NameID>{name_id_xml}</saml2:NameID><saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml2:SubjectConfirmationData InResponseTo="_req1" NotOnOrAfter="2026-12-01T10:05:00Z" Recipient="https://broker.example/saml/acs"/></saml2:SubjectConfirmation></saml2:Subject><saml2:Conditions NotBefore="2026-12-01T09:59:00Z" NotOnOrAfter="2026-12-01T10:10:00Z"><saml2:AudienceRestriction><saml2:Audience>https://broker.example/saml</saml2:Audience></saml2:AudienceRestriction></saml2:Conditions><saml2:AttributeStatement><saml2:Attribute Name="pi"><saml2:AttributeValue>{name_id_xml}</saml2:AttributeValue></saml2:Attribute></saml2:AttributeStatement></saml2:Assertion>"#
    );
    let encrypted = encrypt_assertion(&assertion, &cert_key("sp-enc-ec.crt")).unwrap();
    let response = format!(
        r#"<saml2p:Response xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol" Destination="https://broker.example/saml/acs" ID="_r1" InResponseTo="_req1" IssueInstant="2026-12-01T10:00:00Z" Version="2.0"><saml2:Issuer xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion">https://eid.example/idp</saml2:Issuer><saml2p:Status><saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></saml2p:Status>{encrypted}</saml2p:Response>"#
    );
    sign_enveloped(&response, "_r1", &key("idp-ec.key"), SignatureAlgorithm::EcdsaSha256, None).unwrap()
}

#[test]
fn comment_injection_reads_the_whole_text() {
    let v = check(own_response("ABC<!---->DEF").as_bytes(), now()).unwrap();
    assert_eq!(v.name_id.as_deref(), Some("ABCDEF"));
    assert_eq!(v.attribute("pi"), ["ABCDEF"]);
}

#[test]
fn own_response_with_wrong_expectations_is_rejected() {
    let xml = own_response("X");
    let pinned = [cert_key("idp-ec.crt")];
    let ours = [key("sp-enc-ec.key")];
    let base = Expectations {
        idp_entity_id: "https://eid.example/idp",
        idp_signing_keys: &pinned,
        acs_url: "https://broker.example/saml/acs",
        sp_entity_id: "https://broker.example/saml",
        in_response_to: "_req1",
        allowed_signature_algorithms: DEFAULT_SIGNATURE_ALGORITHMS,
        decryption_keys: &ours,
        max_clock_skew: DEFAULT_MAX_CLOCK_SKEW,
    };
    verify_response(xml.as_bytes(), &base, now()).unwrap();
    let cases: [(Expectations<'_>, ResponseError); 4] = [
        (
            Expectations {
                in_response_to: "_req2",
                ..base
            },
            ResponseError::InResponseTo,
        ),
        (
            Expectations {
                in_response_to: "",
                ..base
            },
            ResponseError::InResponseTo,
        ),
        (
            Expectations {
                sp_entity_id: "https://other",
                ..base
            },
            ResponseError::Audience,
        ),
        (
            Expectations {
                idp_entity_id: "https://other",
                ..base
            },
            ResponseError::Issuer,
        ),
    ];
    for (exp, err) in cases {
        assert_eq!(verify_response(xml.as_bytes(), &exp, now()).err(), Some(err));
    }
    let no_keys: [PKey<Private>; 0] = [];
    assert!(matches!(
        verify_response(
            xml.as_bytes(),
            &Expectations {
                decryption_keys: &no_keys,
                ..base
            },
            now()
        ),
        Err(ResponseError::Decryption(_))
    ));
}
