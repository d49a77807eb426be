//! The PID verifier: a decrypted `vp_token` in, a [`Pid`] out. The checks run in this order, each
//! refusing with its own [`WalletError`]:
//! 1. the `vp_token` answers our DCQL query (only asked ids, one presentation, OpenID4VP §8.1);
//! 2. the issuer JWT: `typ`, `alg`, `x5c` chain to a PID-provider anchor, signature, `exp`/`nbf`/
//!    `iat`, `_sd_alg`, every disclosure referenced exactly once (src/eudi/sd_jwt.rs);
//! 3. holder binding: the KB-JWT (required when `cnf` is present, HAIP 1.0 §6.1, and whenever the
//!    query requires holder binding), signed by `cnf.jwk`, our `aud` and `nonce`, `sd_hash`, `iat`;
//! 4. the disclosed claims against the query (`vct`, every asked claim);
//! 5. the status list (only for a credential that passed 1–4: its URI is the issuer's, so no
//!    wallet can make us fetch an address of its choosing);
//! 6. the PID claims the broker needs.

use crate::eudi::dcql::{self, DcqlQuery, FORMAT_SD_JWT_VC};
use crate::eudi::error::WalletError;
use crate::eudi::kb_jwt::{self, KbExpected};
use crate::eudi::pid::Pid;
use crate::eudi::sd_jwt::{self, Presentation};
use crate::eudi::status_list::{self, StatusSource};
use crate::eudi::trust::PidTrust;
use std::sync::Arc;
use std::time::SystemTime;

/// What this transaction expects of the presentation.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// The nonce of the request object.
    pub nonce: &'a str,
    /// Our full client_id (`x509_hash:…`).
    pub client_id: &'a str,
    /// The DCQL query that was sent.
    pub query: &'a DcqlQuery,
    /// Now.
    pub now: SystemTime,
}

/// Verifies PIDs against the configured PID providers.
pub struct PidVerifier {
    trust: PidTrust,
    status: Arc<dyn StatusSource>,
    skew: u64,
    kb_max_age: u64,
}

impl std::fmt::Debug for PidVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PidVerifier")
            .field("trust", &self.trust)
            .field("skew", &self.skew)
            .field("kb_max_age", &self.kb_max_age)
            .finish_non_exhaustive()
    }
}

impl PidVerifier {
    /// Default clock skew allowed (seconds).
    pub const DEFAULT_SKEW: u64 = 60;
    /// Default maximum age of a KB-JWT (seconds): the wallet signs it when the person agrees, and
    /// the whole transaction lives a few minutes.
    pub const DEFAULT_KB_MAX_AGE: u64 = 300;

    /// A verifier with the default skew and KB-JWT window.
    pub fn new(trust: PidTrust, status: Arc<dyn StatusSource>) -> Self {
        Self {
            trust,
            status,
            skew: Self::DEFAULT_SKEW,
            kb_max_age: Self::DEFAULT_KB_MAX_AGE,
        }
    }

    /// The same verifier with another clock skew and KB-JWT window (seconds).
    pub fn with_windows(mut self, skew: u64, kb_max_age: u64) -> Self {
        self.skew = skew;
        self.kb_max_age = kb_max_age;
        self
    }

    /// The anchors' key identifiers, for the query's `trusted_authorities`.
    pub fn akis(&self) -> Vec<String> {
        self.trust.akis()
    }

    /// Verify `vp_token` (OpenID4VP §8.1) against `expected`.
    pub async fn verify(&self, vp_token: &serde_json::Value, expected: &Expected<'_>) -> Result<Pid, WalletError> {
        let found = dcql::presentations(expected.query, vp_token)?;
        let [(query, compact)] = found.as_slice() else {
            return Err(WalletError::Dcql("exactly one presentation expected".into()));
        };
        if query.format != FORMAT_SD_JWT_VC {
            return Err(WalletError::Dcql(format!("format {} not supported", query.format)));
        }
        let presentation = Presentation::parse(compact)?;
        let sd = sd_jwt::verify_issuer(&presentation, &self.trust, expected.now, self.skew)?;
        let binding_required = query.require_cryptographic_holder_binding.unwrap_or(true);
        match &sd.holder_jwk {
            Some(jwk) => kb_jwt::verify(
                &presentation,
                jwk,
                &KbExpected {
                    client_id: expected.client_id,
                    nonce: expected.nonce,
                    now: expected.now,
                    max_age: self.kb_max_age,
                    skew: self.skew,
                },
            )?,
            None if binding_required || presentation.kb_jwt.is_some() => {
                return Err(WalletError::HolderKey("no cnf in the credential".into()))
            }
            None => {}
        }
        dcql::check_credential(query, &sd.vct, &sd.claims)?;
        if let Some((uri, idx)) = &sd.status {
            status_list::check(self.status.as_ref(), &self.trust, uri, *idx, expected.now, self.skew).await?;
        }
        Pid::from_claims(&sd.vct, &sd.claims)
    }
}

#[cfg(test)]
pub(crate) mod tests;
