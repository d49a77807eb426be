//! SAML messages of the development eID simulator: reading our AuthnRequest, writing the Response
//! the way the German eIDAS middleware does (reference/eid-saml.md §2): a signed Response whose one
//! assertion is encrypted and *not* signed; error Responses signed with no assertion; assertion
//! validity +10 minutes; LoA always high; NameID `unspecified` equal to the PersonIdentifier.

use super::persons::TestPerson;
use crate::saml::authn_request::{EIDAS_NS, SAMLP_NS, SAML_NS};
use crate::saml::metadata::{parse_xs_datetime, xs_datetime};
use crate::saml::profile::EIDAS_NP;
use crate::web::escape;
use std::io::Read;
use std::time::{Duration, SystemTime};

/// Largest inflated request we read (a deflate bomb stops here).
const MAX_REQUEST: u64 = 64 * 1024;

/// What the simulator takes from an AuthnRequest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRequest {
    /// `ID`.
    pub id: String,
    /// `Issuer`.
    pub issuer: String,
    /// `AssertionConsumerServiceURL`.
    pub acs_url: Option<String>,
    /// `IssueInstant`.
    pub issue_instant: Option<SystemTime>,
    /// `ForceAuthn="true"`.
    pub force_authn: bool,
    /// Requested attribute names.
    pub requested: Vec<String>,
    /// Requested LoA.
    pub loa: Option<String>,
}

/// Inflate a Redirect-binding `SAMLRequest` (Bindings §3.4.4.1: raw DEFLATE, base64).
pub fn inflate_redirect(b64: &str) -> Result<String, String> {
    let raw = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64.trim()).map_err(|_| "SAMLRequest is not base64")?;
    let mut out = String::new();
    flate2::read::DeflateDecoder::new(&raw[..])
        .take(MAX_REQUEST)
        .read_to_string(&mut out)
        .map_err(|_| "SAMLRequest is not DEFLATE-compressed UTF-8")?;
    Ok(out)
}

/// Parse an AuthnRequest (DOCTYPE refused by roxmltree's defaults).
pub fn parse_authn_request(xml: &str) -> Result<ParsedRequest, String> {
    let doc = roxmltree::Document::parse(xml).map_err(|_| "AuthnRequest is not well-formed XML")?;
    let r = doc.root_element();
    if r.tag_name().namespace() != Some(SAMLP_NS) || r.tag_name().name() != "AuthnRequest" {
        return Err("not a saml2p:AuthnRequest".into());
    }
    let child = |ns: &str, local: &str| {
        doc.descendants()
            .find(|n| n.is_element() && n.tag_name().namespace() == Some(ns) && n.tag_name().name() == local)
    };
    let id = r.attribute("ID").filter(|s| !s.is_empty()).ok_or("AuthnRequest has no ID")?;
    Ok(ParsedRequest {
        id: id.to_owned(),
        issuer: child(SAML_NS, "Issuer")
            .and_then(|n| n.text())
            .unwrap_or_default()
            .trim()
            .to_owned(),
        acs_url: r.attribute("AssertionConsumerServiceURL").map(str::to_owned),
        issue_instant: r.attribute("IssueInstant").and_then(parse_xs_datetime),
        force_authn: r.attribute("ForceAuthn") == Some("true"),
        requested: doc
            .descendants()
            .filter(|n| n.is_element() && n.tag_name().namespace() == Some(EIDAS_NS) && n.tag_name().name() == "RequestedAttribute")
            .filter_map(|n| n.attribute("Name").map(str::to_owned))
            .collect(),
        loa: child(SAML_NS, "AuthnContextClassRef")
            .and_then(|n| n.text())
            .map(|s| s.trim().to_owned()),
    })
}

/// The fixed parts of an answer.
#[derive(Debug, Clone)]
pub struct AnswerFrame<'a> {
    /// Simulator entity ID (Issuer).
    pub issuer: &'a str,
    /// ACS (Destination, Recipient).
    pub acs_url: &'a str,
    /// SP entity ID (Audience).
    pub audience: &'a str,
    /// The request answered.
    pub in_response_to: &'a str,
    /// Response ID.
    pub response_id: &'a str,
    /// Assertion ID.
    pub assertion_id: &'a str,
    /// Now.
    pub now: SystemTime,
}

fn response_open(f: &AnswerFrame<'_>) -> String {
    format!(
        r#"<saml2p:Response xmlns:saml2p="{SAMLP_NS}" xmlns:saml2="{SAML_NS}" ID="{}" Version="2.0" IssueInstant="{}" Destination="{}" InResponseTo="{}"><saml2:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">{}</saml2:Issuer>"#,
        f.response_id,
        xs_datetime(f.now),
        escape(f.acs_url),
        escape(f.in_response_to),
        escape(f.issuer)
    )
}

/// An error Response (unsigned here; the caller signs it): `Requester`/`AuthnFailed` + message.
pub fn error_response_xml(f: &AnswerFrame<'_>, message: &str) -> String {
    format!(
        r#"{}<saml2p:Status><saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Requester"><saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"/></saml2p:StatusCode><saml2p:StatusMessage>{}</saml2p:StatusMessage></saml2p:Status></saml2p:Response>"#,
        response_open(f),
        escape(message)
    )
}

/// A success Response around an `EncryptedAssertion` element (unsigned here).
pub fn success_response_xml(f: &AnswerFrame<'_>, encrypted_assertion: &str) -> String {
    format!(
        r#"{}<saml2p:Status><saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></saml2p:Status>{encrypted_assertion}</saml2p:Response>"#,
        response_open(f)
    )
}

fn attribute(local: &str, xsi_type: &str, value: &str) -> String {
    format!(
        r#"<saml2:Attribute FriendlyName="{local}" Name="{EIDAS_NP}{local}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri"><saml2:AttributeValue xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:eidas-natural="http://eidas.europa.eu/attributes/naturalperson" xsi:type="eidas-natural:{xsi_type}">{}</saml2:AttributeValue></saml2:Attribute>"#,
        escape(value)
    )
}

/// The plaintext assertion for `person`, with only the requested attributes the person has.
pub fn assertion_xml(f: &AnswerFrame<'_>, person: &TestPerson, requested: &[String]) -> String {
    let wants = |local: &str| requested.iter().any(|r| r.strip_prefix(EIDAS_NP) == Some(local));
    let mut attrs = String::new();
    let mut add = |local: &str, ty: &str, v: Option<String>| {
        if let (true, Some(v)) = (wants(local), v) {
            attrs.push_str(&attribute(local, ty, &v));
        }
    };
    add("PersonIdentifier", "PersonIdentifierType", Some(person.person_identifier.into()));
    add("CurrentFamilyName", "CurrentFamilyNameType", Some(person.family_name.into()));
    add("CurrentGivenName", "CurrentGivenNameType", Some(person.given_name.into()));
    add("DateOfBirth", "DateOfBirthType", Some(person.date_of_birth.into()));
    add("BirthName", "BirthNameType", person.birth_name.map(Into::into));
    add("PlaceOfBirth", "PlaceOfBirthType", person.place_of_birth.map(Into::into));
    add("CurrentAddress", "CurrentAddressType", person.address.map(address_b64));
    add("Nationality", "NationalityType", person.nationality.map(Into::into));
    assertion_envelope(f, person.person_identifier, "http://eidas.europa.eu/LoA/high", &attrs)
}

/// An attribute with one `xs:string` value (the ELSTER simulator's shape).
pub fn string_attribute(name: &str, value: &str) -> String {
    format!(
        r#"<saml2:Attribute Name="{}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri"><saml2:AttributeValue xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" xsi:type="xs:string">{}</saml2:AttributeValue></saml2:Attribute>"#,
        escape(name),
        escape(value)
    )
}

/// The assertion around already written `Attribute` elements (shared by both simulators):
/// bearer subject confirmation, audience, +10 minutes validity, `loa` as AuthnContextClassRef, a
/// SessionIndex (what a LogoutRequest to an IdP with a session names; the eID ignores it).
pub fn assertion_envelope(f: &AnswerFrame<'_>, name_id: &str, loa: &str, attrs: &str) -> String {
    let until = xs_datetime(f.now + Duration::from_secs(600));
    format!(
        r#"<saml2:Assertion xmlns:saml2="{SAML_NS}" ID="{aid}" Version="2.0" IssueInstant="{now}"><saml2:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">{iss}</saml2:Issuer><saml2:Subject><saml2:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">{pi}</saml2:NameID><saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml2:SubjectConfirmationData InResponseTo="{irt}" NotOnOrAfter="{until}" Recipient="{acs}"/></saml2:SubjectConfirmation></saml2:Subject><saml2:Conditions NotBefore="{now}" NotOnOrAfter="{until}"><saml2:AudienceRestriction><saml2:Audience>{aud}</saml2:Audience></saml2:AudienceRestriction></saml2:Conditions><saml2:AuthnStatement AuthnInstant="{now}" SessionIndex="_session{aid}"><saml2:AuthnContext><saml2:AuthnContextClassRef>{loa}</saml2:AuthnContextClassRef></saml2:AuthnContext></saml2:AuthnStatement><saml2:AttributeStatement>{attrs}</saml2:AttributeStatement></saml2:Assertion>"#,
        aid = f.assertion_id,
        now = xs_datetime(f.now),
        iss = escape(f.issuer),
        pi = escape(name_id),
        irt = escape(f.in_response_to),
        acs = escape(f.acs_url),
        aud = escape(f.audience),
        loa = escape(loa),
    )
}

/// eIDAS CurrentAddress: base64 of CurrentAddressStructuredType elements (Attribute Profile 1.2).
fn address_b64((street, number, postcode, city, country): (&str, &str, &str, &str, &str)) -> String {
    let xml = format!(
        "<eidas:LocatorDesignator>{}</eidas:LocatorDesignator><eidas:Thoroughfare>{}</eidas:Thoroughfare><eidas:PostName>{}</eidas:PostName><eidas:PostCode>{}</eidas:PostCode><eidas:AdminunitFirstline>{}</eidas:AdminunitFirstline>",
        escape(number),
        escape(street),
        escape(city),
        escape(postcode),
        escape(country)
    );
    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, xml)
}

#[cfg(test)]
mod tests;
