//! What ends with a broker session (issue 11 item 3), in this order:
//!
//! 1. An end marker under every registered client's `sid` for the session
//!    (oidc_provider/participants.rs): from now on access tokens issued in the session introspect
//!    as inactive and are refused at userinfo, and codes of the session cannot be redeemed — also
//!    a code issued concurrently whose participation is not written yet. Refresh tokens exist only
//!    for `offline_access` grants and survive (OIDC Core §11: offline access is meant to outlive
//!    the login); the relying party's access tokens from them after the logout work again.
//! 2. A back-channel delivery queued for every participating client with a
//!    `backchannel_logout_uri` (queue.rs; the worker sends it, nobody waits for it here).
//! 3. The session record; the edge clears the cookie (`Max-Age=0`).
//! 4. The participations.
//!
//! A failure midway leaves the session in place, so the person can try again; what was done is
//! idempotent (markers are overwritten, deliveries deduplicated).

use super::overview::participations;
use super::queue::{self, Delivery, DeliveryState};
use super::settings::LogoutSettings;
use crate::audit::{AuditEvent, EventKind};
use crate::login::session::{sid_for, BrokerSession};
use crate::oidc_provider::broker::Broker;
use crate::oidc_provider::participants::{self, Participation};
use crate::session::{RecordKind, StoreError};

/// Why a session ended (for the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// RP-Initiated Logout.
    RelyingParty,
    /// The citizen on `/session` ("Überall abmelden").
    Citizen,
    /// A session limit ran out (noticed when the session was next presented).
    Expired,
}

impl EndReason {
    fn as_str(self) -> &'static str {
        match self {
            Self::RelyingParty => "rp_initiated",
            Self::Citizen => "citizen",
            Self::Expired => "expired",
        }
    }
}

/// Queue the back-channel logout token for one participation whose session ended, if its client
/// registered a `backchannel_logout_uri`. Returns whether a delivery was queued (false also when
/// one is queued already: one delivery per client and session).
pub async fn announce(broker: &Broker, settings: &LogoutSettings, p: &Participation) -> Result<bool, StoreError> {
    if broker.client(&p.client_id).is_none_or(|c| c.backchannel_logout_uri.is_none()) {
        return Ok(false);
    }
    let now_ms = unix_ms(broker);
    let d = Delivery {
        client_id: p.client_id.clone(),
        sid: p.sid.clone(),
        sub: p.sub.clone(),
        ended_at: now_ms,
        attempts: 0,
        next_at: now_ms,
        state: DeliveryState::Pending,
    };
    queue::enqueue(broker.records(), settings, &d).await
}

/// Unix milliseconds of the broker's clock.
pub fn unix_ms(broker: &Broker) -> i64 {
    broker
        .clock()
        .now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// End `session` now; returns the relying parties it was used for.
pub async fn end_session(
    broker: &Broker,
    settings: &LogoutSettings,
    session: &BrokerSession,
    reason: EndReason,
) -> Result<Vec<Participation>, StoreError> {
    let now = broker.clock().unix();
    let used = participations(broker, &session.id).await?;
    for c in broker.clients() {
        participants::mark_ended(broker, &sid_for(&session.id, &c.id), now).await?;
    }
    let mut queued = 0usize;
    for p in &used {
        if announce(broker, settings, p).await? {
            queued += 1;
        }
    }
    // Same key as login/session.rs (`store_id` of the cookie value).
    broker.records().delete(RecordKind::BrokerSession, &session.id.store_key()).await?;
    let event = |kind| AuditEvent::new(kind).method(session.method.as_str()).reason(reason.as_str());
    if used.is_empty() {
        broker.audit(event(EventKind::Logout));
    }
    for p in &used {
        broker.audit(event(EventKind::Logout).client(&p.client_id).subject(&p.sub));
    }
    for p in &used {
        participants::forget(broker.records(), &p.sid).await?;
    }
    tracing::info!(
        reason = reason.as_str(),
        services = used.len(),
        backchannel = queued,
        "broker session ended"
    );
    Ok(used)
}
