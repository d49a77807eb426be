//! The background delivery of logout tokens (OIDC Back-Channel Logout 1.0 §2.5–§2.8), one loop per
//! instance, started by `app.rs`. Each round first looks for sessions that expired (`expiry.rs`),
//! then delivers.
//!
//! Each round: read the due ids from the queue, take the lease on each, read the record again
//! (a stale schedule read must not send twice), POST `logout_token=…` form-encoded (§2.5) with a
//! timeout and without following redirects (a relying party's endpoint must not steer the broker
//! elsewhere). 200 (or 204, which §2.8 says frameworks substitute) is success; anything else, or
//! no answer, is a failure retried with exponential backoff and jitter until
//! `logout.backchannel_retry_for_secs` after the session ended, then dropped. Metrics:
//! `buergerkonto_backchannel_logout_total{outcome="delivered"|"failed"|"dropped"}` (`failed`
//! counts attempts, the other two deliveries).

use super::end::unix_ms;
use super::logout_token;
use super::queue::{self, Delivery, DeliveryState};
use super::settings::LogoutSettings;
use crate::oidc_provider::broker::Broker;
use crate::session::StoreError;
use rand::Rng;

/// How many due deliveries one round takes on.
const BATCH: usize = 32;

/// A running delivery loop; stopped when dropped.
#[derive(Debug)]
pub struct Worker {
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Why the worker could not start.
#[derive(Debug, thiserror::Error)]
#[error("back-channel logout HTTP client: {0}")]
pub struct WorkerError(String);

/// The HTTP client for deliveries: the one outbound TLS stack (`tls::http_client_builder`), the
/// configured timeout, no redirects.
pub fn http_client(settings: &LogoutSettings) -> Result<reqwest::Client, WorkerError> {
    crate::tls::http_client_builder()
        .map_err(|e| WorkerError(e.to_string()))?
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| WorkerError(e.to_string()))
}

/// Start the loop on the current tokio runtime.
pub fn spawn(broker: Broker, settings: LogoutSettings) -> Result<Worker, WorkerError> {
    let http = http_client(&settings)?;
    let instance = crate::ids::random_id();
    let task = tokio::spawn(async move {
        loop {
            if let Err(e) = super::expiry::round(&broker, &settings, &instance).await {
                tracing::warn!(error = %e, "session expiry round failed; retrying");
            }
            if let Err(e) = round(&broker, &settings, &http, &instance).await {
                tracing::warn!(error = %e, "back-channel logout round failed; retrying");
            }
            tokio::time::sleep(settings.poll).await;
        }
    });
    Ok(Worker { task })
}

/// One round; returns how many deliveries this instance worked on.
pub async fn round(broker: &Broker, settings: &LogoutSettings, http: &reqwest::Client, instance: &str) -> Result<usize, StoreError> {
    let records = broker.records();
    let mut worked = 0;
    for id in queue::due(records, unix_ms(broker), BATCH).await? {
        if !queue::claim(records, settings, &id, instance).await? {
            continue;
        }
        worked += 1;
        attempt(broker, settings, http, &id).await?;
    }
    Ok(worked)
}

fn count(outcome: &'static str) {
    metrics::counter!("buergerkonto_backchannel_logout_total", "outcome" => outcome).increment(1);
}

/// One attempt on a leased delivery.
async fn attempt(broker: &Broker, settings: &LogoutSettings, http: &reqwest::Client, id: &str) -> Result<(), StoreError> {
    let records = broker.records();
    let now_ms = unix_ms(broker);
    let Some(mut d) = queue::get(records, id).await? else {
        return queue::forget(records, id).await;
    };
    if d.state != DeliveryState::Pending {
        return queue::forget(records, id).await;
    }
    if d.next_at > now_ms {
        // Rescheduled by another instance after we read the schedule.
        return queue::release(records, id).await;
    }
    let deadline = d
        .ended_at
        .saturating_add(i64::try_from(settings.retry_for.as_millis()).unwrap_or(i64::MAX));
    let target = broker
        .client(&d.client_id)
        .and_then(|c| c.backchannel_logout_uri.clone().map(|u| (c, u)));
    let Some((client, uri)) = target else {
        // The client or its endpoint left the configuration.
        tracing::warn!(client = %d.client_id, "back-channel logout dropped: client no longer has a backchannel_logout_uri");
        return finish(broker, settings, id, d, DeliveryState::Dropped).await;
    };
    if now_ms > deadline {
        tracing::warn!(client = %d.client_id, attempts = d.attempts, "back-channel logout dropped: retry window over");
        return finish(broker, settings, id, d, DeliveryState::Dropped).await;
    }
    let sent = match logout_token::build(broker, client, &d, broker.clock().unix()) {
        Ok(token) => post(http, &uri, &token).await,
        Err(e) => Err(format!("signing failed: {e}")),
    };
    d.attempts = d.attempts.saturating_add(1);
    match sent {
        Ok(()) => {
            tracing::info!(client = %d.client_id, attempts = d.attempts, "back-channel logout delivered");
            finish(broker, settings, id, d, DeliveryState::Delivered).await
        }
        Err(reason) => {
            count("failed");
            let wait = queue::backoff(settings, d.attempts - 1, rand::thread_rng().gen::<f64>());
            d.next_at = now_ms.saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX));
            tracing::info!(client = %d.client_id, attempts = d.attempts, retry_in_ms = wait.as_millis() as u64, %reason, "back-channel logout failed");
            if d.next_at > deadline {
                tracing::warn!(client = %d.client_id, attempts = d.attempts, "back-channel logout dropped: retry window over");
                return finish(broker, settings, id, d, DeliveryState::Dropped).await;
            }
            queue::update(records, settings, id, &d).await?;
            queue::release(records, id).await
        }
    }
}

async fn finish(broker: &Broker, settings: &LogoutSettings, id: &str, mut d: Delivery, state: DeliveryState) -> Result<(), StoreError> {
    count(match state {
        DeliveryState::Delivered => "delivered",
        _ => "dropped",
    });
    d.state = state;
    // The lease is kept until it expires: an instance with a stale read of the schedule finds
    // the record finished once it could take the lease.
    queue::update(broker.records(), settings, id, &d).await
}

/// POST the token (§2.5); `Err` with a loggable reason (never the token).
async fn post(http: &reqwest::Client, uri: &str, token: &str) -> Result<(), String> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("logout_token", token)
        .finish();
    let res = http
        .post(uri)
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(|e| format!("no answer: {}", without_url(&e)))?;
    match res.status().as_u16() {
        200 | 204 => Ok(()),
        s => Err(format!("HTTP {s}")),
    }
}

/// reqwest errors print the URL; keep the reason only.
fn without_url(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timeout".into()
    } else if e.is_connect() {
        "connection failed".into()
    } else {
        "request failed".into()
    }
}
