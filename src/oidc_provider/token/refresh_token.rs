//! The `refresh_token` grant (RFC 6749 §6) with rotation and reuse detection (RFC 9700 §4.14.2).
//!
//! - Refresh tokens are opaque 256-bit random values, stored under the hash of the value
//!   ([`RecordKind::RefreshToken`]), so a store dump holds no usable token.
//! - Every use rotates: the presented token's record is taken and replaced by a small
//!   [`Tombstone`] (grant and client only, [`RecordKind::RefreshTombstone`]) that lives as long
//!   as the family could; a new token is issued with the *same* scope (RFC 6749 §6: the new
//!   refresh token keeps the scope). The full record (~550 bytes in Redis) does not outlive its
//!   use (issue 13 item 4).
//! - A rotated token presented again within `oidc.refresh_grace` returns the same successor
//!   (two tabs refreshing at once must not log the person out, oidc-landscape §2.4): the
//!   successor is kept in a [`GraceRecord`] that expires with the grace window. Later, it is
//!   reuse: the whole family dies by deleting its grant, which also kills every access token.
//! - The family's lifetime is absolute (`refresh_token_ttl` from the login), never extended by use.
//! - Scope may be narrowed per request (`scope` parameter), never widened (`invalid_scope`).
//! - The record is taken atomically; a concurrent second presentation in the instant between
//!   take and the tombstone's write sees an unknown token (`invalid_grant`), never a second
//!   successor. The grant is read and successor, tombstone and grace record are written in one
//!   round trip: a refresh costs two (take, batch).

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
    /// Used at `at`; `successor` was issued in exchange. Written only by versions before the
    /// tombstone ([`Tombstone`]); still understood, so a rolling upgrade keeps their families.
    Rotated { at: i64, successor: RefreshToken },
}

/// What a rotated refresh token leaves behind for reuse detection: only what the check needs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tombstone {
    /// The grant to delete on reuse (revokes the family).
    #[serde(rename = "g")]
    pub grant_id: GrantId,
    /// The client the token was issued to (another client's presentation is not reuse).
    #[serde(rename = "c")]
    pub client_id: ClientId,
}

/// A rotated token's successor, for the grace window only.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GraceRecord {
    /// When the token was rotated (the injected clock decides the window, not the TTL).
    pub at: i64,
    /// The token issued in exchange.
    pub successor: RefreshToken,
    /// The rotated token's scope.
    pub scopes: Vec<String>,
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
    let mut batch = records.batch();
    let token = queue_family(&mut batch, &grant.id, &grant.client_id, scopes, expires_at, now)?;
    batch.run().await?;
    Ok(token)
}

/// [`start_family`] as part of a batch (code redemption writes it with the redeemed marker and
/// reads the grant in the same round trip).
pub fn queue_family(
    batch: &mut crate::session::RecordBatch<'_>,
    grant_id: &GrantId,
    client_id: &ClientId,
    scopes: &[String],
    expires_at: i64,
    now: i64,
) -> Result<RefreshToken, StoreError> {
    let token = RefreshToken::generate();
    let record = RefreshRecord {
        grant_id: grant_id.clone(),
        family: random_id(),
        client_id: client_id.clone(),
        scopes: scopes.to_vec(),
        issued_at: now,
        expires_at,
        state: RefreshState::Active,
    };
    batch.put(RecordKind::RefreshToken, &token.store_key(), &record, ttl_until(expires_at, now))?;
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
    let Some(record) = records.take::<RefreshRecord>(RecordKind::RefreshToken, &key).await? else {
        return rotated_before(records, client_id, &key, requested_scope, grace, now).await;
    };
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
    match &record.state {
        RefreshState::Active => {
            let successor = RefreshToken::generate();
            let ttl = ttl_until(record.expires_at, now);
            // One round trip for the grant and the rotation's writes (issue 13). Written before
            // the grant is seen: if it was revoked, the successor is deleted again below and was
            // never handed out; the tombstone only repeats what the revocation already did.
            let mut batch = records.batch();
            let grant_slot = batch.get(RecordKind::Grant, record.grant_id.as_str());
            let next = RefreshRecord {
                issued_at: now,
                ..record.clone()
            };
            batch.put(RecordKind::RefreshToken, &successor.store_key(), &next, ttl)?;
            let tombstone = Tombstone {
                grant_id: record.grant_id.clone(),
                client_id: record.client_id.clone(),
            };
            batch.put(RecordKind::RefreshTombstone, &key, &tombstone, ttl)?;
            if !grace.is_zero() {
                let grace_record = GraceRecord {
                    at: now,
                    successor: successor.clone(),
                    scopes: record.scopes.clone(),
                };
                batch.put(RecordKind::RefreshGrace, &key, &grace_record, grace.min(ttl))?;
            }
            let mut found = batch.run().await?;
            let Some(grant) = found.decode::<Grant>(grant_slot)? else {
                records.delete(RecordKind::RefreshToken, &successor.store_key()).await?;
                return Err(RefreshError::Invalid("grant revoked"));
            };
            Ok(Rotation {
                grant,
                refresh_token: successor,
                scopes,
            })
        }
        RefreshState::Rotated { at, successor } => {
            // A record of a version before tombstones: put it back and judge it as before.
            records
                .put(RecordKind::RefreshToken, &key, &record, ttl_until(record.expires_at, now))
                .await?;
            let Some(grant) = records.get::<Grant>(RecordKind::Grant, record.grant_id.as_str()).await? else {
                return Err(RefreshError::Invalid("grant revoked"));
            };
            let grace_record = GraceRecord {
                at: *at,
                successor: successor.clone(),
                scopes,
            };
            reused(records, client_id, &record.grant_id, grant, Some(grace_record), grace, now).await
        }
    }
}

/// A token that was already rotated: within the grace window the current successor, after it
/// reuse, which revokes the family.
async fn reused(
    records: &Records,
    client_id: &ClientId,
    grant_id: &GrantId,
    grant: Grant,
    grace_record: Option<GraceRecord>,
    grace: Duration,
    now: i64,
) -> Result<Rotation, RefreshError> {
    // A grace of 0 means none: even a replay in the same second is reuse (seconds resolution
    // would otherwise turn `0 <= 0` into a one-second window).
    match grace_record {
        Some(g) if !grace.is_zero() && now - g.at <= grace.as_secs() as i64 => {
            let refresh_token = latest_successor(records, g.successor).await?;
            Ok(Rotation {
                grant,
                refresh_token,
                scopes: g.scopes,
            })
        }
        _ => {
            // RFC 9700 §4.14.2: reuse of a rotated token means it leaked; revoke everything.
            tracing::warn!(client = %client_id, grant = %grant_id, "refresh token reuse detected; grant revoked");
            records.delete(RecordKind::Grant, grant_id.as_str()).await?;
            Err(RefreshError::Reused { sub: grant.sub })
        }
    }
}

/// The presented token has no live record: a rotated one (its tombstone, and within the grace
/// window its successor) or an unknown one.
async fn rotated_before(
    records: &Records,
    client_id: &ClientId,
    key: &str,
    requested_scope: Option<&str>,
    grace: Duration,
    now: i64,
) -> Result<Rotation, RefreshError> {
    let mut batch = records.batch();
    let tomb_slot = batch.get(RecordKind::RefreshTombstone, key);
    let grace_slot = batch.get(RecordKind::RefreshGrace, key);
    let mut found = batch.run().await?;
    let tombstone: Tombstone = found.decode(tomb_slot)?.ok_or(RefreshError::Invalid("unknown"))?;
    if tombstone.client_id != *client_id {
        return Err(RefreshError::Invalid("issued to another client"));
    }
    let mut grace_record: Option<GraceRecord> = found.decode(grace_slot)?;
    if let Some(g) = grace_record.as_mut() {
        g.scopes = narrowed(requested_scope, &g.scopes)?;
    }
    let Some(grant) = records.get::<Grant>(RecordKind::Grant, tombstone.grant_id.as_str()).await? else {
        return Err(RefreshError::Invalid("grant revoked"));
    };
    reused(records, client_id, &tombstone.grant_id, grant, grace_record, grace, now).await
}

/// Follow a chain of rotations to the token that is still active: if the other tab has already
/// rotated the successor too, handing out the used successor would make the second tab's next
/// refresh look like theft. Bounded, so a corrupt chain cannot loop.
async fn latest_successor(records: &Records, first: RefreshToken) -> Result<RefreshToken, RefreshError> {
    let mut current = first;
    for _ in 0..8 {
        let key = current.store_key();
        let mut batch = records.batch();
        let live_slot = batch.get(RecordKind::RefreshToken, &key);
        let grace_slot = batch.get(RecordKind::RefreshGrace, &key);
        let mut found = batch.run().await?;
        match found.decode::<RefreshRecord>(live_slot)? {
            Some(RefreshRecord {
                state: RefreshState::Rotated { successor, .. },
                ..
            }) => current = successor,
            Some(_) => return Ok(current),
            None => match found.decode::<GraceRecord>(grace_slot)? {
                Some(g) => current = g.successor,
                None => return Err(RefreshError::Invalid("successor gone")),
            },
        }
    }
    Err(RefreshError::Invalid("rotation chain too long"))
}

/// Revoke the family of a refresh token presented by `client_id` (RFC 7009 §2.1). Returns whether
/// the value was a refresh token of this client (`None` = not a refresh token at all).
pub async fn revoke(records: &Records, client_id: &ClientId, token: &str) -> Result<Option<bool>, StoreError> {
    let key = hash_key(token);
    let (grant_id, owner, kind) = match records.get::<RefreshRecord>(RecordKind::RefreshToken, &key).await? {
        Some(r) => (r.grant_id, r.client_id, RecordKind::RefreshToken),
        None => match records.get::<Tombstone>(RecordKind::RefreshTombstone, &key).await? {
            // A rotated token revokes its family too, as its full record used to.
            Some(t) => (t.grant_id, t.client_id, RecordKind::RefreshTombstone),
            None => return Ok(None),
        },
    };
    if owner != *client_id {
        return Ok(Some(false));
    }
    records.delete(RecordKind::Grant, grant_id.as_str()).await?;
    records.delete(kind, &key).await?;
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
