//! Session-limit expiry (issue 11 item 2): a broker session that runs out of its per-level limits
//! is not ended by any request, so nothing would tell the relying parties. The worker looks at
//! the participations due on the watch schedule (oidc_provider/participants.rs): a session still
//! within its limits is looked at again when its remaining lifetime runs out; a session that is
//! gone or has no level left counts as ended, and each such relying party gets its logout token
//! through the same queue as a logout (deduplicated per client and session).
//!
//! Only the notification follows from expiry: the session's tokens keep their own (short)
//! lifetimes, as they would without back-channel logout; an expired session cannot be used to log
//! in anywhere, so nothing else needs ending.

use super::end::unix_ms;
use super::settings::LogoutSettings;
use crate::audit::{AuditEvent, EventKind};
use crate::login::session::BrokerSession;
use crate::oidc_provider::broker::Broker;
use crate::oidc_provider::participants;
use crate::session::{RecordKind, StoreError};

/// Lease records of the watch (key: `sid`).
const LEASE: RecordKind = RecordKind::Other("sid-watch-lease");
/// How many due participations one round looks at.
const BATCH: usize = 32;

/// One round over the due participations; returns how many this instance looked at.
pub async fn round(broker: &Broker, settings: &LogoutSettings, instance: &str) -> Result<usize, StoreError> {
    let records = broker.records();
    let mut looked = 0;
    for sid in participants::due_for_watch(records, unix_ms(broker), BATCH).await? {
        if !records.insert_if_absent(LEASE, &sid, &instance, settings.lease()).await? {
            continue;
        }
        looked += 1;
        look(broker, settings, &sid).await?;
        records.delete(LEASE, &sid).await?;
    }
    Ok(looked)
}

async fn look(broker: &Broker, settings: &LogoutSettings, sid: &str) -> Result<(), StoreError> {
    let records = broker.records();
    let Some(p) = participants::find(records, sid).await? else {
        // Logged out (or forgotten) meanwhile: nothing to watch.
        return participants::forget(records, sid).await;
    };
    let now = broker.clock().unix();
    let session: Option<BrokerSession> = records.get(RecordKind::BrokerSession, &p.session_key).await?;
    let left = session.and_then(|s| s.ttl(now, |l| broker.sessions().limits_for(l)));
    if let Some(left) = left {
        let due = now.saturating_add(left.as_secs() as i64).saturating_mul(1000);
        return participants::keep(broker, &p, due).await;
    }
    let queued = super::end::announce(broker, settings, &p).await?;
    tracing::info!(client = %p.client_id, backchannel = queued, "broker session expired");
    broker.audit(
        AuditEvent::new(EventKind::SessionExpired)
            .client(&p.client_id)
            .level(p.level)
            .subject(&p.sub),
    );
    participants::forget(records, sid).await
}
