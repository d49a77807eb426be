//! One wallet login in flight, kept in the store from `start` until the browser comes back:
//! sealed (the record holds the transaction's private key), with a TTL, under the SHA-256 of the
//! `handle` that appears in our URLs (`/wallet/start|request|response|poll/{handle}`), as the
//! OIDC upstream does with its `state` (a store dump reveals no live handle).
//!
//! The response is single use: the first response with the right `state` claims it
//! ([`claim_response`], an atomic first sighting), every later one is refused. The `response_code`
//! handed to the wallet (OpenID4VP 1.0 §8.2) is stored only as its hash, in an index record that
//! leads back to the handle; it is taken (single use) when the browser presents it.

use super::dcql::DcqlQuery;
use crate::identity::VerifiedIdentity;
use crate::ids::{store_id, PendingId};
use crate::session::{RecordKind, Records, StoreError};
use crate::trust::TrustLevel;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Store kind of the transaction.
pub const KIND: RecordKind = RecordKind::Other("eudi-txn");
/// Store kind of the response_code index (hash of the code → handle).
pub const CODE_KIND: RecordKind = RecordKind::Other("eudi-code");
/// Store kind of the single-use mark of a transaction's response.
pub const ANSWERED_KIND: RecordKind = RecordKind::Other("eudi-answered");

/// A random value from our URLs that names a transaction (43 base64url characters).
#[derive(Clone, PartialEq, Eq)]
pub struct Handle(String);

impl Handle {
    /// A fresh handle (256 bits).
    pub fn generate() -> Self {
        Self(crate::ids::random_id())
    }

    /// A handle from a URL, if it has our shape.
    pub fn parse(value: &str) -> Option<Self> {
        plausible(value).then(|| Self(value.to_owned()))
    }

    /// The value (goes into URLs).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn store_key(&self) -> String {
        store_id(&self.0)
    }
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Handle([redacted])")
    }
}

/// Whether a value has the shape of our random values (43 base64url characters).
pub fn plausible(value: &str) -> bool {
    value.len() == 43 && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// How the wallet reached us, fixed by its first fetch of the request object (docs/eudi-wallet.md
/// "Same-device and cross-device").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    /// The wallet on the device of the browser: the response answers with a `redirect_uri`
    /// carrying a `response_code` that this browser must present (OpenID4VP 1.0 §8.2, HAIP).
    SameDevice,
    /// The wallet on a phone that scanned the QR code: no `redirect_uri` (it would open on the
    /// phone); the browser that shows the code finishes with "Weiter" (`/wallet/poll`).
    CrossDevice,
}

/// What came of the wallet's response.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Arrived {
    /// Verified: the identity the login finishes with.
    Verified {
        /// The identity (level, subject, claims; nothing of the raw presentation).
        identity: Box<VerifiedIdentity>,
    },
    /// Refused or declined: the login ends with this error.
    Refused {
        /// The wallet's own `error` (`access_denied` …) when it declined.
        declined: bool,
        /// A short reason class for logs and the audit trail.
        reason: String,
    },
}

/// One wallet login.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WalletTransaction {
    /// The method that started it.
    pub method: String,
    /// The parked relying-party request.
    pub pending_id: PendingId,
    /// The level the relying party needs.
    pub required_level: TrustLevel,
    /// The request's language (`de`/`en`).
    pub locale: String,
    /// `nonce` of the request object (every presentation's KB-JWT must carry it).
    pub nonce: String,
    /// `state` of the request object (the response must carry it).
    pub state: String,
    /// The ephemeral P-256 private key for the encrypted response (PKCS#8, base64url); sealed
    /// with the record, gone with it.
    pub key_pkcs8: String,
    /// Its `kid` (RFC 7638 thumbprint).
    pub kid: String,
    /// The DCQL query sent.
    pub dcql: DcqlQuery,
    /// When it was made (seconds since the epoch).
    pub issued_at: i64,
    /// Set by the wallet's first request fetch.
    #[serde(default)]
    pub flow: Option<Flow>,
    /// The response, once it arrived.
    #[serde(default)]
    pub arrived: Option<Arrived>,
    /// SHA-256 of the `response_code` handed out (same-device).
    #[serde(default)]
    pub response_code_hash: Option<String>,
}

/// Park a new transaction.
pub async fn put(records: &Records, handle: &Handle, t: &WalletTransaction, ttl: Duration) -> Result<(), StoreError> {
    records.put(KIND, &handle.store_key(), t, ttl).await
}

/// Read.
pub async fn get(records: &Records, handle: &Handle) -> Result<Option<WalletTransaction>, StoreError> {
    records.get(KIND, &handle.store_key()).await
}

/// Update an existing transaction (false: it is gone).
pub async fn update(records: &Records, handle: &Handle, t: &WalletTransaction, ttl: Duration) -> Result<bool, StoreError> {
    records.replace_if_exists(KIND, &handle.store_key(), t, ttl).await
}

/// Consume (the login finishes): of concurrent finishes, exactly one gets it.
pub async fn take(records: &Records, handle: &Handle) -> Result<Option<WalletTransaction>, StoreError> {
    records.take(KIND, &handle.store_key()).await
}

/// Claim the transaction's one response: true for the first caller only.
pub async fn claim_response(records: &Records, handle: &Handle, ttl: Duration) -> Result<bool, StoreError> {
    records.first_sighting(ANSWERED_KIND, &handle.store_key(), ttl).await
}

/// Index a `response_code` (stored under its hash) → the handle.
pub async fn put_code(records: &Records, code: &str, handle: &Handle, ttl: Duration) -> Result<(), StoreError> {
    records.put(CODE_KIND, &store_id(code), &handle.0, ttl).await
}

/// Take the handle a `response_code` belongs to (single use).
pub async fn take_code(records: &Records, code: &str) -> Result<Option<Handle>, StoreError> {
    Ok(records.take::<String>(CODE_KIND, &store_id(code)).await?.map(Handle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::memory::MemoryStore;
    use crate::session::{Sealer, SealingKey};
    use std::sync::Arc;

    fn records() -> Records {
        let sealer = Sealer::new(vec![SealingKey::new("k", &[9; 32]).unwrap()]);
        Records::new(Arc::new(MemoryStore::new()), Arc::new(sealer), "t")
    }

    fn txn() -> WalletTransaction {
        WalletTransaction {
            method: "wallet".into(),
            pending_id: PendingId::new("p"),
            required_level: TrustLevel::High,
            locale: "de".into(),
            nonce: "n".into(),
            state: "s".into(),
            key_pkcs8: "k".into(),
            kid: "kid".into(),
            dcql: crate::eudi::dcql::pid_query(&[], &[]),
            issued_at: 1,
            flow: None,
            arrived: None,
            response_code_hash: None,
        }
    }

    #[tokio::test]
    async fn the_response_is_claimed_once_and_the_code_and_the_transaction_are_taken_once() {
        let r = records();
        let h = Handle::generate();
        let ttl = Duration::from_secs(60);
        put(&r, &h, &txn(), ttl).await.unwrap();
        assert!(get(&r, &h).await.unwrap().is_some());
        assert!(claim_response(&r, &h, ttl).await.unwrap());
        assert!(!claim_response(&r, &h, ttl).await.unwrap(), "a second response is refused");
        let code = crate::ids::random_id();
        put_code(&r, &code, &h, ttl).await.unwrap();
        assert!(take_code(&r, &crate::ids::random_id()).await.unwrap().is_none());
        assert_eq!(take_code(&r, &code).await.unwrap(), Some(h.clone()));
        assert!(take_code(&r, &code).await.unwrap().is_none(), "the response_code is single use");
        let mut t = txn();
        t.flow = Some(Flow::CrossDevice);
        assert!(update(&r, &h, &t, ttl).await.unwrap());
        assert_eq!(take(&r, &h).await.unwrap().and_then(|t| t.flow), Some(Flow::CrossDevice));
        assert!(take(&r, &h).await.unwrap().is_none());
        assert!(!update(&r, &h, &t, ttl).await.unwrap(), "a finished transaction is not revived");
    }

    #[test]
    fn handles_have_our_shape_and_hide_in_debug() {
        let h = Handle::generate();
        assert!(Handle::parse(h.as_str()).is_some());
        assert!(Handle::parse("short").is_none());
        assert!(Handle::parse(&format!("{}!", &h.as_str()[..42])).is_none());
        assert_eq!(format!("{h:?}"), "Handle([redacted])");
        assert_ne!(h.store_key(), h.as_str(), "the store key is a hash");
    }
}
