//! Extending a grant's lifetime while tokens are issued from it, without undoing a revocation.
//!
//! The token endpoint reads the grant (code redemption, refresh rotation) and later pushes its
//! expiry out so it outlives the tokens it issues. Revocation is deleting the grant (code replay,
//! RFC 6749 §4.1.2; refresh-token reuse, RFC 9700 §4.14.2; `/revoke`, RFC 7009). If it happens
//! between the read and the write, a blind `put` would write the grant back and resurrect every
//! token of the family. So the write is a store-atomic "replace only if it still exists".

use crate::oidc_provider::records::Grant;
use crate::session::{RecordKind, Records, StoreError};
use std::time::Duration;

/// Why a grant could not be extended.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExtendError {
    /// The grant was deleted (revoked or expired) after it was read (`invalid_grant`).
    #[error("grant revoked")]
    Revoked,
    /// Store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Make `grant` live at least until `until` (unix seconds); `now` for the TTL. A grant that
/// already lives long enough is not written at all.
pub async fn extend_grant(records: &Records, mut grant: Grant, until: i64, now: i64) -> Result<Grant, ExtendError> {
    if grant.expires_at < until {
        grant.expires_at = until;
        let ttl = Duration::from_secs(u64::try_from(until - now).unwrap_or(1).max(1));
        if !records.replace_if_exists(RecordKind::Grant, grant.id.as_str(), &grant, ttl).await? {
            return Err(ExtendError::Revoked);
        }
    }
    Ok(grant)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::memory::MemoryStore;
    use crate::session::{Sealer, SealingKey};
    use crate::trust::TrustLevel;
    use std::sync::Arc;

    fn records() -> Records {
        let sealer = Sealer::new(vec![SealingKey::new("k", &[9; 32]).unwrap()]);
        Records::new(Arc::new(MemoryStore::new()), Arc::new(sealer), "t")
    }

    fn grant(expires_at: i64) -> Grant {
        Grant {
            id: "g1".into(),
            client_id: "c".into(),
            sub: "s".into(),
            scopes: vec!["openid".into()],
            claims: Default::default(),
            id_token_claims: vec![],
            organisation: None,
            level: TrustLevel::High,
            amr: vec!["eid".into()],
            auth_time: 1000,
            sid: "sid".into(),
            created_at: 1000,
            expires_at,
        }
    }

    #[tokio::test]
    async fn a_grant_revoked_between_read_and_write_stays_revoked() {
        let r = records();
        r.put(RecordKind::Grant, "g1", &grant(1060), Duration::from_secs(60)).await.unwrap();
        let read: Grant = r.get(RecordKind::Grant, "g1").await.unwrap().unwrap();
        // The revocation wins the race …
        r.delete(RecordKind::Grant, "g1").await.unwrap();
        // … and the extension must not write the grant back.
        let e = extend_grant(&r, read, 5000, 1000).await.unwrap_err();
        assert!(matches!(e, ExtendError::Revoked), "{e}");
        assert!(
            r.get::<Grant>(RecordKind::Grant, "g1").await.unwrap().is_none(),
            "grant resurrected"
        );
    }

    #[tokio::test]
    async fn a_live_grant_is_extended_and_a_long_lived_one_left_alone() {
        let r = records();
        r.put(RecordKind::Grant, "g1", &grant(1060), Duration::from_secs(60)).await.unwrap();
        let g = extend_grant(&r, grant(1060), 5000, 1000).await.unwrap();
        assert_eq!(g.expires_at, 5000);
        let stored: Grant = r.get(RecordKind::Grant, "g1").await.unwrap().unwrap();
        assert_eq!(stored.expires_at, 5000);
        // Nothing to extend: no write, so even a deleted grant is not touched (and not recreated).
        r.delete(RecordKind::Grant, "g1").await.unwrap();
        assert_eq!(extend_grant(&r, grant(9000), 5000, 1000).await.unwrap().expires_at, 9000);
        assert!(r.get::<Grant>(RecordKind::Grant, "g1").await.unwrap().is_none());
    }
}
