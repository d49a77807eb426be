//! `[[methods]]`: the upstream methods offered on the login choice, each with its level ceiling.

use super::Problems;
use crate::authenticators::certificate::settings::CertificateConfig;
use crate::authenticators::{MethodConfig, MethodKind};
use crate::identity::MethodId;
use crate::trust::TrustLevel;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawMethod {
    pub id: String,
    pub kind: String,
    pub level: String,
    #[serde(default)]
    pub label_de: Option<String>,
    #[serde(default)]
    pub label_en: Option<String>,
    #[serde(default)]
    pub upstream: Option<String>,
}

pub(super) fn validate(raw: Vec<RawMethod>, development: bool, p: &mut Problems) -> Vec<MethodConfig> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    if raw.is_empty() {
        p.push("methods: no upstream method configured");
    }
    for (i, m) in raw.into_iter().enumerate() {
        let f = format!("methods[{i}] ({})", m.id);
        let id_ok = !m.id.is_empty()
            && m.id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !id_ok {
            p.push(format!("{f}.id: must be lowercase letters, digits, - or _"));
        }
        if !seen.insert(m.id.clone()) {
            p.push(format!("{f}.id: duplicate method id {:?}", m.id));
        }
        let level = m.level.parse::<TrustLevel>().map_err(|e| p.push(format!("{f}.level: {e}"))).ok();
        let kind = match (m.kind.as_str(), m.upstream) {
            ("saml", Some(u)) => Some(MethodKind::Saml { upstream: u }),
            ("saml", None) => {
                p.push(format!("{f}.upstream: a saml method names its [[saml.upstreams]] entry"));
                None
            }
            ("certificate", _) => Some(MethodKind::Certificate),
            ("oidc", Some(u)) => Some(MethodKind::Oidc { upstream: u }),
            ("oidc", None) => {
                p.push(format!("{f}.upstream: an oidc method names its [[oidc_upstreams]] entry"));
                None
            }
            ("eudi_wallet", _) => Some(MethodKind::EudiWallet),
            ("dev", _) => {
                if !development {
                    p.push(format!("{f}.kind: development login is refused outside development configuration"));
                }
                Some(MethodKind::Dev)
            }
            (other, _) => {
                p.push(format!(
                    "{f}.kind: unknown method kind {other:?} (expected saml, oidc, certificate, eudi_wallet or dev)"
                ));
                None
            }
        };
        if let (Some(kind), Some(level)) = (kind, level) {
            out.push(MethodConfig {
                label_de: m.label_de.unwrap_or_else(|| m.id.clone()),
                label_en: m.label_en.unwrap_or_else(|| m.id.clone()),
                id: MethodId(m.id),
                kind,
                level,
            });
        }
    }
    out
}

pub(super) fn cross_check(
    methods: &[MethodConfig],
    saml: Option<&super::saml::SamlConfig>,
    certificate: Option<&CertificateConfig>,
    p: &mut Problems,
) {
    for m in methods {
        match &m.kind {
            MethodKind::Saml { upstream } => {
                let known = saml.map(|s| s.upstream_names().contains(&upstream.as_str())).unwrap_or(false);
                if !known {
                    p.push(format!(
                        "methods ({}).upstream: no [[saml.upstreams]] entry named {upstream:?}",
                        m.id
                    ));
                }
            }
            MethodKind::Certificate if certificate.is_none() => {
                p.push(format!("methods ({}).kind: certificate login needs a [certificate] section", m.id));
            }
            _ => {}
        }
    }
}

/// Every `kind = "oidc"` method names an `[[oidc_upstreams]]` entry.
pub(super) fn cross_check_oidc(methods: &[MethodConfig], upstreams: &[super::oidc_upstream::OidcUpstreamConfig], p: &mut Problems) {
    for m in methods {
        if let MethodKind::Oidc { upstream } = &m.kind {
            if !upstreams.iter().any(|u| &u.settings.name == upstream) {
                p.push(format!(
                    "methods ({}).upstream: no [[oidc_upstreams]] entry named {upstream:?}",
                    m.id
                ));
            }
        }
    }
}

/// At most one `kind = "eudi_wallet"` method, and it needs a `[wallet]` section.
pub(super) fn cross_check_wallet(methods: &[MethodConfig], wallet: bool, p: &mut Problems) {
    let wallets: Vec<&MethodConfig> = methods.iter().filter(|m| m.kind == MethodKind::EudiWallet).collect();
    if wallets.len() > 1 {
        p.push("methods: at most one kind = \"eudi_wallet\" method (it owns the /wallet/* endpoints)");
    }
    if let (Some(m), false) = (wallets.first(), wallet) {
        p.push(format!("methods ({}).kind: an eudi_wallet method needs a [wallet] section", m.id));
    }
}
