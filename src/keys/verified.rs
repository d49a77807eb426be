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
//! can never outlive the key that verified it. Memory is bounded: [`SHARDS`] × [`PER_SHARD`]
//! entries of 40 bytes (about 4 MiB when full); a full shard first drops its expired entries, and
//! if that frees nothing, all of them (a miss only costs one verification).

use aws_lc_rs::digest::{digest, SHA256};
use std::collections::HashMap;
use std::sync::Mutex;

/// Shards, so concurrent requests rarely wait for each other's lock.
const SHARDS: usize = 16;
/// Entries per shard.
const PER_SHARD: usize = 4096;

/// SHA-256 of a compact token.
type Digest = [u8; 32];

/// The cache; see the module documentation.
pub(super) struct VerifiedTokens {
    shards: Vec<Mutex<HashMap<Digest, i64>>>,
}

impl std::fmt::Debug for VerifiedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedTokens").field("shards", &self.shards.len()).finish()
    }
}

impl Default for VerifiedTokens {
    fn default() -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
        }
    }
}

fn token_digest(token: &str) -> Digest {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest(&SHA256, token.as_bytes()).as_ref());
    out
}

impl VerifiedTokens {
    fn shard(&self, d: &Digest) -> Option<&Mutex<HashMap<Digest, i64>>> {
        self.shards.get(usize::from(d[0]) % SHARDS)
    }

    /// Whether `token` was remembered and has not expired at `now` (unix seconds).
    pub(super) fn contains(&self, token: &str, now: i64) -> bool {
        let d = token_digest(token);
        let Some(shard) = self.shard(&d) else { return false };
        // A poisoned lock (a panic elsewhere) is a miss: the full verification runs.
        shard.lock().is_ok_and(|m| m.get(&d).is_some_and(|exp| *exp > now))
    }

    /// Remember `token` (signed or verified by the ring) until `exp`.
    pub(super) fn remember(&self, token: &str, exp: i64, now: i64) {
        if exp <= now {
            return;
        }
        let d = token_digest(token);
        let Some(shard) = self.shard(&d) else { return };
        let Ok(mut m) = shard.lock() else { return };
        if m.len() >= PER_SHARD {
            m.retain(|_, e| *e > now);
            if m.len() >= PER_SHARD {
                m.clear();
            }
        }
        m.insert(d, exp);
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
    fn a_full_shard_stays_bounded() {
        let c = VerifiedTokens::default();
        for i in 0..(SHARDS * PER_SHARD * 2) {
            c.remember(&format!("t{i}"), 1_000, 0);
        }
        let total: usize = c.shards.iter().map(|s| s.lock().map(|m| m.len()).unwrap_or(0)).sum();
        assert!(total <= SHARDS * PER_SHARD, "{total}");
        // Expired entries go first when a shard fills.
        let c = VerifiedTokens::default();
        for i in 0..(SHARDS * PER_SHARD) {
            c.remember(&format!("old{i}"), 5, 0);
        }
        c.remember("fresh", 1_000, 10);
        assert!(c.contains("fresh", 10));
    }
}
