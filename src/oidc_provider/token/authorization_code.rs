//! The `authorization_code` grant (RFC 6749 §4.1.3, OIDC Core §3.1.3.2, RFC 7636 §4.5-4.6).
//!
//! Checks: the code record is *taken* atomically (single use); it was issued to the authenticated
//! client; `redirect_uri` is identical to the authorization request's; the PKCE S256 verifier
//! matches the challenge; the code has not expired (injected clock).
//!
//! A second redemption of a code (RFC 6749 §4.1.2: "SHOULD revoke all tokens previously issued
//! based on that authorization code") finds no code but the [`RecordKind::RedeemedCode`] marker,
//! and deletes that grant, so every token issued from it dies. The marker is written when the code
//! is *issued* ([`remember_issued`]) and lives for [`REDEEMED_MARKER_TTL`], so even a replay racing
//! the first redemption finds it (there is no window between taking the code and writing it). Once a code is taken, every later failure also deletes the grant: the
//! code cannot be used again, and an orphaned grant must not linger.

use crate::ids::{ClientId, GrantId, Nonce, RefreshToken};
use crate::oidc_provider::records::{AuthorizationCode, Grant};
use crate::oidc_provider::tokens::hash_key;
use crate::session::{RecordBatch, RecordKind, Records, StoreError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::time::Duration;
use subtle::ConstantTimeEq;

/// How long a redeemed code is remembered to detect a second redemption.
pub const REDEEMED_MARKER_TTL: Duration = Duration::from_secs(600);

/// Marker left by the first redemption.
#[derive(Debug, Serialize, Deserialize)]
pub struct RedeemedMarker {
    /// The grant the first redemption issued tokens for.
    pub grant_id: GrantId,
}

/// Remember, at issuance, which grant a code stands for (see the module docs).
pub async fn remember_issued(records: &Records, code_key: &str, grant_id: &GrantId) -> Result<(), StoreError> {
    let marker = RedeemedMarker {
        grant_id: grant_id.clone(),
    };
    records.put(RecordKind::RedeemedCode, code_key, &marker, REDEEMED_MARKER_TTL).await
}

/// [`remember_issued`] as part of a batch (login writes the grant, the marker and the code in
/// one round trip).
pub fn queue_issued(batch: &mut RecordBatch<'_>, code_key: &str, grant_id: &GrantId) -> Result<(), StoreError> {
    let marker = RedeemedMarker {
        grant_id: grant_id.clone(),
    };
    batch.put(RecordKind::RedeemedCode, code_key, &marker, REDEEMED_MARKER_TTL)
}

/// Why a code was not redeemed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RedeemError {
    /// A required parameter is missing or malformed (`invalid_request`).
    #[error("invalid request: {0}")]
    Request(&'static str),
    /// Unknown code (`invalid_grant`).
    #[error("unknown code")]
    Unknown,
    /// Second redemption: the first one's grant was revoked (`invalid_grant`).
    #[error("code replayed; grant revoked")]
    Replayed,
    /// Issued to another client (`invalid_grant`).
    #[error("code issued to another client")]
    WrongClient,
    /// `redirect_uri` differs (`invalid_grant`).
    #[error("redirect_uri mismatch")]
    RedirectUri,
    /// PKCE verifier does not match (`invalid_grant`, RFC 7636 §4.6).
    #[error("PKCE verifier mismatch")]
    Pkce,
    /// Expired (`invalid_grant`).
    #[error("code expired")]
    Expired,
    /// Grant missing (`invalid_grant`).
    #[error("grant gone")]
    GrantGone,
    /// The broker session the code was issued in has ended (logout) (`invalid_grant`).
    #[error("session ended")]
    SessionEnded,
    /// Store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The parameters of a code redemption.
pub struct CodeRequest<'a> {
    /// `code`.
    pub code: Option<&'a str>,
    /// `redirect_uri`.
    pub redirect_uri: Option<&'a str>,
    /// `code_verifier`.
    pub code_verifier: Option<&'a str>,
}

/// RFC 7636 §4.1: 43..128 characters of `[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"`.
pub fn verifier_syntax_ok(v: &str) -> bool {
    (43..=128).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge, in constant time.
pub fn pkce_s256_matches(verifier: &str, challenge: &str) -> bool {
    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    bool::from(computed.as_bytes().ct_eq(challenge.as_bytes()))
}

/// What a redeemed code yields.
#[derive(Debug)]
pub struct Redeemed {
    /// The grant the code stood for.
    pub grant: Grant,
    /// `nonce` for the ID token.
    pub nonce: Option<Nonce>,
    /// The new refresh token family's first token, when one was asked for and the code's record
    /// named the grant's `offline_access` scopes; `None` otherwise (also for codes written before
    /// the record named them: the caller then starts the family itself).
    pub refresh_token: Option<RefreshToken>,
}

/// Redeem a code for `client_id`. With `family_end` (the client gets refresh tokens: the family's
/// absolute end, unix seconds), a code whose grant has `offline_access` also starts the refresh
/// token family, in the same round trip as the grant's read.
pub async fn redeem(
    records: &Records,
    client_id: &ClientId,
    req: &CodeRequest<'_>,
    family_end: Option<i64>,
    now: i64,
) -> Result<Redeemed, RedeemError> {
    let code = req.code.ok_or(RedeemError::Request("code missing"))?;
    let redirect_uri = req.redirect_uri.ok_or(RedeemError::Request("redirect_uri missing"))?;
    let verifier = req
        .code_verifier
        .ok_or(RedeemError::Request("code_verifier missing (PKCE is required)"))?;
    if !verifier_syntax_ok(verifier) {
        return Err(RedeemError::Request("code_verifier malformed"));
    }
    let key = hash_key(code);
    let Some(record) = records.take::<AuthorizationCode>(RecordKind::AuthorizationCode, &key).await? else {
        if let Some(marker) = records.get::<RedeemedMarker>(RecordKind::RedeemedCode, &key).await? {
            tracing::warn!(client = %client_id, "authorization code already redeemed or expired; revoking its grant");
            records.delete(RecordKind::Grant, marker.grant_id.as_str()).await?;
            return Err(RedeemError::Replayed);
        }
        return Err(RedeemError::Unknown);
    };
    let checked = check(&record, client_id, redirect_uri, verifier, now);
    if let Err(e) = checked {
        remember_issued(records, &key, &record.grant_id).await?;
        records.delete(RecordKind::Grant, record.grant_id.as_str()).await?;
        return Err(e);
    }
    // One round trip (issue 13): the replay marker (codes seeded without one, tests and older
    // records, get it now; rewriting an existing one changes nothing), the grant, and the end
    // marker of the grant's session when the code names it.
    use crate::oidc_provider::participants::{ended_at, ended_in, queue_ended};
    use crate::oidc_provider::token::refresh_token::queue_family;
    let mut batch = records.batch();
    batch.put(
        RecordKind::RedeemedCode,
        &key,
        &RedeemedMarker {
            grant_id: record.grant_id.clone(),
        },
        REDEEMED_MARKER_TTL,
    )?;
    let grant_slot = batch.get(RecordKind::Grant, record.grant_id.as_str());
    let ended_slot = record.sid.as_deref().map(|sid| queue_ended(&mut batch, sid));
    // Written before the checks below: if one fails, the grant is deleted and the token (never
    // handed out) names a grant that is gone, which every refresh refuses.
    let refresh_token = match (family_end, &record.refresh_scopes) {
        (Some(end), Some(scopes)) => Some(queue_family(&mut batch, &record.grant_id, client_id, scopes, end, now)?),
        _ => None,
    };
    let mut found = batch.run().await?;
    let grant: Grant = found.decode(grant_slot)?.ok_or(RedeemError::GrantGone)?;
    if grant.client_id != *client_id {
        records.delete(RecordKind::Grant, record.grant_id.as_str()).await?;
        return Err(RedeemError::WrongClient);
    }
    // A code of a session that was logged out in the meantime yields nothing.
    let ended = match ended_slot {
        Some(slot) if record.sid.as_deref() == Some(grant.sid.as_str()) => ended_in(&mut found, slot)?,
        _ => ended_at(records, &grant.sid).await?,
    };
    if ended.is_some() {
        records.delete(RecordKind::Grant, record.grant_id.as_str()).await?;
        return Err(RedeemError::SessionEnded);
    }
    Ok(Redeemed {
        grant,
        nonce: record.nonce,
        refresh_token,
    })
}

fn check(record: &AuthorizationCode, client_id: &ClientId, redirect_uri: &str, verifier: &str, now: i64) -> Result<(), RedeemError> {
    if record.client_id != *client_id {
        return Err(RedeemError::WrongClient);
    }
    if record.expires_at <= now {
        return Err(RedeemError::Expired);
    }
    if record.redirect_uri != redirect_uri {
        return Err(RedeemError::RedirectUri);
    }
    if !pkce_s256_matches(verifier, record.code_challenge.as_str()) {
        return Err(RedeemError::Pkce);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert!(verifier_syntax_ok(verifier));
        assert!(pkce_s256_matches(verifier, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
        assert!(!pkce_s256_matches(verifier, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN"));
        assert!(!verifier_syntax_ok("short"));
        assert!(!verifier_syntax_ok(&"a".repeat(129)));
        assert!(!verifier_syntax_ok(&format!("{}!", "a".repeat(50))));
    }
}
