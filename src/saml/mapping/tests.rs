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
