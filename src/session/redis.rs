//! Redis backend (redis crate, reconnecting `ConnectionManager`).
//!
//! - `take` is `GETDEL` (Redis ≥ 6.2): read and delete in one atomic command, so of concurrent
//!   redeemers of one authorization code exactly one gets it.
//! - `insert_if_absent` is `SET key value PX ttl NX`: the replay caches (SAML assertion IDs, client
//!   assertion `jti`s) rely on the server deciding "first" atomically.
//! - `replace_if_exists` is `SET key value PX ttl XX`: an update (a grant's extended expiry) lands
//!   only while the record exists, so a revocation (`DEL`) racing it is never undone. `PX` sets the
//!   new TTL in the same command (`XX` alone would drop the old TTL and keep the key forever).
//! - `schedule` / `due` / `unschedule` are a sorted set (`ZADD`, `ZRANGEBYSCORE … LIMIT`, `ZREM`)
//!   scored by due time; `schedule` also lengthens the set's TTL in the same Lua script, so no
//!   key lives forever and no interleaving shortens it.
//! - Every error (I/O, timeout, protocol, `WRONGTYPE` …) maps to [`StoreError::Unavailable`]; callers
//!   fail closed with 503. There are no automatic retries of commands: re-running a `GETDEL` after an
//!   ambiguous failure could hand out a code twice or lose it (crates.md: "code redemption must fail
//!   closed"). The connection manager reconnects in the background, so the broker recovers on its own
//!   when Redis is back.

use super::{SessionStore, StoreError};
use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::IntoConnectionInfo;
use std::future::Future;
use std::time::Duration;

/// Time to establish a TCP connection (and authenticate).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Time for one command's answer.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);
/// Upper bound for one store operation, including waiting for a reconnect in progress. A request
/// never hangs on a dead Redis for longer than this.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(3);
/// Reconnect attempts per reconnect round; a new round starts with the next failing command.
const RECONNECT_RETRIES: usize = 2;
/// Largest back-off between reconnect attempts.
const RECONNECT_MAX_DELAY: Duration = Duration::from_millis(500);

/// A Redis-backed store. Cheap to share: the connection manager multiplexes one connection.
pub struct RedisStore {
    conn: ConnectionManager,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore").finish_non_exhaustive()
    }
}

fn unavailable(e: redis::RedisError) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

/// Redis wants whole milliseconds > 0 for `PX`.
fn ttl_millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl RedisStore {
    /// Connect and check the server answers `PING`; fails when Redis is unreachable at start-up
    /// (the caller names the URL in its message). `password` comes separately from the URL so it
    /// can be read from the environment (`store.redis_password = "env:NAME"`).
    pub async fn connect(url: &str, password: Option<&str>) -> Result<Self, StoreError> {
        let mut info = url
            .into_connection_info()
            .map_err(|e| StoreError::Unavailable(format!("invalid Redis URL: {e}")))?;
        if let Some(pw) = password {
            let settings = info.redis_settings().clone().set_password(pw);
            info = info.set_redis_settings(settings);
        }
        let client = redis::Client::open(info).map_err(unavailable)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_number_of_retries(RECONNECT_RETRIES)
            .set_max_delay(RECONNECT_MAX_DELAY);
        let conn = tokio::time::timeout(CONNECT_TIMEOUT * 2, ConnectionManager::new_with_config(client, config))
            .await
            .map_err(|_| StoreError::Unavailable("timed out connecting".into()))?
            .map_err(unavailable)?;
        let store = Self { conn };
        store.ping().await?;
        Ok(store)
    }

    /// `SET key value PX ttl NX|XX` in one command: `NX` writes only a new key, `XX` only replaces
    /// an existing one (and sets the new TTL with it, which `XX` alone would drop). `OK` when
    /// written, nil when the condition failed.
    async fn set_conditional(&self, key: &str, value: &[u8], ttl: Duration, condition: &'static str) -> Result<bool, StoreError> {
        let ms = ttl_millis(ttl);
        let reply = self
            .run(|mut c| async move {
                redis::cmd("SET")
                    .arg(key)
                    .arg(value)
                    .arg("PX")
                    .arg(ms)
                    .arg(condition)
                    .query_async::<Option<String>>(&mut c)
                    .await
            })
            .await?;
        Ok(reply.is_some())
    }

    /// Run one command with the overall deadline.
    async fn run<T, F>(&self, f: impl FnOnce(ConnectionManager) -> F) -> Result<T, StoreError>
    where
        F: Future<Output = redis::RedisResult<T>>,
    {
        // Counted for /metrics (issue 12 item 4): the outage is visible before readiness flips.
        match tokio::time::timeout(OPERATION_TIMEOUT, f(self.conn.clone())).await {
            Ok(r) => r.map_err(|e| {
                metrics::counter!("buergerkonto_store_errors_total", "kind" => "error").increment(1);
                unavailable(e)
            }),
            Err(_) => {
                metrics::counter!("buergerkonto_store_errors_total", "kind" => "timeout").increment(1);
                Err(StoreError::Unavailable("Redis did not answer in time".into()))
            }
        }
    }
}

#[async_trait]
impl SessionStore for RedisStore {
    async fn put(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), StoreError> {
        let ms = ttl_millis(ttl);
        self.run(|mut c| async move {
            redis::cmd("SET")
                .arg(key)
                .arg(value)
                .arg("PX")
                .arg(ms)
                .query_async::<()>(&mut c)
                .await
        })
        .await
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.run(|mut c| async move { redis::cmd("GET").arg(key).query_async::<Option<Vec<u8>>>(&mut c).await })
            .await
    }

    async fn take(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.run(|mut c| async move { redis::cmd("GETDEL").arg(key).query_async::<Option<Vec<u8>>>(&mut c).await })
            .await
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.run(|mut c| async move { redis::cmd("DEL").arg(key).query_async::<()>(&mut c).await })
            .await
    }

    async fn insert_if_absent(&self, key: &str, value: &[u8], ttl: Duration) -> Result<bool, StoreError> {
        self.set_conditional(key, value, ttl, "NX").await
    }

    async fn replace_if_exists(&self, key: &str, value: &[u8], ttl: Duration) -> Result<bool, StoreError> {
        self.set_conditional(key, value, ttl, "XX").await
    }

    async fn schedule(&self, key: &str, member: &str, due: i64, ttl: Duration) -> Result<(), StoreError> {
        // ZADD, then PEXPIRE only if that lengthens the TTL: one script, so atomic.
        const SCRIPT: &str = "redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2]) \
            local t = redis.call('PTTL', KEYS[1]) \
            if t < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end \
            return 1";
        let ms = ttl_millis(ttl);
        self.run(|mut c| async move {
            redis::cmd("EVAL")
                .arg(SCRIPT)
                .arg(1)
                .arg(key)
                .arg(due)
                .arg(member)
                .arg(ms)
                .query_async::<i64>(&mut c)
                .await
        })
        .await
        .map(|_| ())
    }

    async fn due(&self, key: &str, now: i64, limit: usize) -> Result<Vec<String>, StoreError> {
        self.run(|mut c| async move {
            redis::cmd("ZRANGEBYSCORE")
                .arg(key)
                .arg("-inf")
                .arg(now)
                .arg("LIMIT")
                .arg(0)
                .arg(limit)
                .query_async::<Vec<String>>(&mut c)
                .await
        })
        .await
    }

    async fn unschedule(&self, key: &str, member: &str) -> Result<bool, StoreError> {
        let removed = self
            .run(|mut c| async move { redis::cmd("ZREM").arg(key).arg(member).query_async::<i64>(&mut c).await })
            .await?;
        Ok(removed > 0)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let pong = self
            .run(|mut c| async move { redis::cmd("PING").query_async::<String>(&mut c).await })
            .await?;
        if pong == "PONG" {
            Ok(())
        } else {
            Err(StoreError::Unavailable(format!("unexpected PING reply {pong:?}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_is_whole_positive_milliseconds() {
        assert_eq!(ttl_millis(Duration::ZERO), 1);
        assert_eq!(ttl_millis(Duration::from_micros(10)), 1);
        assert_eq!(ttl_millis(Duration::from_secs(60)), 60_000);
    }

    #[tokio::test]
    async fn unreachable_redis_fails_at_connect() {
        // Port 1 on loopback: nothing listens there, the connection is refused at once.
        let e = RedisStore::connect("redis://127.0.0.1:1", None).await.unwrap_err();
        assert!(matches!(e, StoreError::Unavailable(_)), "{e}");
    }

    #[tokio::test]
    async fn malformed_url_is_unavailable_not_panic() {
        let e = RedisStore::connect("not-a-url", None).await.unwrap_err();
        assert!(matches!(e, StoreError::Unavailable(_)), "{e}");
    }
}
