//! Shared SAML 2.0 service-provider machinery (one SP entity, several upstream IdPs): AuthnRequest,
//! SP metadata, profiles and attribute mapping (the HTTP handlers — `/saml/metadata`, the ACS —
//! are at the edge, `http::saml`). The XML security core (safe parsing,
//! exc-c14n, XML-DSig, XML-Enc 1.1, the Response check pipeline) is the workspace crate
//! `saml-xmlsec` (crates/saml-xmlsec), used here through its public API.

pub mod authn_request;
pub mod logout;
pub mod mapping;
pub mod metadata;
pub mod post_binding;
pub mod profile;
pub mod refresh;
pub mod settings;
pub mod source;
pub mod sp;
pub mod upstream;

#[cfg(test)]
pub(crate) mod test_support;

pub use settings::SamlUpstreamConfig;
pub use upstream::SamlUpstream;

#[cfg(test)]
mod log_tests;
