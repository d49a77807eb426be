//! The settings of certificate login (`[certificate]`): the mutual-TLS listener and the trust
//! anchors with their level, EKU and policy rules and revocation sources. Built by `config`
//! (config → domain only); the authenticator reads the anchors, the listener at the edge the rest.

use crate::tls::TlsFiles;
use crate::trust::TrustLevel;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

/// What happens when a CRL is past its nextUpdate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaleCrlPolicy {
    /// Refuse every certificate of the anchor (default).
    HardFail,
    /// Accept, and log a warning for each login (explicit per-anchor opt-in).
    SoftFail,
}

/// How revocation is checked under an anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevocationMode {
    /// Against the anchor's CRLs, for the end entity and every intermediate (default).
    Crl,
    /// Not at all: an explicit, logged decision (`revocation = "none"`), e.g. for a CA whose
    /// certificates are short-lived and never revoked.
    None,
}

/// A trust anchor with its level, rules and revocation sources.
#[derive(Debug, Clone)]
pub struct AnchorConfig {
    /// Name (logged, and part of the account binding).
    pub name: String,
    /// CA certificate (PEM).
    pub ca_file: PathBuf,
    /// Intermediates the server knows, accepted when a client omits them (PEM files).
    pub intermediates: Vec<PathBuf>,
    /// Level of logins under this anchor (ceiling of the certificate method).
    pub level: TrustLevel,
    /// Acceptable EKU OIDs, any of them; an end-entity without an EKU extension is accepted.
    pub allowed_ekus: Vec<String>,
    /// Certificate-policy OIDs; when non-empty the leaf must assert at least one.
    pub required_policies: Vec<String>,
    /// CRL files (DER or PEM), reloaded when they change on disk.
    pub crl_files: Vec<PathBuf>,
    /// Stale-CRL behaviour.
    pub crl_stale: StaleCrlPolicy,
    /// Whether revocation is checked (CRLs) or explicitly not.
    pub revocation: RevocationMode,
    /// Certificates under this anchor identify an organisation (company certificates).
    pub organisation: bool,
}

/// `[certificate]`, validated.
#[derive(Debug, Clone)]
pub struct CertificateConfig {
    /// Listener address of the mTLS listener.
    pub listen: SocketAddr,
    /// URL at which browsers reach the listener.
    pub public_url: url::Url,
    /// Server certificate and key of the listener.
    pub tls: TlsFiles,
    /// Peers whose forwarded client-certificate header is believed (reverse proxies).
    pub trusted_proxies: Vec<IpAddr>,
    /// Name of that header (URL-encoded PEM, as nginx `$ssl_client_escaped_cert`).
    pub forwarded_cert_header: Option<String>,
    /// Trust anchors.
    pub anchors: Vec<AnchorConfig>,
}

/// The TLS client-authentication EKU (RFC 5280 §4.2.1.12).
pub const EKU_CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";
