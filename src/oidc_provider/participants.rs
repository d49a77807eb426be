//! Which relying parties a broker session issued codes to, and which sessions have ended: the
//! contract between login (which writes a [`Participation`] when it issues a code), the token side
//! (which refuses tokens of an ended session) and logout (which reads both).
//!
//! - A [`Participation`] is stored per (session, client) under the client's `sid` (OIDC
//!   Back-Channel Logout 1.0 §2.4: per client and one-way, login/session.rs `sid_for`), so logout
//!   finds a session's relying parties by computing each registered client's `sid` — no index, no
//!   read-modify-write shared by two clients' logins.
//! - Each participation is also on a **watch** schedule (store sorted set by due time): logout's
//!   worker looks at due `sid`s, and when the session has run out of its limits it notifies the
//!   client back-channel (session-limit expiry, issue 11 item 2). The first look is due after the
//!   shortest idle limit — the earliest any session can end — and later ones when the session's
//!   remaining lifetime says.
//! - A [`SessionEnded`] marker is stored under the same `sid` when the session ends. Access tokens
//!   with `iat` up to the end and codes of the session stop working ([`ended_at`]), whatever
//!   grant they came from; refresh tokens exist only for `offline_access` grants (token/mod.rs) and
//!   survive, as OIDC Core §11 intends (docs/security-model.md, "What ends with a session").

use crate::oidc_provider::broker::Broker;
use crate::oidc_provider::records::Grant;
use crate::session::{BatchResult, RecordBatch, RecordKind, Records, Slot, StoreError};
use crate::trust::TrustLevel;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Record kind of a participation (key: the client's `sid`).
const PARTICIPATION: RecordKind = RecordKind::Participation;
/// Record kind of the end marker (key: the client's `sid`).
const ENDED: RecordKind = RecordKind::Other("sid-ended");
/// The watch schedule of participations (members: `sid`s).
const WATCH: RecordKind = RecordKind::Other("sid-watch");

/// One relying party that received a code in one broker session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participation {
    /// The client.
    pub client_id: String,
    /// `sid` as this client sees it (also the record's key).
    pub sid: String,
    /// `sub` as this client sees it (for the logout token).
    pub sub: String,
    /// First code in this session (unix seconds).
    pub since: i64,
    /// Latest code (unix seconds).
    pub last: i64,
    /// Level of the latest grant.
    pub level: TrustLevel,
    /// Store id of the session (SHA-256 of the cookie value, never the value).
    pub session_key: String,
}

/// When the session of a `sid` ended.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct SessionEnded {
    /// Unix seconds.
    pub at: i64,
}

/// How long a participation is kept: as long as any session can live (the longest total limit),
/// renewed at every code. A session kept alive past that by re-authentication without a new code
/// for this client loses the entry (docs/security-model.md).
fn participation_ttl(broker: &Broker) -> Duration {
    TrustLevel::ALL
        .into_iter()
        .map(|l| broker.sessions().limits_for(l).max_age)
        .max()
        .unwrap_or(Duration::from_secs(8 * 3600))
}

/// The earliest any session can end after a use: the shortest idle limit.
fn first_look(broker: &Broker) -> Duration {
    TrustLevel::ALL
        .into_iter()
        .map(|l| broker.sessions().limits_for(l).idle)
        .min()
        .unwrap_or(Duration::from_secs(300))
}

/// How long an end marker is kept: longer than any access token or code issued before the end
/// can live.
pub fn ended_ttl(broker: &Broker) -> Duration {
    broker
        .clients()
        .iter()
        .map(|c| c.access_token_ttl.max(c.id_token_ttl))
        .chain(std::iter::once(broker.oidc().code_ttl))
        .max()
        .unwrap_or(Duration::from_secs(3600))
        + Duration::from_secs(60)
}

/// When the client of `sid` got its first code in this session, if it got one before: read
/// before [`queue_remember`], which keeps that time.
pub async fn since(records: &Records, sid: &str) -> Result<Option<i64>, StoreError> {
    Ok(records.get::<Participation>(PARTICIPATION, sid).await?.map(|p| p.since))
}

/// [`since`] queued into a batch that runs anyway (the consent step takes its request in it);
/// read it with [`since_of`].
pub fn queue_since(batch: &mut RecordBatch<'_>, sid: &str) -> Slot {
    batch.get(PARTICIPATION, sid)
}

/// The answer of a [`queue_since`].
pub fn since_of(result: &mut BatchResult<'_>, slot: Slot) -> Result<Option<i64>, StoreError> {
    Ok(result.decode::<Participation>(slot)?.map(|p| p.since))
}

/// Queue remembering that `grant` (just issued in the session with store id `session_key`) went
/// to its client, first in this session at `since` (from [`since`], or now): the record and its
/// place on the watch schedule, in the batch that stores the code (issue 13).
pub fn queue_remember(
    broker: &Broker,
    batch: &mut RecordBatch<'_>,
    grant: &Grant,
    session_key: &str,
    since: Option<i64>,
    now: i64,
) -> Result<(), StoreError> {
    let p = Participation {
        client_id: grant.client_id.to_string(),
        sid: grant.sid.clone(),
        sub: grant.sub.clone(),
        since: since.unwrap_or(now),
        last: now,
        level: grant.level,
        session_key: session_key.to_owned(),
    };
    let ttl = participation_ttl(broker);
    batch.put(PARTICIPATION, &grant.sid, &p, ttl)?;
    let due = (now.saturating_add(first_look(broker).as_secs() as i64)).saturating_mul(1000);
    batch.schedule(WATCH, &grant.sid, due, ttl);
    Ok(())
}

/// Keep a participation whose session is still alive, and look again at `due_ms`.
pub async fn keep(broker: &Broker, p: &Participation, due_ms: i64) -> Result<(), StoreError> {
    let ttl = participation_ttl(broker);
    broker.records().put(PARTICIPATION, &p.sid, p, ttl).await?;
    broker.records().schedule(WATCH, &p.sid, due_ms, ttl).await
}

/// `sid`s whose session should be looked at by `now_ms`.
pub async fn due_for_watch(records: &Records, now_ms: i64, limit: usize) -> Result<Vec<String>, StoreError> {
    records.due(WATCH, now_ms, limit).await
}

/// The participation of the client with `sid`, if any.
pub async fn find(records: &Records, sid: &str) -> Result<Option<Participation>, StoreError> {
    records.get(PARTICIPATION, sid).await
}

/// Forget a participation (the session ended) and stop watching it.
pub async fn forget(records: &Records, sid: &str) -> Result<(), StoreError> {
    records.delete(PARTICIPATION, sid).await?;
    records.unschedule(WATCH, sid).await.map(|_| ())
}

/// Mark the session of `sid` as ended at `at`.
pub async fn mark_ended(broker: &Broker, sid: &str, at: i64) -> Result<(), StoreError> {
    broker.records().put(ENDED, sid, &SessionEnded { at }, ended_ttl(broker)).await
}

/// When the session of `sid` ended, if it has.
pub async fn ended_at(records: &Records, sid: &str) -> Result<Option<i64>, StoreError> {
    Ok(records.get::<SessionEnded>(ENDED, sid).await?.map(|e| e.at))
}

/// Queue the read behind [`ended_at`] into a batch (the token side reads it with the grant).
pub fn queue_ended(batch: &mut RecordBatch<'_>, sid: &str) -> Slot {
    batch.get(ENDED, sid)
}

/// The answer of a [`queue_ended`] read: when the session ended, if it has.
pub fn ended_in(result: &mut BatchResult<'_>, slot: Slot) -> Result<Option<i64>, StoreError> {
    Ok(result.decode::<SessionEnded>(slot)?.map(|e| e.at))
}
