//! How the Redis store reaches Redis (issue 12 item 2): one server (`redis://`, `rediss://`), a
//! Sentinel-monitored master, or a Cluster — all with the redis crate's own support, an ACL user
//! name and password, and TLS on rustls with the process-wide aws-lc-rs provider
//! ([`crate::tls::install_process_default`]).
//!
//! - **Single server**: the crate's `ConnectionManager` (reconnects in the background).
//! - **Sentinel**: the master is asked of the sentinels (`SENTINEL get-master-addr-by-name`, then
//!   `ROLE` on the node, by the crate's `SentinelClient`); a multiplexed connection to it is kept
//!   until a command fails, then dropped, so the next command asks the sentinels again and finds
//!   the promoted replica after a failover. During the failover commands fail, callers fail closed
//!   (503); nothing is retried (a retried `GETDEL` could hand out a code twice).
//! - **Cluster**: the crate's async `ClusterConnection` (slot map, `MOVED`/`ASK`, topology refresh
//!   on failover). Every store command names exactly one key (`GETDEL`, `SET … NX|XX`, the one-key
//!   `schedule` script), so no operation spans hash slots and no hash tags are needed.

use super::StoreError;
use redis::aio::{ConnectionManager, ConnectionManagerConfig, MultiplexedConnection};
use redis::cluster::ClusterClientBuilder;
use redis::cluster_async::ClusterConnection;
use redis::sentinel::{SentinelClient, SentinelClientBuilder, SentinelServerType};
use redis::{AsyncConnectionConfig, FromRedisValue, IntoConnectionInfo, TlsCertificates, TlsMode};
use std::time::Duration;

/// Time to establish a TCP connection (and authenticate).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Time for one command's answer.
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);
/// Reconnect attempts per reconnect round (single server); a new round starts with the next
/// failing command.
const RECONNECT_RETRIES: usize = 2;
/// Largest back-off between reconnect attempts.
const RECONNECT_MAX_DELAY: Duration = Duration::from_millis(500);

/// Where Redis is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedisTarget {
    /// One server: `redis://host:port[/db]` or `rediss://…`.
    Single(String),
    /// A master monitored by Redis Sentinel.
    Sentinel {
        /// The monitored master's name (`sentinel monitor <name> …`).
        master_name: String,
        /// The sentinels: `redis://host:port` (or `rediss://`, then the data nodes use TLS too).
        sentinels: Vec<String>,
    },
    /// A Redis Cluster: seed nodes (`redis://host:port` or `rediss://`).
    Cluster(Vec<String>),
}

/// The validated `[store]` Redis settings (built by `config`).
#[derive(Clone)]
pub struct RedisSettings {
    /// Where.
    pub target: RedisTarget,
    /// ACL user name (Redis ≥ 6), if any.
    pub username: Option<String>,
    /// Password (of the ACL user, or `requirepass`).
    pub password: Option<String>,
    /// PEM of the CA that signs the servers' certificates (TLS only; otherwise the system's roots).
    pub ca_pem: Option<Vec<u8>>,
    /// Replicas that must acknowledge a single-use write (`take`, `insert_if_absent`,
    /// `replace_if_exists`, `delete`) before it counts (`WAIT`); 0 = none. With Sentinel the
    /// default is 1: a `GETDEL` the master answered but never passed on would come back with the
    /// promoted replica after a failover, and the same code could be redeemed twice.
    pub min_replica_acks: u32,
}

impl std::fmt::Debug for RedisSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisSettings")
            .field("target", &self.target)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .finish_non_exhaustive()
    }
}

impl RedisSettings {
    /// One server at `url`, with an optional password (the shape of the earlier configuration).
    pub fn single(url: &str, password: Option<&str>) -> Self {
        Self {
            target: RedisTarget::Single(url.to_owned()),
            username: None,
            password: password.map(str::to_owned),
            ca_pem: None,
            min_replica_acks: 0,
        }
    }

    fn certificates(&self) -> TlsCertificates {
        TlsCertificates {
            client_tls: None,
            root_cert: self.ca_pem.clone(),
        }
    }
}

/// A live connection of one of the three kinds.
pub enum Conn {
    /// One server.
    Single(ConnectionManager),
    /// Sentinel-managed master (boxed: the sentinel client is large, the others are handles).
    Sentinel(Box<SentinelConn>),
    /// Cluster.
    Cluster(ClusterConnection),
}

/// The master's connection, found through the sentinels and dropped on the first failure.
pub struct SentinelConn {
    client: tokio::sync::Mutex<SentinelClient>,
    current: std::sync::Mutex<Option<MultiplexedConnection>>,
    config: AsyncConnectionConfig,
}

fn unavailable(e: redis::RedisError) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

fn is_tls(url: &str) -> bool {
    url.starts_with("rediss://")
}

impl Conn {
    /// Connect as `settings` say (no command sent yet; the caller pings).
    pub async fn open(settings: &RedisSettings) -> Result<Self, StoreError> {
        match &settings.target {
            RedisTarget::Single(url) => Self::single(url, settings).await,
            RedisTarget::Sentinel { master_name, sentinels } => Self::sentinel(master_name, sentinels, settings),
            RedisTarget::Cluster(nodes) => Self::cluster(nodes, settings).await,
        }
    }

    async fn single(url: &str, settings: &RedisSettings) -> Result<Self, StoreError> {
        let mut info = url
            .into_connection_info()
            .map_err(|e| StoreError::Unavailable(format!("invalid Redis URL: {e}")))?;
        let mut redis = info.redis_settings().clone();
        if let Some(user) = &settings.username {
            redis = redis.set_username(user);
        }
        if let Some(pw) = &settings.password {
            redis = redis.set_password(pw);
        }
        info = info.set_redis_settings(redis);
        let client = if is_tls(url) {
            redis::Client::build_with_tls(info, settings.certificates())
        } else {
            redis::Client::open(info)
        }
        .map_err(unavailable)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_number_of_retries(RECONNECT_RETRIES)
            .set_max_delay(RECONNECT_MAX_DELAY);
        let conn = tokio::time::timeout(CONNECT_TIMEOUT * 2, ConnectionManager::new_with_config(client, config))
            .await
            .map_err(|_| StoreError::Unavailable("timed out connecting".into()))?
            .map_err(unavailable)?;
        Ok(Self::Single(conn))
    }

    fn sentinel(master_name: &str, sentinels: &[String], settings: &RedisSettings) -> Result<Self, StoreError> {
        let tls = sentinels.iter().any(|s| is_tls(s));
        let addrs = sentinels
            .iter()
            .map(|s| s.as_str().into_connection_info().map(|i| i.addr().clone()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| StoreError::Unavailable(format!("invalid sentinel URL: {e}")))?;
        let mut b = SentinelClientBuilder::new(addrs, master_name, SentinelServerType::Master).map_err(unavailable)?;
        if let Some(user) = &settings.username {
            b = b.set_client_to_redis_username(user);
        }
        if let Some(pw) = &settings.password {
            b = b.set_client_to_redis_password(pw);
        }
        if tls {
            b = b
                .set_client_to_redis_tls_mode(TlsMode::Secure)
                .set_client_to_sentinel_tls_mode(TlsMode::Secure)
                .set_client_to_redis_certificates(settings.certificates())
                .set_client_to_sentinel_certificates(settings.certificates());
        }
        let client = b.build().map_err(unavailable)?;
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT));
        Ok(Self::Sentinel(Box::new(SentinelConn {
            client: tokio::sync::Mutex::new(client),
            current: std::sync::Mutex::new(None),
            config,
        })))
    }

    async fn cluster(nodes: &[String], settings: &RedisSettings) -> Result<Self, StoreError> {
        let tls = nodes.iter().any(|s| is_tls(s));
        let mut b = ClusterClientBuilder::new(nodes.to_vec())
            .connection_timeout(CONNECT_TIMEOUT)
            .response_timeout(RESPONSE_TIMEOUT)
            // No command retries beyond following MOVED/ASK: a retried GETDEL after an
            // ambiguous failure could hand out a code twice.
            .retries(0);
        if let Some(user) = &settings.username {
            b = b.username(user);
        }
        if let Some(pw) = &settings.password {
            b = b.password(pw.clone());
        }
        if tls {
            b = b.tls(TlsMode::Secure).certs(settings.certificates());
        }
        let client = b.build().map_err(unavailable)?;
        let conn = tokio::time::timeout(CONNECT_TIMEOUT * 2, client.get_async_connection())
            .await
            .map_err(|_| StoreError::Unavailable("timed out connecting to the cluster".into()))?
            .map_err(unavailable)?;
        Ok(Self::Cluster(conn))
    }

    /// Run one command.
    pub async fn query<T: FromRedisValue>(&self, cmd: &redis::Cmd) -> redis::RedisResult<T> {
        match self {
            Self::Single(c) => cmd.query_async(&mut c.clone()).await,
            Self::Cluster(c) => cmd.query_async(&mut c.clone()).await,
            Self::Sentinel(s) => s.query(cmd).await,
        }
    }

    /// Run `cmds` in one round trip: a `MULTI`/`EXEC` pipeline on one server (atomic), concurrent
    /// single commands on a cluster (the keys span hash slots, which a transaction cannot).
    /// One reply per command.
    pub async fn query_batch(&self, cmds: Vec<redis::Cmd>) -> redis::RedisResult<Vec<redis::Value>> {
        if let Self::Cluster(c) = self {
            let runs = cmds.iter().map(|cmd| {
                let mut c = c.clone();
                async move { cmd.query_async::<redis::Value>(&mut c).await }
            });
            return futures::future::try_join_all(runs).await;
        }
        let mut pipe = redis::pipe();
        pipe.atomic();
        for cmd in cmds {
            pipe.add_command(cmd);
        }
        match self {
            Self::Single(c) => pipe.query_async(&mut c.clone()).await,
            Self::Sentinel(s) => s.query_pipe(&pipe).await,
            Self::Cluster(c) => pipe.query_async(&mut c.clone()).await,
        }
    }

    /// [`RedisConn::query_batch`] for a batch with single-use writes when replicas must have
    /// them: `MULTI`, the commands, `EXEC`, then `WAIT replicas timeout`, in one pipeline on one
    /// server; the replies and how many replicas acknowledged them. On a cluster each command goes
    /// with its own `WAIT` to the node of its slot, and the fewest acknowledgements count.
    pub async fn query_batch_replicated(
        &self,
        cmds: Vec<redis::Cmd>,
        replicas: u32,
        timeout_ms: u64,
    ) -> redis::RedisResult<(Vec<redis::Value>, i64)> {
        if let Self::Cluster(c) = self {
            let runs = cmds.iter().map(|cmd| {
                let mut c = c.clone();
                let mut pipe = redis::pipe();
                pipe.add_command(cmd.clone()).cmd("WAIT").arg(replicas).arg(timeout_ms);
                async move { pipe.query_async::<(redis::Value, i64)>(&mut c).await }
            });
            let done = futures::future::try_join_all(runs).await?;
            let acks = done.iter().map(|(_, a)| *a).min().unwrap_or(i64::from(replicas));
            return Ok((done.into_iter().map(|(v, _)| v).collect(), acks));
        }
        let mut pipe = redis::pipe();
        pipe.cmd("MULTI").ignore();
        for cmd in cmds {
            // Each answers QUEUED; the values come with EXEC.
            pipe.add_command(cmd).ignore();
        }
        pipe.cmd("EXEC").cmd("WAIT").arg(replicas).arg(timeout_ms);
        match self {
            Self::Single(c) => pipe.query_async(&mut c.clone()).await,
            Self::Sentinel(s) => s.query_pipe(&pipe).await,
            Self::Cluster(c) => pipe.query_async(&mut c.clone()).await,
        }
    }

    /// Run one command followed by `WAIT replicas timeout` on the same connection (one
    /// pipeline, in order): the command's reply and how many replicas acknowledged it.
    pub async fn query_replicated<T: FromRedisValue>(
        &self,
        cmd: &redis::Cmd,
        replicas: u32,
        timeout_ms: u64,
    ) -> redis::RedisResult<(T, i64)> {
        let mut pipe = redis::pipe();
        pipe.add_command(cmd.clone()).cmd("WAIT").arg(replicas).arg(timeout_ms);
        match self {
            Self::Single(c) => pipe.query_async(&mut c.clone()).await,
            Self::Cluster(c) => pipe.query_async(&mut c.clone()).await,
            Self::Sentinel(s) => s.query_pipe(&pipe).await,
        }
    }
}

impl SentinelConn {
    async fn connection(&self) -> redis::RedisResult<MultiplexedConnection> {
        if let Some(c) = self.current.lock().map(|g| g.clone()).unwrap_or(None) {
            return Ok(c);
        }
        // One resolution at a time: concurrent requests after a failover wait for the same answer.
        let mut client = self.client.lock().await;
        if let Some(c) = self.current.lock().map(|g| g.clone()).unwrap_or(None) {
            return Ok(c);
        }
        let master = client.async_get_client().await?;
        let conn = master.get_multiplexed_async_connection_with_config(&self.config).await?;
        if let Ok(mut g) = self.current.lock() {
            *g = Some(conn.clone());
        }
        Ok(conn)
    }

    async fn query<T: FromRedisValue>(&self, cmd: &redis::Cmd) -> redis::RedisResult<T> {
        let mut conn = self.connection().await?;
        let r = cmd.query_async(&mut conn).await;
        self.forget_on_error(&r);
        r
    }

    async fn query_pipe<T: FromRedisValue>(&self, pipe: &redis::Pipeline) -> redis::RedisResult<T> {
        let mut conn = self.connection().await?;
        let r = pipe.query_async(&mut conn).await;
        self.forget_on_error(&r);
        r
    }

    fn forget_on_error<T>(&self, r: &redis::RedisResult<T>) {
        if r.is_err() {
            // Dead master, or a demoted one answering READONLY: ask the sentinels next time.
            if let Ok(mut g) = self.current.lock() {
                *g = None;
            }
        }
    }
}
