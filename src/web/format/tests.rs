use super::*;
use serde_json::json;

#[test]
fn dates_in_words() {
    assert_eq!(date(Locale::De, "1964-08-12"), "12. August 1964");
    assert_eq!(date(Locale::En, "1964-08-12"), "12 August 1964");
    assert_eq!(date(Locale::De, "1980"), "1980");
    assert_eq!(date(Locale::De, "1980-05"), "Mai 1980");
    assert_eq!(date(Locale::En, "1980-05"), "May 1980");
    assert_eq!(date(Locale::De, "0000-03-01"), "1. März", "year withheld (OIDC Core §5.1)");
    assert_eq!(date(Locale::En, "2001-01-09"), "9 January 2001");
}

#[test]
fn odd_dates_shown_as_given() {
    for raw in [
        "1964-02-30",
        "1964-13-01",
        "12.08.1964",
        "",
        "abcd",
        "0000",
        "1964-8-12",
        "+1964-08-12",
    ] {
        assert_eq!(date(Locale::De, raw), raw);
    }
}

#[test]
fn moments_in_words_utc() {
    assert_eq!(moment(Locale::De, 1_786_543_380), "12. August 2026, 14:03 UTC");
    assert_eq!(moment(Locale::En, 1_786_543_380), "12 August 2026, 14:03 UTC");
}

#[test]
fn countries_and_nationalities_by_name() {
    assert_eq!(nationality(Locale::De, "D"), "deutsch");
    assert_eq!(nationality(Locale::En, "D"), "German");
    assert_eq!(country(Locale::De, "DEU"), "Deutschland");
    assert_eq!(country(Locale::En, "de"), "Germany");
    assert_eq!(country(Locale::De, "AUT"), "Österreich");
    assert_eq!(country(Locale::De, "CH"), "Schweiz");
    assert_eq!(nationality(Locale::En, "TUR"), "Turkish");
    assert_eq!(nationality(Locale::De, "XXA"), "staatenlos");
    assert_eq!(nationality(Locale::En, "XXB"), "refugee (1951 Refugee Convention)");
    assert_eq!(country(Locale::En, "RKS"), "Kosovo");
    // Unknown codes as given, never dropped or guessed.
    assert_eq!(nationality(Locale::De, "ZZZ"), "ZZZ");
    assert_eq!(country(Locale::De, "Atlantis"), "Atlantis");
}

#[test]
fn addresses_in_german_postal_order() {
    let erika = json!({"street_address": "Heidestraße 17", "postal_code": "51147", "locality": "Köln", "country": "D"});
    let Value::Object(o) = &erika else { unreachable!() };
    assert_eq!(
        address(Locale::De, o),
        ["Heidestraße 17", "51147 Köln"],
        "no country line for Germany"
    );
    let vienna = json!({"street_address": "Ringstraße 1", "postal_code": "1010", "locality": "Wien", "country": "AUT"});
    let Value::Object(o) = &vienna else { unreachable!() };
    assert_eq!(address(Locale::De, o), ["Ringstraße 1", "1010 Wien", "Österreich"]);
    assert_eq!(address(Locale::En, o), ["Ringstraße 1", "1010 Wien", "Austria"]);
    let free = json!({"formatted": "Am Markt 1\n12345 Musterstadt"});
    let Value::Object(o) = &free else { unreachable!() };
    assert_eq!(address(Locale::De, o), ["Am Markt 1", "12345 Musterstadt"]);
}

#[test]
fn claims_by_name() {
    assert_eq!(claim(Locale::De, "birthdate", &json!("1964-08-12")), ["12. August 1964"]);
    assert_eq!(claim(Locale::En, "nationalities", &json!(["D", "AUT"])), ["German, Austrian"]);
    assert_eq!(claim(Locale::De, "place_of_birth", &json!({"locality": "Berlin"})), ["Berlin"]);
    assert_eq!(claim(Locale::De, "issuing_state", &json!("D")), ["Deutschland"]);
    assert_eq!(claim(Locale::De, "document_type", &json!("ID")), ["Personalausweis"]);
    assert_eq!(claim(Locale::De, "given_name", &json!("Erika")), ["Erika"]);
    assert_eq!(
        claim(
            Locale::De,
            "org",
            &json!({"id": "x", "name": "Musterbau GmbH", "legal_form": "GmbH", "seat": "Köln"})
        ),
        ["Musterbau GmbH", "Köln"]
    );
}
