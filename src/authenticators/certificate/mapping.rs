//! From a verified certificate to a [`VerifiedIdentity`](crate::identity::VerifiedIdentity): x509-parser extracts subject CN, O,
//! serialNumber, organizationIdentifier (2.5.4.97), given name/surname, e-mail and the policy OIDs.
//!
//! Account binding (the upstream subject that feeds the pairwise `sub`): the subject's
//! `serialNumber` attribute where the CA assigns one (stable across renewals), otherwise the SHA-256
//! of the SubjectPublicKeyInfo (stable while the key is kept, as in ELSTER renewals), prefixed by
//! the anchor name so two CAs can never collide. The organisation id: organizationIdentifier, else
//! a pseudonym over anchor and serialNumber, else no organisation ([`organisation`]). See
//! docs/certificates.md.

use crate::identity::{Attributes, Organisation, UpstreamSubject};
use sha2::{Digest, Sha256};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::oid_registry::Oid;

const OID_CN: &str = "2.5.4.3";
const OID_SURNAME: &str = "2.5.4.4";
const OID_SERIAL: &str = "2.5.4.5";
const OID_LOCALITY: &str = "2.5.4.7";
const OID_ORG: &str = "2.5.4.10";
const OID_GIVEN: &str = "2.5.4.42";
const OID_ORG_ID: &str = "2.5.4.97";
const OID_EMAIL: &str = "1.2.840.113549.1.9.1";

/// What the certificate says, before policy decides what to release.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertificateFacts {
    /// Subject CN.
    pub common_name: Option<String>,
    /// givenName.
    pub given_name: Option<String>,
    /// surname.
    pub surname: Option<String>,
    /// Subject serialNumber attribute (not the certificate serial).
    pub subject_serial: Option<String>,
    /// O.
    pub organisation: Option<String>,
    /// organizationIdentifier (e.g. VATDE-…, NTRDE-…).
    pub organisation_id: Option<String>,
    /// L (seat).
    pub locality: Option<String>,
    /// E-mail (subject emailAddress or SAN rfc822Name).
    pub email: Option<String>,
    /// SHA-256 of the SubjectPublicKeyInfo, base64url.
    pub spki_sha256: String,
    /// Certificate policy OIDs.
    pub policies: Vec<String>,
}

fn attr(cert: &X509Certificate<'_>, oid: &str) -> Option<String> {
    let oid: Oid<'static> = oid.parse().ok()?;
    cert.subject()
        .iter_attributes()
        .find(|a| a.attr_type() == &oid)
        .and_then(|a| a.as_str().ok())
        .map(str::to_owned)
}

/// Certificate-policy OIDs of a certificate.
pub fn policy_oids(cert: &X509Certificate<'_>) -> Vec<String> {
    cert.extensions()
        .iter()
        .filter_map(|e| match e.parsed_extension() {
            ParsedExtension::CertificatePolicies(p) => Some(p.iter().map(|pi| pi.policy_id.to_id_string()).collect::<Vec<_>>()),
            _ => None,
        })
        .flatten()
        .collect()
}

/// Extract the facts from a DER certificate.
pub fn facts(der: &[u8]) -> Option<CertificateFacts> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let san_email = cert.extensions().iter().find_map(|e| match e.parsed_extension() {
        ParsedExtension::SubjectAlternativeName(san) => san.general_names.iter().find_map(|g| match g {
            GeneralName::RFC822Name(m) => Some((*m).to_owned()),
            _ => None,
        }),
        _ => None,
    });
    let spki = Sha256::digest(cert.public_key().raw);
    Some(CertificateFacts {
        common_name: attr(&cert, OID_CN),
        given_name: attr(&cert, OID_GIVEN),
        surname: attr(&cert, OID_SURNAME),
        subject_serial: attr(&cert, OID_SERIAL),
        organisation: attr(&cert, OID_ORG),
        organisation_id: attr(&cert, OID_ORG_ID),
        locality: attr(&cert, OID_LOCALITY),
        email: attr(&cert, OID_EMAIL).or(san_email),
        spki_sha256: base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, spki),
        policies: policy_oids(&cert),
    })
}

/// The account binding for the pairwise `sub`.
pub fn subject(anchor: &str, f: &CertificateFacts) -> UpstreamSubject {
    match &f.subject_serial {
        Some(serial) => UpstreamSubject(format!("cert:{anchor}:serial:{serial}")),
        None => UpstreamSubject(format!("cert:{anchor}:spki:{}", f.spki_sha256)),
    }
}

/// Person claims: only what the certificate states.
pub fn person_attributes(f: &CertificateFacts) -> Attributes {
    let mut a = Attributes::new();
    let mut put = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            a.insert(k.to_owned(), serde_json::Value::String(v.clone()));
        }
    };
    put("name", &f.common_name);
    put("given_name", &f.given_name);
    put("family_name", &f.surname);
    put("email", &f.email);
    a
}

/// The organisation, for anchors that issue company certificates. Without O there is none.
///
/// Its id must be stable for the organisation and must never be shared by two organisations
/// (issue 9 item 5): the name alone is not enough, two companies of the same name under one CA
/// would become one. So the id is the organizationIdentifier (2.5.4.97, e.g. `NTRDE-HRB123456`,
/// ETSI EN 319 412-1 §5.1.4) where the certificate has one, otherwise a pseudonym over the anchor
/// and the subject's serialNumber the CA assigned. A certificate with neither has no stable
/// identifier: no organisation (the caller refuses the login).
pub fn organisation(anchor: &str, f: &CertificateFacts) -> Option<Organisation> {
    let name = f.organisation.clone()?;
    let id = match (&f.organisation_id, &f.subject_serial) {
        (Some(id), _) if !id.trim().is_empty() => id.clone(),
        (_, Some(serial)) if !serial.trim().is_empty() => {
            // Pseudonym: stable per anchor and serialNumber, reveals neither.
            let h = Sha256::digest(format!("bk-org\u{0}{anchor}\u{0}serial\u{0}{serial}").as_bytes());
            format!(
                "pseudonym:{}",
                base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &h[..16])
            )
        }
        _ => return None,
    };
    Some(Organisation {
        id,
        name: Some(name),
        legal_form: None,
        seat: f.locality.clone(),
        tax_number: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn company(name: &str, org_id: Option<&str>, serial: Option<&str>) -> CertificateFacts {
        CertificateFacts {
            organisation: Some(name.into()),
            organisation_id: org_id.map(Into::into),
            subject_serial: serial.map(Into::into),
            ..CertificateFacts::default()
        }
    }

    #[test]
    fn two_companies_of_the_same_name_under_one_ca_get_different_ids() {
        let a = organisation("ca", &company("Muster GmbH", None, Some("4711"))).unwrap();
        let b = organisation("ca", &company("Muster GmbH", None, Some("4712"))).unwrap();
        assert_ne!(a.id, b.id);
        assert!(!a.id.contains("4711"), "the serialNumber is not revealed: {}", a.id);
        let a = organisation("ca", &company("Muster GmbH", Some("NTRDE-HRB1"), None)).unwrap();
        let b = organisation("ca", &company("Muster GmbH", Some("NTRDE-HRB2"), None)).unwrap();
        assert_ne!(a.id, b.id);
        assert_eq!(a.id, "NTRDE-HRB1");
    }

    #[test]
    fn stable_for_the_same_organisation_and_preferring_the_organization_identifier() {
        let a = organisation("ca", &company("Muster GmbH", None, Some("4711"))).unwrap();
        let again = organisation("ca", &company("Muster GmbH (neu)", None, Some("4711"))).unwrap();
        assert_eq!(a.id, again.id, "a renamed company keeps its id");
        let other_ca = organisation("ca2", &company("Muster GmbH", None, Some("4711"))).unwrap();
        assert_ne!(a.id, other_ca.id, "serialNumbers are only unique per CA");
        let both = organisation("ca", &company("Muster GmbH", Some("VATDE-123"), Some("4711"))).unwrap();
        assert_eq!(both.id, "VATDE-123");
    }

    #[test]
    fn an_organisation_without_a_stable_identifier_is_refused() {
        assert_eq!(organisation("ca", &company("Muster GmbH", None, None)), None);
        assert_eq!(organisation("ca", &company("Muster GmbH", Some(" "), Some(""))), None);
        assert_eq!(organisation("ca", &CertificateFacts::default()), None);
    }
}
