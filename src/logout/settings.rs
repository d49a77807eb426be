//! `[logout]`, validated by `config`: how long and how often the broker tries to deliver a
//! back-channel logout token (OIDC Back-Channel Logout 1.0 §2.7 leaves retries to the OP).

use std::time::Duration;

/// Delivery of back-channel logout tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutSettings {
    /// How long after the session ended a delivery is still attempted; afterwards it is dropped
    /// (counted as `dropped`). Bounded, so a relying party that is gone for good costs nothing.
    pub retry_for: Duration,
    /// First retry delay; doubled on every failure (with jitter), up to [`Self::backoff_max`].
    pub backoff_initial: Duration,
    /// Largest retry delay.
    pub backoff_max: Duration,
    /// Timeout of one POST to a relying party (connect and answer).
    pub timeout: Duration,
    /// How often each instance looks for due deliveries.
    pub poll: Duration,
}

impl Default for LogoutSettings {
    fn default() -> Self {
        Self {
            retry_for: Duration::from_secs(3600),
            backoff_initial: Duration::from_secs(2),
            backoff_max: Duration::from_secs(300),
            timeout: Duration::from_secs(5),
            poll: Duration::from_secs(1),
        }
    }
}

impl LogoutSettings {
    /// How long one instance holds a delivery it is working on. Longer than a POST can take, so
    /// a second instance never sends the same token while the first is still waiting for the
    /// answer; an instance that dies mid-delivery frees it after this time.
    pub fn lease(&self) -> Duration {
        self.timeout + Duration::from_secs(5)
    }
}
