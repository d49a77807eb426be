//! The session store: every piece of state between the relying party's first request and its last
//! token lives here with a TTL (design brief §1, §5). Nothing about a citizen is written anywhere else.
//!
//! [`SessionStore`] is the one seam (memory and Redis backends); [`Records`] is the typed layer on
//! top that serialises records and seals them with an AEAD so a dump of the store reveals nothing.

pub mod batch;
mod compact;
pub mod memory;
pub mod records;
pub mod redis;
pub mod redis_conn;
pub mod sealing;
pub mod settings;

pub use batch::{BatchOp, BatchResult, RecordBatch, Slot};
pub use records::{RecordKind, Records};
pub use sealing::{Sealer, SealingKey};
pub use settings::{SessionLimits, SessionSettings};

use async_trait::async_trait;
use std::time::Duration;

/// Errors of a store backend. Callers fail closed on every one of them (503 at the edge).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The backend cannot be reached or did not answer in time.
    #[error("session store unavailable: {0}")]
    Unavailable(String),
    /// A record could not be encoded, sealed, opened or decoded.
    #[error("session store record invalid: {0}")]
    Corrupt(String),
}

/// Key/value store with expiry. Keys arrive fully qualified (namespace and record kind included).
///
/// Every write carries a TTL: there is no way to store something forever.
#[async_trait]
pub trait SessionStore: Send + Sync + 'static {
    /// Store `value` under `key` for `ttl`, replacing any previous value.
    async fn put(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), StoreError>;
    /// Read a value.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Read and delete in one atomic step: of concurrent callers exactly one gets the value
    /// (single-use authorization codes, pending SAML requests).
    async fn take(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Delete a value; deleting a missing key is not an error.
    async fn delete(&self, key: &str) -> Result<(), StoreError>;
    /// Store only if absent; `true` when this call stored it (replay caches: SAML assertion IDs,
    /// client-assertion `jti`s).
    async fn insert_if_absent(&self, key: &str, value: &[u8], ttl: Duration) -> Result<bool, StoreError>;
    /// Replace the value only if the key still exists, with a new TTL; `true` when this call
    /// replaced it. An update of a record another request deleted in between (a revoked grant)
    /// must never bring it back: the check and the write are one atomic step.
    async fn replace_if_exists(&self, key: &str, value: &[u8], ttl: Duration) -> Result<bool, StoreError>;
    /// Put `member` into the schedule `key` with `due` (unix milliseconds), replacing an earlier
    /// due time of the same member. The schedule lives at least `ttl` from now (each call can only
    /// lengthen it). Members are short ids, never secrets or personal data (durable queues: the
    /// back-channel logout deliveries).
    async fn schedule(&self, key: &str, member: &str, due: i64, ttl: Duration) -> Result<(), StoreError>;
    /// Up to `limit` members of the schedule `key` whose due time is at or before `now` (unix
    /// milliseconds), earliest first. Reading claims nothing: callers take a lease
    /// ([`SessionStore::insert_if_absent`]) before acting on a member.
    async fn due(&self, key: &str, now: i64, limit: usize) -> Result<Vec<String>, StoreError>;
    /// Remove `member` from the schedule `key`; `true` when it was there.
    async fn unschedule(&self, key: &str, member: &str) -> Result<bool, StoreError>;
    /// Run `ops` in order in one round trip (Redis: one pipeline wrapped in `MULTI`/`EXEC` on one
    /// server, so no other client sees half of it; on a cluster, whose keys span slots, the
    /// commands go out concurrently and each is atomic on its own). One result per op: the value
    /// for [`BatchOp::Get`], `None` for writes. For the hot paths that need several independent
    /// records at once (issue 13: a round trip each cost more than the work).
    async fn batch(&self, ops: &[BatchOp<'_>]) -> Result<Vec<Option<Vec<u8>>>, StoreError>;
    /// Round trips to the backend so far, where the backend counts them (Redis); a debug
    /// counter for benchmarks (issue 13: round trips per login and per token request).
    fn round_trips(&self) -> Option<u64> {
        None
    }
    /// Whether the stored values, and so their lengths, stay inside this process (the memory
    /// backend): only then does [`Records`] compress a record before sealing it. A backend
    /// elsewhere (Redis) shows each value's length to its operators and on the wire, and
    /// compression before encryption lets the length tell about content that mixes secrets with
    /// values an attacker chose (the CRIME/BREACH pattern), so records go there uncompressed.
    fn lengths_stay_in_process(&self) -> bool {
        false
    }
    /// Check that the backend answers (for `/readyz`).
    async fn ping(&self) -> Result<(), StoreError>;
}
