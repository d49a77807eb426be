//! The broker's SSO session: one per browser, shared by all relying parties (issue 5 item 3).
//!
//! The cookie carries a random id (≥ 128 bits); the record is stored under the SHA-256 of the id,
//! sealed (it holds the person's attributes), with a TTL from the per-level limits.
//!
//! **Per-level limits with decay.** A session authenticated at level L at `auth_time` counts, at
//! time `now`, as the highest level K ≤ L whose limits still hold: `now - auth_time ≤ max_age(K)`
//! and `now - last_used ≤ idle(K)`. So a `high` session older than 30 minutes still serves a
//! `substantial` request for up to 2 h, but never a `high` one (oidc-landscape §2.1: "an elevated
//! acr never decays"). When no level holds, the session is over.

use crate::identity::{Attributes, MethodId, Organisation, UpstreamSession, UpstreamSubject, VerifiedIdentity};
use crate::ids::{ClientId, SessionId};
use crate::session::{RecordBatch, RecordKind, Records, SessionLimits, StoreError};
use crate::trust::TrustLevel;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// A remembered consent: client and the sorted claim names it was given for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// Client.
    pub client_id: ClientId,
    /// Claim names (sorted), including `sub`.
    pub claims: Vec<String>,
}

/// The session record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BrokerSession {
    /// The cookie value (secret).
    pub id: SessionId,
    /// Upstream identity.
    pub subject: UpstreamSubject,
    /// Method of the last authentication.
    pub method: MethodId,
    /// Level of the last authentication.
    pub level: TrustLevel,
    /// RFC 8176 method references.
    pub amr: Vec<String>,
    /// Time of the last authentication (unix seconds).
    pub auth_time: i64,
    /// Attributes from the upstream.
    pub attributes: Attributes,
    /// Organisation (business logins).
    pub organisation: Option<Organisation>,
    /// Creation (unix seconds).
    pub created_at: i64,
    /// Last use (unix seconds), for the idle limit.
    pub last_used: i64,
    /// Consents given in this session.
    pub consents: Vec<Consent>,
    /// The upstream's session behind the last authentication, ended with ours (issue 11 item 5).
    #[serde(default)]
    pub upstream_session: Option<UpstreamSession>,
}

/// Why a session cannot serve a request without a new login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unusable {
    /// No session, or its limits ran out.
    Expired,
    /// The level still valid is below the requirement (step-up needed).
    LevelTooLow,
    /// `max_age` (OIDC Core §3.1.2.1) exceeded.
    MaxAge,
}

impl BrokerSession {
    /// A new session from a fresh authentication.
    pub fn new(id: SessionId, identity: VerifiedIdentity, now: i64) -> Self {
        Self {
            id,
            subject: identity.subject,
            method: identity.method,
            level: identity.level,
            amr: identity.amr,
            auth_time: identity.auth_time,
            attributes: identity.attributes,
            organisation: identity.organisation,
            created_at: now,
            last_used: now,
            consents: Vec::new(),
            upstream_session: identity.upstream_session,
        }
    }

    /// Record a new authentication of the *same* person (step-up or re-authentication): the session
    /// keeps its id and takes the new level, time and method; attributes are merged.
    pub fn reauthenticated(&mut self, identity: VerifiedIdentity, now: i64) {
        self.method = identity.method;
        self.level = identity.level;
        self.amr = identity.amr;
        self.auth_time = identity.auth_time;
        self.attributes.extend(identity.attributes);
        if identity.organisation.is_some() {
            self.organisation = identity.organisation;
        }
        // The new login's upstream session is the live one; an upstream without one keeps the old.
        if identity.upstream_session.is_some() {
            self.upstream_session = identity.upstream_session;
        }
        self.last_used = now;
    }

    /// The highest level the session still counts for at `now`, or `None` when it is over.
    pub fn effective_level(&self, now: i64, limits: impl Fn(TrustLevel) -> SessionLimits) -> Option<TrustLevel> {
        let age = now.saturating_sub(self.auth_time).max(0) as u64;
        let idle = now.saturating_sub(self.last_used).max(0) as u64;
        TrustLevel::ALL.into_iter().rev().filter(|l| *l <= self.level).find(|l| {
            let lim = limits(*l);
            age <= lim.max_age.as_secs() && idle <= lim.idle.as_secs()
        })
    }

    /// Record a use at `now`. A level that has lapsed is dropped first, so that resetting the idle
    /// timer can never bring a lapsed level back.
    pub fn touch(&mut self, now: i64, limits: impl Fn(TrustLevel) -> SessionLimits) {
        if let Some(l) = self.effective_level(now, limits) {
            self.level = l;
        }
        self.last_used = now;
    }

    /// How long the record must live: until the last level's limit runs out.
    pub fn ttl(&self, now: i64, limits: impl Fn(TrustLevel) -> SessionLimits) -> Option<Duration> {
        let age = now.saturating_sub(self.auth_time).max(0) as u64;
        let idle = now.saturating_sub(self.last_used).max(0) as u64;
        TrustLevel::ALL
            .into_iter()
            .filter(|l| *l <= self.level)
            .filter_map(|l| {
                let lim = limits(l);
                let left_total = lim.max_age.as_secs().checked_sub(age)?;
                let left_idle = lim.idle.as_secs().checked_sub(idle)?;
                Some(left_total.min(left_idle))
            })
            .max()
            .filter(|s| *s > 0)
            .map(Duration::from_secs)
    }

    /// Can the session serve a request for `required` (and `max_age`) at `now`? Gives the level
    /// it counts for.
    pub fn usable_for(
        &self,
        now: i64,
        required: TrustLevel,
        max_age: Option<u64>,
        limits: impl Fn(TrustLevel) -> SessionLimits,
    ) -> Result<TrustLevel, Unusable> {
        let level = self.effective_level(now, limits).ok_or(Unusable::Expired)?;
        if level < required {
            return Err(Unusable::LevelTooLow);
        }
        if let Some(max) = max_age {
            let age = now.saturating_sub(self.auth_time).max(0) as u64;
            if age > max {
                return Err(Unusable::MaxAge);
            }
        }
        Ok(level)
    }

    /// Whether consent for exactly this client and claim set was given.
    pub fn has_consent(&self, client_id: &ClientId, claims: &[String]) -> bool {
        self.consents.iter().any(|c| c.client_id == *client_id && c.claims == claims)
    }

    /// Remember a consent (replacing an older one for the client).
    pub fn remember_consent(&mut self, client_id: &ClientId, claims: Vec<String>) {
        self.consents.retain(|c| c.client_id != *client_id);
        self.consents.push(Consent {
            client_id: client_id.clone(),
            claims,
        });
    }
}

/// `sid` for a client (OIDC Back-Channel Logout §2.4): per client, so relying parties cannot
/// correlate sessions, and one-way, so it never reveals the cookie value.
pub fn sid_for(session_id: &SessionId, client_id: &ClientId) -> String {
    let mut h = Sha256::new();
    h.update(b"bk-sid\0");
    h.update(session_id.expose().as_bytes());
    h.update([0]);
    h.update(client_id.as_str().as_bytes());
    URL_SAFE_NO_PAD.encode(h.finalize())
}

/// Load a session by cookie value.
/// The store id of a session is the hash of the cookie value ([`SessionId::store_key`]): a dump of
/// the store does not reveal cookie values.
pub async fn load(records: &Records, session_id: &SessionId) -> Result<Option<BrokerSession>, StoreError> {
    let s: Option<BrokerSession> = records.get(RecordKind::BrokerSession, &session_id.store_key()).await?;
    // The id inside the sealed record must match (defence in depth against a hash collision).
    Ok(s.filter(|s| s.id == *session_id))
}

/// Save a session with the TTL its limits leave; an expired session is deleted instead.
pub async fn save(
    records: &Records,
    limits: impl Fn(TrustLevel) -> SessionLimits,
    session: &BrokerSession,
    now: i64,
) -> Result<bool, StoreError> {
    match session.ttl(now, limits) {
        Some(ttl) => {
            records
                .put(RecordKind::BrokerSession, &session.id.store_key(), session, ttl)
                .await?;
            Ok(true)
        }
        None => {
            records.delete(RecordKind::BrokerSession, &session.id.store_key()).await?;
            Ok(false)
        }
    }
}

/// [`save`] queued into a batch (the consent decision stores the session with the code).
pub fn queue_save(
    batch: &mut RecordBatch<'_>,
    limits: impl Fn(TrustLevel) -> SessionLimits,
    session: &BrokerSession,
    now: i64,
) -> Result<(), StoreError> {
    match session.ttl(now, limits) {
        Some(ttl) => batch.put(RecordKind::BrokerSession, &session.id.store_key(), session, ttl),
        None => {
            batch.delete(RecordKind::BrokerSession, &session.id.store_key());
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(level: TrustLevel) -> SessionLimits {
        let (max, idle) = match level {
            TrustLevel::High => (1800, 300),
            TrustLevel::Substantial => (7200, 1800),
            _ => (28800, 3600),
        };
        SessionLimits {
            level,
            max_age: Duration::from_secs(max),
            idle: Duration::from_secs(idle),
        }
    }

    fn session(level: TrustLevel) -> BrokerSession {
        BrokerSession {
            id: SessionId::new("s"),
            subject: UpstreamSubject("u".into()),
            method: MethodId("dev".into()),
            level,
            amr: vec![],
            auth_time: 1000,
            attributes: Attributes::new(),
            organisation: None,
            created_at: 1000,
            last_used: 1000,
            consents: vec![],
            upstream_session: None,
        }
    }

    #[test]
    fn high_decays_to_substantial_after_its_limit() {
        let mut s = session(TrustLevel::High);
        assert_eq!(s.effective_level(1000 + 299, limits), Some(TrustLevel::High));
        // idle over 5 min: no longer high, still substantial
        assert_eq!(s.effective_level(1000 + 301, limits), Some(TrustLevel::Substantial));
        // kept in use, but older than 30 min total
        s.last_used = 1000 + 1801;
        assert_eq!(s.effective_level(1000 + 1801, limits), Some(TrustLevel::Substantial));
        assert_eq!(
            s.usable_for(1000 + 1801, TrustLevel::High, None, limits),
            Err(Unusable::LevelTooLow)
        );
    }

    #[test]
    fn use_does_not_revive_a_lapsed_level() {
        let mut s = session(TrustLevel::High);
        s.touch(1000 + 301, limits);
        assert_eq!(s.level, TrustLevel::Substantial);
        assert_eq!(s.effective_level(1000 + 302, limits), Some(TrustLevel::Substantial));
    }

    #[test]
    fn expires_entirely() {
        let s = session(TrustLevel::Substantial);
        assert_eq!(s.effective_level(1000 + 1801, limits), Some(TrustLevel::Low));
        let s = session(TrustLevel::High);
        assert_eq!(s.effective_level(1000 + 3601, limits), None);
        assert_eq!(s.usable_for(1000 + 3601, TrustLevel::Low, None, limits), Err(Unusable::Expired));
        assert_eq!(s.ttl(1000 + 3601, limits), None);
    }

    #[test]
    fn ttl_is_longest_remaining_level() {
        let s = session(TrustLevel::High);
        // at auth: low allows 3600 idle
        assert_eq!(s.ttl(1000, limits), Some(Duration::from_secs(3600)));
        let s = session(TrustLevel::Basic);
        assert_eq!(s.ttl(1000 + 100, limits), Some(Duration::from_secs(3500)));
    }

    #[test]
    fn max_age() {
        let s = session(TrustLevel::High);
        assert_eq!(s.usable_for(1100, TrustLevel::High, Some(100), limits), Ok(TrustLevel::High));
        assert_eq!(s.usable_for(1101, TrustLevel::High, Some(100), limits), Err(Unusable::MaxAge));
        assert_eq!(s.usable_for(1001, TrustLevel::Low, Some(0), limits), Err(Unusable::MaxAge));
    }

    #[test]
    fn consent_per_client_and_claims() {
        let mut s = session(TrustLevel::High);
        s.remember_consent(&ClientId::from("a"), vec!["sub".into()]);
        assert!(s.has_consent(&ClientId::from("a"), &["sub".into()]));
        assert!(!s.has_consent(&ClientId::from("a"), &["given_name".into(), "sub".into()]));
        assert!(!s.has_consent(&ClientId::from("b"), &["sub".into()]));
    }

    #[test]
    fn sid_per_client() {
        assert_ne!(
            sid_for(&SessionId::new("s"), &ClientId::from("a")),
            sid_for(&SessionId::new("s"), &ClientId::from("b"))
        );
        assert_eq!(
            sid_for(&SessionId::new("s"), &ClientId::from("a")),
            sid_for(&SessionId::new("s"), &ClientId::from("a"))
        );
        assert_eq!(sid_for(&SessionId::new("s"), &ClientId::from("a")).len(), 43);
    }
}
