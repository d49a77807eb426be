//! The complete validation pipeline for a SAML 2.0 Response from an eID server / eIDAS middleware:
//! signed Response (pinned key), one encrypted, unsigned Assertion (eid-saml.md §0, §2).
//!
//! Order (docs/saml.md explains each step and the attacks it stops):
//! 1. safe parse (no DTD, limits); root is `samlp:Response`;
//! 2. the Response signature ([`super::dsig::verify_enveloped`]: one signature, one Reference to the
//!    root ID, unique IDs, enveloped + exc-c14n only, allowed SignatureMethod, SHA-2 digest, pinned key);
//! 3. no plain `Assertion` anywhere and at most one `EncryptedAssertion` (a direct child);
//! 4. Destination = our ACS, Issuer = the IdP, InResponseTo = the pending request (all signed);
//! 5. Status: anything but Success returns [`ResponseError::Status`] (the status was verified in 2);
//! 6. exactly one `EncryptedAssertion`; decryption with the XML-Enc 1.1 allow-list;
//! 7. the plaintext parsed by the same safe parser: exactly one `saml:Assertion`;
//! 8. Assertion Issuer; bearer SubjectConfirmation (Recipient, InResponseTo, NotOnOrAfter);
//!    Conditions (NotBefore/NotOnOrAfter with skew, Audience); then values are extracted.
//!
//! Status comes before the assertion count because error responses carry no assertion; Destination,
//! Issuer and InResponseTo come before it so an error is only reported for our own pending request.
//! The replay cache is the caller's: it stores [`VerifiedAssertion::assertion_id`] until
//! [`VerifiedAssertion::not_on_or_after`].

use std::fmt;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use roxmltree::Node;

use super::algorithms::{SignatureAlgorithm, DEFAULT_SIGNATURE_ALGORITHMS};
use super::dsig::verify_enveloped;
use super::errors::ResponseError;
use super::keys::{Certificate, PrivateKey, PublicKey};
use super::xml::{children_named, is, ns, only_child, parse_bytes, text_content};
use super::xmlenc::decrypt_encrypted_assertion;

/// SAML status code for success (SAML Core §3.2.2.2).
pub const STATUS_SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
/// Bearer subject confirmation (SAML Profiles §3.3).
pub const CM_BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
/// Default maximum clock skew between us and the IdP.
pub const DEFAULT_MAX_CLOCK_SKEW: Duration = Duration::from_secs(60);

/// What a Response must match: configuration of the upstream plus the pending request.
#[derive(Debug, Clone)]
pub struct Expectations {
    /// Response `Destination` and SubjectConfirmation `Recipient`: our ACS URL.
    pub acs_url: String,
    /// `Audience`: our SP entity ID.
    pub audience: String,
    /// `Issuer` of Response and Assertion: the IdP's entity ID.
    pub issuer: String,
    /// `InResponseTo`: the ID of the pending AuthnRequest of this browser (empty never matches).
    pub in_response_to: String,
    /// Pinned IdP signing certificates from verified metadata — never from the message's KeyInfo.
    pub idp_signing_certs: Vec<Certificate>,
    /// Our decryption keys (RSA and/or EC; current first, then rotated ones).
    pub decryption_keys: Vec<PrivateKey>,
    /// Allowed clock skew, normally [`DEFAULT_MAX_CLOCK_SKEW`] (at most 60 s).
    pub max_skew: Duration,
    /// Also accept PKCS#1 v1.5 `rsa-sha256` signatures (legacy upstreams only; never for eIDAS).
    pub allow_rsa_pkcs1: bool,
}

impl Expectations {
    /// The SignatureMethod allow-list: [`DEFAULT_SIGNATURE_ALGORITHMS`], plus PKCS#1 if allowed.
    pub fn signature_algorithms(&self) -> Vec<SignatureAlgorithm> {
        let mut algs = DEFAULT_SIGNATURE_ALGORITHMS.to_vec();
        if self.allow_rsa_pkcs1 {
            algs.push(SignatureAlgorithm::RsaPkcs1Sha256);
        }
        algs
    }
}

/// One `AttributeValue`: its full text and, for a structured value (an eIDAS `CurrentAddress` sent
/// as elements, a TR-03130 `StructuredPlace`), the (local name, text) of each descendant element
/// that holds only text, in document order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttributeValue {
    /// All text nodes concatenated (so a comment cannot truncate the signed value).
    pub text: String,
    /// Leaf elements below the value; empty for a plain value.
    pub children: Vec<(String, String)>,
}

/// One `saml:Attribute`: its `Name` and values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamlAttribute {
    /// `Name`.
    pub name: String,
    /// Values in document order.
    pub values: Vec<AttributeValue>,
}

/// The result of a fully verified Response. Contains personal data: Debug redacts the values.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifiedAssertion {
    /// The Response ID.
    pub response_id: String,
    /// The Assertion ID: the replay-cache key.
    pub assertion_id: String,
    /// The Assertion Issuer (= the configured IdP).
    pub issuer: String,
    /// Subject NameID text (all text nodes concatenated), if present.
    pub name_id: Option<String>,
    /// NameID Format, if present.
    pub name_id_format: Option<String>,
    /// NameID NameQualifier, if present (a `<LogoutRequest>` repeats it, SAML Core §3.7.1).
    pub name_qualifier: Option<String>,
    /// NameID SPNameQualifier, if present.
    pub sp_name_qualifier: Option<String>,
    /// `AuthnContextClassRef` (the LoA URI; the caller compares it with the level requested).
    pub authn_context_class_ref: Option<String>,
    /// Attributes in document order.
    pub attributes: Vec<SamlAttribute>,
    /// Until when the assertion must stay in the replay cache (earliest NotOnOrAfter seen).
    pub not_on_or_after: SystemTime,
    /// AuthnStatement SessionIndex, if present.
    pub session_index: Option<String>,
    /// AuthnStatement AuthnInstant, if present.
    pub authn_instant: Option<SystemTime>,
}

impl VerifiedAssertion {
    /// The values of the attribute `name` (empty if absent: never invent data).
    pub fn attribute(&self, name: &str) -> &[AttributeValue] {
        self.attributes
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.values.as_slice())
            .unwrap_or(&[])
    }
}

impl fmt::Debug for VerifiedAssertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedAssertion")
            .field("assertion_id", &self.assertion_id)
            .field("issuer", &self.issuer)
            .field("name_id", &self.name_id.as_ref().map(|_| "[redacted]"))
            .field("authn_context_class_ref", &self.authn_context_class_ref)
            .field("attributes", &self.attributes.iter().map(|a| a.name.as_str()).collect::<Vec<_>>())
            .field("not_on_or_after", &self.not_on_or_after)
            .finish_non_exhaustive()
    }
}

/// Verifies, decrypts and checks a SAML Response (the POSTed `SAMLResponse` after base64 decoding,
/// as bytes or text).
pub fn verify_response(xml: impl AsRef<[u8]>, exp: &Expectations, now: SystemTime) -> Result<VerifiedAssertion, ResponseError> {
    let doc = parse_bytes(xml.as_ref())?;
    let response = doc.root_element();
    if !is(response, ns::SAMLP, "Response") || response.attribute("Version") != Some("2.0") {
        return Err(ResponseError::NotAResponse);
    }
    let pinned: Vec<PublicKey> = exp.idp_signing_certs.iter().map(|c| c.public_key().clone()).collect();
    verify_enveloped(&doc, response, &exp.signature_algorithms(), &pinned)?;

    // Any element named Assertion, in any namespace (CVE-2022-41912: look-alikes in other namespaces).
    let mut encrypted = Vec::new();
    for n in doc.descendants().filter(Node::is_element) {
        match n.tag_name().name() {
            "Assertion" => return Err(ResponseError::AssertionCount),
            "EncryptedAssertion" => encrypted.push(n),
            _ => {}
        }
    }
    if encrypted.len() > 1
        || encrypted
            .iter()
            .any(|e| e.parent() != Some(response) || !is(*e, ns::SAML, "EncryptedAssertion"))
    {
        return Err(ResponseError::AssertionCount);
    }

    if response.attribute("Destination") != Some(exp.acs_url.as_str()) {
        return Err(ResponseError::Destination);
    }
    check_issuer(response, &exp.issuer)?;
    if exp.in_response_to.is_empty() || response.attribute("InResponseTo") != Some(exp.in_response_to.as_str()) {
        return Err(ResponseError::InResponseTo);
    }
    check_status(response)?;

    let [encrypted] = encrypted.as_slice() else {
        return Err(ResponseError::AssertionCount);
    };
    let plaintext = decrypt_encrypted_assertion(*encrypted, &exp.decryption_keys)?;
    let adoc = parse_bytes(&plaintext).map_err(|_| ResponseError::DecryptedContent)?;
    let assertion = adoc.root_element();
    let assertions = adoc
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "Assertion")
        .count();
    if !is(assertion, ns::SAML, "Assertion") || assertions != 1 || assertion.attribute("Version") != Some("2.0") {
        return Err(ResponseError::DecryptedContent);
    }
    super::xml::check_unique_ids(&adoc).map_err(|_| ResponseError::DecryptedContent)?;
    let assertion_id = assertion
        .attribute("ID")
        .filter(|v| !v.is_empty())
        .ok_or(ResponseError::Malformed("Assertion ID"))?;
    check_issuer(assertion, &exp.issuer)?;

    let subject = only_child(assertion, ns::SAML, "Subject").ok_or(ResponseError::Malformed("Subject"))?;
    let confirmation_expiry = check_subject_confirmation(subject, exp, now)?;
    let conditions_expiry = check_conditions(assertion, exp, now)?;

    let name_id = only_child(subject, ns::SAML, "NameID");
    let authn = only_child(assertion, ns::SAML, "AuthnStatement");
    let class_ref = authn
        .and_then(|a| only_child(a, ns::SAML, "AuthnContext"))
        .and_then(|c| only_child(c, ns::SAML, "AuthnContextClassRef"))
        .map(|r| text_content(r).trim().to_string());
    let authn_instant = authn_instant(authn, exp, now)?;
    Ok(VerifiedAssertion {
        response_id: response.attribute("ID").unwrap_or_default().to_string(),
        assertion_id: assertion_id.to_string(),
        issuer: exp.issuer.clone(),
        name_id: name_id.map(text_content),
        name_id_format: name_id.and_then(|n| n.attribute("Format")).map(str::to_string),
        name_qualifier: name_id.and_then(|n| n.attribute("NameQualifier")).map(str::to_string),
        sp_name_qualifier: name_id.and_then(|n| n.attribute("SPNameQualifier")).map(str::to_string),
        authn_context_class_ref: class_ref,
        attributes: attributes(assertion),
        not_on_or_after: confirmation_expiry.min(conditions_expiry),
        session_index: authn.and_then(|a| a.attribute("SessionIndex")).map(str::to_string),
        authn_instant,
    })
}

/// `AuthnStatement/@AuthnInstant`, refused when later than now + skew: a future instant would make
/// the authentication's age zero and defeat an OIDC `max_age` (issue 9). Missing stays `None`.
fn authn_instant(authn: Option<Node<'_, '_>>, exp: &Expectations, now: SystemTime) -> Result<Option<SystemTime>, ResponseError> {
    let Some(raw) = authn.and_then(|a| a.attribute("AuthnInstant")) else {
        return Ok(None);
    };
    let instant = parse_time(raw)?;
    if instant > now + exp.max_skew {
        return Err(ResponseError::Time("AuthnInstant in the future"));
    }
    Ok(Some(instant))
}

/// `Issuer` must be present, equal the IdP, and (if a Format is given) be an entity name.
pub(crate) fn check_issuer(parent: Node<'_, '_>, idp: &str) -> Result<(), ResponseError> {
    let issuer = only_child(parent, ns::SAML, "Issuer").ok_or(ResponseError::Issuer)?;
    let format_ok = issuer
        .attribute("Format")
        .is_none_or(|f| f == "urn:oasis:names:tc:SAML:2.0:nameid-format:entity");
    if !format_ok || text_content(issuer).trim() != idp {
        return Err(ResponseError::Issuer);
    }
    Ok(())
}

pub(crate) fn check_status(response: Node<'_, '_>) -> Result<(), ResponseError> {
    let status = only_child(response, ns::SAMLP, "Status").ok_or(ResponseError::Malformed("Status"))?;
    let code = only_child(status, ns::SAMLP, "StatusCode").ok_or(ResponseError::Malformed("StatusCode"))?;
    let top = code.attribute("Value").ok_or(ResponseError::Malformed("StatusCode Value"))?;
    if top == STATUS_SUCCESS {
        return Ok(());
    }
    Err(ResponseError::Status {
        code: top.into(),
        second_level: only_child(code, ns::SAMLP, "StatusCode")
            .and_then(|c| c.attribute("Value"))
            .map(Into::into),
        message: only_child(status, ns::SAMLP, "StatusMessage").map(|m| text_content(m).trim().into()),
    })
}

/// A bearer confirmation whose data names our ACS and pending request and has not expired
/// (SAML Profiles §4.1.4.2, §4.1.4.3). Returns its NotOnOrAfter.
fn check_subject_confirmation(subject: Node<'_, '_>, exp: &Expectations, now: SystemTime) -> Result<SystemTime, ResponseError> {
    let mut last = ResponseError::SubjectConfirmation("no bearer confirmation");
    for sc in children_named(subject, ns::SAML, "SubjectConfirmation").filter(|sc| sc.attribute("Method") == Some(CM_BEARER)) {
        match check_bearer_data(sc, exp, now) {
            Ok(t) => return Ok(t),
            Err(e) => last = e,
        }
    }
    Err(last)
}

fn check_bearer_data(sc: Node<'_, '_>, exp: &Expectations, now: SystemTime) -> Result<SystemTime, ResponseError> {
    use ResponseError::SubjectConfirmation as Sc;
    let data = only_child(sc, ns::SAML, "SubjectConfirmationData").ok_or(Sc("no SubjectConfirmationData"))?;
    if data.attribute("Recipient") != Some(exp.acs_url.as_str()) {
        return Err(Sc("Recipient"));
    }
    if data.attribute("InResponseTo") != Some(exp.in_response_to.as_str()) {
        return Err(Sc("InResponseTo"));
    }
    let not_on_or_after = parse_time(data.attribute("NotOnOrAfter").ok_or(Sc("NotOnOrAfter missing"))?)?;
    if now >= not_on_or_after + exp.max_skew {
        return Err(Sc("expired"));
    }
    if let Some(nb) = data.attribute("NotBefore") {
        if now + exp.max_skew < parse_time(nb)? {
            return Err(Sc("not yet valid"));
        }
    }
    Ok(not_on_or_after)
}

/// Conditions: required, validity window with skew, and every AudienceRestriction naming us
/// (SAML Core §2.5.1.4: all conditions must hold). Returns NotOnOrAfter (or the far future).
fn check_conditions(assertion: Node<'_, '_>, exp: &Expectations, now: SystemTime) -> Result<SystemTime, ResponseError> {
    let conditions = only_child(assertion, ns::SAML, "Conditions").ok_or(ResponseError::Malformed("Conditions"))?;
    if let Some(nb) = conditions.attribute("NotBefore") {
        if now + exp.max_skew < parse_time(nb)? {
            return Err(ResponseError::Time("not yet valid"));
        }
    }
    let expiry = match conditions.attribute("NotOnOrAfter") {
        Some(t) => {
            let t = parse_time(t)?;
            if now >= t + exp.max_skew {
                return Err(ResponseError::Time("expired"));
            }
            t
        }
        None => SystemTime::UNIX_EPOCH + Duration::from_secs(u32::MAX.into()),
    };
    let restrictions: Vec<_> = children_named(conditions, ns::SAML, "AudienceRestriction").collect();
    if restrictions.is_empty() {
        return Err(ResponseError::Audience);
    }
    for r in restrictions {
        if !children_named(r, ns::SAML, "Audience").any(|a| text_content(a).trim() == exp.audience) {
            return Err(ResponseError::Audience);
        }
    }
    Ok(expiry)
}

fn attributes(assertion: Node<'_, '_>) -> Vec<SamlAttribute> {
    children_named(assertion, ns::SAML, "AttributeStatement")
        .flat_map(|s| children_named(s, ns::SAML, "Attribute"))
        .filter_map(|a| {
            let name = a.attribute("Name")?.to_string();
            let values = children_named(a, ns::SAML, "AttributeValue").map(attribute_value).collect();
            Some(SamlAttribute { name, values })
        })
        .collect()
}

fn attribute_value(value: Node<'_, '_>) -> AttributeValue {
    let children = value
        .descendants()
        .skip(1)
        .filter(|n| n.is_element() && n.children().all(|c| !c.is_element()))
        .map(|n| (n.tag_name().name().to_string(), text_content(n)))
        .collect();
    AttributeValue {
        text: text_content(value),
        children,
    }
}

/// xs:dateTime in UTC (SAML Core §1.3.3), e.g. `2026-12-01T10:00:00Z` or with fractional seconds.
pub(crate) fn parse_time(s: &str) -> Result<SystemTime, ResponseError> {
    let t: DateTime<Utc> = DateTime::parse_from_rfc3339(s.trim())
        .map_err(|_| ResponseError::Malformed("dateTime"))?
        .with_timezone(&Utc);
    Ok(SystemTime::from(t))
}
