//! The `refresh_token` grant (RFC 6749 §6) with rotation and reuse detection (RFC 9700 §4.14.2).
//!
//! - Refresh tokens are opaque 256-bit random values, stored under the hash of the value
//!   ([`RecordKind::RefreshToken`]), so a store dump holds no usable token.
//! - Every use rotates: the presented token's record becomes `Rotated { successor }`, a new token
//!   is issued with the *same* scope (RFC 6749 §6: the new refresh token keeps the scope).
//! - A rotated token presented again within `oidc.refresh_grace` returns the same successor
//!   (two tabs refreshing at once must not log the person out, oidc-landscape §2.4). Later, it is
//!   reuse: the whole family dies by deleting its grant, which also kills every access token.
//! - The family's lifetime is absolute (`refresh_token_ttl` from the login), never extended by use.
//! - Scope may be narrowed per request (`scope` parameter), never widened (`invalid_scope`).
//! - The record is taken atomically; a concurrent second presentation in the instant between
//!   take and re-store sees an unknown token (`invalid_grant`), never a second successor.

use crate::ids::{ClientId, GrantId, RefreshToken};
use crate::oidc_provider::records::Grant;
use crate::oidc_provider::tokens::{hash_key, random_id};
use crate::session::{RecordKind, Records, StoreError};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A refresh token's record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefreshRecord {
    /// Grant the family belongs to (deleting it revokes the family).
    pub grant_id: GrantId,
    /// Family id (one per code redemption).
    pub family: String,
    /// Client the token was issued to.
    pub client_id: ClientId,
    /// Scope of the token.
    pub scopes: Vec<String>,
    /// Issue time.
    pub issued_at: i64,
    /// Absolute expiry of the family.
    pub expires_at: i64,
    /// Active or already rotated.
    pub state: RefreshState,
}

/// Whether a refresh token was already used.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RefreshState {
    /// Never used.
    Active,
    /// Used at `at`; `successor` was issued in exchange (kept sealed for the grace window).
    Rotated { at: i64, successor: RefreshToken },
}

/// Why a refresh request fails.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RefreshError {
    /// Unknown, expired or issued to another client (`invalid_grant`).
    #[error("refresh token invalid: {0}")]
    Invalid(&'static str),
    /// A rotated token presented after the grace window: the family was revoked (`invalid_grant`).
    #[error("refresh token reused; family revoked")]
    Reused {
        /// The `sub` of the revoked grant (for the audit trail).
        sub: String,
    },
    /// Requested scope exceeds the token's scope (`invalid_scope`).
    #[error("scope widening refused")]
    ScopeWidened,
    /// Store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The outcome of a successful refresh.
#[derive(Debug)]
pub struct Rotation {
    /// The grant (still present).
    pub grant: Grant,
    /// The refresh token to hand out (new, or the same successor within the grace window).
    pub refresh_token: RefreshToken,
    /// Scope for the new access token.
    pub scopes: Vec<String>,
}

fn ttl_until(expires_at: i64, now: i64) -> Duration {
    Duration::from_secs(u64::try_from(expires_at - now).unwrap_or(0).max(1))
}

/// Start a family: a new refresh token for `grant`, valid until `expires_at`.
pub async fn start_family(
    records: &Records,
    grant: &Grant,
    scopes: &[String],
    expires_at: i64,
    now: i64,
) -> Result<RefreshToken, StoreError> {
    let token = RefreshToken::generate();
    let record = RefreshRecord {
        grant_id: grant.id.clone(),
        family: random_id(),
        client_id: grant.client_id.clone(),
        scopes: scopes.to_vec(),
        issued_at: now,
        expires_at,
        state: RefreshState::Active,
    };
    records
        .put(RecordKind::RefreshToken, &token.store_key(), &record, ttl_until(expires_at, now))
        .await?;
    Ok(token)
}

/// Parse and check a requested `scope` against the token's scope (RFC 6749 §6).
fn narrowed(requested: Option<&str>, granted: &[String]) -> Result<Vec<String>, RefreshError> {
    let Some(req) = requested else { return Ok(granted.to_vec()) };
    let mut out = Vec::new();
    for s in req.split(' ').filter(|s| !s.is_empty()) {
        if !granted.iter().any(|g| g == s) {
            return Err(RefreshError::ScopeWidened);
        }
        if !out.iter().any(|o: &String| o == s) {
            out.push(s.to_owned());
        }
    }
    Ok(out)
}

/// Exchange `token` presented by `client_id`.
pub async fn rotate(
    records: &Records,
    client_id: &ClientId,
    token: &str,
    requested_scope: Option<&str>,
    grace: Duration,
    now: i64,
) -> Result<Rotation, RefreshError> {
    let key = hash_key(token);
    let record: RefreshRecord = records
        .take(RecordKind::RefreshToken, &key)
        .await?
        .ok_or(RefreshError::Invalid("unknown"))?;
    if record.client_id != *client_id {
        // Not this client's token: put it back untouched (the rightful owner keeps it).
        records
            .put(RecordKind::RefreshToken, &key, &record, ttl_until(record.expires_at, now))
            .await?;
        return Err(RefreshError::Invalid("issued to another client"));
    }
    if record.expires_at <= now {
        return Err(RefreshError::Invalid("expired"));
    }
    let scopes = match narrowed(requested_scope, &record.scopes) {
        Ok(s) => s,
        Err(e) => {
            // Keep the token usable after a refused widening.
            records
                .put(RecordKind::RefreshToken, &key, &record, ttl_until(record.expires_at, now))
                .await?;
            return Err(e);
        }
    };
    let Some(grant) = records.get::<Grant>(RecordKind::Grant, record.grant_id.as_str()).await? else {
        return Err(RefreshError::Invalid("grant revoked"));
    };
    match &record.state {
        RefreshState::Active => {
            let successor = RefreshToken::generate();
            let next = RefreshRecord {
                issued_at: now,
                state: RefreshState::Active,
                ..record.clone()
            };
            let ttl = ttl_until(record.expires_at, now);
            records.put(RecordKind::RefreshToken, &successor.store_key(), &next, ttl).await?;
            let used = RefreshRecord {
                state: RefreshState::Rotated {
                    at: now,
                    successor: successor.clone(),
                },
                ..record
            };
            records.put(RecordKind::RefreshToken, &key, &used, ttl).await?;
            Ok(Rotation {
                grant,
                refresh_token: successor,
                scopes,
            })
        }
        RefreshState::Rotated { at, successor } => {
            // A grace of 0 means none: even a replay in the same second is reuse (seconds
            // resolution would otherwise turn `0 <= 0` into a one-second window).
            let within_grace = !grace.is_zero() && now - at <= grace.as_secs() as i64;
            let successor = successor.clone();
            records
                .put(RecordKind::RefreshToken, &key, &record, ttl_until(record.expires_at, now))
                .await?;
            if within_grace {
                let refresh_token = latest_successor(records, successor).await?;
                Ok(Rotation {
                    grant,
                    refresh_token,
                    scopes,
                })
            } else {
                // RFC 9700 §4.14.2: reuse of a rotated token means it leaked; revoke everything.
                tracing::warn!(client = %client_id, family = %record.family, "refresh token reuse detected; grant revoked");
                records.delete(RecordKind::Grant, record.grant_id.as_str()).await?;
                Err(RefreshError::Reused { sub: grant.sub })
            }
        }
    }
}

/// Follow a chain of rotations to the token that is still active: if the other tab has already
/// rotated the successor too, handing out the used successor would make the second tab's next
/// refresh look like theft. Bounded, so a corrupt chain cannot loop.
async fn latest_successor(records: &Records, first: RefreshToken) -> Result<RefreshToken, RefreshError> {
    let mut current = first;
    for _ in 0..8 {
        match records.get::<RefreshRecord>(RecordKind::RefreshToken, &current.store_key()).await? {
            Some(RefreshRecord {
                state: RefreshState::Rotated { successor, .. },
                ..
            }) => current = successor,
            Some(_) => return Ok(current),
            None => return Err(RefreshError::Invalid("successor gone")),
        }
    }
    Err(RefreshError::Invalid("rotation chain too long"))
}

/// Revoke the family of a refresh token presented by `client_id` (RFC 7009 §2.1). Returns whether
/// the value was a refresh token of this client (`None` = not a refresh token at all).
pub async fn revoke(records: &Records, client_id: &ClientId, token: &str) -> Result<Option<bool>, StoreError> {
    let key = hash_key(token);
    let Some(record) = records.get::<RefreshRecord>(RecordKind::RefreshToken, &key).await? else {
        return Ok(None);
    };
    if record.client_id != *client_id {
        return Ok(Some(false));
    }
    records.delete(RecordKind::Grant, record.grant_id.as_str()).await?;
    records.delete(RecordKind::RefreshToken, &key).await?;
    Ok(Some(true))
}

/// Look up a refresh token for introspection: its record and grant when it is active.
pub async fn active(records: &Records, token: &str, now: i64) -> Result<Option<(RefreshRecord, Grant)>, StoreError> {
    let Some(record) = records.get::<RefreshRecord>(RecordKind::RefreshToken, &hash_key(token)).await? else {
        return Ok(None);
    };
    if record.expires_at <= now || !matches!(record.state, RefreshState::Active) {
        return Ok(None);
    }
    Ok(records
        .get::<Grant>(RecordKind::Grant, record.grant_id.as_str())
        .await?
        .map(|g| (record, g)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrowing_allowed_widening_refused() {
        let granted = vec!["openid".to_owned(), "profile".to_owned()];
        assert_eq!(narrowed(None, &granted).unwrap(), granted);
        assert_eq!(narrowed(Some("openid"), &granted).unwrap(), vec!["openid".to_owned()]);
        assert!(matches!(
            narrowed(Some("openid address"), &granted),
            Err(RefreshError::ScopeWidened)
        ));
    }
}
