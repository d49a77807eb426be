//! `[[saml.upstreams]]`: one upstream identity provider (eID middleware, ELSTER): its profile,
//! metadata verified and its signing certificate pinned, binding, and what it may release.
//! Split from `saml.rs`, which validates the SP and the simulators.
//!
//! The metadata comes from `metadata_file` or `metadata_url` (issue 12 item 5); either way it is
//! read (fetched) and verified here, so a broker without valid metadata for an upstream does not
//! start and `check-config` says why. Refreshing it later is `saml::refresh`.

use super::problems::is_loopback;
use super::Problems;
use crate::saml::authn_request::{Binding, SpType};
use crate::saml::mapping::elster::TaxRelease;
use crate::saml::metadata::IdpMetadata;
use crate::saml::profile::{AttributeKey, AttributeNames, ProfileKind};
use crate::saml::settings::{EndpointOverrides, Endpoints, MetadataOrigin, MetadataSource};
use crate::saml::source;
use crate::saml::sp;
use crate::saml::SamlUpstreamConfig;
use crate::trust::TrustLevel;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawUpstream {
    pub name: String,
    #[serde(default = "default_profile")]
    pub profile: String,
    #[serde(default)]
    pub metadata_file: Option<PathBuf>,
    /// HTTPS URL of the metadata (instead of `metadata_file`).
    #[serde(default)]
    pub metadata_url: Option<String>,
    /// PEM file with the metadata signer's certificate(s) (several: a signer rollover).
    #[serde(default)]
    pub metadata_signing_cert: Option<PathBuf>,
    #[serde(default = "default_refresh_min")]
    pub metadata_refresh_min_secs: u64,
    #[serde(default = "default_refresh_max")]
    pub metadata_refresh_max_secs: u64,
    #[serde(default)]
    pub sso_url: Option<String>,
    #[serde(default = "default_binding")]
    pub binding: String,
    #[serde(default = "default_sp_type")]
    pub sp_type: String,
    #[serde(default)]
    pub requester_id: Option<String>,
    #[serde(default)]
    pub requested_attributes: Vec<String>,
    #[serde(default = "default_request_ttl")]
    pub request_ttl_secs: u64,
    #[serde(default = "default_skew")]
    pub max_clock_skew_secs: u64,
    #[serde(default)]
    pub insecure_allow_rsa_pkcs1: bool,
    #[serde(default)]
    pub attribute_names: BTreeMap<String, String>,
    #[serde(default)]
    pub release_tax_id: bool,
    #[serde(default)]
    pub release_tax_number: bool,
    #[serde(default)]
    pub not_notified_max_level: Option<String>,
    /// End the IdP's session at logout (SAML SLO) when its metadata offers a SingleLogoutService.
    #[serde(default = "default_logout")]
    pub logout: bool,
    /// Override of the metadata's SingleLogoutService location (the binding stays the metadata's).
    #[serde(default)]
    pub slo_url: Option<String>,
}

fn default_refresh_min() -> u64 {
    300
}
fn default_refresh_max() -> u64 {
    86_400
}

fn default_logout() -> bool {
    true
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

pub(super) fn validate_upstream(u: RawUpstream, i: usize, development: bool, p: &mut Problems) -> Option<SamlUpstreamConfig> {
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
    let not_notified_max_level = match u.not_notified_max_level.as_deref() {
        None => TrustLevel::Basic,
        Some(v) => v
            .parse::<TrustLevel>()
            .map_err(|e| p.push(format!("{f}.not_notified_max_level: {e}")))
            .unwrap_or(TrustLevel::Basic),
    };
    if not_notified_max_level > TrustLevel::Basic {
        tracing::warn!(
            upstream = %u.name,
            level = %not_notified_max_level,
            "NotNotified eIDAS levels raised by configuration (not_notified_max_level)"
        );
    }
    if !(1..=60).contains(&u.max_clock_skew_secs) {
        p.push(format!("{f}.max_clock_skew_secs: must be between 1 and 60"));
    }
    if !(60..=3600).contains(&u.request_ttl_secs) {
        p.push(format!("{f}.request_ttl_secs: must be between 60 and 3600"));
    }
    let idp = metadata(&u, &f, development, p);
    let override_url = u.sso_url.as_deref().and_then(|s| p.url(&format!("{f}.sso_url"), s));
    let slo_override = u.slo_url.as_deref().and_then(|s| p.url(&format!("{f}.slo_url"), s));
    let ((idp, origin), profile, binding, sp_type) = (idp?, profile?, binding?, sp_type?);
    let endpoint_overrides = EndpointOverrides {
        sso_url: override_url,
        slo_url: slo_override,
        logout: u.logout,
    };
    let endpoints = Endpoints::resolve(&idp, binding, profile, &endpoint_overrides)
        .map_err(|e| p.push(format!("{f}.{e}")))
        .ok()?;
    let (sso_url, slo) = (endpoints.sso_url, endpoints.slo);
    Some(SamlUpstreamConfig {
        name: u.name,
        slo,
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
        not_notified_max_level,
        origin,
        overrides: endpoint_overrides,
    })
}

/// The metadata source, its signers and refresh bounds, and the metadata itself, read (fetched)
/// and verified now.
fn metadata(u: &RawUpstream, f: &str, development: bool, p: &mut Problems) -> Option<(IdpMetadata, MetadataOrigin)> {
    let source = match (&u.metadata_file, &u.metadata_url) {
        (Some(path), None) => {
            p.check_not_dev_material(&format!("{f}.metadata_file"), path, development);
            MetadataSource::File(path.clone())
        }
        (None, Some(url)) => {
            let url = p.url(&format!("{f}.metadata_url"), url)?;
            // Development may fetch from a local server over http; anything else needs TLS.
            if url.scheme() != "https" && !(development && is_loopback(&url)) {
                p.push(format!(
                    "{f}.metadata_url: must be https (http only to a loopback address in development)"
                ));
                return None;
            }
            MetadataSource::Url(url)
        }
        (Some(_), Some(_)) => {
            p.push(format!("{f}: metadata_file and metadata_url are exclusive: name one"));
            return None;
        }
        (None, None) => {
            p.push(format!("{f}: one of metadata_file or metadata_url is required"));
            return None;
        }
    };
    if u.metadata_refresh_min_secs < 1 || u.metadata_refresh_min_secs > u.metadata_refresh_max_secs {
        p.push(format!(
            "{f}.metadata_refresh_min_secs: must be at least 1 and at most metadata_refresh_max_secs"
        ));
    }
    if !(60..=7 * 86_400).contains(&u.metadata_refresh_max_secs) {
        p.push(format!("{f}.metadata_refresh_max_secs: must be between 60 and 604800 (a week)"));
    }
    let signers = match &u.metadata_signing_cert {
        Some(path) => Some(
            sp::load_certs(path)
                .map_err(|e| p.push(format!("{f}.metadata_signing_cert: {e}")))
                .ok()?,
        ),
        None if development => {
            tracing::warn!(upstream = %u.name, "!!! DEVELOPMENT: IdP metadata signature not checked (no metadata_signing_cert) !!!");
            None
        }
        None => {
            p.push(format!(
                "{f}.metadata_signing_cert: required: IdP metadata must be signature-verified"
            ));
            return None;
        }
    };
    let origin = MetadataOrigin {
        source,
        signers,
        refresh_min: Duration::from_secs(u.metadata_refresh_min_secs),
        refresh_max: Duration::from_secs(u.metadata_refresh_max_secs),
    };
    let what = match &origin.source {
        MetadataSource::File(_) => "metadata_file",
        MetadataSource::Url(_) => "metadata_url",
    };
    match source::load_blocking(&origin, SystemTime::now()) {
        Ok(idp) => Some((idp, origin)),
        Err(e) => {
            p.push(format!("{f}.{what}: no valid IdP metadata: {e}"));
            None
        }
    }
}
