//! `[saml]`: the SAML service provider (one entity) and its upstream identity providers.
//!
//! Validation loads every key and certificate and reads each IdP's metadata, so a broken SAML
//! setup stops the broker at start-up (and `check-config`) instead of failing the first login.
//! An upstream whose metadata has no signing certificate is refused here.

use super::saml_upstream::{validate_upstream, RawUpstream};
use super::Problems;
use crate::saml::profile::ProfileKind;
use crate::saml::sp::{self, KeyPair, PrivateKey, ServiceProvider, SignatureAlg};
use crate::saml::SamlUpstreamConfig;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `[saml]` as written.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSaml {
    pub entity_id: String,
    pub acs_url: String,
    pub signing_key: PathBuf,
    pub signing_cert: PathBuf,
    #[serde(default = "default_alg")]
    pub signing_alg: String,
    pub encryption_key: PathBuf,
    pub encryption_cert: PathBuf,
    #[serde(default)]
    pub previous_encryption_keys: Vec<PathBuf>,
    #[serde(default = "default_validity_days")]
    pub metadata_validity_days: u64,
    #[serde(default)]
    pub upstreams: Vec<RawUpstream>,
    #[serde(default)]
    pub dev_simulator: Option<RawSimulator>,
    #[serde(default)]
    pub dev_elster_simulator: Option<RawSimulator>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSimulator {
    pub upstream: String,
    pub signing_key: PathBuf,
    pub signing_cert: PathBuf,
    #[serde(default = "default_alg")]
    pub signing_alg: String,
}

fn default_alg() -> String {
    "ecdsa-sha256".into()
}
fn default_validity_days() -> u64 {
    7
}

/// The development eID simulator's identity (development only).
#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    /// The upstream it plays.
    pub upstream: String,
    /// Its signing key pair (the certificate is the one in the upstream's metadata).
    pub signing: KeyPair,
    /// Its signature algorithm.
    pub signing_alg: SignatureAlg,
}

/// `[saml]`, validated.
#[derive(Debug, Clone)]
pub struct SamlConfig {
    /// Our SP entity.
    pub sp: ServiceProvider,
    /// Upstreams.
    pub upstreams: Vec<SamlUpstreamConfig>,
    /// The development eID simulator.
    pub dev_simulator: Option<SimulatorConfig>,
    /// The development ELSTER simulator.
    pub dev_elster_simulator: Option<SimulatorConfig>,
}

impl SamlConfig {
    /// Names of the configured upstreams.
    pub fn upstream_names(&self) -> Vec<&str> {
        self.upstreams.iter().map(|u| u.name.as_str()).collect()
    }

    /// An upstream by name.
    pub fn upstream(&self, name: &str) -> Option<&SamlUpstreamConfig> {
        self.upstreams.iter().find(|u| u.name == name)
    }
}

fn key_pair(p: &mut Problems, field: &str, key: &Path, cert: &Path, development: bool) -> Option<KeyPair> {
    p.check_not_dev_material(&format!("{field}_key"), key, development);
    let k = sp::load_private_key(key).map_err(|e| p.push(format!("{field}_key: {e}"))).ok();
    let c = sp::load_cert(cert).map_err(|e| p.push(format!("{field}_cert: {e}"))).ok();
    let (k, c) = (k?, c?);
    if let Err(e) = sp::check_pair(&k, &c) {
        p.push(format!("{field}_cert: {e}"));
        return None;
    }
    Some(KeyPair {
        key: PrivateKey(k),
        cert: c,
    })
}

pub(super) fn validate(raw: RawSaml, development: bool, p: &mut Problems) -> Option<SamlConfig> {
    let entity_ok = !raw.entity_id.trim().is_empty();
    if !entity_ok {
        p.push("saml.entity_id: must not be empty");
    }
    let acs_url = p.url("saml.acs_url", &raw.acs_url);
    if let Some(u) = &acs_url {
        if u.path() != "/saml/acs" {
            p.push(format!("saml.acs_url: {u} must be the broker's /saml/acs endpoint"));
        }
    }
    let alg = SignatureAlg::from_config(&raw.signing_alg)
        .map_err(|e| p.push(format!("saml.signing_alg: {e}")))
        .ok();
    let signing = key_pair(p, "saml.signing", &raw.signing_key, &raw.signing_cert, development);
    if let (Some(alg), Some(kp)) = (alg, &signing) {
        if let Err(e) = alg.check_key(&kp.key.0) {
            p.push(format!("saml.signing_key: {e}"));
        }
    }
    let encryption = key_pair(p, "saml.encryption", &raw.encryption_key, &raw.encryption_cert, development);
    if let Some(kp) = &encryption {
        if let Err(e) = sp::check_encryption_key(&kp.key.0) {
            p.push(format!("saml.encryption_key: {e}"));
        }
    }
    if let (Some(s), Some(e)) = (&signing, &encryption) {
        if s.cert.der() == e.cert.der() {
            p.push("saml.encryption_cert: must differ from saml.signing_cert (separate signing and encryption keys)");
        }
    }
    let mut previous = Vec::new();
    for (i, path) in raw.previous_encryption_keys.iter().enumerate() {
        match sp::load_private_key(path) {
            Ok(k) => previous.push(PrivateKey(k)),
            Err(e) => p.push(format!("saml.previous_encryption_keys[{i}]: {e}")),
        }
    }
    let mut upstreams = Vec::new();
    for (i, u) in raw.upstreams.into_iter().enumerate() {
        if upstreams.iter().any(|x: &SamlUpstreamConfig| x.name == u.name) {
            p.push(format!("saml.upstreams[{i}].name: duplicate upstream {:?}", u.name));
        }
        if let Some(v) = validate_upstream(u, i, development, p) {
            upstreams.push(v);
        }
    }
    let dev_simulator = raw
        .dev_simulator
        .and_then(|s| validate_simulator(s, "saml.dev_simulator", "eID", ProfileKind::Eidas, &upstreams, development, p));
    let dev_elster_simulator = raw.dev_elster_simulator.and_then(|s| {
        validate_simulator(
            s,
            "saml.dev_elster_simulator",
            "ELSTER",
            ProfileKind::Elster,
            &upstreams,
            development,
            p,
        )
    });
    let (Some(acs_url), Some(signing_alg), Some(signing), Some(encryption), true) = (acs_url, alg, signing, encryption, entity_ok) else {
        return None;
    };
    Some(SamlConfig {
        sp: ServiceProvider {
            entity_id: raw.entity_id,
            acs_url,
            signing,
            signing_alg,
            encryption,
            previous_encryption_keys: previous,
            metadata_validity: Duration::from_secs(raw.metadata_validity_days.clamp(1, 365) * 86_400),
        },
        upstreams,
        dev_simulator,
        dev_elster_simulator,
    })
}

/// A development simulator section: development only, playing an upstream of its profile.
fn validate_simulator(
    s: RawSimulator,
    field: &str,
    what: &str,
    profile: ProfileKind,
    upstreams: &[SamlUpstreamConfig],
    development: bool,
    p: &mut Problems,
) -> Option<SimulatorConfig> {
    if !development {
        p.push(format!(
            "{field}: the {what} simulator is refused outside development configuration"
        ));
        return None;
    }
    match upstreams.iter().find(|u| u.name == s.upstream) {
        None => p.push(format!("{field}.upstream: no [[saml.upstreams]] entry named {:?}", s.upstream)),
        Some(u) if u.profile != profile => p.push(format!(
            "{field}.upstream: {:?} does not use the profile this simulator speaks",
            s.upstream
        )),
        Some(_) => {}
    }
    let alg = SignatureAlg::from_config(&s.signing_alg)
        .map_err(|e| p.push(format!("{field}.signing_alg: {e}")))
        .ok()?;
    let kp = key_pair(p, &format!("{field}.signing"), &s.signing_key, &s.signing_cert, development)?;
    Some(SimulatorConfig {
        upstream: s.upstream,
        signing: kp,
        signing_alg: alg,
    })
}
