//! Sealing of store records with AES-256-GCM (aws-lc-rs), so a dump of Redis reveals nothing about
//! citizens (design brief §5).
//!
//! Wire format of a sealed value: `0x01 | kid_len (1 byte) | kid | nonce (12) | ciphertext+tag`.
//! The key id travels with the record so the sealing key can rotate: new records are sealed with the
//! first key, records sealed with an older key stay readable until they expire. The store key is the
//! associated data, so a sealed record cannot be moved to another key (e.g. a code record replayed
//! as a session record).

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use std::fmt;

const FORMAT_V1: u8 = 1;

/// One AEAD key with its id.
pub struct SealingKey {
    id: String,
    key: LessSafeKey,
}

impl fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealingKey")
            .field("id", &self.id)
            .field("key", &"[redacted]")
            .finish()
    }
}

/// Why a sealing key could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SealingKeyError {
    /// Key ids name the key in every record; they must be short and printable.
    #[error("sealing key id must be 1..=32 characters of [A-Za-z0-9_-]")]
    BadId,
    /// AES-256 needs exactly 32 bytes.
    #[error("sealing key must be exactly 32 bytes (base64), got {0}")]
    BadLength(usize),
}

impl SealingKey {
    /// Build a key from its id and 32 raw bytes.
    pub fn new(id: &str, bytes: &[u8]) -> Result<Self, SealingKeyError> {
        let id_ok = !id.is_empty() && id.len() <= 32 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !id_ok {
            return Err(SealingKeyError::BadId);
        }
        if bytes.len() != 32 {
            return Err(SealingKeyError::BadLength(bytes.len()));
        }
        let unbound = UnboundKey::new(&AES_256_GCM, bytes).map_err(|_| SealingKeyError::BadLength(bytes.len()))?;
        Ok(Self {
            id: id.to_owned(),
            key: LessSafeKey::new(unbound),
        })
    }

    /// The key id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// Errors while sealing or opening.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// The random source failed (should never happen; fail closed).
    #[error("random source failed")]
    Random,
    /// Record too short, unknown format, unknown key id, or authentication failed.
    #[error("sealed record cannot be opened")]
    Open,
}

/// Seals with the first key, opens with any.
#[derive(Debug)]
pub struct Sealer {
    keys: Vec<SealingKey>,
    rng: SystemRandom,
}

impl Sealer {
    /// `keys[0]` seals new records; all keys open. `keys` must not be empty (config validation
    /// guarantees it; an empty list seals nothing and opens nothing).
    pub fn new(keys: Vec<SealingKey>) -> Self {
        Self {
            keys,
            rng: SystemRandom::new(),
        }
    }

    /// Encrypt `plain`, bound to `aad` (the store key).
    pub fn seal(&self, aad: &str, plain: &[u8]) -> Result<Vec<u8>, SealError> {
        let key = self.keys.first().ok_or(SealError::Random)?;
        let mut nonce = [0u8; NONCE_LEN];
        self.rng.fill(&mut nonce).map_err(|_| SealError::Random)?;
        let mut buf = plain.to_vec();
        key.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad.as_bytes()), &mut buf)
            .map_err(|_| SealError::Random)?;
        let kid = key.id.as_bytes();
        let mut out = Vec::with_capacity(2 + kid.len() + NONCE_LEN + buf.len());
        out.push(FORMAT_V1);
        out.push(kid.len() as u8); // ≤ 32, checked in SealingKey::new
        out.extend_from_slice(kid);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&buf);
        Ok(out)
    }

    /// Decrypt a record sealed by [`Sealer::seal`] under the same `aad`.
    pub fn open(&self, aad: &str, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        let (&format, rest) = sealed.split_first().ok_or(SealError::Open)?;
        let (&kid_len, rest) = rest.split_first().ok_or(SealError::Open)?;
        if format != FORMAT_V1 || rest.len() < kid_len as usize + NONCE_LEN {
            return Err(SealError::Open);
        }
        let (kid, rest) = rest.split_at(kid_len as usize);
        let (nonce, ct) = rest.split_at(NONCE_LEN);
        let key = self.keys.iter().find(|k| k.id.as_bytes() == kid).ok_or(SealError::Open)?;
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SealError::Open)?;
        let mut buf = ct.to_vec();
        let plain = key
            .key
            .open_in_place(nonce, Aad::from(aad.as_bytes()), &mut buf)
            .map_err(|_| SealError::Open)?;
        Ok(plain.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealer(ids: &[(&str, u8)]) -> Sealer {
        Sealer::new(ids.iter().map(|(id, b)| SealingKey::new(id, &[*b; 32]).unwrap()).collect())
    }

    #[test]
    fn round_trip_and_binding() {
        let s = sealer(&[("k1", 1)]);
        let sealed = s.seal("bk:code:abc", b"Erika Mustermann").unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"Erika "), "plaintext visible");
        assert_eq!(s.open("bk:code:abc", &sealed).unwrap(), b"Erika Mustermann");
        assert!(
            s.open("bk:session:abc", &sealed).is_err(),
            "record moved to another key must not open"
        );
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(s.open("bk:code:abc", &tampered).is_err());
        assert!(s.open("bk:code:abc", &[]).is_err());
        assert!(s.open("bk:code:abc", &[1, 200]).is_err());
    }

    #[test]
    fn rotation_keeps_old_records_readable() {
        let old = sealer(&[("k1", 1)]);
        let sealed = old.seal("a", b"x").unwrap();
        let rotated = sealer(&[("k2", 2), ("k1", 1)]);
        assert_eq!(rotated.open("a", &sealed).unwrap(), b"x");
        let new = rotated.seal("a", b"y").unwrap();
        assert!(old.open("a", &new).is_err(), "old node cannot read a key it does not have");
    }

    #[test]
    fn key_validation() {
        assert!(SealingKey::new("", &[0; 32]).is_err());
        assert!(SealingKey::new("a b", &[0; 32]).is_err());
        assert!(SealingKey::new("k", &[0; 31]).is_err());
    }
}
