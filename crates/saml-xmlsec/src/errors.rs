//! Error types of the SAML crypto and Response-validation layer, one small enum per operation.
//!
//! Messages are for logs and tests; the HTTP edge maps them to a generic page (never shown verbatim).
//! Every value taken from the message is an [`Untrusted`]: it prints escaped and truncated, so it
//! cannot forge a log line.

use thiserror::Error;

use crate::untrusted::Untrusted;

/// Refusal of untrusted XML before or during parsing (`xml::parse`).
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum XmlError {
    /// Larger than [`crate::xml::MAX_DOCUMENT_BYTES`].
    #[error("XML document too large")]
    TooLarge,
    /// Not UTF-8 (SAML messages are UTF-8 in practice; other encodings are refused).
    #[error("XML document is not UTF-8")]
    NotUtf8,
    /// A DOCTYPE, DTD or entity declaration (XXE, billion laughs: refused before parsing).
    #[error("DOCTYPE/DTD/entity declarations are not allowed")]
    Doctype,
    /// Nested deeper than [`crate::xml::MAX_DEPTH`].
    #[error("XML document nested too deeply")]
    TooDeep,
    /// Not well-formed (or too many nodes).
    #[error("malformed XML: {0}")]
    Malformed(Untrusted),
}

/// Failure of XML-DSig verification or signing (`dsig`).
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum DsigError {
    /// No `ds:Signature` as a direct child of the signed element.
    #[error("message is not signed")]
    Missing,
    /// More than one `ds:Signature` in the document (wrapping attacks, moved assertion signature).
    #[error("more than one ds:Signature in the document")]
    MultipleSignatures,
    /// The signature element does not have the one shape we accept (SignedInfo, SignatureValue, KeyInfo?).
    #[error("malformed ds:Signature: {0}")]
    Malformed(&'static str),
    /// Not exactly one `ds:Reference`.
    #[error("SignedInfo must contain exactly one Reference")]
    ReferenceCount,
    /// The Reference URI is not `#` + the ID of the signed (root) element.
    #[error("Reference does not point at the signed element's ID")]
    ReferenceTarget,
    /// An ID attribute value occurs more than once in the document.
    #[error("duplicate ID attribute values in the document")]
    DuplicateId,
    /// The signed element has no `ID` attribute.
    #[error("signed element has no ID")]
    NoId,
    /// A transform other than enveloped-signature followed by exc-c14n.
    #[error("transform not allowed: {0}")]
    Transform(Untrusted),
    /// CanonicalizationMethod is not exclusive c14n 1.0 without comments.
    #[error("canonicalization method not allowed: {0}")]
    Canonicalization(Untrusted),
    /// SignatureMethod not in the configured allow-list.
    #[error("signature algorithm not allowed: {0}")]
    SignatureAlgorithm(Untrusted),
    /// DigestMethod other than SHA-256/384/512.
    #[error("digest algorithm not allowed: {0}")]
    DigestAlgorithm(Untrusted),
    /// The digest of the referenced element does not match DigestValue.
    #[error("digest mismatch")]
    DigestMismatch,
    /// No pinned key verifies SignatureValue.
    #[error("signature value does not verify with any pinned key")]
    BadSignature,
    /// A key does not fit the algorithm (signing side).
    #[error("key does not fit the signature algorithm")]
    KeyMismatch,
    /// The signed document is unsafe or not well-formed.
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// The XML to sign could not be parsed or has no element with the given ID.
    #[error("cannot sign: {0}")]
    Input(&'static str),
    /// aws-lc-rs failed while signing.
    #[error("signing failed")]
    Crypto,
}

/// Failure of XML-Enc decryption or encryption (`xmlenc`).
///
/// Every decryption problem — unsupported or weak algorithm (rsa-1_5, OAEP with SHA-1, CBC, 3DES),
/// wrong key, bad tag, malformed structure — is the one variant [`XmlEncError::Decryption`], so the
/// result gives a padding or format oracle nothing to distinguish (XML-Enc 1.1 §6.5.1).
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum XmlEncError {
    /// Decryption refused or failed (deliberately uniform).
    #[error("the encrypted assertion cannot be decrypted")]
    Decryption,
    /// The recipient key is neither RSA nor a supported EC curve, or the input is not XML.
    #[error("cannot encrypt: {0}")]
    Input(&'static str),
    /// aws-lc-rs failed while encrypting.
    #[error("encryption failed")]
    Crypto,
}

/// Why a SAML Response was rejected (`response::verify_response`), in the order the checks run.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseError {
    /// Unsafe or malformed XML.
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// The document root is not a `samlp:Response`.
    #[error("document root is not a samlp:Response")]
    NotAResponse,
    /// The document root is not a `samlp:LogoutResponse` (`logout::verify_logout_response`).
    #[error("document root is not a samlp:LogoutResponse")]
    NotALogoutResponse,
    /// The Response signature failed one of its checks.
    #[error("response signature: {0}")]
    Signature(#[from] DsigError),
    /// The (signed) status is not Success: the caller maps the codes to a page and an OIDC error.
    #[error("status {code} / {second_level:?} / {message:?}")]
    Status {
        /// Top-level StatusCode value.
        code: Untrusted,
        /// Nested StatusCode value, if any (e.g. `urn:oasis:names:tc:SAML:2.0:status:AuthnFailed`).
        second_level: Option<Untrusted>,
        /// StatusMessage, if any (middleware-specific text, e.g. a cancellation reason).
        message: Option<Untrusted>,
    },
    /// Not exactly one EncryptedAssertion, or a plain Assertion somewhere.
    #[error("response must contain exactly one EncryptedAssertion and no plain Assertion")]
    AssertionCount,
    /// Decryption refused or failed (uniform, see [`XmlEncError`]).
    #[error(transparent)]
    Decryption(#[from] XmlEncError),
    /// The decrypted content is not exactly one saml:Assertion element.
    #[error("decrypted content is not exactly one Assertion")]
    DecryptedContent,
    /// Destination differs from our ACS URL (or is missing).
    #[error("Destination is not our ACS URL")]
    Destination,
    /// Response or Assertion Issuer differs from the configured IdP.
    #[error("Issuer is not the configured IdP")]
    Issuer,
    /// No bearer SubjectConfirmation whose data matches (Recipient, InResponseTo, NotOnOrAfter).
    #[error("no valid bearer SubjectConfirmation: {0}")]
    SubjectConfirmation(&'static str),
    /// Audience restriction does not name our SP entity ID.
    #[error("Audience is not our entity ID")]
    Audience,
    /// Outside Conditions NotBefore/NotOnOrAfter (with the allowed skew), or an AuthnInstant in the
    /// future.
    #[error("assertion not valid at this time: {0}")]
    Time(&'static str),
    /// Response InResponseTo is missing or not the pending AuthnRequest ID.
    #[error("InResponseTo does not match the pending request")]
    InResponseTo,
    /// A required element or attribute is missing or malformed.
    #[error("malformed response: {0}")]
    Malformed(&'static str),
}
