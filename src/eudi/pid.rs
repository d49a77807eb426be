//! The German PID (SD-JWT VC `urn:eudi:pid:de:1`) after verification, mapped to our claims.
//!
//! Values are kept as the PID provider wrote them: German PID strings are UPPER CASE (PID-DE
//! reference; the card's machine-readable form). Turning them into a display form ("Erika
//! Mustermann") is not the broker's job: relying parties get what the state attested. Nothing of
//! the raw presentation (disclosures, salts, signatures, holder key) leaves [`Pid`].

use crate::eudi::error::WalletError;
use crate::identity::{Attributes, UpstreamSubject};
use serde_json::Value;

/// A PID claim a relying party's scopes can need (DCQL claim paths, OpenID4VP §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PidClaim {
    /// `family_name`.
    FamilyName,
    /// `given_name`.
    GivenName,
    /// `birthdate` (unknown parts `00`).
    Birthdate,
    /// `place_of_birth` (object: `locality`, `region`, `country`).
    PlaceOfBirth,
    /// `birth_family_name`.
    BirthFamilyName,
    /// `nationalities` (ISO 3166-1 alpha-2 codes).
    Nationalities,
    /// `address` (object).
    Address,
}

impl PidClaim {
    /// The claim's name in the SD-JWT VC PID (PID rulebook, SD-JWT VC encoding).
    pub fn name(self) -> &'static str {
        match self {
            Self::FamilyName => "family_name",
            Self::GivenName => "given_name",
            Self::Birthdate => "birthdate",
            Self::PlaceOfBirth => "place_of_birth",
            Self::BirthFamilyName => "birth_family_name",
            Self::Nationalities => "nationalities",
            Self::Address => "address",
        }
    }
}

/// A verified PID: only the values the broker uses, as given by the PID provider.
#[derive(Clone, PartialEq, Eq)]
pub struct Pid {
    /// The credential type (`vct`) that was presented.
    pub vct: String,
    /// `family_name`, as given (upper case).
    pub family_name: String,
    /// `given_name` (all given names, space separated), as given.
    pub given_name: String,
    /// `birthdate` exactly as given, unknown parts `00` kept (`1964-00-00`).
    pub birthdate: String,
    /// `place_of_birth`.
    pub place_of_birth: Option<PlaceOfBirth>,
    /// `birth_family_name`.
    pub birth_family_name: Option<String>,
    /// `nationalities`.
    pub nationalities: Vec<String>,
    /// `address`.
    pub address: Option<PidAddress>,
}

impl std::fmt::Debug for Pid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Personal data: never in a log.
        f.debug_struct("Pid").field("vct", &self.vct).finish_non_exhaustive()
    }
}

/// `place_of_birth` of the PID.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlaceOfBirth {
    /// `locality`.
    pub locality: Option<String>,
    /// `region`.
    pub region: Option<String>,
    /// `country` (ISO 3166-1 alpha-2).
    pub country: Option<String>,
}

/// `address` of the PID.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PidAddress {
    /// `formatted`.
    pub formatted: Option<String>,
    /// `street_address`.
    pub street_address: Option<String>,
    /// `house_number`.
    pub house_number: Option<String>,
    /// `postal_code`.
    pub postal_code: Option<String>,
    /// `locality`.
    pub locality: Option<String>,
    /// `region`.
    pub region: Option<String>,
    /// `country`.
    pub country: Option<String>,
}

impl Pid {
    /// Build from the disclosed claims of a verified SD-JWT VC.
    pub fn from_claims(vct: &str, claims: &Value) -> Result<Self, WalletError> {
        let _ = (vct, claims);
        Err(WalletError::PidIncomplete("not built yet".into()))
    }

    /// Our claims (docs/relying-parties.md).
    pub fn attributes(&self) -> Attributes {
        Attributes::new()
    }

    /// The account binding: HMAC-SHA-256 under `key` over family name, given names, birth date and
    /// place of birth (the PID carries no stable person identifier).
    pub fn subject(&self, key: &[u8]) -> UpstreamSubject {
        let _ = key;
        UpstreamSubject(String::new())
    }
}
