//! `[saml]`: the SAML service provider (one entity) and its upstream identity providers.
//! (Filled in by the SAML work; this is the contract the rest of the config relies on.)

use super::Problems;
use serde::Deserialize;

/// `[saml]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSaml {
    #[serde(default)]
    upstreams: Vec<RawUpstream>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUpstream {
    name: String,
}

/// `[saml]`, validated.
#[derive(Debug, Clone)]
pub struct SamlConfig {
    names: Vec<String>,
}

impl SamlConfig {
    /// Names of the configured upstreams.
    pub fn upstream_names(&self) -> Vec<&str> {
        self.names.iter().map(String::as_str).collect()
    }
}

pub(super) fn validate(raw: RawSaml, _development: bool, _p: &mut Problems) -> Option<SamlConfig> {
    Some(SamlConfig {
        names: raw.upstreams.into_iter().map(|u| u.name).collect(),
    })
}
