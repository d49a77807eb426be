//! ELSTER attributes → our identity (docs/elster.md "Attribute mapping").
//!
//! - Account pseudonym → [`UpstreamSubject`] (the source of the pairwise `sub`); never a claim.
//! - Person: `given_name`, `family_name`, `academic_title`, `email`; `tax_id` (IdNr) only when the
//!   upstream is configured `release_tax_id = true` — otherwise dropped here, whatever ELSTER sent.
//! - `CertificateKind = organisation`: an [`Organisation`] with `id` = organisation pseudonym, name,
//!   legal form, seat, and the Steuernummer only with `release_tax_number = true`. An organisation
//!   certificate without an organisation pseudonym is refused (no organisation without identifier).
//!   For a personal certificate organisation attributes are ignored. The organisation states who
//!   granted the account access, never statutory representation (reference §7).
//!
//! Same rule as the eIDAS mapping: absent, multi-valued or empty means absent.

use super::Mapped;
use crate::identity::{Organisation, UpstreamSubject};
use crate::saml::profile::elster::{KIND_ORGANISATION, KIND_PERSONAL};
use crate::saml::profile::{AttributeKey, AttributeNames};
use saml_xmlsec::response::SamlAttribute;
use serde_json::json;

/// `amr` of a personal-certificate login.
pub const AMR_PERSONAL: &str = "elster";
/// `amr` of an organisation-certificate login (reference §7 "what the broker must do" 3).
pub const AMR_ORGANISATION: &str = "elster-org-cert";

/// What the upstream may release besides names (`[[saml.upstreams]]` flags).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TaxRelease {
    /// `release_tax_id`: the person's IdNr as claim `tax_id`.
    pub tax_id: bool,
    /// `release_tax_number`: the organisation's Steuernummer in `org.tax_number`.
    pub tax_number: bool,
}

/// Why ELSTER attributes do not make an identity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ElsterMappingError {
    /// No single account pseudonym.
    #[error("the response carries no single account pseudonym")]
    NoAccountPseudonym,
    /// `CertificateKind` missing or unknown.
    #[error("the response carries no known certificate kind")]
    UnknownCertificateKind,
    /// Organisation certificate without organisation pseudonym.
    #[error("organisation certificate without an organisation pseudonym")]
    NoOrganisationPseudonym,
}

/// An ELSTER identity.
#[derive(Debug, Clone)]
pub struct ElsterIdentity {
    /// Subject and person claims.
    pub mapped: Mapped,
    /// The organisation (organisation certificates only).
    pub organisation: Option<Organisation>,
    /// `elster` or `elster-org-cert`.
    pub amr: &'static str,
}

/// Map ELSTER attributes.
pub fn map_elster(names: &AttributeNames, attrs: &[SamlAttribute], release: TaxRelease) -> Result<ElsterIdentity, ElsterMappingError> {
    let single = |key: AttributeKey| -> Option<String> {
        let values: Vec<_> = attrs
            .iter()
            .filter(|a| names.key_for(&a.name) == Some(key))
            .flat_map(|a| a.values.iter())
            .collect();
        match values.as_slice() {
            [v] if v.children.is_empty() && !v.text.trim().is_empty() => Some(v.text.trim().to_owned()),
            _ => None,
        }
    };
    let subject = single(AttributeKey::PersonIdentifier)
        .map(UpstreamSubject)
        .ok_or(ElsterMappingError::NoAccountPseudonym)?;
    let organisation_certificate = match single(AttributeKey::CertificateKind).as_deref() {
        Some(KIND_PERSONAL) => false,
        Some(KIND_ORGANISATION) => true,
        _ => return Err(ElsterMappingError::UnknownCertificateKind),
    };
    let mut mapped = Mapped {
        subject: Some(subject),
        ..Mapped::default()
    };
    let mut put = |claim: &str, key: AttributeKey| {
        if let Some(v) = single(key) {
            mapped.attributes.insert(claim.into(), json!(v));
        }
    };
    put("given_name", AttributeKey::GivenName);
    put("family_name", AttributeKey::FamilyName);
    put("academic_title", AttributeKey::Title);
    put("email", AttributeKey::Email);
    if release.tax_id {
        put("tax_id", AttributeKey::TaxId);
    }
    let organisation = if organisation_certificate {
        let id = single(AttributeKey::OrganisationPseudonym).ok_or(ElsterMappingError::NoOrganisationPseudonym)?;
        Some(Organisation {
            id,
            name: single(AttributeKey::OrganisationName),
            legal_form: single(AttributeKey::LegalForm),
            seat: single(AttributeKey::Seat),
            tax_number: release.tax_number.then(|| single(AttributeKey::TaxNumber)).flatten(),
        })
    } else {
        None
    };
    Ok(ElsterIdentity {
        mapped,
        amr: if organisation.is_some() { AMR_ORGANISATION } else { AMR_PERSONAL },
        organisation,
    })
}

#[cfg(test)]
mod tests;
