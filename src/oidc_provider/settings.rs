//! The provider's settings, built and validated by `config` (`[oidc]`, `[[clients]]`): the
//! registered relying parties and the OIDC lifetimes and secrets. They live here, with the code
//! that uses them, so the provider does not depend on the configuration loader (issue 14).

use crate::ids::ClientId;
use crate::keys::SigningAlg;
use crate::secret::Secret;
use crate::trust::TrustLevel;
use std::path::PathBuf;
use std::time::Duration;

/// `[oidc]`, validated.
#[derive(Debug, Clone)]
pub struct OidcConfig {
    /// Versioned secrets for pairwise `sub` derivation; the first is current. Versions let a
    /// deployment add a secret without changing existing subjects (docs/security-model.md).
    pub pairwise_secrets: Vec<(u32, Secret)>,
    /// Authorization code lifetime (≤ 60 s).
    pub code_ttl: Duration,
    /// How long a relying party's request may wait for the upstream login.
    pub pending_ttl: Duration,
    /// Window in which a just-rotated refresh token may be presented again (concurrent tabs).
    pub refresh_grace: Duration,
}

/// How a client authenticates at the token, introspection and revocation endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientAuth {
    /// HTTP Basic (RFC 6749 §2.3.1) against a stored hash.
    SecretBasic { hash: String },
    /// Form parameters against a stored hash.
    SecretPost { hash: String },
    /// Signed JWT assertion (RFC 7523 §2.2, OIDC Core §9) verified with the client's JWKS.
    PrivateKeyJwt { jwks_file: PathBuf },
}

impl ClientAuth {
    /// The OIDC name of the method.
    pub fn name(&self) -> &'static str {
        match self {
            Self::SecretBasic { .. } => "client_secret_basic",
            Self::SecretPost { .. } => "client_secret_post",
            Self::PrivateKeyJwt { .. } => "private_key_jwt",
        }
    }
}

/// `public` or `pairwise` (OIDC Core §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectType {
    /// Same `sub` for every client.
    Public,
    /// Different `sub` per sector (default).
    Pairwise,
}

/// A registered relying party.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// `client_id`.
    pub id: ClientId,
    /// Name shown on the consent page.
    pub name: String,
    /// Client authentication.
    pub auth: ClientAuth,
    /// Exact redirect URIs (compared as strings, RFC 9700 §4.1.3).
    pub redirect_uris: Vec<String>,
    /// Where RP-initiated logout may return.
    pub post_logout_redirect_uris: Vec<String>,
    /// Scopes the client may request.
    pub scopes: Vec<String>,
    /// Claims the client may receive (explicit list, or all claims of its scopes).
    pub claims: Option<Vec<String>>,
    /// Lowest level this client accepts, whatever it asks for.
    pub min_level: TrustLevel,
    /// Subject type.
    pub subject_type: SubjectType,
    /// Sector for pairwise `sub`: clients of one sector see the same `sub`.
    pub sector: String,
    /// ID token signing algorithm.
    pub id_token_alg: SigningAlg,
    /// Access token lifetime.
    pub access_token_ttl: Duration,
    /// ID token lifetime.
    pub id_token_ttl: Duration,
    /// Refresh token lifetime; `None` = no refresh tokens.
    pub refresh_token_ttl: Option<Duration>,
    /// Methods this client allows (`None` = all).
    pub allowed_methods: Option<Vec<String>>,
    /// Only methods that yield an organisation (business services).
    pub organisation_only: bool,
    /// Skip the consent page (operator-vouched first-party service).
    pub skip_consent: bool,
    /// Where the broker POSTs logout tokens when a session this client got tokens in ends
    /// (OIDC Back-Channel Logout 1.0 §2.2); `None`: the client is not notified.
    pub backchannel_logout_uri: Option<String>,
    /// The client requires `sid` in logout tokens (§2.2). The broker always sends it; the flag is
    /// kept so the registration reads as the relying party wrote it.
    pub backchannel_logout_session_required: bool,
}

/// Scopes the provider knows (docs/relying-parties.md lists their claims).
pub const KNOWN_SCOPES: &[&str] = &[
    "openid",
    "profile",
    "address",
    "email",
    "birth",
    "nationality",
    "de_eid",
    "org",
    "tax_id",
    "offline_access",
];
