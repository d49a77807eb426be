//! Attributes of a verified assertion → our claims (docs/eid.md "Attribute mapping").
//!
//! Rules: an attribute that is absent, multi-valued where one value is expected, or unparsable is
//! *absent* from the result — never guessed or filled in. `PersonIdentifier` is not a claim: it is
//! the account binding ([`UpstreamSubject`]) from which the pairwise `sub` is derived.

pub mod elster;

use super::profile::{AttributeKey, Profile};
use crate::identity::{Attributes, UpstreamSubject};
use saml_xmlsec::response::{AttributeValue, SamlAttribute};
use serde_json::{json, Map, Value};

/// The mapped identity.
#[derive(Debug, Clone, Default)]
pub struct Mapped {
    /// The account binding (None if the upstream sent none, or several).
    pub subject: Option<UpstreamSubject>,
    /// Claims.
    pub attributes: Attributes,
}

/// Map attributes using the profile's names.
pub fn map_attributes(profile: &Profile, attrs: &[SamlAttribute]) -> Mapped {
    let values = |key: AttributeKey| -> Vec<&AttributeValue> {
        attrs
            .iter()
            .filter(|a| profile.key_for(&a.name) == Some(key))
            .flat_map(|a| a.values.iter())
            .collect()
    };
    let single = |key: AttributeKey| -> Option<String> {
        match values(key).as_slice() {
            [v] if v.children.is_empty() && !v.text.trim().is_empty() => Some(v.text.trim().to_owned()),
            _ => None,
        }
    };
    let mut out = Mapped {
        subject: single(AttributeKey::PersonIdentifier).map(UpstreamSubject),
        ..Mapped::default()
    };
    let given = single(AttributeKey::GivenName);
    if let Some(g) = &given {
        out.attributes.insert("given_name".into(), json!(g));
    }
    if let Some(f) = single(AttributeKey::FamilyName) {
        out.attributes.insert("family_name".into(), json!(f));
    }
    if let Some(d) = single(AttributeKey::DateOfBirth).and_then(|d| birthdate(&d)) {
        out.attributes.insert("birthdate".into(), json!(d));
    }
    if let Some(b) = single(AttributeKey::BirthName) {
        out.attributes
            .insert("birth_family_name".into(), json!(birth_family_name(&b, given.as_deref())));
    }
    if let Some(p) = single(AttributeKey::PlaceOfBirth) {
        // OpenID Connect for Identity Assurance `place_of_birth` is an object; eIDAS sends free text.
        out.attributes.insert("place_of_birth".into(), json!({ "locality": p }));
    }
    if let [v] = values(AttributeKey::CurrentAddress).as_slice() {
        if let Some(a) = address(v) {
            out.attributes.insert("address".into(), a);
        }
    }
    let nationalities: Vec<String> = values(AttributeKey::Nationality)
        .iter()
        .filter(|v| v.children.is_empty())
        .map(|v| v.text.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    if !nationalities.is_empty() {
        out.attributes.insert("nationalities".into(), json!(nationalities));
    }
    out
}

/// `YYYY-MM-DD` (eIDAS) or `YYYYMMDD` (TR-03130) → OIDC `birthdate` (Core §5.1). The middleware
/// writes unknown parts as `00` (TR-03130: spaces): a known year with unknown month/day gives `YYYY`
/// (allowed by §5.1); an unknown year, or any invalid date, gives nothing.
pub fn birthdate(raw: &str) -> Option<String> {
    // Spaces are meaningful (TR-03130 unknown parts), so only line breaks and tabs are trimmed.
    let digits: String = raw.trim_matches(['\n', '\r', '\t']).chars().filter(|c| *c != '-').collect();
    if digits.len() != 8 {
        return None;
    }
    let (y, m, d) = (&digits[0..4], &digits[4..6], &digits[6..8]);
    let year: i32 = y.parse().ok().filter(|y| *y > 0)?;
    let (Ok(month), Ok(day)) = (m.parse::<u32>(), d.parse::<u32>()) else {
        return Some(format!("{year:04}"));
    };
    if month == 0 || day == 0 {
        return Some(format!("{year:04}"));
    }
    chrono::NaiveDate::from_ymd_opt(year, month, day).map(|d| d.format("%Y-%m-%d").to_string())
}

/// The German middleware sends BirthName as "given names + birth name" ("Erika Gabler"); the
/// `birth_family_name` claim wants the family name only, so an exact leading given-name prefix is
/// dropped. Anything else is passed through unchanged.
fn birth_family_name(birth_name: &str, given: Option<&str>) -> String {
    if let Some(g) = given {
        if let Some(rest) = birth_name.strip_prefix(g).and_then(|r| r.strip_prefix(' ')) {
            if !rest.trim().is_empty() {
                return rest.trim().to_owned();
            }
        }
    }
    birth_name.to_owned()
}

/// eIDAS `CurrentAddress` (Attribute Profile 1.2 §2.2.1.5: base64 of CurrentAddressStructuredType
/// elements) or an already structured value → OIDC `address` (Core §5.1.1).
fn address(v: &AttributeValue) -> Option<Value> {
    let parts: Vec<(String, String)> = if !v.children.is_empty() {
        v.children.clone()
    } else {
        decode_address_xml(&v.text)?
    };
    let get = |names: &[&str]| {
        parts
            .iter()
            .find(|(n, t)| names.contains(&n.as_str()) && !t.trim().is_empty())
            .map(|(_, t)| t.trim().to_owned())
    };
    let street = match (get(&["Thoroughfare", "Street"]), get(&["LocatorDesignator"])) {
        (Some(s), Some(n)) => Some(format!("{s} {n}")),
        (Some(s), None) => Some(s),
        _ => None,
    };
    let mut m = Map::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            m.insert(k.into(), json!(v));
        }
    };
    put("street_address", street);
    put("locality", get(&["PostName", "City"]));
    put("postal_code", get(&["PostCode", "ZipCode"]));
    put("country", get(&["AdminunitFirstline", "Country"]));
    if m.is_empty() {
        // Only a free-text address: OIDC `formatted`.
        if let Some(f) = get(&["FullCvaddress"]) {
            m.insert("formatted".into(), json!(f));
        }
    }
    (!m.is_empty()).then_some(Value::Object(m))
}

fn decode_address_xml(b64: &str) -> Option<Vec<(String, String)>> {
    let compact: String = b64.split_whitespace().collect();
    let bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, compact).ok()?;
    let fragment = String::from_utf8(bytes).ok()?;
    // The fragment uses prefixes declared in the outer document; declare the usual ones. A DOCTYPE
    // inside cannot parse here (roxmltree refuses DTDs; a fragment cannot carry one anyway).
    let wrapped = format!(
        r#"<a xmlns:eidas="http://eidas.europa.eu/attributes/naturalperson" xmlns:eidas-natural="http://eidas.europa.eu/attributes/naturalperson">{fragment}</a>"#
    );
    let doc = roxmltree::Document::parse(&wrapped).ok()?;
    Some(
        doc.root_element()
            .descendants()
            .filter(|n| n.is_element() && n.children().all(|c| c.is_text()))
            .map(|n| (n.tag_name().name().to_owned(), n.text().unwrap_or_default().to_owned()))
            .collect(),
    )
}

#[cfg(test)]
mod tests;
