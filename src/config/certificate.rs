//! `[certificate]`: the mutual-TLS listener for certificate login.
//! (Filled in by the certificate work; this is the contract the rest of the config relies on.)

use super::Problems;
use serde::Deserialize;

/// `[certificate]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCertificate {
    listen: String,
}

/// `[certificate]`, validated.
#[derive(Debug, Clone)]
pub struct CertificateConfig {
    /// Listener address of the mTLS listener.
    pub listen: std::net::SocketAddr,
}

pub(super) fn validate(raw: RawCertificate, _development: bool, p: &mut Problems) -> Option<CertificateConfig> {
    match raw.listen.parse() {
        Ok(listen) => Some(CertificateConfig { listen }),
        Err(e) => {
            p.push(format!("certificate.listen: {:?} is not an address:port: {e}", raw.listen));
            None
        }
    }
}
