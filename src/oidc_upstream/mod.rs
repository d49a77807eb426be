//! An upstream OpenID Connect provider (issue 10): bank identities (Norway BankID, yes®-style
//! banks, Verimi), ID-porten, eIDAS brokers — any OP that speaks the authorization code flow.
//!
//! The broker is the relying party here. One [`OidcUpstream`] per `[[oidc_upstreams]]` entry holds
//! its validated [`UpstreamSettings`] (built by `config`), the outbound HTTP client (aws-lc-rs
//! rustls; with the broker's client certificate for `tls_client_auth`) and the discovered provider
//! (metadata + JWKS, refreshed, last good kept). It knows nothing of axum, the pending login or
//! the relying party: `authenticators::oidc` drives it, `http::oidc_callback` feeds it the callback.
//!
//! One file per spec area:
//! - `discovery.rs`: OpenID Connect Discovery 1.0 §4 (fetch, issuer check, refresh), JWKS.
//! - `request.rs`: the authorization request (OIDC Core §3.1.2.1, PKCE RFC 7636, PAR RFC 9126).
//! - `client_auth.rs`: token endpoint client authentication (RFC 7523 §2.2, RFC 6749 §2.3.1,
//!   RFC 8705 §2.1).
//! - `token.rs`: the token request (RFC 6749 §4.1.3) and the callback's own checks (RFC 9207).
//! - `jwe.rs`: encrypted ID tokens (RFC 7516, RFC 7518 §4.3 / §4.6 / §5.3) on aws-lc-rs primitives.
//! - `id_token.rs`: ID token validation (OIDC Core §3.1.3.7), every check with its own error.
//! - `userinfo.rs`: userinfo as JSON or signed JWT (OIDC Core §5.3.2).
//! - `acr.rs`: upstream `acr` → our [`TrustLevel`](crate::trust::TrustLevel), per profile.
//! - `claims.rs`: claims mapping (dotted paths) and OIDC4IDA `verified_claims`.
//! - `transaction.rs`: what one login keeps between redirect and callback (sealed, single use).
//! - `logout.rs`: ending the OP's session (RP-Initiated Logout 1.0 §2) after the broker's.

pub mod acr;
mod backchannel;
pub mod claims;
pub mod client_auth;
pub mod discovery;
mod error;
pub mod id_token;
pub mod jwe;
pub mod logout;
pub mod request;
pub mod settings;
pub mod token;
pub mod transaction;
mod upstream;
pub mod userinfo;

pub use error::{OidcUpstreamError, UpstreamErrorCode};
pub use settings::{ClientAuth, ClientKey, DecryptionKey, MetadataSource, TlsIdentity, UpstreamSettings};
pub use upstream::{Callback, Kept, LoginOutcome, OidcUpstream, StartRequest, Started};

/// What `finish` needs of a parked [`transaction::Transaction`].
pub fn upstream_kept(t: &transaction::Transaction) -> Kept<'_> {
    Kept {
        nonce: &t.nonce,
        verifier: &t.verifier,
        redirect_uri: &t.redirect_uri,
        required: t.required_level,
        max_age: t.max_age,
    }
}

#[cfg(test)]
mod test_support;
