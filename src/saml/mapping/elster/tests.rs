use super::*;
use crate::saml::profile::{AttributeNames, ELSTER};
use saml_xmlsec::response::AttributeValue;

fn attr(local: &str, value: &str) -> SamlAttribute {
    SamlAttribute {
        name: format!("urn:buergerkonto:elster:attribute:{local}"),
        values: vec![AttributeValue {
            text: value.to_owned(),
            children: vec![],
        }],
    }
}

fn names() -> AttributeNames {
    AttributeNames::new(&ELSTER, vec![])
}

fn person() -> Vec<SamlAttribute> {
    vec![
        attr("AccountPseudonym", "acc-erika"),
        attr("CertificateKind", "personal"),
        attr("GivenNames", "Erika"),
        attr("Surname", "Mustermann"),
        attr("Title", "Dr."),
        attr("Email", "erika@example.de"),
        attr("IdNr", "02476291358"),
    ]
}

fn organisation() -> Vec<SamlAttribute> {
    vec![
        attr("AccountPseudonym", "acc-max"),
        attr("CertificateKind", "organisation"),
        attr("GivenNames", "Max"),
        attr("Surname", "Beispiel"),
        attr("OrganisationPseudonym", "org-musterbau"),
        attr("OrganisationName", "Musterbau GmbH"),
        attr("LegalForm", "GmbH"),
        attr("Seat", "Köln"),
        attr("Steuernummer", "2181508150"),
    ]
}

#[test]
fn personal_certificate_gives_person_claims_and_no_organisation() {
    let id = map_elster(&names(), &person(), TaxRelease::default()).unwrap();
    assert_eq!(id.mapped.subject.unwrap().0, "acc-erika");
    assert_eq!(id.amr, "elster");
    assert!(id.organisation.is_none());
    let a = &id.mapped.attributes;
    assert_eq!(a["given_name"], "Erika");
    assert_eq!(a["family_name"], "Mustermann");
    assert_eq!(a["academic_title"], "Dr.");
    assert_eq!(a["email"], "erika@example.de");
    assert!(!a.values().any(|v| v == "acc-erika"), "the pseudonym is not a claim");
}

#[test]
fn tax_id_only_when_released() {
    let id = map_elster(&names(), &person(), TaxRelease::default()).unwrap();
    assert!(!id.mapped.attributes.contains_key("tax_id"));
    let rel = TaxRelease {
        tax_id: true,
        tax_number: false,
    };
    let id = map_elster(&names(), &person(), rel).unwrap();
    assert_eq!(id.mapped.attributes["tax_id"], "02476291358");
}

#[test]
fn organisation_certificate_gives_the_organisation() {
    let id = map_elster(&names(), &organisation(), TaxRelease::default()).unwrap();
    assert_eq!(id.amr, "elster-org-cert");
    assert_eq!(id.mapped.subject.unwrap().0, "acc-max", "sub source is the acting account");
    let org = id.organisation.unwrap();
    assert_eq!(org.id, "org-musterbau");
    assert_eq!(org.name.as_deref(), Some("Musterbau GmbH"));
    assert_eq!(org.legal_form.as_deref(), Some("GmbH"));
    assert_eq!(org.seat.as_deref(), Some("Köln"));
    assert_eq!(org.tax_number, None, "Steuernummer not released without configuration");
    let rel = TaxRelease {
        tax_id: false,
        tax_number: true,
    };
    let org = map_elster(&names(), &organisation(), rel).unwrap().organisation.unwrap();
    assert_eq!(org.tax_number.as_deref(), Some("2181508150"));
}

#[test]
fn organisation_attributes_of_a_personal_certificate_are_ignored() {
    let mut attrs = person();
    attrs.push(attr("OrganisationPseudonym", "org-x"));
    attrs.push(attr("OrganisationName", "X AG"));
    let id = map_elster(&names(), &attrs, TaxRelease::default()).unwrap();
    assert!(id.organisation.is_none());
    assert_eq!(id.amr, "elster");
}

#[test]
fn incomplete_responses_are_refused() {
    let no_sub: Vec<_> = person().into_iter().filter(|a| !a.name.ends_with("AccountPseudonym")).collect();
    assert_eq!(
        map_elster(&names(), &no_sub, TaxRelease::default()).unwrap_err(),
        ElsterMappingError::NoAccountPseudonym
    );
    let mut two = person();
    two.push(attr("AccountPseudonym", "acc-other"));
    assert_eq!(
        map_elster(&names(), &two, TaxRelease::default()).unwrap_err(),
        ElsterMappingError::NoAccountPseudonym
    );
    let no_kind: Vec<_> = person().into_iter().filter(|a| !a.name.ends_with("CertificateKind")).collect();
    assert_eq!(
        map_elster(&names(), &no_kind, TaxRelease::default()).unwrap_err(),
        ElsterMappingError::UnknownCertificateKind
    );
    let no_org: Vec<_> = organisation()
        .into_iter()
        .filter(|a| !a.name.ends_with("OrganisationPseudonym"))
        .collect();
    assert_eq!(
        map_elster(&names(), &no_org, TaxRelease::default()).unwrap_err(),
        ElsterMappingError::NoOrganisationPseudonym
    );
}

#[test]
fn configured_names_are_used() {
    let n = AttributeNames::new(&ELSTER, vec![(AttributeKey::PersonIdentifier, "urn:nezo:accountId".into())]);
    let mut attrs = person();
    attrs[0].name = "urn:nezo:accountId".into();
    assert_eq!(
        map_elster(&n, &attrs, TaxRelease::default()).unwrap().mapped.subject.unwrap().0,
        "acc-erika"
    );
    // The default name no longer counts once overridden.
    assert!(map_elster(&n, &person(), TaxRelease::default()).is_err());
}
