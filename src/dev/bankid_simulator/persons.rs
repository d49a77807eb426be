//! Test persons of the bank-ID simulator, each with the `acr` its login asserts (the Norway BankID
//! vocabulary of the development upstream's `acr_profile`).

use serde_json::{json, Value};

/// A test person.
pub struct Person {
    /// Form value.
    pub id: &'static str,
    /// Shown on the page.
    pub label_de: &'static str,
    /// Shown on the page (English).
    pub label_en: &'static str,
    /// `sub` at the simulator.
    pub sub: &'static str,
    /// `acr` asserted.
    pub acr: &'static str,
    /// `amr` asserted.
    pub amr: &'static str,
    /// Further ID token claims.
    pub claims: fn() -> Value,
}

fn kari() -> Value {
    json!({"given_name": "Kari", "family_name": "Nordmann", "birthdate": "1985-03-17"})
}

fn ola() -> Value {
    json!({"given_name": "Ola", "family_name": "Nordmann", "birthdate": "1979-11-02"})
}

fn erika() -> Value {
    // OIDC4IDA: the bank's identification under the money-laundering rules (trust framework de_aml).
    json!({
        "given_name": "Erika", "family_name": "Mustermann",
        "verified_claims": {
            "verification": {"trust_framework": "de_aml", "time": "2019-04-02T10:00:00Z"},
            "claims": {"given_name": "Erika", "family_name": "Mustermann", "birthdate": "1964-08-12"}
        }
    })
}

/// The persons, in page order.
pub const PERSONS: &[Person] = &[
    Person {
        id: "kari",
        label_de: "Kari Nordmann – BankID mit Sicherheitselement (LOA 4, hoch)",
        label_en: "Kari Nordmann – BankID with security element (LOA 4, high)",
        sub: "sim-kari-9a1f",
        acr: "urn:bankid:bid;LOA=4",
        amr: "BID",
        claims: kari,
    },
    Person {
        id: "ola",
        label_de: "Ola Nordmann – BankID biometrisch (LOA 3, substanziell)",
        label_en: "Ola Nordmann – BankID biometric (LOA 3, substantial)",
        sub: "sim-ola-44c2",
        acr: "urn:bankid:bis;LOA=3",
        amr: "BIS",
        claims: ola,
    },
    Person {
        id: "erika",
        label_de: "Erika Mustermann – BankID auf dem Mobiltelefon (LOA 4), geprüfte Daten (de_aml)",
        label_en: "Erika Mustermann – BankID on mobile (LOA 4), verified data (de_aml)",
        sub: "sim-erika-07be",
        acr: "urn:bankid:bim;LOA=4",
        amr: "BIM",
        claims: erika,
    },
];

/// A person by form value.
pub fn find(id: &str) -> Option<&'static Person> {
    PERSONS.iter().find(|p| p.id == id)
}
