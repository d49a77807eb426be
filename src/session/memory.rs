//! In-memory backend: the default for development and single-node use. Expired entries are
//! invisible at once and swept on writes, so memory does not grow with dead records.
//!
//! Layout (issue 13 item 5, RSS per live login): a record's key is kept only as the first 128 bits
//! of its SHA-256 — the store never lists keys, it only looks them up — and a slot is that digest,
//! the value as an exact-size boxed slice and the expiry in milliseconds: 40 bytes and one heap
//! block per record, where a `String` key, a `Vec` value and an `Instant` took 64 bytes and two
//! blocks. Two keys sharing a 128-bit digest would need 2^64 work; even then the sealed value
//! names its full key as associated data (`sealing.rs`), so a record read under the wrong key
//! fails to open instead of being believed.

use super::{BatchOp, SessionStore, StoreError};
use async_trait::async_trait;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Sweep expired entries every this many writes.
const SWEEP_EVERY: u64 = 1024;

/// A schedule: member → due time (unix ms), and when the whole schedule expires.
type Schedule = (HashMap<String, i64>, Instant);

/// The store's name for a key: the first 128 bits of its SHA-256.
type KeyDigest = [u8; 16];

fn digest(key: &str) -> KeyDigest {
    let full = Sha256::digest(key.as_bytes());
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

/// A stored value and its expiry (milliseconds since the store was created).
struct Entry {
    value: Box<[u8]>,
    expires_ms: u64,
}

struct Inner {
    map: HashMap<KeyDigest, Entry>,
    schedules: HashMap<String, Schedule>,
    writes: u64,
    /// The origin of the millisecond clock of [`Entry::expires_ms`].
    epoch: Instant,
}

impl Default for Inner {
    fn default() -> Self {
        Self {
            map: HashMap::new(),
            schedules: HashMap::new(),
            writes: 0,
            epoch: Instant::now(),
        }
    }
}

/// A process-local store.
#[derive(Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Inner>, StoreError> {
        // A poisoned mutex means a panic elsewhere; treat as unavailable rather than propagate it.
        self.inner
            .lock()
            .map_err(|_| StoreError::Unavailable("memory store poisoned".into()))
    }
}

impl Inner {
    /// Milliseconds since the epoch of this store at `now`.
    fn ms(&self, now: Instant) -> u64 {
        u64::try_from(now.saturating_duration_since(self.epoch).as_millis()).unwrap_or(u64::MAX)
    }

    /// The expiry of a record written at `now` for `ttl`, rounded up to the next millisecond so a
    /// record lives at least its TTL (Redis `PX` counts milliseconds too).
    fn expiry(&self, now: Instant, ttl: Duration) -> u64 {
        let ttl_ms = u64::try_from(ttl.as_nanos().div_ceil(1_000_000)).unwrap_or(u64::MAX);
        self.ms(now).saturating_add(ttl_ms)
    }

    fn live(&mut self, key: &KeyDigest, now: Instant) -> Option<&Entry> {
        let now_ms = self.ms(now);
        if self.map.get(key).is_some_and(|e| e.expires_ms <= now_ms) {
            self.map.remove(key);
        }
        self.map.get(key)
    }

    fn take(&mut self, key: &KeyDigest, now: Instant) -> Option<Vec<u8>> {
        let now_ms = self.ms(now);
        self.map.remove(key).filter(|e| e.expires_ms > now_ms).map(|e| e.value.into_vec())
    }

    fn insert(&mut self, key: KeyDigest, value: &[u8], now: Instant, ttl: Duration) {
        let expires_ms = self.expiry(now, ttl);
        self.map.insert(
            key,
            Entry {
                value: value.into(),
                expires_ms,
            },
        );
        self.note_write(now);
    }

    fn note_write(&mut self, now: Instant) {
        self.writes = self.writes.wrapping_add(1);
        if self.writes.is_multiple_of(SWEEP_EVERY) {
            let now_ms = self.ms(now);
            self.map.retain(|_, e| e.expires_ms > now_ms);
            self.schedules.retain(|_, (_, exp)| *exp > now);
        }
    }

    fn schedule(&mut self, key: &str, member: &str, due: i64, now: Instant, ttl: Duration) {
        let until = now + ttl;
        match self.live_schedule(key, now) {
            Some((members, exp)) => {
                members.insert(member.to_owned(), due);
                *exp = (*exp).max(until);
            }
            None => {
                self.schedules
                    .insert(key.to_owned(), (HashMap::from([(member.to_owned(), due)]), until));
            }
        }
        self.note_write(now);
    }

    fn live_schedule(&mut self, key: &str, now: Instant) -> Option<&mut Schedule> {
        if self.schedules.get(key).is_some_and(|(_, exp)| *exp <= now) {
            self.schedules.remove(key);
        }
        self.schedules.get_mut(key)
    }
}

#[async_trait]
impl SessionStore for MemoryStore {
    async fn put(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), StoreError> {
        self.lock()?.insert(digest(key), value, Instant::now(), ttl);
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let key = digest(key);
        let mut g = self.lock()?;
        Ok(g.live(&key, Instant::now()).map(|e| e.value.to_vec()))
    }

    async fn take(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let key = digest(key);
        Ok(self.lock()?.take(&key, Instant::now()))
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let key = digest(key);
        self.lock()?.map.remove(&key);
        Ok(())
    }

    async fn insert_if_absent(&self, key: &str, value: &[u8], ttl: Duration) -> Result<bool, StoreError> {
        let (key, now) = (digest(key), Instant::now());
        let mut g = self.lock()?;
        if g.live(&key, now).is_some() {
            return Ok(false);
        }
        g.insert(key, value, now, ttl);
        Ok(true)
    }

    async fn replace_if_exists(&self, key: &str, value: &[u8], ttl: Duration) -> Result<bool, StoreError> {
        let (key, now) = (digest(key), Instant::now());
        let mut g = self.lock()?;
        if g.live(&key, now).is_none() {
            return Ok(false);
        }
        g.insert(key, value, now, ttl);
        Ok(true)
    }

    fn lengths_stay_in_process(&self) -> bool {
        true
    }

    async fn schedule(&self, key: &str, member: &str, due: i64, ttl: Duration) -> Result<(), StoreError> {
        let now = Instant::now();
        self.lock()?.schedule(key, member, due, now, ttl);
        Ok(())
    }

    async fn due(&self, key: &str, now_ms: i64, limit: usize) -> Result<Vec<String>, StoreError> {
        let mut g = self.lock()?;
        let Some((members, _)) = g.live_schedule(key, Instant::now()) else {
            return Ok(Vec::new());
        };
        let mut due: Vec<(i64, &String)> = members.iter().filter(|(_, d)| **d <= now_ms).map(|(m, d)| (*d, m)).collect();
        due.sort();
        Ok(due.into_iter().take(limit).map(|(_, m)| m.clone()).collect())
    }

    async fn unschedule(&self, key: &str, member: &str) -> Result<bool, StoreError> {
        let mut g = self.lock()?;
        Ok(g.live_schedule(key, Instant::now())
            .is_some_and(|(members, _)| members.remove(member).is_some()))
    }

    async fn batch(&self, ops: &[BatchOp<'_>]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        // Under one lock: atomic, as the Redis backend's MULTI is.
        let now = Instant::now();
        let mut g = self.lock()?;
        let mut out = Vec::with_capacity(ops.len());
        for op in ops {
            out.push(match op {
                BatchOp::Get(key) => g.live(&digest(key), now).map(|e| e.value.to_vec()),
                BatchOp::Put(key, value, ttl) => {
                    g.insert(digest(key), value, now, *ttl);
                    None
                }
                BatchOp::Delete(key) => {
                    g.map.remove(&digest(key));
                    None
                }
                BatchOp::Take(key) => g.take(&digest(key), now),
                BatchOp::InsertIfAbsent(key, value, ttl) => {
                    let key = digest(key);
                    if g.live(&key, now).is_some() {
                        None
                    } else {
                        g.insert(key, value, now, *ttl);
                        Some(Vec::new())
                    }
                }
                BatchOp::Schedule(key, member, due, ttl) => {
                    g.schedule(key, member, *due, now, *ttl);
                    None
                }
            });
        }
        Ok(out)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.lock().map(|_| ())
    }
}
