//! Building and checking the tokens this provider issues.
//!
//! - **ID token** (OIDC Core §2, §3.1.3.6): signed with the client's `id_token_alg`, `typ: JWT`.
//!   `at_hash` is the left half of the hash of the access token, the hash being the one of the JWS
//!   algorithm: SHA-256 for ES256/RS256/PS256; for EdDSA (Ed25519) SHA-512, as OpenID Connect
//!   errata practice and the openidconnect crate do.
//! - **Access token** (RFC 9068): a JWT with `typ: at+jwt`, signed ES256 (or the first signing
//!   algorithm of the ring when no ES256 key is active). `aud` is the client id: the resource a case
//!   service protects is its own backend; this broker's userinfo accepts its own tokens by issuer,
//!   signature and `typ`. `gid` names the grant, so that deleting the grant revokes the token.
//!
//! A token is *live* when its signature, `typ`, `iss` and `exp` hold, its grant still exists and
//! belongs to the same client, its `jti` is not on the revocation list and its broker session had
//! not ended when it was issued ([`live_access_token`]).

use crate::ids::{ClientId, GrantId, Nonce};
use crate::keys::{KeyError, KeyRing, SigningAlg};
use crate::oidc_provider::records::Grant;
use crate::oidc_provider::settings::ClientConfig;
use crate::session::{RecordKind, Records, StoreError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha512};

/// JOSE `typ` of access tokens (RFC 9068 §2.1).
pub const AT_TYP: &str = "at+jwt";
/// JOSE `typ` of ID tokens.
pub const ID_TYP: &str = "JWT";

/// Claims of an access token (RFC 9068 §2.2, plus `acr`/`amr`/`auth_time`/`sid` of §2.2.1).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    /// Issuer.
    pub iss: String,
    /// Subject as the client sees it.
    pub sub: String,
    /// Audience: the client id.
    pub aud: String,
    /// Expiry.
    pub exp: i64,
    /// Issued at.
    pub iat: i64,
    /// Unique id (revocation list key).
    pub jti: String,
    /// Client.
    pub client_id: ClientId,
    /// Space-separated scopes.
    pub scope: String,
    /// Level reached.
    pub acr: String,
    /// Methods.
    pub amr: Vec<String>,
    /// Time of authentication.
    pub auth_time: i64,
    /// Session id as the client sees it.
    pub sid: String,
    /// Grant id (opaque).
    pub gid: GrantId,
}

impl AccessTokenClaims {
    /// Scopes as a list.
    pub fn scopes(&self) -> Vec<String> {
        self.scope.split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect()
    }
}

pub use crate::ids::random_id;

/// Store key for an opaque secret (code, refresh token): base64url(SHA-256(value)), so a store dump
/// holds no usable token.
pub fn hash_key(value: &str) -> String {
    crate::ids::store_id(value)
}

/// OIDC Core §3.1.3.6 `at_hash` (and §3.3.2.11 `c_hash`).
pub fn half_hash(alg: SigningAlg, value: &str) -> String {
    let digest: Vec<u8> = match alg {
        SigningAlg::ES256 | SigningAlg::RS256 | SigningAlg::PS256 => Sha256::digest(value.as_bytes()).to_vec(),
        SigningAlg::EdDSA => Sha512::digest(value.as_bytes()).to_vec(),
    };
    URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}

/// The algorithm access tokens are signed with.
pub fn access_token_alg(keys: &KeyRing) -> SigningAlg {
    let algs = keys.signing_algs();
    if algs.contains(&SigningAlg::ES256) {
        SigningAlg::ES256
    } else {
        algs.first().copied().unwrap_or(SigningAlg::ES256)
    }
}

/// Sign an access token for `grant` with `scopes`.
pub fn build_access_token(
    keys: &KeyRing,
    issuer: &str,
    client: &ClientConfig,
    grant: &Grant,
    scopes: &[String],
    now: i64,
) -> Result<(String, AccessTokenClaims), KeyError> {
    let claims = AccessTokenClaims {
        iss: issuer.to_owned(),
        sub: grant.sub.clone(),
        aud: client.id.to_string(),
        exp: now + client.access_token_ttl.as_secs() as i64,
        iat: now,
        jti: random_id(),
        client_id: client.id.clone(),
        scope: scopes.join(" "),
        acr: grant.level.acr().to_owned(),
        amr: grant.amr.clone(),
        auth_time: grant.auth_time,
        sid: grant.sid.clone(),
        gid: grant.id.clone(),
    };
    // Remembered as verified: the relying party presents it at userinfo and introspection next.
    let token = keys.sign_remembered(access_token_alg(keys), AT_TYP, &claims, claims.exp, now)?;
    Ok((token, claims))
}

/// Sign an ID token. `nonce` only at code redemption (OIDC Core §12.2: none after refresh).
pub fn build_id_token(
    keys: &KeyRing,
    issuer: &str,
    client: &ClientConfig,
    grant: &Grant,
    nonce: Option<&Nonce>,
    access_token: &str,
    now: i64,
) -> Result<String, KeyError> {
    let alg = client.id_token_alg;
    let mut claims = serde_json::Map::new();
    // Requested claims first (claims parameter, OIDC Core §5.5), so protocol claims win below.
    for name in &grant.id_token_claims {
        if let Some(v) = grant.claims.get(name) {
            claims.insert(name.clone(), v.clone());
        }
    }
    let mut put = |k: &str, v: serde_json::Value| {
        claims.insert(k.to_owned(), v);
    };
    put("iss", issuer.into());
    put("sub", grant.sub.clone().into());
    put("aud", client.id.as_str().into());
    put("azp", client.id.as_str().into());
    put("exp", (now + client.id_token_ttl.as_secs() as i64).into());
    put("iat", now.into());
    put("auth_time", grant.auth_time.into());
    put("acr", grant.level.acr().into());
    put("amr", grant.amr.clone().into());
    put("sid", grant.sid.clone().into());
    put("at_hash", half_hash(alg, access_token).into());
    if let Some(n) = nonce {
        put("nonce", n.as_str().into());
    }
    keys.sign(alg, ID_TYP, &serde_json::Value::Object(claims))
}

/// Why an access token is not live.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenInvalid {
    /// Signature, `kid`, `alg` or `typ` wrong (includes `alg: none`, HS256-with-public-key, ID tokens).
    #[error("not our access token: {0}")]
    Signature(String),
    /// Wrong issuer.
    #[error("wrong issuer")]
    Issuer,
    /// Expired.
    #[error("expired")]
    Expired,
    /// The grant is gone (revoked, code replay, refresh reuse) or belongs to another client.
    #[error("grant revoked")]
    GrantGone,
    /// The `jti` was revoked (RFC 7009).
    #[error("token revoked")]
    Revoked,
    /// Issued before the broker session it belongs to ended (logout).
    #[error("session ended")]
    SessionEnded,
    /// Store failed (fail closed).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Verify an access token and check that it is still live; returns its claims and grant.
pub async fn live_access_token(
    keys: &KeyRing,
    records: &Records,
    issuer: &str,
    token: &str,
    now: i64,
) -> Result<(AccessTokenClaims, Grant), TokenInvalid> {
    let claims: AccessTokenClaims = keys
        .verify_remembered(token, AT_TYP, now, |c: &AccessTokenClaims| c.exp)
        .map_err(|e| TokenInvalid::Signature(e.to_string()))?;
    if claims.iss != issuer {
        return Err(TokenInvalid::Issuer);
    }
    if claims.exp <= now {
        return Err(TokenInvalid::Expired);
    }
    // One round trip for the three records a live token needs (issue 13): the grant, the `jti`
    // revocation entry and the end marker of the session. `sid` in the token is the grant's
    // (`build_access_token`), so all three keys are known before anything is read.
    use crate::oidc_provider::participants::{ended_in, queue_ended};
    let mut batch = records.batch();
    let grant_slot = batch.get(RecordKind::Grant, claims.gid.as_str());
    let revoked_slot = batch.get(RecordKind::RevokedAccessToken, &claims.jti);
    let ended_slot = queue_ended(&mut batch, &claims.sid);
    let mut found = batch.run().await?;
    let grant: Grant = found.decode(grant_slot)?.ok_or(TokenInvalid::GrantGone)?;
    if grant.client_id != claims.client_id {
        return Err(TokenInvalid::GrantGone);
    }
    if found.decode::<u8>(revoked_slot)?.is_some() {
        return Err(TokenInvalid::Revoked);
    }
    // Logout ends every access token issued in the session up to that second (fail closed: one
    // issued in the same second dies too), also those of `offline_access` grants, whose refresh
    // tokens survive (participants.rs).
    let ended = if grant.sid == claims.sid {
        ended_in(&mut found, ended_slot)?
    } else {
        // A token whose `sid` is not its grant's (not one this broker issues): read the grant's.
        crate::oidc_provider::participants::ended_at(records, &grant.sid).await?
    };
    if let Some(end) = ended {
        if claims.iat <= end {
            return Err(TokenInvalid::SessionEnded);
        }
    }
    Ok((claims, grant))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_hash_is_left_half_of_the_digest() {
        // Expected value computed independently with Python's hashlib:
        // base64url(sha256(b"jHkWEdUXMU1BwAsC4vtUsZwnNxYuXOyP")[:16]).
        assert_eq!(
            half_hash(SigningAlg::RS256, "jHkWEdUXMU1BwAsC4vtUsZwnNxYuXOyP"),
            "_0X7-8VOj55nd2jDc-Tf0Q"
        );
        assert_eq!(
            half_hash(SigningAlg::ES256, "jHkWEdUXMU1BwAsC4vtUsZwnNxYuXOyP"),
            "_0X7-8VOj55nd2jDc-Tf0Q"
        );
        assert_eq!(half_hash(SigningAlg::EdDSA, "x").len(), 43, "32 bytes of SHA-512, base64url");
    }
}
