//! `[[oidc_upstreams]]`: one upstream OpenID Connect provider (bank-ID, ID-porten, …), validated
//! into the domain's [`UpstreamSettings`](crate::oidc_upstream::UpstreamSettings) (config → domain
//! only). Keys are read and parsed here, so a wrong file stops `check-config`, not the first
//! login. Every problem is listed. Development material (`certs/dev/`) and `http` issuers are
//! refused outside development configuration.

use super::{Problems, Secret};
use crate::oidc_upstream::acr::{AcrProfile, AcrTable};
use crate::oidc_upstream::settings::ClientSecret;
use crate::oidc_upstream::{ClientAuth, ClientKey, DecryptionKey, MetadataSource, TlsIdentity, UpstreamSettings};
use crate::trust::TrustLevel;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Where client JWKS paths live (no other route of the broker is under it).
pub const CLIENT_JWKS_PREFIX: &str = "/oidc/jwks/";

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawOidcUpstream {
    pub name: String,
    pub issuer: String,
    #[serde(default)]
    pub discovery_file: Option<PathBuf>,
    #[serde(default)]
    pub discovery_refresh_secs: Option<u64>,
    pub client_id: String,
    #[serde(default)]
    pub client_auth: Option<String>,
    #[serde(default)]
    pub client_key: Option<PathBuf>,
    #[serde(default)]
    pub client_jwks_path: Option<String>,
    #[serde(default)]
    pub client_secret: Option<String>,
    #[serde(default)]
    pub tls_client_cert: Option<PathBuf>,
    #[serde(default)]
    pub tls_client_key: Option<PathBuf>,
    #[serde(default)]
    pub id_token_decryption_key: Option<PathBuf>,
    #[serde(default)]
    pub require_par: bool,
    #[serde(default)]
    pub logout: Option<bool>,
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    #[serde(default)]
    pub userinfo: bool,
    #[serde(default)]
    pub acr_profile: Option<String>,
    #[serde(default)]
    pub trust_frameworks: Vec<String>,
    #[serde(default)]
    pub acr: BTreeMap<String, String>,
    #[serde(default)]
    pub claims: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub max_age_secs: Option<u64>,
    #[serde(default)]
    pub max_clock_skew_secs: Option<u64>,
    #[serde(default)]
    pub timeout_secs: Option<u64>,
    #[serde(default)]
    pub dev_simulator_key: Option<PathBuf>,
}

/// One upstream OP, validated.
#[derive(Debug, Clone)]
pub struct OidcUpstreamConfig {
    /// The domain settings.
    pub settings: UpstreamSettings,
    /// Where the public JWK of `client_key` is published (`private_key_jwt` only).
    pub client_jwks_path: Option<String>,
    /// Development only: the built-in bank-ID simulator plays this upstream and signs its ID
    /// tokens with this key (`dev_simulator_key`).
    pub dev_simulator: Option<Arc<ClientKey>>,
}

impl OidcUpstreamConfig {
    /// The public JWK set of the client key, if the upstream uses `private_key_jwt`.
    pub fn client_jwks(&self) -> Option<jsonwebtoken::jwk::JwkSet> {
        match &self.settings.client_auth {
            ClientAuth::PrivateKeyJwt(k) => Some(k.jwks()),
            _ => None,
        }
    }
}

fn read(p: &mut Problems, field: &str, path: &PathBuf, development: bool) -> Option<Vec<u8>> {
    p.check_not_dev_material(field, path, development);
    std::fs::read(path)
        .map_err(|e| p.push(format!("{field}: cannot read {}: {e}", path.display())))
        .ok()
}

/// Validate every `[[oidc_upstreams]]` entry.
/// The issuer of the built-in bank-ID simulator, below the broker's own issuer.
pub const DEV_SIMULATOR_PATH: &str = "/dev/bankid";

/// Validate every `[[oidc_upstreams]]` entry (`broker_issuer`: the validated `server.issuer`).
pub(super) fn validate(
    raw: Vec<RawOidcUpstream>,
    development: bool,
    pending_ttl: Duration,
    broker_issuer: Option<&str>,
    p: &mut Problems,
) -> Vec<OidcUpstreamConfig> {
    let mut out: Vec<OidcUpstreamConfig> = Vec::new();
    for (i, u) in raw.into_iter().enumerate() {
        let f = format!("oidc_upstreams[{i}] ({})", u.name);
        if u.name.is_empty() || out.iter().any(|o| o.settings.name == u.name) {
            p.push(format!("{f}.name: empty or duplicate"));
        }
        let simulator = u.dev_simulator_key.clone().and_then(|path| {
            if !development {
                p.push(format!(
                    "{f}.dev_simulator_key: the bank-ID simulator is refused outside development configuration"
                ));
                return None;
            }
            let want = broker_issuer.map(|b| format!("{}{DEV_SIMULATOR_PATH}", b.trim_end_matches('/')));
            if want.as_deref() != Some(u.issuer.as_str()) {
                p.push(format!("{f}.issuer: the simulator's issuer is {}", want.unwrap_or_default()));
            }
            if out.iter().any(|o| o.dev_simulator.is_some()) {
                p.push(format!("{f}.dev_simulator_key: only one upstream can be the simulator"));
            }
            let pem = read(p, &format!("{f}.dev_simulator_key"), &path, development)?;
            ClientKey::from_pem(&pem, &path.display().to_string())
                .map_err(|e| p.push(format!("{f}.dev_simulator_key: {e}")))
                .ok()
                .map(Arc::new)
        });
        if let Some(mut v) = validate_one(u, &f, development, pending_ttl, p) {
            v.dev_simulator = simulator;
            if let Some(path) = &v.client_jwks_path {
                if out.iter().any(|o| o.client_jwks_path.as_ref() == Some(path)) {
                    p.push(format!("{f}.client_jwks_path: {path} is used by another upstream"));
                }
            }
            out.push(v);
        }
    }
    out
}

fn validate_one(u: RawOidcUpstream, f: &str, development: bool, pending_ttl: Duration, p: &mut Problems) -> Option<OidcUpstreamConfig> {
    // The issuer: https, or http on loopback in development (the simulator, test OPs).
    let issuer_ok = match url::Url::parse(&u.issuer) {
        Ok(url) if url.scheme() == "https" && url.host().is_some() && url.query().is_none() && url.fragment().is_none() => true,
        Ok(url) if url.scheme() == "http" && super::problems::is_loopback(&url) => {
            if !development {
                p.push(format!("{f}.issuer: an http issuer is refused outside development configuration"));
            }
            development
        }
        Ok(_) => {
            p.push(format!("{f}.issuer: {:?} must be an https URL without query or fragment", u.issuer));
            false
        }
        Err(e) => {
            p.push(format!("{f}.issuer: malformed URL {:?}: {e}", u.issuer));
            false
        }
    };
    let metadata = match &u.discovery_file {
        Some(path) => {
            if u.discovery_refresh_secs.is_some() {
                p.push(format!("{f}.discovery_refresh_secs: not used with discovery_file"));
            }
            let json = std::fs::read_to_string(path)
                .map_err(|e| p.push(format!("{f}.discovery_file: cannot read {}: {e}", path.display())))
                .ok()?;
            if let Err(e) = crate::oidc_upstream::discovery::parse_metadata(json.as_bytes(), &u.issuer) {
                p.push(format!("{f}.discovery_file: {e}"));
            }
            Some(MetadataSource::File { json })
        }
        None => {
            let secs = u.discovery_refresh_secs.unwrap_or(3600);
            if !(60..=86_400).contains(&secs) {
                p.push(format!("{f}.discovery_refresh_secs: must be 60..=86400"));
            }
            Some(MetadataSource::Discover {
                refresh: Duration::from_secs(secs),
            })
        }
    };
    if u.client_id.is_empty() {
        p.push(format!("{f}.client_id: must not be empty"));
    }
    let method = u.client_auth.as_deref().unwrap_or("private_key_jwt");
    let unused = |p: &mut Problems, name: &str, set: bool| {
        if set {
            p.push(format!("{f}.{name}: not used with client_auth = {method:?}"));
        }
    };
    let client_auth = match method {
        "private_key_jwt" => {
            unused(p, "client_secret", u.client_secret.is_some());
            unused(p, "tls_client_cert", u.tls_client_cert.is_some());
            match &u.client_key {
                None => {
                    p.push(format!(
                        "{f}.client_key: private_key_jwt needs the broker's key (PKCS#8 EC P-256 or RSA)"
                    ));
                    None
                }
                Some(path) => read(p, &format!("{f}.client_key"), path, development).and_then(|pem| {
                    ClientKey::from_pem(&pem, &path.display().to_string())
                        .map_err(|e| p.push(format!("{f}.client_key: {e}")))
                        .ok()
                        .map(|k| ClientAuth::PrivateKeyJwt(Arc::new(k)))
                }),
            }
        }
        "client_secret_basic" => {
            unused(p, "client_key", u.client_key.is_some());
            unused(p, "tls_client_cert", u.tls_client_cert.is_some());
            match &u.client_secret {
                Some(raw) => Secret::resolve(&format!("{f}.client_secret"), raw, p)
                    .filter(|s| !s.expose().is_empty())
                    .map(|s| ClientAuth::ClientSecretBasic(ClientSecret::new(s.expose().to_owned()))),
                None => {
                    p.push(format!("{f}.client_secret: client_secret_basic needs a secret (or env:NAME)"));
                    None
                }
            }
        }
        "tls_client_auth" => {
            unused(p, "client_key", u.client_key.is_some());
            unused(p, "client_secret", u.client_secret.is_some());
            match (&u.tls_client_cert, &u.tls_client_key) {
                (Some(c), Some(k)) => {
                    let cert = read(p, &format!("{f}.tls_client_cert"), c, development);
                    let key = read(p, &format!("{f}.tls_client_key"), k, development);
                    match (cert, key) {
                        (Some(c), Some(k)) => TlsIdentity::from_pem(&c, &k)
                            .map_err(|e| p.push(format!("{f}.{e}")))
                            .ok()
                            .map(ClientAuth::TlsClientAuth),
                        _ => None,
                    }
                }
                _ => {
                    p.push(format!(
                        "{f}.tls_client_cert: tls_client_auth needs tls_client_cert and tls_client_key"
                    ));
                    None
                }
            }
        }
        other => {
            p.push(format!(
                "{f}.client_auth: {other:?} (expected private_key_jwt, client_secret_basic or tls_client_auth)"
            ));
            None
        }
    };
    let client_jwks_path = match (&client_auth, &u.client_jwks_path) {
        (Some(ClientAuth::PrivateKeyJwt(_)), path) => {
            let path = path.clone().unwrap_or_else(|| format!("{CLIENT_JWKS_PREFIX}{}", u.name));
            let tail = path.strip_prefix(CLIENT_JWKS_PREFIX).unwrap_or_default();
            if tail.is_empty() || !tail.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
                p.push(format!(
                    "{f}.client_jwks_path: {path:?} must be {CLIENT_JWKS_PREFIX}<letters, digits, - or _>"
                ));
            }
            Some(path)
        }
        (_, Some(_)) => {
            p.push(format!("{f}.client_jwks_path: only used with client_auth = \"private_key_jwt\""));
            None
        }
        _ => None,
    };
    let decryption_key = u.id_token_decryption_key.as_ref().and_then(|path| {
        read(p, &format!("{f}.id_token_decryption_key"), path, development)
            .and_then(|pem| DecryptionKey::from_pem(&pem).map_err(|e| p.push(format!("{f}.{e}"))).ok())
    });
    let profile = match AcrProfile::parse(u.acr_profile.as_deref().unwrap_or("none")) {
        Some(pr) => pr,
        None => {
            p.push(format!(
                "{f}.acr_profile: unknown profile {:?} (expected norway-bankid, idporten, yes, eidas or none)",
                u.acr_profile.unwrap_or_default()
            ));
            AcrProfile::None
        }
    };
    let mut overrides = Vec::new();
    for (value, level) in &u.acr {
        match level.parse::<TrustLevel>() {
            Ok(l) if !value.is_empty() => overrides.push((value.clone(), l)),
            Ok(_) => p.push(format!("{f}.acr: an empty acr value")),
            Err(e) => p.push(format!("{f}.acr.{value:?}: {e}")),
        }
    }
    let claims: Vec<(String, String)> = match u.claims {
        Some(m) => m.into_iter().collect(),
        None => ["given_name", "family_name", "birthdate"]
            .iter()
            .map(|c| ((*c).to_owned(), (*c).to_owned()))
            .collect(),
    };
    for (ours, theirs) in &claims {
        if ours.is_empty() || theirs.is_empty() || theirs.split('.').any(str::is_empty) {
            p.push(format!("{f}.claims: {ours:?} = {theirs:?} is not a claim name and a dotted path"));
        }
        if ours == "sub" {
            p.push(format!("{f}.claims: \"sub\" is our pairwise subject and cannot be mapped"));
        }
    }
    let scopes = u.scopes.unwrap_or_else(|| vec!["openid".into()]);
    if scopes
        .iter()
        .any(|s| s.is_empty() || !s.bytes().all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\'))
    {
        p.push(format!(
            "{f}.scopes: a scope is empty or has characters RFC 6749 §3.3 does not allow"
        ));
    }
    let skew = u.max_clock_skew_secs.unwrap_or(60);
    if skew > 300 {
        p.push(format!("{f}.max_clock_skew_secs: at most 300"));
    }
    let timeout = u.timeout_secs.unwrap_or(10);
    if !(1..=60).contains(&timeout) {
        p.push(format!("{f}.timeout_secs: must be 1..=60"));
    }
    let (Some(metadata), Some(client_auth), true) = (metadata, client_auth, issuer_ok) else {
        return None;
    };
    Some(OidcUpstreamConfig {
        settings: UpstreamSettings {
            name: u.name,
            issuer: u.issuer,
            metadata,
            client_id: u.client_id,
            client_auth,
            decryption_key,
            require_par: u.require_par,
            logout: u.logout.unwrap_or(true),
            scopes,
            userinfo: u.userinfo,
            acr: AcrTable::new(profile, &overrides),
            claims,
            trust_frameworks: u.trust_frameworks,
            max_age: u.max_age_secs,
            max_skew: Duration::from_secs(skew),
            timeout: Duration::from_secs(timeout),
            transaction_ttl: pending_ttl,
        },
        client_jwks_path,
        dev_simulator: None,
    })
}

#[cfg(test)]
mod tests;
