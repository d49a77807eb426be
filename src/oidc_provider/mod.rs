//! The OpenID Connect Provider facing relying parties (OIDC Core 1.0, Discovery 1.0, RFC 6749,
//! 7636, 7009, 7662, 7523, 9068, 9207, RFC 9700).

pub mod broker;
pub mod claims;
pub mod client_auth;
pub mod discovery;
pub mod errors;
pub mod introspect;
pub mod participants;
pub mod records;
pub mod revoke;
pub mod settings;
pub mod subject;
pub mod token;
pub mod tokens;
pub mod userinfo;
