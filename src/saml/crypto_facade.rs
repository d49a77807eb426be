//! The seam to the XML security primitives built on the `samlcore` branch (safe parsing, exclusive
//! c14n, XML-DSig, XML-Enc, the Response check pipeline). Everything SAML-SP-side calls *only* these
//! functions, so wiring the real implementation is a change to this one file.
//! The facade keeps the SP side's types (certificates, its own attribute shape) apart from the
//! core's; the mapping is here and nowhere else.

use super::sp::SignatureAlg;
use openssl::pkey::{PKey, Private};
use openssl::x509::X509;
use std::time::{Duration, SystemTime};

fn core_alg(alg: SignatureAlg) -> super::algorithms::SignatureAlgorithm {
    match alg {
        SignatureAlg::EcdsaSha256 => super::algorithms::SignatureAlgorithm::EcdsaSha256,
        SignatureAlg::RsaPssSha256 => super::algorithms::SignatureAlgorithm::RsaPssSha256,
    }
}

fn public_keys(certs: &[X509]) -> Result<Vec<PKey<openssl::pkey::Public>>, FacadeError> {
    certs
        .iter()
        .map(|c| c.public_key().map_err(|e| FacadeError::Failed(e.to_string())))
        .collect()
}

/// Why a crypto operation failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum FacadeError {
    /// The operation ran and failed (bad signature, malformed input …). Detail for logs only.
    #[error("{0}")]
    Failed(String),
}

/// Sign the element with `ID="{id}"` (the document root) with an enveloped XML-DSig signature:
/// exclusive c14n, SHA-256 digest, `alg`; the `ds:Signature` placed where the schema wants it
/// (after `saml:Issuer` in protocol messages, first child in metadata).
pub fn sign_enveloped(xml: &str, id: &str, key: &PKey<Private>, alg: SignatureAlg) -> Result<String, FacadeError> {
    super::dsig::sign_enveloped(xml, id, key, core_alg(alg), None).map_err(|e| FacadeError::Failed(e.to_string()))
}

/// HTTP-Redirect binding (SAML Bindings §3.4.4.1): `deflated_b64` is the base64 of the raw-DEFLATEd
/// XML; returns the whole query `SAMLRequest=…[&RelayState=…]&SigAlg=…&Signature=…` (URL-encoded),
/// the signature over the octets before `&Signature`. ECDSA values are DER here (the JCA/OpenSAML
/// convention of the middleware), unlike XML-DSig's raw r‖s.
pub fn sign_redirect_query(
    deflated_b64: &str,
    relay_state: Option<&str>,
    key: &PKey<Private>,
    alg: SignatureAlg,
) -> Result<String, FacadeError> {
    super::redirect::sign_redirect_query(
        super::redirect::RedirectMessage::Request,
        deflated_b64,
        relay_state,
        key,
        core_alg(alg),
    )
    .map_err(|e| FacadeError::Failed(e.to_string()))
}

/// Verify a Redirect-binding query (everything after `?`, as received) against a pinned
/// certificate; `SigAlg` must be ECDSA or RSA-PSS with SHA-2. Returns the still URL-encoded
/// `SAMLRequest` value. Used by the development simulator.
pub fn verify_redirect_query(raw_query: &str, cert: &X509) -> Result<String, FacadeError> {
    let keys = [cert.public_key().map_err(|e| FacadeError::Failed(e.to_string()))?];
    super::redirect::verify_redirect_query(
        raw_query,
        super::redirect::RedirectMessage::Request,
        super::algorithms::DEFAULT_SIGNATURE_ALGORITHMS,
        &keys,
    )
    .map(str::to_owned)
    .map_err(|e| FacadeError::Failed(e.to_string()))
}

/// Verify the single enveloped signature on the document root against pinned certificates only
/// (KeyInfo ignored). Returns the ID the signature's one Reference covers; callers require it to
/// equal the root's ID. Used for IdP metadata and by the simulator for POST AuthnRequests.
pub fn verify_enveloped(xml: &str, trusted: &[X509]) -> Result<String, FacadeError> {
    let keys = public_keys(trusted)?;
    let doc = super::xml::parse_bytes(xml.as_bytes()).map_err(|e| FacadeError::Failed(e.to_string()))?;
    let root = doc.root_element();
    super::dsig::verify_enveloped(&doc, root, super::algorithms::DEFAULT_SIGNATURE_ALGORITHMS, &keys)
        .map_err(|e| FacadeError::Failed(e.to_string()))?;
    Ok(root.attribute("ID").unwrap_or_default().to_owned())
}

/// Encrypt an assertion to a recipient: AES-256-GCM content, key transport RSA-OAEP
/// (SHA-256/MGF1-SHA256) for an RSA certificate or ECDH-ES + kw-aes256 for an EC one. Returns the
/// `saml2:EncryptedAssertion` element. Used by the development simulator.
pub fn encrypt_assertion(assertion_xml: &str, recipient: &X509) -> Result<String, FacadeError> {
    let key = recipient.public_key().map_err(|e| FacadeError::Failed(e.to_string()))?;
    super::xmlenc::encrypt_assertion(assertion_xml, &key).map_err(|e| FacadeError::Failed(e.to_string()))
}

/// What a Response must satisfy (reference/eid-saml.md "What the broker must do" 4–6).
#[derive(Clone)]
pub struct Expectations {
    /// Response `Destination` and SubjectConfirmation `Recipient`: our ACS URL.
    pub acs_url: String,
    /// `Audience`: our entity ID.
    pub audience: String,
    /// `Issuer` of Response and assertion: the IdP's entity ID.
    pub issuer: String,
    /// `InResponseTo`: the ID of the request recorded for this RelayState.
    pub in_response_to: String,
    /// Pinned IdP signing certificates (from verified metadata; never from KeyInfo).
    pub idp_signing_certs: Vec<X509>,
    /// Our decryption keys (current first, then rotated ones).
    pub decryption_keys: Vec<PKey<Private>>,
    /// Allowed clock skew (≤ 60 s).
    pub max_skew: Duration,
    /// Accept PKCS#1 `rsa-sha256` Response signatures (legacy upstreams only; never for eIDAS).
    pub allow_rsa_pkcs1: bool,
}

/// One attribute value: its text, and the (local name, text) of descendant elements with text, in
/// document order (structured values such as an eIDAS CurrentAddress or a TR-03130 StructuredPlace).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttributeValue {
    /// Concatenated direct text (trimmed).
    pub text: String,
    /// Descendant elements.
    pub children: Vec<(String, String)>,
}

/// One `saml2:Attribute`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamlAttribute {
    /// `Name`.
    pub name: String,
    /// Values.
    pub values: Vec<AttributeValue>,
}

/// The checked, decrypted assertion.
#[derive(Debug, Clone)]
pub struct VerifiedAssertion {
    /// Assertion `ID` (replay cache key).
    pub assertion_id: String,
    /// `Issuer`.
    pub issuer: String,
    /// `NameID` text.
    pub name_id: Option<String>,
    /// Earliest `NotOnOrAfter` of Conditions/SubjectConfirmationData (replay cache lifetime).
    pub not_on_or_after: SystemTime,
    /// `AuthnStatement/@AuthnInstant`.
    pub authn_instant: Option<SystemTime>,
    /// `AuthnContextClassRef`.
    pub authn_context_class_ref: Option<String>,
    /// Attributes.
    pub attributes: Vec<SamlAttribute>,
}

/// Why a Response was not accepted.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// A correctly signed Response with a non-success status (error responses carry no assertion).
    #[error("upstream status {code}")]
    Status {
        /// Top-level StatusCode.
        code: String,
        /// Second-level StatusCode.
        second_level: Option<String>,
        /// StatusMessage.
        message: Option<String>,
    },
    /// Any failed check (detail for logs only; the person sees one uniform message).
    #[error("response rejected: {0}")]
    Rejected(String),
}

/// Run the full Response check pipeline (signature, decryption, Destination, Recipient, Audience,
/// InResponseTo, Issuer, times) on the decoded `SAMLResponse` XML.
pub fn verify_response(xml: &str, expect: &Expectations, now: SystemTime) -> Result<VerifiedAssertion, ResponseError> {
    use super::algorithms::{SignatureAlgorithm, DEFAULT_SIGNATURE_ALGORITHMS};
    let keys = public_keys(&expect.idp_signing_certs).map_err(|e| ResponseError::Rejected(e.to_string()))?;
    let mut algs = DEFAULT_SIGNATURE_ALGORITHMS.to_vec();
    if expect.allow_rsa_pkcs1 {
        algs.push(SignatureAlgorithm::RsaPkcs1Sha256);
    }
    let core = super::response::Expectations {
        idp_entity_id: &expect.issuer,
        idp_signing_keys: &keys,
        acs_url: &expect.acs_url,
        sp_entity_id: &expect.audience,
        in_response_to: &expect.in_response_to,
        allowed_signature_algorithms: &algs,
        decryption_keys: &expect.decryption_keys,
        max_clock_skew: expect.max_skew,
    };
    match super::response::verify_response(xml.as_bytes(), &core, now) {
        Ok(v) => Ok(VerifiedAssertion {
            assertion_id: v.assertion_id,
            issuer: v.issuer,
            name_id: v.name_id,
            not_on_or_after: v.not_on_or_after,
            authn_instant: v.authn_instant,
            authn_context_class_ref: v.authn_context_class_ref,
            attributes: v
                .attributes
                .into_iter()
                .map(|(name, values)| SamlAttribute {
                    name,
                    values: values.into_iter().map(|text| AttributeValue { text, children: vec![] }).collect(),
                })
                .collect(),
        }),
        Err(super::errors::ResponseError::Status {
            top,
            second_level,
            message,
        }) => Err(ResponseError::Status {
            code: top,
            second_level,
            message,
        }),
        Err(e) => Err(ResponseError::Rejected(e.to_string())),
    }
}
