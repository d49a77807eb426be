//! SAML profiles: what differs between upstreams that speak "SAML with an eID" — attribute names,
//! the level-of-assurance vocabulary, the request extensions and how error statuses read.
//!
//! A profile is *data* (tables) plus the attribute mapping in [`super::mapping`]; the request
//! builder, ACS and metadata code are shared. Implemented: [`ProfileKind::Eidas`] (eIDAS SAML Message
//! Format / Attribute Profile 1.2 as the German eIDAS middleware speaks it) and
//! [`ProfileKind::Elster`] (ELSTER login via NEZO/"Mein Unternehmenskonto", level substantial,
//! pseudonyms for account and organisation; tables in [`elster`]). Planned: BSI TR-03130-1 ch. 4
//! (GivenNames, RestrictedID, `http://bsi.bund.de/eID/LoA/*`, encrypted `eid:AuthnRequestExtension`).

pub mod elster;

use crate::identity::AuthnError;
use crate::trust::TrustLevel;
use saml_xmlsec::Untrusted;

pub use elster::ELSTER;

/// Attributes we know how to ask for and map. Profile-neutral names; each profile has its URIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttributeKey {
    /// The stable identifier (account binding, never a claim): eIDAS PersonIdentifier, ELSTER
    /// account pseudonym.
    PersonIdentifier,
    /// Family name(s).
    FamilyName,
    /// Given name(s).
    GivenName,
    /// Date of birth.
    DateOfBirth,
    /// Birth name.
    BirthName,
    /// Place of birth.
    PlaceOfBirth,
    /// Current address.
    CurrentAddress,
    /// Nationality.
    Nationality,
    /// Academic title (ELSTER account data).
    Title,
    /// E-mail address of the account (ELSTER).
    Email,
    /// Steuerliche Identifikationsnummer (IdNr, § 139b AO) of the person (ELSTER).
    TaxId,
    /// Which certificate was used: personal or organisation (ELSTER).
    CertificateKind,
    /// Pseudonym of the organisation (ELSTER organisation certificate).
    OrganisationPseudonym,
    /// Company name.
    OrganisationName,
    /// Legal form.
    LegalForm,
    /// Registered office / place of management.
    Seat,
    /// Steuernummer of the organisation.
    TaxNumber,
}

impl AttributeKey {
    /// Every key.
    pub const ALL: [AttributeKey; 17] = [
        Self::PersonIdentifier,
        Self::FamilyName,
        Self::GivenName,
        Self::DateOfBirth,
        Self::BirthName,
        Self::PlaceOfBirth,
        Self::CurrentAddress,
        Self::Nationality,
        Self::Title,
        Self::Email,
        Self::TaxId,
        Self::CertificateKind,
        Self::OrganisationPseudonym,
        Self::OrganisationName,
        Self::LegalForm,
        Self::Seat,
        Self::TaxNumber,
    ];

    /// Parse the configuration spelling (the eIDAS short names).
    pub fn from_config(s: &str) -> Option<Self> {
        Some(match s {
            "PersonIdentifier" => Self::PersonIdentifier,
            "CurrentFamilyName" => Self::FamilyName,
            "CurrentGivenName" => Self::GivenName,
            "DateOfBirth" => Self::DateOfBirth,
            "BirthName" => Self::BirthName,
            "PlaceOfBirth" => Self::PlaceOfBirth,
            "CurrentAddress" => Self::CurrentAddress,
            "Nationality" => Self::Nationality,
            _ => return None,
        })
    }
}

/// Which profile an upstream speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProfileKind {
    /// eIDAS SAML profile (German eIDAS middleware, Governikus).
    Eidas,
    /// ELSTER login (NEZO / Mein Unternehmenskonto): personal and organisation certificates.
    Elster,
}

impl ProfileKind {
    /// Parse the configuration spelling.
    pub fn from_config(s: &str) -> Result<Self, String> {
        match s {
            "eidas" => Ok(Self::Eidas),
            "elster" => Ok(Self::Elster),
            "tr03130" => Err(format!("profile {s:?} is planned but not implemented yet (see docs/eid.md)")),
            other => Err(format!("unknown SAML profile {other:?} (expected \"eidas\" or \"elster\")")),
        }
    }

    /// The profile's tables.
    pub fn profile(self) -> &'static Profile {
        match self {
            Self::Eidas => &EIDAS,
            Self::Elster => &ELSTER,
        }
    }
}

/// A profile's tables.
#[derive(Debug)]
pub struct Profile {
    /// Name for logs.
    pub name: &'static str,
    /// `(key, attribute Name, required in every request)`.
    pub attributes: &'static [(AttributeKey, &'static str, bool)],
    /// `NameFormat` of requested attributes.
    pub name_format: &'static str,
    /// `(our level, the URI we send in RequestedAuthnContext)`, lowest first.
    pub loa_request: &'static [(TrustLevel, &'static str)],
    /// Keys that every request asks for regardless of configuration.
    pub always_requested: &'static [AttributeKey],
    /// Whether `attribute_names` overrides are allowed (ELSTER: the names are agreed at onboarding;
    /// eIDAS: fixed by the Attribute Profile).
    pub names_configurable: bool,
    /// Status tokens (lower case, without `_`, `-`, blanks) searched in code + message, first match
    /// wins: `None` = the person cancelled, `Some(code)` = [`AuthnError::UpstreamFailure`].
    pub status_tokens: &'static [(&'static str, Option<&'static str>)],
}

/// eIDAS attribute namespace (eIDAS SAML Attribute Profile 1.2 §2.2).
pub const EIDAS_NP: &str = "http://eidas.europa.eu/attributes/naturalperson/";
/// `NameFormat` URI.
pub const ATTRNAME_FORMAT_URI: &str = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri";

/// The eIDAS profile as the German middleware implements it (reference/eid-saml.md §2).
pub static EIDAS: Profile = Profile {
    name: "eidas",
    attributes: &[
        (
            AttributeKey::PersonIdentifier,
            "http://eidas.europa.eu/attributes/naturalperson/PersonIdentifier",
            true,
        ),
        (
            AttributeKey::FamilyName,
            "http://eidas.europa.eu/attributes/naturalperson/CurrentFamilyName",
            true,
        ),
        (
            AttributeKey::GivenName,
            "http://eidas.europa.eu/attributes/naturalperson/CurrentGivenName",
            true,
        ),
        (
            AttributeKey::DateOfBirth,
            "http://eidas.europa.eu/attributes/naturalperson/DateOfBirth",
            true,
        ),
        (
            AttributeKey::BirthName,
            "http://eidas.europa.eu/attributes/naturalperson/BirthName",
            false,
        ),
        (
            AttributeKey::PlaceOfBirth,
            "http://eidas.europa.eu/attributes/naturalperson/PlaceOfBirth",
            false,
        ),
        (
            AttributeKey::CurrentAddress,
            "http://eidas.europa.eu/attributes/naturalperson/CurrentAddress",
            false,
        ),
        (
            AttributeKey::Nationality,
            "http://eidas.europa.eu/attributes/naturalperson/Nationality",
            false,
        ),
    ],
    name_format: ATTRNAME_FORMAT_URI,
    loa_request: &[
        (TrustLevel::Low, "http://eidas.europa.eu/LoA/low"),
        (TrustLevel::Substantial, "http://eidas.europa.eu/LoA/substantial"),
        (TrustLevel::High, "http://eidas.europa.eu/LoA/high"),
    ],
    always_requested: &[
        AttributeKey::PersonIdentifier,
        AttributeKey::FamilyName,
        AttributeKey::GivenName,
        AttributeKey::DateOfBirth,
    ],
    names_configurable: false,
    // GK test mode uses `CANCELLATIONBYUSER`, `WRONGPIN`, `CARDEXPIRED`; a blocked PIN or a
    // revoked card (`DocumentValidity` `revoked`, reference/eid-saml.md) is `card_blocked`:
    // the person acts differently (PUK, citizens' office) than after one wrong PIN.
    status_tokens: &[
        ("cancellationbyuser", None),
        ("cancelled", None),
        ("canceled", None),
        ("wrongpin", Some("wrong_pin")),
        ("pinblocked", Some("card_blocked")),
        ("cardblocked", Some("card_blocked")),
        ("cardrevoked", Some("card_blocked")),
        ("documentrevoked", Some("card_blocked")),
        ("cardexpired", Some("card_expired")),
        ("documentexpired", Some("card_expired")),
    ],
};

impl Profile {
    /// The attribute Name for a key.
    pub fn attribute_name(&self, key: AttributeKey) -> Option<&'static str> {
        self.attributes.iter().find(|(k, _, _)| *k == key).map(|(_, n, _)| *n)
    }

    /// The key for an attribute Name (exact match; unknown names are ignored by the mapping).
    pub fn key_for(&self, name: &str) -> Option<AttributeKey> {
        self.attributes.iter().find(|(_, n, _)| *n == name).map(|(k, _, _)| *k)
    }

    /// Whether a key is required when requested.
    pub fn is_required(&self, key: AttributeKey) -> bool {
        self.attributes.iter().any(|(k, _, r)| *k == key && *r)
    }

    /// The LoA URI to request for `required` (the lowest of the profile's levels that is at least
    /// `required`), with `Comparison="minimum"`. Translated from our scale, never the RP's raw
    /// `acr_values` (design brief §4). `None` if the profile cannot express it.
    pub fn loa_for(&self, required: TrustLevel) -> Option<&'static str> {
        self.loa_request.iter().find(|(l, _)| *l >= required).map(|(_, uri)| *uri)
    }

    /// The key for a configuration spelling: the last segment of the default attribute Name
    /// (`CurrentFamilyName`, `IdNr`, …).
    pub fn key_from_config(&self, s: &str) -> Option<AttributeKey> {
        self.attributes
            .iter()
            .find(|(_, n, _)| n.rsplit(['/', ':']).next() == Some(s))
            .map(|(k, _, _)| *k)
    }

    /// Map a non-success status to a [`AuthnError`] (SAML Core §3.2.2.2 codes plus the
    /// upstream's message tokens, [`Profile::status_tokens`]). Matching is on tokens only, the raw
    /// message is never shown.
    pub fn status_error(&self, status: &StatusReport) -> AuthnError {
        let haystack = format!(
            "{} {} {}",
            status.code.as_str(),
            status.second_level.as_ref().map_or("", Untrusted::as_str),
            status.message.as_ref().map_or("", Untrusted::as_str)
        )
        .to_ascii_lowercase()
        .replace(['_', '-', ' '], "");
        match self.status_tokens.iter().find(|(t, _)| haystack.contains(t)) {
            Some((_, None)) => AuthnError::Cancelled,
            Some((_, Some(code))) => AuthnError::UpstreamFailure { code: (*code).into() },
            None => AuthnError::UpstreamFailure { code: "other".into() },
        }
    }
}

/// A profile's attribute names with the upstream's configured overrides applied.
#[derive(Debug, Clone)]
pub struct AttributeNames {
    profile: &'static Profile,
    overrides: Vec<(AttributeKey, String)>,
}

impl AttributeNames {
    /// Names of `profile`, with `overrides` replacing the default Name of their key.
    pub fn new(profile: &'static Profile, overrides: Vec<(AttributeKey, String)>) -> Self {
        Self { profile, overrides }
    }

    /// The profile.
    pub fn profile(&self) -> &'static Profile {
        self.profile
    }

    /// The overrides.
    pub fn overrides(&self) -> &[(AttributeKey, String)] {
        &self.overrides
    }

    /// The effective Name of a key.
    pub fn name(&self, key: AttributeKey) -> Option<&str> {
        match self.overrides.iter().find(|(k, _)| *k == key) {
            Some((_, n)) => Some(n.as_str()),
            None => self.profile.attribute_name(key),
        }
    }

    /// The key for a received Name (exact match on the effective names only: an overridden key's
    /// default Name no longer maps).
    pub fn key_for(&self, name: &str) -> Option<AttributeKey> {
        if let Some((k, _)) = self.overrides.iter().find(|(_, n)| n == name) {
            return Some(*k);
        }
        self.profile.key_for(name).filter(|k| !self.overrides.iter().any(|(o, _)| o == k))
    }
}

/// A Response `Status` that is not Success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReport {
    /// Top-level StatusCode Value.
    pub code: Untrusted,
    /// Nested StatusCode Value.
    pub second_level: Option<Untrusted>,
    /// StatusMessage.
    pub message: Option<Untrusted>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loa_is_translated_from_our_scale() {
        assert_eq!(EIDAS.loa_for(TrustLevel::High), Some("http://eidas.europa.eu/LoA/high"));
        assert_eq!(
            EIDAS.loa_for(TrustLevel::Substantial),
            Some("http://eidas.europa.eu/LoA/substantial")
        );
        assert_eq!(EIDAS.loa_for(TrustLevel::Basic), Some("http://eidas.europa.eu/LoA/low"));
    }

    #[test]
    fn statuses_map_to_errors() {
        let s = |m: &str| StatusReport {
            code: "urn:oasis:names:tc:SAML:2.0:status:Requester".into(),
            second_level: Some("urn:oasis:names:tc:SAML:2.0:status:AuthnFailed".into()),
            message: Some(m.into()),
        };
        assert!(matches!(EIDAS.status_error(&s("CANCELLATIONBYUSER")), AuthnError::Cancelled));
        assert!(matches!(EIDAS.status_error(&s("WRONGPIN")), AuthnError::UpstreamFailure { code } if code == "wrong_pin"));
        assert!(matches!(EIDAS.status_error(&s("CARD_EXPIRED")), AuthnError::UpstreamFailure { code } if code == "card_expired"));
        assert!(matches!(EIDAS.status_error(&s("CARDBLOCKED")), AuthnError::UpstreamFailure { code } if code == "card_blocked"));
        assert!(matches!(EIDAS.status_error(&s("PIN_BLOCKED")), AuthnError::UpstreamFailure { code } if code == "card_blocked"));
        assert!(matches!(EIDAS.status_error(&s("<script>")), AuthnError::UpstreamFailure { code } if code == "other"));
    }

    #[test]
    fn planned_profiles_are_a_clear_config_error() {
        assert!(ProfileKind::from_config("tr03130").unwrap_err().contains("planned"));
        assert!(ProfileKind::from_config("eidas").is_ok());
        assert_eq!(ProfileKind::from_config("elster"), Ok(ProfileKind::Elster));
    }

    #[test]
    fn config_spelling_is_the_last_name_segment() {
        assert_eq!(EIDAS.key_from_config("CurrentFamilyName"), Some(AttributeKey::FamilyName));
        assert_eq!(ELSTER.key_from_config("IdNr"), Some(AttributeKey::TaxId));
        assert_eq!(EIDAS.key_from_config("IdNr"), None);
    }

    #[test]
    fn overrides_replace_the_default_name() {
        let n = AttributeNames::new(&ELSTER, vec![(AttributeKey::TaxId, "urn:x:idnr".into())]);
        assert_eq!(n.name(AttributeKey::TaxId), Some("urn:x:idnr"));
        assert_eq!(n.key_for("urn:x:idnr"), Some(AttributeKey::TaxId));
        assert_eq!(n.key_for(ELSTER.attribute_name(AttributeKey::TaxId).unwrap()), None);
        assert_eq!(
            n.key_for(ELSTER.attribute_name(AttributeKey::Seat).unwrap()),
            Some(AttributeKey::Seat)
        );
    }
}
