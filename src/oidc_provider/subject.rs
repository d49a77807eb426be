//! Subject identifiers (OIDC Core §8): pairwise by default, derived with a keyed hash from a
//! configured, versioned secret, the client's sector and the upstream identity.
//!
//! `sub = base64url(HMAC-SHA256(secret_v, "bk-sub" 0 v 0 kind 0 sector 0 upstream_subject))`
//!
//! - The secret is the *first* (current) `oidc.pairwise_secrets` entry; its version is part of the
//!   hashed input, so the same configuration yields the same `sub` on every instance and after
//!   every restart (oidc-landscape §2.7: a random per-process salt broke SATOSA's subjects).
//! - The upstream subject is used as the method delivers it and the method id is *not* hashed in:
//!   a method that can identify a person across methods gives the same `sub` for both.
//! - `public` subjects (OIDC Core §8) are the same derivation over a fixed sector, so even a public
//!   `sub` never reveals the upstream identifier (e.g. the eID restricted ID).

use crate::identity::UpstreamSubject;
use crate::oidc_provider::settings::{ClientConfig, OidcConfig, SubjectType};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The sector every `public` client shares.
const PUBLIC_SECTOR: &str = "urn:buergerkonto:public";

/// Why no subject could be derived.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SubjectError {
    /// Config validation requires a secret; this only guards against an empty list.
    #[error("no pairwise secret configured")]
    NoSecret,
}

/// The `sub` a client sees for an upstream identity.
pub fn subject_for(oidc: &OidcConfig, client: &ClientConfig, upstream: &UpstreamSubject) -> Result<String, SubjectError> {
    let (version, secret) = oidc.pairwise_secrets.first().ok_or(SubjectError::NoSecret)?;
    let (kind, sector) = match client.subject_type {
        SubjectType::Pairwise => ("pairwise", client.sector.as_str()),
        SubjectType::Public => ("public", PUBLIC_SECTOR),
    };
    Ok(derive(*version, secret.expose().as_bytes(), kind, sector, &upstream.0))
}

/// The keyed hash itself (separate for tests).
fn derive(version: u32, secret: &[u8], kind: &str, sector: &str, upstream: &str) -> String {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for HMAC.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    // NUL separators: none of the parts may contain NUL in a way that shifts fields, because the
    // version is numeric, kind and sector come from config, and the upstream subject is last.
    for part in [
        b"bk-sub".as_slice(),
        version.to_string().as_bytes(),
        kind.as_bytes(),
        sector.as_bytes(),
    ] {
        mac.update(part);
        mac.update(&[0]);
    }
    mac.update(upstream.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_and_sector_separated() {
        let a = derive(1, b"secret-0123456789", "pairwise", "rp.example", "dev:erika");
        assert_eq!(a, derive(1, b"secret-0123456789", "pairwise", "rp.example", "dev:erika"));
        assert_eq!(a.len(), 43);
        assert_ne!(a, derive(1, b"secret-0123456789", "pairwise", "other.example", "dev:erika"));
        assert_ne!(a, derive(1, b"secret-0123456789", "pairwise", "rp.example", "dev:max"));
        assert_ne!(a, derive(2, b"secret-0123456789", "pairwise", "rp.example", "dev:erika"));
        assert_ne!(a, derive(1, b"another-secret-xyz", "pairwise", "rp.example", "dev:erika"));
        assert_ne!(a, derive(1, b"secret-0123456789", "public", "rp.example", "dev:erika"));
    }

    #[test]
    fn never_the_upstream_subject() {
        let s = derive(1, b"secret-0123456789", "public", PUBLIC_SECTOR, "dev:erika");
        assert!(!s.contains("erika"));
    }
}
