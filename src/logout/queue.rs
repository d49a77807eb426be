//! The durable queue of back-channel logout deliveries, in the record store (issue 11 item 2).
//!
//! - One [`Delivery`] record per (client, session), keyed by the SHA-256 of the client's `sid`
//!   and created with "insert if absent": two instances ending the same session (or a citizen
//!   clicking twice) queue it once. It stays, as `Delivered` or `Dropped`, until its TTL, so a
//!   late second logout cannot queue it again.
//! - A schedule (store sorted set) holds the ids by due time; any instance reads what is due.
//! - Before acting, an instance takes a **lease** on the id (`SET NX PX`, [`claim`]) longer than a
//!   POST can take: of two instances that see the same due id, one works on it; an instance that
//!   dies mid-delivery frees it when the lease expires, and another picks it up. After the lease
//!   the record is read again, so a stale read of the schedule never sends twice.
//! - Records survive a restart (Redis); the in-memory store is single-instance and loses them
//!   with the process (docs/operations.md).

use super::settings::LogoutSettings;
use crate::session::{RecordKind, Records, StoreError};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Delivery records (key: [`delivery_id`]).
const DELIVERY: RecordKind = RecordKind::Other("bcl-delivery");
/// Leases (key: [`delivery_id`]).
const LEASE: RecordKind = RecordKind::Other("bcl-lease");
/// The schedule of due deliveries.
const SCHEDULE: RecordKind = RecordKind::Other("bcl");

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its next attempt.
    Pending,
    /// The relying party answered 200 (§2.8).
    Delivered,
    /// Given up after [`LogoutSettings::retry_for`].
    Dropped,
}

/// One logout token to deliver to one relying party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// The client.
    pub client_id: String,
    /// `sid` as the client sees it.
    pub sid: String,
    /// `sub` as the client sees it.
    pub sub: String,
    /// When the session ended (unix ms).
    pub ended_at: i64,
    /// Attempts made.
    pub attempts: u32,
    /// Next attempt (unix ms).
    pub next_at: i64,
    /// State.
    pub state: DeliveryState,
}

/// The id of the delivery for a client's `sid`: one per client and session.
pub fn delivery_id(sid: &str) -> String {
    crate::ids::store_id(sid)
}

/// How long a delivery record is kept: the retry window plus a margin, so it outlives every
/// attempt and still deduplicates afterwards.
fn record_ttl(settings: &LogoutSettings) -> Duration {
    settings.retry_for + settings.lease() + Duration::from_secs(600)
}

/// Queue a delivery due now; `false` when one for this client and session already exists.
pub async fn enqueue(records: &Records, settings: &LogoutSettings, delivery: &Delivery) -> Result<bool, StoreError> {
    let id = delivery_id(&delivery.sid);
    let ttl = record_ttl(settings);
    if records.insert_if_absent(DELIVERY, &id, delivery, ttl).await? {
        records.schedule(SCHEDULE, &id, delivery.next_at, ttl).await?;
        return Ok(true);
    }
    // Already there. If it is still pending, schedule it again (idempotent): an instance that
    // died between writing the record and scheduling it must not lose the delivery.
    if let Some(existing) = get(records, &id).await? {
        if existing.state == DeliveryState::Pending {
            records.schedule(SCHEDULE, &id, existing.next_at, ttl).await?;
        }
    }
    Ok(false)
}

/// Ids due at `now_ms`.
pub async fn due(records: &Records, now_ms: i64, limit: usize) -> Result<Vec<String>, StoreError> {
    records.due(SCHEDULE, now_ms, limit).await
}

/// Take the lease on `id` for this instance; `false` when another instance holds it.
pub async fn claim(records: &Records, settings: &LogoutSettings, id: &str, instance: &str) -> Result<bool, StoreError> {
    records.insert_if_absent(LEASE, id, &instance, settings.lease()).await
}

/// Give the lease back (after rescheduling, so another instance may take the next attempt).
pub async fn release(records: &Records, id: &str) -> Result<(), StoreError> {
    records.delete(LEASE, id).await
}

/// Read a delivery.
pub async fn get(records: &Records, id: &str) -> Result<Option<Delivery>, StoreError> {
    records.get(DELIVERY, id).await
}

/// Store the delivery's new state. A record that expired meanwhile is not recreated.
pub async fn update(records: &Records, settings: &LogoutSettings, id: &str, delivery: &Delivery) -> Result<(), StoreError> {
    let ttl = record_ttl(settings);
    records.replace_if_exists(DELIVERY, id, delivery, ttl).await?;
    match delivery.state {
        DeliveryState::Pending => records.schedule(SCHEDULE, id, delivery.next_at, ttl).await,
        DeliveryState::Delivered | DeliveryState::Dropped => records.unschedule(SCHEDULE, id).await.map(|_| ()),
    }
}

/// Drop an id from the schedule whose record is gone or finished.
pub async fn forget(records: &Records, id: &str) -> Result<(), StoreError> {
    records.unschedule(SCHEDULE, id).await.map(|_| ())
}

/// The delay before attempt `attempts + 1`: `initial · 2^attempts`, capped at `max`, then a
/// random part of up to half of it taken away ("equal jitter"), so relying parties that came back
/// are not hit by every instance's retries at once.
pub fn backoff(settings: &LogoutSettings, attempts: u32, random: f64) -> Duration {
    let exp = settings
        .backoff_initial
        .saturating_mul(2u32.saturating_pow(attempts.min(20)))
        .min(settings.backoff_max);
    let jitter = exp.mul_f64(random.clamp(0.0, 1.0) / 2.0);
    exp.saturating_sub(jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_at_most_half_jitter() {
        let s = LogoutSettings {
            backoff_initial: Duration::from_secs(1),
            backoff_max: Duration::from_secs(10),
            ..LogoutSettings::default()
        };
        assert_eq!(backoff(&s, 0, 0.0), Duration::from_secs(1));
        assert_eq!(backoff(&s, 1, 0.0), Duration::from_secs(2));
        assert_eq!(backoff(&s, 3, 0.0), Duration::from_secs(8));
        assert_eq!(backoff(&s, 4, 0.0), Duration::from_secs(10));
        assert_eq!(backoff(&s, 40, 0.0), Duration::from_secs(10));
        assert_eq!(backoff(&s, 4, 1.0), Duration::from_secs(5));
        assert_eq!(backoff(&s, 0, 0.5), Duration::from_millis(750));
    }
}
