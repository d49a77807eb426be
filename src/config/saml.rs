//! `[saml]`: the SAML service provider (one entity) and its upstream identity providers.
//!
//! Validation loads every key and certificate and reads each IdP's metadata, so a broken SAML
//! setup stops the broker at start-up (and `check-config`) instead of failing the first login.
//! An upstream whose metadata has no signing certificate is refused here.

use super::Problems;
use crate::saml::authn_request::{Binding, SpType};
use crate::saml::mapping::elster::TaxRelease;
use crate::saml::metadata::{self, IdpMetadata};
use crate::saml::profile::{AttributeKey, AttributeNames, ProfileKind};
use crate::saml::sp::{self, KeyPair, PrivateKey, ServiceProvider, SignatureAlg};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use url::Url;

/// `[saml]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSaml {
    entity_id: String,
    acs_url: String,
    signing_key: PathBuf,
    signing_cert: PathBuf,
    #[serde(default = "default_alg")]
    signing_alg: String,
    encryption_key: PathBuf,
    encryption_cert: PathBuf,
    #[serde(default)]
    previous_encryption_keys: Vec<PathBuf>,
    #[serde(default = "default_validity_days")]
    metadata_validity_days: u64,
    #[serde(default)]
    upstreams: Vec<RawUpstream>,
    #[serde(default)]
    dev_simulator: Option<RawSimulator>,
    #[serde(default)]
    dev_elster_simulator: Option<RawSimulator>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUpstream {
    name: String,
    #[serde(default = "default_profile")]
    profile: String,
    metadata_file: PathBuf,
    #[serde(default)]
    metadata_signing_cert: Option<PathBuf>,
    #[serde(default)]
    sso_url: Option<String>,
    #[serde(default = "default_binding")]
    binding: String,
    #[serde(default = "default_sp_type")]
    sp_type: String,
    #[serde(default)]
    requester_id: Option<String>,
    #[serde(default)]
    requested_attributes: Vec<String>,
    #[serde(default = "default_request_ttl")]
    request_ttl_secs: u64,
    #[serde(default = "default_skew")]
    max_clock_skew_secs: u64,
    #[serde(default)]
    insecure_allow_rsa_pkcs1: bool,
    #[serde(default)]
    attribute_names: BTreeMap<String, String>,
    #[serde(default)]
    release_tax_id: bool,
    #[serde(default)]
    release_tax_number: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSimulator {
    upstream: String,
    signing_key: PathBuf,
    signing_cert: PathBuf,
    #[serde(default = "default_alg")]
    signing_alg: String,
}

fn default_alg() -> String {
    "ecdsa-sha256".into()
}
fn default_validity_days() -> u64 {
    7
}
fn default_profile() -> String {
    "eidas".into()
}
fn default_binding() -> String {
    "redirect".into()
}
fn default_sp_type() -> String {
    "public".into()
}
fn default_request_ttl() -> u64 {
    600
}
fn default_skew() -> u64 {
    60
}

/// One upstream IdP, validated.
#[derive(Debug, Clone)]
pub struct SamlUpstreamConfig {
    /// Name (`[[methods]] upstream = …`).
    pub name: String,
    /// Profile.
    pub profile: ProfileKind,
    /// What the verified metadata says.
    pub idp: IdpMetadata,
    /// Where requests go (metadata endpoint for `binding`, or the configured override).
    pub sso_url: Url,
    /// Binding for requests.
    pub binding: Binding,
    /// `eidas:SPType`.
    pub sp_type: SpType,
    /// `Scoping/RequesterID` (private SPs).
    pub requester_id: Option<String>,
    /// Optional attributes requested besides the profile's required ones.
    pub optional_attributes: Vec<AttributeKey>,
    /// How long an AuthnRequest waits for its Response.
    pub request_ttl: Duration,
    /// Allowed clock skew.
    pub max_skew: Duration,
    /// Legacy upstreams only.
    pub allow_rsa_pkcs1: bool,
    /// The profile's attribute Names with this upstream's `attribute_names` overrides.
    pub attribute_names: AttributeNames,
    /// `release_tax_id` / `release_tax_number` (ELSTER only).
    pub tax_release: TaxRelease,
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
        if s.cert.to_der().ok() == e.cert.to_der().ok() {
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

fn validate_upstream(u: RawUpstream, i: usize, development: bool, p: &mut Problems) -> Option<SamlUpstreamConfig> {
    let f = format!("saml.upstreams[{i}] ({})", u.name);
    let profile = ProfileKind::from_config(&u.profile)
        .map_err(|e| p.push(format!("{f}.profile: {e}")))
        .ok();
    let binding = match u.binding.as_str() {
        "redirect" => Some(Binding::Redirect),
        "post" => Some(Binding::Post),
        other => {
            p.push(format!(
                "{f}.binding: unknown binding {other:?} (expected \"redirect\" or \"post\")"
            ));
            None
        }
    };
    let sp_type = match u.sp_type.as_str() {
        "public" => Some(SpType::Public),
        "private" => Some(SpType::Private),
        other => {
            p.push(format!("{f}.sp_type: {other:?} (expected \"public\" or \"private\")"));
            None
        }
    };
    if sp_type == Some(SpType::Private) && u.requester_id.is_none() {
        p.push(format!("{f}.requester_id: a private SP must name its RequesterID (eIDAS Scoping)"));
    }
    let mut optional = Vec::new();
    for a in &u.requested_attributes {
        let key = match profile {
            Some(kind) => kind.profile().key_from_config(a),
            None => AttributeKey::from_config(a),
        };
        match key {
            Some(k) => optional.push(k),
            None => p.push(format!("{f}.requested_attributes: unknown attribute {a:?}")),
        }
    }
    let mut overrides = Vec::new();
    for (short, name) in &u.attribute_names {
        match profile.map(|k| k.profile()) {
            Some(pr) if !pr.names_configurable => {
                p.push(format!("{f}.attribute_names: the {} profile's attribute names are fixed", pr.name));
            }
            Some(pr) => match pr.key_from_config(short) {
                Some(k) if !name.trim().is_empty() => overrides.push((k, name.trim().to_owned())),
                Some(_) => p.push(format!("{f}.attribute_names.{short}: must not be empty")),
                None => p.push(format!("{f}.attribute_names: unknown attribute {short:?}")),
            },
            None => {}
        }
    }
    let tax_release = TaxRelease {
        tax_id: u.release_tax_id,
        tax_number: u.release_tax_number,
    };
    if profile.is_some_and(|k| k != ProfileKind::Elster) && (u.release_tax_id || u.release_tax_number) {
        p.push(format!("{f}.release_tax_id / release_tax_number: only for profile \"elster\""));
    }
    // Data minimisation: tax data is requested exactly when it may be released.
    for (key, allowed, flag) in [
        (AttributeKey::TaxId, u.release_tax_id, "release_tax_id"),
        (AttributeKey::TaxNumber, u.release_tax_number, "release_tax_number"),
    ] {
        if optional.contains(&key) && !allowed {
            p.push(format!("{f}.requested_attributes: requesting tax data needs {flag} = true"));
        }
        if allowed && !optional.contains(&key) {
            optional.push(key);
        }
    }
    if u.insecure_allow_rsa_pkcs1 && profile == Some(ProfileKind::Eidas) {
        p.push(format!(
            "{f}.insecure_allow_rsa_pkcs1: the eIDAS profile never accepts PKCS#1 signatures"
        ));
    }
    if !(1..=60).contains(&u.max_clock_skew_secs) {
        p.push(format!("{f}.max_clock_skew_secs: must be between 1 and 60"));
    }
    if !(60..=3600).contains(&u.request_ttl_secs) {
        p.push(format!("{f}.request_ttl_secs: must be between 60 and 3600"));
    }
    p.check_not_dev_material(&format!("{f}.metadata_file"), &u.metadata_file, development);
    let signing_cert = match &u.metadata_signing_cert {
        Some(path) => sp::load_cert(path)
            .map_err(|e| p.push(format!("{f}.metadata_signing_cert: {e}")))
            .ok(),
        None if development => {
            tracing::warn!(upstream = %u.name, "!!! DEVELOPMENT: IdP metadata signature not checked (no metadata_signing_cert) !!!");
            None
        }
        None => {
            p.push(format!(
                "{f}.metadata_signing_cert: required: IdP metadata must be signature-verified"
            ));
            None
        }
    };
    let idp = match std::fs::read_to_string(&u.metadata_file) {
        Ok(xml) => metadata::load_idp_metadata(&xml, signing_cert.as_ref(), SystemTime::now())
            .map_err(|e| p.push(format!("{f}.metadata_file: {}: {e}", u.metadata_file.display())))
            .ok(),
        Err(e) => {
            p.push(format!("{f}.metadata_file: cannot read {}: {e}", u.metadata_file.display()));
            None
        }
    };
    let override_url = u.sso_url.as_deref().and_then(|s| p.url(&format!("{f}.sso_url"), s));
    let (idp, profile, binding, sp_type) = (idp?, profile?, binding?, sp_type?);
    let from_metadata = match binding {
        Binding::Redirect => idp.sso_redirect.clone(),
        Binding::Post => idp.sso_post.clone(),
    };
    let Some(sso_url) = override_url.or(from_metadata) else {
        p.push(format!("{f}.binding: the IdP metadata has no SingleSignOnService for this binding"));
        return None;
    };
    Some(SamlUpstreamConfig {
        name: u.name,
        profile,
        idp,
        sso_url,
        binding,
        sp_type,
        requester_id: u.requester_id,
        optional_attributes: optional,
        request_ttl: Duration::from_secs(u.request_ttl_secs),
        max_skew: Duration::from_secs(u.max_clock_skew_secs),
        allow_rsa_pkcs1: u.insecure_allow_rsa_pkcs1,
        attribute_names: AttributeNames::new(profile.profile(), overrides),
        tax_release,
    })
}
