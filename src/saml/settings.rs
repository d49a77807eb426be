//! The settings of one SAML upstream identity provider (`[[saml.upstreams]]`): its profile, the
//! verified metadata, binding, what to request and what may be released. Built by `config`, which
//! verifies the metadata at start-up (config → domain only); a metadata refresh
//! (`saml::refresh`) swaps in a copy with the new metadata, endpoints resolved again by
//! [`SamlUpstreamConfig::with_metadata`].

use super::authn_request::{Binding, SpType};
use super::mapping::elster::TaxRelease;
use super::metadata::IdpMetadata;
use super::profile::{AttributeKey, AttributeNames, ProfileKind};
use crate::trust::TrustLevel;
use saml_xmlsec::Certificate;
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

/// Where the IdP metadata comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataSource {
    /// A local file (`metadata_file`), read again on SIGHUP.
    File(PathBuf),
    /// An HTTPS URL (`metadata_url`; http only to loopback in development), refreshed in the
    /// background (SAML Metadata §2.2.1 `validUntil` / `cacheDuration`) and on SIGHUP.
    Url(Url),
}

/// The metadata's origin and how it is trusted and kept fresh.
#[derive(Debug, Clone)]
pub struct MetadataOrigin {
    /// File or URL.
    pub source: MetadataSource,
    /// Pinned metadata signers (`metadata_signing_cert`, one or more PEM certificates); `None`
    /// only in development (signature not checked).
    pub signers: Option<Vec<Certificate>>,
    /// Refresh no more often than this (URL sources).
    pub refresh_min: Duration,
    /// Refresh at least this often, whatever `cacheDuration` says (URL sources).
    pub refresh_max: Duration,
}

/// The configured endpoint overrides, applied to every copy of the metadata.
#[derive(Debug, Clone, Default)]
pub struct EndpointOverrides {
    /// `sso_url`.
    pub sso_url: Option<Url>,
    /// `slo_url`.
    pub slo_url: Option<Url>,
    /// `logout`.
    pub logout: bool,
}

/// Where and how a `<LogoutRequest>` goes (the IdP's `SingleLogoutService`, SAML Metadata §2.4.2).
#[derive(Debug, Clone)]
pub struct SloEndpoint {
    /// Location (the metadata's, or the configured `slo_url`).
    pub url: Url,
    /// Binding: Redirect when the IdP offers it, else POST.
    pub binding: Binding,
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
    /// Single Logout at the IdP: `None` when the IdP offers none, `logout = false`, or the profile
    /// is `eidas` (the eID keeps no session).
    pub slo: Option<SloEndpoint>,
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
    /// Highest level a `http://eidas.europa.eu/NotNotified/LoA/*` value may map to (default
    /// `basic`: a scheme not notified under eIDAS Art. 9 is not taken at its word).
    pub not_notified_max_level: TrustLevel,
    /// Where the metadata comes from.
    pub origin: MetadataOrigin,
    /// Endpoint overrides.
    pub overrides: EndpointOverrides,
}

/// Endpoints taken from metadata and overrides.
#[derive(Debug, Clone)]
pub struct Endpoints {
    /// `SingleSignOnService` for the binding (or `sso_url`).
    pub sso_url: Url,
    /// Single Logout, if any.
    pub slo: Option<SloEndpoint>,
}

impl Endpoints {
    /// Resolve the endpoints of `idp` for an upstream with this binding and profile. The error
    /// starts with the configuration key at fault.
    pub fn resolve(idp: &IdpMetadata, binding: Binding, profile: ProfileKind, o: &EndpointOverrides) -> Result<Self, String> {
        let from_metadata = match binding {
            Binding::Redirect => idp.sso_redirect.clone(),
            Binding::Post => idp.sso_post.clone(),
        };
        let sso_url = o
            .sso_url
            .clone()
            .or(from_metadata)
            .ok_or("binding: the IdP metadata has no SingleSignOnService for this binding")?;
        // SLO (issue 11 item 5): Redirect preferred, POST otherwise; none when switched off, when
        // the IdP offers none, or for the eID (no session to end: each login is a fresh card read).
        let metadata_slo = match (&idp.slo_redirect, &idp.slo_post) {
            (Some(url), _) => Some((url.clone(), Binding::Redirect)),
            (None, Some(url)) => Some((url.clone(), Binding::Post)),
            (None, None) => None,
        };
        if o.slo_url.is_some() && metadata_slo.is_none() {
            return Err("slo_url: the IdP metadata has no SingleLogoutService".into());
        }
        let slo = metadata_slo
            .map(|(url, binding)| SloEndpoint {
                url: o.slo_url.clone().unwrap_or(url),
                binding,
            })
            .filter(|_| o.logout && profile != ProfileKind::Eidas);
        Ok(Self { sso_url, slo })
    }
}

impl SamlUpstreamConfig {
    /// This upstream with fresh metadata (a refresh): endpoints resolved again with the
    /// configured overrides.
    pub fn with_metadata(&self, idp: IdpMetadata) -> Result<Self, String> {
        let e = Endpoints::resolve(&idp, self.binding, self.profile, &self.overrides)?;
        Ok(Self {
            idp,
            sso_url: e.sso_url,
            slo: e.slo,
            ..self.clone()
        })
    }
}
