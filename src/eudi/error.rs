//! Why a wallet presentation was refused. One enum for the verification core (each variant is one
//! failed check, named so a test can assert it); [`WalletError::reason`] gives the short, stable
//! class that logs and the audit trail carry. The person sees a generic page: the detail never
//! leaves the broker.

/// A refused presentation, or a verifier that could not do its job.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WalletError {
    /// The `vp_token` or a presentation in it is not what OpenID4VP / SD-JWT define.
    #[error("malformed presentation: {0}")]
    Malformed(String),
    /// A JWS algorithm we do not accept (`none`, HMAC, or anything outside the allow-list).
    #[error("algorithm not accepted: {0}")]
    Algorithm(String),
    /// The JOSE `typ` header is not the one required for this token.
    #[error("wrong typ {found:?}, expected {expected}")]
    WrongType {
        /// The required value.
        expected: &'static str,
        /// What the token carried.
        found: Option<String>,
    },
    /// The issuer's signature (or the status list token's) does not verify with the `x5c` leaf.
    #[error("issuer signature invalid")]
    IssuerSignature,
    /// The `x5c` chain does not lead to a configured PID-provider anchor.
    #[error("issuer not trusted: {0}")]
    UntrustedIssuer(String),
    /// The credential has expired (`exp`).
    #[error("credential expired")]
    Expired,
    /// The credential is not valid yet (`nbf`, or `iat` in the future beyond the skew).
    #[error("credential not yet valid")]
    NotYetValid,
    /// The credential's `vct` is not among the asked `vct_values`.
    #[error("vct not asked for: {0}")]
    WrongVct(String),
    /// `_sd_alg` other than `sha-256`.
    #[error("_sd_alg not supported: {0}")]
    SdAlg(String),
    /// A disclosure whose digest the issuer-signed payload does not reference.
    #[error("disclosure not referenced by the issuer")]
    UnreferencedDisclosure,
    /// The same digest twice (in the payload, or two identical disclosures).
    #[error("digest appears more than once")]
    DuplicateDigest,
    /// A disclosure naming `_sd` or `...`, or a claim name already present at its place.
    #[error("disclosure claim name refused: {0}")]
    ClaimName(String),
    /// `cnf` present but no key binding JWT (HAIP: KB-JWT required when `cnf` is present).
    #[error("key binding JWT missing")]
    KbMissing,
    /// `cnf.jwk` missing or unusable.
    #[error("holder key unusable: {0}")]
    HolderKey(String),
    /// The KB-JWT signature does not verify with `cnf.jwk`.
    #[error("key binding signature invalid")]
    KbSignature,
    /// KB-JWT `aud` is not our full client_id.
    #[error("key binding audience mismatch")]
    KbAudience,
    /// KB-JWT `nonce` is not this transaction's.
    #[error("key binding nonce mismatch")]
    KbNonce,
    /// KB-JWT `sd_hash` does not match the presentation.
    #[error("key binding sd_hash mismatch")]
    KbSdHash,
    /// KB-JWT `iat` outside the accepted window (stale, or in the future beyond the skew).
    #[error("key binding iat not fresh")]
    KbStale,
    /// The status list says the credential is not valid (revoked, suspended, …).
    #[error("credential status {0} (not valid)")]
    Revoked(u8),
    /// The status list could not be fetched or verified: no decision, so no login.
    #[error("status list unavailable: {0}")]
    StatusUnavailable(String),
    /// The status list token is invalid (signature, type, encoding, index out of range).
    #[error("status list invalid: {0}")]
    StatusList(String),
    /// The answer does not satisfy our DCQL query (credential missing or not asked, claim missing).
    #[error("presentation does not match the query: {0}")]
    Dcql(String),
    /// The PID lacks a claim the broker needs (the subject's basis).
    #[error("PID incomplete: {0}")]
    PidIncomplete(String),
    /// The verifier's own configuration (trust anchors, trusted list) is unusable.
    #[error("wallet trust configuration: {0}")]
    Config(String),
}

impl WalletError {
    /// Short, stable class for logs, metrics and the audit trail (no personal data in it).
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed",
            Self::Algorithm(_) => "algorithm",
            Self::WrongType { .. } => "wrong_typ",
            Self::IssuerSignature => "issuer_signature",
            Self::UntrustedIssuer(_) => "untrusted_issuer",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::WrongVct(_) => "wrong_vct",
            Self::SdAlg(_) => "sd_alg",
            Self::UnreferencedDisclosure => "unreferenced_disclosure",
            Self::DuplicateDigest => "duplicate_digest",
            Self::ClaimName(_) => "claim_name",
            Self::KbMissing => "kb_missing",
            Self::HolderKey(_) => "holder_key",
            Self::KbSignature => "kb_signature",
            Self::KbAudience => "kb_audience",
            Self::KbNonce => "kb_nonce",
            Self::KbSdHash => "kb_sd_hash",
            Self::KbStale => "kb_stale",
            Self::Revoked(_) => "revoked",
            Self::StatusUnavailable(_) => "status_unavailable",
            Self::StatusList(_) => "status_list",
            Self::Dcql(_) => "dcql",
            Self::PidIncomplete(_) => "pid_incomplete",
            Self::Config(_) => "config",
        }
    }
}
