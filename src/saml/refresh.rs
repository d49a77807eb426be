//! Keeping an IdP's metadata fresh (issue 12 item 5), after the OIDC upstream's discovery refresh
//! (`oidc_upstream::upstream`): the upstream's settings live in an [`IdpHolder`] whose current copy
//! is swapped whole, so a refresh takes effect at the next login without a restart, and a login in
//! flight keeps the copy it read (its Response is verified with the keys current when it arrives).
//!
//! - Schedule (SAML Metadata §2.2.1 and §2.3.2): again after `cacheDuration`, and well before
//!   `validUntil` (half the remaining time), bounded by `metadata_refresh_min_secs` /
//!   `metadata_refresh_max_secs`; after a failure, again after the minimum.
//! - A failed refresh (unreachable, unsigned, wrongly signed, expired, unparsable) keeps the last
//!   good copy, logs a warning with `kept = true` and counts
//!   `buergerkonto_saml_metadata_refresh_failures_total{upstream}`.
//! - Expiry is enforced: once the copy in use is past its `validUntil`, [`IdpHolder::current`]
//!   refuses (logins through the upstream fail closed, `temporarily_unavailable` for the relying
//!   party) until a fresh copy arrives.
//! - SIGHUP reloads at once (from the URL or the file).

use super::metadata::IdpMetadata;
use super::settings::{MetadataOrigin, SamlUpstreamConfig};
use super::source::{self, SourceError};
use crate::clock::Clock;
use crate::identity::AuthnError;
use std::sync::{Arc, RwLock, Weak};
use std::time::{Duration, SystemTime};

/// The metric counting failed refreshes, labelled `upstream`.
pub const REFRESH_FAILURES: &str = "buergerkonto_saml_metadata_refresh_failures_total";

/// One upstream's settings with its current metadata, swappable.
pub struct IdpHolder {
    current: RwLock<Arc<SamlUpstreamConfig>>,
    http: reqwest::Client,
}

impl std::fmt::Debug for IdpHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdpHolder").field("upstream", &self.snapshot().name).finish()
    }
}

impl IdpHolder {
    /// Hold `initial` (verified at start-up by configuration validation).
    pub fn new(initial: SamlUpstreamConfig) -> Result<Arc<Self>, String> {
        Ok(Arc::new(Self {
            current: RwLock::new(Arc::new(initial)),
            http: source::http_client()?,
        }))
    }

    /// The copy in use, expired or not (names, static settings, logging).
    pub fn snapshot(&self) -> Arc<SamlUpstreamConfig> {
        match self.current.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The copy in use for a login at `now`: refused once its `validUntil` has passed (fail
    /// closed: keys nobody vouches for any more are not used).
    pub fn current(&self, now: SystemTime) -> Result<Arc<SamlUpstreamConfig>, AuthnError> {
        let up = self.snapshot();
        match up.idp.valid_until {
            Some(t) if t <= now => {
                tracing::error!(upstream = %up.name, "IdP metadata expired (validUntil passed) and no fresh copy: logins refused");
                Err(AuthnError::Unavailable("the IdP metadata has expired".into()))
            }
            _ => Ok(up),
        }
    }

    /// Load the metadata again; on success swap it in, on failure keep the last good copy.
    pub async fn reload(&self, now: SystemTime) -> Result<(), SourceError> {
        let old = self.snapshot();
        let fresh = source::load(&old.origin, &self.http, now)
            .await
            .and_then(|idp| old.with_metadata(idp).map_err(SourceError::Endpoints));
        match fresh {
            Ok(up) => {
                tracing::info!(upstream = %up.name, signing_certs = up.idp.signing_certs.len(), "IdP metadata refreshed");
                match self.current.write() {
                    Ok(mut g) => *g = Arc::new(up),
                    Err(poisoned) => *poisoned.into_inner() = Arc::new(up),
                }
                Ok(())
            }
            Err(e) => {
                let expired = old.idp.valid_until.is_some_and(|t| t <= now);
                tracing::warn!(upstream = %old.name, error = %e, kept = true, expired, "IdP metadata refresh failed");
                metrics::counter!(REFRESH_FAILURES, "upstream" => old.name.clone()).increment(1);
                Err(e)
            }
        }
    }

    /// How long until the next refresh, after a success (`ok`) or a failure.
    pub fn next_refresh(&self, now: SystemTime, ok: bool) -> Duration {
        let up = self.snapshot();
        schedule(&up.idp, &up.origin, now, ok)
    }

    /// Refresh in the background on the schedule above and at every SIGHUP. The task ends when
    /// the holder is dropped. Needs a Tokio runtime; without one it does nothing.
    pub fn spawn_refresh(self: &Arc<Self>, clock: Arc<dyn Clock>) {
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        // Registered here, synchronously, so a SIGHUP from the moment the broker is up is ours.
        let mut hangup = {
            let _guard = rt.enter();
            hangup_listener()
        };
        let weak: Weak<Self> = Arc::downgrade(self);
        let mut wait = self.next_refresh(clock.now(), true);
        rt.spawn(async move {
            loop {
                let signalled = tokio::select! {
                    () = tokio::time::sleep(wait) => false,
                    Some(()) = recv(&mut hangup) => true,
                };
                let Some(holder) = weak.upgrade() else { return };
                if signalled {
                    tracing::info!(upstream = %holder.snapshot().name, "SIGHUP: reloading IdP metadata");
                }
                let ok = holder.reload(clock.now()).await.is_ok();
                wait = holder.next_refresh(clock.now(), ok);
            }
        });
    }
}

/// The refresh schedule: after a failure the minimum interval; else `cacheDuration` (default:
/// the maximum), but no later than halfway to `validUntil`, so a refresh failing a few times
/// still has time before the copy expires; always within [min, max].
pub fn schedule(idp: &IdpMetadata, origin: &MetadataOrigin, now: SystemTime, ok: bool) -> Duration {
    let (min, max) = (origin.refresh_min, origin.refresh_max.max(origin.refresh_min));
    if !ok {
        return min;
    }
    let mut wait = idp.cache_duration.unwrap_or(max);
    if let Some(until) = idp.valid_until {
        wait = wait.min(until.duration_since(now).unwrap_or(Duration::ZERO) / 2);
    }
    wait.clamp(min, max)
}

/// Listen for SIGHUP (several listeners for one signal are fine in tokio: the audit log's reopen
/// listens too). `None` where signals are unavailable.
fn hangup_listener() -> Option<tokio::signal::unix::Signal> {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for SIGHUP: IdP metadata reloads only on its schedule");
            None
        }
    }
}

async fn recv(s: &mut Option<tokio::signal::unix::Signal>) -> Option<()> {
    match s {
        Some(s) => s.recv().await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests;
