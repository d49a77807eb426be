//! [`VerifiedIdentity`]: the one shape every upstream method produces, and its parts (the method
//! id, the upstream subject, attributes, organisation), or the [`AuthnError`] of a failed login. A low module of plain data, so the protocol
//! modules (`saml`, the certificate mapping) build identities without importing `authenticators`.

use crate::trust::TrustLevel;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A configured method id (`eid`, `elster`, `certificate`, `bank`, `dev` …): the value of `idp_hint`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MethodId(pub String);

impl MethodId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MethodId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The upstream's stable identifier of the person (e.g. eIDAS PersonIdentifier, ELSTER account
/// pseudonym, certificate serial). Never sent to relying parties: it only feeds the pairwise `sub`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpstreamSubject(pub String);

impl std::fmt::Debug for UpstreamSubject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UpstreamSubject([redacted])")
    }
}

/// Claims about the person, keyed by our claim names (docs/relying-parties.md). Only attributes the
/// upstream actually sent appear: nothing is invented.
pub type Attributes = BTreeMap<String, serde_json::Value>;

/// An organisation a business login acts for. Not a statement of statutory representation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    /// Stable identifier or pseudonym of the organisation.
    pub id: String,
    /// Registered name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Legal form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_form: Option<String>,
    /// Seat (city).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seat: Option<String>,
    /// Tax number, only where the method is configured to release it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_number: Option<String>,
}

/// The result of a successful upstream login.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VerifiedIdentity {
    /// Which method.
    pub method: MethodId,
    /// Level reached (already capped by the method's ceiling).
    pub level: TrustLevel,
    /// Stable upstream identifier (for the pairwise `sub`).
    pub subject: UpstreamSubject,
    /// Person attributes.
    pub attributes: Attributes,
    /// Organisation, for business logins.
    pub organisation: Option<Organisation>,
    /// RFC 8176 authentication method references.
    pub amr: Vec<String>,
    /// When the person authenticated (seconds since epoch).
    pub auth_time: i64,
    /// What ends the person's session at the upstream, where it keeps one (issue 11 item 5).
    #[serde(default)]
    pub upstream_session: Option<UpstreamSession>,
}

/// The upstream's own session behind a login, as far as the broker needs it to end it (issue 11
/// item 5). Kept in the broker session only (it expires with it; nothing is kept after logout). The
/// eID has no session to end (each eID login is a fresh card read), certificate logins neither.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UpstreamSession {
    /// An OpenID Provider: the ID token it issued, sent back as `id_token_hint` (RP-Initiated
    /// Logout 1.0 §2), and its `sid` when it sent one.
    Oidc {
        /// The ID token as received (RP-Initiated Logout §2 allows an encrypted one as received).
        id_token: String,
    },
    /// A SAML IdP: what a `<LogoutRequest>` must name (SAML Core §3.7.1).
    Saml {
        /// `<NameID>` value of the assertion's subject.
        name_id: String,
        /// Its `Format`.
        format: Option<String>,
        /// Its `NameQualifier`.
        name_qualifier: Option<String>,
        /// Its `SPNameQualifier`.
        sp_name_qualifier: Option<String>,
        /// `SessionIndex` of the `<AuthnStatement>`.
        session_index: Option<String>,
    },
}

impl fmt::Debug for UpstreamSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Both carry the person's upstream identifiers: never in a log.
        match self {
            Self::Oidc { .. } => f.write_str("UpstreamSession::Oidc([redacted])"),
            Self::Saml { .. } => f.write_str("UpstreamSession::Saml([redacted])"),
        }
    }
}

/// [`AuthnError::UpstreamFailure`] code of an upstream that wants an interactive login: the
/// relying party gets `login_required` (OIDC Core §3.1.2.6), as the upstream said.
pub const LOGIN_REQUIRED: &str = "login_required";

/// Why an upstream login did not produce an identity. Each maps to an OIDC error for the relying
/// party (OIDC Core §3.1.2.6; the mapping is `oidc_provider::errors::ErrorCode::from`) and a
/// readable page for the person.
#[derive(Debug, Clone, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum AuthnError {
    /// The person cancelled at the upstream.
    #[error("cancelled by the user")]
    Cancelled,
    /// The upstream reported a failure it explains (wrong PIN, card expired, …); `code` is a stable
    /// token for the page text, never shown raw.
    #[error("upstream reported failure: {code}")]
    UpstreamFailure { code: String },
    /// The response failed a security check (signature, decryption, replay, audience …).
    #[error("upstream response rejected: {0}")]
    Rejected(String),
    /// What came back could not be verified and nothing was consumed: the login stays open for
    /// the genuine answer (issue 9 item 4). Return legs show a page and continue nothing.
    #[error("upstream message not verified: {0}")]
    Unverified(String),
    /// The level reached is below what was required.
    #[error("trust level reached is too low")]
    LevelTooLow,
    /// The upstream could not be reached or is misconfigured.
    #[error("upstream unavailable: {0}")]
    Unavailable(String),
}
