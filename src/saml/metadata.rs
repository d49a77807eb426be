//! SAML metadata (SAML 2.0 Metadata, OASIS saml-metadata-2.0-os).
//!
//! - Ours: an `EntityDescriptor` with one `SPSSODescriptor`, built here (samael's hard-codes
//!   `AuthnRequestsSigned="false"` and has no encryption key, reference/crates.md (d)) and signed.
//! - The IdP's: read from a configured file or URL (`saml::source`), its signature verified
//!   against the configured metadata-signing certificates; the IdP signing certificates are pinned
//!   from it. An IdP without a signing certificate is refused at start-up (samael pitfall 1: no
//!   certificate, no check at all).

use super::sp::ServiceProvider;
use crate::escape::escape;
use saml_xmlsec::algorithms::DEFAULT_SIGNATURE_ALGORITHMS;
use saml_xmlsec::dsig::{sign_enveloped, verify_document};
use saml_xmlsec::{Certificate, DsigError, KeyKind};
use std::time::{Duration, SystemTime};
use url::Url;

/// SAML metadata namespace.
pub const MD_NS: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
/// XML-DSig namespace.
pub const DS_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// HTTP-POST binding URI.
pub const BINDING_POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
/// HTTP-Redirect binding URI.
pub const BINDING_REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
/// XML-Enc 1.1 AES-256-GCM.
pub const AES256_GCM: &str = "http://www.w3.org/2009/xmlenc11#aes256-gcm";
/// XML-Enc 1.1 RSA-OAEP (with explicit SHA-256 digest and MGF1-SHA256).
pub const RSA_OAEP: &str = "http://www.w3.org/2009/xmlenc11#rsa-oaep";
/// XML-Enc 1.1 ECDH-ES key agreement.
pub const ECDH_ES: &str = "http://www.w3.org/2009/xmlenc11#ECDH-ES";

/// Format a time as `xs:dateTime` in UTC (SAML Core §1.3.3: no time-zone offset other than Z).
pub fn xs_datetime(t: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(t).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Parse an `xs:dateTime`.
pub fn parse_xs_datetime(s: &str) -> Option<SystemTime> {
    chrono::DateTime::parse_from_rfc3339(s.trim()).ok().map(SystemTime::from)
}

/// Build our SP metadata (unsigned). `id` becomes the root `ID` the signature references.
/// `logout_return`: our `SingleLogoutService` (`{issuer}/logout/return`), where an IdP sends its
/// `<LogoutResponse>` (Redirect or POST binding).
pub fn sp_metadata_xml(sp: &ServiceProvider, id: &str, logout_return: Option<&str>, now: SystemTime) -> String {
    let valid_until = xs_datetime(now + sp.metadata_validity);
    let transport = match sp.encryption.key.0.kind() {
        KeyKind::Rsa { .. } => RSA_OAEP,
        KeyKind::Ec(_) => ECDH_ES,
    };
    // SSODescriptorType order (Metadata §2.4.2): KeyDescriptor*, …, SingleLogoutService*, NameIDFormat*.
    let slo = logout_return
        .map(|l| {
            let l = escape(l);
            format!(r#"<md:SingleLogoutService Binding="{BINDING_REDIRECT}" Location="{l}"/><md:SingleLogoutService Binding="{BINDING_POST}" Location="{l}"/>"#)
        })
        .unwrap_or_default();
    // WantAssertionsSigned="false": the middleware signs the Response and encrypts an unsigned
    // assertion (reference/eid-saml.md §0); we require the Response signature instead.
    format!(
        r#"<md:EntityDescriptor xmlns:md="{MD_NS}" xmlns:ds="{DS_NS}" ID="{id}" entityID="{entity}" validUntil="{valid_until}"><md:SPSSODescriptor AuthnRequestsSigned="true" WantAssertionsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{sign_cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{enc_cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo><md:EncryptionMethod Algorithm="{AES256_GCM}"/><md:EncryptionMethod Algorithm="{transport}"/></md:KeyDescriptor>{slo}<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat><md:AssertionConsumerService Binding="{BINDING_POST}" Location="{acs}" index="0" isDefault="true"/></md:SPSSODescriptor></md:EntityDescriptor>"#,
        entity = escape(&sp.entity_id),
        sign_cert = sp.signing.cert_base64(),
        enc_cert = sp.encryption.cert_base64(),
        acs = escape(sp.acs_url.as_str()),
    )
}

/// Build and sign our SP metadata.
pub fn signed_sp_metadata(sp: &ServiceProvider, id: &str, logout_return: Option<&str>, now: SystemTime) -> Result<String, DsigError> {
    let xml = sp_metadata_xml(sp, id, logout_return, now);
    sign_enveloped(&xml, id, &sp.signing.key.0, sp.signing_alg.algorithm(), None)
}

/// What we take from an IdP's metadata.
#[derive(Debug, Clone)]
pub struct IdpMetadata {
    /// `entityID` (expected `Issuer`).
    pub entity_id: String,
    /// Signing certificates (`use="signing"` or no `use`), pinned.
    pub signing_certs: Vec<Certificate>,
    /// Encryption certificates (the simulator and TR-03130's encrypted extension need them).
    pub encryption_certs: Vec<Certificate>,
    /// `SingleSignOnService` for HTTP-Redirect.
    pub sso_redirect: Option<Url>,
    /// `SingleSignOnService` for HTTP-POST.
    pub sso_post: Option<Url>,
    /// `SingleLogoutService` for HTTP-Redirect (SAML Metadata §2.4.2; absent: no SLO).
    pub slo_redirect: Option<Url>,
    /// `SingleLogoutService` for HTTP-POST.
    pub slo_post: Option<Url>,
    /// The root's `validUntil` (Metadata §2.3.2): after it, the document must not be used.
    pub valid_until: Option<SystemTime>,
    /// The root's `cacheDuration` (Metadata §2.3.2): fetch again after at most this long.
    pub cache_duration: Option<Duration>,
}

/// Why IdP metadata was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MetadataError {
    /// Not well-formed, or has a DOCTYPE (refused: entities, XXE).
    #[error("not well-formed XML (or contains a DOCTYPE): {0}")]
    Parse(String),
    /// Root is not `md:EntityDescriptor`.
    #[error("root element is not md:EntityDescriptor")]
    NotEntityDescriptor,
    /// No `IDPSSODescriptor`.
    #[error("no md:IDPSSODescriptor")]
    NoIdpDescriptor,
    /// No signing certificate: we would be unable to verify anything.
    #[error("the IdP metadata has no signing certificate (KeyDescriptor use=\"signing\"); refusing an upstream whose responses cannot be verified")]
    NoSigningCertificate,
    /// A certificate is not parseable.
    #[error("a ds:X509Certificate is not a valid certificate")]
    BadCertificate,
    /// No usable SingleSignOnService.
    #[error("no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding")]
    NoSso,
    /// `validUntil` lies in the past.
    #[error("metadata expired (validUntil {0})")]
    Expired(String),
    /// The signature did not verify (or verification is unavailable).
    #[error("metadata signature not verified: {0}")]
    Signature(DsigError),
    /// The signature covers another element than the root.
    #[error("metadata signature does not cover the EntityDescriptor")]
    SignatureScope,
    /// `cacheDuration` is not an `xs:duration` we read.
    #[error("cacheDuration {0:?} is not an xs:duration (e.g. PT6H, P1D)")]
    CacheDuration(String),
}

/// Verify (when metadata-signing certificates are configured: any one of them may have signed,
/// so a federation can roll its signer over) and parse IdP metadata. The signature is checked
/// exactly as a Response's: one enveloped signature on the root, keys pinned by configuration,
/// none taken from the document.
pub fn load_idp_metadata(xml: &str, signers: Option<&[Certificate]>, now: SystemTime) -> Result<IdpMetadata, MetadataError> {
    // Parse first (cheap, and it refuses DOCTYPEs) so a broken file gives the precise message.
    let root_id = {
        let doc = parse(xml)?;
        doc.root_element().attribute("ID").map(str::to_owned)
    };
    if let Some(certs) = signers {
        let keys: Vec<_> = certs.iter().map(|c| c.public_key().clone()).collect();
        let covered = verify_document(xml, DEFAULT_SIGNATURE_ALGORITHMS, &keys).map_err(MetadataError::Signature)?;
        if root_id.as_deref() != Some(covered.as_str()) {
            return Err(MetadataError::SignatureScope);
        }
    }
    parse_idp_metadata(xml, now)
}

fn parse(xml: &str) -> Result<roxmltree::Document<'_>, MetadataError> {
    // roxmltree's default options refuse a DTD, so no entity can be declared or expanded.
    roxmltree::Document::parse(xml).map_err(|e| MetadataError::Parse(e.to_string()))
}

/// Parse IdP metadata without checking its signature (the caller has, or is in development).
pub fn parse_idp_metadata(xml: &str, now: SystemTime) -> Result<IdpMetadata, MetadataError> {
    let doc = parse(xml)?;
    let root = doc.root_element();
    if !is(root, MD_NS, "EntityDescriptor") {
        return Err(MetadataError::NotEntityDescriptor);
    }
    let valid_until = match root.attribute("validUntil") {
        None => None,
        Some(vu) => match parse_xs_datetime(vu) {
            Some(t) if t > now => Some(t),
            _ => return Err(MetadataError::Expired(vu.to_owned())),
        },
    };
    let cache_duration = match root.attribute("cacheDuration") {
        None => None,
        Some(d) => Some(parse_xs_duration(d).ok_or_else(|| MetadataError::CacheDuration(d.to_owned()))?),
    };
    let entity_id = root.attribute("entityID").unwrap_or_default().to_owned();
    let idp = root
        .children()
        .find(|n| is(*n, MD_NS, "IDPSSODescriptor"))
        .ok_or(MetadataError::NoIdpDescriptor)?;
    let mut signing_certs = Vec::new();
    let mut encryption_certs = Vec::new();
    for kd in idp.children().filter(|n| is(*n, MD_NS, "KeyDescriptor")) {
        let usage = kd.attribute("use");
        for c in kd.descendants().filter(|n| is(*n, DS_NS, "X509Certificate")) {
            let b64: String = c.text().unwrap_or_default().split_whitespace().collect();
            let der = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64).map_err(|_| MetadataError::BadCertificate)?;
            let cert = Certificate::from_der(&der).map_err(|_| MetadataError::BadCertificate)?;
            // SAML Metadata §2.4.1.1: a KeyDescriptor without `use` serves both purposes.
            if usage != Some("encryption") {
                signing_certs.push(cert.clone());
            }
            if usage != Some("signing") {
                encryption_certs.push(cert);
            }
        }
    }
    if signing_certs.is_empty() {
        return Err(MetadataError::NoSigningCertificate);
    }
    let endpoint = |element: &str, binding: &str| {
        idp.children()
            .filter(|n| is(*n, MD_NS, element))
            .find(|n| n.attribute("Binding") == Some(binding))
            .and_then(|n| n.attribute("Location"))
            .and_then(|l| Url::parse(l).ok())
    };
    let sso = |binding: &str| endpoint("SingleSignOnService", binding);
    let (sso_redirect, sso_post) = (sso(BINDING_REDIRECT), sso(BINDING_POST));
    // The SLO endpoint's own Location; a ResponseLocation (§2.2.2) concerns IdP-initiated logout,
    // which the broker does not take.
    let slo = |binding: &str| endpoint("SingleLogoutService", binding);
    let (slo_redirect, slo_post) = (slo(BINDING_REDIRECT), slo(BINDING_POST));
    if sso_redirect.is_none() && sso_post.is_none() {
        return Err(MetadataError::NoSso);
    }
    Ok(IdpMetadata {
        entity_id,
        signing_certs,
        encryption_certs,
        sso_redirect,
        sso_post,
        slo_redirect,
        slo_post,
        valid_until,
        cache_duration,
    })
}

/// Parse a non-negative `xs:duration` (XML Schema Part 2 §3.2.6) as metadata's `cacheDuration`
/// uses it: `PnDTnHnMnS` with any part omitted (`PT6H`, `P1D`, `PT1H30M`, `PT0.5S`). Years and
/// months have no fixed length and are refused, as is a negative duration.
pub fn parse_xs_duration(s: &str) -> Option<Duration> {
    let rest = s.trim().strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return None,
        None => (rest, None),
    };
    let mut secs = 0f64;
    let mut any = false;
    let mut take = |part: &str, units: &[(char, f64)], fractions: bool| -> Option<()> {
        let mut number = String::new();
        let mut next_unit = 0;
        for c in part.chars() {
            if c.is_ascii_digit() || (fractions && c == '.') {
                number.push(c);
                continue;
            }
            let at = units.iter().skip(next_unit).position(|(u, _)| *u == c)? + next_unit;
            // Only seconds may have a fraction (XML Schema Part 2 §3.2.6.1).
            if c != 'S' && number.contains('.') {
                return None;
            }
            let value: f64 = number.parse().ok()?;
            secs += value * units[at].1;
            (next_unit, any) = (at + 1, true);
            number.clear();
        }
        number.is_empty().then_some(())
    };
    take(date, &[('D', 86_400.0)], false)?;
    if let Some(t) = time {
        take(t, &[('H', 3_600.0), ('M', 60.0), ('S', 1.0)], true)?;
    }
    (any && secs.is_finite() && secs < 1e12).then(|| Duration::from_secs_f64(secs))
}

fn is(n: roxmltree::Node<'_, '_>, ns: &str, local: &str) -> bool {
    n.is_element() && n.tag_name().name() == local && n.tag_name().namespace() == Some(ns)
}

#[cfg(test)]
mod tests;
