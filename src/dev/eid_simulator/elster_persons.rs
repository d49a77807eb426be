//! Test accounts of the development ELSTER simulator: one personal certificate and one
//! organisation certificate (the acting employee's account of "Musterbau GmbH"). Pseudonyms and
//! tax numbers are invented test values (the IdNr is the BZSt documentation example format).

use crate::saml::profile::elster::{KIND_ORGANISATION, KIND_PERSONAL};
use crate::saml::profile::AttributeKey;

/// One ELSTER test account: `(attribute key, value)` pairs as ELSTER would release them.
#[derive(Debug, Clone, Copy)]
pub struct ElsterAccount {
    /// Form key.
    pub key: &'static str,
    /// Shown on the choice page.
    pub label: &'static str,
    /// Released attributes.
    pub attributes: &'static [(AttributeKey, &'static str)],
}

impl ElsterAccount {
    /// The account pseudonym (NameID).
    pub fn pseudonym(&self) -> &'static str {
        self.attributes
            .iter()
            .find(|(k, _)| *k == AttributeKey::PersonIdentifier)
            .map(|(_, v)| *v)
            .unwrap_or_default()
    }
}

/// All test accounts.
pub const ACCOUNTS: &[ElsterAccount] = &[
    ElsterAccount {
        key: "erika",
        label: "Erika Mustermann (persönliches Zertifikat / personal certificate)",
        attributes: &[
            (AttributeKey::PersonIdentifier, "elster-acc-7f3a9c2e51d04b8e"),
            (AttributeKey::CertificateKind, KIND_PERSONAL),
            (AttributeKey::GivenName, "Erika"),
            (AttributeKey::FamilyName, "Mustermann"),
            (AttributeKey::Title, "Dr."),
            (AttributeKey::Email, "erika.mustermann@example.de"),
            (AttributeKey::TaxId, "02476291358"),
        ],
    },
    ElsterAccount {
        key: "musterbau",
        label: "Musterbau GmbH, Köln – Max Beispiel (Organisationszertifikat / organisation certificate)",
        attributes: &[
            (AttributeKey::PersonIdentifier, "elster-acc-c19d44e07a2b6f35"),
            (AttributeKey::CertificateKind, KIND_ORGANISATION),
            (AttributeKey::GivenName, "Max"),
            (AttributeKey::FamilyName, "Beispiel"),
            (AttributeKey::Email, "max.beispiel@musterbau.example"),
            (AttributeKey::OrganisationPseudonym, "elster-org-5b8e20c4d9f1a736"),
            (AttributeKey::OrganisationName, "Musterbau GmbH"),
            (AttributeKey::LegalForm, "GmbH"),
            (AttributeKey::Seat, "Köln"),
            (AttributeKey::TaxNumber, "2181508150"),
        ],
    },
];

/// An account by key.
pub fn account(key: &str) -> Option<&'static ElsterAccount> {
    ACCOUNTS.iter().find(|a| a.key == key)
}
