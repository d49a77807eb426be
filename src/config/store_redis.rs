//! `[store]` with `backend = "redis"`: one server (`redis_url`), Redis Sentinel
//! (`[store.redis_sentinel]`) or Redis Cluster (`[store.redis_cluster]`), an ACL user
//! (`redis_username`), the password (`redis_password`, `env:NAME`), and for `rediss://` the CA
//! (`redis_ca_file`, else the system's roots). Built into the session module's [`RedisSettings`].

use super::{Problems, Secret};
use crate::session::redis_conn::{RedisSettings, RedisTarget};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSentinel {
    pub master_name: String,
    pub sentinels: Vec<String>,
    #[serde(default)]
    pub min_replica_acks: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCluster {
    pub nodes: Vec<String>,
}

/// The raw Redis keys of `[store]` (flattened into it).
#[derive(Debug, Clone, Default)]
pub struct RawRedis<'a> {
    pub url: Option<&'a str>,
    pub username: Option<&'a str>,
    pub password: Option<&'a str>,
    pub ca_file: Option<&'a PathBuf>,
    pub sentinel: Option<&'a RawSentinel>,
    pub cluster: Option<&'a RawCluster>,
}

/// A `redis://` or `rediss://` URL without credentials; `field` names it in problems.
fn check_url(field: &str, url: &str, p: &mut Problems) -> bool {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "redis" | "rediss") && u.host_str().is_some_and(|h| !h.is_empty()) => {
            if u.password().is_some() || !u.username().is_empty() {
                p.push(format!(
                    "{field}: put the user and password in store.redis_username / store.redis_password (env:NAME), not in the URL"
                ));
                return false;
            }
            true
        }
        _ => {
            p.push(format!(
                "{field}: malformed URL {url:?}: expected redis://host:port or rediss://host:port"
            ));
            false
        }
    }
}

/// Validate into the session module's settings and a short description for messages.
pub fn validate(raw: RawRedis<'_>, p: &mut Problems) -> Option<(RedisSettings, String)> {
    let modes = [raw.url.is_some(), raw.sentinel.is_some(), raw.cluster.is_some()];
    if modes.iter().filter(|m| **m).count() > 1 {
        p.push("store: choose one of redis_url, [store.redis_sentinel] and [store.redis_cluster]");
        return None;
    }
    let mut ok = true;
    let min_replica_acks = raw.sentinel.map(|s| s.min_replica_acks.unwrap_or(1)).unwrap_or(0);
    if min_replica_acks > 5 {
        p.push("store.redis_sentinel.min_replica_acks: at most 5");
        ok = false;
    }
    let (target, describe) = if let Some(s) = raw.sentinel {
        if s.master_name.trim().is_empty() {
            p.push("store.redis_sentinel.master_name: required");
            ok = false;
        }
        if s.sentinels.is_empty() {
            p.push("store.redis_sentinel.sentinels: at least one sentinel address (three or more in production)");
            ok = false;
        }
        for (i, u) in s.sentinels.iter().enumerate() {
            ok &= check_url(&format!("store.redis_sentinel.sentinels[{i}]"), u, p);
        }
        let d = format!("Redis master {:?} via sentinels {}", s.master_name, s.sentinels.join(", "));
        (
            RedisTarget::Sentinel {
                master_name: s.master_name.clone(),
                sentinels: s.sentinels.clone(),
            },
            d,
        )
    } else if let Some(c) = raw.cluster {
        if c.nodes.is_empty() {
            p.push("store.redis_cluster.nodes: at least one seed node");
            ok = false;
        }
        for (i, u) in c.nodes.iter().enumerate() {
            ok &= check_url(&format!("store.redis_cluster.nodes[{i}]"), u, p);
        }
        (
            RedisTarget::Cluster(c.nodes.clone()),
            format!("Redis Cluster {}", c.nodes.join(", ")),
        )
    } else {
        let url = raw.url.unwrap_or("redis://127.0.0.1:6379");
        ok &= check_url("store.redis_url", url, p);
        (RedisTarget::Single(url.to_owned()), format!("Redis at {url}"))
    };
    let password = raw
        .password
        .and_then(|s| Secret::resolve("store.redis_password", s, p))
        .map(|s| s.expose().to_owned());
    let ca_pem = match raw.ca_file {
        Some(path) => match std::fs::read(path) {
            Ok(pem) if pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") => Some(pem),
            Ok(_) => {
                p.push(format!("store.redis_ca_file: {} holds no PEM certificate", path.display()));
                None
            }
            Err(e) => {
                p.push(format!("store.redis_ca_file: {}: {e}", path.display()));
                None
            }
        },
        None => None,
    };
    ok.then(|| {
        (
            RedisSettings {
                target,
                username: raw.username.map(str::to_owned),
                password,
                ca_pem,
                min_replica_acks,
            },
            describe,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(raw: RawRedis<'_>) -> (Option<(RedisSettings, String)>, Vec<String>) {
        let mut p = Problems::default();
        let r = validate(raw, &mut p);
        (r, p.finish().err().map(|e| e.problems).unwrap_or_default())
    }

    #[test]
    fn one_mode_only_and_every_address_checked() {
        let s = RawSentinel {
            master_name: "m".into(),
            sentinels: vec!["redis://10.0.0.1:26379".into(), "http://x".into()],
            min_replica_acks: None,
        };
        let c = RawCluster { nodes: vec![] };
        let (_, p) = run(RawRedis {
            url: Some("redis://h:1"),
            sentinel: Some(&s),
            ..Default::default()
        });
        assert!(p.iter().any(|m| m.contains("choose one")), "{p:?}");
        let (r, p) = run(RawRedis {
            sentinel: Some(&s),
            ..Default::default()
        });
        assert!(r.is_none());
        assert!(
            p.iter().any(|m| m.starts_with("store.redis_sentinel.sentinels[1]: malformed")),
            "{p:?}"
        );
        let (_, p) = run(RawRedis {
            cluster: Some(&c),
            ..Default::default()
        });
        assert!(p.iter().any(|m| m.contains("at least one seed node")), "{p:?}");
    }

    #[test]
    fn tls_user_and_the_default() {
        let (r, p) = run(RawRedis {
            url: Some("rediss://redis.internal:6380"),
            username: Some("broker"),
            ..Default::default()
        });
        assert!(p.is_empty(), "{p:?}");
        let (s, d) = r.unwrap();
        assert_eq!(s.target, RedisTarget::Single("rediss://redis.internal:6380".into()));
        assert_eq!(s.username.as_deref(), Some("broker"));
        assert!(d.contains("rediss://"));
        let (r, _) = run(RawRedis::default());
        assert_eq!(r.unwrap().0.target, RedisTarget::Single("redis://127.0.0.1:6379".into()));
        let (_, p) = run(RawRedis {
            url: Some("redis://user:pw@h:1"),
            ..Default::default()
        });
        assert!(p.iter().any(|m| m.contains("not in the URL")), "{p:?}");
    }
}
