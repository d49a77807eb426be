//! `[oidc]` and `[[clients]]`: provider settings and the registered relying parties.

use super::{Problems, Secret};
use crate::keys::SigningAlg;
pub use crate::oidc_provider::settings::{ClientAuth, ClientConfig, OidcConfig, SubjectType, KNOWN_SCOPES};
use crate::trust::TrustLevel;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawOidc {
    #[serde(default)]
    pub pairwise_secrets: Vec<RawPairwise>,
    #[serde(default)]
    pub code_ttl_secs: Option<u64>,
    #[serde(default)]
    pub pending_ttl_secs: Option<u64>,
    #[serde(default)]
    pub refresh_grace_secs: Option<u64>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawPairwise {
    pub version: u32,
    pub secret: String,
}

pub(super) fn validate_oidc(raw: RawOidc, development: bool, p: &mut Problems) -> Option<OidcConfig> {
    let mut pairwise_secrets = Vec::new();
    let mut versions = HashSet::new();
    if raw.pairwise_secrets.is_empty() {
        p.push("oidc.pairwise_secrets: at least one secret is required for pairwise subject identifiers");
    }
    for (i, s) in raw.pairwise_secrets.into_iter().enumerate() {
        let field = format!("oidc.pairwise_secrets[{i}]");
        if !versions.insert(s.version) {
            p.push(format!("{field}.version: duplicate version {}", s.version));
        }
        if let Some(secret) = Secret::resolve(&format!("{field}.secret"), &s.secret, p) {
            if secret.expose().len() < 32 && !development {
                p.push(format!("{field}.secret: weak secret: use at least 32 random characters"));
            } else if secret.expose().len() < 16 {
                p.push(format!(
                    "{field}.secret: weak secret: use at least 16 characters even in development"
                ));
            }
            pairwise_secrets.push((s.version, secret));
        }
    }
    let code_ttl = raw.code_ttl_secs.unwrap_or(60);
    if code_ttl == 0 || code_ttl > 60 {
        p.push("oidc.code_ttl_secs: must be 1..=60 (authorization codes are short-lived, RFC 6749 §4.1.2)");
    }
    let pending = raw.pending_ttl_secs.unwrap_or(900);
    if !(60..=3600).contains(&pending) {
        p.push("oidc.pending_ttl_secs: must be 60..=3600");
    }
    let grace = raw.refresh_grace_secs.unwrap_or(10);
    if grace > 120 {
        p.push("oidc.refresh_grace_secs: must be at most 120");
    }
    Some(OidcConfig {
        pairwise_secrets,
        code_ttl: Duration::from_secs(code_ttl),
        pending_ttl: Duration::from_secs(pending),
        refresh_grace: Duration::from_secs(grace),
    })
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawClient {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub auth_method: Option<String>,
    #[serde(default)]
    pub secret_hash: Option<String>,
    #[serde(default)]
    pub jwks_file: Option<PathBuf>,
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    pub scopes: Vec<String>,
    #[serde(default)]
    pub claims: Option<Vec<String>>,
    #[serde(default)]
    pub min_level: Option<String>,
    #[serde(default)]
    pub subject_type: Option<String>,
    #[serde(default)]
    pub sector_identifier: Option<String>,
    #[serde(default)]
    pub id_token_alg: Option<String>,
    #[serde(default)]
    pub access_token_ttl_secs: Option<u64>,
    #[serde(default)]
    pub id_token_ttl_secs: Option<u64>,
    #[serde(default)]
    pub refresh_token_ttl_secs: Option<u64>,
    #[serde(default)]
    pub allowed_methods: Option<Vec<String>>,
    #[serde(default)]
    pub organisation_only: bool,
    #[serde(default)]
    pub skip_consent: bool,
    #[serde(default)]
    pub backchannel_logout_uri: Option<String>,
    #[serde(default)]
    pub backchannel_logout_session_required: bool,
}

pub(super) fn validate_clients(raw: Vec<RawClient>, method_ids: &[String], development: bool, p: &mut Problems) -> Vec<ClientConfig> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, c) in raw.into_iter().enumerate() {
        let f = format!("clients[{i}] ({})", c.id);
        if c.id.is_empty() || !c.id.bytes().all(|b| b.is_ascii_graphic()) {
            p.push(format!("{f}.id: must be non-empty printable ASCII"));
        }
        if !seen.insert(c.id.clone()) {
            p.push(format!("{f}.id: duplicate client id {:?}", c.id));
        }
        let auth_name = c.auth_method.as_deref().unwrap_or("client_secret_basic");
        let auth = match (auth_name, &c.secret_hash, &c.jwks_file) {
            ("client_secret_basic" | "client_secret_post", Some(h), _) => {
                if let Err(e) = crate::oidc_provider::client_auth::check_hash_format(h) {
                    p.push(format!("{f}.secret_hash: {e}"));
                }
                if auth_name == "client_secret_basic" {
                    Some(ClientAuth::SecretBasic { hash: h.clone() })
                } else {
                    Some(ClientAuth::SecretPost { hash: h.clone() })
                }
            }
            ("client_secret_basic" | "client_secret_post", None, _) => {
                p.push(format!(
                    "{f}.secret_hash: required for {auth_name} (create with `buergerkonto keys hash-secret`)"
                ));
                None
            }
            ("private_key_jwt", _, Some(path)) => {
                p.check_readable_file(&format!("{f}.jwks_file"), path);
                Some(ClientAuth::PrivateKeyJwt { jwks_file: path.clone() })
            }
            ("private_key_jwt", _, None) => {
                p.push(format!("{f}.jwks_file: required for private_key_jwt"));
                None
            }
            (other, _, _) => {
                p.push(format!(
                    "{f}.auth_method: {other:?} is not client_secret_basic, client_secret_post or private_key_jwt"
                ));
                None
            }
        };
        if c.redirect_uris.is_empty() {
            p.push(format!("{f}.redirect_uris: at least one redirect URI is required"));
        }
        let mut hosts = HashSet::new();
        for (j, u) in c.redirect_uris.iter().enumerate() {
            let field = format!("{f}.redirect_uris[{j}]");
            if let Some(url) = p.url(&field, u) {
                if url.fragment().is_some() {
                    p.push(format!("{field}: must not contain a fragment (RFC 6749 §3.1.2)"));
                }
                if url.scheme() != "https" && !(development && super::problems::is_loopback(&url)) {
                    p.push(format!("{field}: must use https (http only for loopback in development)"));
                }
                hosts.insert(url.host_str().unwrap_or_default().to_owned());
            }
        }
        for (j, u) in c.post_logout_redirect_uris.iter().enumerate() {
            p.url(&format!("{f}.post_logout_redirect_uris[{j}]"), u);
        }
        if let Some(u) = &c.backchannel_logout_uri {
            // OIDC Back-Channel Logout 1.0 §2.2: absolute, https unless loopback in development,
            // no fragment.
            let field = format!("{f}.backchannel_logout_uri");
            if let Some(url) = p.url(&field, u) {
                if url.fragment().is_some() {
                    p.push(format!("{field}: must not contain a fragment (Back-Channel Logout §2.2)"));
                }
                if url.scheme() != "https" && !(development && super::problems::is_loopback(&url)) {
                    p.push(format!("{field}: must use https (http only for loopback in development)"));
                }
            }
        }
        if c.backchannel_logout_session_required && c.backchannel_logout_uri.is_none() {
            p.push(format!("{f}.backchannel_logout_session_required: needs a backchannel_logout_uri"));
        }
        if !c.scopes.iter().any(|s| s == "openid") {
            p.push(format!("{f}.scopes: must include openid"));
        }
        for s in &c.scopes {
            if !KNOWN_SCOPES.contains(&s.as_str()) {
                p.push(format!("{f}.scopes: unknown scope {s:?} (known: {})", KNOWN_SCOPES.join(", ")));
            }
        }
        let min_level = match c.min_level.as_deref().unwrap_or("low").parse::<TrustLevel>() {
            Ok(l) => l,
            Err(e) => {
                p.push(format!("{f}.min_level: {e}"));
                TrustLevel::High
            }
        };
        let subject_type = match c.subject_type.as_deref().unwrap_or("pairwise") {
            "pairwise" => SubjectType::Pairwise,
            "public" => SubjectType::Public,
            other => {
                p.push(format!("{f}.subject_type: {other:?} is not pairwise or public"));
                SubjectType::Pairwise
            }
        };
        // OIDC Core §8.1: without a sector_identifier_uri, the sector is the redirect URI host,
        // so all redirect URIs must share one host.
        let sector = match &c.sector_identifier {
            Some(s) if !s.is_empty() => s.clone(),
            _ => {
                if hosts.len() > 1 && subject_type == SubjectType::Pairwise {
                    p.push(format!(
                        "{f}.sector_identifier: redirect URIs span several hosts; set a sector_identifier for pairwise subjects"
                    ));
                }
                hosts.into_iter().next().unwrap_or_default()
            }
        };
        let id_token_alg = match c.id_token_alg.as_deref().unwrap_or("ES256").parse::<SigningAlg>() {
            Ok(a) => a,
            Err(e) => {
                p.push(format!("{f}.id_token_alg: {e}"));
                SigningAlg::ES256
            }
        };
        if let Some(methods) = &c.allowed_methods {
            for m in methods {
                if !method_ids.contains(m) {
                    p.push(format!("{f}.allowed_methods: unknown method id {m:?}"));
                }
            }
        }
        let at = c.access_token_ttl_secs.unwrap_or(300);
        let it = c.id_token_ttl_secs.unwrap_or(300);
        if !(30..=3600).contains(&at) {
            p.push(format!("{f}.access_token_ttl_secs: must be 30..=3600"));
        }
        if !(30..=3600).contains(&it) {
            p.push(format!("{f}.id_token_ttl_secs: must be 30..=3600"));
        }
        let rt = c.refresh_token_ttl_secs.unwrap_or(0);
        if rt > 30 * 24 * 3600 {
            p.push(format!("{f}.refresh_token_ttl_secs: must be at most 30 days"));
        }
        if let Some(auth) = auth {
            out.push(ClientConfig {
                id: crate::ids::ClientId::new(c.id),
                name: c.name,
                auth,
                redirect_uris: c.redirect_uris,
                post_logout_redirect_uris: c.post_logout_redirect_uris,
                scopes: c.scopes,
                claims: c.claims,
                min_level,
                subject_type,
                sector,
                id_token_alg,
                access_token_ttl: Duration::from_secs(at),
                id_token_ttl: Duration::from_secs(it),
                refresh_token_ttl: (rt > 0).then(|| Duration::from_secs(rt)),
                allowed_methods: c.allowed_methods,
                organisation_only: c.organisation_only,
                skip_consent: c.skip_consent,
                backchannel_logout_uri: c.backchannel_logout_uri,
                backchannel_logout_session_required: c.backchannel_logout_session_required,
            });
        }
    }
    out
}
