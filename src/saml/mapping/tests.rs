use super::*;
use crate::saml::profile::{EIDAS, EIDAS_NP};

fn attr(local: &str, values: &[&str]) -> SamlAttribute {
    SamlAttribute {
        name: format!("{EIDAS_NP}{local}"),
        values: values
            .iter()
            .map(|v| AttributeValue {
                text: (*v).to_owned(),
                children: vec![],
            })
            .collect(),
    }
}

fn b64(s: &str) -> String {
    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, s)
}

fn erika() -> Vec<SamlAttribute> {
    let address = b64(
        "<eidas:LocatorDesignator>17</eidas:LocatorDesignator><eidas:Thoroughfare>Heidestraße</eidas:Thoroughfare>\
<eidas:PostName>Köln</eidas:PostName><eidas:PostCode>51147</eidas:PostCode><eidas:AdminunitFirstline>D</eidas:AdminunitFirstline>",
    );
    vec![
        attr("PersonIdentifier", &["DE/DE/123456"]),
        attr("CurrentGivenName", &["Erika"]),
        attr("CurrentFamilyName", &["Mustermann"]),
        attr("DateOfBirth", &["1964-08-12"]),
        attr("BirthName", &["Erika Gabler"]),
        attr("PlaceOfBirth", &["Berlin"]),
        attr("CurrentAddress", &[&address]),
        attr("Nationality", &["D"]),
    ]
}

#[test]
fn erika_maps_to_claims_and_subject() {
    let m = map_attributes(&EIDAS, &erika());
    assert_eq!(m.subject.unwrap().0, "DE/DE/123456");
    let a = serde_json::Value::Object(m.attributes.into_iter().collect());
    assert_eq!(
        a,
        json!({
            "given_name": "Erika",
            "family_name": "Mustermann",
            "birthdate": "1964-08-12",
            "birth_family_name": "Gabler",
            "place_of_birth": {"locality": "Berlin"},
            "address": {"street_address": "Heidestraße 17", "locality": "Köln", "postal_code": "51147", "country": "D"},
            "nationalities": ["D"],
        })
    );
}

#[test]
fn person_identifier_is_never_a_claim() {
    let m = map_attributes(&EIDAS, &erika());
    let text = serde_json::to_string(&m.attributes).unwrap();
    assert!(!text.contains("123456"));
}

#[test]
fn absent_attributes_stay_absent() {
    let m = map_attributes(
        &EIDAS,
        &[attr("PersonIdentifier", &["DE/DE/1"]), attr("CurrentFamilyName", &["Muster"])],
    );
    assert_eq!(m.attributes.keys().collect::<Vec<_>>(), ["family_name"]);
    let none = map_attributes(&EIDAS, &[]);
    assert!(none.subject.is_none() && none.attributes.is_empty());
}

#[test]
fn ambiguous_or_empty_values_are_dropped() {
    let m = map_attributes(
        &EIDAS,
        &[
            attr("PersonIdentifier", &["DE/DE/1", "DE/DE/2"]),
            attr("CurrentGivenName", &["  "]),
            attr("Unrelated", &["x"]),
            SamlAttribute {
                name: "urn:other:CurrentFamilyName".into(),
                values: vec![AttributeValue {
                    text: "Evil".into(),
                    children: vec![],
                }],
            },
        ],
    );
    assert!(m.subject.is_none(), "two PersonIdentifiers: no binding");
    assert!(m.attributes.is_empty(), "{:?}", m.attributes);
}

#[test]
fn birthdates_are_never_invented() {
    assert_eq!(birthdate("1964-08-12").as_deref(), Some("1964-08-12"));
    assert_eq!(birthdate("19640812").as_deref(), Some("1964-08-12"));
    assert_eq!(birthdate("1964-00-00").as_deref(), Some("1964"));
    assert_eq!(birthdate("1964-08-00").as_deref(), Some("1964"));
    assert_eq!(birthdate("1964    ").as_deref(), Some("1964"));
    assert_eq!(birthdate("0000-08-12"), None);
    assert_eq!(birthdate("1964-02-30"), None);
    assert_eq!(birthdate("12.08.1964"), None);
    assert_eq!(birthdate(""), None);
}

#[test]
fn birth_name_without_given_prefix_passes_through() {
    let m = map_attributes(&EIDAS, &[attr("CurrentGivenName", &["Erika"]), attr("BirthName", &["Gabler"])]);
    assert_eq!(m.attributes["birth_family_name"], json!("Gabler"));
    let m = map_attributes(&EIDAS, &[attr("BirthName", &["Erika Gabler"])]);
    assert_eq!(
        m.attributes["birth_family_name"],
        json!("Erika Gabler"),
        "no given name known: unchanged"
    );
}

#[test]
fn structured_and_broken_addresses() {
    let structured = SamlAttribute {
        name: format!("{EIDAS_NP}CurrentAddress"),
        values: vec![AttributeValue {
            text: String::new(),
            children: vec![("Thoroughfare".into(), "Hauptstr.".into()), ("PostCode".into(), "10115".into())],
        }],
    };
    let m = map_attributes(&EIDAS, &[structured]);
    assert_eq!(
        m.attributes["address"],
        json!({"street_address": "Hauptstr.", "postal_code": "10115"})
    );
    for broken in [
        "not base64!",
        &b64("<unclosed>"),
        &b64("<!DOCTYPE x><x/>"),
        &b64("<eidas:Other>1</eidas:Other>"),
    ] {
        let m = map_attributes(&EIDAS, &[attr("CurrentAddress", &[broken])]);
        assert!(!m.attributes.contains_key("address"), "{broken}");
    }
    let free = map_attributes(
        &EIDAS,
        &[attr(
            "CurrentAddress",
            &[&b64("<eidas:FullCvaddress>Irgendwo 1</eidas:FullCvaddress>")],
        )],
    );
    assert_eq!(free.attributes["address"], json!({"formatted": "Irgendwo 1"}));
}

/// A structured `CurrentAddress` (sent as elements, not base64) from a real signed and encrypted
/// Response reaches the `address` claim: the Response pipeline keeps the value's elements, the
/// mapping reads them (the deleted facade dropped them: `children: vec![]`, no address claim).
#[test]
fn structured_current_address_from_a_verified_response_becomes_the_address_claim() {
    use saml_xmlsec::algorithms::SignatureAlgorithm;
    use saml_xmlsec::response::{verify_response, Expectations, DEFAULT_MAX_CLOCK_SKEW};
    use saml_xmlsec::{dsig::sign_enveloped, xmlenc::encrypt_assertion, Certificate, PrivateKey};
    use std::time::{Duration, UNIX_EPOCH};

    let fixture = |name: &str| std::fs::read(format!("{}/crates/saml-xmlsec/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let address = r#"<eidas:CurrentAddressStructuredType xmlns:eidas="http://eidas.europa.eu/attributes/naturalperson"><eidas:LocatorDesignator>17</eidas:LocatorDesignator><eidas:Thoroughfare>Heidestraße</eidas:Thoroughfare><eidas:PostName>Köln</eidas:PostName><eidas:PostCode>51147</eidas:PostCode><eidas:AdminunitFirstline>D</eidas:AdminunitFirstline></eidas:CurrentAddressStructuredType>"#;
    let assertion = format!(
        r#"<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1" IssueInstant="2026-12-01T10:00:00Z" Version="2.0"><saml2:Issuer>https://eid.example/idp</saml2:Issuer><saml2:Subject><saml2:NameID>X</saml2:NameID><saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml2:SubjectConfirmationData InResponseTo="_req1" NotOnOrAfter="2026-12-01T10:05:00Z" Recipient="https://broker.example/saml/acs"/></saml2:SubjectConfirmation></saml2:Subject><saml2:Conditions NotBefore="2026-12-01T09:59:00Z" NotOnOrAfter="2026-12-01T10:10:00Z"><saml2:AudienceRestriction><saml2:Audience>https://broker.example/saml</saml2:Audience></saml2:AudienceRestriction></saml2:Conditions><saml2:AttributeStatement><saml2:Attribute Name="{EIDAS_NP}PersonIdentifier"><saml2:AttributeValue>DE/DE/1</saml2:AttributeValue></saml2:Attribute><saml2:Attribute Name="{EIDAS_NP}CurrentAddress"><saml2:AttributeValue>{address}</saml2:AttributeValue></saml2:Attribute></saml2:AttributeStatement></saml2:Assertion>"#
    );
    let recipient = Certificate::from_pem(&fixture("sp-enc-ec.crt")).unwrap();
    let encrypted = encrypt_assertion(&assertion, recipient.public_key()).unwrap();
    let response = format!(
        r#"<saml2p:Response xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol" Destination="https://broker.example/saml/acs" ID="_r1" InResponseTo="_req1" IssueInstant="2026-12-01T10:00:00Z" Version="2.0"><saml2:Issuer xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion">https://eid.example/idp</saml2:Issuer><saml2p:Status><saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></saml2p:Status>{encrypted}</saml2p:Response>"#
    );
    let idp_key = PrivateKey::from_pem(&fixture("idp-ec.key")).unwrap();
    let signed = sign_enveloped(&response, "_r1", &idp_key, SignatureAlgorithm::EcdsaSha256, None).unwrap();
    let exp = Expectations {
        acs_url: "https://broker.example/saml/acs".into(),
        audience: "https://broker.example/saml".into(),
        issuer: "https://eid.example/idp".into(),
        in_response_to: "_req1".into(),
        idp_signing_certs: vec![Certificate::from_pem(&fixture("idp-ec.crt")).unwrap()],
        decryption_keys: vec![PrivateKey::from_pem(&fixture("sp-enc-ec.key")).unwrap()],
        max_skew: DEFAULT_MAX_CLOCK_SKEW,
        allow_rsa_pkcs1: false,
    };
    let verified = verify_response(&signed, &exp, UNIX_EPOCH + Duration::from_secs(1_796_119_230)).unwrap();
    let m = map_attributes(&EIDAS, &verified.attributes);
    assert_eq!(
        m.attributes["address"],
        json!({"street_address": "Heidestraße 17", "locality": "Köln", "postal_code": "51147", "country": "D"})
    );
}
