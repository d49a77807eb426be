//! `[server]`: issuer, listener, TLS, logging.

use super::problems::is_loopback;
use super::Problems;
use crate::tls::TlsFiles;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;
use url::Url;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawServer {
    pub issuer: String,
    pub listen: String,
    #[serde(default)]
    pub admin_listen: Option<String>,
    #[serde(default)]
    pub development: bool,
    #[serde(default)]
    pub log_format: Option<String>,
    #[serde(default)]
    pub max_body_bytes: Option<usize>,
    #[serde(default)]
    pub tls: Option<RawTls>,
    #[serde(default)]
    pub shutdown_grace_secs: Option<u64>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTls {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// `[server]`, validated.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Public base URL; the OIDC `iss`. Every endpoint URL is derived from it.
    pub issuer: Url,
    /// Listener address.
    pub listen: SocketAddr,
    /// The operations listener (`/metrics`, `/healthz`, `/readyz`); when set, the public
    /// listener no longer serves `/metrics`.
    pub admin_listen: Option<SocketAddr>,
    /// Development mode: dev keys, simulators, demo relying party. Only with a loopback issuer.
    pub development: bool,
    /// Log format.
    pub log_format: LogFormat,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// TLS on the main listener (absent = plain HTTP, loopback only).
    pub tls: Option<TlsFiles>,
    /// Seconds to finish in-flight requests after SIGTERM.
    pub shutdown_grace_secs: u64,
}

impl ServerConfig {
    /// An absolute URL below the issuer (`path` starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.issuer.as_str().trim_end_matches('/'), path)
    }
}

pub(super) fn validate(raw: RawServer, p: &mut Problems) -> Option<ServerConfig> {
    let issuer = p.url("server.issuer", &raw.issuer);
    if let Some(u) = &issuer {
        // OIDC Discovery §3: the issuer has no query or fragment.
        if u.query().is_some() || u.fragment().is_some() {
            p.push("server.issuer: must not contain a query or fragment");
        }
        if u.scheme() != "https" && !is_loopback(u) {
            p.push(format!(
                "server.issuer: {u} must use https (plain http only for a loopback development issuer)"
            ));
        }
        if raw.development && !is_loopback(u) {
            p.push(format!(
                "server.development: development keys and simulators are refused because the issuer {u} is not a loopback address"
            ));
        }
    }
    let listen = match raw.listen.parse::<SocketAddr>() {
        Ok(a) => Some(a),
        Err(e) => {
            p.push(format!("server.listen: {:?} is not an address:port: {e}", raw.listen));
            None
        }
    };
    if let Some(a) = listen {
        if raw.tls.is_none() && !a.ip().is_loopback() {
            p.push(format!(
                "server.listen: {a} without [server.tls]: plain HTTP is allowed only on loopback"
            ));
        }
    }
    let admin_listen = raw.admin_listen.as_deref().and_then(|a| match a.parse::<SocketAddr>() {
        Ok(addr) => Some(addr),
        Err(e) => {
            p.push(format!("server.admin_listen: {a:?} is not an address:port: {e}"));
            None
        }
    });
    let log_format = match raw.log_format.as_deref() {
        None | Some("text") => LogFormat::Text,
        Some("json") => LogFormat::Json,
        Some(other) => {
            p.push(format!("server.log_format: {other:?} is not text or json"));
            LogFormat::Text
        }
    };
    let max_body_bytes = raw.max_body_bytes.unwrap_or(64 * 1024);
    if !(1024..=16 * 1024 * 1024).contains(&max_body_bytes) {
        p.push("server.max_body_bytes: must be between 1024 and 16777216");
    }
    let tls = raw.tls.map(|t| {
        p.check_readable_file("server.tls.cert", &t.cert);
        p.check_readable_file("server.tls.key", &t.key);
        p.check_not_dev_material("server.tls.key", &t.key, raw.development);
        TlsFiles { cert: t.cert, key: t.key }
    });
    Some(ServerConfig {
        issuer: issuer?,
        listen: listen?,
        admin_listen,
        development: raw.development,
        log_format,
        max_body_bytes,
        tls,
        shutdown_grace_secs: raw.shutdown_grace_secs.unwrap_or(10),
    })
}
