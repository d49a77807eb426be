//! What one upstream login keeps between the redirect and the callback: sealed in the store under
//! the SHA-256 of its `state` (a dump reveals no live `state`), with the pending login's TTL, and
//! taken (read and deleted atomically) exactly once.

use crate::session::{RecordKind, Records, StoreError};
use crate::trust::TrustLevel;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Store kind.
pub const KIND: RecordKind = RecordKind::Other("oidc-login");

/// One upstream login in flight.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Transaction {
    /// The method whose callback must receive it.
    pub method: String,
    /// `[[oidc_upstreams]]` name.
    pub upstream: String,
    /// The parked relying-party request.
    pub pending_id: String,
    /// `nonce` sent.
    pub nonce: String,
    /// PKCE verifier.
    pub verifier: String,
    /// `redirect_uri` sent (the token request repeats it exactly).
    pub redirect_uri: String,
    /// The level the relying party needs.
    pub required_level: TrustLevel,
    /// When the request was made (seconds since the epoch).
    pub issued_at: i64,
    /// `max_age` sent.
    pub max_age: Option<u64>,
}

/// Whether a `state` has our shape (43 base64url characters) before it reaches the store.
pub fn plausible_state(state: &str) -> bool {
    state.len() == 43 && state.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Park a transaction under its `state`.
pub async fn put(records: &Records, state: &str, t: &Transaction, ttl: Duration) -> Result<(), StoreError> {
    records.put(KIND, &crate::ids::store_id(state), t, ttl).await
}

/// Read without consuming (the edge looks up which login a callback belongs to).
pub async fn peek(records: &Records, state: &str) -> Result<Option<Transaction>, StoreError> {
    records.get(KIND, &crate::ids::store_id(state)).await
}

/// Consume: of concurrent callbacks with one `state`, exactly one gets it.
pub async fn take(records: &Records, state: &str) -> Result<Option<Transaction>, StoreError> {
    records.take(KIND, &crate::ids::store_id(state)).await
}
