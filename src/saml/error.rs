//! [`SamlError`]: why a SAML upstream login did not produce an identity. The SAML module's own
//! error, so it needs nothing of `authenticators`; the SAML authenticator maps each variant onto
//! the method-neutral `AuthnError` one to one (`authenticators::saml`). The texts are the same as
//! there: they reach the log and, for `Unverified`, the reason of a later attempt.

/// Why a SAML login failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SamlError {
    /// The IdP's status says the person cancelled (SAML Core §3.2.2.2, profile status tokens).
    #[error("cancelled by the user")]
    Cancelled,
    /// The IdP reported a failure it explains (wrong PIN, card expired, …); `code` is a stable
    /// token for the page text from the profile's table, never the IdP's raw message.
    #[error("upstream reported failure: {code}")]
    UpstreamFailure { code: String },
    /// The Response failed a security check; the transaction is decided.
    #[error("upstream response rejected: {0}")]
    Rejected(String),
    /// What came back could not be verified and nothing was consumed: the login stays open for
    /// the genuine answer (issue 9 item 4).
    #[error("upstream message not verified: {0}")]
    Unverified(String),
    /// The level reached (or asked for) is beyond what the upstream gives.
    #[error("trust level reached is too low")]
    LevelTooLow,
    /// The store or the request signing failed, or the upstream cannot serve the request.
    #[error("upstream unavailable: {0}")]
    Unavailable(String),
}
