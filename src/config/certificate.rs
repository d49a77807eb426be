//! `[certificate]`: the mutual-TLS listener for certificate login (company certificates, any
//! deployment that trusts a certificate authority directly) and its trust anchors.
//!
//! The main listener never requests client certificates; this one always does (design brief §3).

use super::Problems;
use crate::authenticators::certificate::settings::{AnchorConfig, CertificateConfig, RevocationMode, StaleCrlPolicy, EKU_CLIENT_AUTH};
use crate::tls::TlsFiles;
use crate::trust::TrustLevel;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

/// `[certificate]` as written.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCertificate {
    pub listen: String,
    pub public_url: String,
    pub tls_cert: PathBuf,
    pub tls_key: PathBuf,
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    #[serde(default)]
    pub forwarded_cert_header: Option<String>,
    #[serde(default)]
    pub anchors: Vec<RawAnchor>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawAnchor {
    pub name: String,
    pub ca_file: PathBuf,
    #[serde(default)]
    pub intermediates: Vec<PathBuf>,
    pub level: String,
    #[serde(default)]
    pub allowed_ekus: Option<Vec<String>>,
    #[serde(default)]
    pub required_policies: Vec<String>,
    #[serde(default)]
    pub crl_files: Vec<PathBuf>,
    #[serde(default)]
    pub crl_stale: Option<String>,
    #[serde(default)]
    pub revocation: Option<String>,
    #[serde(default)]
    pub ocsp: bool,
    #[serde(default)]
    pub organisation: bool,
}

pub(super) fn validate(raw: RawCertificate, development: bool, p: &mut Problems) -> Option<CertificateConfig> {
    let listen = match raw.listen.parse::<SocketAddr>() {
        Ok(a) => Some(a),
        Err(e) => {
            p.push(format!("certificate.listen: {:?} is not an address:port: {e}", raw.listen));
            None
        }
    };
    let public_url = p.url("certificate.public_url", &raw.public_url);
    if let Some(u) = &public_url {
        if u.scheme() != "https" {
            p.push("certificate.public_url: must be https (the listener always speaks TLS)");
        }
    }
    p.check_readable_file("certificate.tls_cert", &raw.tls_cert);
    p.check_readable_file("certificate.tls_key", &raw.tls_key);
    p.check_not_dev_material("certificate.tls_key", &raw.tls_key, development);
    let mut trusted_proxies = Vec::new();
    for (i, a) in raw.trusted_proxies.iter().enumerate() {
        match a.parse::<IpAddr>() {
            Ok(ip) => trusted_proxies.push(ip),
            Err(e) => p.push(format!("certificate.trusted_proxies[{i}]: {a:?} is not an IP address: {e}")),
        }
    }
    if !trusted_proxies.is_empty() && raw.forwarded_cert_header.is_none() {
        p.push("certificate.forwarded_cert_header: required when trusted_proxies is set");
    }
    if raw.anchors.is_empty() {
        p.push("certificate.anchors: at least one trust anchor is required");
    }
    let mut anchors = Vec::new();
    let mut names = std::collections::HashSet::new();
    for (i, a) in raw.anchors.into_iter().enumerate() {
        let f = format!("certificate.anchors[{i}] ({})", a.name);
        if !names.insert(a.name.clone()) {
            p.push(format!("{f}.name: duplicate anchor name"));
        }
        p.check_readable_file(&format!("{f}.ca_file"), &a.ca_file);
        for (j, path) in a.intermediates.iter().enumerate() {
            p.check_readable_file(&format!("{f}.intermediates[{j}]"), path);
        }
        for (j, path) in a.crl_files.iter().enumerate() {
            p.check_readable_file(&format!("{f}.crl_files[{j}]"), path);
        }
        let level = a.level.parse::<TrustLevel>().map_err(|e| p.push(format!("{f}.level: {e}"))).ok();
        let allowed_ekus = a.allowed_ekus.unwrap_or_else(|| vec![EKU_CLIENT_AUTH.to_owned()]);
        for oid in allowed_ekus.iter().chain(a.required_policies.iter()) {
            if !is_dotted_oid(oid) {
                p.push(format!("{f}: {oid:?} is not a dotted OID"));
            }
        }
        let crl_stale = match a.crl_stale.as_deref().unwrap_or("hard_fail") {
            "hard_fail" => StaleCrlPolicy::HardFail,
            "soft_fail" => StaleCrlPolicy::SoftFail,
            other => {
                p.push(format!("{f}.crl_stale: {other:?} is not hard_fail or soft_fail"));
                StaleCrlPolicy::HardFail
            }
        };
        let revocation = match a.revocation.as_deref().unwrap_or("crl") {
            "crl" => RevocationMode::Crl,
            "none" => RevocationMode::None,
            other => {
                p.push(format!("{f}.revocation: {other:?} is not \"crl\" or \"none\""));
                RevocationMode::Crl
            }
        };
        match revocation {
            // A revoked company certificate must stop working: without CRLs it never would.
            // Development keeps working without them (a warning is logged at start-up).
            RevocationMode::Crl if a.crl_files.is_empty() && !development => p.push(format!(
                "{f}.crl_files: required outside development (revocation is checked against CRLs); \
                 to accept certificates without any revocation check say revocation = \"none\" explicitly"
            )),
            RevocationMode::None if !a.crl_files.is_empty() => {
                p.push(format!("{f}.revocation: \"none\" contradicts the configured crl_files"))
            }
            _ => {}
        }
        if a.ocsp {
            p.push(format!(
                "{f}.ocsp: OCSP is not implemented yet; use crl_files (docs/certificates.md)"
            ));
        }
        if let Some(level) = level {
            anchors.push(AnchorConfig {
                name: a.name,
                ca_file: a.ca_file,
                intermediates: a.intermediates,
                level,
                allowed_ekus,
                required_policies: a.required_policies,
                crl_files: a.crl_files,
                crl_stale,
                revocation,
                organisation: a.organisation,
            });
        }
    }
    Some(CertificateConfig {
        listen: listen?,
        public_url: public_url?,
        tls: TlsFiles {
            cert: raw.tls_cert,
            key: raw.tls_key,
        },
        trusted_proxies,
        forwarded_cert_header: raw.forwarded_cert_header.map(|h| h.to_ascii_lowercase()),
        anchors,
    })
}

fn is_dotted_oid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() >= 2 && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}
