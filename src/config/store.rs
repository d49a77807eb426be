//! `[store]`: backend, namespace, sealing keys, and per-level session limits.

use super::store_redis::RawRedis;
use super::{Problems, Secret};
use crate::session::redis_conn::RedisSettings;
use crate::session::settings::{SessionLimits, SessionSettings};
use crate::session::SealingKey;
use crate::trust::TrustLevel;
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawStore {
    #[serde(default)]
    pub backend: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub redis_url: Option<String>,
    #[serde(default)]
    pub redis_password: Option<String>,
    #[serde(default)]
    pub redis_username: Option<String>,
    #[serde(default)]
    pub redis_ca_file: Option<std::path::PathBuf>,
    #[serde(default)]
    pub redis_sentinel: Option<super::store_redis::RawSentinel>,
    #[serde(default)]
    pub redis_cluster: Option<super::store_redis::RawCluster>,
    #[serde(default)]
    pub sealing_keys: Vec<RawSealingKey>,
    #[serde(default)]
    pub session_limits: Vec<RawLimit>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSealingKey {
    pub id: String,
    pub key: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawLimit {
    pub level: String,
    pub max_age_secs: u64,
    pub idle_secs: u64,
}

/// Which backend.
#[derive(Debug, Clone)]
pub enum StoreBackend {
    /// Process memory (single node, development).
    Memory,
    /// Redis: one server, Sentinel or Cluster (`describe` names it in messages, without secrets).
    Redis { settings: RedisSettings, describe: String },
}

/// `[store]`, validated.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// Backend.
    pub backend: StoreBackend,
    /// Key prefix, so deployments (and tests) can share a Redis.
    pub namespace: String,
    /// Sealing keys; the first seals. Raw 32-byte keys.
    pub sealing_keys: Vec<(String, Secret)>,
    /// Per-level session limits (defaults filled in), the session module's settings.
    pub sessions: SessionSettings,
}

impl StoreConfig {
    /// The limit for a level ([`SessionSettings::limits_for`] of [`StoreConfig::sessions`]).
    pub fn limits_for(&self, level: TrustLevel) -> SessionLimits {
        self.sessions.limits_for(level)
    }

    /// Build the sealing keys (validated already, so errors are not expected here).
    pub fn build_sealing_keys(&self) -> Result<Vec<SealingKey>, String> {
        self.sealing_keys
            .iter()
            .map(|(id, s)| {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(s.expose())
                    .map_err(|e| e.to_string())?;
                SealingKey::new(id, &bytes).map_err(|e| e.to_string())
            })
            .collect()
    }
}

pub(super) fn validate(raw: RawStore, development: bool, p: &mut Problems) -> Option<StoreConfig> {
    let backend = match raw.backend.as_deref().unwrap_or("memory") {
        "memory" => StoreBackend::Memory,
        "redis" => {
            let raw_redis = RawRedis {
                url: raw.redis_url.as_deref(),
                username: raw.redis_username.as_deref(),
                password: raw.redis_password.as_deref(),
                ca_file: raw.redis_ca_file.as_ref(),
                sentinel: raw.redis_sentinel.as_ref(),
                cluster: raw.redis_cluster.as_ref(),
            };
            match super::store_redis::validate(raw_redis, p) {
                Some((settings, describe)) => StoreBackend::Redis { settings, describe },
                None => StoreBackend::Memory,
            }
        }
        other => {
            p.push(format!("store.backend: {other:?} is not memory or redis"));
            StoreBackend::Memory
        }
    };
    let namespace = raw.namespace.unwrap_or_else(|| "bk".into());
    if namespace.is_empty() || namespace.len() > 64 || namespace.contains(char::is_whitespace) {
        p.push("store.namespace: must be 1..=64 characters without white space");
    }
    let mut sealing_keys = Vec::new();
    if raw.sealing_keys.is_empty() {
        p.push(
            "store.sealing_keys: at least one sealing key is required (32 random bytes, base64; generate with `head -c 32 /dev/urandom | base64`)",
        );
    }
    for (i, k) in raw.sealing_keys.into_iter().enumerate() {
        let field = format!("store.sealing_keys[{i}]");
        if let Some(secret) = Secret::resolve(&format!("{field}.key"), &k.key, p) {
            match base64::engine::general_purpose::STANDARD.decode(secret.expose()) {
                Ok(bytes) => match SealingKey::new(&k.id, &bytes) {
                    Ok(_) => {
                        if !development && bytes.iter().all(|b| *b == bytes[0]) {
                            p.push(format!("{field}.key: weak secret (all bytes equal)"));
                        }
                        sealing_keys.push((k.id, secret));
                    }
                    Err(e) => p.push(format!("{field}: {e}")),
                },
                Err(e) => p.push(format!("{field}.key: not base64: {e}")),
            }
        }
    }
    let mut sessions = SessionSettings::default();
    for (i, l) in raw.session_limits.into_iter().enumerate() {
        let field = format!("store.session_limits[{i}]");
        match l.level.parse::<TrustLevel>() {
            Ok(level) => {
                if l.idle_secs == 0 || l.max_age_secs == 0 || l.idle_secs > l.max_age_secs {
                    p.push(format!("{field}: need 0 < idle_secs <= max_age_secs"));
                }
                sessions.set(SessionLimits {
                    level,
                    max_age: Duration::from_secs(l.max_age_secs),
                    idle: Duration::from_secs(l.idle_secs),
                });
            }
            Err(e) => p.push(format!("{field}.level: {e}")),
        }
    }
    Some(StoreConfig {
        backend,
        namespace,
        sealing_keys,
        sessions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, development: bool) -> (Option<StoreConfig>, Vec<String>) {
        let raw: RawStore = toml::from_str(text).unwrap();
        let mut p = Problems::default();
        let c = validate(raw, development, &mut p);
        let problems = p.finish().err().map(|e| e.problems).unwrap_or_default();
        (c, problems)
    }

    const KEY: &str = r#"sealing_keys = [{ id = "k1", key = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=" }]"#;

    #[test]
    fn redis_password_comes_from_the_environment_not_the_url() {
        std::env::set_var("BK_TEST_REDIS_PASSWORD_SET", "s3cret-from-env");
        let (c, p) = check(
            &format!("backend = \"redis\"\nredis_password = \"env:BK_TEST_REDIS_PASSWORD_SET\"\n{KEY}"),
            false,
        );
        assert!(p.is_empty(), "{p:?}");
        match c.unwrap().backend {
            StoreBackend::Redis { settings, describe } => {
                assert_eq!(describe, "Redis at redis://127.0.0.1:6379");
                assert_eq!(settings.password.as_deref(), Some("s3cret-from-env"));
                assert!(!format!("{settings:?}").contains("s3cret"), "never in Debug");
            }
            other => panic!("{other:?}"),
        }
        let (_, p) = check(&format!("backend = \"redis\"\nredis_url = \"redis://:pw@host:6379\"\n{KEY}"), false);
        assert!(p.iter().any(|m| m.contains("not in the URL")), "{p:?}");
        let (_, p) = check(
            &format!("backend = \"redis\"\nredis_password = \"env:BK_TEST_REDIS_PASSWORD_UNSET\"\n{KEY}"),
            false,
        );
        assert!(p.iter().any(|m| m.contains("BK_TEST_REDIS_PASSWORD_UNSET is not set")), "{p:?}");
    }

    #[test]
    fn malformed_redis_url_is_named() {
        for url in ["http://host:6379", "not a url", "redis//host"] {
            let (_, p) = check(&format!("backend = \"redis\"\nredis_url = \"{url}\"\n{KEY}"), false);
            assert!(p.iter().any(|m| m.starts_with("store.redis_url: malformed URL")), "{url}: {p:?}");
        }
        let (_, p) = check(&format!("backend = \"redis\"\nredis_url = \"rediss://host:6380\"\n{KEY}"), false);
        assert!(p.is_empty(), "rediss:// is TLS on rustls: {p:?}");
    }

    #[test]
    fn sealing_keys_are_checked() {
        let (_, p) = check("", false);
        assert!(p.iter().any(|m| m.contains("at least one sealing key")), "{p:?}");
        let (_, p) = check(r#"sealing_keys = [{ id = "k1", key = "c2hvcnQ=" }]"#, false);
        assert!(p.iter().any(|m| m.contains("exactly 32 bytes")), "{p:?}");
        let (_, p) = check(
            r#"sealing_keys = [{ id = "k1", key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" }]"#,
            false,
        );
        assert!(p.iter().any(|m| m.contains("weak secret")), "{p:?}");
        std::env::set_var("BK_TEST_SEALING_KEY_SET", "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=");
        let (c, p) = check(r#"sealing_keys = [{ id = "k1", key = "env:BK_TEST_SEALING_KEY_SET" }]"#, false);
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(c.unwrap().build_sealing_keys().unwrap().len(), 1);
    }
}
