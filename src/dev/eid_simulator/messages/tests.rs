use super::*;
use crate::saml::authn_request::{authn_request_xml, deflate_b64, RequestId, RequestParams, SpType};
use crate::saml::mapping::map_attributes;
use crate::saml::profile::{AttributeKey, EIDAS};
use crate::saml::test_support::dev_sp;
use saml_xmlsec::response::{AttributeValue, SamlAttribute};
use serde_json::json;

fn frame(now: SystemTime) -> AnswerFrame<'static> {
    AnswerFrame {
        issuer: "urn:buergerkonto:dev:eid-simulator",
        acs_url: "http://127.0.0.1:8080/saml/acs",
        audience: "http://127.0.0.1:8080/saml/metadata",
        in_response_to: "_req1",
        response_id: "_resp1",
        assertion_id: "_as1",
        now,
    }
}

/// Read attributes the way the Response pipeline hands them over (text + children).
fn attributes_of(xml: &str) -> Vec<SamlAttribute> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    doc.descendants()
        .filter(|n| n.tag_name().name() == "Attribute")
        .map(|a| SamlAttribute {
            name: a.attribute("Name").unwrap().to_owned(),
            values: a
                .children()
                .filter(|v| v.is_element())
                .map(|v| AttributeValue {
                    text: v.text().unwrap_or_default().to_owned(),
                    children: vec![],
                })
                .collect(),
        })
        .collect()
}

#[test]
fn our_request_is_understood_by_the_simulator() {
    let sp = dev_sp();
    let dest: url::Url = "http://127.0.0.1:8080/dev/eid-simulator/sso".parse().unwrap();
    let id = RequestId::generate();
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let xml = authn_request_xml(&RequestParams {
        sp: &sp,
        profile: &EIDAS,
        destination: &dest,
        loa_uri: "http://eidas.europa.eu/LoA/high",
        sp_type: SpType::Public,
        requester_id: None,
        optional: &[AttributeKey::CurrentAddress],
        overrides: &[],
        id: &id,
        now,
    });
    let b64 = deflate_b64(&xml).unwrap();
    let parsed = parse_authn_request(&inflate_redirect(&b64).unwrap()).unwrap();
    assert_eq!(parsed.id, id.as_str());
    assert_eq!(parsed.issuer, sp.entity_id);
    assert_eq!(parsed.acs_url.as_deref(), Some(sp.acs_url.as_str()));
    assert_eq!(parsed.issue_instant, Some(now));
    assert!(parsed.force_authn);
    assert_eq!(parsed.requested.len(), 5);
    assert_eq!(parsed.loa.as_deref(), Some("http://eidas.europa.eu/LoA/high"));
}

#[test]
fn simulator_refuses_doctype_and_deflate_bombs() {
    assert!(parse_authn_request("<!DOCTYPE a [<!ENTITY x \"y\">]><a/>").is_err());
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut enc, &vec![b'a'; 10 * 1024 * 1024]).unwrap();
    let bomb = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, enc.finish().unwrap());
    let out = inflate_redirect(&bomb).unwrap();
    assert_eq!(out.len() as u64, MAX_REQUEST, "inflation stops at the limit");
}

#[test]
fn erika_assertion_carries_requested_attributes_and_maps_to_claims() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let all: Vec<String> = EIDAS.attributes.iter().map(|(_, n, _)| (*n).to_owned()).collect();
    let erika = super::super::persons::person("erika").unwrap();
    let xml = assertion_xml(&frame(now), erika, &all);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let find = |local: &str| doc.descendants().find(|n| n.tag_name().name() == local).unwrap();
    assert_eq!(find("Audience").text(), Some("http://127.0.0.1:8080/saml/metadata"));
    assert_eq!(
        find("SubjectConfirmationData").attribute("Recipient"),
        Some("http://127.0.0.1:8080/saml/acs")
    );
    assert_eq!(find("SubjectConfirmationData").attribute("InResponseTo"), Some("_req1"));
    assert_eq!(
        find("Conditions").attribute("NotOnOrAfter"),
        Some("2023-11-14T22:23:20Z"),
        "+10 min like the middleware"
    );
    assert_eq!(find("AuthnContextClassRef").text(), Some("http://eidas.europa.eu/LoA/high"));
    assert!(
        doc.descendants().all(|n| n.tag_name().name() != "Signature"),
        "the assertion is not signed"
    );
    let m = map_attributes(&EIDAS, &attributes_of(&xml));
    assert_eq!(m.subject.unwrap().0, "DE/DE/123456");
    assert_eq!(m.attributes["birthdate"], json!("1964-08-12"));
    assert_eq!(m.attributes["birth_family_name"], json!("Gabler"));
    assert_eq!(m.attributes["place_of_birth"], json!({"locality": "Berlin"}));
    assert_eq!(
        m.attributes["address"],
        json!({"street_address": "Heidestraße 17", "locality": "Köln", "postal_code": "51147", "country": "D"})
    );
    assert_eq!(m.attributes["nationalities"], json!(["D"]));
}

#[test]
fn only_requested_attributes_are_sent_and_missing_data_stays_missing() {
    let now = SystemTime::now();
    let required: Vec<String> = EIDAS
        .always_requested
        .iter()
        .map(|k| EIDAS.attribute_name(*k).unwrap().to_owned())
        .collect();
    let erika = super::super::persons::person("erika").unwrap();
    let names: Vec<String> = attributes_of(&assertion_xml(&frame(now), erika, &required))
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names.len(), 4);
    let all: Vec<String> = EIDAS.attributes.iter().map(|(_, n, _)| (*n).to_owned()).collect();
    let max = super::super::persons::person("max").unwrap();
    let m = map_attributes(&EIDAS, &attributes_of(&assertion_xml(&frame(now), max, &all)));
    assert_eq!(m.attributes["birthdate"], json!("1980"));
    assert!(!m.attributes.contains_key("birth_family_name"));
    assert!(!m.attributes.contains_key("nationalities"));
}

#[test]
fn error_response_has_status_and_no_assertion() {
    let xml = error_response_xml(&frame(SystemTime::now()), "CANCELLATIONBYUSER");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let codes: Vec<_> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "StatusCode")
        .filter_map(|n| n.attribute("Value"))
        .collect();
    assert_eq!(
        codes,
        [
            "urn:oasis:names:tc:SAML:2.0:status:Requester",
            "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"
        ]
    );
    assert!(doc.descendants().all(|n| !n.tag_name().name().contains("Assertion")));
    assert_eq!(doc.root_element().attribute("Destination"), Some("http://127.0.0.1:8080/saml/acs"));
    assert_eq!(doc.root_element().attribute("InResponseTo"), Some("_req1"));
}
