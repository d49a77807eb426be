//! `[wallet]`: the EUDI wallet verifier (issue 16; docs/eudi-wallet.md), used by a
//! `kind = "eudi_wallet"` method. Validated at start-up into the one configuration error; outside
//! development it refuses generated or committed development material.

use super::{Problems, Secret};
use crate::eudi::settings::{AccessCredential, SubjectKey, WalletSettings};
use crate::eudi::trust::PidTrust;
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The subject key used when development configuration names none (stable across restarts, so
/// the demo's accounts stay; refused outside development).
const DEV_SUBJECT_KEY: &[u8] = b"buergerkonto development wallet subject key (not secret)";

/// `[wallet]` as written.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawWallet {
    /// Access certificate (WRPAC) from the registrar, PEM, leaf first. Development: generated at
    /// start-up when absent.
    #[serde(default)]
    pub access_certificate: Option<PathBuf>,
    /// Its private key, PKCS#8 PEM (P-256).
    #[serde(default)]
    pub access_key: Option<PathBuf>,
    /// PID-provider trust anchors, PEM (one or more certificates).
    #[serde(default)]
    pub pid_trust_anchors: Option<PathBuf>,
    /// PID-provider trust from an ETSI TS 119 602 list of trusted entities (LoTE) file.
    #[serde(default)]
    pub pid_trusted_list: Option<PathBuf>,
    /// Wallet URL scheme (`openid4vp`, `haip-vp`, `eudi-openid4vp`).
    #[serde(default)]
    pub scheme: Option<String>,
    /// Ask the wallet to POST to `request_uri` (`request_uri_method=post`).
    #[serde(default)]
    pub request_uri_method_post: bool,
    /// Lifetime of a wallet transaction (seconds, default 300).
    #[serde(default)]
    pub transaction_ttl_secs: Option<u64>,
    /// Maximum age of a key binding JWT (seconds, default 300).
    #[serde(default)]
    pub kb_jwt_max_age_secs: Option<u64>,
    /// Key of the subject hash: base64 of at least 32 bytes, or `env:NAME`. Required outside
    /// development.
    #[serde(default)]
    pub subject_key: Option<String>,
}

/// Known wallet URL schemes (OpenID4VP 1.0 §13.1.2, HAIP 1.0 §5, the EU reference wallet).
const SCHEMES: [&str; 3] = ["openid4vp", "haip-vp", "eudi-openid4vp"];

/// Validate `[wallet]`.
pub(super) fn validate(raw: RawWallet, development: bool, p: &mut Problems) -> Option<WalletSettings> {
    let access = access(&raw, development, p);
    let trust = trust(&raw, development, p);
    let scheme = raw.scheme.clone().unwrap_or_else(|| SCHEMES[0].to_owned());
    if !SCHEMES.contains(&scheme.as_str()) {
        p.push(format!("wallet.scheme: {scheme:?} is not one of {}", SCHEMES.join(", ")));
    }
    let ttl = raw.transaction_ttl_secs.unwrap_or(300);
    if !(30..=3600).contains(&ttl) {
        p.push("wallet.transaction_ttl_secs: must be between 30 and 3600");
    }
    let kb = raw.kb_jwt_max_age_secs.unwrap_or(300);
    if !(10..=3600).contains(&kb) {
        p.push("wallet.kb_jwt_max_age_secs: must be between 10 and 3600");
    }
    let subject_key = subject_key(raw.subject_key.as_deref(), development, p);
    Some(WalletSettings {
        access: access?,
        trust: Arc::new(trust?),
        scheme,
        request_uri_method_post: raw.request_uri_method_post,
        transaction_ttl: Duration::from_secs(ttl),
        kb_jwt_max_age: Duration::from_secs(kb),
        subject_key: subject_key?,
        development,
    })
}

fn access(raw: &RawWallet, development: bool, p: &mut Problems) -> Option<AccessCredential> {
    match (&raw.access_certificate, &raw.access_key) {
        (Some(cert), Some(key)) => {
            p.check_readable_file("wallet.access_certificate", cert);
            p.check_readable_file("wallet.access_key", key);
            p.check_not_dev_material("wallet.access_certificate", cert, development);
            p.check_not_dev_material("wallet.access_key", key, development);
            let (Ok(c), Ok(k)) = (std::fs::read(cert), std::fs::read(key)) else {
                return None;
            };
            AccessCredential::from_pem(&c, &k)
                .map_err(|e| p.push(format!("wallet.access_certificate: {e}")))
                .ok()
        }
        (None, None) if development => {
            tracing::warn!("!!! DEVELOPMENT WALLET ACCESS CERTIFICATE: generated at start-up, refused in production !!!");
            AccessCredential::generate_dev()
                .map_err(|e| p.push(format!("wallet.access_certificate: cannot generate a development one: {e}")))
                .ok()
        }
        (None, None) => {
            p.push("wallet.access_certificate: required outside development (the registrar's access certificate, with access_key)");
            None
        }
        _ => {
            p.push("wallet.access_certificate / wallet.access_key: give both or (development) neither");
            None
        }
    }
}

fn trust(raw: &RawWallet, development: bool, p: &mut Problems) -> Option<PidTrust> {
    match (&raw.pid_trust_anchors, &raw.pid_trusted_list) {
        (Some(anchors), None) => {
            p.check_readable_file("wallet.pid_trust_anchors", anchors);
            p.check_not_dev_material("wallet.pid_trust_anchors", anchors, development);
            let pem = std::fs::read(anchors).ok()?;
            PidTrust::from_pem_anchors(&pem)
                .map_err(|e| p.push(format!("wallet.pid_trust_anchors: {e}")))
                .ok()
        }
        (None, Some(list)) => {
            p.check_readable_file("wallet.pid_trusted_list", list);
            p.check_not_dev_material("wallet.pid_trusted_list", list, development);
            if !list.is_file() {
                return None;
            }
            PidTrust::from_trusted_list_file(list)
                .map_err(|e| p.push(format!("wallet.pid_trusted_list: {e}")))
                .ok()
        }
        _ => {
            p.push("wallet: name exactly one of pid_trust_anchors (PEM) and pid_trusted_list (ETSI TS 119 602 file)");
            None
        }
    }
}

fn subject_key(raw: Option<&str>, development: bool, p: &mut Problems) -> Option<SubjectKey> {
    let Some(raw) = raw else {
        if development {
            return Some(SubjectKey::new(DEV_SUBJECT_KEY.to_vec()));
        }
        p.push("wallet.subject_key: required outside development (32 random bytes, base64, or env:NAME); it keys every wallet subject");
        return None;
    };
    let secret = Secret::resolve("wallet.subject_key", raw, p)?;
    match base64::engine::general_purpose::STANDARD.decode(secret.expose()) {
        Ok(bytes) if bytes.len() >= 32 && (development || !bytes.iter().all(|b| *b == bytes[0])) => Some(SubjectKey::new(bytes)),
        Ok(_) => {
            p.push("wallet.subject_key: needs at least 32 random bytes");
            None
        }
        Err(e) => {
            p.push(format!("wallet.subject_key: not base64: {e}"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_refuses_a_generated_certificate_and_a_missing_subject_key() {
        let mut p = Problems::default();
        let raw = RawWallet {
            pid_trust_anchors: Some(PathBuf::from("certs/dev/eudi/none.pem")),
            scheme: Some("https".into()),
            ..RawWallet::default()
        };
        assert!(validate(raw, false, &mut p).is_none());
        let text = p.finish().unwrap_err().to_string();
        for needle in [
            "wallet.access_certificate: required outside development",
            "wallet.pid_trust_anchors: certs/dev/eudi/none.pem is development material",
            "wallet.scheme: \"https\" is not one of",
            "wallet.subject_key: required outside development",
        ] {
            assert!(text.contains(needle), "{needle} in {text}");
        }
    }
}
