//! PID-provider trust anchors: the `x5c` chain of an SD-JWT VC (and of a status list token) must
//! lead to one of them (HAIP 1.0 §6.1; the ETSI TS 119 602 list of PID providers in production,
//! a configured CA in tests and development).

use crate::eudi::error::WalletError;
use std::path::Path;
use std::time::SystemTime;

/// The configured PID-provider anchors.
#[derive(Clone)]
pub struct PidTrust {
    anchors: Vec<Vec<u8>>,
}

impl std::fmt::Debug for PidTrust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PidTrust").field("anchors", &self.anchors.len()).finish()
    }
}

/// The issuer key of a chain that verified: the leaf's public key, for the JWS check.
#[derive(Debug, Clone)]
pub struct TrustedLeaf {
    /// DER of the leaf certificate.
    pub leaf_der: Vec<u8>,
}

impl PidTrust {
    /// Anchors from PEM (one or more `CERTIFICATE` blocks).
    pub fn from_pem_anchors(pem: &[u8]) -> Result<Self, WalletError> {
        let _ = pem;
        Err(WalletError::Config("not built yet".into()))
    }

    /// Anchors from an ETSI TS 119 602 list of trusted entities (LoTE) file: the PID providers'
    /// service certificates.
    pub fn from_trusted_list_file(path: &Path) -> Result<Self, WalletError> {
        let _ = path;
        Err(WalletError::Config("not built yet".into()))
    }

    /// base64url of each anchor's subject key identifier, for DCQL `trusted_authorities` `aki`.
    pub fn akis(&self) -> Vec<String> {
        Vec::new()
    }

    /// Verify an `x5c` chain (DER, leaf first) to an anchor at `now`.
    pub fn verify_chain(&self, chain: &[Vec<u8>], now: SystemTime) -> Result<TrustedLeaf, WalletError> {
        let _ = (chain, now);
        Err(WalletError::UntrustedIssuer("not built yet".into()))
    }
}
