//! Redis backend (redis crate): one server, Sentinel or Cluster (`redis_conn.rs`).
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
//! - `batch` is one pipeline in `MULTI`/`EXEC` (one server, Sentinel): the token endpoint reads a
//!   grant, a revocation entry and a session end in one round trip instead of three.
//! - Every error (I/O, timeout, protocol, `WRONGTYPE` …) maps to [`StoreError::Unavailable`]; callers
//!   fail closed with 503. There are no automatic retries of commands: re-running a `GETDEL` after an
//!   ambiguous failure could hand out a code twice or lose it (crates.md: "code redemption must fail
//!   closed"). The connection manager reconnects in the background, so the broker recovers on its own
//!   when Redis is back.

use super::redis_conn::{Conn, RedisSettings, CONNECT_TIMEOUT};
use super::{BatchOp, SessionStore, StoreError};
use async_trait::async_trait;
use redis::FromRedisValue;
use std::time::Duration;

/// Upper bound for one store operation, including waiting for a reconnect in progress. A request
/// never hangs on a dead Redis for longer than this.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(3);

/// How long a single-use write waits for its replica acknowledgements.
const WAIT_MS: u64 = 500;

/// A Redis-backed store. Cheap to share: one multiplexed connection (or the cluster's).
pub struct RedisStore {
    conn: Conn,
    min_replica_acks: u32,
    /// Round trips to Redis so far (a debug counter: the token bench prints it per request).
    round_trips: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore").finish_non_exhaustive()
    }
}

/// A failed command, counted for /metrics (issue 12 item 4): the outage is visible before
/// readiness flips.
fn counted_error(e: redis::RedisError) -> StoreError {
    metrics::counter!("buergerkonto_store_errors_total", "kind" => "error").increment(1);
    StoreError::Unavailable(e.to_string())
}

/// A command without an answer in time, counted likewise.
fn counted_timeout() -> StoreError {
    metrics::counter!("buergerkonto_store_errors_total", "kind" => "timeout").increment(1);
    StoreError::Unavailable("Redis did not answer in time".into())
}

/// Redis wants whole milliseconds > 0 for `PX`.
fn ttl_millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl RedisStore {
    /// Connect to one server and check it answers `PING`; fails when Redis is unreachable at
    /// start-up (the caller names the URL in its message). `password` comes separately from the
    /// URL so it can be read from the environment (`store.redis_password = "env:NAME"`).
    pub async fn connect(url: &str, password: Option<&str>) -> Result<Self, StoreError> {
        Self::connect_with(&RedisSettings::single(url, password)).await
    }

    /// Connect as `settings` say (one server, Sentinel or Cluster; ACL user; TLS) and `PING`.
    pub async fn connect_with(settings: &RedisSettings) -> Result<Self, StoreError> {
        let conn = tokio::time::timeout(CONNECT_TIMEOUT * 3, Conn::open(settings))
            .await
            .map_err(|_| StoreError::Unavailable("timed out connecting".into()))??;
        let store = Self {
            conn,
            min_replica_acks: settings.min_replica_acks,
            round_trips: std::sync::atomic::AtomicU64::new(0),
        };
        store.ping().await?;
        Ok(store)
    }

    /// `SET key value PX ttl NX|XX` in one command: `NX` writes only a new key, `XX` only replaces
    /// an existing one (and sets the new TTL with it, which `XX` alone would drop). `OK` when
    /// written, nil when the condition failed.
    async fn set_conditional(&self, key: &str, value: &[u8], ttl: Duration, condition: &'static str) -> Result<bool, StoreError> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(key).arg(value).arg("PX").arg(ttl_millis(ttl)).arg(condition);
        let reply: Option<String> = self.run_single_use(&cmd).await?;
        Ok(reply.is_some())
    }

    /// Run a single-use write (see [`RedisSettings::min_replica_acks`]): with replicas required,
    /// the command and `WAIT` go as one pipeline, and too few acknowledgements fail closed — the
    /// caller gets no value and counts nothing as done.
    async fn run_single_use<T: FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T, StoreError> {
        if self.min_replica_acks == 0 {
            // `run` counts the round trip.
            return self.run(cmd).await;
        }
        self.count_round_trip();
        let need = self.min_replica_acks;
        let (reply, acks): (T, i64) = match tokio::time::timeout(OPERATION_TIMEOUT, self.conn.query_replicated(cmd, need, WAIT_MS)).await {
            Ok(r) => r.map_err(counted_error)?,
            Err(_) => return Err(counted_timeout()),
        };
        if acks < i64::from(need) {
            return Err(StoreError::Unavailable(format!("write acknowledged by {acks} of {need} replicas")));
        }
        Ok(reply)
    }

    fn count_round_trip(&self) {
        self.round_trips.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Run one command with the overall deadline.
    async fn run<T: FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T, StoreError> {
        self.count_round_trip();
        match tokio::time::timeout(OPERATION_TIMEOUT, self.conn.query(cmd)).await {
            Ok(r) => r.map_err(counted_error),
            Err(_) => Err(counted_timeout()),
        }
    }
}

/// `schedule` as one command: ZADD, then PEXPIRE only if that lengthens the TTL — one script over
/// one key, so atomic (and in one hash slot on a cluster); inside a batch's MULTI as well.
fn schedule_cmd(key: &str, member: &str, due: i64, ttl: Duration) -> redis::Cmd {
    const SCRIPT: &str = "redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2]) \
        local t = redis.call('PTTL', KEYS[1]) \
        if t < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end \
        return 1";
    let mut cmd = redis::cmd("EVAL");
    cmd.arg(SCRIPT).arg(1).arg(key).arg(due).arg(member).arg(ttl_millis(ttl));
    cmd
}

#[async_trait]
impl SessionStore for RedisStore {
    async fn put(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), StoreError> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(key).arg(value).arg("PX").arg(ttl_millis(ttl));
        self.run::<()>(&cmd).await
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.run(redis::cmd("GET").arg(key)).await
    }

    async fn take(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.run_single_use(redis::cmd("GETDEL").arg(key)).await
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.run_single_use::<()>(redis::cmd("DEL").arg(key)).await
    }

    async fn insert_if_absent(&self, key: &str, value: &[u8], ttl: Duration) -> Result<bool, StoreError> {
        self.set_conditional(key, value, ttl, "NX").await
    }

    async fn replace_if_exists(&self, key: &str, value: &[u8], ttl: Duration) -> Result<bool, StoreError> {
        self.set_conditional(key, value, ttl, "XX").await
    }

    async fn schedule(&self, key: &str, member: &str, due: i64, ttl: Duration) -> Result<(), StoreError> {
        self.run::<i64>(&schedule_cmd(key, member, due, ttl)).await.map(|_| ())
    }

    async fn due(&self, key: &str, now: i64, limit: usize) -> Result<Vec<String>, StoreError> {
        let mut cmd = redis::cmd("ZRANGEBYSCORE");
        cmd.arg(key).arg("-inf").arg(now).arg("LIMIT").arg(0).arg(limit);
        self.run(&cmd).await
    }

    async fn unschedule(&self, key: &str, member: &str) -> Result<bool, StoreError> {
        let removed: i64 = self.run(redis::cmd("ZREM").arg(key).arg(member)).await?;
        Ok(removed > 0)
    }

    async fn batch(&self, ops: &[BatchOp<'_>]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        let cmds: Vec<redis::Cmd> = ops
            .iter()
            .map(|op| match op {
                BatchOp::Get(key) => redis::cmd("GET").arg(*key).to_owned(),
                BatchOp::Put(key, value, ttl) => redis::cmd("SET").arg(*key).arg(*value).arg("PX").arg(ttl_millis(*ttl)).to_owned(),
                BatchOp::Delete(key) => redis::cmd("DEL").arg(*key).to_owned(),
                BatchOp::Take(key) => redis::cmd("GETDEL").arg(*key).to_owned(),
                BatchOp::InsertIfAbsent(key, value, ttl) => redis::cmd("SET")
                    .arg(*key)
                    .arg(*value)
                    .arg("PX")
                    .arg(ttl_millis(*ttl))
                    .arg("NX")
                    .to_owned(),
                BatchOp::Schedule(key, member, due, ttl) => schedule_cmd(key, member, *due, *ttl),
            })
            .collect();
        // Single-use writes count only once enough replicas have them, as outside a batch.
        let single_use = ops
            .iter()
            .any(|op| matches!(op, BatchOp::Take(_) | BatchOp::InsertIfAbsent(..) | BatchOp::Delete(_)));
        self.count_round_trip();
        let replies: Vec<redis::Value> = if single_use && self.min_replica_acks > 0 {
            let need = self.min_replica_acks;
            let (replies, acks) = match tokio::time::timeout(OPERATION_TIMEOUT, self.conn.query_batch_replicated(cmds, need, WAIT_MS)).await
            {
                Ok(r) => r.map_err(counted_error)?,
                Err(_) => return Err(counted_timeout()),
            };
            if acks < i64::from(need) {
                return Err(StoreError::Unavailable(format!("write acknowledged by {acks} of {need} replicas")));
            }
            replies
        } else {
            match tokio::time::timeout(OPERATION_TIMEOUT, self.conn.query_batch(cmds)).await {
                Ok(r) => r.map_err(counted_error)?,
                Err(_) => return Err(counted_timeout()),
            }
        };
        if replies.len() != ops.len() {
            return Err(StoreError::Unavailable(format!(
                "batch of {} answered with {} replies",
                ops.len(),
                replies.len()
            )));
        }
        ops.iter()
            .zip(replies)
            .map(|(op, reply)| match (op, reply) {
                (_, redis::Value::ServerError(e)) => Err(counted_error(e.into())),
                (BatchOp::Get(_) | BatchOp::Take(_), reply) => {
                    Option::<Vec<u8>>::from_redis_value(reply).map_err(|e| counted_error(e.into()))
                }
                // `SET … NX`: OK when stored, nil when the key was there.
                (BatchOp::InsertIfAbsent(..), redis::Value::Nil) => Ok(None),
                (BatchOp::InsertIfAbsent(..), _) => Ok(Some(Vec::new())),
                _ => Ok(None),
            })
            .collect()
    }

    fn round_trips(&self) -> Option<u64> {
        Some(self.round_trips.load(std::sync::atomic::Ordering::Relaxed))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let pong: String = self.run(&redis::cmd("PING")).await?;
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
