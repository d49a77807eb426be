//! The settings of one SAML upstream identity provider (`[[saml.upstreams]]`): its profile, the
//! verified metadata, binding, what to request and what may be released. Built by `config`, which
//! verifies the metadata at start-up (config → domain only).

use super::authn_request::{Binding, SpType};
use super::mapping::elster::TaxRelease;
use super::metadata::IdpMetadata;
use super::profile::{AttributeKey, AttributeNames, ProfileKind};
use crate::trust::TrustLevel;
use std::time::Duration;
use url::Url;

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
}
