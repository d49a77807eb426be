//! In-memory backend: the default for development and single-node use. Expired entries are
//! invisible at once and swept on writes, so memory does not grow with dead records.

use super::{BatchOp, SessionStore, StoreError};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Sweep expired entries every this many writes.
const SWEEP_EVERY: u64 = 1024;

/// A schedule: member → due time (unix ms), and when the whole schedule expires.
type Schedule = (HashMap<String, i64>, Instant);

#[derive(Default)]
struct Inner {
    map: HashMap<String, (Vec<u8>, Instant)>,
    schedules: HashMap<String, Schedule>,
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
                BatchOp::Get(key) => g.live(key, now).map(|(v, _)| v.clone()),
                BatchOp::Put(key, value, ttl) => {
                    g.map.insert((*key).to_owned(), (value.to_vec(), now + *ttl));
                    g.note_write(now);
                    None
                }
                BatchOp::Delete(key) => {
                    g.map.remove(*key);
                    None
                }
                BatchOp::Take(key) => g.map.remove(*key).filter(|(_, exp)| *exp > now).map(|(v, _)| v),
                BatchOp::InsertIfAbsent(key, value, ttl) => {
                    if g.live(key, now).is_some() {
                        None
                    } else {
                        g.map.insert((*key).to_owned(), (value.to_vec(), now + *ttl));
                        g.note_write(now);
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
