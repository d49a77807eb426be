//! `[logout]`: delivery of back-channel logout tokens (docs/operations.md). Every key is optional.

use super::Problems;
use crate::logout::LogoutSettings;
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawLogout {
    /// How long a delivery is retried (seconds, 60..=86400; default 3600).
    #[serde(default)]
    pub backchannel_retry_for_secs: Option<u64>,
    /// First retry delay (milliseconds, 100..=60000; default 2000).
    #[serde(default)]
    pub backchannel_backoff_initial_ms: Option<u64>,
    /// Largest retry delay (seconds, 1..=3600; default 300).
    #[serde(default)]
    pub backchannel_backoff_max_secs: Option<u64>,
    /// Timeout of one POST (seconds, 1..=30; default 5).
    #[serde(default)]
    pub backchannel_timeout_secs: Option<u64>,
    /// How often each instance looks for due deliveries (milliseconds, 50..=60000; default 1000).
    #[serde(default)]
    pub backchannel_poll_ms: Option<u64>,
}

fn ranged(p: &mut Problems, field: &str, value: Option<u64>, default: u64, range: std::ops::RangeInclusive<u64>) -> u64 {
    let v = value.unwrap_or(default);
    if !range.contains(&v) {
        p.push(format!("logout.{field}: must be {}..={}", range.start(), range.end()));
    }
    v
}

pub(super) fn validate(raw: RawLogout, p: &mut Problems) -> LogoutSettings {
    let retry_for = ranged(p, "backchannel_retry_for_secs", raw.backchannel_retry_for_secs, 3600, 60..=86_400);
    let initial = ranged(
        p,
        "backchannel_backoff_initial_ms",
        raw.backchannel_backoff_initial_ms,
        2000,
        100..=60_000,
    );
    let max = ranged(p, "backchannel_backoff_max_secs", raw.backchannel_backoff_max_secs, 300, 1..=3600);
    let timeout = ranged(p, "backchannel_timeout_secs", raw.backchannel_timeout_secs, 5, 1..=30);
    let poll = ranged(p, "backchannel_poll_ms", raw.backchannel_poll_ms, 1000, 50..=60_000);
    if Duration::from_millis(initial) > Duration::from_secs(max) {
        p.push("logout.backchannel_backoff_initial_ms: must not exceed backchannel_backoff_max_secs");
    }
    LogoutSettings {
        retry_for: Duration::from_secs(retry_for),
        backoff_initial: Duration::from_millis(initial),
        backoff_max: Duration::from_secs(max),
        timeout: Duration::from_secs(timeout),
        poll: Duration::from_millis(poll),
    }
}
