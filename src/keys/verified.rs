//! Tokens whose signature this key ring already computed or checked, so that the next use of the
//! same token skips the public-key operation (issue 13: ES256 verification was a third of an
//! introspection's CPU, and a relying party presents the same access token at every API call).
//!
//! What is remembered is the SHA-256 of the **whole** compact token (header, payload and
//! signature) with the token's `exp`. A hit therefore means "these exact bytes verified under a key
//! of this ring before"; any changed byte is a miss and goes through the full verification. Only
//! the signature computation is skipped: the caller still checks the header (`kid`, `alg`, `typ`,
//! [`super::KeyRing::verify_remembered`]), decodes the payload from the token it was given, and
//! checks issuer, expiry, grant, revocation and session end as for every other token. The same
//! idea as Envoy's `jwt_authn` cache of verified tokens (`jwt_cache_config`).
//!
//! The ring is immutable (a key change builds a new ring, and with it an empty cache), so an entry
//! can never outlive the key that verified it. Memory is bounded: each of [`SHARDS`] shards keeps
//! two generations of at most [`PER_GENERATION`] entries (115k tokens, 2.8 MB when all are
//! full). A full young generation becomes the old one and the previous old one is dropped; a hit
//! in the old generation moves the entry back to the young one. So the tokens signed or used most
//! recently stay, and a miss only costs one verification.
//!
//! The key is the first 128 bits of the digest: a false hit needs a second preimage of a token this
//! ring signed or verified (2^128 work), not a birthday collision, because only tokens that passed
//! the full check are ever stored.

use aws_lc_rs::digest::{digest, SHA256};
use std::collections::HashMap;
use std::sync::Mutex;

/// Shards, so concurrent requests rarely wait for each other's lock.
const SHARDS: usize = 16;
/// Entries per generation and shard: 7/8 of 4,096, the most a table of 4,096 buckets holds
/// before it doubles (hashbrown's load factor), so a full generation is 4,096 × 21 bytes.
const PER_GENERATION: usize = 3584;

/// The first 128 bits of the SHA-256 of a compact token.
type Key = [u8; 16];

/// Entry → the token's `exp` (unix seconds, saturated into `u32`: good until 2106).
#[derive(Default)]
struct Shard {
    young: HashMap<Key, u32>,
    old: HashMap<Key, u32>,
}

/// The cache; see the module documentation.
pub(super) struct VerifiedTokens {
    shards: Vec<Mutex<Shard>>,
}

impl std::fmt::Debug for VerifiedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedTokens").field("shards", &self.shards.len()).finish()
    }
}

impl Default for VerifiedTokens {
    fn default() -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
        }
    }
}

fn token_key(token: &str) -> Key {
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest(&SHA256, token.as_bytes()).as_ref()[..16]);
    out
}

fn seconds(t: i64) -> u32 {
    u32::try_from(t.max(0)).unwrap_or(u32::MAX)
}

impl Shard {
    fn insert(&mut self, key: Key, exp: u32) {
        if self.young.len() >= PER_GENERATION {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.insert(key, exp);
    }
}

impl VerifiedTokens {
    fn shard(&self, k: &Key) -> Option<&Mutex<Shard>> {
        self.shards.get(usize::from(k[0]) % SHARDS)
    }

    /// Whether `token` was remembered and has not expired at `now` (unix seconds).
    pub(super) fn contains(&self, token: &str, now: i64) -> bool {
        let k = token_key(token);
        let Some(shard) = self.shard(&k) else { return false };
        // A poisoned lock (a panic elsewhere) is a miss: the full verification runs.
        let Ok(mut s) = shard.lock() else { return false };
        let now = seconds(now);
        if s.young.get(&k).is_some_and(|exp| *exp > now) {
            return true;
        }
        match s.old.remove(&k) {
            Some(exp) if exp > now => {
                s.insert(k, exp);
                true
            }
            _ => false,
        }
    }

    /// Remember `token` (signed or verified by the ring) until `exp`.
    pub(super) fn remember(&self, token: &str, exp: i64, now: i64) {
        if exp <= now {
            return;
        }
        let k = token_key(token);
        let Some(shard) = self.shard(&k) else { return };
        if let Ok(mut s) = shard.lock() {
            s.insert(k, seconds(exp));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_exact_tokens_until_expiry() {
        let c = VerifiedTokens::default();
        c.remember("a.b.c", 100, 10);
        assert!(c.contains("a.b.c", 99));
        assert!(!c.contains("a.b.c", 100), "expired at exp");
        assert!(!c.contains("a.b.d", 50), "another signature is another token");
        c.remember("x.y.z", 10, 10);
        assert!(!c.contains("x.y.z", 5), "an expired token is not remembered");
    }

    #[test]
    fn bounded_and_the_recently_used_stay() {
        let c = VerifiedTokens::default();
        c.remember("in use", 1_000, 0);
        let n = SHARDS * PER_GENERATION * 4;
        for i in 0..n {
            c.remember(&format!("t{i}"), 1_000, 0);
            if i % 1000 == 0 {
                assert!(c.contains("in use", 1), "a token in use stays (step {i})");
            }
        }
        let total: usize = c
            .shards
            .iter()
            .map(|s| s.lock().map(|s| s.young.len() + s.old.len()).unwrap_or(0))
            .sum();
        assert!(total <= 2 * SHARDS * PER_GENERATION, "{total}");
        assert!(c.contains(&format!("t{}", n - 1), 1), "the latest stays");
        assert!(!c.contains("t0", 1), "the oldest unused went");
    }
}
