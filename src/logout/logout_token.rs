//! The logout token (OIDC Back-Channel Logout 1.0 §2.4): a JWT with `typ: logout+jwt` (§2.4 and
//! RFC 8725 §3.11, so it can never pass as an ID or access token), signed with the broker keys in
//! the algorithm of the client's ID tokens (§2.6: the RP validates it like an ID token).
//!
//! Claims: `iss`, `aud` (the client), `iat`, `exp` (two minutes), `jti` (fresh per attempt),
//! `sid` and `sub` as the client knows them (both: `backchannel_logout_session_required` clients
//! get the `sid` they require, the others may key by `sub`), `events` with the back-channel
//! logout member as an empty object. Never a `nonce` (§2.4: prohibited, so it cannot be
//! mistaken for an ID token).

use super::queue::Delivery;
use crate::keys::KeyError;
use crate::oidc_provider::broker::Broker;
use crate::oidc_provider::settings::ClientConfig;
use serde::Serialize;

/// JOSE `typ` of logout tokens (§2.4).
pub const LOGOUT_TYP: &str = "logout+jwt";
/// The event member (§2.4).
pub const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
/// Lifetime of a logout token.
pub const LIFETIME_SECS: i64 = 120;

/// The claims.
#[derive(Debug, Clone, Serialize)]
pub struct LogoutClaims {
    /// Issuer.
    pub iss: String,
    /// Audience: the client id.
    pub aud: String,
    /// Issued at.
    pub iat: i64,
    /// Expiry.
    pub exp: i64,
    /// Unique id.
    pub jti: String,
    /// Subject as the client sees it.
    pub sub: String,
    /// Session id as the client sees it.
    pub sid: String,
    /// `{EVENT: {}}`.
    pub events: serde_json::Value,
}

/// Sign a logout token for `delivery` at `now`.
pub fn build(broker: &Broker, client: &ClientConfig, delivery: &Delivery, now: i64) -> Result<String, KeyError> {
    let claims = LogoutClaims {
        iss: broker.issuer().as_str().to_owned(),
        aud: client.id.to_string(),
        iat: now,
        exp: now + LIFETIME_SECS,
        jti: crate::ids::random_id(),
        sub: delivery.sub.clone(),
        sid: delivery.sid.clone(),
        events: serde_json::json!({ EVENT: {} }),
    };
    broker.keys().sign(client.id_token_alg, LOGOUT_TYP, &claims)
}
