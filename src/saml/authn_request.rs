//! Building and signing the `saml2p:AuthnRequest` (SAML Core §3.4.1) for the eIDAS profile, and
//! encoding it for the HTTP-Redirect (Bindings §3.4, DEFLATE + signed query) or HTTP-POST
//! (Bindings §3.5, enveloped signature) binding.
//!
//! Middleware rules honoured here (reference/eid-saml.md §2): signed; `ForceAuthn="true"`,
//! `IsPassive="false"`; IssueInstant no older than 60 s on arrival, so the request is built at the
//! moment of sending; `eidas:SPType` in the request (and therefore not in our metadata);
//! `RequestedAuthnContext Comparison="minimum"`; the ACS URL equal to the one in our metadata.

use super::metadata::{xs_datetime, BINDING_POST};
use super::profile::{AttributeKey, Profile};
use super::sp::ServiceProvider;
use crate::escape::escape;
use rand::RngCore;
use saml_xmlsec::dsig::sign_enveloped;
use saml_xmlsec::redirect::{sign_redirect_query, RedirectMessage};
use saml_xmlsec::DsigError;
use std::time::SystemTime;
use url::Url;

/// eIDAS SAML extensions namespace.
pub const EIDAS_NS: &str = "http://eidas.europa.eu/saml-extensions";
/// SAML protocol namespace.
pub const SAMLP_NS: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
/// SAML assertion namespace.
pub const SAML_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";

/// Binding used to send the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// HTTP-Redirect: deflated request in the query, signature over the query string.
    Redirect,
    /// HTTP-POST: base64 request in a form, enveloped XML signature.
    Post,
}

/// `eidas:SPType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpType {
    /// A public-sector body.
    Public,
    /// A private-sector relying party (needs `Scoping/RequesterID`).
    Private,
}

impl SpType {
    fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Private => "private",
        }
    }
}

/// A request ID: `_` followed by 160 random bits in hex (SAML Core §1.3.4 wants ≥ 128 bits and an
/// `xs:ID`, which must not start with a digit; TR-03130 wants ≥ 32 hex characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    /// A fresh random ID from the OS generator.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 20];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Self(format!("_{hex}"))
    }

    /// The ID text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Everything a request says.
#[derive(Debug, Clone)]
pub struct RequestParams<'a> {
    /// Our SP.
    pub sp: &'a ServiceProvider,
    /// Profile tables.
    pub profile: &'static Profile,
    /// The IdP endpoint (`Destination`).
    pub destination: &'a Url,
    /// LoA URI requested with `Comparison="minimum"` (already translated to the profile's vocabulary).
    pub loa_uri: &'a str,
    /// `eidas:SPType`.
    pub sp_type: SpType,
    /// `Scoping/RequesterID` (private SPs).
    pub requester_id: Option<&'a str>,
    /// Attributes requested in addition to the profile's required ones.
    pub optional: &'a [AttributeKey],
    /// Configured attribute Names replacing the profile's defaults (ELSTER `attribute_names`).
    pub overrides: &'a [(AttributeKey, String)],
    /// Request ID.
    pub id: &'a RequestId,
    /// IssueInstant.
    pub now: SystemTime,
}

/// The unsigned request XML.
pub fn authn_request_xml(p: &RequestParams<'_>) -> String {
    let mut attrs = String::new();
    let mut keys: Vec<AttributeKey> = p.profile.always_requested.to_vec();
    for k in p.optional {
        if !keys.contains(k) {
            keys.push(*k);
        }
    }
    for k in keys {
        let name = match p.overrides.iter().find(|(o, _)| *o == k) {
            Some((_, n)) => Some(escape(n)),
            None => p.profile.attribute_name(k).map(str::to_owned),
        };
        if let Some(name) = name {
            let required = p.profile.always_requested.contains(&k) && p.profile.is_required(k);
            attrs.push_str(&format!(
                r#"<eidas:RequestedAttribute Name="{name}" NameFormat="{fmt}" isRequired="{required}"/>"#,
                fmt = p.profile.name_format
            ));
        }
    }
    let scoping = p
        .requester_id
        .map(|r| {
            format!(
                "<saml2p:Scoping><saml2p:RequesterID>{}</saml2p:RequesterID></saml2p:Scoping>",
                escape(r)
            )
        })
        .unwrap_or_default();
    format!(
        r#"<saml2p:AuthnRequest xmlns:saml2p="{SAMLP_NS}" xmlns:saml2="{SAML_NS}" xmlns:eidas="{EIDAS_NS}" ID="{id}" Version="2.0" IssueInstant="{instant}" Destination="{dest}" AssertionConsumerServiceURL="{acs}" ProtocolBinding="{BINDING_POST}" ForceAuthn="true" IsPassive="false"><saml2:Issuer>{issuer}</saml2:Issuer><saml2p:Extensions><eidas:SPType>{sp_type}</eidas:SPType><eidas:RequestedAttributes>{attrs}</eidas:RequestedAttributes></saml2p:Extensions><saml2p:NameIDPolicy AllowCreate="true" Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient"/><saml2p:RequestedAuthnContext Comparison="minimum"><saml2:AuthnContextClassRef>{loa}</saml2:AuthnContextClassRef></saml2p:RequestedAuthnContext>{scoping}</saml2p:AuthnRequest>"#,
        id = p.id.as_str(),
        instant = xs_datetime(p.now),
        dest = escape(p.destination.as_str()),
        acs = escape(p.sp.acs_url.as_str()),
        issuer = escape(&p.sp.entity_id),
        sp_type = p.sp_type.as_str(),
        loa = escape(p.loa_uri),
    )
}

/// Why a request could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// DEFLATE failed (cannot happen when writing to memory; kept typed instead of a panic).
    #[error("cannot compress the request")]
    Deflate,
    /// Signing failed.
    #[error(transparent)]
    Sign(#[from] DsigError),
}

/// Raw DEFLATE (RFC 1951) then base64: the `SAMLRequest` value of the Redirect binding
/// (Bindings §3.4.4.1), before URL encoding.
pub fn deflate_b64(xml: &str) -> Result<String, RequestError> {
    let deflated = crate::deflate::compress(xml.as_bytes()).ok_or(RequestError::Deflate)?;
    Ok(base64::Engine::encode(&base64::engine::general_purpose::STANDARD, deflated))
}

/// HTTP-Redirect: the full URL to send the browser to (no enveloped signature in the XML; the
/// signature covers the query).
pub fn redirect_url(p: &RequestParams<'_>, relay_state: &str) -> Result<Url, RequestError> {
    let xml = authn_request_xml(p);
    let query = sign_redirect_query(
        RedirectMessage::Request,
        &deflate_b64(&xml)?,
        Some(relay_state),
        &p.sp.signing.key.0,
        p.sp.signing_alg.algorithm(),
    )?;
    let mut url = p.destination.clone();
    let query = match url.query() {
        Some(existing) if !existing.is_empty() => format!("{existing}&{query}"),
        _ => query,
    };
    url.set_query(Some(&query));
    Ok(url)
}

/// HTTP-POST: the form fields (`SAMLRequest` = base64 of the signed XML, `RelayState`).
pub fn post_fields(p: &RequestParams<'_>, relay_state: &str) -> Result<Vec<(String, String)>, RequestError> {
    let xml = authn_request_xml(p);
    let signed = sign_enveloped(&xml, p.id.as_str(), &p.sp.signing.key.0, p.sp.signing_alg.algorithm(), None)?;
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, signed.as_bytes());
    Ok(vec![("SAMLRequest".into(), b64), ("RelayState".into(), relay_state.into())])
}

#[cfg(test)]
mod tests;
