//! How long a broker session may be used at each trust level (design brief §5): the session
//! module's settings, built by `config` from `[store] session_limits` (config → domain only).

use crate::trust::TrustLevel;
use std::time::Duration;

/// How long a broker session may be used at a level: since authentication, and since last use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    /// Level the limit applies to.
    pub level: TrustLevel,
    /// Total age since `auth_time`.
    pub max_age: Duration,
    /// Since the session was last used.
    pub idle: Duration,
}

impl SessionLimits {
    /// Defaults: high 30 min total / 5 min idle; substantial 2 h / 30 min; low and basic 8 h / 1 h.
    pub fn default_for(level: TrustLevel) -> SessionLimits {
        let (max, idle) = match level {
            TrustLevel::High => (30 * 60, 5 * 60),
            TrustLevel::Substantial => (2 * 3600, 30 * 60),
            TrustLevel::Low | TrustLevel::Basic => (8 * 3600, 3600),
        };
        SessionLimits {
            level,
            max_age: Duration::from_secs(max),
            idle: Duration::from_secs(idle),
        }
    }
}

/// The per-level limits, one per level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSettings {
    limits: Vec<SessionLimits>,
}

impl Default for SessionSettings {
    /// Every level at its default ([`SessionLimits::default_for`]).
    fn default() -> Self {
        Self {
            limits: TrustLevel::ALL.into_iter().map(SessionLimits::default_for).collect(),
        }
    }
}

impl SessionSettings {
    /// Replace the limit of one level.
    pub fn set(&mut self, limits: SessionLimits) {
        match self.limits.iter_mut().find(|l| l.level == limits.level) {
            Some(slot) => *slot = limits,
            None => self.limits.push(limits),
        }
    }

    /// The limit for a level.
    pub fn limits_for(&self, level: TrustLevel) -> SessionLimits {
        self.limits
            .iter()
            .copied()
            .find(|l| l.level == level)
            .unwrap_or_else(|| SessionLimits::default_for(level))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_limit_replaces_the_default_of_its_level_only() {
        let mut s = SessionSettings::default();
        let high = SessionLimits {
            level: TrustLevel::High,
            max_age: Duration::from_secs(600),
            idle: Duration::from_secs(60),
        };
        s.set(high);
        assert_eq!(s.limits_for(TrustLevel::High), high);
        assert_eq!(s.limits_for(TrustLevel::Low).max_age, Duration::from_secs(8 * 3600));
    }
}
