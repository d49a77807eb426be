//! Redis backend (redis crate, reconnecting `ConnectionManager`).
//! (Filled in by the store work.)

use super::{SessionStore, StoreError};
use async_trait::async_trait;
use std::time::Duration;

/// A Redis-backed store.
pub struct RedisStore {
    _private: (),
}

impl RedisStore {
    /// Connect; fails when Redis is unreachable at start-up.
    pub async fn connect(url: &str, _password: Option<&str>) -> Result<Self, StoreError> {
        Err(StoreError::Unavailable(format!("redis backend not built yet ({url})")))
    }
}

#[async_trait]
impl SessionStore for RedisStore {
    async fn put(&self, _key: &str, _value: &[u8], _ttl: Duration) -> Result<(), StoreError> {
        Err(StoreError::Unavailable("not built".into()))
    }
    async fn get(&self, _key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Err(StoreError::Unavailable("not built".into()))
    }
    async fn take(&self, _key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Err(StoreError::Unavailable("not built".into()))
    }
    async fn delete(&self, _key: &str) -> Result<(), StoreError> {
        Err(StoreError::Unavailable("not built".into()))
    }
    async fn insert_if_absent(&self, _key: &str, _value: &[u8], _ttl: Duration) -> Result<bool, StoreError> {
        Err(StoreError::Unavailable("not built".into()))
    }
    async fn ping(&self) -> Result<(), StoreError> {
        Err(StoreError::Unavailable("not built".into()))
    }
}
