//! The PID verifier: a decrypted `vp_token` in, a [`Pid`] out. Order of checks: DCQL shape, issuer
//! signature and chain, validity, disclosures, key binding, DCQL content, status list.

use crate::eudi::dcql::DcqlQuery;
use crate::eudi::error::WalletError;
use crate::eudi::pid::Pid;
use crate::eudi::status_list::StatusSource;
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

impl PidVerifier {
    /// Default clock skew allowed (seconds).
    pub const DEFAULT_SKEW: u64 = 60;
    /// Default maximum age of a KB-JWT (seconds).
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

    /// Verify `vp_token` (OpenID4VP §8.1) against `expected`.
    pub async fn verify(&self, vp_token: &serde_json::Value, expected: &Expected<'_>) -> Result<Pid, WalletError> {
        let _ = (&self.trust, &self.status, self.skew, self.kb_max_age, vp_token, expected);
        Err(WalletError::Malformed("not built yet".into()))
    }
}
