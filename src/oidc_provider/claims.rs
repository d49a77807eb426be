//! Scopes → claims, and the filter that releases to a client only what it may receive.
//!
//! The table is the documented contract for relying parties (docs/relying-parties.md) and for the
//! upstream methods, which key [`Attributes`] by these claim names. OIDC Core §5.4 defines the
//! standard scopes; `birth`, `nationality`, `de_eid`, `org` and `tax_id` are ours (German eID
//! attributes, BSI TR-03130 / eIDAS minimum data set; ELSTER business logins and tax IDs).
//!
//! Release rule: a claim is released only if (1) a granted scope contains it, (2) the client's
//! configured `claims` list (if any) contains it, and (3) the upstream actually delivered it.
//! Nothing is ever invented or composed.

use crate::identity::{Attributes, Organisation};

/// Scope → claim names. `sub` is always in the ID token and never part of [`Attributes`].
pub const SCOPE_CLAIMS: &[(&str, &[&str])] = &[
    ("openid", &["sub"]),
    // OIDC Core §5.4 (subset we can fill from upstreams).
    ("profile", &["given_name", "family_name", "birthdate", "name"]),
    // OIDC Core §5.1.1 structured address object.
    ("address", &["address"]),
    // OIDC Core §5.4; filled by certificate logins whose certificate names one.
    ("email", &["email"]),
    // eID BirthName (our name: birth_family_name), PlaceOfBirth.
    ("birth", &["birth_family_name", "place_of_birth"]),
    // eID Nationality, as an array.
    ("nationality", &["nationalities"]),
    // Further eID attributes (academic_title also from ELSTER account data).
    ("de_eid", &["academic_title", "artistic_name", "document_type", "issuing_state"]),
    // Business logins: the organisation object (never statutory representation).
    ("org", &["org"]),
    // The person's Steuer-IdNr (ELSTER, only where the upstream has release_tax_id = true). Its own
    // scope so that no other scope ever carries a tax identifier.
    ("tax_id", &["tax_id"]),
];

/// Claims a scope stands for (empty for unknown scopes and `offline_access`).
pub fn claims_of_scope(scope: &str) -> &'static [&'static str] {
    SCOPE_CLAIMS.iter().find(|(s, _)| *s == scope).map(|(_, c)| *c).unwrap_or(&[])
}

/// All claim names the granted scopes stand for, within the client's list (without `sub`).
pub fn permitted_claims(scopes: &[String], client_claims: Option<&[String]>) -> Vec<&'static str> {
    let mut out = Vec::new();
    for scope in scopes {
        for claim in claims_of_scope(scope) {
            let allowed = client_claims.map(|l| l.iter().any(|c| c == claim)).unwrap_or(true);
            if *claim != "sub" && allowed && !out.contains(claim) {
                out.push(*claim);
            }
        }
    }
    out
}

/// The claims released to a client: permitted by scope and client, and actually present.
pub fn release(scopes: &[String], client_claims: Option<&[String]>, attributes: &Attributes, org: Option<&Organisation>) -> Attributes {
    let mut out = Attributes::new();
    for claim in permitted_claims(scopes, client_claims) {
        if claim == "org" {
            if let Some(value) = org.and_then(|o| serde_json::to_value(o).ok()) {
                out.insert(claim.to_owned(), value);
            }
        } else if let Some(value) = attributes.get(claim) {
            out.insert(claim.to_owned(), value.clone());
        }
    }
    out
}

/// Label of a claim for the consent page, `(de, en)`.
pub fn claim_label(claim: &str) -> (&'static str, &'static str) {
    match claim {
        "given_name" => ("Vorname", "Given name"),
        "family_name" => ("Familienname", "Family name"),
        "name" => ("Vollständiger Name", "Full name"),
        "birthdate" => ("Geburtsdatum", "Date of birth"),
        "address" => ("Anschrift", "Address"),
        "birth_family_name" => ("Geburtsname", "Birth name"),
        "place_of_birth" => ("Geburtsort", "Place of birth"),
        "nationalities" => ("Staatsangehörigkeit", "Nationality"),
        "academic_title" => ("Doktorgrad", "Academic title"),
        "artistic_name" => ("Künstler- oder Ordensname", "Artistic or religious name"),
        "document_type" => ("Ausweisart", "Document type"),
        "issuing_state" => ("Ausstellender Staat", "Issuing state"),
        "org" => ("Organisation (Name, Rechtsform, Sitz)", "Organisation (name, legal form, seat)"),
        "tax_id" => ("Steuerliche Identifikationsnummer", "Tax identification number"),
        "email" => ("E-Mail-Adresse", "E-mail address"),
        _ => ("Weitere Angabe", "Further information"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attrs() -> Attributes {
        let mut a = Attributes::new();
        a.insert("given_name".into(), json!("Erika"));
        a.insert("family_name".into(), json!("Mustermann"));
        a.insert("birth_family_name".into(), json!("Gabler"));
        a
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn only_granted_scopes() {
        let r = release(&s(&["openid", "profile"]), None, &attrs(), None);
        assert_eq!(r.keys().collect::<Vec<_>>(), ["family_name", "given_name"]);
    }

    #[test]
    fn client_list_limits() {
        let r = release(&s(&["openid", "profile", "birth"]), Some(&s(&["family_name"])), &attrs(), None);
        assert_eq!(r.keys().collect::<Vec<_>>(), ["family_name"]);
    }

    #[test]
    fn never_invents() {
        // birthdate and name are permitted but absent: not released, not composed.
        let r = release(&s(&["openid", "profile", "address", "org"]), None, &attrs(), None);
        assert!(!r.contains_key("birthdate") && !r.contains_key("name") && !r.contains_key("address") && !r.contains_key("org"));
    }

    #[test]
    fn org_object_only_with_org_scope() {
        let org = Organisation {
            id: "o1".into(),
            name: Some("Muster GmbH".into()),
            ..Default::default()
        };
        assert!(!release(&s(&["openid"]), None, &attrs(), Some(&org)).contains_key("org"));
        let r = release(&s(&["openid", "org"]), None, &attrs(), Some(&org));
        assert_eq!(r["org"]["name"], "Muster GmbH");
    }

    #[test]
    fn tax_id_needs_its_own_scope() {
        let mut a = attrs();
        a.insert("tax_id".into(), json!("02476291358"));
        let all_others: Vec<String> = SCOPE_CLAIMS.iter().map(|(s, _)| s.to_string()).filter(|s| s != "tax_id").collect();
        assert!(!release(&all_others, None, &a, None).contains_key("tax_id"));
        assert_eq!(release(&s(&["openid", "tax_id"]), None, &a, None)["tax_id"], "02476291358");
    }

    #[test]
    fn permitted_excludes_sub() {
        assert!(permitted_claims(&s(&["openid"]), None).is_empty());
    }
}
