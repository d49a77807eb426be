//! Parking the relying party's request ([`PendingAuthorization`]) while the person logs in.
//!
//! The id is 256 random bits (base64url): it is the only thing that ties the upstream return leg to
//! the request, so it must be unguessable. Expiry is checked against the injected clock as well as
//! by the store TTL, so a controllable clock governs it in tests.

use crate::ids::PendingId;
use crate::oidc_provider::broker::Broker;
use crate::oidc_provider::records::PendingAuthorization;
use crate::session::{BatchResult, RecordBatch, RecordKind, Slot, StoreError};
use std::time::Duration;

pub use crate::ids::random_id;

/// Ids we hand out have this shape; anything else is not looked up at all.
pub fn plausible_id(id: &str) -> bool {
    id.len() == 43 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn remaining(ctx: &Broker, p: &PendingAuthorization, now: i64) -> Option<Duration> {
    let ttl = ctx.oidc().pending_ttl.as_secs() as i64;
    let left = p.created_at.saturating_add(ttl).saturating_sub(now);
    (left > 0).then(|| Duration::from_secs(left as u64))
}

/// The request if it has not expired by the injected clock (the store TTL may lag behind it).
pub fn unexpired(ctx: &Broker, p: Option<PendingAuthorization>, now: i64) -> Option<PendingAuthorization> {
    p.filter(|p| remaining(ctx, p, now).is_some())
}

/// Store a new or changed request for the rest of its lifetime.
pub async fn save(ctx: &Broker, p: &PendingAuthorization, now: i64) -> Result<bool, StoreError> {
    match remaining(ctx, p, now) {
        Some(ttl) => {
            ctx.records().put(RecordKind::PendingAuthorization, p.id.as_str(), p, ttl).await?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// [`save`] queued into a batch; `false` (nothing queued) when the request has expired.
pub fn queue_save(ctx: &Broker, batch: &mut RecordBatch<'_>, p: &PendingAuthorization, now: i64) -> Result<bool, StoreError> {
    match remaining(ctx, p, now) {
        Some(ttl) => batch.put(RecordKind::PendingAuthorization, p.id.as_str(), p, ttl).map(|()| true),
        None => Ok(false),
    }
}

/// Load a request that has not expired.
pub async fn load(ctx: &Broker, id: &PendingId, now: i64) -> Result<Option<PendingAuthorization>, StoreError> {
    if !plausible_id(id.as_str()) {
        return Ok(None);
    }
    let p: Option<PendingAuthorization> = ctx.records().get(RecordKind::PendingAuthorization, id.as_str()).await?;
    Ok(p.filter(|p| remaining(ctx, p, now).is_some()))
}

/// Take a request out of the store (single use: exactly one caller gets it).
pub async fn take(ctx: &Broker, id: &PendingId, now: i64) -> Result<Option<PendingAuthorization>, StoreError> {
    if !plausible_id(id.as_str()) {
        return Ok(None);
    }
    let p: Option<PendingAuthorization> = ctx.records().take(RecordKind::PendingAuthorization, id.as_str()).await?;
    Ok(p.filter(|p| remaining(ctx, p, now).is_some()))
}

/// [`take`] queued into a batch (the consent step's, with the participation read: one round trip,
/// issue 13); `None` (nothing queued) for an id we never hand out. Read it with [`taken`].
pub fn queue_take(batch: &mut RecordBatch<'_>, id: &PendingId) -> Option<Slot> {
    plausible_id(id.as_str()).then(|| batch.take(RecordKind::PendingAuthorization, id.as_str()))
}

/// The request a [`queue_take`] took, if it had not expired.
pub fn taken(ctx: &Broker, result: &mut BatchResult<'_>, slot: Option<Slot>, now: i64) -> Result<Option<PendingAuthorization>, StoreError> {
    let Some(slot) = slot else { return Ok(None) };
    Ok(unexpired(ctx, result.decode(slot)?, now))
}

/// Constant-time comparison of a presented CSRF token with the stored one.
pub fn csrf_ok(stored: &str, presented: Option<&str>) -> bool {
    use subtle::ConstantTimeEq;
    match presented {
        Some(p) if !stored.is_empty() => bool::from(stored.as_bytes().ct_eq(p.as_bytes())),
        _ => false,
    }
}

/// Same-origin check for form posts: an `Origin` header, when the browser sends one, must be ours
/// (Fetch §3.1; browsers send it on every cross-origin POST). `origin` is the header as text.
pub fn same_origin(ctx: &Broker, origin: Option<&str>) -> bool {
    match origin {
        None => true,
        Some(origin) => url::Url::parse(ctx.issuer().as_str()).is_ok_and(|issuer| origin == issuer.origin().ascii_serialization()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        let a = random_id();
        assert!(plausible_id(&a));
        assert_ne!(a, random_id());
        assert!(!plausible_id("../etc"));
        assert!(csrf_ok("abc", Some("abc")));
        assert!(!csrf_ok("abc", Some("abd")));
        assert!(!csrf_ok("", Some("")));
        assert!(!csrf_ok("abc", None));
    }
}
