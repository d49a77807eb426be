//! Unit tests of `response::verify_response` on committed fixtures (produced by the independent
//! Python peer) and on Responses built with our own signing/encryption API (as the simulator does).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::algorithms::SignatureAlgorithm;
use super::dsig::sign_enveloped;
use super::errors::{DsigError, ResponseError};
use super::response::{verify_response, AttributeValue, Expectations, DEFAULT_MAX_CLOCK_SKEW};
use super::xmlenc::encrypt_assertion;
use super::{Certificate, PrivateKey, PublicKey};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}
fn cert(name: &str) -> Certificate {
    Certificate::from_pem(&fixture(name)).unwrap()
}
fn cert_key(name: &str) -> PublicKey {
    cert(name).public_key().clone()
}
fn key(name: &str) -> PrivateKey {
    PrivateKey::from_pem(&fixture(name)).unwrap()
}
fn expectations() -> Expectations {
    Expectations {
        acs_url: "https://broker.example/saml/acs".into(),
        audience: "https://broker.example/saml".into(),
        issuer: "https://eid.example/idp".into(),
        in_response_to: "_req1".into(),
        idp_signing_certs: vec![cert("idp-rsa.crt"), cert("idp-ec.crt")],
        decryption_keys: vec![key("sp-enc-rsa.key"), key("sp-enc-ec.key")],
        max_skew: DEFAULT_MAX_CLOCK_SKEW,
        allow_rsa_pkcs1: false,
    }
}
/// 2026-12-01T10:00:30Z, 30 s after the fixtures' IssueInstant.
fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_796_119_230)
}

fn check(xml: &[u8], at: SystemTime) -> Result<super::response::VerifiedAssertion, ResponseError> {
    verify_response(xml, &expectations(), at)
}

#[test]
fn peer_fixtures_verify_and_map() {
    for name in ["response-rsa-pss-rsa-oaep.xml", "response-ecdsa-ecdh-es.xml"] {
        let v = check(&fixture(name), now()).expect(name);
        assert_eq!(v.assertion_id, "_assert1");
        assert_eq!(v.name_id.as_deref(), Some("DE/DE/123456"));
        assert_eq!(
            v.attribute("http://eidas.europa.eu/attributes/naturalperson/CurrentGivenName"),
            [AttributeValue {
                text: "ERIKA".into(),
                children: vec![]
            }]
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
    own_response_with(name_id_xml, "")
}

fn own_response_with(name_id_xml: &str, authn_statement: &str) -> String {
    let assertion = format!(
        r#"<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_own1" IssueInstant="2026-12-01T10:00:00Z" Version="2.0"><saml2:Issuer>https://eid.example/idp</saml2:Issuer><saml2:Subject><saml2:NameID>{name_id_xml}</saml2:NameID><saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml2:SubjectConfirmationData InResponseTo="_req1" NotOnOrAfter="2026-12-01T10:05:00Z" Recipient="https://broker.example/saml/acs"/></saml2:SubjectConfirmation></saml2:Subject><saml2:Conditions NotBefore="2026-12-01T09:59:00Z" NotOnOrAfter="2026-12-01T10:10:00Z"><saml2:AudienceRestriction><saml2:Audience>https://broker.example/saml</saml2:Audience></saml2:AudienceRestriction></saml2:Conditions>{authn_statement}<saml2:AttributeStatement><saml2:Attribute Name="pi"><saml2:AttributeValue>{name_id_xml}</saml2:AttributeValue></saml2:Attribute></saml2:AttributeStatement></saml2:Assertion>"#
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
    assert_eq!(v.attribute("pi")[0].text, "ABCDEF");
}

#[test]
fn own_response_with_wrong_expectations_is_rejected() {
    let xml = own_response("X");
    let base = expectations();
    verify_response(xml.as_bytes(), &base, now()).unwrap();
    let cases: [(Expectations, ResponseError); 4] = [
        (
            Expectations {
                in_response_to: "_req2".into(),
                ..base.clone()
            },
            ResponseError::InResponseTo,
        ),
        (
            Expectations {
                in_response_to: String::new(),
                ..base.clone()
            },
            ResponseError::InResponseTo,
        ),
        (
            Expectations {
                audience: "https://other".into(),
                ..base.clone()
            },
            ResponseError::Audience,
        ),
        (
            Expectations {
                issuer: "https://other".into(),
                ..base.clone()
            },
            ResponseError::Issuer,
        ),
    ];
    for (exp, err) in cases {
        assert_eq!(verify_response(xml.as_bytes(), &exp, now()).err(), Some(err));
    }
    assert!(matches!(
        verify_response(
            xml.as_bytes(),
            &Expectations {
                decryption_keys: vec![],
                ..base
            },
            now()
        ),
        Err(ResponseError::Decryption(_))
    ));
}

/// Issue 9: an AuthnInstant after now + skew would make the authentication's age 0 (defeating
/// `max_age`); it is refused. Within the skew it is accepted and returned.
#[test]
fn authn_instant_in_the_future_is_refused() {
    let statement = |t: &str| {
        format!(
            r#"<saml2:AuthnStatement AuthnInstant="{t}"><saml2:AuthnContext><saml2:AuthnContextClassRef>http://eidas.europa.eu/LoA/high</saml2:AuthnContextClassRef></saml2:AuthnContext></saml2:AuthnStatement>"#
        )
    };
    // now() is 10:00:30; the skew is 60 s.
    let future = own_response_with("X", &statement("2026-12-01T10:01:31Z"));
    assert_eq!(
        check(future.as_bytes(), now()).err(),
        Some(ResponseError::Time("AuthnInstant in the future"))
    );
    let far_future = own_response_with("X", &statement("2099-01-01T00:00:00Z"));
    assert_eq!(
        check(far_future.as_bytes(), now()).err(),
        Some(ResponseError::Time("AuthnInstant in the future"))
    );
    let within_skew = own_response_with("X", &statement("2026-12-01T10:01:00Z"));
    let v = check(within_skew.as_bytes(), now()).unwrap();
    assert_eq!(v.authn_instant, Some(UNIX_EPOCH + Duration::from_secs(1_796_119_260)));
    let past = own_response_with("X", &statement("2026-12-01T09:59:00Z"));
    assert_eq!(
        check(past.as_bytes(), now()).unwrap().authn_instant,
        Some(UNIX_EPOCH + Duration::from_secs(1_796_119_140))
    );
    let garbage = own_response_with("X", &statement("tomorrow"));
    assert_eq!(check(garbage.as_bytes(), now()).err(), Some(ResponseError::Malformed("dateTime")));
}

/// A structured AttributeValue (eIDAS CurrentAddress sent as elements) keeps its parts.
#[test]
fn structured_attribute_values_keep_their_elements() {
    let address = r#"<eidas:Thoroughfare xmlns:eidas="http://eidas.europa.eu/attributes/naturalperson">Heidestraße</eidas:Thoroughfare><eidas:LocatorDesignator xmlns:eidas="http://eidas.europa.eu/attributes/naturalperson">17</eidas:LocatorDesignator><eidas:PostCode xmlns:eidas="http://eidas.europa.eu/attributes/naturalperson">51147</eidas:PostCode>"#;
    let v = check(own_response(address).as_bytes(), now()).unwrap();
    assert_eq!(
        v.attribute("pi")[0].children,
        vec![
            ("Thoroughfare".to_string(), "Heidestraße".to_string()),
            ("LocatorDesignator".to_string(), "17".to_string()),
            ("PostCode".to_string(), "51147".to_string()),
        ]
    );
    assert!(check(own_response("plain").as_bytes(), now()).unwrap().attribute("pi")[0]
        .children
        .is_empty());
}
