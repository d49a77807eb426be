//! Records the provider keeps in the session store between requests. They are the contract between
//! the authorization side (authorize, login, consent) and the token side (token, userinfo,
//! introspection, revocation). All are sealed (they carry personal data) and all expire.

use crate::identity::{Attributes, Organisation};
use crate::ids::{ClientId, CodeChallenge, GrantId, Nonce, OAuthState, PendingId, SessionId};
use crate::trust::TrustLevel;
use serde::{Deserialize, Serialize};

/// A relying party's authorization request, parked while the person logs in upstream
/// (design brief §1). Stored under [`crate::session::RecordKind::PendingAuthorization`] by `id`,
/// which is also the upstream transaction id (SAML RelayState).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingAuthorization {
    /// Random id (≥ 128 bits, base64url).
    pub id: PendingId,
    /// Verified client.
    pub client_id: ClientId,
    /// Verified redirect URI (exact match).
    pub redirect_uri: String,
    /// Granted-request scopes (already limited to the client's allowed scopes).
    pub scopes: Vec<String>,
    /// `state`, echoed byte for byte.
    pub state: Option<OAuthState>,
    /// `nonce`, carried into the ID token.
    pub nonce: Option<Nonce>,
    /// PKCE S256 challenge (RFC 7636 §4.2).
    pub code_challenge: CodeChallenge,
    /// Lowest acceptable level (client minimum, `acr_values`, essential `acr`).
    pub required_level: TrustLevel,
    /// The level was demanded as an essential claim (unmet → `unmet_authentication_requirements`).
    pub essential_acr: bool,
    /// Claims requested for the ID token through the `claims` parameter (OIDC Core §5.5).
    pub id_token_claims: Vec<String>,
    /// Claims requested for userinfo through the `claims` parameter.
    pub userinfo_claims: Vec<String>,
    /// `max_age` in seconds.
    pub max_age: Option<u64>,
    /// `prompt` values.
    pub prompt: Vec<String>,
    /// Page language (`de` or `en`).
    pub locale: String,
    /// `login_hint`, passed to the method where it understands one.
    pub login_hint: Option<String>,
    /// `idp_hint`: a method id that skips the choice page.
    pub idp_hint: Option<String>,
    /// When the request arrived (unix seconds).
    pub created_at: i64,
    /// Anti-CSRF token of the choice and consent forms (proves the form came from our page).
    #[serde(default)]
    pub csrf: String,
    /// The broker session this request runs in: the browser's session at `/authorize`, or the one
    /// created by the login. Lets a step-up keep the same session across the upstream round trip
    /// (which carries no cookie).
    #[serde(default)]
    pub session_id: Option<SessionId>,
    /// The upstream method started for this request; the identity must come from it.
    #[serde(default)]
    pub method: Option<String>,
    /// The person is authenticated for this request (fresh login or SSO); consent may follow.
    #[serde(default)]
    pub authenticated: bool,
    /// SHA-256 (base64url) of the browser-binding cookie set at `/authorize` (issue 9 item 1).
    /// Every upstream return leg must present the value; empty never matches.
    #[serde(default)]
    pub binding: String,
}

/// What a single-use authorization code stands for. Stored under
/// [`crate::session::RecordKind::AuthorizationCode`] by the SHA-256 of the code.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthorizationCode {
    /// The grant this code issues tokens for.
    pub grant_id: GrantId,
    /// Client the code was issued to.
    pub client_id: ClientId,
    /// Redirect URI of the authorization request (must match at the token endpoint).
    pub redirect_uri: String,
    /// PKCE S256 challenge.
    pub code_challenge: CodeChallenge,
    /// `nonce` for the ID token.
    pub nonce: Option<Nonce>,
    /// Expiry (unix seconds).
    pub expires_at: i64,
    /// The grant's `sid`, so that redemption reads the grant and the session's end marker in
    /// one round trip. Absent in codes written before it existed (then read after the grant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// The grant's scopes when they include `offline_access`, so that redemption can write the
    /// refresh token's record in its one batch (issue 13). Absent otherwise, and in codes written
    /// before it existed (then the family starts in a write of its own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_scopes: Option<Vec<String>>,
}

/// What one login released to one client. Tokens refer to it by id; deleting it revokes every
/// token issued from it. Stored under [`crate::session::RecordKind::Grant`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Grant {
    /// Random id.
    pub id: GrantId,
    /// Client.
    pub client_id: ClientId,
    /// Subject as the client sees it (pairwise or public).
    pub sub: String,
    /// Scopes granted.
    pub scopes: Vec<String>,
    /// Claims released to this client (already filtered by scope, client permission and consent).
    pub claims: Attributes,
    /// Claims to put into the ID token (names; values from `claims`).
    pub id_token_claims: Vec<String>,
    /// Organisation, for business logins (released only with the `org` scope).
    pub organisation: Option<Organisation>,
    /// Level reached.
    pub level: TrustLevel,
    /// RFC 8176 method references.
    pub amr: Vec<String>,
    /// Time of the upstream authentication (unix seconds).
    pub auth_time: i64,
    /// Broker session id as the client sees it (`sid`, OIDC Front/Back-Channel Logout).
    pub sid: String,
    /// Creation time.
    pub created_at: i64,
    /// Expiry: the longest lifetime of anything issued from it.
    pub expires_at: i64,
}
