//! In-memory backend: the default for development and single-node use. Expired entries are
//! invisible at once and swept on writes, so memory does not grow with dead records.

use super::{SessionStore, StoreError};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Sweep expired entries every this many writes.
const SWEEP_EVERY: u64 = 1024;

#[derive(Default)]
struct Inner {
    map: HashMap<String, (Vec<u8>, Instant)>,
    writes: u64,
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
    fn live(&mut self, key: &str, now: Instant) -> Option<&(Vec<u8>, Instant)> {
        if self.map.get(key).is_some_and(|(_, exp)| *exp <= now) {
            self.map.remove(key);
        }
        self.map.get(key)
    }

    fn note_write(&mut self, now: Instant) {
        self.writes = self.writes.wrapping_add(1);
        if self.writes.is_multiple_of(SWEEP_EVERY) {
            self.map.retain(|_, (_, exp)| *exp > now);
        }
    }
}

#[async_trait]
impl SessionStore for MemoryStore {
    async fn put(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), StoreError> {
        let now = Instant::now();
        let mut g = self.lock()?;
        g.map.insert(key.to_owned(), (value.to_vec(), now + ttl));
        g.note_write(now);
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let mut g = self.lock()?;
        Ok(g.live(key, Instant::now()).map(|(v, _)| v.clone()))
    }

    async fn take(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let now = Instant::now();
        let mut g = self.lock()?;
        Ok(g.map.remove(key).filter(|(_, exp)| *exp > now).map(|(v, _)| v))
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.lock()?.map.remove(key);
        Ok(())
    }

    async fn insert_if_absent(&self, key: &str, value: &[u8], ttl: Duration) -> Result<bool, StoreError> {
        let now = Instant::now();
        let mut g = self.lock()?;
        if g.live(key, now).is_some() {
            return Ok(false);
        }
        g.map.insert(key.to_owned(), (value.to_vec(), now + ttl));
        g.note_write(now);
        Ok(true)
    }

    async fn replace_if_exists(&self, key: &str, value: &[u8], ttl: Duration) -> Result<bool, StoreError> {
        let now = Instant::now();
        let mut g = self.lock()?;
        if g.live(key, now).is_none() {
            return Ok(false);
        }
        g.map.insert(key.to_owned(), (value.to_vec(), now + ttl));
        g.note_write(now);
        Ok(true)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.lock().map(|_| ())
    }
}
