//! Test persons of the development eID simulator. Erika Mustermann is the data the German
//! middleware's test mode returns (reference/eid-saml.md §2); Max Beispiel shows missing data
//! (unknown birth month/day, no birth name on the chip, no nationality released).

/// One test person (values as the middleware sends them).
#[derive(Debug, Clone, Copy)]
pub struct TestPerson {
    /// Form key.
    pub key: &'static str,
    /// Shown on the choice page.
    pub label: &'static str,
    /// `DE/DE/<hex RestrictedID>`.
    pub person_identifier: &'static str,
    /// CurrentGivenName.
    pub given_name: &'static str,
    /// CurrentFamilyName.
    pub family_name: &'static str,
    /// DateOfBirth (`00` for unknown parts).
    pub date_of_birth: &'static str,
    /// BirthName ("given names + birth name"), if on the chip.
    pub birth_name: Option<&'static str>,
    /// PlaceOfBirth.
    pub place_of_birth: Option<&'static str>,
    /// (street, house number, postal code, city, country) of CurrentAddress.
    pub address: Option<(&'static str, &'static str, &'static str, &'static str, &'static str)>,
    /// Nationality.
    pub nationality: Option<&'static str>,
}

/// All test persons.
pub const PERSONS: &[TestPerson] = &[
    TestPerson {
        key: "erika",
        label: "Erika Mustermann (geb. 12.08.1964 in Berlin, Köln)",
        person_identifier: "DE/DE/123456",
        given_name: "Erika",
        family_name: "Mustermann",
        date_of_birth: "1964-08-12",
        birth_name: Some("Erika Gabler"),
        place_of_birth: Some("Berlin"),
        address: Some(("Heidestraße", "17", "51147", "Köln", "D")),
        nationality: Some("D"),
    },
    TestPerson {
        key: "max",
        label: "Max Beispiel (Geburtsdatum nur Jahr 1980, kein Geburtsname, München)",
        person_identifier: "DE/DE/5A3F9C01",
        given_name: "Max",
        family_name: "Beispiel",
        date_of_birth: "1980-00-00",
        birth_name: None,
        place_of_birth: Some("Hamburg"),
        address: Some(("Marienplatz", "8", "80331", "München", "D")),
        nationality: None,
    },
];

/// A person by key.
pub fn person(key: &str) -> Option<&'static TestPerson> {
    PERSONS.iter().find(|p| p.key == key)
}
