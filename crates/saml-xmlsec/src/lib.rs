//! # saml-xmlsec
//!
//! The XML security core of a SAML 2.0 service provider talking to the German eID servers (eIDAS
//! middleware, Governikus Autent) and ELSTER: safe parsing, exclusive XML canonicalization, XML-DSig,
//! XML Encryption 1.1 and the complete check pipeline of a signed Response with one encrypted
//! assertion. All cryptography is aws-lc-rs; nothing is hand-rolled.
//!
//! | module | what |
//! |---|---|
//! | [`xml`] | safe parsing of untrusted XML (no DTD, size/node/depth limits) with roxmltree |
//! | [`c14n`] | exc-c14n 1.0 without comments, serialized from the *same* parsed tree the checks read |
//! | [`dsig`] | enveloped XML-DSig: verify with pinned keys only, sign our own messages |
//! | [`redirect`] | signatures of the HTTP-Redirect binding (SAML Bindings §3.4.4.1) |
//! | [`xmlenc`] | `EncryptedAssertion`: AES-256-GCM with RSA-OAEP or ECDH-ES + ConcatKDF + AES-KW |
//! | [`logout`] | [`logout::verify_logout_response`]: a `<LogoutResponse>` (SLO, Redirect- or POST-signed) |
//! | [`response`] | [`response::verify_response`]: signature, assertion count, addressing, status, decryption, times, values |
//! | [`keys`] | [`PrivateKey`], [`PublicKey`], [`Certificate`] (PEM/DER, RSA and EC P-256/384/521) |
//! | [`untrusted`] | [`Untrusted`]: message-supplied strings print escaped and truncated in errors and logs |
//!
//! ```no_run
//! # fn demo(pem_key: &[u8], pem_idp_cert: &[u8], body: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
//! use saml_xmlsec::response::{verify_response, Expectations, DEFAULT_MAX_CLOCK_SKEW};
//! use saml_xmlsec::{Certificate, PrivateKey};
//! let exp = Expectations {
//!     acs_url: "https://broker.example/saml/acs".into(),
//!     audience: "https://broker.example/saml".into(),
//!     issuer: "https://eid.example/idp".into(),
//!     in_response_to: "_pending-request-id".into(),
//!     idp_signing_certs: vec![Certificate::from_pem(pem_idp_cert)?],
//!     decryption_keys: vec![PrivateKey::from_pem(pem_key)?],
//!     max_skew: DEFAULT_MAX_CLOCK_SKEW,
//!     allow_rsa_pkcs1: false,
//! };
//! let assertion = verify_response(body, &exp, std::time::SystemTime::now())?;
//! println!("{:?}", assertion.name_id.is_some());
//! # Ok(()) }
//! ```
//!
//! Errors are small enums in [`errors`]; their text is for logs, never for a page. See the crate
//! README for the algorithm allow-list, the attacks each check stops, fuzzing and the differential
//! c14n test against lxml.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod algorithms;
pub mod c14n;
pub mod dsig;
pub mod errors;
pub mod keys;
pub mod logout;
pub mod redirect;
pub mod response;
mod signing;
pub mod untrusted;
pub mod xml;
pub mod xmlenc;

pub use errors::{DsigError, ResponseError, XmlEncError, XmlError};
pub use keys::{Certificate, Curve, KeyError, KeyKind, PrivateKey, PublicKey};
pub use signing::can_sign;
pub use untrusted::Untrusted;

#[cfg(test)]
mod crypto_tests;
#[cfg(test)]
mod response_tests;
