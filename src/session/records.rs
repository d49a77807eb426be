//! Typed, sealed records on top of a [`SessionStore`].
//!
//! Keys are `<namespace>:<kind>:<id>`; the namespace lets several deployments (and every test)
//! share one Redis without seeing each other. Values are JSON, sealed with the [`Sealer`].
//!
//! On the memory store, whose values' lengths never leave the process
//! ([`SessionStore::lengths_stay_in_process`]), a record that stays for a session's or a grant's
//! lifetime is compressed before it is sealed (`compact.rs`: zstd with a built-in dictionary, two
//! thirds off an SSO session; issue 13, RSS per live login) when that makes it shorter. The sealed
//! plaintext then starts with [`PACKED`], a byte no JSON text starts with.

use super::{Sealer, SessionStore, StoreError};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

/// First byte of a sealed plaintext that holds the JSON compressed (JSON never starts with it).
const PACKED: u8 = 0;
/// Largest record a compressed plaintext may expand to (records are a few hundred bytes).
const MAX_RECORD: usize = 1 << 20;

/// Kinds of record. The string form is part of the key and therefore of the Redis layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordKind {
    /// A relying party's authorization request parked during upstream login.
    PendingAuthorization,
    /// An upstream login in flight (e.g. the SAML AuthnRequest ID awaiting its Response).
    UpstreamTransaction,
    /// The broker's SSO session (shared by all relying parties).
    BrokerSession,
    /// A single-use authorization code.
    AuthorizationCode,
    /// Marker that a code has been redeemed (detects a second redemption).
    RedeemedCode,
    /// A grant: what one login issued to one client (access/refresh tokens refer to it).
    Grant,
    /// A relying party's participation in a broker session (for logout; key: the client's `sid`).
    Participation,
    /// A refresh token (by hash).
    RefreshToken,
    /// What a rotated refresh token leaves for reuse detection (by the token's hash): the grant
    /// and client only, for the family's lifetime.
    RefreshTombstone,
    /// A rotated refresh token's successor, kept for the grace window only (by the token's hash).
    RefreshGrace,
    /// A revoked access token `jti`.
    RevokedAccessToken,
    /// Replay cache: SAML assertion IDs.
    SamlAssertionSeen,
    /// Replay cache: client assertion `jti`s (RFC 7523 §3).
    ClientAssertionSeen,
    /// Anything a module needs that is not listed (name must be a short constant).
    Other(&'static str),
}

impl RecordKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::PendingAuthorization => "pending",
            Self::UpstreamTransaction => "upstream",
            Self::BrokerSession => "session",
            Self::AuthorizationCode => "code",
            Self::RedeemedCode => "code-used",
            Self::Grant => "grant",
            Self::Participation => "rp-in-session",
            Self::RefreshToken => "rt",
            Self::RefreshTombstone => "rt-used",
            Self::RefreshGrace => "rt-grace",
            Self::RevokedAccessToken => "at-revoked",
            Self::SamlAssertionSeen => "saml-seen",
            Self::ClientAssertionSeen => "jti-seen",
            Self::Other(s) => s,
        }
    }

    /// Records kept for a session's or a grant's lifetime — what a live login holds in the store.
    /// Only these are compressed on the memory store: the others live for seconds or minutes
    /// (a login in flight, a code), and compressing them would cost CPU for no lasting memory.
    fn stays(self) -> bool {
        matches!(self, Self::BrokerSession | Self::Grant | Self::RefreshToken | Self::Participation)
    }
}

/// The typed record store handed to domain code.
#[derive(Clone)]
pub struct Records {
    store: Arc<dyn SessionStore>,
    sealer: Arc<Sealer>,
    namespace: Arc<str>,
    /// Compress before sealing (the backend keeps lengths in process).
    compress: bool,
}

impl Records {
    /// Wrap a backend.
    pub fn new(store: Arc<dyn SessionStore>, sealer: Arc<Sealer>, namespace: &str) -> Self {
        Self {
            compress: store.lengths_stay_in_process(),
            store,
            sealer,
            namespace: namespace.into(),
        }
    }

    /// The backend, for health checks.
    pub fn backend(&self) -> &Arc<dyn SessionStore> {
        &self.store
    }

    fn key(&self, kind: RecordKind, id: &str) -> String {
        format!("{}:{}:{}", self.namespace, kind.as_str(), id)
    }

    /// The fully qualified backend key of a record (`<namespace>:<kind>:<id>`), for operators and
    /// tests that inspect the raw store.
    pub fn store_key(&self, kind: RecordKind, id: &str) -> String {
        self.key(kind, id)
    }

    pub(super) fn encode<T: Serialize>(&self, kind: RecordKind, key: &str, value: &T) -> Result<Vec<u8>, StoreError> {
        let json = serde_json::to_vec(value).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let compress = self.compress && kind.stays();
        let plain = match compress.then(|| super::compact::pack(&json)).flatten() {
            Some(packed) if packed.len() + 1 < json.len() => [&[PACKED], packed.as_slice()].concat(),
            _ => json,
        };
        self.sealer.seal(key, &plain).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    pub(super) fn decode<T: DeserializeOwned>(&self, key: &str, raw: Option<Vec<u8>>) -> Result<Option<T>, StoreError> {
        let Some(raw) = raw else { return Ok(None) };
        let json = self.sealer.open(key, &raw).map_err(|e| {
            // A record no sealing key opens: a key removed too early, or tampering (metrics).
            metrics::counter!("buergerkonto_store_errors_total", "kind" => "corrupt").increment(1);
            StoreError::Corrupt(e.to_string())
        })?;
        let json = match json.split_first() {
            Some((&PACKED, packed)) => {
                super::compact::unpack(packed, MAX_RECORD).ok_or_else(|| StoreError::Corrupt("compressed record does not expand".into()))?
            }
            _ => json,
        };
        serde_json::from_slice(&json)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// Start a batch: several reads and writes in one round trip (see `batch.rs`).
    pub fn batch(&self) -> super::RecordBatch<'_> {
        super::RecordBatch::new(self)
    }

    /// Store a record for `ttl`.
    pub async fn put<T: Serialize>(&self, kind: RecordKind, id: &str, value: &T, ttl: Duration) -> Result<(), StoreError> {
        let key = self.key(kind, id);
        let raw = self.encode(kind, &key, value)?;
        self.store.put(&key, &raw, ttl).await
    }

    /// Read a record.
    pub async fn get<T: DeserializeOwned>(&self, kind: RecordKind, id: &str) -> Result<Option<T>, StoreError> {
        let key = self.key(kind, id);
        let raw = self.store.get(&key).await?;
        self.decode(&key, raw)
    }

    /// Read and delete atomically (single use).
    pub async fn take<T: DeserializeOwned>(&self, kind: RecordKind, id: &str) -> Result<Option<T>, StoreError> {
        let key = self.key(kind, id);
        let raw = self.store.take(&key).await?;
        self.decode(&key, raw)
    }

    /// Delete a record.
    pub async fn delete(&self, kind: RecordKind, id: &str) -> Result<(), StoreError> {
        self.store.delete(&self.key(kind, id)).await
    }

    /// Store `value` only if nothing is stored under the id; `true` when stored.
    pub async fn insert_if_absent<T: Serialize>(&self, kind: RecordKind, id: &str, value: &T, ttl: Duration) -> Result<bool, StoreError> {
        let key = self.key(kind, id);
        let raw = self.encode(kind, &key, value)?;
        self.store.insert_if_absent(&key, &raw, ttl).await
    }

    /// Replace a record only if it still exists (with a new TTL); `true` when replaced. A record
    /// deleted meanwhile (revoked) stays deleted.
    pub async fn replace_if_exists<T: Serialize>(&self, kind: RecordKind, id: &str, value: &T, ttl: Duration) -> Result<bool, StoreError> {
        let key = self.key(kind, id);
        let raw = self.encode(kind, &key, value)?;
        self.store.replace_if_exists(&key, &raw, ttl).await
    }

    /// Put `member` into the schedule of `kind` due at `due` (unix ms); see
    /// [`SessionStore::schedule`]. One schedule per kind and namespace.
    pub async fn schedule(&self, kind: RecordKind, member: &str, due: i64, ttl: Duration) -> Result<(), StoreError> {
        self.store.schedule(&self.key(kind, "schedule"), member, due, ttl).await
    }

    /// Members of the schedule of `kind` due at `now` (unix ms), earliest first, at most `limit`.
    pub async fn due(&self, kind: RecordKind, now: i64, limit: usize) -> Result<Vec<String>, StoreError> {
        self.store.due(&self.key(kind, "schedule"), now, limit).await
    }

    /// Remove `member` from the schedule of `kind`; `true` when it was there.
    pub async fn unschedule(&self, kind: RecordKind, member: &str) -> Result<bool, StoreError> {
        self.store.unschedule(&self.key(kind, "schedule"), member).await
    }

    /// Replay cache: remember `id` for `ttl`; `true` the first time, `false` for a replay.
    /// Ids are hashed first so attacker-chosen strings never become raw store keys.
    pub async fn first_sighting(&self, kind: RecordKind, id: &str, ttl: Duration) -> Result<bool, StoreError> {
        self.store.insert_if_absent(&self.sighting_key(kind, id), b"1", ttl).await
    }

    /// The store key of a replay-cache entry: the id hashed (see [`Records::first_sighting`]).
    pub(super) fn sighting_key(&self, kind: RecordKind, id: &str) -> String {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(id.as_bytes());
        let hashed = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, digest);
        self.key(kind, &hashed)
    }
}
