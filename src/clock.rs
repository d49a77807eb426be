//! Time as an injected dependency, so session limits, code lifetimes and SAML validity windows are
//! tested with a controllable clock rather than sleeps.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Source of "now".
pub trait Clock: Send + Sync + 'static {
    /// Current time.
    fn now(&self) -> SystemTime;

    /// Current time as whole seconds since the epoch (JWT `NumericDate`, RFC 7519 §2).
    fn unix(&self) -> i64 {
        unix_seconds(self.now())
    }
}

/// Seconds since the epoch, saturating at 0 for times before it.
pub fn unix_seconds(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that only moves when told to; for tests.
#[derive(Debug)]
pub struct ManualClock {
    millis: AtomicI64,
}

impl ManualClock {
    /// A clock standing at the current wall-clock time.
    pub fn starting_now() -> Self {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        Self {
            millis: AtomicI64::new(ms),
        }
    }

    /// Move the clock forward.
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.millis.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        let ms = self.millis.load(Ordering::SeqCst).max(0) as u64;
        UNIX_EPOCH + Duration::from_millis(ms)
    }
}
