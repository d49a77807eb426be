//! Configuration: one TOML file, parsed into raw serde types (unknown keys rejected) and validated
//! into a [`Config`]. Validation collects *every* problem into one [`ConfigError`], so an operator
//! fixes a file in one round (style guide). Every key is documented in `config/example.toml`.

mod audit;
mod logout;
mod methods;
mod oidc;
mod problems;
mod secrets;
mod server;
mod site;
mod store;
pub mod store_redis;

pub mod certificate;
pub mod instances;
pub mod oidc_upstream;
pub mod saml;
mod saml_upstream;
pub mod wallet;

pub use audit::AuditConfig;
pub use oidc::{ClientAuth, ClientConfig, OidcConfig, SubjectType, KNOWN_SCOPES};
pub use problems::{ConfigError, Problems};
pub use secrets::Secret;
pub use server::{LogFormat, ServerConfig};
pub use site::{Asset, Legal, Rgb, Site, ASSET_PREFIX, DEFAULT_NAME};
pub use store::{StoreBackend, StoreConfig};

/// The file's raw (serde) types, public so that tools and tests can load a file, edit it as typed
/// values and validate it through the one path ([`Config::from_raw`]) instead of editing TOML text.
pub mod raw {
    pub use super::audit::RawAudit;
    pub use super::certificate::{RawAnchor, RawCertificate};
    pub use super::logout::RawLogout;
    pub use super::methods::RawMethod;
    pub use super::oidc::{RawClient, RawOidc, RawPairwise};
    pub use super::oidc_upstream::RawOidcUpstream;
    pub use super::saml::{RawSaml, RawSimulator};
    pub use super::saml_upstream::RawUpstream;
    pub use super::server::{RawServer, RawTls};
    pub use super::site::{RawBranding, RawLegal};
    pub use super::store::{RawLimit, RawSealingKey, RawStore};
    pub use super::wallet::RawWallet;
    pub use super::{KeysRaw, RawConfig, RawSigningKey};
}

use crate::authenticators::certificate::settings::CertificateConfig;
use crate::authenticators::MethodConfig;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The file as written (unknown keys are an error at every level).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub server: server::RawServer,
    #[serde(default)]
    pub store: store::RawStore,
    #[serde(default)]
    pub keys: KeysRaw,
    #[serde(default)]
    pub oidc: oidc::RawOidc,
    #[serde(default)]
    pub logout: logout::RawLogout,
    #[serde(default)]
    pub clients: Vec<oidc::RawClient>,
    #[serde(default)]
    pub methods: Vec<methods::RawMethod>,
    #[serde(default)]
    pub saml: Option<saml::RawSaml>,
    #[serde(default)]
    pub certificate: Option<certificate::RawCertificate>,
    #[serde(default)]
    pub oidc_upstreams: Vec<oidc_upstream::RawOidcUpstream>,
    #[serde(default)]
    pub wallet: Option<wallet::RawWallet>,
    #[serde(default)]
    pub branding: site::RawBranding,
    #[serde(default)]
    pub legal: site::RawLegal,
    #[serde(default)]
    pub audit: audit::RawAudit,
}

/// `[keys]`: signing keys.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KeysRaw {
    /// Generate one key per algorithm at start-up (development only).
    #[serde(default)]
    pub generate_dev_keys: bool,
    #[serde(default)]
    pub signing: Vec<RawSigningKey>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSigningKey {
    pub alg: String,
    pub file: PathBuf,
    #[serde(default)]
    pub publish_only: bool,
}

/// A configured signing key file.
#[derive(Debug, Clone)]
pub struct SigningKeyConfig {
    /// Algorithm.
    pub alg: crate::keys::SigningAlg,
    /// PEM file.
    pub file: PathBuf,
    /// Published in JWKS but not used to sign (rotation step one).
    pub publish_only: bool,
}

/// `[keys]`, validated.
#[derive(Debug, Clone)]
pub struct KeysConfig {
    /// Generate development keys.
    pub generate_dev_keys: bool,
    /// Key files, in priority order.
    pub signing: Vec<SigningKeyConfig>,
}

/// The validated configuration. Holding one means every check passed.
#[derive(Debug, Clone)]
pub struct Config {
    /// Listener, issuer, logging.
    pub server: ServerConfig,
    /// Session store.
    pub store: StoreConfig,
    /// Signing keys.
    pub keys: KeysConfig,
    /// OIDC provider settings.
    pub oidc: OidcConfig,
    /// Registered relying parties.
    pub clients: Vec<ClientConfig>,
    /// Back-channel logout delivery.
    pub logout: crate::logout::LogoutSettings,
    /// Upstream methods, in display order.
    pub methods: Vec<MethodConfig>,
    /// SAML service provider and upstreams.
    pub saml: Option<saml::SamlConfig>,
    /// Certificate (mTLS) login.
    pub certificate: Option<CertificateConfig>,
    /// Upstream OpenID Connect providers (bank-ID).
    pub oidc_upstreams: Vec<oidc_upstream::OidcUpstreamConfig>,
    /// The EUDI wallet verifier (`[wallet]`).
    pub wallet: Option<crate::eudi::settings::WalletSettings>,
    /// Page chrome: branding and legal links (`[branding]`, `[legal]`).
    pub site: Site,
    /// Where the audit trail goes.
    pub audit: AuditConfig,
    /// Directory that relative paths in the file are resolved against.
    pub base_dir: PathBuf,
}

impl Config {
    /// Read, parse and validate a file. Relative paths inside it are resolved against the
    /// current directory (the README runs from the repository root).
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::single(format!("{}: cannot read configuration file: {e}", path.display())))?;
        Self::from_toml(&text, &path.display().to_string())
    }

    /// Parse and validate TOML text (`origin` names it in messages).
    pub fn from_toml(text: &str, origin: &str) -> Result<Config, ConfigError> {
        Self::from_raw(RawConfig::from_toml(text, origin)?)
    }

    /// Validate raw values (relative paths resolved against the current directory, as in
    /// [`Config::from_toml`]).
    pub fn from_raw(raw: RawConfig) -> Result<Config, ConfigError> {
        raw.validate(Path::new("."))
    }
}

impl RawConfig {
    /// Parse TOML text without validating it (`origin` names it in messages).
    pub fn from_toml(text: &str, origin: &str) -> Result<RawConfig, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::single(format!("{origin}: {}", e.to_string().trim_end())))
    }

    /// Validate into a [`Config`], collecting every problem.
    pub fn validate(self, base_dir: &Path) -> Result<Config, ConfigError> {
        let mut p = Problems::default();
        let server = server::validate(self.server, &mut p);
        let development = server.as_ref().map(|s| s.development).unwrap_or(false);
        let store = store::validate(self.store, development, &mut p);
        let keys = validate_keys(self.keys, development, &mut p);
        let methods = methods::validate(self.methods, development, &mut p);
        let method_ids: Vec<String> = methods.iter().map(|m| m.id.as_str().to_owned()).collect();
        let oidc = oidc::validate_oidc(self.oidc, development, &mut p);
        let clients = oidc::validate_clients(self.clients, &method_ids, development, &mut p);
        let logout = logout::validate(self.logout, &mut p);
        let saml = self.saml.map(|s| saml::validate(s, development, &mut p)).unwrap_or(None);
        let certificate = self
            .certificate
            .map(|c| certificate::validate(c, development, &mut p))
            .unwrap_or(None);
        let pending_ttl = oidc.as_ref().map(|o| o.pending_ttl).unwrap_or(std::time::Duration::from_secs(900));
        let oidc_upstreams = oidc_upstream::validate(
            self.oidc_upstreams,
            development,
            pending_ttl,
            server.as_ref().map(|s| s.issuer.as_str()),
            &mut p,
        );
        methods::cross_check(&methods, saml.as_ref(), certificate.as_ref(), &mut p);
        methods::cross_check_oidc(&methods, &oidc_upstreams, &mut p);
        methods::cross_check_wallet(&methods, self.wallet.is_some(), &mut p);
        let wallet = self.wallet.map(|w| wallet::validate(w, development, &mut p)).unwrap_or(None);
        let site = site::validate(self.branding, self.legal, development, &mut p);
        let audit = audit::validate(self.audit, &mut p);
        if let Some(s) = &server {
            check_listeners(s, certificate.as_ref(), &mut p);
        }
        p.finish()?;
        match (server, store, oidc) {
            (Some(server), Some(store), Some(oidc)) => Ok(Config {
                server,
                store,
                keys,
                oidc,
                clients,
                logout,
                methods,
                saml,
                certificate,
                oidc_upstreams,
                wallet,
                site,
                audit,
                base_dir: base_dir.to_owned(),
            }),
            _ => Err(ConfigError::single("configuration incomplete".into())),
        }
    }
}

/// Two listeners clash when one could not bind after the other: same port, and the same address or
/// either one the unspecified address (`0.0.0.0` / `::` take the port on every address). Port 0
/// (tests: the system picks) never clashes.
pub fn listeners_clash(a: std::net::SocketAddr, b: std::net::SocketAddr) -> bool {
    a.port() == b.port() && a.port() != 0 && (a.ip() == b.ip() || a.ip().is_unspecified() || b.ip().is_unspecified())
}

/// The main, certificate and admin listeners need three distinct sockets.
fn check_listeners(server: &ServerConfig, certificate: Option<&CertificateConfig>, p: &mut Problems) {
    let mut named = vec![("server.listen", server.listen)];
    named.extend(server.admin_listen.map(|a| ("server.admin_listen", a)));
    named.extend(certificate.map(|c| ("certificate.listen", c.listen)));
    for (i, (a_name, a)) in named.iter().enumerate() {
        for (b_name, b) in &named[i + 1..] {
            if listeners_clash(*a, *b) {
                p.push(format!(
                    "{b_name}: {b} clashes with {a_name} ({a}): each listener needs its own port"
                ));
            }
        }
    }
}

fn validate_keys(raw: KeysRaw, development: bool, p: &mut Problems) -> KeysConfig {
    if raw.generate_dev_keys && !development {
        p.push("keys.generate_dev_keys: development keys are refused outside development configuration (server.development = false)");
    }
    if !raw.generate_dev_keys && raw.signing.is_empty() {
        p.push("keys.signing: no signing key configured (add [[keys.signing]] or, in development, keys.generate_dev_keys = true)");
    }
    let mut signing = Vec::new();
    for (i, k) in raw.signing.into_iter().enumerate() {
        let field = format!("keys.signing[{i}]");
        let alg = match k.alg.parse::<crate::keys::SigningAlg>() {
            Ok(a) => Some(a),
            Err(e) => {
                p.push(format!("{field}.alg: {e}"));
                None
            }
        };
        p.check_readable_file(&format!("{field}.file"), &k.file);
        p.check_not_dev_material(&format!("{field}.file"), &k.file, development);
        if let Some(alg) = alg {
            signing.push(SigningKeyConfig {
                alg,
                file: k.file,
                publish_only: k.publish_only,
            });
        }
    }
    if !signing.is_empty() && signing.iter().all(|k| k.publish_only) && !raw.generate_dev_keys {
        p.push("keys.signing: every key is publish_only; at least one key must sign");
    }
    KeysConfig {
        generate_dev_keys: raw.generate_dev_keys,
        signing,
    }
}

#[cfg(test)]
mod tests;
