//! The ELSTER profile: ELSTER login for portals (NEZO, "Nutzung der ELSTER-Zertifikate im Rahmen
//! des OZG", onboarded through Mein Unternehmenskonto) as a SAML 2.0 IdP (reference
//! elster-bankid-loa.md §1, §3, §7; docs/elster.md).
//!
//! ELSTER's attribute Names are not public: the defaults below live in our own namespace
//! [`ELSTER_NS`] and are replaced per upstream with `attribute_names` once NEZO onboarding names the
//! real ones. The configuration spelling of a key is the last segment (`IdNr`, `Steuernummer`, …).
//! Level: ELSTER is "substanziell" (eIDAS substantial, BundID STORK-QAA-Level-3); we request the
//! eIDAS URI and map what comes back through `trust::level_from_upstream`.

use super::{AttributeKey, Profile, ATTRNAME_FORMAT_URI};
use crate::trust::TrustLevel;

/// Our namespace for the default ELSTER attribute Names (documented placeholders, not ELSTER's).
pub const ELSTER_NS: &str = "urn:buergerkonto:elster:attribute:";

/// `CertificateKind` value of a personal certificate (also ElsterSecure).
pub const KIND_PERSONAL: &str = "personal";
/// `CertificateKind` value of an organisation certificate.
pub const KIND_ORGANISATION: &str = "organisation";

/// The ELSTER profile's tables.
pub static ELSTER: Profile = Profile {
    name: "elster",
    attributes: &[
        (
            AttributeKey::PersonIdentifier,
            "urn:buergerkonto:elster:attribute:AccountPseudonym",
            true,
        ),
        (
            AttributeKey::CertificateKind,
            "urn:buergerkonto:elster:attribute:CertificateKind",
            true,
        ),
        (AttributeKey::GivenName, "urn:buergerkonto:elster:attribute:GivenNames", true),
        (AttributeKey::FamilyName, "urn:buergerkonto:elster:attribute:Surname", true),
        (AttributeKey::Title, "urn:buergerkonto:elster:attribute:Title", false),
        (AttributeKey::Email, "urn:buergerkonto:elster:attribute:Email", false),
        (AttributeKey::TaxId, "urn:buergerkonto:elster:attribute:IdNr", false),
        // Organisation attributes are present only for organisation certificates, hence never
        // "required" in the request.
        (
            AttributeKey::OrganisationPseudonym,
            "urn:buergerkonto:elster:attribute:OrganisationPseudonym",
            false,
        ),
        (
            AttributeKey::OrganisationName,
            "urn:buergerkonto:elster:attribute:OrganisationName",
            false,
        ),
        (AttributeKey::LegalForm, "urn:buergerkonto:elster:attribute:LegalForm", false),
        (AttributeKey::Seat, "urn:buergerkonto:elster:attribute:Seat", false),
        (AttributeKey::TaxNumber, "urn:buergerkonto:elster:attribute:Steuernummer", false),
    ],
    name_format: ATTRNAME_FORMAT_URI,
    // ELSTER offers exactly one level; asking for more cannot be met (the method ceiling is
    // substantial, so the login core never asks).
    loa_request: &[
        (TrustLevel::Low, "http://eidas.europa.eu/LoA/substantial"),
        (TrustLevel::Substantial, "http://eidas.europa.eu/LoA/substantial"),
    ],
    always_requested: &[
        AttributeKey::PersonIdentifier,
        AttributeKey::CertificateKind,
        AttributeKey::GivenName,
        AttributeKey::FamilyName,
        AttributeKey::OrganisationPseudonym,
        AttributeKey::OrganisationName,
        AttributeKey::LegalForm,
        AttributeKey::Seat,
    ],
    names_configurable: true,
    // Not public: SAML Core §3.2.2.2 codes plus plausible German/English message tokens. Anything
    // else is a generic failure.
    status_tokens: &[
        ("cancel", None),
        ("abbruch", None),
        ("abgebrochen", None),
        ("requestdenied", None),
        ("certificaterevoked", Some("certificate_revoked")),
        ("zertifikatgesperrt", Some("certificate_revoked")),
        ("certificateexpired", Some("certificate_expired")),
        ("zertifikatabgelaufen", Some("certificate_expired")),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::AuthnError;
    use crate::saml::profile::StatusReport;

    #[test]
    fn every_default_name_is_in_our_namespace() {
        assert!(ELSTER.attributes.iter().all(|(_, n, _)| n.starts_with(ELSTER_NS)));
    }

    #[test]
    fn elster_requests_substantial_and_cannot_express_high() {
        assert_eq!(
            ELSTER.loa_for(TrustLevel::Substantial),
            Some("http://eidas.europa.eu/LoA/substantial")
        );
        assert_eq!(ELSTER.loa_for(TrustLevel::High), None);
    }

    #[test]
    fn tax_data_is_never_requested_by_default() {
        assert!(!ELSTER.always_requested.contains(&AttributeKey::TaxId));
        assert!(!ELSTER.always_requested.contains(&AttributeKey::TaxNumber));
    }

    #[test]
    fn statuses_map() {
        let s = |second: &str, m: Option<&str>| StatusReport {
            code: "urn:oasis:names:tc:SAML:2.0:status:Responder".into(),
            second_level: Some(second.into()),
            message: m.map(Into::into),
        };
        let denied = s("urn:oasis:names:tc:SAML:2.0:status:RequestDenied", None);
        assert!(matches!(ELSTER.status_error(&denied), AuthnError::Cancelled));
        let cancel = s("urn:oasis:names:tc:SAML:2.0:status:AuthnFailed", Some("Abbruch durch den Nutzer"));
        assert!(matches!(ELSTER.status_error(&cancel), AuthnError::Cancelled));
        let revoked = s("urn:oasis:names:tc:SAML:2.0:status:AuthnFailed", Some("CERTIFICATE_REVOKED"));
        assert!(matches!(ELSTER.status_error(&revoked), AuthnError::UpstreamFailure { code } if code == "certificate_revoked"));
        let other = s("urn:oasis:names:tc:SAML:2.0:status:AuthnFailed", Some("<b>x</b>"));
        assert!(matches!(ELSTER.status_error(&other), AuthnError::UpstreamFailure { code } if code == "other"));
    }
}
