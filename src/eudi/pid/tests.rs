//! PID claims → our claims, birth dates with unknown parts, the subject.

use super::*;
use serde_json::json;

fn claims() -> Value {
    json!({
        "family_name": "MUSTERMANN",
        "given_name": "ERIKA",
        "birthdate": "1964-08-12",
        "place_of_birth": { "locality": "BERLIN", "country": "DE" },
        "birth_family_name": "GABLER",
        "nationalities": ["DE", "FR"],
        "address": { "street_address": "HEIDESTRASSE", "house_number": "17", "locality": "KÖLN", "postal_code": "51147", "country": "DE" },
        "cnf": { "jwk": {} },
        "iss": "https://pid.example"
    })
}

#[test]
fn claims_map_to_ours_as_given_in_upper_case() {
    let pid = Pid::from_claims("urn:eudi:pid:de:1", &claims()).unwrap();
    let a = pid.attributes();
    assert_eq!(
        serde_json::to_value(&a).unwrap(),
        json!({
            "family_name": "MUSTERMANN",
            "given_name": "ERIKA",
            "birthdate": "1964-08-12",
            "place_of_birth": { "locality": "BERLIN", "country": "DE" },
            "birth_family_name": "GABLER",
            "nationalities": ["DE", "FR"],
            "address": { "street_address": "HEIDESTRASSE 17", "locality": "KÖLN", "postal_code": "51147", "country": "DE" }
        })
    );
    // The Debug form carries no personal data.
    assert!(!format!("{pid:?}").contains("MUSTERMANN"));
}

#[test]
fn unknown_birth_date_parts_stay_in_the_pid_and_shorten_the_claim() {
    assert_eq!(birthdate("1964-08-12").as_deref(), Some("1964-08-12"));
    assert_eq!(birthdate("1964-00-00").as_deref(), Some("1964"));
    assert_eq!(birthdate("1964-08-00").as_deref(), Some("1964"));
    assert_eq!(birthdate("0000-00-00"), None);
    assert_eq!(birthdate("1964-02-30"), None);
    assert_eq!(birthdate("12.08.1964"), None);
    let mut c = claims();
    c["birthdate"] = json!("1964-00-00");
    let pid = Pid::from_claims("urn:eudi:pid:de:1", &c).unwrap();
    assert_eq!(pid.birthdate, "1964-00-00");
    assert_eq!(pid.attributes()["birthdate"], "1964");
}

#[test]
fn the_subject_basis_is_required() {
    for name in ["family_name", "given_name", "birthdate", "place_of_birth"] {
        let mut c = claims();
        c.as_object_mut().unwrap().remove(name);
        assert_eq!(
            Pid::from_claims("urn:eudi:pid:de:1", &c).unwrap_err(),
            WalletError::PidIncomplete(format!("{name} missing"))
        );
    }
}

#[test]
fn the_subject_is_keyed_stable_and_ignores_case_and_spacing() {
    let pid = Pid::from_claims("urn:eudi:pid:de:1", &claims()).unwrap();
    let s = pid.subject(b"broker key one");
    assert!(s.0.starts_with("eudi-pid:"));
    assert_eq!(s, pid.subject(b"broker key one"));
    assert_ne!(s, pid.subject(b"broker key two"));
    let mut c = claims();
    c["given_name"] = json!("  Erika ");
    c["address"] = json!({ "locality": "BONN" });
    assert_eq!(Pid::from_claims("urn:eudi:pid:de:1", &c).unwrap().subject(b"broker key one"), s);
    c["birthdate"] = json!("1964-08-13");
    assert_ne!(Pid::from_claims("urn:eudi:pid:de:1", &c).unwrap().subject(b"broker key one"), s);
}

#[test]
fn scopes_ask_for_their_claims_only() {
    assert_eq!(
        PidClaim::for_scopes(["openid", "profile", "nationality", "profile"]),
        vec![
            PidClaim::FamilyName,
            PidClaim::GivenName,
            PidClaim::Birthdate,
            PidClaim::Nationalities
        ]
    );
    assert_eq!(
        PidClaim::for_scopes(["birth", "address"]),
        vec![PidClaim::PlaceOfBirth, PidClaim::BirthFamilyName, PidClaim::Address]
    );
    assert!(PidClaim::for_scopes(["openid", "email"]).is_empty());
}
